// The dashboard's panels on the provisioned cache's own metrics (AWS/ElastiCache, clusterId = the
// serverless cache): memory and evictions, ECPU and throttled commands, with the alarm thresholds
// drawn as the alarms see them. The service's hit rate is a service panel (its EMF CacheHits and
// CacheMisses) and shows for any cache kind.
import type { DeployContext } from '../context.js';
import {
  CACHE_ECPU_ALARM_PER_MINUTE,
  CACHE_MEMORY_ALARM_BYTES,
  CACHE_METRIC,
  CACHE_METRICS_NAMESPACE,
} from './cache-alarms.js';
import { cacheNames, provisionsCache } from './cache-names.js';
import type { ServicePanel } from './dashboard-service-panels.js';

export function cachePanels(ctx: DeployContext): (ServicePanel & { annotations?: Record<string, unknown> })[] {
  if (!provisionsCache(ctx)) return [];
  const cache = cacheNames(ctx.names.prefix).cache;
  const row = (metric: string, extra: Record<string, unknown>) => [
    CACHE_METRICS_NAMESPACE,
    metric,
    'clusterId',
    cache,
    extra,
  ];
  return [
    {
      title: 'Cache memory (bytes) / evictions',
      metrics: [
        row(CACHE_METRIC.bytesUsed, { stat: 'Maximum', label: 'bytes used' }),
        row(CACHE_METRIC.evictions, { stat: 'Sum', label: 'evictions', yAxis: 'right' }),
      ],
      annotations: { horizontal: [{ label: 'memory alarm', value: CACHE_MEMORY_ALARM_BYTES }] },
      yAxis: { left: { min: 0 }, right: { min: 0 } },
    },
    {
      title: 'Cache ECPU a minute / throttled commands',
      metrics: [
        row(CACHE_METRIC.ecpu, { stat: 'Sum', label: 'ECPU' }),
        row(CACHE_METRIC.throttled, { stat: 'Sum', label: 'throttled commands', yAxis: 'right' }),
      ],
      annotations: { horizontal: [{ label: 'ECPU alarm', value: CACHE_ECPU_ALARM_PER_MINUTE }] },
      yAxis: { left: { min: 0 }, right: { min: 0 } },
    },
  ];
}
