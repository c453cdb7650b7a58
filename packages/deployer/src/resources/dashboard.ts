// A CloudWatch dashboard per environment: endpoint invocations, model latency
// p50/p95/p99, 4xx/5xx, CPU/memory, instance count, the Lambda proxy's errors
// and duration, API Gateway 4xx/5xx, the service's own metrics (the runtime's
// EMF lines: dashboard-service-panels.ts), a provisioned cache's (dashboard-cache-panels.ts),
// and the alarms. The body is built
// deterministically from names and release.yaml, so an unchanged environment
// compares equal and `up` makes no call. (Dashboards take no tags.)
import { DeleteDashboardsCommand, GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { canonicalJson } from '../naming.js';
import { cacheNames, provisionsCache } from './cache-names.js';
import { cachePanels } from './dashboard-cache-panels.js';
import { servicePanels } from './dashboard-service-panels.js';
import { change } from './diff.js';
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';

const KIND = 'cloudwatch-dashboard';
const PERIOD = 60;
const WIDTH = 12;
const HEIGHT = 6;

type MetricRow = (string | Record<string, unknown>)[];

export interface Widget {
  type: 'metric' | 'alarm';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  widgets: Widget[];
}

export interface DashboardDesired {
  name: string;
  body: DashboardBody;
  /** The CloudWatch console page of this dashboard. */
  url: string;
}

/** What `status` shows: the dashboard and its console URL. */
export interface DashboardStatus {
  name: string;
  exists: boolean;
  url?: string;
}

export interface DashboardObserved {
  /** Parsed DashboardBody; undefined when AWS returned something that is not JSON. */
  body?: DashboardBody;
}

export function dashboardName(ctx: DeployContext): string {
  return ctx.names.prefix;
}

interface PanelSpec {
  title: string;
  metrics: MetricRow[];
  stat?: string;
  yAxis?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** The widgets, in reading order, two per row. */
export function dashboardBody(ctx: DeployContext): DashboardBody {
  const n = ctx.names;
  const variant = ['EndpointName', n.endpoint, 'VariantName', n.variant];
  const sm = (metric: string, extra: Record<string, unknown> = {}): MetricRow => [
    'AWS/SageMaker',
    metric,
    ...variant,
    extra,
  ];
  const host = (metric: string): MetricRow => ['/aws/sagemaker/Endpoints', metric, ...variant, { stat: 'Average' }];
  const lambda = (metric: string, extra: Record<string, unknown>): MetricRow => [
    'AWS/Lambda',
    metric,
    'FunctionName',
    n.lambda,
    extra,
  ];
  const api = (metric: string, extra: Record<string, unknown>): MetricRow => [
    'AWS/ApiGateway',
    metric,
    'ApiName',
    n.api,
    'Stage',
    n.stage,
    extra,
  ];
  const scaling = ctx.env.autoscaling.enabled
    ? [
        { label: 'min instances', value: ctx.env.autoscaling.minCapacity },
        { label: 'max instances', value: ctx.env.autoscaling.maxCapacity },
      ]
    : [{ label: 'instances (release.yaml)', value: ctx.env.instanceCount }];
  const panels: PanelSpec[] = [
    { title: 'Endpoint invocations', stat: 'Sum', metrics: [sm('Invocations', { label: 'invocations' })] },
    {
      title: 'Model latency p50 / p95 / p99 (microseconds)',
      metrics: [
        sm('ModelLatency', { stat: 'p50', label: 'p50' }),
        sm('ModelLatency', { stat: 'p95', label: 'p95' }),
        sm('ModelLatency', { stat: 'p99', label: 'p99' }),
      ],
      // The p95 SLO, in the metric's unit (microseconds), as the alarm sees it.
      annotations: { horizontal: [{ label: 'SLO p95', value: ctx.release.slo.p95LatencyMs * 1000 }] },
    },
    {
      title: 'Endpoint 4xx / 5xx',
      stat: 'Sum',
      metrics: [sm('Invocation4XXErrors', { label: '4xx' }), sm('Invocation5XXErrors', { label: '5xx' })],
    },
    {
      title: 'Instance CPU / memory (%)',
      metrics: [host('CPUUtilization'), host('MemoryUtilization'), host('DiskUtilization')],
      // CPUUtilization is summed over cores (up to 100% x vCPUs); memory and disk are 0-100.
      yAxis: { left: { min: 0 } },
    },
    {
      title: 'Instance count (estimated from traffic)',
      metrics: [
        sm('Invocations', { id: 'inv', stat: 'Sum', visible: false }),
        sm('InvocationsPerInstance', { id: 'ipi', stat: 'Sum', visible: false }),
        [
          {
            expression: 'IF(ipi > 0, inv / ipi, 0)',
            label: 'instances (Invocations / InvocationsPerInstance)',
            id: 'count',
          },
        ],
      ],
      annotations: { horizontal: scaling },
      yAxis: { left: { min: 0 } },
    },
    {
      title: 'Lambda proxy errors / throttles',
      stat: 'Sum',
      metrics: [
        lambda('Errors', { label: 'errors' }),
        lambda('Throttles', { label: 'throttles' }),
        lambda('Invocations', { label: 'invocations', yAxis: 'right' }),
      ],
    },
    {
      title: 'Lambda proxy duration (ms)',
      metrics: [
        lambda('Duration', { stat: 'p50', label: 'p50' }),
        lambda('Duration', { stat: 'p99', label: 'p99' }),
        lambda('Duration', { stat: 'Maximum', label: 'max' }),
      ],
    },
    {
      title: 'API Gateway 4xx / 5xx',
      stat: 'Sum',
      metrics: [
        api('4XXError', { label: '4xx' }),
        api('5XXError', { label: '5xx' }),
        api('Count', { label: 'requests', yAxis: 'right' }),
      ],
    },
  ];
  panels.push(...servicePanels(ctx), ...cachePanels(ctx));
  const widgets: Widget[] = panels.map((p, i) => ({
    type: 'metric',
    x: (i % 2) * WIDTH,
    y: Math.floor(i / 2) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: {
      title: p.title,
      region: ctx.region,
      view: 'timeSeries',
      stacked: false,
      period: PERIOD,
      ...(p.stat ? { stat: p.stat } : {}),
      metrics: p.metrics,
      ...(p.yAxis ? { yAxis: p.yAxis } : {}),
      ...(p.annotations ? { annotations: p.annotations } : {}),
    },
  }));
  const cache = cacheNames(n.prefix);
  const cacheAlarmNames = provisionsCache(ctx)
    ? [cache.memoryAlarm, cache.evictionsAlarm, cache.throttledAlarm, cache.ecpuAlarm]
    : [];
  const alarmArn = (name: string) =>
    `arn:${ctx.account.partition}:cloudwatch:${ctx.region}:${ctx.account.accountId}:alarm:${name}`;
  widgets.push({
    type: 'alarm',
    x: 0,
    y: Math.ceil(panels.length / 2) * HEIGHT,
    width: 2 * WIDTH,
    height: 3,
    properties: {
      title: 'Alarms (promotion rolls back on the SLO ones)',
      alarms: [n.errorRateAlarm, n.latencyAlarm, n.fallbackAlarm, ...cacheAlarmNames].map(alarmArn),
    },
  });
  return { widgets };
}

/** CloudWatch answers a missing dashboard with DashboardNotFoundError (wire code ResourceNotFound). */
function missingAs<T>(fallback: T): (err: unknown) => T {
  const other = ifMissing(fallback);
  return (err) => (hasErrorName(err, 'DashboardNotFoundError') ? fallback : other(err));
}

const titleOf = (w: Widget) => String(w.properties.title);

/** One diff per widget that is new, changed or gone (by title). */
function widgetDiffs(want: DashboardBody, have: DashboardBody | undefined): FieldDiff[] {
  const current = new Map((have?.widgets ?? []).map((w) => [titleOf(w), w]));
  const diffs: FieldDiff[] = [];
  for (const w of want.widgets) {
    const c = current.get(titleOf(w));
    if (!c || canonicalJson(c) !== canonicalJson(w))
      diffs.push({ field: `widget ${titleOf(w)}`, from: c ? 'changed' : undefined, to: c ? 'updated' : 'added' });
    current.delete(titleOf(w));
  }
  for (const title of current.keys()) diffs.push({ field: `widget ${title}`, from: 'present', to: undefined });
  return diffs;
}

export const dashboard: ResourceModule<DashboardDesired, DashboardObserved> &
  StatusReport<DashboardDesired, DashboardObserved, DashboardStatus> = {
  kind: KIND,

  status(d, o) {
    return o ? { name: d.name, exists: true, url: d.url } : { name: d.name, exists: false };
  },

  desired(ctx) {
    const name = dashboardName(ctx);
    const url = `https://${ctx.region}.console.aws.amazon.com/cloudwatch/home?region=${ctx.region}#dashboards/dashboard/${name}`;
    return { name, body: dashboardBody(ctx), url };
  },

  async observe(ctx, d) {
    const out = await ctx.clients.cloudWatch
      .send(new GetDashboardCommand({ DashboardName: d.name }))
      .catch(missingAs(undefined));
    if (!out) return undefined;
    try {
      return { body: JSON.parse(out.DashboardBody ?? '') as DashboardBody };
    } catch {
      return {};
    }
  },

  plan(d, o) {
    if (!o)
      return change(KIND, d.name, 'create', [{ field: 'widgets', from: undefined, to: d.body.widgets.map(titleOf) }]);
    if (o.body && canonicalJson(o.body) === canonicalJson(d.body)) return change(KIND, d.name, 'no-change');
    const diffs = widgetDiffs(d.body, o.body);
    // Same widgets, different layout or order: still one update.
    return change(KIND, d.name, 'update', diffs.length ? diffs : [{ field: 'layout', from: 'changed', to: 'updated' }]);
  },

  async apply(ctx, plan, d) {
    if (plan.action === 'create' || plan.action === 'update') {
      const out = await ctx.clients.cloudWatch.send(
        new PutDashboardCommand({ DashboardName: d.name, DashboardBody: JSON.stringify(d.body) }),
      );
      for (const m of out?.DashboardValidationMessages ?? [])
        ctx.log.warn(`dashboard ${d.name}: ${m.DataPath ?? ''} ${m.Message ?? ''}`.trim());
    }
    return {
      dashboardName: d.name,
      dashboardUrl: d.url,
    };
  },

  async destroy(ctx, d) {
    await ctx.clients.cloudWatch
      .send(new DeleteDashboardsCommand({ DashboardNames: [d.name] }))
      .catch(missingAs(undefined));
  },
};
