// `model-deploy up` then `status` through the real CLI over stateful fakes of
// every control plane: the sha in the tags, the alarms with thresholds and
// state, the deployment record and last verify, the dashboard and the budget.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { CliDeps } from '../src/commands/session.js';
import { environmentResources } from '../src/deploy-graph.js';
import { codeSha256 } from '../src/lambda-bundle.js';
import { configHash } from '../src/tags.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, testContext, type Mocks } from './helpers/aws-context.js';
import { cli, tempProject } from './helpers/cli-harness.js';
import { FakeCoreAws } from './helpers/fake-core-aws.js';
import { FakeEdgeAws } from './helpers/fake-edge-aws.js';
import { FakeOpsAws } from './helpers/fake-ops-aws.js';
import { FakeSageMaker } from './helpers/fake-sagemaker.js';
import { FakeLockS3 } from './helpers/fake-lock-s3.js';

const SHA = 'abc1234';
const IDENTITY = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`;
const YAML = RELEASE_YAML.replace(
  'environments:',
  'budget: { monthlyUsd: 50, alertEmails: [ops@example.com] }\nenvironments:',
);
const zip = Uint8Array.from([7, 7]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };

const project = tempProject({ 'release.yaml': YAML });
const plain = tempProject({ 'release.yaml': RELEASE_YAML });
afterAll(() => {
  project.cleanup();
  plain.cleanup();
});

let mocks: Mocks & { budgets: AwsStub<any, any, any> };
let core: FakeCoreAws;
let sm: FakeSageMaker;
let ops: FakeOpsAws;
let edge: FakeEdgeAws;
let deps: CliDeps;
let lockStub: AwsStub<any, any, any>;
beforeEach(() => {
  mocks = { ...mockAll(), budgets: mockClient(BudgetsClient) };
  // up / promote / rollback take the environment's deploy lock (S3).
  lockStub = new FakeLockS3().install();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: IDENTITY });
  core = new FakeCoreAws().install(mocks);
  edge = new FakeEdgeAws().install(mocks);
  sm = new FakeSageMaker(mocks.sagemaker);
  ops = new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  deps = { runner: core.runner(SHA), resources: (ctx, options) => environmentResources(ctx, { ...options, bundle }) };
});
afterEach(() => {
  restoreAll(mocks);
  lockStub.restore();
});

const mutating = () =>
  Object.values(mocks)
    .flatMap((m) => m.calls().map((c: { args: unknown[] }) => (c.args[0] as object).constructor.name))
    .filter((n) => !/^(Describe|List|Get)\w*Command$/.test(n));

describe('up through the CLI', () => {
  it('tags with the commit sha, writes the deployment record, prints the dashboard URL', async () => {
    const run = await cli(['up', 'dev', '--dir', project.dir, '--json'], { deps });
    expect(run.code).toBe(0);
    expect(run.json<{ outputs: Record<string, string> }>().outputs.dashboardUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/ms-iris-dev',
    );
    const tags = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input.Tags!;
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'model-service:git-sha', Value: SHA },
        { Key: 'model-service:owner', Value: 'someone@example.com' },
      ]),
    );
    expect(ops.endpointTags.get('ms-iris-dev')).toMatchObject({
      'model-service:deployed-sha': SHA,
      'model-service:deployed-by': IDENTITY,
    });
    for (const m of Object.values(mocks)) m.resetHistory();
    const again = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 to create, 0 to update, 0 to delete, 20 unchanged\./);
    expect(mutating()).toEqual([]);
  });
});

describe('the git sha for the tags', () => {
  const failingGit = {
    run: async (command: string) =>
      command === 'git'
        ? { exitCode: 128, stdout: '', stderr: 'fatal: not a git repository' }
        : { exitCode: 0, stdout: '', stderr: '' },
  };
  const capture =
    (seen: Record<string, string>[]): CliDeps['resources'] =>
    async (ctx) => {
      seen.push({ ...ctx.tags });
      return [
        {
          kind: 'stub',
          desired: () => null,
          observe: async () => null,
          plan: () => ({ kind: 'stub', name: 'stub', action: 'no-change' as const, diffs: [] }),
          apply: async () => ({}),
        },
      ];
    };

  it('up --image outside a checkout deploys without the git-sha tag and says so', async () => {
    const seen: Record<string, string>[] = [];
    const run = await cli(
      [
        'up',
        'dev',
        '--dir',
        project.dir,
        '--image',
        `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/model-service/iris@sha256:${'c'.repeat(64)}`,
      ],
      { deps: { runner: failingGit, resources: capture(seen) } },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: resources are tagged without model-service:git-sha: MS_DEPLOY_GIT_SHA|warning: resources are tagged without model-service:git-sha: cannot read the git short sha/,
    );
    expect(seen[0]).not.toHaveProperty(['model-service:git-sha']);
    expect(seen[0]).toMatchObject({ 'model-service:model': 'iris', 'model-service:env': 'dev' });
  });

  it('plan and up in a checkout put the sha in every tag set', async () => {
    const seen: Record<string, string>[] = [];
    await cli(['plan', 'dev', '--dir', project.dir], {
      deps: { runner: core.runner('0a1b2c3'), resources: capture(seen) },
    });
    await cli(['up', 'dev', '--dir', project.dir], {
      deps: { runner: core.runner('0a1b2c3'), resources: capture(seen) },
    });
    expect(seen.map((t) => t['model-service:git-sha'])).toEqual(['0a1b2c3', '0a1b2c3']);
  });
});

describe('plan through the CLI', () => {
  it('after an up, plan from the same commit shows no change (its tags carry the sha too); from a new commit, re-tags and a new record', async () => {
    expect((await cli(['up', 'dev', '--dir', project.dir], { deps })).code).toBe(0);
    for (const m of Object.values(mocks)) m.resetHistory();
    const same = await cli(['plan', 'dev', '--dir', project.dir, '--json'], { deps });
    const changes = same.json<{ changes: { kind: string; action: string }[] }>().changes;
    expect(changes.filter((c) => c.action !== 'no-change')).toEqual([]);
    const next = await cli(['plan', 'dev', '--dir', project.dir, '--json'], {
      deps: { ...deps, runner: core.runner('def5678') },
    });
    const planned = next.json<{
      changes: { kind: string; action: string; diffs: { field: string; from: unknown; to: unknown }[] }[];
    }>().changes;
    const byKind = new Map(planned.map((c) => [c.kind, c]));
    for (const kind of ['budget', 'ecr-repository', 'iam-role-sagemaker', 'iam-role-lambda']) {
      expect({ kind, action: byKind.get(kind)!.action, fields: byKind.get(kind)!.diffs.map((d) => d.field) }).toEqual({
        kind,
        action: 'update',
        fields: ['tags'],
      });
    }
    expect(byKind.get('deployment-record')).toMatchObject({
      action: 'update',
      diffs: expect.arrayContaining([{ field: 'gitSha', from: SHA, to: 'def5678' }]),
    });
    // plan reads only (the new commit's image is looked up, not built).
    expect(mutating()).toEqual([]);
  });

  it('after a change of cache.ttlSeconds and runtime.logLevel: each changed variable on the sagemaker-model line', async () => {
    const withCache = (cache: string) => `${YAML}cache: ${cache}\n`;
    const p = tempProject({ 'release.yaml': withCache('{ kind: memory, ttlSeconds: 300 }') });
    try {
      expect((await cli(['up', 'dev', '--dir', p.dir], { deps })).code).toBe(0);
      writeFileSync(
        join(p.dir, 'release.yaml'),
        `${withCache('{ kind: memory, ttlSeconds: 600 }')}runtime: { logLevel: debug }\n`,
      );
      const run = await cli(['plan', 'dev', '--dir', p.dir], { deps });
      expect(run.stdout).toMatch(
        /\+ create +sagemaker-model +(ms-iris-dev-\w+)\n {6}replaces: ms-iris-dev-\w+ -> \1\n {6}environment\.LOG_LEVEL: \(none\) -> debug\n {6}environment\.MS_CACHE_TTL: 300 -> 600\n/,
      );
    } finally {
      p.cleanup();
    }
  });
});

describe('status', () => {
  beforeEach(async () => {
    expect((await cli(['up', 'dev', '--dir', project.dir], { deps })).code).toBe(0);
    for (const m of Object.values(mocks)) m.resetHistory();
  });

  it('--json: alarms with thresholds and state, the deployment record with the last verify, dashboard and budget; reads only', async () => {
    const config = sm.endpoints.get('ms-iris-dev')!.config;
    Object.assign(core.alarms.get('ms-iris-dev-p95-latency')!, {
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 2 out of the last 3 datapoints',
      StateUpdatedTimestamp: new Date('2026-11-25T09:00:00Z'),
    });
    Object.assign(core.alarms.get('ms-iris-dev-error-rate')!, { StateValue: 'OK' });
    ops.endpointTags.get('ms-iris-dev')!['model-service:verified'] = `pass@2026-11-25T09:30:00.000Z/${config}`;
    const run = await cli(['status', 'dev', '--dir', project.dir, '--json']);
    expect(run.code).toBe(0);
    const s = run.json<Record<string, any>>();
    expect(s.alarms).toEqual([
      {
        name: 'ms-iris-dev-error-rate',
        exists: true,
        state: 'OK',
        threshold: 0.01,
        comparison: 'GreaterThanThreshold',
        condition: '> 0.01 5xx error rate',
      },
      {
        name: 'ms-iris-dev-p95-latency',
        exists: true,
        state: 'ALARM',
        stateReason: 'Threshold Crossed: 2 out of the last 3 datapoints',
        stateUpdated: '2026-11-25T09:00:00.000Z',
        threshold: 500000,
        comparison: 'GreaterThanThreshold',
        condition: '> 500 ms p95 ModelLatency',
      },
      // release.yaml's canary promotion: its alarms, scaled to the canary's share, are watched too.
      {
        name: 'ms-iris-dev-canary-error-rate',
        exists: true,
        threshold: 0.001,
        comparison: 'GreaterThanThreshold',
        condition: '> 0.001 5xx error rate',
      },
      {
        name: 'ms-iris-dev-canary-latency',
        exists: true,
        threshold: 500000,
        comparison: 'GreaterThanThreshold',
        condition: '> 500 ms p99.5 ModelLatency',
      },
      // On the runtime's own FallbackAnswers metric (EMF).
      {
        name: 'ms-iris-dev-fallback-answers',
        exists: true,
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        condition: '> 0 fallback answers a minute',
      },
    ]);
    const digest = [...core.repos.get('model-service/iris')!.images.values()][0];
    expect(s.deployment).toEqual({
      gitSha: SHA,
      imageDigest: digest,
      deployedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.+Z$/),
      deployedBy: IDENTITY,
      configHash: configHash(testContext({ yaml: YAML }).release, 'dev'),
      configCurrent: true,
      verify: { result: 'pass', at: '2026-11-25T09:30:00.000Z', configName: config, current: true },
    });
    expect(s.dashboard).toEqual({
      name: 'ms-iris-dev',
      exists: true,
      url: expect.stringContaining('#dashboards/dashboard/ms-iris-dev'),
    });
    expect(s.budget).toEqual({
      name: 'ms-iris-dev-monthly',
      configured: true,
      exists: true,
      limitUsd: 50,
      actualUsd: 0,
    });
    expect(mutating()).toEqual([]);
  });

  it('text: the same facts, and what is stale (release.yaml changed since, verify on another config)', async () => {
    ops.endpointTags.get('ms-iris-dev')!['model-service:verified'] =
      'fail@2026-11-24T08:00:00.000Z/ms-iris-dev-0ld0ld00';
    const changed = tempProject({ 'release.yaml': YAML.replace('errorRate: 0.01', 'errorRate: 0.05') });
    const run = await cli(['status', 'dev', '--dir', changed.dir]);
    changed.cleanup();
    expect(run.code).toBe(0);
    // What AWS holds (0.01), not the edited file: status reads, plan would show the change.
    expect(run.stdout).toMatch(/ {2}alarms\n {4}ms-iris-dev-error-rate {2}\? {2}\(alarm when > 0\.01 5xx error rate\)/);
    expect(run.stdout).toMatch(/ms-iris-dev-p95-latency {2}\S+ {2}\(alarm when > 500 ms p95 ModelLatency\)/);
    expect(run.stdout).toMatch(new RegExp(`last deployment {2}\\S+Z by ${IDENTITY.replace(/[/]/g, '\\/')}`));
    expect(run.stdout).toMatch(new RegExp(`git sha {8}${SHA}`));
    expect(run.stdout).toMatch(/image digest {3}sha256:[0-9a-f]{64}/);
    expect(run.stdout).toMatch(/config hash {4}[0-9a-f]{16} {2}\(release\.yaml changed since: run plan\)/);
    expect(run.stdout).toMatch(
      /last verify {4}fail at 2026-11-24T08:00:00\.000Z \(on ms-iris-dev-0ld0ld00, not the config running now\)/,
    );
    expect(run.stdout).toMatch(/dashboard {8}ms-iris-dev {2}https:\/\/eu-west-1\.console\.aws\.amazon\.com/);
    expect(run.stdout).toMatch(/budget {11}ms-iris-dev-monthly {2}0 of 50 USD this month/);
  });

  it('shows the container environment the endpoint runs (release.yaml cache and runtime settings)', async () => {
    const s = (await cli(['status', 'dev', '--dir', project.dir, '--json'])).json<Record<string, any>>();
    expect(s.endpoint.environment).toMatchObject({
      MODEL_SERVICE_ENV: 'dev',
      MS_CACHE: expect.stringMatching(/^(off|memory|redis)$/),
    });
    const text = (await cli(['status', 'dev', '--dir', project.dir])).stdout;
    expect(text).toMatch(/ {4}environment {4}MODEL_SERVICE_ENV=dev MODEL_SERVICE_MODEL=iris MS_CACHE=/);
  });

  it('shows where the endpoint and the proxy run (VPC or not) and which key encrypts the endpoint volume', async () => {
    const plainRun = await cli(['status', 'dev', '--dir', project.dir, '--json']);
    const before = plainRun.json<Record<string, any>>();
    expect(before.endpoint).not.toHaveProperty('vpc');
    expect(before.endpoint).not.toHaveProperty('kmsKeyId');
    expect(before.lambda).not.toHaveProperty('vpc');
    expect((await cli(['status', 'dev', '--dir', project.dir])).stdout).toMatch(
      /network {8}no VPC \(SageMaker-managed network\)\n {4}volume key {5}AWS managed key/,
    );

    // What AWS reports for a deployment with release.yaml vpc + kmsKeyId.
    const endpoint = sm.endpoints.get('ms-iris-dev')!;
    const model = sm.models.get(sm.configs.get(endpoint.config)![0]!.ModelName!)!;
    Object.assign(model, {
      vpc: { Subnets: ['subnet-0bbbbbbb', 'subnet-0aaaaaaa'], SecurityGroupIds: ['sg-0ccccccc'] },
      isolation: true,
    });
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    sm.configKeys.set(endpoint.config, key);
    edge.functions.get('ms-iris-dev-proxy')!.config.VpcConfig = {
      SubnetIds: ['subnet-0aaaaaaa'],
      SecurityGroupIds: ['sg-0ddddddd'],
      VpcId: 'vpc-0eeeeeee',
    };
    const s = (await cli(['status', 'dev', '--dir', project.dir, '--json'])).json<Record<string, any>>();
    expect(s.endpoint).toMatchObject({
      vpc: {
        subnetIds: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'],
        securityGroupIds: ['sg-0ccccccc'],
        networkIsolation: true,
      },
      kmsKeyId: key,
    });
    expect(s.lambda.vpc).toEqual({ subnetIds: ['subnet-0aaaaaaa'], securityGroupIds: ['sg-0ddddddd'] });
    const text = (await cli(['status', 'dev', '--dir', project.dir])).stdout;
    expect(text).toContain(
      '    network        VPC subnets subnet-0aaaaaaa, subnet-0bbbbbbb; security groups sg-0ccccccc; network isolation on\n',
    );
    expect(text).toContain(`    volume key     ${key}\n`);
    expect(text).toMatch(
      / {2}lambda {11}ms-iris-dev-proxy .*\n {4}network {8}VPC subnets subnet-0aaaaaaa; security groups sg-0ddddddd\n/,
    );
    expect(mutating()).toEqual([]);
  });

  it('without a budget in release.yaml, status makes no Budgets call; a missing dashboard and alarms read "not found"', async () => {
    ops.dashboards.clear();
    core.alarms.clear();
    const run = await cli(['status', 'dev', '--dir', plain.dir, '--json']);
    const s = run.json<Record<string, any>>();
    expect(s.budget).toEqual({ name: 'ms-iris-dev-monthly', configured: false });
    expect(mocks.budgets.calls()).toHaveLength(0);
    expect(s.dashboard).toEqual({ name: 'ms-iris-dev', exists: false });
    expect(s.alarms).toEqual([
      { name: 'ms-iris-dev-error-rate', exists: false },
      { name: 'ms-iris-dev-p95-latency', exists: false },
      { name: 'ms-iris-dev-canary-error-rate', exists: false },
      { name: 'ms-iris-dev-canary-latency', exists: false },
      { name: 'ms-iris-dev-fallback-answers', exists: false },
    ]);
    expect(run.code).toBe(1);
    expect(s.missing).toEqual([
      'alarm ms-iris-dev-error-rate',
      'alarm ms-iris-dev-p95-latency',
      'alarm ms-iris-dev-canary-error-rate',
      'alarm ms-iris-dev-canary-latency',
      'alarm ms-iris-dev-fallback-answers',
      'dashboard ms-iris-dev',
    ]);
    const text = await cli(['status', 'dev', '--dir', plain.dir]);
    expect(text.stdout).toMatch(/ms-iris-dev-error-rate {2}not found/);
    expect(text.stdout).toMatch(/budget {11}none \(release\.yaml has no budget\)/);
  });
});
