// The whole environment graph for an async environment that scales to zero and announces
// its outcomes on SNS, against the stateful fakes: up in order (bucket and topic checked
// first, the scale-from-zero policy and alarm after the scalable target), a second up with
// zero mutating calls, interruption at each mutating call then rerun, and destroy leaving
// no policy, target or alarm behind.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { renderStatus } from '../src/commands/status.js';
import type { DeployContext } from '../src/context.js';
import { collectStatus } from '../src/environment-status.js';
import { lazyClient } from '../src/aws/lazy-context-clients.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../src/deploy-graph.js';
import { codeSha256 } from '../src/lambda-bundle.js';
import { createProgress } from '../src/progress.js';
import { withGitSha } from '../src/tags.js';
import { ACCOUNT, RELEASE_YAML, REGION, mockAll, restoreAll, testContext, type Mocks } from './helpers/aws-context.js';
import { FakeCoreAws, crashAtMutation } from './helpers/fake-core-aws.js';
import { FakeEdgeAws } from './helpers/fake-edge-aws.js';
import { FakeOpsAws } from './helpers/fake-ops-aws.js';
import { FakeSageMaker } from './helpers/fake-sagemaker.js';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const READ = /^(Describe|List|Get|Head)\w*Command$/;
const SHA = 'abc1234';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:iris-failures`;
const YAML = RELEASE_YAML.replace(
  '    volumeSizeGb: 10\n',
  `    volumeSizeGb: 10\n    async: { outputS3Uri: s3://iris-async/dev, notifications: { errorTopic: ${TOPIC} } }\n    autoscaling: { enabled: true, minCapacity: 0, maxCapacity: 2 }\n`,
);

interface World {
  mocks: Mocks & { budgets: AwsStub<any, any, any>; s3: AwsStub<any, any, any>; sns: AwsStub<any, any, any> };
  core: FakeCoreAws;
  sm: FakeSageMaker;
}
let w: World;

function freshWorld(): World {
  const mocks = {
    ...mockAll(),
    budgets: mockClient(BudgetsClient),
    s3: mockClient(S3Client),
    sns: mockClient(SNSClient),
  };
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/d/ci` });
  mocks.s3.on(HeadBucketCommand).resolves({});
  mocks.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
  const sm = new FakeSageMaker(mocks.sagemaker);
  new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  new FakeEdgeAws().install(mocks);
  return { mocks, core: new FakeCoreAws().install(mocks), sm };
}
beforeEach(() => {
  w = freshWorld();
});
afterEach(() => restoreAll(w.mocks));

function mutating(): string[] {
  return Object.values(w.mocks)
    .flatMap((m) =>
      m.calls().map((c: { args: unknown[] }) => ({
        id: (c as unknown as { callId: number }).callId,
        name: (c.args[0] as object).constructor.name,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name)
    .filter((n) => !READ.test(n));
}
const resetHistory = () => Object.values(w.mocks).forEach((m) => m.resetHistory());
const context = (): DeployContext => withGitSha(testContext({ yaml: YAML, runner: w.core.runner(SHA) }), SHA);

async function up(ctx: DeployContext = context()) {
  return applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
}

const scaling = () => ({
  targets: [...w.core.targets],
  policies: [...w.core.policies],
  alarms: [...w.core.alarms],
});

describe('up, rerun and destroy of an async environment that scales to zero', () => {
  it('checks bucket and topic first, then scales on the backlog with scale from zero after the target', async () => {
    const applied = await up();
    const kinds = applied.steps.map((s) => s.module.kind);
    expect(kinds.slice(0, 2)).toEqual(['async-bucket', 'async-topics']);
    expect(kinds.slice(kinds.indexOf('sagemaker-endpoint'), kinds.indexOf('sagemaker-endpoint') + 3)).toEqual([
      'sagemaker-endpoint',
      'autoscaling',
      'scale-from-zero',
    ]);
    const order = mutating();
    expect(order.indexOf('RegisterScalableTargetCommand')).toBeGreaterThan(order.indexOf('CreateEndpointCommand'));
    expect(w.core.targets.get('endpoint/ms-iris-dev/variant/AllTraffic')).toEqual({ min: 0, max: 2 });
    expect([...w.core.policies.keys()].sort()).toEqual(['ms-iris-dev-backlog-target', 'ms-iris-dev-scale-from-zero']);
    expect(w.core.alarms.get('ms-iris-dev-backlog-without-capacity')!.AlarmActions).toEqual([
      w.core.policies.get('ms-iris-dev-scale-from-zero')!.PolicyARN,
    ]);
    expect(w.sm.configAsync.get(applied.outputs.endpointConfigName!)!.OutputConfig!.NotificationConfig).toEqual({
      ErrorTopic: TOPIC,
    });
  });

  it('a second up makes zero mutating calls', async () => {
    await up();
    const before = scaling();
    resetHistory();
    const again = await up();
    expect(again.steps.filter((s) => s.change.action !== 'no-change').map((s) => s.module.kind)).toEqual([]);
    expect(mutating()).toEqual([]);
    expect(scaling()).toEqual(before);
  });

  it('interrupted at each mutating call, a rerun converges to the same scaling state and config', async () => {
    await up();
    const reference = { scaling: scaling(), configs: [...w.sm.configs.keys()].sort() };
    const total = mutating().length;
    for (let k = 1; k <= total; k += 1) {
      restoreAll(w.mocks);
      w = freshWorld();
      const ctx = context();
      const disarm = crashAtMutation(ctx.clients, k, [await lazyClient(ctx, 'secretsManager')]);
      await expect(up(ctx)).rejects.toThrow(`simulated crash at mutating call ${k}`);
      disarm();
      await up();
      expect({ k, scaling: scaling(), configs: [...w.sm.configs.keys()].sort() }).toEqual({ k, ...reference });
    }
  });

  it('destroy removes the scale-from-zero alarm and policy, the backlog policy and the target', async () => {
    await up();
    const ctx = context();
    await destroyGraph(
      ctx,
      await planGraph(ctx, await environmentResources(ctx, { bundle, purpose: 'destroy' })),
      silent,
    );
    expect(scaling()).toEqual({ targets: [], policies: [], alarms: [] });
  });

  it('status shows the backlog tracking and the scale-from-zero alarm, and names it when it is gone', async () => {
    await up();
    w.core.alarms.get('ms-iris-dev-backlog-without-capacity')!.StateValue = 'OK';
    const s = await collectStatus(context());
    expect(s.autoscaling).toMatchObject({
      minCapacity: 0,
      metricName: 'ApproximateBacklogSizePerInstance',
      targetValue: 5,
    });
    expect(s.scaleFromZero).toEqual({
      configured: true,
      name: 'ms-iris-dev-backlog-without-capacity',
      exists: true,
      alarmState: 'OK',
    });
    const text = renderStatus('iris', s);
    expect(text).toContain('min 0 / max 2, tracking ApproximateBacklogSizePerInstance at 5');
    expect(text).toContain('from zero      ms-iris-dev-backlog-without-capacity  OK');
    w.core.alarms.delete('ms-iris-dev-backlog-without-capacity');
    const after = await collectStatus(context());
    expect(after.complete).toBe(false);
    expect(after.missing).toContain('scale-from-zero ms-iris-dev-backlog-without-capacity');
  });
});
