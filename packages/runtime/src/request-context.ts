// Per-request bookkeeping shared by the fast path and the Express path: request id,
// in-flight gauge, duration histogram, one access-log line, and `Connection: close`
// while the service drains. Kept small: it runs on every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { errorBody, RuntimeError } from './errors.js';
import { requestIdFrom, type AccessLineWriter, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface RequestContext {
  id: string;
  start: number;
  /** Route pattern for metrics and logs (never the raw URL). */
  route: string;
  /** Set when the access log should carry the bodies (logPayloads). */
  requestBody?: string;
  responseBody?: string;
  /** Set once the request was recorded, so an abort and an answer never count twice. */
  ended?: boolean;
}

export interface Tracker {
  metrics: Metrics;
  logger: Logger;
  /** true while the service drains: every answer then closes its connection. */
  draining: boolean;
  /** Requests on these routes log at debug, not info (probes are frequent and dull). */
  quietRoutes: ReadonlySet<string>;
  /** Set when the runtime made the logger itself: the access line skips pino's serializer. */
  accessLine?: AccessLineWriter;
}

const CONTEXT = Symbol('model-service.request');

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

export function contextOf(req: IncomingMessage): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/** Starts tracking; `fast` = the caller writes headers itself (no setHeader, no listener). */
export function beginRequest(
  tracker: Tracker,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  fast: boolean,
): RequestContext {
  const ctx: RequestContext = { id: requestIdFrom(req.headers), start: performance.now(), route };
  (req as WithContext)[CONTEXT] = ctx;
  tracker.metrics.inFlight.inc();
  if (!fast) {
    res.setHeader('x-request-id', ctx.id);
    if (tracker.draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      // Express sets req.route when a route matched: label by its pattern.
      const matched = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
      if (ctx.route === 'unmatched' && typeof matched === 'string') ctx.route = matched;
      endRequest(tracker, req, ctx, res.writableFinished ? res.statusCode : 499);
    });
  }
  return ctx;
}

export function endRequest(tracker: Tracker, req: IncomingMessage, ctx: RequestContext, status: number): void {
  if (ctx.ended) return;
  ctx.ended = true;
  const seconds = (performance.now() - ctx.start) / 1000;
  tracker.metrics.inFlight.dec();
  tracker.metrics.observeRequest(ctx.route, req.method ?? 'GET', status, seconds);
  const { logger } = tracker;
  const level = status >= 500 ? 'error' : tracker.quietRoutes.has(ctx.route) ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Math.round(seconds * 10000) / 10;
  if (
    tracker.accessLine !== undefined &&
    level !== 'error' &&
    ctx.requestBody === undefined &&
    ctx.responseBody === undefined
  ) {
    tracker.accessLine(level === 'info' ? 30 : 20, {
      reqId: ctx.id,
      method: req.method ?? 'GET',
      route: ctx.route,
      status,
      ms,
    });
    return;
  }
  const line: Record<string, unknown> = {
    reqId: ctx.id,
    method: req.method,
    route: ctx.route,
    status,
    ms,
  };
  if (ctx.requestBody !== undefined) line.requestBody = ctx.requestBody;
  if (ctx.responseBody !== undefined) line.responseBody = ctx.responseBody;
  logger[level](line, 'request');
}

/**
 * Writes a complete JSON answer in one writeHead + end. On the fast path the request id
 * (and Connection: close when draining) go in the same header list; on the Express path
 * they were set by beginRequest already.
 */
export function sendJson(
  tracker: Tracker,
  res: ServerResponse,
  ctx: RequestContext,
  status: number,
  body: string,
  fast: boolean,
  extra?: readonly string[],
): void {
  const headers: string[] = [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
  ];
  if (fast) {
    headers.push('x-request-id', ctx.id);
    if (tracker.draining) headers.push('connection', 'close');
  } else if (tracker.draining && !res.hasHeader('connection')) {
    headers.push('connection', 'close');
  }
  if (extra) for (const h of extra) headers.push(h);
  res.writeHead(status, headers);
  res.end(body);
}

export function sendError(
  tracker: Tracker,
  res: ServerResponse,
  ctx: RequestContext,
  err: RuntimeError,
  fast: boolean,
  extra?: string[],
): void {
  const headers: string[] = extra ? [...extra] : [];
  const status = err.status ?? 500;
  if (status >= 400 && status < 500) tracker.metrics.recordClientError(err.code);
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) headers.push(k, v);
  sendJson(tracker, res, ctx, status, errorBody(err, ctx.id), fast, headers);
}
