// CloudWatch alarms on the endpoint variant, from release.yaml `slo`: the
// 5xx error rate and the p95 ModelLatency. Names are deterministic because
// every blue/green update rolls back on exactly these alarms.
//
// SageMaker publishes invocation metrics per endpoint and variant only; during
// a blue/green bake both fleets report into the same variant, so a canary that
// takes fraction f of the traffic shows up diluted f-fold. The canary alarms
// undo that: the error-rate threshold is slo.errorRate * f (a canary at the SLO
// lifts the variant's rate by that much), and the latency statistic is the
// percentile at which the canary's slowest 5% sit in the mix, p(100 - 5f).
// They assume the old fleet runs well below those thresholds.
//
// One more alarm watches the runtime's own FallbackAnswers metric (EMF, service-metrics.ts):
// answers from the fallback rules mean the model is failing. It is not a rollback alarm.
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type ComparisonOperator,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { DeployContext } from '../context.js';
import { tagList } from '../tags.js';
import { ALARM_PERIOD_SECONDS, ALARM_WINDOW } from './alarm-window.js';
import { firstStepPercent } from './deployment-config.js';
import { change, sameValue } from './diff.js';
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';
import { isServerless, SERVERLESS_SKIP } from './serverless.js';
import { SERVICE_METRIC, SERVICE_METRICS_NAMESPACE, serviceMetricDimensions } from './service-metrics.js';

export type AlarmSpec = Omit<PutMetricAlarmCommandInput, 'Tags'>;

export interface AlarmsDesired {
  alarms: AlarmSpec[];
  /** Why some alarms are not made here (the canary ones of a serverless endpoint). */
  note?: string;
}

/** As CloudWatch describes them (with their state), by name. */
export type AlarmsObserved = Record<string, MetricAlarm>;

/** What `status` shows for one alarm. */
export interface AlarmStatus {
  name: string;
  exists: boolean;
  /** OK | ALARM | INSUFFICIENT_DATA */
  state?: string;
  stateReason?: string;
  stateUpdated?: string;
  /** As CloudWatch holds it (ModelLatency in microseconds). */
  threshold?: number;
  comparison?: string;
  /** The threshold in release.yaml's terms, e.g. "> 500 ms p95 ModelLatency". */
  condition?: string;
}

const OPERATORS: Partial<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** The comparison as a symbol (">"), for conditions in status. */
export function operatorOf(a: MetricAlarm): string {
  return OPERATORS[a.ComparisonOperator!] ?? a.ComparisonOperator ?? '?';
}

/** The threshold in release.yaml's terms: latency alarms watch ModelLatency (microseconds), the others the 5xx rate. */
function conditionOf(a: MetricAlarm): string | undefined {
  if (a.Threshold === undefined) return undefined;
  const op = operatorOf(a);
  if (a.MetricName === 'ModelLatency')
    return `${op} ${a.Threshold / 1000} ms ${a.ExtendedStatistic ?? ''} ModelLatency`;
  if (a.MetricName === SERVICE_METRIC.fallbackAnswers) return `${op} ${a.Threshold} fallback answers a minute`;
  return `${op} ${a.Threshold} 5xx error rate`;
}

/** One alarm as `status` shows it; `condition` renders the threshold in the alarm's own terms. */
export function alarmStatus(
  name: string,
  a: MetricAlarm | undefined,
  condition: (a: MetricAlarm) => string | undefined = conditionOf,
): AlarmStatus {
  if (!a) return { name, exists: false };
  return {
    name,
    exists: true,
    state: a.StateValue,
    stateReason: a.StateReason,
    stateUpdated: a.StateUpdatedTimestamp && new Date(a.StateUpdatedTimestamp).toISOString(),
    threshold: a.Threshold,
    comparison: a.ComparisonOperator,
    condition: condition(a),
  };
}

const KIND = 'cloudwatch-alarms';
const PERIOD = ALARM_PERIOD_SECONDS;
const WINDOW = ALARM_WINDOW;
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

/** The new fleet's share of the variant's traffic in the first bake (0-1]. */
function canaryFraction(ctx: DeployContext): number {
  return firstStepPercent(ctx.release) / 100;
}

/** The error-rate alarm with its threshold scaled to the canary's share: a canary at the SLO trips it. */
export function canaryErrorRateAlarm(ctx: DeployContext): AlarmSpec {
  const fraction = canaryFraction(ctx);
  const base = errorRateAlarm(ctx);
  return {
    ...base,
    AlarmName: ctx.names.canaryErrorRateAlarm,
    AlarmDescription: `model-service: 5xx error rate of ${ctx.names.endpoint} above ${ctx.release.slo.errorRate} x ${fraction} (slo.errorRate scaled to a ${fraction * 100}% canary; watched during blue/green updates)`,
    Threshold: Number((ctx.release.slo.errorRate * fraction).toPrecision(6)),
  };
}

/** The canary's p95 as seen in the mixed variant: the p(100 - 5f) of all requests. */
export function canaryLatencyPercentile(fraction: number): string {
  return `p${Number((100 - 5 * fraction).toFixed(2))}`;
}

export function canaryLatencyAlarm(ctx: DeployContext): AlarmSpec {
  const fraction = canaryFraction(ctx);
  const statistic = canaryLatencyPercentile(fraction);
  return {
    ...latencyAlarm(ctx),
    AlarmName: ctx.names.canaryLatencyAlarm,
    AlarmDescription: `model-service: ${statistic} ModelLatency of ${ctx.names.endpoint} above ${ctx.release.slo.p95LatencyMs} ms (the p95 of a ${fraction * 100}% canary; watched during blue/green updates)`,
    ExtendedStatistic: statistic,
  };
}

/** Any answer from the fallback rules, in 2 of 3 minutes: the model is unavailable or failing. */
export function fallbackAlarm(ctx: DeployContext): AlarmSpec {
  const dims = serviceMetricDimensions(ctx.release, ctx.envName, ctx.names);
  return {
    AlarmName: ctx.names.fallbackAlarm,
    AlarmDescription: `model-service: ${ctx.names.endpoint} answers from its fallback rules (the model is failing or unavailable; read the endpoint's log)`,
    ActionsEnabled: true,
    Namespace: SERVICE_METRICS_NAMESPACE,
    MetricName: SERVICE_METRIC.fallbackAnswers,
    Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    Statistic: 'Sum',
    Period: PERIOD,
    ...WINDOW,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    // A model without fallback rules never writes the metric: that is not a breach.
    TreatMissingData: 'notBreaching',
  };
}

/** A serverless endpoint has no fleets to shift traffic between (SageMaker updates it without blue/green). */
export const SERVERLESS_CANARY_NOTE = `canary alarms: ${SERVERLESS_SKIP}`;

/**
 * The SLO alarms, plus the canary-scaled ones when the first step shifts only part of the traffic
 * to a new fleet of instances (never for serverless), and the fallback alarm.
 */
export function desiredAlarms(ctx: DeployContext): AlarmSpec[] {
  const slo = [errorRateAlarm(ctx), latencyAlarm(ctx)];
  const canary = !isServerless(ctx.env) && canaryFraction(ctx) < 1;
  const rollback = canary ? [...slo, canaryErrorRateAlarm(ctx), canaryLatencyAlarm(ctx)] : slo;
  return [...rollback, fallbackAlarm(ctx)];
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

export const alarms: ResourceModule<AlarmsDesired, AlarmsObserved> &
  StatusReport<AlarmsDesired, AlarmsObserved, AlarmStatus[]> = {
  kind: KIND,

  // Every alarm release.yaml asks for (the canary ones too, under a canary or linear promotion).
  status(d, observed) {
    return d.alarms.map((a) => alarmStatus(a.AlarmName!, observed?.[a.AlarmName!]));
  },

  desired(ctx) {
    const note = isServerless(ctx.env) && canaryFraction(ctx) < 1 ? { note: SERVERLESS_CANARY_NOTE } : {};
    return { alarms: desiredAlarms(ctx), ...note };
  },

  async observe(ctx, d) {
    const names = d.alarms.map((a) => a.AlarmName!);
    const out = await ctx.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] }),
    );
    const found = out.MetricAlarms ?? [];
    if (found.length === 0) return undefined;
    return Object.fromEntries(found.map((a) => [a.AlarmName!, a]));
  },

  plan(d, observed) {
    const name = d.alarms.map((a) => a.AlarmName).join(', ');
    const diffs: FieldDiff[] = d.alarms
      .filter((a) => {
        const current = observed?.[a.AlarmName!];
        return current === undefined || !sameValue(comparable(a), comparable(current));
      })
      .map((a) => ({ field: a.AlarmName!, from: observed?.[a.AlarmName!]?.Threshold, to: a.Threshold }));
    const planned = observed
      ? change(KIND, name, diffs.length ? 'update' : 'no-change', diffs)
      : change(KIND, name, 'create', diffs);
    return d.note ? { ...planned, note: d.note } : planned;
  },

  async apply(ctx, plan, d) {
    const toPut = d.alarms.filter((a) => plan.diffs.some((diff) => diff.field === a.AlarmName));
    for (const alarm of toPut) {
      await ctx.clients.cloudWatch.send(new PutMetricAlarmCommand({ ...alarm, Tags: tagList(ctx.tags) }));
    }
    return { errorRateAlarm: ctx.names.errorRateAlarm, latencyAlarm: ctx.names.latencyAlarm };
  },

  async destroy(ctx) {
    // Every alarm this module can make, also the canary ones of a strategy release.yaml no longer names.
    const n = ctx.names;
    const names = [n.errorRateAlarm, n.latencyAlarm, n.canaryErrorRateAlarm, n.canaryLatencyAlarm, n.fallbackAlarm];
    await ctx.clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: names }));
  },
};
