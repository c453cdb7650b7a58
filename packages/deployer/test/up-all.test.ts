// The whole environment graph (every resource module, in order) against stateful
// fakes of every control plane: create path, no-change path (zero mutating calls
// on ALL clients), interruption at each mutating call then rerun, plan = reads
// only, destroy in reverse order, and the cost allocation tags on every create.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { DeployContext } from '../src/context.js';
import { lazyClient } from '../src/aws/lazy-context-clients.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../src/deploy-graph.js';
import { codeSha256 } from '../src/lambda-bundle.js';
import { createProgress } from '../src/progress.js';
import { configHash, withGitSha } from '../src/tags.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, testContext, type Mocks } from './helpers/aws-context.js';
import { FakeCoreAws, crashAtMutation } from './helpers/fake-core-aws.js';
import { FakeEdgeAws } from './helpers/fake-edge-aws.js';
import { FakeOpsAws } from './helpers/fake-ops-aws.js';
import { FakeSageMaker } from './helpers/fake-sagemaker.js';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const READ = /^(Describe|List|Get)\w*Command$/;

const SHA = 'abc1234';
const DEPLOYER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`;
// A budget with an alert, so the graph creates every module (release.yaml without one: no Budgets call at all).
const YAML = RELEASE_YAML.replace(
  'environments:',
  'budget: { monthlyUsd: 50, alertEmails: [ops@example.com] }\nenvironments:',
);

interface World {
  mocks: Mocks & { budgets: AwsStub<any, any, any> };
  core: FakeCoreAws;
  edge: FakeEdgeAws;
  sm: FakeSageMaker;
  ops: FakeOpsAws;
}
let w: World;

function freshWorld(): World {
  const mocks = { ...mockAll(), budgets: mockClient(BudgetsClient) };
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: DEPLOYER_ARN });
  const sm = new FakeSageMaker(mocks.sagemaker);
  const ops = new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  return { mocks, core: new FakeCoreAws().install(mocks), edge: new FakeEdgeAws().install(mocks), sm, ops };
}
beforeEach(() => {
  w = freshWorld();
});
afterEach(() => restoreAll(w.mocks));

/** Every command sent to any client, in global order. */
function sent(): string[] {
  return Object.values(w.mocks)
    .flatMap((m) =>
      m.calls().map((c: { args: unknown[] }) => ({
        id: (c as unknown as { callId: number }).callId,
        name: (c.args[0] as object).constructor.name,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name);
}
const mutating = () => sent().filter((n) => !READ.test(n));
const resetHistory = () => Object.values(w.mocks).forEach((m) => m.resetHistory());

/** The context `up` builds: the commit's sha joins the cost allocation tags. */
function context(options: { yaml?: string; dryRun?: boolean; env?: string } = {}): DeployContext {
  return withGitSha(testContext({ yaml: YAML, ...options, runner: w.core.runner(SHA) }), SHA);
}

async function up(ctx: DeployContext = context()) {
  const planned = await planGraph(ctx, await environmentResources(ctx, { bundle }));
  return applyGraph(ctx, planned, silent);
}

function snapshot(): unknown {
  return {
    core: w.core.snapshot(),
    edge: w.edge.snapshot(),
    ops: w.ops.snapshot(),
    sagemaker: {
      models: [...w.sm.models.entries()],
      configs: [...w.sm.configs.keys()].sort(),
      endpoints: [...w.sm.endpoints.entries()].map(([n, e]) => [n, e.config, e.status]),
    },
  };
}

describe('up across every resource module', () => {
  it('creates the environment in dependency order and reports every output', async () => {
    const applied = await up();
    expect(applied.steps.map((s) => [s.module.kind, s.change.action])).toEqual([
      ['budget', 'create'],
      ['ecr-repository', 'create'],
      ['container-image', 'create'],
      ['iam-role-sagemaker', 'create'],
      ['iam-role-lambda', 'create'],
      ['sagemaker-model', 'create'],
      ['sagemaker-endpoint-config', 'create'],
      ['cloudwatch-alarms', 'create'],
      ['log-group', 'create'],
      ['sagemaker-endpoint', 'create'],
      ['autoscaling', 'no-change'],
      ['log-group', 'create'],
      ['lambda-function', 'create'],
      ['cognito-user-pool', 'create'],
      ['cognito-verify-client', 'create'],
      ['log-group', 'create'],
      ['api-gateway', 'create'],
      ['api-key', 'no-change'],
      ['cloudwatch-dashboard', 'create'],
      ['deployment-record', 'create'],
    ]);
    const order = mutating();
    const at = (name: string) => order.indexOf(name);
    // The budget alert watches before anything billable exists; then each resource after what it needs.
    expect(at('CreateBudgetCommand')).toBe(0);
    expect(at('CreateRepositoryCommand')).toBe(1);
    expect(at('CreateRoleCommand')).toBeGreaterThan(at('PutLifecyclePolicyCommand'));
    expect(at('CreateModelCommand')).toBeGreaterThan(order.lastIndexOf('PutRolePolicyCommand'));
    expect(at('CreateEndpointConfigCommand')).toBe(at('CreateModelCommand') + 1);
    // The alarms a blue/green update rolls back on exist before the endpoint.
    expect(at('PutMetricAlarmCommand')).toBe(at('CreateEndpointConfigCommand') + 1);
    expect(at('CreateEndpointCommand')).toBeGreaterThan(order.lastIndexOf('PutMetricAlarmCommand'));
    // Each log group, with its retention, exists before the service that writes to it.
    expect(at('CreateLogGroupCommand')).toBeLessThan(at('CreateEndpointCommand'));
    const retention = order.flatMap((name, i) => (name === 'PutRetentionPolicyCommand' ? [i] : []));
    expect(retention).toHaveLength(3); // endpoint, proxy, API access log
    expect(retention[0]).toBeLessThan(at('CreateEndpointCommand'));
    expect(retention[1]).toBeGreaterThan(at('CreateEndpointCommand'));
    expect(retention[1]).toBeLessThan(at('CreateFunctionCommand'));
    expect(retention[2]).toBeLessThan(at('CreateRestApiCommand'));
    expect([...w.core.logGroups.entries()]).toEqual([
      ['/aws/sagemaker/Endpoints/ms-iris-dev', expect.objectContaining({ retentionInDays: 30 })],
      ['/aws/lambda/ms-iris-dev-proxy', expect.objectContaining({ retentionInDays: 30 })],
      ['/aws/apigateway/ms-iris-dev-access', expect.objectContaining({ retentionInDays: 30 })],
    ]);
    // The stage writes its access log there (the account has API Gateway's CloudWatch role).
    const stage = [...w.edge.apis.values()][0]!.stages.get('dev')!;
    expect(stage.accessLogSettings).toEqual({
      destinationArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/apigateway/ms-iris-dev-access`,
      format: expect.stringContaining('"sub":"$context.authorizer.claims.sub"'),
    });
    expect(at('CreateFunctionCommand')).toBeGreaterThan(at('CreateEndpointCommand'));
    expect(at('CreateUserPoolCommand')).toBeGreaterThan(at('CreateFunctionCommand'));
    expect(at('CreateRestApiCommand')).toBeGreaterThan(at('CreateUserPoolClientCommand'));
    // The API's stage is deployed, then tagged for cost allocation, throttled, then the dashboard.
    expect(order.slice(at('CreateDeploymentCommand'), at('CreateDeploymentCommand') + 4)).toEqual([
      'CreateDeploymentCommand',
      'TagResourceCommand',
      'UpdateStageCommand',
      'PutDashboardCommand',
    ]);
    // The record is written last, once everything it describes exists.
    expect(order[order.length - 1]).toBe('AddTagsCommand');
    // The image was built and pushed, and the model pinned to the pushed digest.
    const digest = [...w.core.repos.get('model-service/iris')!.images.values()][0]!;
    expect([...w.sm.models.values()][0]!.image).toBe(
      `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/model-service/iris@${digest}`,
    );
    expect(w.edge.functions.get('ms-iris-dev-proxy')!.config.Environment!.Variables).toEqual({
      MS_ENDPOINT_NAME: 'ms-iris-dev',
    });
    expect(w.edge.functions.get('ms-iris-dev-proxy')!.config.Role).toBe(
      `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`,
    );
    expect(applied.outputs).toMatchObject({
      endpointName: 'ms-iris-dev',
      apiUrl: expect.stringMatching(/^https:\/\/.+\/dev$/),
      userPoolId: expect.stringMatching(/^eu-west-1_/),
      userPoolClientId: expect.any(String),
      imageUri: expect.stringContaining('@sha256:'),
      budgetName: 'ms-iris-dev-monthly',
      dashboardName: 'ms-iris-dev',
      deployedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(w.ops.endpointTags.get('ms-iris-dev')).toEqual({
      'model-service:deployed-sha': SHA,
      'model-service:deployed-digest': digest,
      'model-service:config-hash': configHash(context().release, 'dev'),
      'model-service:deployed-at': applied.outputs.deployedAt,
      'model-service:deployed-by': DEPLOYER_ARN,
    });
  });

  it('a second up makes zero mutating calls on every client, and builds nothing', async () => {
    await up();
    const before = snapshot();
    resetHistory();
    const runner = w.core.runner(SHA);
    const ctx = withGitSha(testContext({ yaml: YAML, runner }), SHA);
    const again = await applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
    expect(again.steps.every((s) => s.change.action === 'no-change')).toBe(true);
    expect(mutating()).toEqual([]);
    expect(runner.lines).toEqual(['git rev-parse --short=7 HEAD']);
    expect(snapshot()).toEqual(before);
  });

  it('without a budget in release.yaml there is no budget step and no Budgets call', async () => {
    const ctx = context({ yaml: RELEASE_YAML });
    const applied = await up(ctx);
    expect(applied.steps.map((s) => s.module.kind)).not.toContain('budget');
    expect(applied.steps[0]!.module.kind).toBe('ecr-repository');
    expect(w.mocks.budgets.calls()).toHaveLength(0);
    const modules = await environmentResources(ctx, { bundle, purpose: 'destroy' });
    expect(modules.map((m) => m.kind)).not.toContain('budget');
  });

  it('plan makes read calls only, on an empty account and on a deployed one', async () => {
    const ctx = context({ dryRun: true });
    const fresh = await planGraph(ctx, await environmentResources(ctx, { bundle }));
    expect(fresh.steps.filter((s) => s.change.action === 'create')).toHaveLength(18);
    expect(sent().length).toBeGreaterThan(0);
    expect(mutating()).toEqual([]);
    await up();
    resetHistory();
    const changed = YAML.replace('instanceCount: 1', 'instanceCount: 2');
    const ctx2 = context({ yaml: changed, dryRun: true });
    const plan = await planGraph(ctx2, await environmentResources(ctx2, { bundle }));
    expect(mutating()).toEqual([]);
    // The dashboard shows the configured instance count; the record's config hash changes.
    expect(plan.steps.filter((s) => s.change.action !== 'no-change').map((s) => s.module.kind)).toEqual([
      'sagemaker-endpoint-config',
      'sagemaker-endpoint',
      'cloudwatch-dashboard',
      'deployment-record',
    ]);
  });

  it('interrupted at each mutating call, a rerun converges to the same end state', async () => {
    await up();
    const reference = snapshot();
    const total = mutating().length;
    expect(total).toBeGreaterThan(20);
    for (let k = 1; k <= total; k += 1) {
      restoreAll(w.mocks);
      w = freshWorld();
      const ctx = context();
      const disarm = crashAtMutation(ctx.clients, k, [await lazyClient(ctx, 'secretsManager')]);
      await expect(up(ctx)).rejects.toThrow(`simulated crash at mutating call ${k}`);
      disarm();
      await up(context());
      expect({ k, state: snapshot() }).toEqual({ k, state: reference });
    }
  });

  it('destroy deletes in reverse order and leaves the shared ECR repository', async () => {
    await up();
    resetHistory();
    const ctx = context();
    const modules = await environmentResources(ctx, { bundle, purpose: 'destroy' });
    await destroyGraph(ctx, await planGraph(ctx, modules), silent);
    const order = mutating();
    const first = (name: string) => order.indexOf(name);
    expect(first('DeleteDashboardsCommand')).toBe(0);
    expect(first('DeleteRestApiCommand')).toBeLessThan(first('DeleteUserPoolCommand'));
    expect(first('DeleteUserPoolCommand')).toBeLessThan(first('DeleteFunctionCommand'));
    expect(first('DeleteFunctionCommand')).toBeLessThan(first('DeleteEndpointCommand'));
    // The alarms go after the endpoint they guard, before its config.
    expect(first('DeleteEndpointCommand')).toBeLessThan(first('DeleteAlarmsCommand'));
    expect(first('DeleteAlarmsCommand')).toBeLessThan(first('DeleteEndpointConfigCommand'));
    expect(first('DeleteEndpointConfigCommand')).toBeLessThan(first('DeleteModelCommand'));
    expect(first('DeleteModelCommand')).toBeLessThan(first('DeleteRoleCommand'));
    // Each log group goes after the service that writes to it.
    // (the access log's first: the API is the first to go.)
    expect(order.indexOf('DeleteLogGroupCommand')).toBeGreaterThan(first('DeleteRestApiCommand'));
    expect(order.lastIndexOf('DeleteLogGroupCommand')).toBeGreaterThan(first('DeleteEndpointCommand'));
    expect(order.filter((n) => n === 'DeleteLogGroupCommand')).toHaveLength(3);
    // The budget keeps watching until everything else is gone.
    expect(order[order.length - 1]).toBe('DeleteBudgetCommand');
    const state = snapshot() as {
      core: { repos: unknown[]; roles: unknown[]; alarms: unknown[]; logGroups: unknown[] };
      edge: unknown;
      sagemaker: { models: unknown[]; configs: unknown[]; endpoints: unknown[] };
    };
    expect(state.core.repos).toHaveLength(1);
    expect(state.core.roles).toEqual([]);
    expect(state.core.alarms).toEqual([]);
    expect(state.core.logGroups).toEqual([]);
    expect(state.sagemaker).toEqual({ models: [], configs: [], endpoints: [] });
    expect(state.edge).toEqual({ fns: [], pools: [], apis: [], plans: [], keys: [], domains: [], secrets: [] });
    expect(w.ops.snapshot()).toEqual({ budgets: [], dashboards: [], endpointTags: [] });
  });
});

describe('cost allocation tags on every resource up creates', () => {
  /** Where each tag-carrying call keeps its tags. */
  const TAGS_OF: Record<string, (input: any) => unknown> = {
    CreateBudgetCommand: (i) => i.ResourceTags,
    CreateRepositoryCommand: (i) => i.tags,
    CreateLogGroupCommand: (i) => i.tags,
    TagResourceCommand: (i) => i.tags ?? i.Tags ?? i.ResourceTags,
    CreateRoleCommand: (i) => i.Tags,
    TagRoleCommand: (i) => i.Tags,
    CreateModelCommand: (i) => i.Tags,
    CreateEndpointConfigCommand: (i) => i.Tags,
    CreateEndpointCommand: (i) => i.Tags,
    RegisterScalableTargetCommand: (i) => i.Tags,
    PutMetricAlarmCommand: (i) => i.Tags,
    CreateFunctionCommand: (i) => i.Tags,
    CreateUserPoolCommand: (i) => i.UserPoolTags,
    CreateRestApiCommand: (i) => i.tags,
    CreateApiKeyCommand: (i) => i.tags,
    CreateUsagePlanCommand: (i) => i.tags,
    CreateSecretCommand: (i) => i.Tags,
  };
  /**
   * Mutating calls that take no tags: settings or children of a tagged resource,
   * or AWS APIs without tags. A new mutating call must be added to one list or the other.
   */
  const UNTAGGED = new Set([
    'PutLifecyclePolicyCommand',
    'PutRetentionPolicyCommand', // a setting of the log group CreateLogGroup tagged
    'PutImageScanningConfigurationCommand',
    'GetAuthorizationTokenCommand', // ECR repository settings / login
    'PutRolePolicyCommand',
    'UpdateAssumeRolePolicyCommand', // inline policy of a tagged role
    'CreatePolicyCommand', // the account's one role boundary, shared by every model and env
    'UpdateEndpointCommand',
    'PutScalingPolicyCommand', // the tagged endpoint / scalable target
    'CreateUserPoolClientCommand', // app clients take no tags; the pool is tagged
    'CreateResourceServerCommand',
    'CreateUserPoolDomainCommand', // likewise the pool's resource server and domain
    'CreateResourceCommand',
    'PutMethodCommand',
    'PutIntegrationCommand',
    'CreateAuthorizerCommand',
    'AddPermissionCommand',
    'CreateUsagePlanKeyCommand',
    // The stage it creates is untagged: API Gateway cost is allocated by stage tags (gap in api-gateway.ts, reported).
    'CreateDeploymentCommand',
    'UpdateStageCommand', // the (tagged) stage's throttling
    'PutDashboardCommand', // CloudWatch dashboards take no tags
    'AddTagsCommand', // the deployment record on the (tagged) endpoint
  ]);

  function expectTagged(sha: string, env: string): string[] {
    const want = {
      'model-service:model': 'iris',
      'model-service:team': 'data-science',
      'model-service:env': env,
      'model-service:owner': 'someone@example.com',
      'model-service:git-sha': sha,
    };
    const calls = Object.values(w.mocks).flatMap((m) =>
      m.calls().map((c: { args: unknown[] }) => c.args[0] as { constructor: { name: string }; input: any }),
    );
    const seen: string[] = [];
    for (const command of calls) {
      const name = command.constructor.name;
      if (READ.test(name) && name !== 'GetAuthorizationTokenCommand') continue;
      seen.push(name);
      const where = TAGS_OF[name];
      if (!where) {
        expect({ name, untagged: UNTAGGED.has(name) }).toEqual({ name, untagged: true });
        continue;
      }
      const raw = where(command.input) as { Key: string; Value: string }[] | Record<string, string>;
      const tags = Array.isArray(raw) ? Object.fromEntries(raw.map((t) => [t.Key, t.Value])) : raw;
      // Creates carry the whole set; re-tag calls may send only what changed (AWS merges tags).
      const expected = /^Tag/.test(name)
        ? Object.fromEntries(Object.entries(want).filter(([k]) => k in tags || k === 'model-service:git-sha'))
        : want;
      expect({ name, tags }).toEqual({ name, tags: expect.objectContaining(expected) });
    }
    return seen;
  }

  it('every create call of a prod up (autoscaling, API key, budget) carries model, team, env, owner and git sha', async () => {
    const yaml = YAML.replace('region: eu-west-1', 'region: eu-west-1\napi: { apiKey: true }');
    await up(context({ yaml, env: 'prod' }));
    const seen = expectTagged(SHA, 'prod');
    // The test saw every kind of create, so none slipped through untagged.
    for (const name of Object.keys(TAGS_OF).filter((n) => !/^Tag/.test(n)))
      expect({ name, called: seen.includes(name) }).toEqual({ name, called: true });
  });

  it('a new commit re-tags what exists with its sha, and creates the new model and config with it', async () => {
    await up();
    resetHistory();
    const next = 'def5678';
    const ctx = withGitSha(testContext({ yaml: YAML, runner: w.core.runner(next) }), next);
    await applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
    const seen = expectTagged(next, 'dev');
    expect(seen).toEqual(
      expect.arrayContaining([
        'TagResourceCommand',
        'TagRoleCommand',
        'CreateModelCommand',
        'CreateEndpointConfigCommand',
        'UpdateEndpointCommand',
        'AddTagsCommand',
      ]),
    );
    expect(w.ops.budgets.get('ms-iris-dev-monthly')!.tags['model-service:git-sha']).toBe(next);
    expect(w.ops.endpointTags.get('ms-iris-dev')!['model-service:deployed-sha']).toBe(next);
  });
});
