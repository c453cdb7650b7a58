// POST /invocations and POST /endpoints/:name/invocations: read the body, parse (JSON or
// CSV), validate, answer from the cache or the model runner, check the answer against the
// prediction schema, answer. Written on node:http primitives so the same function serves
// the fast path and the Express route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scopedCacheKey } from '../cache/cache-key.js';
import type { CacheStore } from '../cache/cache-store.js';
import { RuntimeError, isRuntimeError } from '../errors.js';
import type { ModelRunner } from '../model-runner.js';
import { endRequest, sendError, sendJson, type RequestContext, type Tracker } from '../request-context.js';
import type { ModelDefinition } from '../types.js';
import { csvRowsInSlices } from '../csv-rows.js';
import type { DataCapture } from '../data-capture.js';
import type { JsonParseWorker } from '../json-parse-worker.js';
import { csvInstances, mediaType, parseCsv, parseJson, type Validators } from '../validation.js';

export interface InvocationDeps {
  tracker: Tracker;
  model: ModelDefinition;
  validators: Validators;
  runner: ModelRunner;
  cache: CacheStore | undefined;
  cacheTtlSeconds: number | undefined;
  /** From cacheScopePrefix: model name, version, artifact sha256 and environment. */
  cacheKeyPrefix: string;
  maxBodyBytes: number;
  /** CSV splitting stops at row maxInstances + 1; larger JSON bodies are refused before they cross threads. */
  maxInstances: number;
  /** A body that pauses longer than this is answered 408 and its connection closed. */
  bodyIdleTimeoutMs: number;
  /** Parses large JSON bodies off the event loop. */
  jsonWorker: JsonParseWorker;
  logPayloads: boolean;
  /** MS_CAPTURE_DIR: sampled requests and answers as JSON lines (the only place payloads go). */
  capture?: DataCapture;
}

export type InvocationHandler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, fast: boolean) => void;

const PAYLOAD_LOG_LIMIT = 4096;
// SageMaker passes only X-Amzn-SageMaker-Custom-Attributes back to InvokeEndpoint callers (as
// CustomAttributes), so the hit/miss goes there too; the Lambda proxy turns it into X-Cache.
const X_CACHE_HIT = ['x-cache', 'HIT', 'x-amzn-sagemaker-custom-attributes', 'cache=hit'] as const;
const X_CACHE_MISS = ['x-cache', 'MISS', 'x-amzn-sagemaker-custom-attributes', 'cache=miss'] as const;
const X_SOURCE_FALLBACK = ['x-model-source', 'fallback'] as const;
/**
 * Bodies from this size on are parsed where they cannot hold up /ping: JSON in a worker thread,
 * CSV a slice at a time. Below it, parsing inline costs well under a millisecond.
 */
const OFF_LOOP_BYTES = 64 * 1024;

export function createInvocationHandler(d: InvocationDeps): InvocationHandler {
  const { tracker, model, runner, cache } = d;
  const validators: Validators = d.validators;
  const metrics = tracker.metrics;
  const acceptedTypes = model.fromCsvRow ? 'application/json or text/csv' : 'application/json';
  const tooLarge = new RuntimeError('MS_RUNTIME_BODY_TOO_LARGE', { limit: d.maxBodyBytes });
  const closeAfter = ['connection', 'close'];

  async function answer(
    raw: Buffer | string | object,
    csv: boolean,
    res: ServerResponse,
    ctx: RequestContext,
    fast: boolean,
  ) {
    let body: unknown;
    const large = Buffer.isBuffer(raw) && raw.length >= OFF_LOOP_BYTES;
    if (csv) {
      body = large
        ? csvInstances(await csvRowsInSlices(raw as Buffer, d.maxInstances), model.fromCsvRow!)
        : parseCsv(raw as Buffer | string, model.fromCsvRow!, d.maxInstances);
    } else if (large) body = await d.jsonWorker.parse(raw as Buffer);
    else body = typeof raw === 'string' || Buffer.isBuffer(raw) ? parseJson(raw) : raw;
    validators.request(body);
    const instances = body.instances;

    let key: string | undefined;
    if (cache) {
      key = scopedCacheKey(d.cacheKeyPrefix, instances);
      let hit: string | undefined;
      try {
        hit = await cache.get(key);
      } catch {
        // The store contract says get never throws; a store that does still only costs a miss.
        metrics.cacheErrors.inc();
      }
      if (hit !== undefined) {
        metrics.recordCacheHit();
        if (d.logPayloads) ctx.responseBody = hit.slice(0, PAYLOAD_LOG_LIMIT);
        d.capture?.record(ctx.id, raw, csv, hit);
        sendJson(tracker, res, ctx, 200, hit, fast, X_CACHE_HIT);
        return 200;
      }
      metrics.recordCacheMiss();
    }

    const result = await runner.run(instances);
    const problem = validators.predictions(result.predictions, instances.length);
    if (problem !== undefined) {
      metrics.invalidOutputs.inc();
      tracker.logger.error(
        { reqId: ctx.id, code: 'MS_RUNTIME_INVALID_OUTPUT', problem, source: result.source },
        'model answer failed the prediction schema',
      );
      throw new RuntimeError('MS_RUNTIME_INVALID_OUTPUT', { requestId: ctx.id });
    }
    let text: string;
    let extra: readonly string[] | undefined;
    if (result.source === 'fallback') {
      text = JSON.stringify({ predictions: result.predictions, source: 'fallback' });
      extra = cache ? [...X_CACHE_MISS, ...X_SOURCE_FALLBACK] : X_SOURCE_FALLBACK;
    } else {
      text = JSON.stringify({ predictions: result.predictions });
      extra = cache ? X_CACHE_MISS : undefined;
      // Fallback answers are never cached: the model should answer again once it is back.
      if (cache && key !== undefined) cache.set(key, text, d.cacheTtlSeconds).catch(() => metrics.cacheErrors.inc());
    }
    if (d.logPayloads) ctx.responseBody = text.slice(0, PAYLOAD_LOG_LIMIT);
    d.capture?.record(ctx.id, raw, csv, text);
    sendJson(tracker, res, ctx, 200, text, fast, extra);
    return 200;
  }

  function fail(err: unknown, res: ServerResponse, ctx: RequestContext, fast: boolean, extra?: string[]): number {
    let error: RuntimeError;
    if (isRuntimeError(err) && err.status !== undefined) error = err;
    else {
      tracker.logger.error({ reqId: ctx.id, err }, 'unexpected error in /invocations');
      error = new RuntimeError('MS_RUNTIME_INTERNAL', { requestId: ctx.id }, { cause: err });
    }
    if (error.code === 'MS_RUNTIME_PREDICT_FAILED') {
      tracker.logger.error({ reqId: ctx.id, code: error.code, err: error.cause }, 'model predict threw');
    }
    if (!res.headersSent) sendError(tracker, res, ctx, error, fast, extra);
    return error.status ?? 500;
  }

  function run(
    raw: Buffer | string | object,
    csv: boolean,
    res: ServerResponse,
    ctx: RequestContext,
    fast: boolean,
    req: IncomingMessage,
  ) {
    if (d.logPayloads)
      ctx.requestBody = (typeof raw === 'object' && !Buffer.isBuffer(raw) ? JSON.stringify(raw) : String(raw)).slice(
        0,
        PAYLOAD_LOG_LIMIT,
      );
    answer(raw, csv, res, ctx, fast).then(
      (status) => fast && finish(req, ctx, status),
      (err: unknown) => {
        const status = fail(err, res, ctx, fast);
        if (fast) finish(req, ctx, status);
      },
    );
  }

  const finish = (req: IncomingMessage, ctx: RequestContext, status: number) => endRequest(tracker, req, ctx, status);

  return function handleInvocation(req, res, ctx, fast) {
    const type = mediaType(req.headers['content-type']);
    const csv = type === 'csv';
    if (type === undefined || (csv && !model.fromCsvRow)) {
      const err = new RuntimeError('MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE', {
        contentType: req.headers['content-type'] ?? '',
        accepted: acceptedTypes,
      });
      // Answer at once and close: draining a body we will refuse (it may be 64 MiB) wastes the server's time.
      const status = fail(err, res, ctx, fast, closeAfter);
      if (fast) finish(req, ctx, status);
      return;
    }

    // A body already parsed by user middleware (express.json(), express.text(), ...).
    const parsed = (req as IncomingMessage & { body?: unknown }).body;
    if (parsed !== undefined) {
      run(parsed as object, csv, res, ctx, fast, req);
      return;
    }

    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > d.maxBodyBytes) {
      // Answer at once and close: reading a body we will refuse wastes the server's time.
      const status = fail(tooLarge, res, ctx, fast, closeAfter);
      if (fast) finish(req, ctx, status);
      return;
    }

    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let refused = false;
    let watched = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > d.maxBodyBytes) {
        refused = true;
        first = undefined;
        chunks = undefined;
        const status = fail(tooLarge, res, ctx, fast, closeAfter);
        if (fast) finish(req, ctx, status);
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    });
    if (fast) {
      // A client that hangs up mid-body never sends 'end': still record it (499) once.
      req.once('close', () => {
        if (!req.complete && !refused) finish(req, ctx, 499);
      });
    }
    // Checked once the bytes that came with the headers are parsed: a body that did not come whole
    // is watched for pauses (most bodies arrive with their headers and never arm a timer).
    process.nextTick(() => {
      if (req.complete || refused) return;
      watched = true;
      req.setTimeout(d.bodyIdleTimeoutMs, () => {
        if (refused || req.complete) return;
        refused = true;
        first = undefined;
        chunks = undefined;
        const headers: string[] = ['connection', 'close', 'content-length', '0'];
        if (fast) headers.push('x-request-id', ctx.id);
        if (!res.headersSent) res.writeHead(408, headers).end();
        else res.destroy();
        if (fast) finish(req, ctx, 408);
      });
    });
    req.on('end', () => {
      if (watched) req.socket?.setTimeout(0);
      if (refused) return;
      const raw = chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0));
      run(raw, csv, res, ctx, fast, req);
    });
  };
}
