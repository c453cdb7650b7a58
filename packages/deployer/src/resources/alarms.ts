// CloudWatch alarms on the endpoint variant, from release.yaml `slo`: the
// 5xx error rate and the p95 ModelLatency. Names are deterministic because
// promotion's blue/green update rolls back on exactly these alarms.
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { DeployContext } from '../context.js';
import { tagList } from '../tags.js';
import { change, sameValue } from './diff.js';
import type { FieldDiff, ResourceModule } from './resource.js';

export type AlarmSpec = Omit<PutMetricAlarmCommandInput, 'Tags'>;

export interface AlarmsDesired {
  alarms: AlarmSpec[];
}

export type AlarmsObserved = Record<string, AlarmSpec>;

const KIND = 'cloudwatch-alarms';
const PERIOD = 60;
// Alarm when 2 of the last 3 minutes breach: one slow minute is noise, two is a trend.
const WINDOW = { EvaluationPeriods: 3, DatapointsToAlarm: 2 } as const;
const COMPARED = [
  'AlarmDescription',
  'MetricName',
  'Namespace',
  'Statistic',
  'ExtendedStatistic',
  'Dimensions',
  'Period',
  'EvaluationPeriods',
  'DatapointsToAlarm',
  'Threshold',
  'ComparisonOperator',
  'TreatMissingData',
  'Metrics',
  'ActionsEnabled',
] as const;

function dimensions(ctx: DeployContext) {
  return [
    { Name: 'EndpointName', Value: ctx.names.endpoint },
    { Name: 'VariantName', Value: ctx.names.variant },
  ];
}

function metric(ctx: DeployContext, id: string, name: string) {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: { Namespace: 'AWS/SageMaker', MetricName: name, Dimensions: dimensions(ctx) },
      Period: PERIOD,
      Stat: 'Sum',
    },
  };
}

export function errorRateAlarm(ctx: DeployContext): AlarmSpec {
  return {
    AlarmName: ctx.names.errorRateAlarm,
    AlarmDescription: `model-service: 5xx error rate of ${ctx.names.endpoint} above ${ctx.release.slo.errorRate} (release.yaml slo.errorRate)`,
    ActionsEnabled: true,
    Metrics: [
      metric(ctx, 'errors', 'Invocation5XXErrors'),
      metric(ctx, 'invocations', 'Invocations'),
      {
        Id: 'rate',
        Label: 'Invocation 5xx error rate',
        ReturnData: true,
        Expression: 'IF(invocations > 0, errors / invocations, 0)',
      },
    ],
    ...WINDOW,
    Threshold: ctx.release.slo.errorRate,
    ComparisonOperator: 'GreaterThanThreshold',
    // No traffic is not an outage.
    TreatMissingData: 'notBreaching',
  };
}

export function latencyAlarm(ctx: DeployContext): AlarmSpec {
  return {
    AlarmName: ctx.names.latencyAlarm,
    AlarmDescription: `model-service: p95 ModelLatency of ${ctx.names.endpoint} above ${ctx.release.slo.p95LatencyMs} ms (release.yaml slo.p95LatencyMs)`,
    ActionsEnabled: true,
    Namespace: 'AWS/SageMaker',
    MetricName: 'ModelLatency',
    Dimensions: dimensions(ctx),
    ExtendedStatistic: 'p95',
    Period: PERIOD,
    ...WINDOW,
    // ModelLatency is reported in microseconds.
    Threshold: ctx.release.slo.p95LatencyMs * 1000,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  };
}

type Dimension = { Name?: string; Value?: string };
const sortDims = (dims: Dimension[] | undefined) =>
  dims && [...dims].sort((x, y) => String(x.Name).localeCompare(String(y.Name)));

// AWS echoes queries back with defaults filled and dimensions in its own order.
function normalizeQuery(q: NonNullable<AlarmSpec['Metrics']>[number]) {
  const stat = q.MetricStat;
  return {
    Id: q.Id,
    Expression: q.Expression,
    Label: q.Label,
    ReturnData: q.ReturnData ?? true,
    MetricStat: stat && {
      ...stat,
      Metric: stat.Metric && { ...stat.Metric, Dimensions: sortDims(stat.Metric.Dimensions) },
    },
  };
}

/** The fields we set, normalised, so desired and observed compare equal when nothing changed. */
export function comparable(a: AlarmSpec | MetricAlarm): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of COMPARED) {
    const value = (a as Record<string, unknown>)[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) picked[key] = value;
  }
  if (picked.Dimensions) picked.Dimensions = sortDims(picked.Dimensions as Dimension[]);
  if (picked.Metrics) picked.Metrics = (picked.Metrics as NonNullable<AlarmSpec['Metrics']>).map(normalizeQuery);
  return picked;
}

export const alarms: ResourceModule<AlarmsDesired, AlarmsObserved> = {
  kind: KIND,

  desired(ctx) {
    return { alarms: [errorRateAlarm(ctx), latencyAlarm(ctx)] };
  },

  async observe(ctx, d) {
    const names = d.alarms.map((a) => a.AlarmName!);
    const out = await ctx.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] }),
    );
    const found = out.MetricAlarms ?? [];
    if (found.length === 0) return undefined;
    return Object.fromEntries(found.map((a) => [a.AlarmName!, a as AlarmSpec]));
  },

  plan(d, observed) {
    const name = d.alarms.map((a) => a.AlarmName).join(', ');
    const diffs: FieldDiff[] = d.alarms
      .filter((a) => {
        const current = observed?.[a.AlarmName!];
        return current === undefined || !sameValue(comparable(a), comparable(current));
      })
      .map((a) => ({ field: a.AlarmName!, from: observed?.[a.AlarmName!]?.Threshold, to: a.Threshold }));
    if (!observed) return change(KIND, name, 'create', diffs);
    return change(KIND, name, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d) {
    const toPut = d.alarms.filter((a) => plan.diffs.some((diff) => diff.field === a.AlarmName));
    for (const alarm of toPut) {
      await ctx.clients.cloudWatch.send(new PutMetricAlarmCommand({ ...alarm, Tags: tagList(ctx.tags) }));
    }
    return { errorRateAlarm: ctx.names.errorRateAlarm, latencyAlarm: ctx.names.latencyAlarm };
  },

  async destroy(ctx, d) {
    const names = d.alarms.map((a) => a.AlarmName!);
    await ctx.clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: names }));
  },
};
