// Least privilege of the deployer for an async environment: plan, up (twice) and destroy of a
// release whose dev environment is async, announces failures on a topic and scales to zero, against the stateful fakes; every
// S3, SNS, Application Auto Scaling and CloudWatch alarm call recorded is judged against the policy
// `model-deploy policy` prints. Fails when a call is not allowed, and when the async statement
// grants an action none of the calls needs.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { deployerPolicy } from '../../src/aws/deployer-policy.js';
import type { DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../../src/deploy-graph.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { parseRelease } from '../../src/release/load-release.js';
import { withGitSha } from '../../src/tags.js';
import { ACCOUNT, RELEASE_YAML, REGION, mockAll, restoreAll, testContext } from '../helpers/aws-context.js';
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
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:iris-failures`;
const YAML = RELEASE_YAML.replace(
  '    volumeSizeGb: 10\n',
  `    volumeSizeGb: 10\n    async: { outputS3Uri: s3://iris-async/dev, notifications: { errorTopic: ${TOPIC} } }\n    autoscaling: { enabled: true, minCapacity: 0, maxCapacity: 2 }\n`,
);

let verdict: PolicyVerdict;
let requests: IamRequest[];
let scalingRequests: IamRequest[];
let scalingVerdict: PolicyVerdict;

beforeAll(async () => {
  const mocks = {
    ...mockAll(),
    budgets: mockClient(BudgetsClient),
    s3: mockClient(S3Client),
    sns: mockClient(SNSClient),
  };
  mocks.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: DEPLOYER });
  mocks.s3.on(HeadBucketCommand).resolves({});
  const sm = new FakeSageMaker(mocks.sagemaker);
  new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  const core = new FakeCoreAws().install(mocks);
  new FakeEdgeAws().install(mocks);
  const context = (): DeployContext =>
    withGitSha(testContext({ yaml: YAML, env: 'dev', runner: core.runner('abc1234') }), 'abc1234');
  const up = async (ctx: DeployContext) =>
    applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
  try {
    const plan = context();
    await planGraph(plan, await environmentResources(plan, { bundle }));
    await up(context());
    await up(context());
    const ctx = context();
    await destroyGraph(
      ctx,
      await planGraph(ctx, await environmentResources(ctx, { bundle, purpose: 'destroy' })),
      silent,
    );
    const where = { partition: 'aws', region: REGION, accountId: ACCOUNT };
    const all = await iamRequests(recordedCalls(Object.values(mocks)), where);
    requests = all.filter((r) => /^(s3|sns):/.test(r.action));
    scalingRequests = all.filter((r) => /^(application-autoscaling|cloudwatch):/.test(r.action));
    const policy = deployerPolicy({ partition: 'aws', accountId: ACCOUNT, release: parseRelease(YAML) });
    verdict = await judge({ principal: DEPLOYER, accountId: ACCOUNT, policy: policy.deployer, requests });
    scalingVerdict = await judge({
      principal: DEPLOYER,
      accountId: ACCOUNT,
      policy: policy.deployer,
      requests: scalingRequests,
    });
  } finally {
    restoreAll(mocks);
  }
}, 120_000);

describe('the deployer and an async environment', () => {
  it('checks the bucket (HeadBucket, authorized as s3:ListBucket on the bucket) and the topic', () => {
    expect(new Set(requests.map((r) => `${r.action} ${r.resource}`))).toEqual(
      new Set(['s3:ListBucket arn:aws:s3:::iris-async', `sns:GetTopicAttributes ${TOPIC}`]),
    );
  });

  it('is allowed every S3 and SNS call it makes', () => {
    expect(verdict.denied).toEqual([]);
  });

  it('is granted no async action that none of those calls needs', () => {
    expect(verdict.unused.filter((u) => /^Async(Bucket|Topic)Check/.test(u))).toEqual([]);
  });
});

describe('the deployer and an async environment scaling to zero', () => {
  it('puts the backlog policies and the HasBacklogWithoutCapacity alarm, and deletes them on destroy', () => {
    const seen = new Set(scalingRequests.map((r) => `${r.action} ${r.resource}`));
    for (const call of [
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DeleteScalingPolicy',
      `cloudwatch:PutMetricAlarm arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:ms-iris-dev-backlog-without-capacity`,
      `cloudwatch:DeleteAlarms arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:ms-iris-dev-backlog-without-capacity`,
    ]) {
      expect([...seen].some((s) => s.startsWith(call))).toBe(true);
    }
  });

  it('is allowed every scaling and alarm call it makes', () => {
    expect(scalingVerdict.denied).toEqual([]);
  });
});
