// The real commander program, in-process: argument errors, release.yaml errors
// before any AWS call, --json shapes, destroy's refusals, the bug path.
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRepositoriesCommand, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';
import { codeSha256 } from '../src/lambda-bundle.js';
import type { CliDeps } from '../src/commands/session.js';
import type { AnyResource } from '../src/deploy-graph.js';
import { apiGatewayResource } from '../src/resources/api-gateway.js';
import { apiKeyResource } from '../src/resources/api-key.js';
import { cognitoResource } from '../src/resources/cognito.js';
import { createLambdaProxyResource } from '../src/resources/lambda-proxy.js';
import type { ResourceModule } from '../src/resources/resource.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, sagemakerNotFound, type Mocks } from './helpers/aws-context.js';
import { cli, tempProject } from './helpers/cli-harness.js';
import { EDGE_MUTATING, FakeEdgeAws } from './helpers/fake-edge-aws.js';
import { FakeLockS3 } from './helpers/fake-lock-s3.js';

const upstreamStub: ResourceModule<null, null> = {
  kind: 'upstream-stub',
  desired: () => null,
  observe: async () => null,
  plan: () => ({ kind: 'upstream-stub', name: 'stub', action: 'no-change', diffs: [] }),
  apply: async () => ({
    lambdaRoleArn: `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`,
    endpointName: 'ms-iris-dev',
  }),
};
const zip = Uint8Array.from([1, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const deps: CliDeps = {
  resources: async (): Promise<AnyResource[]> => [
    upstreamStub,
    createLambdaProxyResource({ bundle, sleep: async () => {} }),
    cognitoResource,
    apiGatewayResource,
    apiKeyResource,
  ],
};

const project = tempProject();
afterAll(() => project.cleanup());

let mocks: Mocks;
let fake: FakeEdgeAws;
let locks: FakeLockS3;
let lockStub: AwsStub<any, any, any>;
beforeEach(() => {
  locks = new FakeLockS3();
  lockStub = locks.install();
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  fake = new FakeEdgeAws().install(mocks);
});
afterEach(() => {
  restoreAll(mocks);
  lockStub.restore();
});

const allCalls = () => Object.values(mocks).flatMap((m) => m.calls());
const mutating = () =>
  Object.values(mocks)
    .flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name))
    .filter((n) => EDGE_MUTATING.has(n));

describe('model-deploy argument errors', () => {
  it("exits 2 with commander's message when <env> is missing", async () => {
    const run = await cli(['up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required argument 'env'/);
    expect(allCalls()).toHaveLength(0);
  });

  it('exits 2 on an unknown command and suggests the right one', async () => {
    const run = await cli(['statu', 'dev']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'statu'/);
    expect(run.stderr).toMatch(/status/);
  });

  it('exits 2 on a builder that is not docker, buildah or podman, with a JSON error when --json', async () => {
    const run = await cli(['up', 'dev', '--builder', 'kaniko', '--json']);
    expect(run.code).toBe(2);
    expect(run.json()).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'MS_DEPLOY_USAGE', fault: 'user' }),
    });
    expect(run.json<{ error: { message: string } }>().error.message).toMatch(/kaniko/);
  });

  it('--help and --version exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/plan[\s\S]*up[\s\S]*status[\s\S]*destroy[\s\S]*doctor/);
    // Every command docs/commands.md documents is wired into the program.
    for (const name of ['plan', 'up', 'status', 'destroy', 'doctor', 'verify', 'promote', 'rollback', 'local']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('release.yaml problems stop before any AWS call', () => {
  it('an invalid value: exit 1, code, the YAML path and what to do, zero AWS calls and no client created', async () => {
    const bad = tempProject({ 'release.yaml': RELEASE_YAML.replace('instanceCount: 1', 'instanceCount: 0') });
    let created = 0;
    const run = await cli(['plan', 'dev', '--dir', bad.dir], {
      deps: {
        ...deps,
        createClients: () => {
          created += 1;
          throw new Error('must not be called');
        },
      },
    });
    bad.cleanup();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^MS_DEPLOY_RELEASE_INVALID: \S+\/release\.yaml:\d+:\d+: environments\.dev\.instanceCount must be >= 1/,
    );
    expect(run.stderr).toMatch(/-> Fix the value at that path/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack for user errors
    expect(created).toBe(0);
    expect(allCalls()).toHaveLength(0);
  });

  it('a missing file names the path it looked at', async () => {
    const empty = tempProject({});
    const run = await cli(['up', 'dev', '--dir', empty.dir]);
    empty.cleanup();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`MS_DEPLOY_RELEASE_NOT_FOUND: release.yaml not found at ${empty.dir}/release.yaml`);
    expect(allCalls()).toHaveLength(0);
  });

  it('an environment that release.yaml does not define, as JSON', async () => {
    const run = await cli(['status', 'staging', '--dir', project.dir, '--json']);
    expect(run.code).toBe(1);
    expect(run.json()).toEqual({
      ok: false,
      error: {
        code: 'MS_DEPLOY_UNKNOWN_ENV',
        fault: 'user',
        message: expect.stringContaining('"staging"'),
        hint: expect.any(String),
      },
    });
    expect(allCalls()).toHaveLength(0);
  });
});

describe('plan / up --json', () => {
  it('plan lists every resource with its action and differing fields, and makes read calls only', async () => {
    const run = await cli(['plan', 'dev', '--dir', project.dir, '--json'], { deps });
    expect(run.code).toBe(0);
    const out = run.json<{
      ok: boolean;
      command: string;
      env: string;
      region: string;
      changes: { kind: string; name: string; action: string; diffs: { field: string }[] }[];
      summary: Record<string, number>;
    }>();
    expect(out).toMatchObject({
      ok: true,
      command: 'plan',
      env: 'dev',
      region: 'eu-west-1',
      summary: { create: 3, update: 0, noChange: 2, delete: 0 },
    });
    expect(out.changes.map((c) => [c.kind, c.name, c.action])).toEqual([
      ['upstream-stub', 'stub', 'no-change'],
      ['lambda-function', 'ms-iris-dev-proxy', 'create'],
      ['cognito-user-pool', 'ms-iris-dev-users', 'create'],
      ['api-gateway', 'ms-iris-dev-api', 'create'],
      ['api-key', 'ms-iris-dev-key', 'no-change'],
    ]);
    expect(out.changes[3]!.diffs.map((d) => d.field)).toContain('method POST /predict');
    expect(mutating()).toEqual([]);
  });

  it('plan text shows create/update/no change with the fields', async () => {
    await cli(['up', 'dev', '--dir', project.dir], { deps });
    fake.functions.get('ms-iris-dev-proxy')!.config.MemorySize = 128;
    const run = await cli(['plan', 'dev', '--dir', project.dir], { deps });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/~ update +lambda-function\s+ms-iris-dev-proxy\n {6}memorySize: 128 -> 256/);
    expect(run.stdout).toMatch(/= no change\s+api-gateway\s+ms-iris-dev-api/);
    expect(run.stdout).toMatch(/0 to create, 1 to update, 0 to delete, 4 unchanged\./);
  });

  it('up prints the outputs; a second up makes zero mutating calls', async () => {
    const first = await cli(['up', 'dev', '--dir', project.dir, '--json'], { deps });
    expect(first.code).toBe(0);
    const out = first.json<{ outputs: Record<string, string> }>();
    const pool = [...fake.pools.values()][0]!;
    expect(out.outputs).toEqual({
      apiUrl: expect.stringMatching(/^https:\/\/\w+\.execute-api\.eu-west-1\.amazonaws\.com\/dev$/),
      userPoolId: pool.id,
      userPoolClientId: pool.clients[0]!.id,
      endpointName: 'ms-iris-dev',
    });
    for (const m of Object.values(mocks)) m.resetHistory();
    const second = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 to create, 0 to update, 0 to delete, 5 unchanged\./);
    expect(second.stdout).toMatch(/Outputs:\n {2}apiUrl +https:/);
    expect(second.stderr).toMatch(/\[4\/5\] api-gateway ms-iris-dev-api: done \(no change\)/);
    expect(mutating()).toEqual([]);
  });
});

describe('destroy refusals and order', () => {
  it('refuses prod without --force-prod before any AWS call', async () => {
    const run = await cli(['destroy', 'prod', '--yes', '--dir', project.dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^MS_DEPLOY_PROD_GUARD: refusing to destroy prod without --force-prod/);
    expect(allCalls()).toHaveLength(0);
  });

  it('refuses without a terminal and without --yes', async () => {
    const run = await cli(['destroy', 'dev', '--dir', project.dir], { isTTY: false });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/MS_DEPLOY_CONFIRM_REQUIRED[\s\S]*--yes/);
    expect(allCalls()).toHaveLength(0);
  });

  it('on a terminal, a wrong answer cancels with nothing deleted', async () => {
    await cli(['up', 'dev', '--dir', project.dir], { deps });
    for (const m of Object.values(mocks)) m.resetHistory();
    const run = await cli(['destroy', 'dev', '--dir', project.dir], { deps, isTTY: true, answer: 'prod' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /This deletes, in this order:\n {2}- api-key ms-iris-dev-key\n {2}- api-gateway ms-iris-dev-api\n {2}- cognito-user-pool ms-iris-dev-users\n {2}- lambda-function ms-iris-dev-proxy/,
    );
    expect(run.stderr).toMatch(/MS_DEPLOY_ABORTED/);
    expect(mutating()).toEqual([]);
  });

  it('--yes deletes in reverse order and reports it as JSON', async () => {
    await cli(['up', 'dev', '--dir', project.dir], { deps });
    const run = await cli(['destroy', 'dev', '--yes', '--json', '--dir', project.dir], { deps });
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      ok: true,
      command: 'destroy',
      env: 'dev',
      deleted: [
        { kind: 'api-key', name: 'ms-iris-dev-key' },
        { kind: 'api-gateway', name: 'ms-iris-dev-api' },
        { kind: 'cognito-user-pool', name: 'ms-iris-dev-users' },
        { kind: 'lambda-function', name: 'ms-iris-dev-proxy' },
      ],
    });
    expect(fake.snapshot()).toEqual({ fns: [], pools: [], apis: [], plans: [], keys: [], domains: [], secrets: [] });
  });
});

describe('status', () => {
  it('reports what exists as JSON (endpoint missing, edge present)', async () => {
    await cli(['up', 'dev', '--dir', project.dir], { deps });
    for (const m of Object.values(mocks)) m.resetHistory();
    mocks.sagemaker
      .on(DescribeEndpointCommand)
      .rejects(sagemakerNotFound('endpoint "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev"'));
    mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
    mocks.ecr.on(DescribeRepositoriesCommand).rejects(
      new RepositoryNotFoundException({
        message: "The repository with name 'model-service/iris' does not exist in the registry with id '123456789012'",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const run = await cli(['status', 'dev', '--dir', project.dir, '--json']);
    // Read fine, but not all there: exit 1 and the missing resources named.
    expect(run.code).toBe(1);
    const s = run.json<Record<string, any>>();
    expect(s).toMatchObject({
      ok: true,
      command: 'status',
      env: 'dev',
      complete: false,
      missing: expect.arrayContaining(['ecr repository model-service/iris', 'endpoint ms-iris-dev']),
      endpoint: { name: 'ms-iris-dev', exists: false },
      ecrRepository: { name: 'model-service/iris', exists: false },
      autoscaling: { enabled: false },
      lambda: { name: 'ms-iris-dev-proxy', exists: true, state: 'Active' },
      api: { name: 'ms-iris-dev-api', exists: true, lastDeployment: '2026-01-02T00:00:00.000Z' },
      userPool: { name: 'ms-iris-dev-users', exists: true },
    });
    expect(mutating()).toEqual([]);
  });
});

describe('the deploy lock', () => {
  const BUCKET = `ms-deploy-locks-${ACCOUNT}-eu-west-1`;
  const KEY = 'ms-iris-dev.json';
  const heldByAnotherRun = (expiresAt = '2999-01-01T00:30:00.000Z') =>
    locks.buckets.set(
      BUCKET,
      new Map([
        [
          KEY,
          {
            etag: '"other"',
            body: JSON.stringify({
              who: 'https://github.com/acme/iris/actions/runs/7',
              identity: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci`,
              host: 'runner-1',
              pid: 77,
              command: 'up dev',
              acquiredAt: '2999-01-01T00:00:00.000Z',
              renewedAt: '2999-01-01T00:00:00.000Z',
              expiresAt,
            }),
          },
        ],
      ]),
    );

  it.each([
    ['up', ['up', 'dev']],
    ['destroy', ['destroy', 'dev', '--yes']],
    ['promote', ['promote', 'prod', '--from', 'dev']],
    ['rollback', ['rollback', 'dev']],
  ])(
    '%s refuses while another run holds the environment: MS_DEPLOY_LOCKED names it, nothing else is called',
    async (_name, argv) => {
      heldByAnotherRun();
      if (argv[0] === 'promote') {
        locks.buckets.get(BUCKET)!.set('ms-iris-prod.json', locks.buckets.get(BUCKET)!.get(KEY)!);
        locks.buckets.get(BUCKET)!.delete(KEY);
      }
      const run = await cli([...argv, '--dir', project.dir], { deps });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        '`up dev` by https://github.com/acme/iris/actions/runs/7 (arn:aws:sts::123456789012:assumed-role/deploy/ci, pid 77 on runner-1) since 2999-01-01T00:00:00.000Z',
      );
      expect(run.stderr).toMatch(/^MS_DEPLOY_LOCKED: /);
      expect(run.stderr).toContain('--break-lock');
      expect(allCalls().map((c) => (c.args[0] as object).constructor.name)).toEqual(['GetCallerIdentityCommand']);
      expect(Object.keys(locks.leases())).toHaveLength(1); // theirs, untouched
    },
  );

  it('up takes the lock and releases it when it succeeds, and when it fails', async () => {
    const ok = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(ok.code).toBe(0);
    expect(lockStub.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Key: KEY, IfNoneMatch: '*' });
    expect(locks.leases()).toEqual({});
    const failing: CliDeps = {
      resources: async () => [
        {
          ...upstreamStub,
          apply: async () => {
            throw new Error('the apply broke');
          },
          plan: () => ({ kind: 'upstream-stub', name: 'stub', action: 'create', diffs: [] }),
        } as AnyResource,
      ],
    };
    const failed = await cli(['up', 'dev', '--dir', project.dir], { deps: failing });
    expect(failed.code).toBe(70);
    expect(locks.leases()).toEqual({});
  });

  it('--break-lock takes a held lock (with a warning naming the run it broke); an expired one is taken without it', async () => {
    heldByAnotherRun();
    const broke = await cli(['up', 'dev', '--break-lock', '--dir', project.dir], { deps });
    expect(broke.code).toBe(0);
    expect(broke.stderr).toContain(
      'warning: broke deploy lock of dev: up dev by https://github.com/acme/iris/actions/runs/7',
    );
    heldByAnotherRun('2000-01-01T00:00:00.000Z');
    const expired = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(expired.code).toBe(0);
    expect(expired.stderr).toContain('warning: took over the expired deploy lock of dev');
    expect(locks.leases()).toEqual({});
  });

  it('--wait-for-lock takes minutes: anything else is a usage error before any AWS call', async () => {
    const run = await cli(['up', 'dev', '--wait-for-lock', 'soon', '--dir', project.dir], { deps });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--wait-for-lock <minutes>' argument 'soon' is invalid");
    expect(allCalls()).toHaveLength(0);
    expect(lockStub.calls()).toHaveLength(0);
  });

  it('plan and status take no lock (they read while a run holds it)', async () => {
    heldByAnotherRun();
    expect((await cli(['plan', 'dev', '--dir', project.dir], { deps })).code).toBe(0);
    await cli(['status', 'dev', '--dir', project.dir, '--json']);
    expect(lockStub.calls()).toHaveLength(0);
  });
});

describe('the top-level catch', () => {
  it('an unexpected error is reported as a bug with its stack and exit 70', async () => {
    const run = await cli(['plan', 'dev', '--dir', project.dir], {
      deps: {
        resources: async () => {
          throw new TypeError('boom');
        },
      },
    });
    expect(run.code).toBe(70);
    expect(run.stderr).toMatch(
      /MS_DEPLOY_INTERNAL: model-deploy hit a bug \(this is a bug, not something you did\): boom\nTypeError: boom\n\s+at /,
    );
  });

  it('an AWS error surfaces wrapped: code, what failed, what to do', async () => {
    const { ExpiredTokenException } = await import('@aws-sdk/client-sts');
    mocks.sts.on(GetCallerIdentityCommand).rejects(
      new ExpiredTokenException({
        message: 'The security token included in the request is expired',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const run = await cli(['plan', 'dev', '--dir', project.dir], { deps });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^MS_DEPLOY_AWS_CREDENTIALS: no usable AWS credentials for GetCallerIdentity on the current AWS identity: ExpiredTokenException: The security token included in the request is expired/,
    );
    expect(run.stderr).toMatch(/-> Configure credentials/);
  });
});
