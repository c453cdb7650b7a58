// The two log-group modules against the stateful CloudWatch Logs fake (SDK error classes):
// created with retention and tags before their service writes, adopted when the service wrote
// first, retention changes in place, interrupted creates converge, destroy deletes them.
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeployContext } from '../../src/context.js';
import { isDeployerError } from '../../src/errors.js';
import { parseRelease } from '../../src/release/load-release.js';
import { endpointLogGroup, lambdaLogGroup } from '../../src/resources/log-groups.js';
import { mockAll, RELEASE_YAML, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { crashAtMutation, FakeCoreAws } from '../helpers/fake-core-aws.js';

const ENDPOINT_GROUP = '/aws/sagemaker/Endpoints/ms-iris-dev';
const LAMBDA_GROUP = '/aws/lambda/ms-iris-dev-proxy';
const withRetention = (days: number) =>
  RELEASE_YAML.replace('environments:', `logs: { retentionDays: ${days} }\nenvironments:`);

let mocks: Mocks;
let core: FakeCoreAws;
beforeEach(() => {
  mocks = mockAll();
  core = new FakeCoreAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const mutating = () =>
  mocks.logs
    .calls()
    .map((c) => (c.args[0] as object).constructor.name)
    .filter((n) => !/^Describe/.test(n));

async function run(ctx: DeployContext, module = endpointLogGroup) {
  const d = module.desired(ctx, {});
  const o = await module.observe(ctx, d);
  const plan = module.plan(d, o);
  const out = await module.apply(ctx, plan, d, o);
  return { plan, out };
}

describe('log groups', () => {
  it('creates each group tagged, with release.yaml retention (30 days by default)', async () => {
    const { plan, out } = await run(testContext());
    expect(plan).toMatchObject({ kind: 'log-group', name: ENDPOINT_GROUP, action: 'create' });
    expect(out).toEqual({ endpointLogGroup: ENDPOINT_GROUP });
    expect(mutating()).toEqual(['CreateLogGroupCommand', 'PutRetentionPolicyCommand']);
    expect(core.logGroups.get(ENDPOINT_GROUP)).toEqual({
      retentionInDays: 30,
      tags: expect.objectContaining({ 'model-service:model': 'iris', 'model-service:env': 'dev' }),
    });
    await run(testContext(), lambdaLogGroup);
    expect(core.logGroups.get(LAMBDA_GROUP)?.retentionInDays).toBe(30);
  });

  it('a second run plans no change and makes no mutating call', async () => {
    await run(testContext());
    mocks.logs.resetHistory();
    expect((await run(testContext())).plan).toMatchObject({ action: 'no-change', diffs: [] });
    expect(mutating()).toEqual([]);
  });

  it('a group the service created first (no retention: kept forever) gets the retention, not a second create', async () => {
    core.logGroups.set(ENDPOINT_GROUP, { tags: {} });
    const { plan } = await run(testContext());
    expect(plan).toMatchObject({ action: 'update', diffs: [{ field: 'retentionDays', from: undefined, to: 30 }] });
    expect(mutating()).toEqual(['PutRetentionPolicyCommand']);
    expect(core.logGroups.get(ENDPOINT_GROUP)?.retentionInDays).toBe(30);
  });

  it('a new retention in release.yaml is one PutRetentionPolicy', async () => {
    await run(testContext());
    mocks.logs.resetHistory();
    const { plan } = await run(testContext({ yaml: withRetention(90) }));
    expect(plan.diffs).toEqual([{ field: 'retentionDays', from: 30, to: 90 }]);
    expect(mutating()).toEqual(['PutRetentionPolicyCommand']);
    expect(core.logGroups.get(ENDPOINT_GROUP)?.retentionInDays).toBe(90);
  });

  it('a group that appeared between observe and create (the service wrote, a racing run) is adopted', async () => {
    const ctx = testContext();
    const d = endpointLogGroup.desired(ctx, {});
    const plan = endpointLogGroup.plan(d, await endpointLogGroup.observe(ctx, d));
    core.logGroups.set(ENDPOINT_GROUP, { tags: {} });
    await endpointLogGroup.apply(ctx, plan, d, undefined);
    expect(core.logGroups.get(ENDPOINT_GROUP)?.retentionInDays).toBe(30);
  });

  it.each([1, 2])('interrupted at mutating call %i, the next run converges', async (k) => {
    const ctx = testContext();
    const disarm = crashAtMutation(ctx.clients, k);
    await expect(run(ctx)).rejects.toThrow(`simulated crash at mutating call ${k}`);
    disarm();
    await run(testContext());
    expect(core.logGroups.get(ENDPOINT_GROUP)?.retentionInDays).toBe(30);
    mocks.logs.resetHistory();
    expect((await run(testContext())).plan.action).toBe('no-change');
  });

  it('destroy deletes the group, and a second destroy finds nothing to delete', async () => {
    const ctx = testContext();
    await run(ctx);
    await endpointLogGroup.destroy!(ctx, endpointLogGroup.desired(ctx, {}));
    expect(core.logGroups.has(ENDPOINT_GROUP)).toBe(false);
    await expect(endpointLogGroup.destroy!(ctx, endpointLogGroup.desired(ctx, {}))).resolves.toBeUndefined();
  });

  it('a retention CloudWatch does not accept stops at release.yaml, naming the allowed values', () => {
    let err: unknown;
    try {
      parseRelease(withRetention(31));
    } catch (e) {
      err = e;
    }
    expect(isDeployerError(err, 'MS_DEPLOY_RELEASE_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/logs\.retentionDays must be one of: 1, 3, 5, 7, 14, 30, 60/);
  });

  it('AccessDenied on CreateLogGroup is wrapped with the call and the group', async () => {
    mocks.logs.on(logs.CreateLogGroupCommand).rejects(
      new logs.CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: logs:CreateLogGroup',
        $metadata: { httpStatusCode: 400, requestId: 'r1' },
      }),
    );
    await expect(run(testContext())).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_ACCESS_DENIED',
      message: expect.stringContaining('CreateLogGroup'),
    });
  });
});
