// Least privilege of the deployer for the provisioned cache tier: up (twice), a changed endpoint
// security group, status and destroy of a release with cache kind redis and no endpoint, against the
// stateful fakes; every ElastiCache and EC2 call recorded, and every CloudWatch call on the cache's
// alarms, is judged against the policy
// `model-deploy policy` prints. Fails when a call is not allowed, and when a cache statement
// grants an action none of the calls needs.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { deployerPolicy } from '../../src/aws/deployer-policy.js';
import type { DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../../src/deploy-graph.js';
import { collectStatus } from '../../src/environment-status.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { parseRelease } from '../../src/release/load-release.js';
import { withGitSha } from '../../src/tags.js';
import { ACCOUNT, RELEASE_YAML, REGION, mockAll, restoreAll, testContext } from '../helpers/aws-context.js';
import { FakeCacheAws } from '../helpers/fake-cache-aws.js';
import { FakeCoreAws } from '../helpers/fake-core-aws.js';
import { FakeEdgeAws } from '../helpers/fake-edge-aws.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { iamRequests, type IamRequest } from '../helpers/iam/iam-requests.js';
import { recordedCalls } from '../helpers/iam/recorded-calls.js';
import { judge, type PolicyVerdict } from '../helpers/iam/simulate-policy.js';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/model-deployer`;
const VPC = 'vpc: { subnetIds: [subnet-1a2b3c4d, subnet-0a1b2c3d], securityGroupIds: [sg-0123abcd] }';
const YAML = RELEASE_YAML.replace('environments:', `cache: { kind: redis }\n${VPC}\nenvironments:`);
const CACHE_SERVICES = /^(elasticache|ec2):|AWSServiceRoleForElastiCache|:alarm:ms-iris-dev-cache-/;

let verdict: PolicyVerdict;
let requests: IamRequest[];

beforeAll(async () => {
  const mocks = { ...mockAll(), budgets: mockClient(BudgetsClient), elastiCache: mockClient(ElastiCacheClient) };
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: DEPLOYER });
  const sm = new FakeSageMaker(mocks.sagemaker);
  new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  const core = new FakeCoreAws().install(mocks);
  new FakeEdgeAws().install(mocks);
  new FakeCacheAws().install(mocks);
  const context = (yaml = YAML): DeployContext =>
    withGitSha(testContext({ yaml, env: 'dev', runner: core.runner('abc1234') }), 'abc1234');
  const up = async (ctx: DeployContext) =>
    applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
  try {
    await up(context());
    await up(context());
    await up(context(YAML.replace('sg-0123abcd', 'sg-0fedcba9')));
    await collectStatus(context());
    const ctx = context();
    await destroyGraph(
      ctx,
      await planGraph(ctx, await environmentResources(ctx, { bundle, purpose: 'destroy' })),
      silent,
    );
    // The security group as aws:ResourceTag sees it: tagged at creation.
    const managed = { 'model-service:managed-by': 'model-deploy' };
    const where = {
      partition: 'aws',
      region: REGION,
      accountId: ACCOUNT,
      resourceTags: (arn: string) => (arn.includes(':security-group/') ? managed : undefined),
    };
    requests = (await iamRequests(recordedCalls(Object.values(mocks)), where)).filter((r) =>
      CACHE_SERVICES.test(`${r.action} ${r.resource}`),
    );
    const policy = deployerPolicy({ partition: 'aws', accountId: ACCOUNT, release: parseRelease(YAML) });
    verdict = await judge({ principal: DEPLOYER, accountId: ACCOUNT, policy: policy.deployer, requests });
  } finally {
    restoreAll(mocks);
  }
}, 120_000);

describe('the deployer and the provisioned cache tier', () => {
  it('made the cache tier calls (create, modify, delete of each part)', () => {
    const actions = new Set(requests.map((r) => r.action));
    for (const a of [
      'elasticache:CreateServerlessCache',
      'elasticache:CreateUser',
      'elasticache:CreateUserGroup',
      'elasticache:DeleteServerlessCache',
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:DeleteSecurityGroup',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:TagResource',
      'cloudwatch:DeleteAlarms',
    ])
      expect(actions).toContain(a);
  });

  it('its cache alarm calls name only the ms-* cache alarms', () => {
    const alarmCalls = requests.filter((r) => r.action.startsWith('cloudwatch:'));
    expect(new Set(alarmCalls.map((r) => r.resource.split(':alarm:')[1]))).toEqual(
      new Set([
        'ms-iris-dev-cache-memory',
        'ms-iris-dev-cache-evictions',
        'ms-iris-dev-cache-throttled',
        'ms-iris-dev-cache-ecpu',
      ]),
    );
  });

  it('is allowed every cache call it makes', () => {
    expect(verdict.denied).toEqual([]);
  });

  it('is granted no cache action that none of those calls needs', () => {
    const cacheUnused = verdict.unused.filter((u) => /^Cache/.test(u));
    expect(cacheUnused.sort()).toEqual(
      [
        // Repairs of drift made by hand: no call in this run reaches them.
        'CacheTier: elasticache:ModifyServerlessCache',
        'CacheTier: elasticache:ModifyUser',
        'CacheTier: elasticache:ModifyUserGroup',
        'CacheSecurityGroupCreate: ec2:CreateTags',
        // AWS authorizes CreateSecurityGroup on the new group too (tag condition); the request
        // builder names only the VPC, as the group's id does not exist before the call.
        'CacheSecurityGroupCreate: ec2:CreateSecurityGroup',
      ].sort(),
    );
  });
});
