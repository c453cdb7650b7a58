// Autoscaling of an async endpoint: target tracking on the queue's backlog per instance,
// and, with minCapacity 0, the step policy + HasBacklogWithoutCapacity alarm that start
// an instance when requests wait at zero. Against the stateful Application Auto Scaling
// and CloudWatch fakes, so reruns, interruptions and destroy act on what AWS would hold.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { parseRelease } from '../../src/release/index.js';
import { autoscaling } from '../../src/resources/autoscaling.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { scaleFromZero } from '../../src/resources/scale-from-zero.js';
import {
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { crashAtMutation, FakeCoreAws } from '../helpers/fake-core-aws.js';
import { planChain, runChain } from '../helpers/run-chain.js';

const MODULES = [autoscaling, scaleFromZero] as ResourceModule<unknown, unknown>[];
const RESOURCE = 'endpoint/ms-iris-dev/variant/AllTraffic';

/** dev as an async endpoint with the given autoscaling (and async fields). */
function asyncDev(scaling: string, asyncFields = ''): string {
  return RELEASE_YAML.replace(
    '    volumeSizeGb: 10\n',
    `    volumeSizeGb: 10\n    async: { outputS3Uri: s3://iris-async/dev${asyncFields} }\n    autoscaling: { ${scaling} }\n`,
  );
}
const TO_ZERO = asyncDev('enabled: true, minCapacity: 0, maxCapacity: 3');
const AT_ONE = asyncDev('enabled: true, minCapacity: 1, maxCapacity: 3');

let mocks: Mocks;
let core: FakeCoreAws;
beforeEach(() => {
  mocks = mockAll();
  core = new FakeCoreAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

/** Mutating calls across clients in the order they were sent (mutatingCommands groups by client). */
function inOrder(): string[] {
  mutatingCommands(mocks);
  return Object.values(mocks)
    .flatMap((m) =>
      m.calls().map((c) => ({
        id: (c as unknown as { callId: number }).callId,
        name: (c.args[0] as object).constructor.name,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name)
    .filter((name) => !/^(Describe|List|Get)/.test(name));
}
const reset = () => Object.values(mocks).forEach((m) => m.resetHistory());
const puts = () => mocks.autoScaling.commandCalls(PutScalingPolicyCommand).map((c) => c.args[0].input);
const state = () => ({ targets: [...core.targets], policies: [...core.policies], alarms: [...core.alarms] });

describe('async autoscaling tracks the backlog', () => {
  test('target tracking on ApproximateBacklogSizePerInstance of the endpoint, at targetBacklogPerInstance', async () => {
    await runChain(
      testContext({ yaml: asyncDev('enabled: true, minCapacity: 1, maxCapacity: 3', ', targetBacklogPerInstance: 2') }),
      MODULES,
    );
    expect(puts()).toEqual([
      expect.objectContaining({
        PolicyName: 'ms-iris-dev-backlog-target',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 2,
          CustomizedMetricSpecification: {
            MetricName: 'ApproximateBacklogSizePerInstance',
            Namespace: 'AWS/SageMaker',
            Dimensions: [{ Name: 'EndpointName', Value: 'ms-iris-dev' }],
            Statistic: 'Average',
          },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      }),
    ]);
    // minCapacity 1: no scale-from-zero policy or alarm.
    expect(core.alarms.size).toBe(0);
  });

  test('targetBacklogPerInstance defaults to 5', () => {
    expect(parseRelease(AT_ONE).environments.dev!.async!.targetBacklogPerInstance).toBe(5);
  });

  test('a real-time endpoint that became async: the backlog policy replaces the invocations one', async () => {
    const realtime = RELEASE_YAML.replace(
      '    volumeSizeGb: 10\n',
      '    volumeSizeGb: 10\n    autoscaling: { enabled: true, minCapacity: 1, maxCapacity: 3 }\n',
    );
    await runChain(testContext({ yaml: realtime }), [autoscaling]);
    expect([...core.policies.keys()]).toEqual(['ms-iris-dev-invocations-target']);
    reset();
    const { plans } = await runChain(testContext({ yaml: AT_ONE }), [autoscaling]);
    expect(plans[0]!.diffs).toEqual(
      expect.arrayContaining([
        { field: 'policyName', from: 'ms-iris-dev-invocations-target', to: 'ms-iris-dev-backlog-target' },
      ]),
    );
    expect(mutatingCommands(mocks)).toEqual([
      'RegisterScalableTargetCommand',
      'PutScalingPolicyCommand',
      'DeleteScalingPolicyCommand',
    ]);
    expect([...core.policies.keys()]).toEqual(['ms-iris-dev-backlog-target']);
  });
});

describe('minCapacity 0: scale from zero on HasBacklogWithoutCapacity', () => {
  test('target at 0, backlog tracking, then a +1 step policy and the alarm that fires it', async () => {
    const { plans, outputs } = await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    expect(plans.map((p) => p.action)).toEqual(['create', 'create']);
    expect(inOrder()).toEqual([
      'RegisterScalableTargetCommand',
      'PutScalingPolicyCommand',
      'PutScalingPolicyCommand',
      'PutMetricAlarmCommand',
    ]);
    expect(mocks.autoScaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toMatchObject({
      ResourceId: RESOURCE,
      MinCapacity: 0,
      MaxCapacity: 3,
    });
    expect(puts()[1]).toEqual({
      ServiceNamespace: 'sagemaker',
      ResourceId: RESOURCE,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      PolicyName: 'ms-iris-dev-scale-from-zero',
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        MetricAggregationType: 'Average',
        Cooldown: 300,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
    });
    const alarm = mocks.cloudWatch.commandCalls(PutMetricAlarmCommand)[0]!.args[0].input;
    expect(alarm).toMatchObject({
      AlarmName: 'ms-iris-dev-backlog-without-capacity',
      Namespace: 'AWS/SageMaker',
      MetricName: 'HasBacklogWithoutCapacity',
      Dimensions: [{ Name: 'EndpointName', Value: 'ms-iris-dev' }],
      Statistic: 'Average',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      Tags: expect.arrayContaining([{ Key: 'model-service:env', Value: 'dev' }]),
    });
    // The alarm acts on the step policy, by the ARN AWS gave it.
    expect(alarm.AlarmActions).toEqual([core.policies.get('ms-iris-dev-scale-from-zero')!.PolicyARN]);
    expect(outputs).toMatchObject({ backlogWithoutCapacityAlarm: 'ms-iris-dev-backlog-without-capacity' });
  });

  test('a second up makes no mutating call', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    reset();
    const { plans } = await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('plan is read-only', async () => {
    const plans = await planChain(testContext({ yaml: TO_ZERO, dryRun: true }), MODULES);
    expect(plans.map((p) => p.action)).toEqual(['create', 'create']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('interrupted at every mutating call, the rerun converges to what one uninterrupted up makes', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    const reference = state();
    for (let k = 1; k <= 4; k++) {
      restoreAll(mocks);
      mocks = mockAll();
      core = new FakeCoreAws().install(mocks);
      const ctx = testContext({ yaml: TO_ZERO });
      const disarm = crashAtMutation(ctx.clients, k);
      await expect(runChain(ctx, MODULES)).rejects.toThrow(`simulated crash at mutating call ${k}`);
      disarm();
      await runChain(testContext({ yaml: TO_ZERO }), MODULES);
      expect({ k, state: state() }).toEqual({ k, state: reference });
    }
  });

  test('an alarm that lost its action (policy re-created elsewhere) is put again with the current ARN', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    core.alarms.get('ms-iris-dev-backlog-without-capacity')!.AlarmActions = ['arn:aws:autoscaling:old'];
    reset();
    const { plans } = await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    expect(plans[1]!.action).toBe('update');
    expect(mutatingCommands(mocks)).toEqual(['PutScalingPolicyCommand', 'PutMetricAlarmCommand']);
    expect(core.alarms.get('ms-iris-dev-backlog-without-capacity')!.AlarmActions).toEqual([
      core.policies.get('ms-iris-dev-scale-from-zero')!.PolicyARN,
    ]);
  });

  test('minCapacity back to 1: the alarm and the step policy are removed', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    reset();
    const { plans } = await runChain(testContext({ yaml: AT_ONE }), MODULES);
    expect(plans.map((p) => p.action)).toEqual(['update', 'delete']);
    expect(inOrder()).toEqual([
      'RegisterScalableTargetCommand',
      'PutScalingPolicyCommand',
      'DeleteAlarmsCommand',
      'DeleteScalingPolicyCommand',
    ]);
    expect(core.alarms.size).toBe(0);
    expect([...core.policies.keys()]).toEqual(['ms-iris-dev-backlog-target']);
  });

  test('destroy removes the alarm, then the policies and the target', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    reset();
    const ctx = testContext({ yaml: TO_ZERO });
    for (const m of [...MODULES].reverse()) await m.destroy!(ctx, m.desired(ctx, {}));
    expect(inOrder()).toEqual([
      'DeleteAlarmsCommand',
      'DeleteScalingPolicyCommand',
      'DeleteScalingPolicyCommand',
      'DeregisterScalableTargetCommand',
    ]);
    expect(state()).toEqual({ targets: [], policies: [], alarms: [] });
    // A second destroy finds nothing and does not fail.
    for (const m of [...MODULES].reverse()) await m.destroy!(ctx, m.desired(ctx, {}));
  });

  test('autoscaling turned off: the target goes (and AWS takes its policies), then the alarm', async () => {
    await runChain(testContext({ yaml: TO_ZERO }), MODULES);
    reset();
    const { plans } = await runChain(testContext({ yaml: asyncDev('enabled: false') }), MODULES);
    expect(plans.map((p) => p.action)).toEqual(['delete', 'delete']);
    expect(state()).toEqual({ targets: [], policies: [], alarms: [] });
  });
});

describe('release.yaml: minCapacity 0 (before any AWS call)', () => {
  test('allowed for an async environment with autoscaling enabled', () => {
    expect(parseRelease(TO_ZERO).environments.dev!.autoscaling.minCapacity).toBe(0);
  });

  test('refused for a real-time environment', () => {
    const zero = '    autoscaling: { enabled: true, minCapacity: 0, maxCapacity: 2 }\n';
    expect(() => parseRelease(RELEASE_YAML.replace('    volumeSizeGb: 10\n', `    volumeSizeGb: 10\n${zero}`))).toThrow(
      /environments\.dev\.autoscaling\.minCapacity may be 0 only for an async environment/,
    );
  });

  test('refused for an async environment without autoscaling enabled', () => {
    expect(() => parseRelease(asyncDev('minCapacity: 0, maxCapacity: 2'))).toThrow(
      /environments\.dev\.autoscaling\.minCapacity is 0 but autoscaling is not enabled/,
    );
  });

  test.each(['0', '-1', '100001'])('targetBacklogPerInstance %s is refused with its path', (value) => {
    expect(() => parseRelease(asyncDev('enabled: true', `, targetBacklogPerInstance: ${value}`))).toThrow(
      'environments.dev.async.targetBacklogPerInstance',
    );
  });
});
