// The service's own metrics in CloudWatch: the runtime writes them as Embedded Metric Format lines
// to the endpoint's log (MS_METRICS_EMF), and CloudWatch Logs extracts them into this namespace.
// One place for the names, so the container environment, the dashboard, the alarms and verify
// agree with each other and with the runtime (a test compares them with the runtime's).
import type { ReleaseConfig } from '../release/types.js';
import type { ResourceNames } from '../naming.js';

export const SERVICE_METRICS_NAMESPACE = 'ModelService';

/** The metrics the runtime writes (its EMF_METRIC_NAMES). */
export const SERVICE_METRIC = {
  predictLatency: 'PredictLatency',
  queueWait: 'QueueWait',
  batchSize: 'BatchSize',
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  fallbackAnswers: 'FallbackAnswers',
  clientErrors: 'ClientErrors',
} as const;

/** The dimensions of every service metric (ClientErrors adds Code). */
export function serviceMetricDimensions(
  release: ReleaseConfig,
  envName: string,
  names: Pick<ResourceNames, 'variant'>,
): { Service: string; Environment: string; Variant: string } {
  return { Service: release.model.name, Environment: envName, Variant: names.variant };
}

/** The runtime settings that turn the metrics on with those dimensions (MODEL_SERVICE_ENV gives Environment). */
export function serviceMetricsEnvironment(
  release: ReleaseConfig,
  envName: string,
  names: Pick<ResourceNames, 'variant'>,
): Record<string, string> {
  const dims = serviceMetricDimensions(release, envName, names);
  return {
    MS_METRICS_EMF: 'true',
    MS_METRICS_NAMESPACE: SERVICE_METRICS_NAMESPACE,
    MS_METRICS_SERVICE: dims.Service,
    MS_METRICS_VARIANT: dims.Variant,
  };
}
