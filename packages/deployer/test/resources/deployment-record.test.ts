// The cost allocation tags and the deployment record (tags on the endpoint):
// values every service accepts, the record's round trip, and the record module
// writing only when what is deployed changed.
import { AddTagsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { DeployContext } from '../../src/context.js';
import { KNOWN_AFTER_APPLY } from '../../src/known-after-apply.js';
import { deploymentRecord } from '../../src/resources/deployment-record.js';
import {
  configHash,
  COST_ALLOCATION_TAG_KEYS,
  deploymentRecordTags,
  parseDeploymentRecord,
  resourceTags,
  tagValue,
  withGitSha,
} from '../../src/tags.js';
import {
  ACCOUNT,
  DIGEST,
  DIGEST2,
  mockAll,
  RELEASE_YAML,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';

describe('cost allocation tags', () => {
  it('model, team, env, owner and git sha, with values every service accepts', () => {
    const ctx = withGitSha(
      testContext({
        yaml: RELEASE_YAML.replace('owner: someone@example.com', 'owner: "Jane Doe <jane@example.com>, data"'),
      }),
      'abc1234',
    );
    expect(ctx.tags).toEqual({
      'model-service:model': 'iris',
      'model-service:team': 'data-science',
      'model-service:env': 'dev',
      'model-service:owner': 'Jane Doe _jane@example.com__ data',
      'model-service:git-sha': 'abc1234',
      'model-service:managed-by': 'model-deploy',
    });
    expect(COST_ALLOCATION_TAG_KEYS.every((k) => k in ctx.tags)).toBe(true);
    expect(tagValue('x'.repeat(300))).toHaveLength(256);
  });

  it('without a sha (e.g. --image outside a checkout) the tag is left out, and the context is unchanged', () => {
    const ctx = testContext();
    expect(withGitSha(ctx, undefined)).toBe(ctx);
    expect('model-service:git-sha' in resourceTags(ctx.release, 'dev')).toBe(false);
  });
});

describe('deployment record tags', () => {
  const record = {
    gitSha: 'abc1234',
    imageDigest: DIGEST,
    deployedAt: '2026-11-25T10:00:00.000Z',
    deployedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci,run=42`,
    configHash: '0123456789abcdef',
  };

  it('round-trips through SageMaker tags (identity characters SageMaker refuses are replaced)', () => {
    const tags = deploymentRecordTags(record);
    expect(tags.map((t) => t.Key)).toEqual([
      'model-service:deployed-sha',
      'model-service:deployed-digest',
      'model-service:deployed-at',
      'model-service:deployed-by',
      'model-service:config-hash',
    ]);
    expect(parseDeploymentRecord(tags)).toEqual({
      ...record,
      deployedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci_run=42`,
    });
    expect(parseDeploymentRecord([{ Key: 'model-service:env', Value: 'dev' }])).toBeUndefined();
  });

  it('configHash changes with this env and the shared settings, not with another env', () => {
    const base = testContext().release;
    const prodChanged = testContext({ yaml: RELEASE_YAML.replace('instanceCount: 2', 'instanceCount: 3') }).release;
    const devChanged = testContext({ yaml: RELEASE_YAML.replace('instanceCount: 1', 'instanceCount: 2') }).release;
    const sloChanged = testContext({ yaml: RELEASE_YAML.replace('errorRate: 0.01', 'errorRate: 0.02') }).release;
    expect(configHash(base, 'dev')).toMatch(/^[0-9a-f]{16}$/);
    expect(configHash(prodChanged, 'dev')).toBe(configHash(base, 'dev'));
    expect(configHash(devChanged, 'dev')).not.toBe(configHash(base, 'dev'));
    expect(configHash(sloChanged, 'dev')).not.toBe(configHash(base, 'dev'));
  });
});

describe('deployment-record resource', () => {
  let mocks: Mocks & { budgets: AwsStub<any, any, any> };
  let ops: FakeOpsAws;
  let endpointExists = true;
  beforeEach(() => {
    endpointExists = true;
    mocks = { ...mockAll(), budgets: mockClient(BudgetsClient) };
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
    ops = new FakeOpsAws(() => endpointExists).install(mocks);
  });
  afterEach(() => restoreAll(mocks));

  const upstream = (digest = DIGEST) => ({
    endpointArn: `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-dev`,
    imageDigest: digest,
    imageTag: 'abc1234',
  });
  async function run(ctx: DeployContext, up = upstream()) {
    const d = deploymentRecord.desired(ctx, up);
    const o = await deploymentRecord.observe(ctx, d);
    const plan = deploymentRecord.plan(d, o);
    return { plan, out: await deploymentRecord.apply(ctx, plan, d, o) };
  }
  const adds = () => mocks.sagemaker.commandCalls(AddTagsCommand).length;

  it('writes sha, digest, time, identity and config hash once; an unchanged rerun (other person, later) writes nothing', async () => {
    const ctx = withGitSha(testContext(), 'abc1234');
    const first = await run(ctx);
    expect(first.plan.action).toBe('create');
    expect(ops.endpointTags.get('ms-iris-dev')).toEqual({
      'model-service:deployed-sha': 'abc1234',
      'model-service:deployed-digest': DIGEST,
      'model-service:config-hash': configHash(ctx.release, 'dev'),
      'model-service:deployed-at': first.out.deployedAt,
      'model-service:deployed-by': `arn:aws:iam::${ACCOUNT}:user/alice`,
    });
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/bob` });
    const again = await run(ctx);
    expect(again.plan.action).toBe('no-change');
    expect(again.out.deployedAt).toBe(first.out.deployedAt);
    expect(adds()).toBe(1);
  });

  it('a new image digest or a release.yaml change writes a new record', async () => {
    await run(withGitSha(testContext(), 'abc1234'));
    const digest = await run(withGitSha(testContext(), 'abc1234'), upstream(DIGEST2));
    expect(digest.plan.diffs).toEqual([{ field: 'imageDigest', from: DIGEST, to: DIGEST2 }]);
    const changed = withGitSha(
      testContext({ yaml: RELEASE_YAML.replace('p95LatencyMs: 500', 'p95LatencyMs: 400') }),
      'abc1234',
    );
    const config = await run(changed, upstream(DIGEST2));
    expect(config.plan.diffs.map((d) => d.field)).toEqual(['configHash']);
    expect(adds()).toBe(3);
    expect(ops.endpointTags.get('ms-iris-dev')!['model-service:config-hash']).toBe(configHash(changed.release, 'dev'));
  });

  it('plan before the endpoint exists: the record is read by its deterministic ARN, missing is a create', async () => {
    endpointExists = false;
    const ctx = testContext({ dryRun: true });
    const d = deploymentRecord.desired(ctx, { endpointArn: KNOWN_AFTER_APPLY, imageDigest: KNOWN_AFTER_APPLY });
    expect(d.endpointArn).toBe(`arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-dev`);
    expect(await deploymentRecord.observe(ctx, d)).toBeUndefined();
    expect(deploymentRecord.plan(d, undefined).action).toBe('create');
    expect(adds()).toBe(0);
  });

  it('plan of a new image on a deployed env: an update from the current record, the new values known after apply', async () => {
    await run(withGitSha(testContext(), 'abc1234'));
    const ctx = withGitSha(testContext({ dryRun: true }), 'def5678');
    const d = deploymentRecord.desired(ctx, { endpointArn: KNOWN_AFTER_APPLY, imageDigest: KNOWN_AFTER_APPLY });
    const plan = deploymentRecord.plan(d, await deploymentRecord.observe(ctx, d));
    expect(plan.action).toBe('update');
    expect(plan.diffs).toEqual([
      { field: 'gitSha', from: 'abc1234', to: 'def5678' },
      { field: 'imageDigest', from: DIGEST, to: KNOWN_AFTER_APPLY },
    ]);
  });

  it('other errors reading the tags are wrapped, not taken for "no record"', async () => {
    const { SageMakerServiceException } = await import('@aws-sdk/client-sagemaker');
    mocks.sagemaker.on(ListTagsCommand).rejects(
      new SageMakerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not authorized to perform: sagemaker:ListTags',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const ctx = testContext();
    await expect(deploymentRecord.observe(ctx, deploymentRecord.desired(ctx, upstream()))).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_ACCESS_DENIED',
    });
  });
});
