// verify reads the logs and metrics, not only the responses. After verify's own
// traffic, CloudWatch must show it: fresh log streams (endpoint + Lambda), no
// error-level line since the deploy, verify's request ids in the Lambda's log,
// Invocations/ModelLatency datapoints for the variant with zero Lambda Errors,
// the service's own metrics (the runtime's EMF lines) with no fallback answer,
// and CPU/memory during the load under release.yaml's limits. CloudWatch lags
// (logs by seconds, metrics by minutes), so each check polls, bounded by a
// deadline, and says so when the deadline passes.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLogStreamsCommand,
  paginateFilterLogEvents,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { findFirst } from '../aws/pages.js';
import type { CheckInfo, CheckResult } from './check.js';
import { NO_INSTANCES } from '../resources/serverless.js';
import { metricData, query } from './cloudwatch-metric-data.js';
import { clientErrorCodes, serviceMetricQueries, type ServiceMetricsTarget } from './verify-service-metrics.js';

export interface PollOptions {
  /** Give up after this long (the message says so). */
  timeoutMs: number;
  intervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface TelemetryTarget {
  env: string;
  endpointName: string;
  variantName: string;
  functionName: string;
  endpointLogGroup: string;
  lambdaLogGroup: string;
  /** When the endpoint was last deployed: errors count from here. */
  deployedAt: Date;
  /** When verify's traffic started and ended. */
  trafficStart: Date;
  trafficEnd: Date;
  /** The X-Request-Id values verify sent that reached the model. */
  requestIds: readonly string[];
  limits: { maxCpuUtilization: number; maxMemoryUtilization: number };
  /** A serverless endpoint publishes no per-instance CPU/memory: verify.utilization skips. */
  serverless?: boolean;
  logs: CloudWatchLogsClient;
  cloudWatch: CloudWatchClient;
  poll: PollOptions;
  /** The service's own metrics (EMF, written by the runtime in SageMaker); absent: not read. */
  serviceMetrics?: ServiceMetricsTarget;
  /** Set when there is no CloudWatch to read (the local chain): every check skips with it. */
  skipReason?: string;
}

export interface TelemetryResult extends CheckResult {
  id: string;
  title: string;
}

/** A check on what CloudWatch saw of verify's traffic. */
export interface TelemetryCheck extends CheckInfo {
  description: string;
  run(t: TelemetryTarget): Promise<CheckResult>;
}

/** How many ids logs.requests looks for (a sample is enough; the filter pattern stays short). */
export const REQUEST_ID_SAMPLE = 5;
/** pino's numeric levels, our proxy's names, and Lambda's JSON log format (upper case). */
export const ERROR_JSON_PATTERN =
  '{ $.level = "error" || $.level = "fatal" || $.level = "ERROR" || $.level = "FATAL" || $.level = 50 || $.level = 60 }';
/** Lambda runtime and platform failures are text lines ("<time>\t<id>\tERROR\tInvoke Error ..."), not JSON. */
export const ERROR_TEXT_PATTERN =
  '?"Invoke Error" ?"Task timed out" ?"Runtime.ExitError" ?"Runtime.ImportModuleError" ?"Runtime.UnhandledPromiseRejection"';

const real = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), now: () => Date.now() };

/** Calls `attempt` until it reports done or the deadline passes; returns the last value and whether it timed out. */
export async function pollUntil<T>(
  poll: PollOptions,
  attempt: () => Promise<{ done: boolean; value: T }>,
): Promise<{ value: T; timedOut: boolean; waitedMs: number }> {
  const sleep = poll.sleep ?? real.sleep;
  const now = poll.now ?? real.now;
  const started = now();
  // Bounded twice: by the deadline and by a count (a clock that does not move cannot loop forever).
  const maxAttempts = Math.max(1, Math.ceil(poll.timeoutMs / Math.max(1, poll.intervalMs)) + 1);
  let last = await attempt();
  for (let i = 1; !last.done && i < maxAttempts && now() - started + poll.intervalMs <= poll.timeoutMs; i += 1) {
    await sleep(poll.intervalMs);
    last = await attempt();
  }
  return { value: last.value, timedOut: !last.done, waitedMs: now() - started };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

const notFound = (err: unknown) => (err as { name?: string }).name === 'ResourceNotFoundException';

async function freshStream(
  t: TelemetryTarget,
  group: string,
): Promise<{ fresh?: string; last?: number; missing?: boolean }> {
  try {
    const out = await t.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 5 }),
    );
    const newest = out.logStreams?.[0];
    const last = newest?.lastEventTimestamp ?? newest?.lastIngestionTime;
    return { last, fresh: last !== undefined && last >= t.trafficStart.getTime() ? newest?.logStreamName : undefined };
  } catch (err) {
    if (notFound(err)) return { missing: true };
    throw err;
  }
}

async function logsExist(t: TelemetryTarget): Promise<CheckResult> {
  const groups = [t.endpointLogGroup, t.lambdaLogGroup];
  const { value, timedOut, waitedMs } = await pollUntil(t.poll, async () => {
    const found = await Promise.all(groups.map((g) => freshStream(t, g)));
    // A missing group may still appear (Lambda creates it on first use): keep polling until the deadline.
    return { done: found.every((f) => f.fresh), value: found };
  });
  const missing = groups.filter((_, i) => value[i]!.missing);
  if (missing.length > 0) {
    return {
      status: 'fail',
      message: `log group ${missing.join(' and ')} does not exist (waited ${seconds(waitedMs)})`,
      fix: `The endpoint/Lambda never wrote a log line, or their role may not write logs: run \`model-deploy up ${t.env}\` (it grants logs:CreateLogStream/PutLogEvents) and check the container starts.`,
    };
  }
  if (timedOut) {
    const stale = groups
      .filter((_, i) => !value[i]!.fresh)
      .map((g, i) => `${g} (newest event ${value[i]?.last ? new Date(value[i]!.last!).toISOString() : 'never'})`);
    return {
      status: 'fail',
      message: `no log stream written since verify's traffic started after waiting ${seconds(waitedMs)}: ${stale.join(', ')}`,
      fix: 'CloudWatch usually shows logs within a minute: re-run verify (--telemetry-timeout raises the wait); if it persists, the service is not logging to stdout.',
    };
  }
  return { status: 'pass', message: groups.map((g, i) => `${g}: ${value[i]!.fresh}`).join('; ') };
}

async function filterAll(
  t: TelemetryTarget,
  group: string,
  filterPattern: string,
  startTime: number,
  limit: number,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  await findFirst(
    paginateFilterLogEvents({ client: t.logs }, { logGroupName: group, filterPattern, startTime, limit }),
    (page) => {
      events.push(...(page.events ?? []));
      return events.length >= limit ? events : undefined;
    },
  );
  return events.slice(0, limit);
}

async function logErrors(t: TelemetryTarget): Promise<CheckResult> {
  const since = t.deployedAt.getTime();
  const found: string[] = [];
  for (const group of [t.endpointLogGroup, t.lambdaLogGroup]) {
    for (const pattern of [ERROR_JSON_PATTERN, ERROR_TEXT_PATTERN]) {
      try {
        for (const e of await filterAll(t, group, pattern, since, 5))
          found.push(`${group}: ${(e.message ?? '').trim().slice(0, 200)}`);
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    }
  }
  if (found.length === 0)
    return {
      status: 'pass',
      message: `no error-level line in ${t.endpointLogGroup} or ${t.lambdaLogGroup} since ${t.deployedAt.toISOString()}`,
    };
  return {
    status: 'fail',
    message: `${found.length}${found.length >= 20 ? '+' : ''} error-level line(s) since the deploy, e.g. ${found.slice(0, 2).join(' | ')}`,
    fix: `Read them: aws logs filter-log-events --log-group-name <group> --filter-pattern '${ERROR_JSON_PATTERN}' (or '${ERROR_TEXT_PATTERN}'). Fix the cause and redeploy; errors after a deploy are what a rollback is for.`,
  };
}

async function logRequests(t: TelemetryTarget): Promise<CheckResult> {
  const sample = t.requestIds.slice(0, REQUEST_ID_SAMPLE);
  if (sample.length === 0)
    return { status: 'skip', message: 'verify sent no request that reached the model (see the auth checks)' };
  const pattern = sample.map((id) => `?"${id}"`).join(' ');
  const start = t.trafficStart.getTime();
  const seenIn = async (group: string) => {
    try {
      const events = await filterAll(t, group, pattern, start, 50);
      return new Set(sample.filter((id) => events.some((e) => e.message?.includes(id))));
    } catch (err) {
      if (notFound(err)) return new Set<string>();
      throw err;
    }
  };
  const { value, timedOut, waitedMs } = await pollUntil(t.poll, async () => {
    const lambda = await seenIn(t.lambdaLogGroup);
    return { done: lambda.size === sample.length, value: lambda };
  });
  const endpoint = await seenIn(t.endpointLogGroup);
  const also = `; ${endpoint.size}/${sample.length} also in ${t.endpointLogGroup}`;
  if (!timedOut)
    return {
      status: 'pass',
      message: `${sample.length}/${sample.length} of verify's request ids found in ${t.lambdaLogGroup}${also}`,
    };
  const missing = sample.filter((id) => !value.has(id));
  return {
    status: 'fail',
    message: `after ${seconds(waitedMs)}, ${missing.length}/${sample.length} of verify's request ids are not in ${t.lambdaLogGroup} (${missing.slice(0, 3).join(', ')})${also}`,
    fix: 'The proxy logs one JSON line per request with its requestId: check the deployed Lambda is this version (`model-deploy up`) and that its log group is the one verify reads.',
  };
}

/** Minute-aligned window around verify's traffic (datapoints are per minute). */
function window(t: TelemetryTarget, now: number): { start: Date; end: Date } {
  const minute = 60_000;
  return {
    start: new Date(Math.floor(t.trafficStart.getTime() / minute) * minute),
    end: new Date(Math.max(now, t.trafficEnd.getTime()) + minute),
  };
}

async function metrics(t: TelemetryTarget): Promise<CheckResult> {
  const variant = { EndpointName: t.endpointName, VariantName: t.variantName };
  const service = t.serviceMetrics;
  const queries = [
    query('invocations', 'AWS/SageMaker', 'Invocations', variant, 'Sum'),
    query('latency', 'AWS/SageMaker', 'ModelLatency', variant, 'Average'),
    query('lambdaErrors', 'AWS/Lambda', 'Errors', { FunctionName: t.functionName }, 'Sum'),
    ...(service ? serviceMetricQueries(service) : []),
  ];
  const now = t.poll.now ?? real.now;
  const { value, timedOut, waitedMs } = await pollUntil(t.poll, async () => {
    const { start, end } = window(t, now());
    const v = await metricData(t, queries, start, end);
    // The runtime writes its metrics once a minute, so they may come a minute after SageMaker's.
    const serviceSeen = !service || v.get('predict')!.length > 0;
    return { done: v.get('invocations')!.length > 0 && v.get('latency')!.length > 0 && serviceSeen, value: v };
  });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // Read whatever the verdict: verify's bad-input requests should show up here as 4xx by code.
  const read = window(t, now());
  const codes = service ? await clientErrorCodes(t, service, read.start, read.end) : [];
  const invocations = sum(value.get('invocations')!);
  const errors = sum(value.get('lambdaErrors')!);
  const latency = value.get('latency')!;
  if (errors > 0)
    return {
      status: 'fail',
      message: `Lambda Errors = ${errors} for ${t.functionName} during verify`,
      fix: `The proxy itself failed (not the model): read ${t.lambdaLogGroup} for "ERROR Invoke Error" / "Task timed out" and redeploy it with \`model-deploy up ${t.env}\`.`,
    };
  const sageMakerSeen = value.get('invocations')!.length > 0 && latency.length > 0;
  if (timedOut && sageMakerSeen && service) {
    return {
      status: 'fail',
      message: `no ${service.namespace} PredictLatency datapoints for ${describeDimensions(service)} after waiting ${seconds(waitedMs)} (SageMaker's metrics arrived)`,
      fix: `The runtime writes its metrics as EMF lines to ${t.endpointLogGroup} once a minute when MS_METRICS_EMF=true, which \`model-deploy up\` sets; an image built with an older @model-service/runtime writes none: rebuild it and run \`model-deploy up ${t.env}\`. Lines with "_aws" in that log group are the ones CloudWatch turns into metrics.`,
    };
  }
  if (timedOut) {
    const lacking = [invocations === 0 ? 'Invocations' : '', latency.length === 0 ? 'ModelLatency' : '']
      .filter(Boolean)
      .join(' and ');
    return {
      status: 'fail',
      message: `no ${lacking} datapoints for ${t.endpointName}/${t.variantName} after waiting ${seconds(waitedMs)}`,
      fix: 'SageMaker publishes per-minute metrics a few minutes late: re-run verify with a longer --telemetry-timeout; if still none, the requests did not reach this endpoint variant.',
    };
  }
  // ModelLatency is in microseconds.
  const avgMs = sum(latency) / latency.length / 1000;
  const sageMaker = `${invocations} invocations, ModelLatency avg ${avgMs.toFixed(1)} ms over ${latency.length} datapoint(s), Lambda Errors 0`;
  if (!service) return { status: 'pass', message: sageMaker };
  const fallbacks = sum(value.get('fallbacks')!);
  const hits = sum(value.get('hits')!);
  const misses = sum(value.get('misses')!);
  const predict = value.get('predict')!;
  const serviceLine = [
    `PredictLatency avg ${(sum(predict) / predict.length).toFixed(1)} ms`,
    hits + misses > 0 ? `cache hits ${hits}/${hits + misses}` : 'no cache lookups',
    `fallback answers ${fallbacks}`,
    codes.length > 0 ? `4xx ${codes.map(([code, n]) => `${code}=${n}`).join(', ')}` : 'no 4xx',
  ].join(', ');
  if (fallbacks > 0)
    return {
      status: 'fail',
      message: `FallbackAnswers = ${fallbacks} during verify: the model failed and the fallback rules answered (${serviceLine})`,
      fix: `Read ${t.endpointLogGroup} for "model failed; answering from fallback" and the error before it; fix the model and redeploy.`,
    };
  return { status: 'pass', message: `${sageMaker}; ${service.namespace}: ${serviceLine}` };
}

function describeDimensions(service: ServiceMetricsTarget): string {
  return Object.entries(service.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

async function utilization(t: TelemetryTarget): Promise<CheckResult> {
  if (t.serverless) return { status: 'skip', message: NO_INSTANCES };
  const variant = { EndpointName: t.endpointName, VariantName: t.variantName };
  const queries = [
    query('cpu', '/aws/sagemaker/Endpoints', 'CPUUtilization', variant, 'Maximum'),
    query('memory', '/aws/sagemaker/Endpoints', 'MemoryUtilization', variant, 'Maximum'),
  ];
  const now = t.poll.now ?? real.now;
  const { value, timedOut, waitedMs } = await pollUntil(t.poll, async () => {
    const { start, end } = window(t, now());
    const v = await metricData(t, queries, start, end);
    return { done: v.get('cpu')!.length > 0 && v.get('memory')!.length > 0, value: v };
  });
  if (timedOut)
    return {
      status: 'fail',
      message: `no CPUUtilization/MemoryUtilization datapoints for ${t.endpointName}/${t.variantName} after waiting ${seconds(waitedMs)}`,
      fix: 'Instance metrics arrive a few minutes late: re-run verify with a longer --telemetry-timeout.',
    };
  const cpu = Math.max(...value.get('cpu')!);
  const memory = Math.max(...value.get('memory')!);
  const { maxCpuUtilization: cpuMax, maxMemoryUtilization: memMax } = t.limits;
  const over = [
    cpu > cpuMax ? `CPU ${cpu.toFixed(1)}% > ${cpuMax}%` : '',
    memory > memMax ? `memory ${memory.toFixed(1)}% > ${memMax}%` : '',
  ].filter(Boolean);
  if (over.length > 0)
    return {
      status: 'fail',
      message: `during verify's load: ${over.join(', ')}`,
      fix: 'Use a larger instance type or more instances (autoscaling min), or raise slo.maxCpuUtilization / slo.maxMemoryUtilization in release.yaml if the headroom is intended.',
    };
  return {
    status: 'pass',
    message: `peak CPU ${cpu.toFixed(1)}% <= ${cpuMax}%, memory ${memory.toFixed(1)}% <= ${memMax}% during verify's load`,
  };
}

export const TELEMETRY_CHECKS: readonly TelemetryCheck[] = [
  {
    id: 'verify.logs.exist',
    title: 'fresh log streams for the endpoint and the Lambda',
    description:
      "the endpoint's and the Lambda's log groups have a stream written since verify's traffic (polled up to --telemetry-timeout); skip on the local chain.",
    run: logsExist,
  },
  {
    id: 'verify.logs.errors',
    title: 'no error-level log line since the deploy',
    description:
      'no error/fatal JSON line and no Lambda platform error (Invoke Error, timeout, exit) in either log group since the endpoint was last deployed; skip on the local chain.',
    run: logErrors,
  },
  {
    id: 'verify.logs.requests',
    title: "verify's request ids appear in the logs",
    description:
      "the X-Request-Id values verify sent appear in the Lambda's log group (polled); skip on the local chain.",
    run: logRequests,
  },
  {
    id: 'verify.metrics',
    title: "Invocations, ModelLatency and the service's own metrics; Lambda Errors = 0, no fallback answer",
    description:
      "GetMetricData shows Invocations and ModelLatency datapoints for the variant during verify, Lambda Errors = 0, and the runtime's EMF metrics (PredictLatency, cache hits/misses, FallbackAnswers = 0, 4xx by code found with ListMetrics) (polled); skip on the local chain.",
    run: metrics,
  },
  {
    id: 'verify.utilization',
    title: 'CPU and memory during the load within the limits',
    description:
      "the variant's peak CPUUtilization and MemoryUtilization during verify's load are within slo.maxCpuUtilization / slo.maxMemoryUtilization (default 80); skip on the local chain and for a serverless endpoint (no instances).",
    run: utilization,
  },
];

export const TELEMETRY_CHECK_IDS = TELEMETRY_CHECKS.map((c) => c.id);

/** One check, polling no later than `deadline` (ms since the epoch), which all of them share. */
export async function runTelemetryCheck(
  check: TelemetryCheck,
  t: TelemetryTarget,
  deadline: number,
): Promise<CheckResult> {
  if (t.skipReason) return { status: 'skip', message: t.skipReason };
  const now = t.poll.now ?? real.now;
  try {
    return await check.run({ ...t, poll: { ...t.poll, timeoutMs: Math.max(0, deadline - now()) } });
  } catch (err) {
    return {
      status: 'fail',
      message: `cannot read CloudWatch: ${describeError(err)}`,
      fix: 'The identity running verify needs logs:DescribeLogStreams, logs:FilterLogEvents, cloudwatch:GetMetricData and cloudwatch:ListMetrics (see the deployer IAM policy in the README).',
    };
  }
}

/** The deadline the telemetry checks share: the timeout bounds verify's whole wait for CloudWatch. */
export function telemetryDeadline(t: TelemetryTarget): number {
  return (t.poll.now ?? real.now)() + t.poll.timeoutMs;
}

export async function runTelemetryChecks(t: TelemetryTarget): Promise<TelemetryResult[]> {
  const results: TelemetryResult[] = [];
  const deadline = telemetryDeadline(t);
  for (const check of TELEMETRY_CHECKS)
    results.push({ id: check.id, title: check.title, ...(await runTelemetryCheck(check, t, deadline)) });
  return results;
}
