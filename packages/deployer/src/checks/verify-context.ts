// What every verify check reads: the deployed target, the report it fills, and
// the steps several checks share (one anonymous request answers two checks, one
// token and one load run serve several). Each shared step runs once, on first use,
// so the checks can stay independent objects in one ordered list.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { VpcConfig } from '../release/types.js';
import type { CheckInfo, CheckResult } from './check.js';
import type { GoldenSet } from './verify-golden.js';
import { probe, runLoad, type LoadSummary, type ProbeResult } from './verify-probe.js';
import { runTelemetryCheck, telemetryDeadline, type TelemetryCheck, type TelemetryTarget } from './verify-telemetry.js';
import type { LoadClock, ThroughputGates, ThroughputSummary } from './verify-throughput.js';

export interface VerifyTarget {
  env: string;
  endpointName: string;
  functionName: string;
  /** API base including the stage, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/dev */
  apiUrl: string;
  /** Resolves the token (a person's ID token, or the verify client's access token); a rejection fails the checks that need it. */
  token(): Promise<string>;
  /** The prediction route the token is for: `predict` (ID tokens), `machine-predict` (access tokens with the API's scope). */
  predictPath?: 'predict' | 'machine-predict';
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
  /** A serverless endpoint: its first request may pay a cold start, reported apart from the warm ones. */
  serverless?: boolean;
}

/** A serverless endpoint's latency: its first request (may be cold) apart from the warm load run. */
export interface ColdStartReport {
  firstMs: number;
  firstStatus: number;
  warmP95Ms: number;
  warmRequests: number;
}

export interface VerifyCheckResult extends CheckResult {
  id: string;
  title: string;
}

export interface VerifyReport {
  env: string;
  ok: boolean;
  checks: VerifyCheckResult[];
  load?: LoadSummary;
  throughput?: ThroughputSummary;
  /** Serverless environments only (verify.slo.latency fills it). */
  coldStart?: ColdStartReport;
  /** The endpoint as found (its ARN and config are where the result is recorded). */
  endpoint?: { arn?: string; status?: string; configName?: string; failureReason?: string };
}

export type TokenResult = { token: string } | { error: string };

export interface VerifyContext {
  readonly target: VerifyTarget;
  /** Filled as the checks run (endpoint, load, throughput); `checks` and `ok` by the runner. */
  readonly report: VerifyReport;
  readonly predictUrl: string;
  readonly healthUrl: string;
  /** When verify's traffic started (the telemetry checks look from here). */
  readonly trafficStart: Date;
  /** The X-Request-Id values of requests that reached the model (verify.logs.requests). */
  readonly modelRequestIds: string[];
  /** When the endpoint was last deployed, once verify.endpoint.in-service read it. */
  deployedAt?: Date;
  /** The first authorized request of the run: the one that may have found a serverless endpoint cold. */
  firstRequest?: ProbeResult;
  /** A fresh X-Request-Id. */
  nextId(): string;
  /** POST /predict with the sample and no token, sent once. */
  anonymous(): Promise<ProbeResult>;
  /** The ID token, asked once. */
  token(): Promise<TokenResult>;
  /** POST /predict with a token; `track` records the id when the model answered. */
  authorized(token: string, body: string, track: boolean): Promise<ProbeResult>;
  /** The bounded run of authenticated sample requests the SLO checks judge, run once. */
  load(token: string): Promise<LoadSummary>;
  /** One CloudWatch check over verify's traffic (the window and the deadline are fixed on first use). */
  telemetry(check: TelemetryCheck): Promise<CheckResult>;
}

/** A post-deployment check: one entry of VERIFY_CHECKS, reported in that order. */
export interface VerifyCheck extends CheckInfo {
  description: string;
  run(ctx: VerifyContext): Promise<CheckResult>;
}

/** Once per context: the first call runs `make`, later calls get its promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

export function createVerifyContext(t: VerifyTarget): VerifyContext {
  const base = t.apiUrl.replace(/\/$/, '');
  const predictUrl = `${base}/${t.predictPath ?? 'predict'}`;
  let sent = 0;
  const ctx: VerifyContext = {
    target: t,
    report: { env: t.env, ok: false, checks: [] },
    predictUrl,
    healthUrl: `${base}/health`,
    trafficStart: new Date(),
    modelRequestIds: [],
    nextId: () => `verify-${t.runId}-${(sent += 1)}`,
    anonymous: once(() => probe(predictUrl, { method: 'POST', body: t.sampleBody, requestId: ctx.nextId() })),
    token: once(() =>
      t.token().then(
        (token): TokenResult => ({ token }),
        (err: unknown): TokenResult => ({ error: describeError(err) }),
      ),
    ),
    async authorized(token, body, track) {
      const requestId = ctx.nextId();
      const r = await probe(predictUrl, { method: 'POST', token, body, requestId });
      ctx.firstRequest ??= r;
      if (track && r.status === 200) ctx.modelRequestIds.push(requestId);
      return r;
    },
    load: (token) =>
      (loadRun ??= (async () => {
        // The load run is the warm sample: a serverless endpoint gets its possibly cold request first.
        if (t.serverless && !ctx.firstRequest) await ctx.authorized(token, t.sampleBody, true);
        const summary = await runLoad(() => ctx.authorized(token, t.sampleBody, true), t.requests, t.concurrency);
        return (ctx.report.load = summary);
      })()),
    telemetry(check) {
      // Fixed when the first telemetry check runs: all of verify's traffic is sent by then.
      window ??= telemetryWindow(ctx);
      return runTelemetryCheck(check, window.target, window.deadline);
    },
  };
  let loadRun: Promise<LoadSummary> | undefined;
  let window: { target: TelemetryTarget; deadline: number } | undefined;
  return ctx;
}

function telemetryWindow(ctx: VerifyContext): { target: TelemetryTarget; deadline: number } {
  const target: TelemetryTarget = {
    ...ctx.target.telemetry,
    // Errors count from the deploy; without a known deploy time, from an hour before verify.
    deployedAt: ctx.deployedAt ?? new Date(ctx.trafficStart.getTime() - 3_600_000),
    trafficStart: ctx.trafficStart,
    trafficEnd: new Date(),
    requestIds: ctx.modelRequestIds,
  };
  return { target, deadline: telemetryDeadline(target) };
}

/** The failure every check that needs a token reports without one. */
export function noToken(error: string): CheckResult {
  return {
    status: 'fail',
    message: `no token: ${error}`,
    fix: 'Pass --token (or MODEL_DEPLOY_TOKEN), or --username with MODEL_DEPLOY_PASSWORD for a user of the pool.',
  };
}

/** Runs `body` with the token, or reports `noToken` (or `without`, when given) when there is none. */
export async function withToken(
  ctx: VerifyContext,
  body: (token: string) => Promise<CheckResult>,
  without?: CheckResult,
): Promise<CheckResult> {
  const got = await ctx.token();
  if ('error' in got) return without ?? noToken(got.error);
  return body(got.token);
}

export const brief = (r: ProbeResult) =>
  r.status === 0 ? `no answer (${r.error ?? 'network error'})` : `HTTP ${r.status} in ${Math.round(r.ms)} ms`;
