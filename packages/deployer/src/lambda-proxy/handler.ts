// The Lambda proxy between API Gateway and the SageMaker endpoint. Bundled on
// its own (src/lambda-bundle.ts): it imports only the SageMaker SDK clients and
// its siblings, never runtime or deployer code.
//   POST /predict  -> InvokeEndpoint (body and content type passed through)
//   GET  /health   -> {status: UP|DOWN} from DescribeEndpoint, cached a few seconds (details go to the log)
//   OPTIONS *      -> CORS preflight
import { randomUUID } from 'node:crypto';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  type InvokeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import { isRetryable, toProxyError } from './classify.js';
import { loadProxyConfig, MAX_PAYLOAD_BYTES, type ProxyConfig } from './config.js';
import { corsHeaders } from './cors.js';
import { errorBody, ProxyError } from './errors.js';
import { fallbackPredictions } from './fallback.js';
import { RetryStopped, systemClock, withRetry, type RetryClock } from './retry.js';
import type { ProxyEvent, ProxyResult } from './types.js';

export interface InvokeClient {
  send(command: InvokeEndpointCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeEndpointCommandOutput>;
}

export interface EndpointStatus {
  status: string;
  failureReason?: string;
}

export interface HandlerDeps {
  /** Default: read from process.env at the first call. */
  config?: ProxyConfig;
  runtime?: InvokeClient;
  endpointStatus?: (endpointName: string) => Promise<EndpointStatus>;
  clock?: RetryClock;
  /** How long one endpoint status answers /health. Default HEALTH_CACHE_MS. */
  healthCacheMs?: number;
  /** One JSON object per request (no payloads). Default: console.log as a JSON line. */
  log?: (entry: Record<string, unknown>) => void;
}

export type ProxyHandler = (event: ProxyEvent) => Promise<ProxyResult>;

/** How long one DescribeEndpoint answers /health: unauthenticated traffic must not drive the control plane. */
export const HEALTH_CACHE_MS = 5000;

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
// InvokeEndpoint's InferenceId takes at most 64 characters; a longer request id is not cut
// (a cut id would match no record the caller can look up), it goes without one.
const INFERENCE_ID_MAX = 64;
const TEXT_TYPES = /^(application\/(json|[\w.+-]*\+json|x-ndjson|jsonlines)|text\/)/i;

function header(event: ProxyEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower && value !== undefined) return value;
  }
  const multi = event.multiValueHeaders ?? {};
  for (const [key, values] of Object.entries(multi)) {
    if (key.toLowerCase() === lower && values && values.length > 0) return values[0];
  }
  return undefined;
}

/** The caller's X-Request-Id when it is safe to log, else API Gateway's request id. */
export function requestIdOf(event: ProxyEvent): string {
  const given = header(event, 'x-request-id');
  if (given !== undefined && REQUEST_ID_PATTERN.test(given)) return given;
  return event.requestContext?.requestId ?? randomUUID();
}

function routeOf(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed;
}

function json(statusCode: number, body: unknown, headers: Record<string, string>): ProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function fail(err: ProxyError, requestId: string, headers: Record<string, string>): ProxyResult {
  const extra: Record<string, string> = { ...headers };
  if (err.status === 429 || err.status === 503) extra['Retry-After'] = '1';
  return {
    statusCode: err.status,
    headers: { 'Content-Type': 'application/json', ...extra },
    body: errorBody(err.code, err.message, requestId),
  };
}

function bodyBytes(event: ProxyEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** `cache=hit` in the container's custom attributes becomes X-Cache: HIT. */
function cacheHeader(customAttributes: string | undefined): string | undefined {
  const match = /(?:^|[,;\s])cache=(hit|miss)\b/i.exec(customAttributes ?? '');
  return match ? match[1]!.toUpperCase() : undefined;
}

export function createHandler(deps: HandlerDeps = {}): ProxyHandler {
  let config = deps.config;
  let runtime = deps.runtime;
  let endpointStatus = deps.endpointStatus;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));

  // Clients are made once per container (cold start), not per request.
  function setup(): ProxyConfig {
    config ??= loadProxyConfig(process.env);
    // maxAttempts 1: the handler owns retrying, so attempts and time stay bounded.
    runtime ??= new SageMakerRuntimeClient({ maxAttempts: 1 });
    if (!endpointStatus) {
      const control = new SageMakerClient({ maxAttempts: 2 });
      endpointStatus = async (name) => {
        const out = await control.send(new DescribeEndpointCommand({ EndpointName: name }));
        return { status: out.EndpointStatus ?? 'Unknown', failureReason: out.FailureReason };
      };
    }
    return config;
  }

  async function invoke(
    cfg: ProxyConfig,
    event: ProxyEvent,
    requestId: string,
    cors: Record<string, string>,
  ): Promise<ProxyResult & { attempts: number }> {
    const body = bodyBytes(event);
    if (body.length === 0) throw new ProxyError('MS_PROXY_EMPTY_BODY');
    if (body.length > MAX_PAYLOAD_BYTES)
      throw new ProxyError('MS_PROXY_PAYLOAD_TOO_LARGE', { bytes: body.length, limit: MAX_PAYLOAD_BYTES });
    const contentType = header(event, 'content-type') ?? 'application/json';
    let parsed: unknown;
    if (/json/i.test(contentType)) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new ProxyError('MS_PROXY_INVALID_JSON', { reason: (err as Error).message });
      }
    }
    const accept = header(event, 'accept');
    try {
      const { value: out, attempts } = await withRetry(
        async (_attempt, remainingMs) => {
          const timeoutMs = Math.max(1, Math.min(cfg.attemptTimeoutMs, remainingMs));
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), timeoutMs);
          const command = new InvokeEndpointCommand({
            EndpointName: cfg.endpointName,
            Body: body,
            ContentType: contentType,
            Accept: accept && accept !== '*/*' ? accept : undefined,
            // SageMaker hands this to the container as X-Amzn-SageMaker-Custom-Attributes.
            CustomAttributes: `request-id=${requestId}`,
            // Data capture records it as eventMetadata.inferenceId, so a request's capture record can be found.
            ...(requestId.length <= INFERENCE_ID_MAX ? { InferenceId: requestId } : {}),
          });
          // The runtime logs X-Request-Id; SageMaker ignores the extra header.
          command.middlewareStack.add(
            (next) => async (args) => {
              const request = args.request as { headers?: Record<string, string> };
              if (request.headers) request.headers['x-request-id'] = requestId;
              return next(args);
            },
            { step: 'build', name: 'modelServiceRequestId' },
          );
          try {
            return await runtime!.send(command, { abortSignal: controller.signal });
          } catch (err) {
            if (controller.signal.aborted) throw new ProxyError('MS_PROXY_TIMEOUT', { ms: timeoutMs }, { cause: err });
            throw err;
          } finally {
            clearTimeout(timer);
          }
        },
        isRetryable,
        cfg.retry,
        clock,
        ({ attempt, delayMs, error }) =>
          log({
            level: 'warn',
            msg: 'retrying InvokeEndpoint',
            requestId,
            attempt,
            delayMs,
            error: (error as Error)?.name,
          }),
      );
      const outType = out.ContentType ?? 'application/json';
      const bytes = Buffer.from(out.Body ?? new Uint8Array());
      const headers: Record<string, string> = {
        'Content-Type': outType,
        'X-Request-Id': requestId,
        'X-Model-Source': 'model',
        ...cors,
      };
      const cache = cacheHeader(out.CustomAttributes);
      if (cache) headers['X-Cache'] = cache;
      const text = TEXT_TYPES.test(outType);
      return {
        statusCode: 200,
        headers,
        body: text ? bytes.toString('utf8') : bytes.toString('base64'),
        isBase64Encoded: !text,
        attempts,
      };
    } catch (err) {
      if (!(err instanceof RetryStopped)) throw err;
      const proxyErr = toProxyError(
        err.lastError,
        err.attempts,
        Math.min(cfg.attemptTimeoutMs, cfg.retry.totalBudgetMs),
      );
      // Endpoint down or too slow: answer from the fallback rules when there are any.
      if (cfg.fallback && (proxyErr.status === 503 || proxyErr.status === 504)) {
        const predictions = fallbackPredictions(cfg.fallback, parsed);
        if (predictions) {
          const result = json(
            200,
            { predictions, source: 'fallback' },
            { 'X-Request-Id': requestId, 'X-Model-Source': 'fallback', ...cors },
          );
          return { ...result, attempts: err.attempts };
        }
      }
      throw Object.assign(proxyErr, { attempts: err.attempts });
    }
  }

  let healthCache: { at: number; up: boolean } | undefined;

  // The route is public: the body says UP or DOWN only; why (status, failure reason,
  // an AWS error naming the account and role) goes to the function's log.
  async function endpointUp(cfg: ProxyConfig, requestId: string): Promise<boolean> {
    const now = clock.now();
    if (healthCache && now - healthCache.at < (deps.healthCacheMs ?? HEALTH_CACHE_MS)) return healthCache.up;
    let up = false;
    try {
      const state = await endpointStatus!(cfg.endpointName);
      up = state.status === 'InService';
      if (!up)
        log({
          level: 'warn',
          msg: 'health: endpoint not InService',
          requestId,
          endpoint: cfg.endpointName,
          endpointStatus: state.status,
          failureReason: state.failureReason,
        });
    } catch (err) {
      const e = err as { name?: string; message?: string };
      log({
        level: 'error',
        msg: 'health: cannot read the endpoint status',
        requestId,
        endpoint: cfg.endpointName,
        error: `${e.name ?? 'Error'}: ${e.message ?? ''}`,
      });
    }
    healthCache = { at: now, up };
    return up;
  }

  async function health(cfg: ProxyConfig, requestId: string, cors: Record<string, string>): Promise<ProxyResult> {
    const up = await endpointUp(cfg, requestId);
    return json(
      up ? 200 : 503,
      { status: up ? 'UP' : 'DOWN' },
      { 'X-Request-Id': requestId, 'Cache-Control': 'no-store', ...cors },
    );
  }

  return async function handler(event: ProxyEvent): Promise<ProxyResult> {
    const started = clock.now();
    const requestId = requestIdOf(event);
    const method = (event.httpMethod ?? 'GET').toUpperCase();
    const route = routeOf(event.path ?? '/');
    const cors = corsHeaders(config?.allowOrigins ?? [], header(event, 'origin'), false);
    let result: ProxyResult;
    let attempts = 0;
    try {
      let cfg: ProxyConfig;
      try {
        cfg = setup();
      } catch (err) {
        throw new ProxyError('MS_PROXY_CONFIG', { reason: (err as Error).message }, { cause: err });
      }
      const corsNow = corsHeaders(cfg.allowOrigins, header(event, 'origin'), method === 'OPTIONS');
      if (method === 'OPTIONS') {
        result = { statusCode: 204, headers: { ...corsNow, 'X-Request-Id': requestId }, body: '' };
      } else if (route === '/predict' || route === '/machine-predict') {
        if (method !== 'POST')
          throw new ProxyError('MS_PROXY_METHOD_NOT_ALLOWED', { method, path: route, allowed: 'POST' });
        const out = await invoke(cfg, event, requestId, corsNow);
        attempts = out.attempts;
        const { attempts: _ignored, ...rest } = out;
        result = rest;
      } else if (route === '/health') {
        if (method !== 'GET')
          throw new ProxyError('MS_PROXY_METHOD_NOT_ALLOWED', { method, path: route, allowed: 'GET' });
        result = await health(cfg, requestId, corsNow);
      } else {
        throw new ProxyError('MS_PROXY_ROUTE_NOT_FOUND', { method, path: route });
      }
    } catch (err) {
      const proxyErr = err instanceof ProxyError ? err : new ProxyError('MS_PROXY_INTERNAL', {}, { cause: err });
      attempts = (err as { attempts?: number }).attempts ?? attempts;
      const corsNow = corsHeaders(config?.allowOrigins ?? [], header(event, 'origin'), false);
      result = fail(proxyErr, requestId, { 'X-Request-Id': requestId, ...cors, ...corsNow });
      const cause = proxyErr.cause as { name?: string; message?: string } | undefined;
      log({
        level: proxyErr.status >= 500 ? 'error' : 'info',
        msg: 'request failed',
        requestId,
        code: proxyErr.code,
        cause: cause ? `${cause.name}: ${cause.message}` : undefined,
      });
    }
    log({
      level: 'info',
      msg: 'request',
      requestId,
      method,
      route,
      status: result.statusCode,
      attempts,
      ms: clock.now() - started,
    });
    return result;
  };
}

/** The Lambda entry point (index.handler in the bundle). */
export const handler: ProxyHandler = createHandler();
