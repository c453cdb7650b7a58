import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  CloudWatchServiceException,
  PutMetricAlarmCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  alarms,
  canaryErrorRateAlarm,
  canaryLatencyAlarm,
  canaryLatencyPercentile,
  desiredAlarms,
  errorRateAlarm,
  fallbackAlarm,
  latencyAlarm,
} from '../../src/resources/alarms.js';
import { rollbackAlarmNames } from '../../src/resources/deployment-config.js';
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
    expect(puts.map((p) => p.AlarmName)).toEqual([
      'ms-iris-dev-error-rate',
      'ms-iris-dev-p95-latency',
      'ms-iris-dev-canary-error-rate',
      'ms-iris-dev-canary-latency',
      'ms-iris-dev-fallback-answers',
    ]);
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
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: desiredAlarms(ctx).map(asAws) });
    const { plans } = await runChain(ctx, [alarms]);
    expect(plans[0]!.action).toBe('no-change');
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('update: a new p95 SLO re-puts only the latency alarm', async () => {
    const old = testContext();
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: desiredAlarms(old).map(asAws) });
    const ctx = testContext({ yaml: RELEASE_YAML.replace('p95LatencyMs: 500', 'p95LatencyMs: 200') });
    const { plans } = await runChain(ctx, [alarms]);
    expect(plans[0]).toMatchObject({
      action: 'update',
      diffs: [
        { field: 'ms-iris-dev-p95-latency', from: 500_000, to: 200_000 },
        { field: 'ms-iris-dev-canary-latency', from: 500_000, to: 200_000 },
      ],
    });
    expect(mutatingCommands(mocks)).toEqual(['PutMetricAlarmCommand', 'PutMetricAlarmCommand']);
  });

  test('one alarm missing (interrupted run): only that one is created', async () => {
    const ctx = testContext();
    const [rate, , ...canary] = desiredAlarms(ctx).map(asAws);
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [rate!, ...canary] });
    await runChain(ctx, [alarms]);
    expect(mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
      'ms-iris-dev-p95-latency',
    ]);
  });

  test('a serverless endpoint gets the SLO and fallback alarms; the canary ones say why they are skipped', async () => {
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n',
      '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
    );
    const { plans } = await runChain(testContext({ yaml }), [alarms]);
    expect(plans[0]).toMatchObject({
      action: 'create',
      note: 'canary alarms: skip: serverless endpoint (no instances)',
    });
    expect(mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
      'ms-iris-dev-error-rate',
      'ms-iris-dev-p95-latency',
      'ms-iris-dev-fallback-answers',
    ]);
    // prod (instances, same canary promotion) keeps its canary alarms and no note.
    const prod = await runChain(testContext({ yaml, env: 'prod' }), [alarms]);
    expect(prod.plans[0]).not.toHaveProperty('note');
    expect(prod.plans[0]!.diffs.map((d) => d.field)).toContain('ms-iris-prod-canary-latency');
  });

  test('destroy deletes every alarm by name, also the canary ones of a strategy no longer configured', async () => {
    const ctx = testContext({ yaml: `${RELEASE_YAML}promotion: { strategy: all-at-once }\n` });
    await alarms.destroy!(ctx, alarms.desired(ctx, {}));
    expect(mocks.cloudWatch.commandCalls(DeleteAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: [
        'ms-iris-dev-error-rate',
        'ms-iris-dev-p95-latency',
        'ms-iris-dev-canary-error-rate',
        'ms-iris-dev-canary-latency',
        'ms-iris-dev-fallback-answers',
      ],
    });
  });

  describe("the fallback alarm, on the runtime's own FallbackAnswers metric (EMF)", () => {
    test('any fallback answer in 2 of 3 minutes, on the service dimensions the runtime writes; not a rollback alarm', () => {
      const ctx = testContext();
      expect(fallbackAlarm(ctx)).toEqual({
        AlarmName: 'ms-iris-dev-fallback-answers',
        AlarmDescription: expect.stringContaining('fallback rules'),
        ActionsEnabled: true,
        Namespace: 'ModelService',
        MetricName: 'FallbackAnswers',
        Dimensions: [
          { Name: 'Service', Value: 'iris' },
          { Name: 'Environment', Value: 'dev' },
          { Name: 'Variant', Value: 'AllTraffic' },
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(rollbackAlarmNames(ctx)).not.toContain('ms-iris-dev-fallback-answers');
    });

    test('interrupted at its PutMetricAlarm (CloudWatch throttling): the next up puts only it', async () => {
      const ctx = testContext();
      mocks.cloudWatch.on(PutMetricAlarmCommand, { AlarmName: 'ms-iris-dev-fallback-answers' }).rejects(
        new CloudWatchServiceException({
          name: 'Throttling',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400, requestId: 'req-throttle', attempts: 3, totalRetryDelay: 900 },
        }),
      );
      await expect(runChain(ctx, [alarms])).rejects.toThrow();
      const put = mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
      expect(put.at(-1)!.AlarmName).toBe('ms-iris-dev-fallback-answers');
      // What the first run made is what AWS now holds; the second run finishes the job.
      const made = desiredAlarms(ctx)
        .filter((a) => a.AlarmName !== 'ms-iris-dev-fallback-answers')
        .map(asAws);
      mocks.cloudWatch.reset();
      mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: made });
      await runChain(ctx, [alarms]);
      expect(mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
        'ms-iris-dev-fallback-answers',
      ]);
    });

    test('an environment deployed before it existed gets only it; the next up makes no call', async () => {
      const ctx = testContext();
      const before = desiredAlarms(ctx)
        .filter((a) => a.AlarmName !== 'ms-iris-dev-fallback-answers')
        .map(asAws);
      mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: before });
      const { plans } = await runChain(ctx, [alarms]);
      expect(plans[0]).toMatchObject({ action: 'update', diffs: [{ field: 'ms-iris-dev-fallback-answers' }] });
      expect(mocks.cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual([
        'ms-iris-dev-fallback-answers',
      ]);
      mocks.cloudWatch.resetHistory();
      mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: desiredAlarms(ctx).map(asAws) });
      const again = await runChain(ctx, [alarms]);
      expect(again.plans[0]!.action).toBe('no-change');
      expect(mutatingCommands(mocks)).toEqual([]);
    });
  });

  describe('canary alarms: the new fleet is a fraction of the variant, so its breach is not diluted', () => {
    test('a 10% canary: error-rate threshold x0.1, latency at p99.5 of the mix (the canary p95), same window', () => {
      const ctx = testContext({ env: 'prod' });
      const rate = canaryErrorRateAlarm(ctx);
      expect(rate).toMatchObject({ AlarmName: 'ms-iris-prod-canary-error-rate', Threshold: 0.001 });
      expect(rate.Metrics).toEqual(errorRateAlarm(ctx).Metrics);
      const latency = canaryLatencyAlarm(ctx);
      expect(latency).toMatchObject({
        AlarmName: 'ms-iris-prod-canary-latency',
        ExtendedStatistic: 'p99.5',
        Threshold: 500_000,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
      });
    });

    test('the scaled threshold trips on a canary at its SLO that the plain alarm misses', () => {
      // Old fleet healthy, canary (10% of traffic) failing at 5x the SLO: the variant's rate is diluted 10x.
      const ctx = testContext({ env: 'prod' });
      const slo = ctx.release.slo.errorRate;
      const variantRate = 0.1 * (5 * slo) + 0.9 * 0;
      expect(variantRate).toBeLessThan(errorRateAlarm(ctx).Threshold!);
      expect(variantRate).toBeGreaterThan(canaryErrorRateAlarm(ctx).Threshold!);
    });

    test('percentile of the mix follows the canary share; linear uses its first step (at least 10%)', () => {
      expect(canaryLatencyPercentile(0.1)).toBe('p99.5');
      expect(canaryLatencyPercentile(0.25)).toBe('p98.75');
      expect(canaryLatencyPercentile(0.01)).toBe('p99.95');
      const linear = testContext({ yaml: `${RELEASE_YAML}promotion: { strategy: linear, canaryPercent: 5 }\n` });
      expect(canaryErrorRateAlarm(linear).Threshold).toBe(0.001);
    });

    test('all-at-once shifts everything at once: only the SLO alarms (and the fallback alarm)', () => {
      const ctx = testContext({ yaml: `${RELEASE_YAML}promotion: { strategy: all-at-once }\n` });
      expect(desiredAlarms(ctx).map((a) => a.AlarmName)).toEqual([
        'ms-iris-dev-error-rate',
        'ms-iris-dev-p95-latency',
        'ms-iris-dev-fallback-answers',
      ]);
    });
  });
});
