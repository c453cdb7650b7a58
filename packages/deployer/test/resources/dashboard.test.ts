// The per-env CloudWatch dashboard: what it shows, that its body is
// deterministic (an unchanged env makes no call), drift, and destroy.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { DeleteDashboardsCommand, GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { DeployContext } from '../../src/context.js';
import { dashboard, dashboardBody } from '../../src/resources/dashboard.js';
import { mockAll, RELEASE_YAML, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';

let mocks: Mocks & { budgets: AwsStub<any, any, any> };
let ops: FakeOpsAws;
beforeEach(() => {
  mocks = { ...mockAll(), budgets: mockClient(BudgetsClient) };
  ops = new FakeOpsAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const names = () => mocks.cloudWatch.calls().map((c) => (c.args[0] as object).constructor.name);

async function run(ctx: DeployContext = testContext()) {
  const d = dashboard.desired(ctx, {});
  const o = await dashboard.observe(ctx, d);
  const plan = dashboard.plan(d, o);
  const out = await dashboard.apply(ctx, plan, d, o);
  return { plan, out };
}

/** Every [namespace, metric, stat] the widgets plot. */
function plotted(ctx: DeployContext): string[] {
  return dashboardBody(ctx).widgets.flatMap((w) =>
    ((w.properties.metrics as unknown[][] | undefined) ?? [])
      .filter((row) => typeof row[0] === 'string')
      .map((row) => {
        const opts = row[row.length - 1] as { stat?: string };
        return `${row[0]} ${row[1]} ${opts.stat ?? w.properties.stat}`;
      }),
  );
}

describe('cloudwatch dashboard', () => {
  it('shows invocations, latency p50/p95/p99, 4xx/5xx, CPU/memory, instances, Lambda errors/duration, API Gateway 4xx/5xx and the alarms', () => {
    const ctx = testContext();
    expect(plotted(ctx)).toEqual(
      expect.arrayContaining([
        'AWS/SageMaker Invocations Sum',
        'AWS/SageMaker ModelLatency p50',
        'AWS/SageMaker ModelLatency p95',
        'AWS/SageMaker ModelLatency p99',
        'AWS/SageMaker Invocation4XXErrors Sum',
        'AWS/SageMaker Invocation5XXErrors Sum',
        '/aws/sagemaker/Endpoints CPUUtilization Average',
        '/aws/sagemaker/Endpoints MemoryUtilization Average',
        'AWS/SageMaker InvocationsPerInstance Sum',
        'AWS/Lambda Errors Sum',
        'AWS/Lambda Duration p50',
        'AWS/Lambda Duration p99',
        'AWS/ApiGateway 4XXError Sum',
        'AWS/ApiGateway 5XXError Sum',
      ]),
    );
    const body = JSON.stringify(dashboardBody(ctx));
    // Scoped to this env's resources by their deterministic names.
    expect(body).toContain('"EndpointName","ms-iris-dev","VariantName","AllTraffic"');
    expect(body).toContain('"FunctionName","ms-iris-dev-proxy"');
    expect(body).toContain('"ApiName","ms-iris-dev-api","Stage","dev"');
    expect(body).toContain('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ms-iris-dev-p95-latency');
    // The SLO line is in ModelLatency's unit (microseconds), like the alarm.
    expect(body).toContain('{"label":"SLO p95","value":500000}');
    const prod = JSON.stringify(dashboardBody(testContext({ env: 'prod' })));
    expect(prod).toContain('{"label":"min instances","value":2},{"label":"max instances","value":4}');
  });

  it("plots the service's own metrics (the runtime's EMF lines) on the dimensions the runtime writes", () => {
    const ctx = testContext();
    expect(plotted(ctx)).toEqual(
      expect.arrayContaining([
        'ModelService PredictLatency p50',
        'ModelService PredictLatency p99',
        'ModelService CacheHits Sum',
        'ModelService CacheMisses Sum',
        'ModelService FallbackAnswers Sum',
      ]),
    );
    // No batching in this release.yaml: no queue wait or batch size to show.
    expect(plotted(ctx).filter((p) => /QueueWait|BatchSize/.test(p))).toEqual([]);
    const body = JSON.stringify(dashboardBody(ctx));
    expect(body).toContain(
      '"ModelService","PredictLatency","Service","iris","Environment","dev","Variant","AllTraffic"',
    );
    expect(body).toContain('IF(hits + misses > 0, 100 * hits / (hits + misses), 0)');
    // 4xx by code: one line per Code the service answered, found by SEARCH.
    expect(body).toContain(
      String.raw`SEARCH('{ModelService,Code,Environment,Service,Variant} MetricName=\"ClientErrors\" Service=\"iris\" Environment=\"dev\" Variant=\"AllTraffic\"', 'Sum', 60)`,
    );
    expect(body).toContain('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ms-iris-dev-fallback-answers');

    const batched = testContext({
      yaml: `${RELEASE_YAML}cache: { kind: off }\nruntime: { batching: { enabled: true } }\n`,
    });
    const titles = dashboardBody(batched).widgets.map((w) => String(w.properties.title));
    expect(titles).not.toContain('Service cache hit rate (%)');
    expect(titles).toContain('Service batch size (instances per predict call)');
    expect(plotted(batched)).toEqual(
      expect.arrayContaining(['ModelService QueueWait p99', 'ModelService BatchSize Average']),
    );
  });

  it("plots a provisioned cache's memory, evictions, ECPU and throttled commands, and lists its alarms", () => {
    const vpc = 'vpc: { subnetIds: [subnet-1a2b3c4d], securityGroupIds: [sg-0123abcd] }';
    const redis = testContext({ yaml: `${RELEASE_YAML}cache: { kind: redis }\n${vpc}\n` });
    expect(plotted(redis)).toEqual(
      expect.arrayContaining([
        'AWS/ElastiCache BytesUsedForCache Maximum',
        'AWS/ElastiCache Evictions Sum',
        'AWS/ElastiCache ElastiCacheProcessingUnits Sum',
        'AWS/ElastiCache ThrottledCmds Sum',
        'ModelService CacheHits Sum',
      ]),
    );
    const body = JSON.stringify(dashboardBody(redis));
    expect(body).toContain('"AWS/ElastiCache","BytesUsedForCache","clusterId","ms-iris-dev-cache"');
    for (const alarm of ['memory', 'evictions', 'throttled', 'ecpu'])
      expect(body).toContain(`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ms-iris-dev-cache-${alarm}`);
    // A memory cache or an existing endpoint: nothing provisioned to plot.
    const existing = testContext({
      yaml: `${RELEASE_YAML}cache: { kind: redis, endpoint: "rediss://cache.example.internal:6379" }\n`,
    });
    for (const ctx of [testContext(), existing]) {
      expect(plotted(ctx).filter((p) => p.startsWith('AWS/ElastiCache'))).toEqual([]);
      expect(JSON.stringify(dashboardBody(ctx))).not.toContain('-cache-memory');
    }
  });

  it('the body is deterministic: built twice, byte for byte the same', () => {
    expect(JSON.stringify(dashboardBody(testContext()))).toBe(JSON.stringify(dashboardBody(testContext())));
  });

  it('creates it once with PutDashboard; a second run makes only the GetDashboard read', async () => {
    const first = await run();
    expect(first.plan.action).toBe('create');
    expect(first.out.dashboardUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/ms-iris-dev',
    );
    expect(mocks.cloudWatch.commandCalls(PutDashboardCommand)[0]!.args[0].input.DashboardName).toBe('ms-iris-dev');
    mocks.cloudWatch.resetHistory();
    const second = await run();
    expect(second.plan).toMatchObject({ action: 'no-change', diffs: [] });
    expect(names()).toEqual(['GetDashboardCommand']);
  });

  it('AWS may return the body with keys in another order: still no change', async () => {
    await run();
    const stored = JSON.parse(ops.dashboards.get('ms-iris-dev')!) as { widgets: Record<string, unknown>[] };
    const reordered = { widgets: stored.widgets.map((w) => Object.fromEntries(Object.entries(w).reverse())) };
    ops.dashboards.set('ms-iris-dev', JSON.stringify(reordered, null, 2));
    mocks.cloudWatch.resetHistory();
    expect((await run()).plan.action).toBe('no-change');
    expect(names()).toEqual(['GetDashboardCommand']);
  });

  it('a widget edited or removed in the console is put back, and the plan names it', async () => {
    await run();
    const stored = JSON.parse(ops.dashboards.get('ms-iris-dev')!) as {
      widgets: { properties: { title: string; period?: number } }[];
    };
    stored.widgets[0]!.properties.period = 300;
    stored.widgets.splice(1, 1);
    ops.dashboards.set('ms-iris-dev', JSON.stringify(stored));
    const { plan } = await run();
    expect(plan.action).toBe('update');
    expect(plan.diffs.map((d) => [d.field, d.to])).toEqual([
      ['widget Endpoint invocations', 'updated'],
      ['widget Model latency p50 / p95 / p99 (microseconds)', 'added'],
    ]);
    expect(JSON.parse(ops.dashboards.get('ms-iris-dev')!)).toEqual(dashboardBody(testContext()));
  });

  it('a changed SLO in release.yaml updates the dashboard', async () => {
    await run();
    const { plan } = await run(testContext({ yaml: RELEASE_YAML.replace('p95LatencyMs: 500', 'p95LatencyMs: 250') }));
    expect(plan.action).toBe('update');
    expect(ops.dashboards.get('ms-iris-dev')).toContain('"value":250000');
  });

  it('plan on an empty account is read-only; destroy deletes it, and a dashboard already gone is fine', async () => {
    const ctx = testContext({ dryRun: true });
    const d = dashboard.desired(ctx, {});
    expect(dashboard.plan(d, await dashboard.observe(ctx, d)).action).toBe('create');
    expect(names()).toEqual(['GetDashboardCommand']);
    await run();
    await dashboard.destroy!(testContext(), d);
    expect(ops.dashboards.size).toBe(0);
    await expect(dashboard.destroy!(testContext(), d)).resolves.toBeUndefined();
    expect(mocks.cloudWatch.commandCalls(DeleteDashboardsCommand)).toHaveLength(2);
    expect(mocks.cloudWatch.commandCalls(GetDashboardCommand).length).toBeGreaterThan(0);
  });
});
