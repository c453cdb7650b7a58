import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { alarms, errorRateAlarm, latencyAlarm } from '../../src/resources/alarms.js';
import {
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { runChain } from '../helpers/run-chain.js';

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
});
afterEach(() => restoreAll(mocks));

/** How DescribeAlarms echoes an alarm back: extra fields, its own dimension order, default ReturnData dropped. */
function asAws(spec: ReturnType<typeof errorRateAlarm>): MetricAlarm {
  return {
    ...spec,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${spec.AlarmName}`,
    StateValue: 'OK',
    Dimensions: spec.Dimensions && [...spec.Dimensions].reverse(),
    Metrics: spec.Metrics?.map((m) => (m.ReturnData ? { ...m, ReturnData: undefined } : m)),
  } as MetricAlarm;
}

describe('alarms', () => {
  test('deterministic names promotion can roll back on', () => {
    const ctx = testContext({ env: 'prod' });
    expect(errorRateAlarm(ctx).AlarmName).toBe('ms-iris-prod-error-rate');
    expect(latencyAlarm(ctx).AlarmName).toBe('ms-iris-prod-p95-latency');
  });

  test('create: 5xx error-rate alarm (metric math) and p95 ModelLatency alarm in microseconds, on the variant', async () => {
    const { plans, outputs } = await runChain(testContext(), [alarms]);
    expect(plans[0]!.action).toBe('create');
    expect(outputs).toEqual({ errorRateAlarm: 'ms-iris-dev-error-rate', latencyAlarm: 'ms-iris-dev-p95-latency' });
    const puts = mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    const [rate, latency] = puts;
    expect(rate).toMatchObject({
      AlarmName: 'ms-iris-dev-error-rate',
      Threshold: 0.01,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(rate!.Metrics!.map((m) => m.MetricStat?.Metric?.MetricName ?? m.Expression)).toEqual([
      'Invocation5XXErrors',
      'Invocations',
      'IF(invocations > 0, errors / invocations, 0)',
    ]);
    expect(rate!.Metrics![0]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'EndpointName', Value: 'ms-iris-dev' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ]);
    expect(latency).toMatchObject({
      MetricName: 'ModelLatency',
      Namespace: 'AWS/SageMaker',
      ExtendedStatistic: 'p95',
      Threshold: 500_000,
    });
    expect(latency!.Tags).toEqual(expect.arrayContaining([{ Key: 'model-service:managed-by', Value: 'model-deploy' }]));
  });

  test('no change: alarms echoed back by AWS compare equal -> zero mutating calls', async () => {
    const ctx = testContext();
    mocks.cloudWatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [asAws(errorRateAlarm(ctx)), asAws(latencyAlarm(ctx))] });
    const { plans } = await runChain(ctx, [alarms]);
    expect(plans[0]!.action).toBe('no-change');
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('update: a new p95 SLO re-puts only the latency alarm', async () => {
    const old = testContext();
    mocks.cloudWatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [asAws(errorRateAlarm(old)), asAws(latencyAlarm(old))] });
    const ctx = testContext({ yaml: RELEASE_YAML.replace('p95LatencyMs: 500', 'p95LatencyMs: 200') });
    const { plans } = await runChain(ctx, [alarms]);
    expect(plans[0]).toMatchObject({
      action: 'update',
      diffs: [{ field: 'ms-iris-dev-p95-latency', from: 500_000, to: 200_000 }],
    });
    expect(mutatingCommands(mocks)).toEqual(['PutMetricAlarmCommand']);
  });

  test('one alarm missing (interrupted run): only that one is created', async () => {
    const ctx = testContext();
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [asAws(errorRateAlarm(ctx))] });
    await runChain(ctx, [alarms]);
    expect(mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
      'ms-iris-dev-p95-latency',
    ]);
  });

  test('destroy deletes both by name', async () => {
    const ctx = testContext();
    await alarms.destroy!(ctx, alarms.desired(ctx, {}));
    expect(mocks.cloudWatch.commandCalls(DeleteAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: ['ms-iris-dev-error-rate', 'ms-iris-dev-p95-latency'],
    });
  });
});
