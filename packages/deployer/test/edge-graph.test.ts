// The edge of the stack (Lambda proxy -> Cognito -> API Gateway) run through the
// real deploy-graph runner against a stateful fake control plane.
import {
  CreateDeploymentCommand,
  CreateUsagePlanCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AddPermissionCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeployContext } from '../src/context.js';
import { applyGraph, destroyGraph, KNOWN_AFTER_APPLY, planGraph, type AnyResource } from '../src/deploy-graph.js';
import { codeSha256 } from '../src/lambda-bundle.js';
import { createProgress } from '../src/progress.js';
import { apiGatewayResource } from '../src/resources/api-gateway.js';
import { apiKeyResource } from '../src/resources/api-key.js';
import { cognitoResource } from '../src/resources/cognito.js';
import { createLambdaProxyResource } from '../src/resources/lambda-proxy.js';
import type { ResourceModule } from '../src/resources/resource.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, testContext, type Mocks } from './helpers/aws-context.js';
import { EDGE_MUTATING, FakeEdgeAws } from './helpers/fake-edge-aws.js';

/** Stands in for the SageMaker side: its outputs are what the edge consumes. */
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

const zip = Uint8Array.from([7, 7, 7]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const edge = (): AnyResource[] => [
  upstreamStub,
  createLambdaProxyResource({ bundle, sleep: async () => {} }),
  cognitoResource,
  apiGatewayResource,
  apiKeyResource,
];
const silent = createProgress('silent', { write: () => true });
const CORS = RELEASE_YAML.replace(
  'region: eu-west-1',
  'region: eu-west-1\napi: { cors: { allowOrigins: ["https://app.example.com"] } }',
);
const WITH_KEY = RELEASE_YAML.replace(
  'region: eu-west-1',
  'region: eu-west-1\napi: { apiKey: true, throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000, period: DAY } }',
);

let mocks: Mocks;
let fake: FakeEdgeAws;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  fake = new FakeEdgeAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

/** Commands across the three clients in global call order (sinon's callId is global). */
function calls(): string[] {
  return [mocks.lambda, mocks.cognito, mocks.apiGateway]
    .flatMap((m) =>
      m.calls().map((c) => ({
        id: (c as unknown as { callId: number }).callId,
        name: (c.args[0] as object).constructor.name,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name);
}
const mutating = () => calls().filter((n) => EDGE_MUTATING.has(n));

async function up(ctx: DeployContext = testContext()) {
  const planned = await planGraph(ctx, edge());
  return applyGraph(ctx, planned, silent);
}

describe('edge graph (lambda-proxy, cognito, api-gateway)', () => {
  it('creates everything in dependency order and returns the outputs users need', async () => {
    const applied = await up();
    expect(applied.steps.map((s) => [s.module.kind, s.change.action])).toEqual([
      ['upstream-stub', 'no-change'],
      ['lambda-function', 'create'],
      ['cognito-user-pool', 'create'],
      ['api-gateway', 'create'],
      ['api-key', 'no-change'],
    ]);
    expect(mutating()).toEqual([
      'CreateFunctionCommand',
      'CreateUserPoolCommand',
      'CreateUserPoolClientCommand',
      'CreateRestApiCommand',
      'CreateResourceCommand',
      'CreateResourceCommand',
      'CreateResourceCommand',
      'CreateAuthorizerCommand',
      'PutMethodCommand',
      'PutIntegrationCommand',
      'PutMethodCommand',
      'PutIntegrationCommand',
      'PutMethodCommand',
      'PutIntegrationCommand',
      'AddPermissionCommand',
      'CreateDeploymentCommand',
      'TagResourceCommand',
      'UpdateStageCommand',
    ]);
    const pool = [...fake.pools.values()][0]!;
    const api = [...fake.apis.values()][0]!;
    expect(applied.outputs).toMatchObject({
      userPoolId: pool.id,
      userPoolArn: pool.arn,
      userPoolClientId: pool.clients[0]!.id,
      restApiId: api.id,
      apiUrl: `https://${api.id}.execute-api.eu-west-1.amazonaws.com/dev`,
    });
    // The stage (what API Gateway bills requests to) carries the same cost allocation tags as the API.
    expect(api.tags).toMatchObject({ 'model-service:model': 'iris', 'model-service:env': 'dev' });
    expect(api.stages.get('dev')!.tags).toEqual(api.tags);
    // /predict is behind the Cognito authorizer of this pool; /health is open; both proxy to the function.
    const snap = fake.snapshot() as {
      apis: {
        methods: { k: string; type: string; auth: boolean; integration: { uri: string } }[];
        authorizers: { providerARNs: string[] }[];
      }[];
    };
    expect(snap.apis[0]!.methods.map((m) => [m.k, m.type, m.auth])).toEqual([
      ['GET /health', 'NONE', false],
      ['POST /machine-predict', 'COGNITO_USER_POOLS', true],
      ['POST /predict', 'COGNITO_USER_POOLS', true],
    ]);
    // Machine clients (CI's verify) on their own route: an access token with the API's scope;
    // /predict keeps taking the ID tokens people send (a method with scopes would refuse them).
    const methods = [...fake.apis.values()][0]!.methods;
    expect(methods.get('POST /machine-predict')!.authorizationScopes).toEqual(['https://ms-iris-dev-api/invoke']);
    expect(methods.get('POST /predict')!.authorizationScopes).toBeUndefined();
    expect(snap.apis[0]!.authorizers[0]!.providerARNs).toEqual([pool.arn]);
    expect(snap.apis[0]!.methods[1]!.integration.uri).toBe(
      `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ms-iris-dev-proxy/invocations`,
    );
    expect(mocks.lambda.commandCalls(AddPermissionCommand)[0]!.args[0].input).toMatchObject({
      Principal: 'apigateway.amazonaws.com',
      Action: 'lambda:InvokeFunction',
      SourceArn: `arn:aws:execute-api:eu-west-1:${ACCOUNT}:${api.id}/*/*/*`,
    });
    expect(mocks.cognito.commandCalls(CreateUserPoolClientCommand)[0]!.args[0].input).toMatchObject({
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
    });
  });

  it('a scope removed from the machine route by hand is put back by the next up, and the stage redeployed', async () => {
    await up();
    const m = [...fake.apis.values()][0]!.methods.get('POST /machine-predict')!;
    m.authorizationScopes = [];
    for (const x of [mocks.lambda, mocks.cognito, mocks.apiGateway]) x.resetHistory();
    await up();
    expect(mutating()).toEqual(['UpdateMethodCommand', 'CreateDeploymentCommand']);
    expect(m.authorizationScopes).toEqual(['https://ms-iris-dev-api/invoke']);
  });

  it('a second run plans no change and makes zero mutating calls', async () => {
    await up();
    const before = fake.snapshot();
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    const again = await up();
    expect(again.steps.map((s) => s.change.action)).toEqual([
      'no-change',
      'no-change',
      'no-change',
      'no-change',
      'no-change',
    ]);
    expect(mutating()).toEqual([]);
    expect(fake.snapshot()).toEqual(before);
    expect(again.outputs.apiUrl).toMatch(/^https:\/\/api\w+\.execute-api\.eu-west-1\.amazonaws\.com\/dev$/);
  });

  it('plan on an empty account makes read calls only and marks downstream values as known after apply', async () => {
    const plan = await planGraph(testContext({ dryRun: true }), edge());
    expect(mutating()).toEqual([]);
    expect(calls().length).toBeGreaterThan(0);
    expect(plan.steps.map((s) => s.change.action)).toEqual(['no-change', 'create', 'create', 'create', 'no-change']);
    const api = plan.steps[3]!.desired as { userPoolArn: string; lambdaArn: string };
    expect(api.userPoolArn).toBe(KNOWN_AFTER_APPLY);
  });

  // Every one of a first up's 18 mutating calls (call 19 would not be reached).
  it.each(Array.from({ length: 18 }, (_, i) => i + 1))(
    'interrupted at mutating call %i, a rerun converges to the same state',
    async (k) => {
      await up();
      const reference = fake.snapshot();
      // Fresh account; crash at call k; then run again without the crash.
      restoreAll(mocks);
      mocks = mockAll();
      mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
      fake = new FakeEdgeAws().install(mocks);
      fake.crashAt = k;
      await expect(up()).rejects.toThrow(`simulated crash at mutating call ${k}`);
      fake.crashAt = undefined;
      await up();
      expect(fake.snapshot()).toEqual(reference);
      for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
      await up();
      expect(mutating()).toEqual([]);
    },
  );

  // Every one of the 22 mutating calls of a first up with CORS (call 23 would not be reached).
  it.each(Array.from({ length: 22 }, (_, i) => i + 1))(
    'with CORS origins, interrupted at mutating call %i, a rerun converges to the same state',
    async (k) => {
      const ctx = () => testContext({ yaml: CORS });
      await up(ctx());
      const reference = fake.snapshot();
      restoreAll(mocks);
      mocks = mockAll();
      mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
      fake = new FakeEdgeAws().install(mocks);
      fake.crashAt = k;
      await expect(up(ctx())).rejects.toThrow(`simulated crash at mutating call ${k}`);
      fake.crashAt = undefined;
      await up(ctx());
      expect(fake.snapshot()).toEqual(reference);
      for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
      await up(ctx());
      expect(mutating()).toEqual([]);
    },
  );

  it('api.apiKey adds an API key + usage plan with release.yaml throttle/quota, and requires the key on /predict', async () => {
    await up();
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    const applied = await up(testContext({ yaml: WITH_KEY }));
    expect(mutating()).toEqual([
      'UpdateMethodCommand',
      'UpdateMethodCommand', // both prediction routes require the key
      'CreateDeploymentCommand',
      'UpdateStageCommand', // the stage takes the key's throttle too (5/10 instead of the default 50/100)
      'CreateApiKeyCommand',
      'CreateUsagePlanCommand',
      'CreateUsagePlanKeyCommand',
    ]);
    const api = [...fake.apis.values()][0]!;
    expect(mocks.apiGateway.commandCalls(CreateUsagePlanCommand)[0]!.args[0].input).toMatchObject({
      name: 'ms-iris-dev-usage-plan',
      apiStages: [{ apiId: api.id, stage: 'dev' }],
      throttle: { rateLimit: 5, burstLimit: 10 },
      quota: { limit: 1000, period: 'DAY' },
    });
    expect(api.methods.get('POST /predict')!.apiKeyRequired).toBe(true);
    expect(applied.outputs.apiKeyId).toBe([...fake.apiKeys.values()][0]!.id);
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    await up(testContext({ yaml: WITH_KEY }));
    expect(mutating()).toEqual([]);
    // Turning it off removes the plan (stages detached first) and the key.
    await up();
    expect(fake.usagePlans.size).toBe(0);
    expect(fake.apiKeys.size).toBe(0);
    expect(api.methods.get('POST /predict')!.apiKeyRequired).toBe(false);
  });

  it('tags a stage an earlier version left untagged, without redeploying it (plan shows the tag diff)', async () => {
    await up();
    const stage = [...fake.apis.values()][0]!.stages.get('dev')!;
    stage.tags = {};
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    const plan = await planGraph(testContext({ dryRun: true }), edge());
    expect(plan.steps[3]!.change).toMatchObject({ action: 'update', diffs: [{ field: 'stage dev.tags', from: {} }] });
    await up();
    expect(mutating()).toEqual(['TagResourceCommand']);
    expect(stage.tags).toMatchObject({ 'model-service:model': 'iris', 'model-service:env': 'dev' });
  });

  it('redeploys the stage when the last run changed a method but stopped before the deployment', async () => {
    await up();
    const api = [...fake.apis.values()][0]!;
    // Simulate: a previous run (apiKey on) patched the method, then died before CreateDeployment.
    api.methods.get('POST /predict')!.apiKeyRequired = true;
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    await up();
    expect(mutating()).toEqual(['UpdateMethodCommand', 'CreateDeploymentCommand']);
    expect(mocks.apiGateway.commandCalls(CreateDeploymentCommand)[0]!.args[0].input.description).toMatch(
      /^model-deploy [0-9a-f]{12}$/,
    );
    expect(mocks.apiGateway.commandCalls(PutMethodCommand)).toHaveLength(0);
  });

  it('destroy removes the API (key and plan first), then the user pool, then the function', async () => {
    await up(testContext({ yaml: WITH_KEY }));
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    const ctx = testContext({ yaml: WITH_KEY });
    await destroyGraph(ctx, await planGraph(ctx, edge()), silent);
    expect(mutating()).toEqual([
      'UpdateUsagePlanCommand',
      'DeleteUsagePlanCommand',
      'DeleteApiKeyCommand',
      'DeleteRestApiCommand',
      'DeleteUserPoolCommand',
      'DeleteFunctionCommand',
    ]);
    expect(fake.snapshot()).toEqual({ fns: [], pools: [], apis: [], plans: [], keys: [], domains: [], secrets: [] });
  });
});

describe('stage throttling from api.throttle', () => {
  const THROTTLED = RELEASE_YAML.replace(
    'region: eu-west-1',
    'region: eu-west-1\napi: { throttle: { rateLimit: 7, burstLimit: 14 } }',
  );
  const stageThrottle = () => [...fake.apis.values()][0]!.stages.get('dev')!.methodSettings;
  const apiChange = (applied: Awaited<ReturnType<typeof up>>) =>
    applied.steps.find((s) => s.module.kind === 'api-gateway')!.change;

  it('with CORS origins a browser preflight reaches the proxy: OPTIONS /predict without an authorizer, on the same resource', async () => {
    const cors = RELEASE_YAML.replace(
      'region: eu-west-1',
      'region: eu-west-1\napi: { cors: { allowOrigins: ["https://app.example.com"] } }',
    );
    await up();
    const api = [...fake.apis.values()][0]!;
    expect(api.methods.has('OPTIONS /predict')).toBe(false);
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    await up(testContext({ yaml: cors }));
    expect(mutating()).toEqual([
      'UpdateFunctionConfigurationCommand', // the proxy learns the origins
      'PutMethodCommand',
      'PutIntegrationCommand',
      // API Gateway's own 401/403/429 and 5xx carry the origin, or a browser hides them as CORS errors.
      'PutGatewayResponseCommand',
      'PutGatewayResponseCommand',
      'CreateDeploymentCommand',
    ]);
    expect(api.methods.get('OPTIONS /predict')).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: false });
    expect(api.resources.filter((r) => r.path === '/predict')).toHaveLength(1);
    expect(Object.fromEntries(api.gatewayResponses!)).toEqual({
      DEFAULT_4XX: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" },
      DEFAULT_5XX: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" },
    });
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    await up(testContext({ yaml: cors }));
    expect(mutating()).toEqual([]);
    // Without origins again: AWS's own responses back, redeployed.
    await up();
    expect(api.gatewayResponses!.size).toBe(0);
    expect(mutating()).toEqual(expect.arrayContaining(['DeleteGatewayResponseCommand', 'CreateDeploymentCommand']));
  });

  it("several CORS origins: the gateway responses echo the caller's Origin (a static header names only one)", async () => {
    const two = RELEASE_YAML.replace(
      'region: eu-west-1',
      'region: eu-west-1\napi: { cors: { allowOrigins: ["https://a.example.com", "https://b.example.com"] } }',
    );
    await up(testContext({ yaml: two }));
    const api = [...fake.apis.values()][0]!;
    expect(api.gatewayResponses!.get('DEFAULT_4XX')).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
    });
  });

  it('a new API with CORS origins creates /predict once for its two methods', async () => {
    const cors = RELEASE_YAML.replace('region: eu-west-1', 'region: eu-west-1\napi: { cors: { allowOrigins: ["*"] } }');
    await up(testContext({ yaml: cors }));
    const api = [...fake.apis.values()][0]!;
    expect(api.resources.filter((r) => r.path === '/predict')).toHaveLength(1);
    expect([...api.methods.keys()].sort()).toEqual([
      'GET /health',
      'OPTIONS /predict',
      'POST /machine-predict',
      'POST /predict',
    ]);
  });

  it("access log: written to its log group when the account has API Gateway's CloudWatch role", async () => {
    await up();
    const stage = [...fake.apis.values()][0]!.stages.get('dev')!;
    expect(stage.accessLogSettings?.destinationArn).toBe(
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/apigateway/ms-iris-dev-access`,
    );
    expect(JSON.parse(stage.accessLogSettings!.format!)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  });

  it("access log: without the account's CloudWatch role up warns and skips it, and the next plan is quiet", async () => {
    fake.accountCloudWatchRoleArn = undefined;
    const warnings: string[] = [];
    const log = { info: () => {}, debug: () => {}, warn: (m: string) => warnings.push(m) };
    await up(testContext({ log }));
    expect(warnings).toEqual([expect.stringContaining('access log is off')]);
    expect([...fake.apis.values()][0]!.stages.get('dev')!.accessLogSettings).toBeUndefined();
    for (const m of [mocks.lambda, mocks.cognito, mocks.apiGateway]) m.resetHistory();
    const planned = await planGraph(testContext(), edge());
    expect(planned.steps.find((st) => st.change.kind === 'api-gateway')!.change.action).toBe('no-change');
    // Once an administrator sets the role, the next up turns it on.
    fake.accountCloudWatchRoleArn = `arn:aws:iam::${ACCOUNT}:role/apigw-logs`;
    await up();
    expect([...fake.apis.values()][0]!.stages.get('dev')!.accessLogSettings?.destinationArn).toContain('-access');
  });

  it('a new API without an API key gets the rate and burst on every method of its stage', async () => {
    const applied = await up(testContext({ yaml: THROTTLED }));
    expect(apiChange(applied).diffs).toContainEqual({
      field: 'stage dev.throttle',
      from: undefined,
      to: { rateLimit: 7, burstLimit: 14 },
    });
    expect(stageThrottle()).toEqual({ '*/*': { throttlingRateLimit: 7, throttlingBurstLimit: 14 } });
  });

  it('the defaults apply when release.yaml has no throttle block', async () => {
    await up();
    expect(stageThrottle()).toEqual({ '*/*': { throttlingRateLimit: 50, throttlingBurstLimit: 100 } });
  });

  it('a changed throttle is planned and updates the stage without a new deployment; the same again changes nothing', async () => {
    await up();
    mocks.apiGateway.resetHistory();
    const applied = await up(testContext({ yaml: THROTTLED }));
    expect(apiChange(applied)).toMatchObject({
      action: 'update',
      diffs: [
        { field: 'stage dev.throttle', from: { rateLimit: 50, burstLimit: 100 }, to: { rateLimit: 7, burstLimit: 14 } },
      ],
    });
    expect(mocks.apiGateway.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(mocks.apiGateway.commandCalls(UpdateStageCommand)[0]!.args[0].input.patchOperations).toEqual([
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '7' },
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '14' },
    ]);
    expect(stageThrottle()).toEqual({ '*/*': { throttlingRateLimit: 7, throttlingBurstLimit: 14 } });
    mocks.apiGateway.resetHistory();
    expect(apiChange(await up(testContext({ yaml: THROTTLED }))).action).toBe('no-change');
    expect(mocks.apiGateway.commandCalls(UpdateStageCommand)).toHaveLength(0);
  });
});
