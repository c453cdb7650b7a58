// What verify.metrics reads of the service's own metrics (the runtime's EMF lines,
// resources/service-metrics.ts): PredictLatency, cache hits and misses, FallbackAnswers in the
// same GetMetricData call as SageMaker's, and the 4xx answered by code, whose Code values
// ListMetrics finds (they are whatever the service answered, not a list kept here).
import { ListMetricsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { MAX_PAGES } from '../aws/pages.js';
import { SERVICE_METRIC } from '../resources/service-metrics.js';
import { metricData, query } from './cloudwatch-metric-data.js';

export interface ServiceMetricsTarget {
  namespace: string;
  /** Service, Environment, Variant. */
  dimensions: Record<string, string>;
}

/** Query ids: predict, hits, misses, fallbacks. */
export function serviceMetricQueries(s: ServiceMetricsTarget): MetricDataQuery[] {
  return [
    query('predict', s.namespace, SERVICE_METRIC.predictLatency, s.dimensions, 'Average'),
    query('hits', s.namespace, SERVICE_METRIC.cacheHits, s.dimensions, 'Sum'),
    query('misses', s.namespace, SERVICE_METRIC.cacheMisses, s.dimensions, 'Sum'),
    query('fallbacks', s.namespace, SERVICE_METRIC.fallbackAnswers, s.dimensions, 'Sum'),
  ];
}

/** The Code values of this service's ClientErrors metrics (ListMetrics, every page up to the bound). */
async function codesListed(cloudWatch: CloudWatchClient, s: ServiceMetricsTarget): Promise<string[]> {
  const codes = new Set<string>();
  let NextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await cloudWatch.send(
      new ListMetricsCommand({
        Namespace: s.namespace,
        MetricName: SERVICE_METRIC.clientErrors,
        Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    for (const m of out?.Metrics ?? []) {
      const code = m.Dimensions?.find((d) => d.Name === 'Code')?.Value;
      if (code) codes.add(code);
    }
    NextToken = out?.NextToken;
    if (!NextToken) break;
  }
  return [...codes].sort();
}

/** 4xx answers by code between `start` and `end`, codes with none left out. */
export async function clientErrorCodes(
  t: { cloudWatch: CloudWatchClient },
  s: ServiceMetricsTarget,
  start: Date,
  end: Date,
): Promise<Array<[code: string, count: number]>> {
  const codes = await codesListed(t.cloudWatch, s);
  if (codes.length === 0) return [];
  // GetMetricData takes at most 500 queries; the runtime has far fewer 4xx codes.
  const queries = codes
    .slice(0, 500)
    .map((code, i) =>
      query(`code${i}`, s.namespace, SERVICE_METRIC.clientErrors, { ...s.dimensions, Code: code }, 'Sum'),
    );
  const values = await metricData(t, queries, start, end);
  return codes
    .map((code, i): [string, number] => [code, (values.get(`code${i}`) ?? []).reduce((a, b) => a + b, 0)])
    .filter(([, n]) => n > 0);
}
