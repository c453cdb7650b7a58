// CloudWatch alarms on the provisioned cache's own metrics (AWS/ElastiCache, dimension clusterId =
// the serverless cache's name): memory grown past what the service should need, evictions,
// commands throttled while the cache scales, and a sustained ECPU rate (what the cache bills
// besides memory). Only with a provisioned cache; they are not rollback alarms (a full or busy
// cache degrades to misses, it does not make a new model worse than the old one).
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { DeployContext } from '../context.js';
import { tagList } from '../tags.js';
import { ALARM_PERIOD_SECONDS, ALARM_WINDOW } from './alarm-window.js';
import { alarmStatus, comparable, operatorOf, type AlarmSpec, type AlarmStatus } from './alarms.js';
import { cacheNames } from './cache-names.js';
import { change, sameValue } from './diff.js';
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';

export const CACHE_METRICS_NAMESPACE = 'AWS/ElastiCache';

/** The cache's metrics the alarms and the dashboard read. */
export const CACHE_METRIC = {
  bytesUsed: 'BytesUsedForCache',
  evictions: 'Evictions',
  throttled: 'ThrottledCmds',
  ecpu: 'ElastiCacheProcessingUnits',
} as const;

/**
 * The cache has no usage limit (it grows as needed and bills per GB-hour), so "near its limit" is
 * the size past which a prediction cache is suspect: 1 GiB is ten times Valkey's billed minimum.
 */
export const CACHE_MEMORY_ALARM_BYTES = 1024 ** 3;
/** 10,000 ECPU a second for 15 minutes: about 26 billion ECPU (roughly 60 USD) a month if it lasts. */
export const CACHE_ECPU_ALARM_PER_MINUTE = 600_000;
// Memory and ECPU are about cost: a sustained trend (3 of 3 five-minute periods), not a spike.
const SUSTAINED = { Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3 } as const;

const KIND = 'cache-alarms';

export interface CacheAlarmsDesired {
  alarms: AlarmSpec[];
}

/** As CloudWatch describes them, by name. */
export type CacheAlarmsObserved = Record<string, MetricAlarm>;

export function cacheAlarmSpecs(ctx: DeployContext): AlarmSpec[] {
  const names = cacheNames(ctx.names.prefix);
  const on = (metric: string) => ({
    ActionsEnabled: true,
    Namespace: CACHE_METRICS_NAMESPACE,
    MetricName: metric,
    Dimensions: [{ Name: 'clusterId', Value: names.cache }],
    ComparisonOperator: 'GreaterThanThreshold' as const,
    // A cache with no traffic publishes nothing: not a breach.
    TreatMissingData: 'notBreaching' as const,
  });
  return [
    {
      ...on(CACHE_METRIC.bytesUsed),
      AlarmName: names.memoryAlarm,
      AlarmDescription: `model-service: cache ${names.cache} holds more than ${CACHE_MEMORY_ALARM_BYTES / 1024 ** 3} GiB for 15 minutes (billed per GB-hour; check cache.ttlSeconds and what the key covers)`,
      Statistic: 'Maximum',
      ...SUSTAINED,
      Threshold: CACHE_MEMORY_ALARM_BYTES,
    },
    {
      ...on(CACHE_METRIC.evictions),
      AlarmName: names.evictionsAlarm,
      AlarmDescription: `model-service: cache ${names.cache} evicts keys in 2 of 3 minutes (entries leave before their TTL: more misses, more model calls)`,
      Statistic: 'Sum',
      Period: ALARM_PERIOD_SECONDS,
      ...ALARM_WINDOW,
      Threshold: 0,
    },
    {
      ...on(CACHE_METRIC.throttled),
      AlarmName: names.throttledAlarm,
      AlarmDescription: `model-service: cache ${names.cache} throttles commands in 2 of 3 minutes (traffic grows faster than ElastiCache scales; throttled lookups are misses)`,
      Statistic: 'Sum',
      Period: ALARM_PERIOD_SECONDS,
      ...ALARM_WINDOW,
      Threshold: 0,
    },
    {
      ...on(CACHE_METRIC.ecpu),
      AlarmName: names.ecpuAlarm,
      AlarmDescription: `model-service: cache ${names.cache} uses more than ${CACHE_ECPU_ALARM_PER_MINUTE / 60} ECPU a second for 15 minutes (ECPUs are billed per million)`,
      Statistic: 'Sum',
      ...SUSTAINED,
      // Sum over a 5-minute period: five minutes' worth.
      Threshold: CACHE_ECPU_ALARM_PER_MINUTE * 5,
    },
  ];
}

/** The threshold in the cache's terms, e.g. "> 1 GiB BytesUsedForCache (max over 300 s)". */
function cacheCondition(a: MetricAlarm): string | undefined {
  if (a.Threshold === undefined) return undefined;
  const op = operatorOf(a);
  const over = `over ${a.Period ?? '?'} s`;
  if (a.MetricName === CACHE_METRIC.bytesUsed)
    return `${op} ${a.Threshold / 1024 ** 3} GiB ${a.MetricName} (max ${over})`;
  return `${op} ${a.Threshold} ${a.MetricName} (sum ${over})`;
}

export const cacheAlarms: ResourceModule<CacheAlarmsDesired, CacheAlarmsObserved> &
  StatusReport<CacheAlarmsDesired, CacheAlarmsObserved, AlarmStatus[]> = {
  kind: KIND,

  status(d, observed) {
    return d.alarms.map((a) => alarmStatus(a.AlarmName!, observed?.[a.AlarmName!], cacheCondition));
  },

  desired(ctx) {
    return { alarms: cacheAlarmSpecs(ctx) };
  },

  async observe(ctx, d) {
    const out = await ctx.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: d.alarms.map((a) => a.AlarmName!), AlarmTypes: ['MetricAlarm'] }),
    );
    const found = out.MetricAlarms ?? [];
    return found.length ? Object.fromEntries(found.map((a) => [a.AlarmName!, a])) : undefined;
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
    // Only the missing or changed ones: an interrupted up puts the rest on the next run.
    for (const alarm of d.alarms.filter((a) => plan.diffs.some((diff) => diff.field === a.AlarmName))) {
      await ctx.clients.cloudWatch.send(new PutMetricAlarmCommand({ ...alarm, Tags: tagList(ctx.tags) }));
    }
    return {};
  },

  async destroy(ctx, d) {
    // DeleteAlarms ignores names that do not exist: an interrupted destroy runs it again.
    await ctx.clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: d.alarms.map((a) => a.AlarmName!) }));
  },
};
