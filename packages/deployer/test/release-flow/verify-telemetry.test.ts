// verify's CloudWatch checks against aws-sdk-client-mock with the SDK's real
// request and error shapes: each check passes, fails with its id and what to do,
// polls with a bounded deadline (fake clock), and skips with a reason on the local chain.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  ResourceNotFoundException,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  ERROR_JSON_PATTERN,
  ERROR_TEXT_PATTERN,
  pollUntil,
  runTelemetryChecks,
  TELEMETRY_CHECK_IDS,
  type TelemetryTarget,
} from '../../src/checks/verify-telemetry.js';

const EP_GROUP = '/aws/sagemaker/Endpoints/ms-iris-dev';
const FN_GROUP = '/aws/lambda/ms-iris-dev-proxy';
const DEPLOYED = new Date('2026-11-25T09:00:00Z');
const START = new Date('2026-11-25T10:00:05Z');
const END = new Date('2026-11-25T10:00:35Z');
const IDS = ['verify-ab12cd34-2', 'verify-ab12cd34-4', 'verify-ab12cd34-5'];

let logs: AwsStub<any, any, any>;
let cw: AwsStub<any, any, any>;
let clock: number;
let sleeps: number[];

function target(extra: Partial<TelemetryTarget> = {}): TelemetryTarget {
  return {
    env: 'dev',
    endpointName: 'ms-iris-dev',
    variantName: 'AllTraffic',
    functionName: 'ms-iris-dev-proxy',
    endpointLogGroup: EP_GROUP,
    lambdaLogGroup: FN_GROUP,
    deployedAt: DEPLOYED,
    trafficStart: START,
    trafficEnd: END,
    requestIds: IDS,
    limits: { maxCpuUtilization: 80, maxMemoryUtilization: 80 },
    logs: new CloudWatchLogsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    poll: {
      timeoutMs: 60_000,
      intervalMs: 15_000,
      now: () => clock,
      sleep: async (ms) => void (sleeps.push(ms), (clock += ms)),
    },
    ...extra,
  };
}

const notFound = (group: string) =>
  new ResourceNotFoundException({
    message: `The specified log group does not exist: ${group}`,
    $metadata: { httpStatusCode: 400, requestId: 'req-nf', attempts: 1, totalRetryDelay: 0 },
  });

function stream(name: string, lastEvent: Date) {
  return {
    logStreamName: name,
    creationTime: DEPLOYED.getTime(),
    firstEventTimestamp: DEPLOYED.getTime(),
    lastEventTimestamp: lastEvent.getTime(),
    lastIngestionTime: lastEvent.getTime() + 500,
    arn: `arn:aws:logs:eu-west-1:123456789012:log-group:x:log-stream:${name}`,
    storedBytes: 0,
  };
}

function event(group: string, message: string) {
  return {
    logStreamName: 'AllTraffic/i-0abc',
    timestamp: END.getTime(),
    ingestionTime: END.getTime() + 800,
    message,
    eventId: `${group}-${message.length}`,
  };
}

/** Healthy CloudWatch: fresh streams, no errors, every request id logged by the proxy, metrics present. */
function healthy() {
  logs
    .on(DescribeLogStreamsCommand, { logGroupName: EP_GROUP })
    .resolves({ logStreams: [stream('AllTraffic/i-0abc', END)] });
  logs
    .on(DescribeLogStreamsCommand, { logGroupName: FN_GROUP })
    .resolves({ logStreams: [stream('2026/11/25/[$LATEST]abc', END)] });
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    if (input.filterPattern?.includes('verify-') && input.logGroupName === FN_GROUP) {
      return {
        events: IDS.map((id) =>
          event(FN_GROUP, JSON.stringify({ level: 'info', msg: 'request', requestId: id, status: 200 })),
        ),
        searchedLogStreams: [],
      };
    }
    return { events: [], searchedLogStreams: [] };
  });
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => ({
      Id: q.Id,
      Label: q.MetricStat!.Metric!.MetricName,
      StatusCode: 'Complete',
      Timestamps: [START],
      Values: [{ invocations: 42, latency: 3100, lambdaErrors: 0, cpu: 35.5, memory: 21 }[q.Id!]!],
    })),
    Messages: [],
  }));
}

const byId = (results: Awaited<ReturnType<typeof runTelemetryChecks>>) =>
  Object.fromEntries(results.map((r) => [r.id, r]));

beforeEach(() => {
  logs = mockClient(CloudWatchLogsClient);
  cw = mockClient(CloudWatchClient);
  clock = END.getTime() + 1000;
  sleeps = [];
});
afterEach(() => {
  logs.restore();
  cw.restore();
});

describe('verify telemetry checks', () => {
  it('all pass on healthy logs and metrics, with the SDK requests they need', async () => {
    healthy();
    const results = await runTelemetryChecks(target());
    expect(results.map((r) => [r.id, r.status])).toEqual(TELEMETRY_CHECK_IDS.map((id) => [id, 'pass']));
    const r = byId(results);
    expect(r['verify.metrics']!.message).toBe(
      '42 invocations, ModelLatency avg 3.1 ms over 1 datapoint(s), Lambda Errors 0',
    );
    expect(r['verify.logs.requests']!.message).toMatch(
      /^3\/3 of verify's request ids found in \/aws\/lambda\/ms-iris-dev-proxy; 0\/3 also in/,
    );
    expect(sleeps).toEqual([]);
    // Errors are searched from the deploy, request ids from verify's traffic.
    const filters = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(
      filters.filter((f) => f.filterPattern!.includes('level')).every((f) => f.startTime === DEPLOYED.getTime()),
    ).toBe(true);
    expect(filters.find((f) => f.filterPattern!.includes('verify-'))).toMatchObject({
      logGroupName: FN_GROUP,
      startTime: START.getTime(),
      filterPattern: IDS.map((id) => `?"${id}"`).join(' '),
    });
    const metricQuery = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(metricQuery.MetricDataQueries![0]).toEqual({
      Id: 'invocations',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SageMaker',
          MetricName: 'Invocations',
          Dimensions: [
            { Name: 'EndpointName', Value: 'ms-iris-dev' },
            { Name: 'VariantName', Value: 'AllTraffic' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
    expect(metricQuery.StartTime).toEqual(new Date('2026-11-25T10:00:00Z'));
    const util = cw
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.MetricDataQueries![0]!.Id === 'cpu')!;
    expect(
      util.MetricDataQueries!.map(
        (q) => `${q.MetricStat!.Metric!.Namespace} ${q.MetricStat!.Metric!.MetricName} ${q.MetricStat!.Stat}`,
      ),
    ).toEqual([
      '/aws/sagemaker/Endpoints CPUUtilization Maximum',
      '/aws/sagemaker/Endpoints MemoryUtilization Maximum',
    ]);
  });

  it('verify.logs.exist fails when a log group is missing, and after the deadline when no stream is fresh', async () => {
    healthy();
    logs.on(DescribeLogStreamsCommand, { logGroupName: EP_GROUP }).rejects(notFound(EP_GROUP));
    const missing = byId(await runTelemetryChecks(target()))['verify.logs.exist']!;
    expect(missing).toMatchObject({
      id: 'verify.logs.exist',
      status: 'fail',
      message: `log group ${EP_GROUP} does not exist (waited 60 s)`,
      fix: expect.stringContaining('model-deploy up dev'),
    });

    logs
      .on(DescribeLogStreamsCommand, { logGroupName: EP_GROUP })
      .resolves({ logStreams: [stream('AllTraffic/i-0abc', DEPLOYED)] });
    sleeps = [];
    const stale = byId(await runTelemetryChecks(target()))['verify.logs.exist']!;
    expect(stale.status).toBe('fail');
    expect(stale.message).toMatch(
      /^no log stream written since verify's traffic started after waiting 60 s: \/aws\/sagemaker\/Endpoints\/ms-iris-dev \(newest event 2026-11-25T09:00:00.000Z\)/,
    );
    expect(stale.fix).toMatch(/--telemetry-timeout/);
    // Bounded: 60 s at 15 s intervals is 4 waits, never more.
    expect(sleeps).toEqual([15_000, 15_000, 15_000, 15_000]);
  });

  it('verify.logs.exist passes once the stream turns fresh while polling', async () => {
    healthy();
    let calls = 0;
    logs
      .on(DescribeLogStreamsCommand, { logGroupName: FN_GROUP })
      .callsFake(() => ({ logStreams: [stream('s', (calls += 1) < 3 ? DEPLOYED : END)] }));
    const result = byId(await runTelemetryChecks(target()))['verify.logs.exist']!;
    expect(result.status).toBe('pass');
    expect(calls).toBe(3);
  });

  it('verify.logs.errors fails on an error-level JSON line or a Lambda platform error, quoting it', async () => {
    healthy();
    logs
      .on(FilterLogEventsCommand, { logGroupName: EP_GROUP, filterPattern: ERROR_JSON_PATTERN })
      .resolves({ events: [event(EP_GROUP, '{"level":50,"msg":"model failed","requestId":"r1"}')] });
    logs.on(FilterLogEventsCommand, { logGroupName: FN_GROUP, filterPattern: ERROR_TEXT_PATTERN }).resolves({
      events: [
        event(
          FN_GROUP,
          '2026-11-25T10:00:10.000Z\tabc\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom"}',
        ),
      ],
    });
    const result = byId(await runTelemetryChecks(target()))['verify.logs.errors']!;
    expect(result).toMatchObject({
      id: 'verify.logs.errors',
      status: 'fail',
      fix: expect.stringContaining('filter-log-events'),
    });
    expect(result.message).toMatch(
      /^2 error-level line\(s\) since the deploy, e\.g\. \/aws\/sagemaker\/Endpoints\/ms-iris-dev: \{"level":50,"msg":"model failed".*Invoke Error/,
    );
    // The patterns as CloudWatch gets them: JSON levels in both spellings, Lambda's tab-separated error lines.
    expect(ERROR_JSON_PATTERN).toContain('$.level = "ERROR"');
    expect(ERROR_TEXT_PATTERN.startsWith('?"Invoke Error"')).toBe(true);
  });

  it("verify.logs.requests fails when verify's ids never reach the proxy's log, and skips when nothing reached the model", async () => {
    healthy();
    logs
      .on(FilterLogEventsCommand)
      .resolves({ events: [event(FN_GROUP, JSON.stringify({ level: 'info', msg: 'request', requestId: IDS[0] }))] });
    const result = byId(
      await runTelemetryChecks(
        target({
          poll: { timeoutMs: 20_000, intervalMs: 15_000, now: () => clock, sleep: async (ms) => void (clock += ms) },
        }),
      ),
    )['verify.logs.requests']!;
    expect(result).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^after 15 s, 2\/3 of verify's request ids are not in \/aws\/lambda\/ms-iris-dev-proxy \(verify-ab12cd34-4, verify-ab12cd34-5\)/,
      ),
    });
    expect(byId(await runTelemetryChecks(target({ requestIds: [] })))['verify.logs.requests']).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('no request that reached the model'),
    });
  });

  it('verify.metrics fails on Lambda Errors and when datapoints never arrive', async () => {
    healthy();
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => ({
        Id: q.Id,
        StatusCode: 'Complete',
        Timestamps: [START],
        Values: [{ invocations: 40, latency: 2000, lambdaErrors: 2, cpu: 10, memory: 10 }[q.Id!]!],
      })),
    }));
    expect(byId(await runTelemetryChecks(target()))['verify.metrics']).toMatchObject({
      status: 'fail',
      message: 'Lambda Errors = 2 for ms-iris-dev-proxy during verify',
      fix: expect.stringContaining('/aws/lambda/ms-iris-dev-proxy'),
    });

    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'invocations', StatusCode: 'Complete', Timestamps: [], Values: [] },
        { Id: 'latency', StatusCode: 'Complete', Timestamps: [], Values: [] },
        { Id: 'lambdaErrors', StatusCode: 'Complete', Timestamps: [], Values: [] },
      ],
    });
    const none = byId(await runTelemetryChecks(target()));
    expect(none['verify.metrics']).toMatchObject({
      status: 'fail',
      message: 'no Invocations and ModelLatency datapoints for ms-iris-dev/AllTraffic after waiting 60 s',
    });
    // One deadline for all: metrics used it up, so utilization looks once and does not wait again.
    expect(none['verify.utilization']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^no CPUUtilization\/MemoryUtilization datapoints .* after waiting 0 s/),
    });
  });

  it('verify.utilization fails when CPU or memory during the load exceed release.yaml limits', async () => {
    healthy();
    const result = byId(
      await runTelemetryChecks(target({ limits: { maxCpuUtilization: 30, maxMemoryUtilization: 20 } })),
    )['verify.utilization']!;
    expect(result).toMatchObject({
      status: 'fail',
      message: "during verify's load: CPU 35.5% > 30%, memory 21.0% > 20%",
      fix: expect.stringContaining('slo.maxCpuUtilization'),
    });
  });

  it('verify.utilization skips a serverless endpoint (no instances publish CPU or memory) without reading them', async () => {
    healthy();
    const results = byId(await runTelemetryChecks(target({ serverless: true })));
    expect(results['verify.utilization']).toMatchObject({
      status: 'skip',
      message: 'serverless endpoint (no instances)',
    });
    const asked = cw
      .commandCalls(GetMetricDataCommand)
      .flatMap((c) => (c.args[0].input as GetMetricDataCommandInput).MetricDataQueries ?? [])
      .map((q) => q.MetricStat?.Metric?.MetricName);
    expect(asked).not.toContain('CPUUtilization');
    expect(results['verify.metrics']!.status).toBe('pass');
  });

  it('a CloudWatch error fails the check with the permission to grant, not a crash', async () => {
    healthy();
    cw.on(GetMetricDataCommand).rejects(
      new CloudWatchServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:GetMetricData',
        $metadata: { httpStatusCode: 403, requestId: 'req-ad', attempts: 1, totalRetryDelay: 0 },
      }),
    );
    const result = byId(await runTelemetryChecks(target()))['verify.metrics']!;
    expect(result).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('cannot read CloudWatch: AccessDenied'),
      fix: expect.stringContaining('cloudwatch:GetMetricData'),
    });
  });

  it('skips every check with the reason on the local chain, calling nothing', async () => {
    const results = await runTelemetryChecks(target({ skipReason: 'local chain: no CloudWatch' }));
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual(
      TELEMETRY_CHECK_IDS.map((id) => [id, 'skip', 'local chain: no CloudWatch']),
    );
    expect(logs.calls()).toHaveLength(0);
    expect(cw.calls()).toHaveLength(0);
  });
});

describe("verify.metrics reads the service's own metrics (the runtime's EMF lines)", () => {
  const SERVICE = { Service: 'iris', Environment: 'dev', Variant: 'AllTraffic' };
  const serviceMetrics = { namespace: 'ModelService', dimensions: SERVICE };
  const dims = (extra: Record<string, string> = {}) =>
    Object.entries({ ...SERVICE, ...extra }).map(([Name, Value]) => ({ Name, Value }));

  /** SageMaker's metrics present; the service's from `service` (query id -> value; absent = no datapoint). */
  function metricsAnswer(service: Record<string, number>) {
    const values: Record<string, number> = { invocations: 42, latency: 3100, lambdaErrors: 0, cpu: 35.5, memory: 21 };
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => {
        const dimension = q.MetricStat!.Metric!.Dimensions!.find((d) => d.Name === 'Code');
        const v = dimension ? service[`code:${dimension.Value}`] : (values[q.Id!] ?? service[q.Id!]);
        return {
          Id: q.Id,
          Label: q.MetricStat!.Metric!.MetricName,
          StatusCode: 'Complete',
          Timestamps: v === undefined ? [] : [START],
          Values: v === undefined ? [] : [v],
        };
      }),
      Messages: [],
    }));
  }

  function listed(...codes: string[][]) {
    // One page per argument, as ListMetrics pages them with NextToken.
    codes.forEach((page, i) => {
      cw.on(ListMetricsCommand, { ...(i > 0 ? { NextToken: `t${i}` } : {}) }, false).resolves({
        Metrics: page.map((Value) => ({
          Namespace: 'ModelService',
          MetricName: 'ClientErrors',
          Dimensions: dims({ Code: Value }),
        })),
        ...(i < codes.length - 1 ? { NextToken: `t${i + 1}` } : {}),
      });
    });
  }

  it('passes with PredictLatency, the cache hit count, no fallback answer and the 4xx by code', async () => {
    healthy();
    metricsAnswer({
      predict: 1.75,
      hits: 3,
      misses: 1,
      fallbacks: 0,
      'code:MS_RUNTIME_INVALID_INPUT': 2,
      'code:MS_RUNTIME_NOT_FOUND': 0,
    });
    listed(['MS_RUNTIME_INVALID_INPUT'], ['MS_RUNTIME_NOT_FOUND']);
    const result = byId(await runTelemetryChecks(target({ serviceMetrics })))['verify.metrics']!;
    expect(result).toMatchObject({
      status: 'pass',
      message:
        '42 invocations, ModelLatency avg 3.1 ms over 1 datapoint(s), Lambda Errors 0; ModelService: PredictLatency avg 1.8 ms, cache hits 3/4, fallback answers 0, 4xx MS_RUNTIME_INVALID_INPUT=2',
    });
    const list = cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(list).toEqual([
      { Namespace: 'ModelService', MetricName: 'ClientErrors', Dimensions: dims() },
      { Namespace: 'ModelService', MetricName: 'ClientErrors', Dimensions: dims(), NextToken: 't1' },
    ]);
    const first = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(first.MetricDataQueries!.find((q) => q.Id === 'predict')).toEqual({
      Id: 'predict',
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: 'ModelService', MetricName: 'PredictLatency', Dimensions: dims() },
        Period: 60,
        Stat: 'Average',
      },
    });
  });

  it('fails when the model answered from its fallback rules during verify', async () => {
    healthy();
    metricsAnswer({ predict: 2, hits: 0, misses: 4, fallbacks: 3 });
    listed([]);
    expect(byId(await runTelemetryChecks(target({ serviceMetrics })))['verify.metrics']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^FallbackAnswers = 3 during verify: the model failed/),
      fix: expect.stringContaining(EP_GROUP),
    });
  });

  it("fails, after polling, when SageMaker's metrics arrive but the service writes none", async () => {
    healthy();
    metricsAnswer({});
    listed([]);
    const result = byId(await runTelemetryChecks(target({ serviceMetrics })))['verify.metrics']!;
    expect(result).toMatchObject({
      status: 'fail',
      message:
        "no ModelService PredictLatency datapoints for Service=iris Environment=dev Variant=AllTraffic after waiting 60 s (SageMaker's metrics arrived)",
      fix: expect.stringContaining('MS_METRICS_EMF=true'),
    });
    expect(sleeps.length).toBeGreaterThan(0);
  });
});

describe('pollUntil', () => {
  it('stops at the deadline even when the clock does not move', async () => {
    let attempts = 0;
    const out = await pollUntil(
      { timeoutMs: 45_000, intervalMs: 15_000, now: () => 0, sleep: async () => {} },
      async () => ((attempts += 1), { done: false, value: attempts }),
    );
    expect(out).toMatchObject({ timedOut: true, value: 4 });
  });
});
