// The dashboard's panels on the service's own metrics (the runtime's EMF lines,
// service-metrics.ts): predict latency, queue wait and batch size when batching is on, the
// cache hit rate when there is a cache, fallback answers and 4xx by code.
import type { DeployContext } from '../context.js';
import { SERVICE_METRIC, SERVICE_METRICS_NAMESPACE, serviceMetricDimensions } from './service-metrics.js';

type MetricRow = (string | Record<string, unknown>)[];

export interface ServicePanel {
  title: string;
  metrics: MetricRow[];
  stat?: string;
  yAxis?: Record<string, unknown>;
}

export function servicePanels(ctx: DeployContext): ServicePanel[] {
  const dims = serviceMetricDimensions(ctx.release, ctx.envName, ctx.names);
  const dimensionPairs = Object.entries(dims).flat();
  const row = (metric: string, extra: Record<string, unknown>): MetricRow => [
    SERVICE_METRICS_NAMESPACE,
    metric,
    ...dimensionPairs,
    extra,
  ];
  const batching = ctx.release.runtime.batching?.enabled === true;
  const panels: ServicePanel[] = [
    {
      title: 'Service predict latency p50 / p99 (ms, runtime)',
      metrics: [
        row(SERVICE_METRIC.predictLatency, { stat: 'p50', label: 'predict p50' }),
        row(SERVICE_METRIC.predictLatency, { stat: 'p99', label: 'predict p99' }),
        ...(batching ? [row(SERVICE_METRIC.queueWait, { stat: 'p99', label: 'queue wait p99' })] : []),
      ],
      yAxis: { left: { min: 0 } },
    },
  ];
  if (ctx.release.cache.kind !== 'off') {
    panels.push({
      title: 'Service cache hit rate (%)',
      metrics: [
        row(SERVICE_METRIC.cacheHits, { id: 'hits', stat: 'Sum', visible: false }),
        row(SERVICE_METRIC.cacheMisses, { id: 'misses', stat: 'Sum', visible: false }),
        [{ expression: 'IF(hits + misses > 0, 100 * hits / (hits + misses), 0)', label: 'hit rate %', id: 'rate' }],
      ],
      yAxis: { left: { min: 0, max: 100 } },
    });
  }
  // Every Code the service answered becomes its own line, without listing codes here.
  const byCode =
    `SEARCH('{${SERVICE_METRICS_NAMESPACE},Code,Environment,Service,Variant} ` +
    `MetricName="${SERVICE_METRIC.clientErrors}" Service="${dims.Service}" Environment="${dims.Environment}" ` +
    `Variant="${dims.Variant}"', 'Sum', 60)`;
  panels.push({
    title: 'Service fallback answers and 4xx by code',
    stat: 'Sum',
    metrics: [
      row(SERVICE_METRIC.fallbackAnswers, { label: 'fallback answers' }),
      [{ expression: byCode, label: '4xx', id: 'clienterrors' }],
    ],
    yAxis: { left: { min: 0 } },
  });
  if (batching) {
    panels.push({
      title: 'Service batch size (instances per predict call)',
      metrics: [
        row(SERVICE_METRIC.batchSize, { stat: 'Average', label: 'average' }),
        row(SERVICE_METRIC.batchSize, { stat: 'Maximum', label: 'max' }),
      ],
      yAxis: { left: { min: 0 } },
    });
  }
  return panels;
}
