// A `--cache redis` project passes its own `npm test` as generated, with no Redis running and
// no Redis URL in the environment: its tests serve with the in-process cache (tests/helpers.ts
// TEST_ENV), the artifact test included. In AWS and under `model-deploy local` it uses Redis
// (packages/deployer/test/local-chain/local-process.test.ts starts a redis-server for it).
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from './helpers.js';
import { generateProject, npm } from './project-support.js';

let work: string;
let dir: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'packages/runtime/dist/index.js'))) throw new Error('build the runtime first: npx tsc -b');
  work = mkdtempSync(join(tmpdir(), 'ms-redis-project-'));
  dir = await generateProject(work, 'cached', [
    '--runtime-source',
    join(ROOT, 'packages/runtime'),
    '--ci',
    'none',
    '--skip-git',
    '--cache',
    'redis',
    // The ElastiCache cache lives in a VPC: release.yaml needs one.
    '--vpc-subnets',
    'subnet-0a1b2c3d,subnet-0e5f6a7b',
    '--vpc-security-groups',
    'sg-0a1b2c3d',
  ]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a --cache redis project', () => {
  test('release.yaml asks for redis', () => {
    expect(readFileSync(join(dir, 'release.yaml'), 'utf8')).toMatch(/^cache:\n {2}kind: redis$/m);
  });

  test('npm test passes as generated, without a Redis URL', async () => {
    // The runtime reads MS_REDIS_URL; like a user's shell, this one has none.
    expect(process.env.MS_REDIS_URL).toBeUndefined();
    const tested = await npm(dir, ['test'], 300_000);
    const out = `${tested.stdout}\n${tested.stderr}`;
    expect(tested.status === 0 ? '' : out.slice(-4000)).toBe('');
    expect(out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 320_000);
});

describe('its release.yaml through the deployer, against the AWS doubles', () => {
  // The deployer's stateful fakes (SDK error shapes) stand in for AWS: the same world the
  // deployer's cache tests use, fed the file the generator wrote.
  test('plan shows the cache, its security group and the container environment; up, status and destroy go through', async () => {
    const { BudgetsClient } = await import('@aws-sdk/client-budgets');
    const { ElastiCacheClient } = await import('@aws-sdk/client-elasticache');
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const { mockClient } = await import('aws-sdk-client-mock');
    const graph = await import('../../packages/deployer/src/deploy-graph.js');
    const { collectStatus } = await import('../../packages/deployer/src/environment-status.js');
    const { codeSha256 } = await import('../../packages/deployer/src/lambda-bundle.js');
    const { createProgress } = await import('../../packages/deployer/src/progress.js');
    const { withGitSha } = await import('../../packages/deployer/src/tags.js');
    const aws = await import('../../packages/deployer/test/helpers/aws-context.js');
    const { FakeCacheAws } = await import('../../packages/deployer/test/helpers/fake-cache-aws.js');
    const { FakeCoreAws } = await import('../../packages/deployer/test/helpers/fake-core-aws.js');
    const { FakeEdgeAws } = await import('../../packages/deployer/test/helpers/fake-edge-aws.js');
    const { FakeOpsAws } = await import('../../packages/deployer/test/helpers/fake-ops-aws.js');
    const { FakeSageMaker } = await import('../../packages/deployer/test/helpers/fake-sagemaker.js');

    const yaml = readFileSync(join(dir, 'release.yaml'), 'utf8');
    const mocks = { ...aws.mockAll(), budgets: mockClient(BudgetsClient), elastiCache: mockClient(ElastiCacheClient) };
    try {
      mocks.sts
        .on(GetCallerIdentityCommand)
        .resolves({ Account: aws.ACCOUNT, Arn: `arn:aws:sts::${aws.ACCOUNT}:assumed-role/d/ci` });
      const sm = new FakeSageMaker(mocks.sagemaker);
      new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
      const core = new FakeCoreAws().install(mocks);
      new FakeEdgeAws().install(mocks);
      const cache = new FakeCacheAws().install(mocks);
      const zip = Uint8Array.from([4, 2]);
      const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
      const silent = createProgress('silent', { write: () => true });
      const context = (dryRun = false) =>
        withGitSha(aws.testContext({ yaml, env: 'dev', dryRun, runner: core.runner('abc1234') }), 'abc1234');

      const plan = await graph.planGraph(context(true), await graph.environmentResources(context(true), { bundle }));
      const byKind = (kind: string) => plan.steps.find((s) => s.change.kind === kind)?.change;
      expect(byKind('cache-security-group')?.action).toBe('create');
      expect(byKind('elasticache-serverless')?.action).toBe('create');
      // A first deploy shows the whole container environment: the redis cache, signed in with IAM.
      const env = byKind('sagemaker-model')!.diffs.find((d) => d.field === 'environment')!.to;
      expect(env).toMatchObject({ MS_CACHE: 'redis', MS_REDIS_AUTH: 'iam', MS_REDIS_USER: expect.any(String) });

      const ctx = context();
      await graph.applyGraph(
        ctx,
        await graph.planGraph(ctx, await graph.environmentResources(ctx, { bundle })),
        silent,
      );
      const status = await collectStatus(context());
      expect(status.complete).toBe(true);
      expect(status.cache).toMatchObject({ name: 'ms-cached-dev-cache' });

      await graph.destroyGraph(
        ctx,
        await graph.planGraph(ctx, await graph.environmentResources(ctx, { bundle, purpose: 'destroy' })),
        silent,
      );
      expect(cache.snapshot()).toMatchObject({ caches: [] });
    } finally {
      aws.restoreAll(mocks);
    }
  }, 120_000);
});
