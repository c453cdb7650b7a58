// The post-deployment checklist, machine-checked. Each check has a stable id
// (docs/checklist.md names them; a test keeps the two in step). They run in
// order against what is deployed: the endpoint and the Lambda through the AWS
// SDK (so AWS_ENDPOINT_URL_* points them at the local chain), the API over HTTP.
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeEndpointCommand, type DescribeEndpointCommandOutput, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CheckResult } from './registry.js';
import { runGoldenCheck, type GoldenSet } from './verify-golden.js';
import { probe, runLoad, type LoadSummary, type ProbeResult } from './verify-probe.js';
import { runTelemetryChecks, TELEMETRY_CHECK_IDS, TELEMETRY_TITLES, type TelemetryTarget } from './verify-telemetry.js';
import { judgeThroughput, runRateLoad, type LoadClock, type ThroughputGates, type ThroughputSummary } from './verify-throughput.js';
import { runVpcCheck, VPC_CHECK_ID, VPC_CHECK_TITLE } from './verify-vpc.js';
import type { VpcConfig } from '../release/types.js';

export const VERIFY_CHECK_IDS = [
  'verify.endpoint.in-service',
  'verify.lambda.active',
  VPC_CHECK_ID,
  'verify.api.reachable',
  'verify.auth.no-token-rejected',
  'verify.api.health',
  'verify.auth.valid-token-accepted',
  'verify.input.invalid-rejected',
  'verify.golden',
  'verify.slo.latency',
  'verify.slo.error-rate',
  'verify.cache.hit-rate',
  'verify.slo.throughput',
  ...TELEMETRY_CHECK_IDS,
] as const;

export type VerifyCheckId = (typeof VERIFY_CHECK_IDS)[number];

export interface VerifyTarget {
  env: string;
  endpointName: string;
  functionName: string;
  /** API base including the stage, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/dev */
  apiUrl: string;
  /** Resolves the ID token; a rejection fails the checks that need it. */
  token(): Promise<string>;
  /** A request the model must accept, and one it must refuse. */
  sampleBody: string;
  invalidBody: string;
  /** tests/golden.jsonl as loaded; undefined = skipped on purpose (--skip-golden). */
  golden?: GoldenSet;
  requests: number;
  concurrency: number;
  slo: { p95LatencyMs: number; errorRate: number };
  sagemaker: SageMakerClient;
  lambda: LambdaClient;
  /** release.yaml's vpc for this env (verify.vpc compares the deployed VpcConfig with it; none = skip). */
  vpc?: VpcConfig;
  /** `verify --load`: the rate to hold and its gates; undefined = verify.slo.throughput skips (says so). */
  load?: ThroughputGates;
  loadClock?: LoadClock;
  /** Where the logs and metrics are; the rest (deploy time, traffic window, request ids) verify fills in. */
  telemetry: Omit<TelemetryTarget, 'deployedAt' | 'trafficStart' | 'trafficEnd' | 'requestIds'>;
  /** Prefix of the X-Request-Id values verify sends (unique per run). */
  runId: string;
}

export interface VerifyCheckResult extends CheckResult {
  id: VerifyCheckId;
  title: string;
}

export interface VerifyReport {
  env: string;
  ok: boolean;
  checks: VerifyCheckResult[];
  load?: LoadSummary;
  throughput?: ThroughputSummary;
  /** The endpoint as found (its ARN and config are where the result is recorded). */
  endpoint?: { arn?: string; status?: string; configName?: string; failureReason?: string };
}

const TITLES: Record<VerifyCheckId, string> = {
  'verify.endpoint.in-service': 'SageMaker endpoint is InService',
  'verify.lambda.active': 'Lambda proxy is Active',
  [VPC_CHECK_ID]: VPC_CHECK_TITLE,
  'verify.api.reachable': 'API answers over HTTPS',
  'verify.auth.no-token-rejected': 'a request without a token is rejected',
  'verify.api.health': 'GET /health answers UP without a token',
  'verify.auth.valid-token-accepted': 'a request with a valid token succeeds',
  'verify.input.invalid-rejected': 'an invalid body gets a 4xx',
  'verify.golden': 'the golden set answers as the trained model did',
  'verify.slo.latency': 'p95 latency within the SLO',
  'verify.slo.error-rate': 'error rate within the SLO',
  'verify.cache.hit-rate': 'cache hit rate (reported)',
  'verify.slo.throughput': 'target rate held within p95/p99 and error-rate gates (--load)',
  ...TELEMETRY_TITLES,
};
/** The titles, for the check catalog in registry.ts. */
export { TITLES as VERIFY_CHECK_TITLES };

const brief = (r: ProbeResult) => (r.status === 0 ? `no answer (${r.error ?? 'network error'})` : `HTTP ${r.status} in ${Math.round(r.ms)} ms`);

/** A top-level string field of a JSON body, or undefined when the body is not such JSON. */
function jsonField(body: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

export async function runVerifyChecks(t: VerifyTarget): Promise<VerifyReport> {
  const checks: VerifyCheckResult[] = [];
  const add = (id: VerifyCheckId, result: CheckResult) => checks.push({ id, title: TITLES[id], ...result });
  const predictUrl = `${t.apiUrl.replace(/\/$/, '')}/predict`;
  const report: VerifyReport = { env: t.env, ok: false, checks };
  const trafficStart = new Date();
  // Ids of the requests that reached the model, for verify.logs.requests.
  const modelRequestIds: string[] = [];
  let sent = 0;
  const nextId = () => `verify-${t.runId}-${(sent += 1)}`;
  const authorized = async (token: string, body: string, track: boolean) => {
    const requestId = nextId();
    const r = await probe(predictUrl, { method: 'POST', token, body, requestId });
    if (track && r.status === 200) modelRequestIds.push(requestId);
    return r;
  };
  let deployedAt: Date | undefined;

  // 1. Endpoint
  let endpoint: DescribeEndpointCommandOutput | undefined;
  try {
    endpoint = await t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: t.endpointName }));
    report.endpoint = { arn: endpoint.EndpointArn, status: endpoint.EndpointStatus, configName: endpoint.EndpointConfigName, failureReason: endpoint.FailureReason };
    deployedAt = endpoint.LastModifiedTime;
    add('verify.endpoint.in-service', endpoint.EndpointStatus === 'InService'
      ? { status: 'pass', message: `${t.endpointName} is InService (config ${endpoint.EndpointConfigName})` }
      : { status: 'fail', message: `${t.endpointName} is ${endpoint.EndpointStatus}${endpoint.FailureReason ? `: ${endpoint.FailureReason}` : ''}`, fix: `Run \`model-deploy status ${t.env}\`; a Failed endpoint needs a fixed image or instance settings and \`model-deploy up ${t.env}\`.` });
  } catch (err) {
    add('verify.endpoint.in-service', { status: 'fail', message: `cannot describe ${t.endpointName}: ${describeError(err)}`, fix: `Deploy it with \`model-deploy up ${t.env}\`.` });
  }

  // 2. Lambda
  try {
    const fn = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: t.functionName }));
    const active = fn.State === 'Active' && (fn.LastUpdateStatus === undefined || fn.LastUpdateStatus === 'Successful');
    add('verify.lambda.active', active
      ? { status: 'pass', message: `${t.functionName} is Active` }
      : { status: 'fail', message: `${t.functionName} is ${fn.State}/${fn.LastUpdateStatus}: ${fn.StateReason ?? fn.LastUpdateStatusReason ?? ''}`, fix: `Run \`model-deploy up ${t.env}\` to repair the function.` });
  } catch (err) {
    add('verify.lambda.active', { status: 'fail', message: `cannot read ${t.functionName}: ${describeError(err)}`, fix: `Deploy it with \`model-deploy up ${t.env}\`.` });
  }
  add(VPC_CHECK_ID, await runVpcCheck({ env: t.env, endpointName: t.endpointName, functionName: t.functionName, expected: t.vpc, sagemaker: t.sagemaker, lambda: t.lambda }));

  // 3-4. Reachable, and no token -> rejected (one request answers both).
  const anonymous = await probe(predictUrl, { method: 'POST', body: t.sampleBody, requestId: nextId() });
  add('verify.api.reachable', anonymous.status !== 0
    ? { status: 'pass', message: `${predictUrl} answered (${brief(anonymous)})` }
    : { status: 'fail', message: `${predictUrl}: ${brief(anonymous)}`, fix: 'Check the URL (--url) and that the API stage is deployed (`model-deploy status`).' });
  add('verify.auth.no-token-rejected', anonymous.status === 401 || anonymous.status === 403
    ? { status: 'pass', message: `without a token: HTTP ${anonymous.status}` }
    : { status: 'fail', message: `without a token: ${brief(anonymous)} (expected 401/403)`, fix: 'POST /predict must use the Cognito authorizer; run `model-deploy up` to restore it.' });

  // 5. The health route, as monitors call it: no token (API Gateway deploys it without an authorizer).
  const healthUrl = `${t.apiUrl.replace(/\/$/, '')}/health`;
  const health = await probe(healthUrl, { requestId: nextId() });
  const healthState = jsonField(health.body, 'status');
  add('verify.api.health', health.status === 200 && healthState === 'UP'
    ? { status: 'pass', message: `GET ${healthUrl}: HTTP 200, status UP` }
    : { status: 'fail', message: `GET ${healthUrl}: ${brief(health)} ${health.body.slice(0, 200)}`, fix: 'GET /health answers from the endpoint status without a token: 401/403 means the route has an authorizer, 404 that it is missing (run `model-deploy up`); 503 DOWN names the endpoint status.' });

  // 6-7. With a token.
  let token: string | undefined;
  let tokenError: string | undefined;
  try {
    token = await t.token();
  } catch (err) {
    tokenError = describeError(err);
  }
  const noToken: CheckResult = { status: 'fail', message: `no token: ${tokenError}`, fix: 'Pass --token (or MODEL_DEPLOY_TOKEN), or --username with MODEL_DEPLOY_PASSWORD for a user of the pool.' };
  if (token === undefined) {
    for (const id of ['verify.auth.valid-token-accepted', 'verify.input.invalid-rejected', 'verify.golden', 'verify.slo.latency', 'verify.slo.error-rate'] as const) add(id, noToken);
    add('verify.cache.hit-rate', { status: 'skip', message: 'not measured without a token' });
    add('verify.slo.throughput', t.load ? noToken : { status: 'skip', message: 'not measured without a token' });
    for (const id of TELEMETRY_CHECK_IDS) add(id, { status: 'skip', message: 'verify sent no authenticated traffic to look for (no token)' });
    report.ok = false;
    return report;
  }
  const valid = await authorized(token, t.sampleBody, true);
  add('verify.auth.valid-token-accepted', valid.status === 200
    ? { status: 'pass', message: `with a token: ${brief(valid)}` }
    : { status: 'fail', message: `with a token: ${brief(valid)} ${valid.body.slice(0, 200)}`, fix: 'Read the error code in the body; check the endpoint and the Lambda logs.' });
  const invalid = await authorized(token, t.invalidBody, false);
  add('verify.input.invalid-rejected', invalid.status >= 400 && invalid.status < 500
    ? { status: 'pass', message: `invalid body: HTTP ${invalid.status}` }
    : { status: 'fail', message: `invalid body: ${brief(invalid)} (expected 4xx)`, fix: 'The model must validate its input (instance schema) and answer 400, never 2xx or 5xx.' });

  // 8. The golden set: the served model is the trained one (preprocessing included).
  add('verify.golden', await runGoldenCheck(t.golden, (body) => authorized(token, body, true)));

  // 9-11. N requests against the SLO.
  const load = await runLoad(() => authorized(token, t.sampleBody, true), t.requests, t.concurrency);
  report.load = load;
  add('verify.slo.latency', load.p95Ms <= t.slo.p95LatencyMs
    ? { status: 'pass', message: `p95 ${load.p95Ms} ms <= ${t.slo.p95LatencyMs} ms over ${load.requests} requests` }
    : { status: 'fail', message: `p95 ${load.p95Ms} ms > ${t.slo.p95LatencyMs} ms over ${load.requests} requests`, fix: 'Use a larger instance type or more instances, turn the cache on, or revisit slo.p95LatencyMs.' });
  add('verify.slo.error-rate', load.errorRate <= t.slo.errorRate
    ? { status: 'pass', message: `error rate ${load.errorRate} <= ${t.slo.errorRate} (${load.errors}/${load.requests})` }
    : { status: 'fail', message: `error rate ${load.errorRate} > ${t.slo.errorRate} (${load.errors}/${load.requests}; statuses ${JSON.stringify(load.statuses)})`, fix: 'Read the Lambda and endpoint logs for the failing requests.' });
  add('verify.cache.hit-rate', load.cacheReported > 0
    ? { status: 'pass', message: `cache hit rate ${(load.cacheHits / load.cacheReported).toFixed(2)} (${load.cacheHits}/${load.cacheReported}, same request repeated)` }
    : { status: 'skip', message: 'the service reports no X-Cache header (cache off or not passed through)' });

  // 12. The target rate, only when asked (it is real load on the endpoint).
  if (t.load) {
    const throughput = await runRateLoad(() => authorized(token, t.sampleBody, false), t.load, t.loadClock);
    report.throughput = throughput;
    add('verify.slo.throughput', judgeThroughput(throughput, t.load));
  } else {
    add('verify.slo.throughput', { status: 'skip', message: `not run: \`model-deploy verify ${t.env} --load\` holds slo.targetRps for slo.loadSeconds` });
  }

  // 13-17. What CloudWatch saw of that traffic.
  const trafficEnd = new Date();
  const telemetry = await runTelemetryChecks({
    ...t.telemetry,
    // Errors count from the deploy; without a known deploy time, from an hour before verify.
    deployedAt: deployedAt ?? new Date(trafficStart.getTime() - 3_600_000),
    trafficStart,
    trafficEnd,
    requestIds: modelRequestIds,
  });
  for (const r of telemetry) add(r.id, r);

  report.ok = checks.every((c) => c.status !== 'fail');
  return report;
}
