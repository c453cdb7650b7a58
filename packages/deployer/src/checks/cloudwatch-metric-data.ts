// GetMetricData as verify's checks use it: one query per metric statistic, per minute, and every
// page of the answer gathered into values by query id.
import {
  paginateGetMetricData,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { collect } from '../aws/pages.js';

export function query(
  id: string,
  namespace: string,
  metric: string,
  dims: Record<string, string>,
  stat: string,
): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: stat,
    },
  };
}

/** The datapoints of each query between `start` and `end`, by query id. */
export async function metricData(
  t: { cloudWatch: CloudWatchClient },
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<Map<string, number[]>> {
  const values = new Map<string, number[]>(queries.map((q) => [q.Id!, []]));
  const pages = paginateGetMetricData(
    { client: t.cloudWatch },
    { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending' },
  );
  for (const r of await collect(pages, (page) => page.MetricDataResults as MetricDataResult[] | undefined))
    values.get(r.Id ?? '')?.push(...(r.Values ?? []));
  return values;
}
