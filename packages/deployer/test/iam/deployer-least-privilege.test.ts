// Least privilege of the identity that runs model-deploy, proven with an IAM
// policy simulator (@cloud-copilot/iam-simulate): the commands run against the
// stateful fakes the flow tests use (plan, up twice, status, promote, rollback,
// the failure diagnosis, verify's CloudWatch checks, doctor's AWS checks,
// destroy); every call they send is recorded from aws-sdk-client-mock, turned
// into the IAM request AWS would authorize, and judged against the policy
// `model-deploy policy` prints (and its permissions boundary on the roles).
// The test fails when a call is not allowed, and when the policy grants an
// action none of the calls needs.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import {
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { deployerPolicy } from '../../src/aws/deployer-policy.js';
import { capacityCheck } from '../../src/checks/doctor-capacity.js';
import { iamCheck } from '../../src/checks/doctor-iam.js';
import { VPC_CHECKS } from '../../src/checks/doctor-vpc.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { runTelemetryChecks } from '../../src/checks/verify-telemetry.js';
import { VERIFIED_TAG } from '../../src/checks/verify-tag.js';
import { collectStatus } from '../../src/environment-status.js';
import { promote } from '../../src/commands/promote.js';
import { rollback } from '../../src/commands/rollback.js';
import { silentSink, type DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../../src/deploy-graph.js';
import { diagnoseEndpoint } from '../../src/diagnosis/diagnose-endpoint.js';
import { lazyClient } from '../../src/aws/lazy-context-clients.js';
import { acquireDeployLock } from '../../src/deploy-lock.js';
import { clientCredentialsToken } from '../../src/commands/verify-client-token.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { parseRelease } from '../../src/release/load-release.js';
import { SERVICE_METRICS_NAMESPACE, serviceMetricDimensions } from '../../src/resources/service-metrics.js';
import { withGitSha } from '../../src/tags.js';
import { ACCOUNT, RELEASE_YAML, REGION, mockAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { FakeCoreAws } from '../helpers/fake-core-aws.js';
import { FakeEdgeAws } from '../helpers/fake-edge-aws.js';
import { FakeLockS3 } from '../helpers/fake-lock-s3.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { dockerPushRequests, iamRequests, type IamRequest } from '../helpers/iam/iam-requests.js';
import { recordedCalls } from '../helpers/iam/recorded-calls.js';
import { judge, type PolicyVerdict } from '../helpers/iam/simulate-policy.js';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const SHA = 'abc1234';
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/model-deployer`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
// Every optional resource: a budget, a VPC, a volume key for prod, autoscaling (prod).
const YAML = RELEASE_YAML.replace(
  'environments:',
  'budget: { monthlyUsd: 50, alertEmails: [ops@example.com] }\nenvironments:',
)
  .replace('    instanceType: ml.m5.large\n', `    instanceType: ml.m5.large\n    kmsKeyId: ${KEY}\n`)
  .concat('vpc: { subnetIds: [subnet-0aaaaaaa, subnet-0bbbbbbb], securityGroupIds: [sg-0ccccccc] }\n');

interface World {
  mocks: Mocks & { budgets: AwsStub<any, any, any>; s3: AwsStub<any, any, any> };
  core: FakeCoreAws;
  edge: FakeEdgeAws;
  sm: FakeSageMaker;
  ops: FakeOpsAws;
}

function freshWorld(): World {
  const mocks = { ...mockAll(), budgets: mockClient(BudgetsClient), s3: new FakeLockS3().install() };
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: DEPLOYER });
  const sm = new FakeSageMaker(mocks.sagemaker);
  const ops = new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  return { mocks, core: new FakeCoreAws().install(mocks), edge: new FakeEdgeAws().install(mocks), sm, ops };
}

function context(w: World, env: string, yaml = YAML): DeployContext {
  return withGitSha(testContext({ yaml, env, runner: w.core.runner(SHA) }), SHA);
}

async function up(ctx: DeployContext, code = bundle) {
  return applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle: code })), silent);
}

/** CloudWatch Logs and metrics as a healthy environment shows them to verify and the diagnosis. */
function cloudWatchReads(w: World): void {
  const now = Date.now();
  w.mocks.logs
    .on(DescribeLogStreamsCommand)
    .resolves({ logStreams: [{ logStreamName: 'AllTraffic/i-0123456789abcdef0', lastEventTimestamp: now }] });
  w.mocks.logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: now, message: 'listening on 8080' }] });
  w.mocks.logs.on(FilterLogEventsCommand).resolves({ events: [] });
  w.mocks.cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
}

/** What doctor's AWS checks read: a VPC with an S3 endpoint, quotas, and the policy simulation (all allowed). */
function doctorReads(w: World): void {
  w.mocks.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0aaaaaaa', VpcId: 'vpc-0eeeeeee', AvailabilityZone: 'eu-west-1a' },
      { SubnetId: 'subnet-0bbbbbbb', VpcId: 'vpc-0eeeeeee', AvailabilityZone: 'eu-west-1b' },
    ],
  });
  w.mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      {
        GroupId: 'sg-0ccccccc',
        VpcId: 'vpc-0eeeeeee',
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
    ],
  });
  w.mocks.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
  w.mocks.ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  w.mocks.serviceQuotas
    .on(ListServiceQuotasCommand)
    .resolves({ Quotas: [{ QuotaName: 'ml.t2.medium for endpoint usage', QuotaCode: 'L-0000T2M', Value: 1 }] });
  w.mocks.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: [] });
  w.mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 10 } });
  w.mocks.iam.on(GetRoleCommand, { RoleName: 'model-deployer' }).resolves({
    Role: { RoleName: 'model-deployer', Path: '/', Arn: DEPLOYER, RoleId: 'AROAEXAMPLE', CreateDate: new Date(0) },
  });
  w.mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    IsTruncated: false,
    EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: 'allowed' })),
  }));
}

/**
 * Tags of what the fakes hold, as aws:ResourceTag sees them when a call is made on it;
 * read before destroy (a deleted pool was still tagged when DeleteUserPool was called).
 */
function resourceTagsOf(w: World) {
  const pools = new Map([...w.edge.pools.values()].map((p) => [p.id, { ...p.tags }]));
  return (arn: string): Record<string, string> | undefined => {
    const pool = /:userpool\/(.+)$/.exec(arn);
    return pool ? pools.get(pool[1]!) : undefined;
  };
}

/**
 * Granted actions whose calls this run does not reach, each with the command path that
 * makes them; listed by statement so a removed grant or a newly covered path shows up.
 */
const NOT_EXERCISED_HERE: Record<string, string> = {
  'LambdaProxy: lambda:GetFunctionConfiguration': "verify.lambda.active (verify's HTTP checks need a live API)",
  'CognitoUserPools: cognito-idp:UpdateUserPool': "up repairing a pool's password policy changed by hand",
  'CognitoUserPools: cognito-idp:UpdateUserPoolClient':
    "up repairing an app client's flows or token lifetimes changed by hand",
};

/**
 * What the deploy lock of up/promote/rollback/destroy sends: the bucket made on first use, a
 * lease taken, a second run refused (it reads the holder), renewed, released, and a lease
 * left by a dead run taken over.
 */
async function deployLockCalls(ctx: DeployContext): Promise<void> {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const options = {
    s3: await lazyClient(ctx, 's3'),
    scope: { ...ctx.account, prefix: ctx.names.prefix },
    holder: { who: 'ci', host: 'runner', pid: 1, command: `up ${ctx.envName}` },
    envName: ctx.envName,
    log: silentSink,
    now: () => new Date(t),
    renewEveryMs: 5,
  };
  const held = await acquireDeployLock(options);
  await expect(acquireDeployLock(options)).rejects.toMatchObject({ code: 'MS_DEPLOY_LOCKED' });
  await new Promise((r) => setTimeout(r, 20)); // renewed
  await held.release();
  await acquireDeployLock(options); // never released: its run died
  t += 31 * 60 * 1000;
  await (await acquireDeployLock(options)).release();
}

let verdict: PolicyVerdict;
let requests: IamRequest[];

beforeAll(async () => {
  const w = freshWorld();
  cloudWatchReads(w);
  doctorReads(w);
  const dev = context(w, 'dev');
  const prod = context(w, 'prod');

  await planGraph(dev, await environmentResources(dev, { bundle })); // plan
  await deployLockCalls(dev);
  await up(dev);
  // prod first ran another size, so it has an older config to roll back to.
  await up(context(w, 'prod', YAML.replace('instanceCount: 2\n', 'instanceCount: 3\n')));
  await up(prod);
  // The proxy's reserved concurrency put, then released when release.yaml drops it.
  await up(context(w, 'prod', YAML.replace('environments:', 'api: { reservedConcurrency: 20 }\nenvironments:')));
  await up(prod);
  await up(context(w, 'dev')); // no change
  // Drift repaired in place: scanning turned off by hand, a role's trust policy edited.
  w.core.repos.get(dev.names.ecrRepository)!.scanOnPush = false;
  w.core.roles.get(dev.names.lambdaRole)!.trust = '{}';
  w.core.roles.get(dev.names.sagemakerRole)!.boundary = undefined;
  // CI's verify client deleted by hand: a new one, and its secret re-stored.
  for (const pool of w.edge.pools.values())
    pool.clients = pool.clients.filter((c) => c.name !== dev.names.verifyClient);
  await up(context(w, 'dev'));
  // Another team owns it now and the proxy's code changed: tags and code are updated in place.
  const newZip = Uint8Array.from([4, 2, 1]);
  await up(
    context(
      w,
      'dev',
      YAML.replace('team: data-science', 'team: ml-platform').replace('p95LatencyMs: 500', 'p95LatencyMs: 400'),
    ),
    { ...bundle, zip: newZip, sha256: codeSha256(newZip) },
  );
  await collectStatus(dev);

  // verify's CloudWatch checks (the service's EMF metrics too) and the diagnosis of a failed endpoint read the two log groups.
  const now = new Date();
  await runTelemetryChecks({
    env: 'dev',
    endpointName: dev.names.endpoint,
    variantName: 'AllTraffic',
    functionName: dev.names.lambda,
    endpointLogGroup: dev.names.endpointLogGroup,
    lambdaLogGroup: dev.names.lambdaLogGroup,
    deployedAt: new Date(now.getTime() - 60_000),
    trafficStart: now,
    trafficEnd: now,
    requestIds: [],
    limits: { maxCpuUtilization: 80, maxMemoryUtilization: 80 },
    logs: dev.clients.logs,
    cloudWatch: dev.clients.cloudWatch,
    serviceMetrics: {
      namespace: SERVICE_METRICS_NAMESPACE,
      dimensions: serviceMetricDimensions(dev.release, 'dev', dev.names),
    },
    poll: { timeoutMs: 0, intervalMs: 1, now: () => Date.now(), sleep: async () => {} },
  });
  await diagnoseEndpoint({ sagemaker: dev.clients.sagemaker, logs: dev.clients.logs }, dev.names.endpoint);
  // verify with no human credential reads the verify client's secret (the token endpoint is not AWS IAM's business).
  await clientCredentialsToken({
    secrets: await lazyClient(dev, 'secretsManager'),
    secretName: dev.names.verifySecret,
    env: 'dev',
    fetch: async () => new Response(JSON.stringify({ access_token: 'token' }), { status: 200 }),
  });

  // verify passed on dev (the tag verify writes), so dev can be promoted to prod, then rolled back.
  const devConfig = w.sm.endpoints.get(dev.names.endpoint)!.config;
  w.ops.endpointTags.set(dev.names.endpoint, {
    ...w.ops.endpointTags.get(dev.names.endpoint),
    [VERIFIED_TAG]: `pass@${now.toISOString()}/${devConfig}`,
  });
  await promote(dev, prod);
  await rollback(prod);

  const check = defaultCheckContext({
    dir: '/nonexistent',
    env: {},
    skipTests: true,
    builder: 'docker',
    release: parseRelease(YAML),
  });
  for (const c of [iamCheck, ...VPC_CHECKS, capacityCheck]) await c.run(check);

  const resourceTags = resourceTagsOf(w);
  await destroyGraph(
    dev,
    await planGraph(dev, await environmentResources(dev, { bundle, purpose: 'destroy' })),
    silent,
  );

  const where = { partition: 'aws', region: REGION, accountId: ACCOUNT, resourceTags };
  requests = [
    ...(await iamRequests(recordedCalls(Object.values(w.mocks)), where)),
    ...dockerPushRequests(dev.arns.ecrRepository),
  ];
  const policy = deployerPolicy({ partition: 'aws', accountId: ACCOUNT, release: parseRelease(YAML) });
  verdict = await judge({ principal: DEPLOYER, accountId: ACCOUNT, policy: policy.deployer, requests });
  if (process.env.IAM_DEBUG)
    console.log(
      [
        ...new Set(
          requests
            .filter((r) =>
              /^(sts|ecr|lambda|cloudwatch|servicequotas|application-autoscaling|iam|apigateway):/.test(r.action),
            )
            .map((r) => `${r.action} ${r.resource} ${r.why}`),
        ),
      ].join('\n'),
    );
}, 120_000);

afterAll(() => undefined);

describe('the identity that runs model-deploy', () => {
  it('made the calls of every command (logs reads and the policy simulation among them)', () => {
    const actions = new Set(requests.map((r) => r.action));
    for (const a of [
      's3:CreateBucket',
      's3:PutObject',
      's3:GetObject',
      's3:DeleteObject',
      'sagemaker:CreateEndpoint',
      'sagemaker:UpdateEndpoint',
      'logs:FilterLogEvents',
      'logs:GetLogEvents',
      'logs:DescribeLogStreams',
      'iam:SimulatePrincipalPolicy',
      'iam:PassRole',
      'kms:CreateGrant',
      'cognito-idp:CreateResourceServer',
      'cognito-idp:CreateUserPoolDomain',
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
    ]) {
      expect(actions).toContain(a);
    }
  });

  it('is allowed every call it makes', () => {
    expect(verdict.denied).toEqual([]);
  });

  it('is granted no action that none of those calls needs', () => {
    expect(verdict.unused.sort()).toEqual(Object.keys(NOT_EXERCISED_HERE).sort());
  });
});
