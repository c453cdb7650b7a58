// createService: the Express app users extend, plus listen()/start()/close().
//
// Hot path: Express routing + res helpers cost most of a small request's time, so the
// node:http listener answers POST /invocations, POST /endpoints/:name/invocations and
// GET /ping itself (same handlers, same headers, same metrics and logs) and hands every
// other request to the Express app. The fast path is off when `fastPath: false`, or when
// `configure` put middleware in front of the runtime's routes, so such middleware always
// runs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { Express, NextFunction, Request, Response } from 'express';
import type * as ExpressModule from 'express';
import { createCacheStore } from './cache/create-cache-store.js';
import type { CacheStore } from './cache/cache-store.js';
import { renderDocsPage } from './docs-page.js';
import { RuntimeError, isRuntimeError } from './errors.js';
import { Health } from './health.js';
import { listenError } from './listen-error.js';
import { drainServer } from './lifecycle.js';
import { JsonParseWorker } from './json-parse-worker.js';
import { createLogDestination } from './log-destination.js';
import { accessLineWriter, createLogger, type AccessLineWriter, type Logger } from './logger.js';
import { EmfMetrics } from './emf-metrics.js';
import { Metrics } from './metrics.js';
import { verifyModelArtifact } from './model-artifact.js';
import { MicroBatcher } from './micro-batcher.js';
import { ModelRunner, type BatcherFactory } from './model-runner.js';
import { buildOpenApi } from './openapi.js';
import {
  beginRequest,
  contextOf,
  endRequest,
  sendError,
  type RequestContext,
  type Tracker,
} from './request-context.js';
import { createHealthRoutes, type ProbeHandler } from './routes/health-routes.js';
import { createInvocationHandler } from './routes/invocations.js';
import { createDataCapture } from './data-capture.js';
import { cacheScopePrefix } from './cache/cache-key.js';
import type { HealthState, ModelDefinition, Service, ServiceOptions } from './types.js';
import { createValidators } from './validation.js';
import {
  checkCeiling,
  httpServerOptions,
  MAX_DRAIN_TIMEOUT_MS,
  MAX_PREDICT_TIMEOUT_MS,
  resolveServerLimits,
  SAGEMAKER_MAX_PAYLOAD_BYTES,
} from './server-limits.js';

export const DEFAULTS = {
  maxInstances: 64,
  maxBodyBytes: SAGEMAKER_MAX_PAYLOAD_BYTES,
  // Below the Lambda proxy's 10 s per attempt, so the proxy gets the runtime's 504, not its own timeout.
  predictTimeoutMs: 9_000,
  maxInFlight: 256,
  drainTimeoutMs: 25_000,
  port: 8080,
  host: '0.0.0.0',
  batchMaxSize: 32,
  batchMaxWaitMs: 2,
} as const;

const ENDPOINT_PATH = /^\/endpoints\/[^/?#]+\/invocations$/;
const QUIET_ROUTES = new Set(['/ping', '/health/live', '/health/ready', '/metrics']);
/** Marks the runtime's own handlers in the Express stack (fast-path safety check). */
const RUNTIME_LAYER = Symbol('model-service.layer');
/** Cache faults are logged at most this often; the metric counts every one. */
const CACHE_FAULT_LOG_INTERVAL_MS = 10_000;

function checkModel(model: ModelDefinition | undefined): asserts model is ModelDefinition {
  const problems: string[] = [];
  if (!model || typeof model !== 'object') problems.push('options.model is missing');
  else {
    if (typeof model.name !== 'string' || model.name === '') problems.push('name must be a non-empty string');
    if (typeof model.version !== 'string' || model.version === '') problems.push('version must be a non-empty string');
    if (typeof model.predict !== 'function') problems.push('predict must be a function');
    if (!model.instanceSchema || typeof model.instanceSchema !== 'object')
      problems.push('instanceSchema must be a JSON Schema object');
    if (!model.predictionSchema || typeof model.predictionSchema !== 'object')
      problems.push('predictionSchema must be a JSON Schema object');
  }
  if (problems.length > 0)
    throw new RuntimeError('MS_RUNTIME_MODEL_DEFINITION_INVALID', { detail: problems.join('; ') });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `${name}=${JSON.stringify(value)} is not allowed; use a non-negative integer.`,
    });
  }
  return value;
}

export function createService(options: ServiceOptions): Service {
  const model = options.model;
  checkModel(model);
  const maxInstances = positive('maxInstances', options.maxInstances, DEFAULTS.maxInstances);
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes, DEFAULTS.maxBodyBytes);
  const predictTimeoutMs = checkCeiling(
    'predictTimeoutMs',
    positive('predictTimeoutMs', options.predictTimeoutMs, DEFAULTS.predictTimeoutMs),
    MAX_PREDICT_TIMEOUT_MS,
    'SageMaker gives up on an invocation after 60 s, so a later answer reaches no one',
  );
  const maxInFlight = positive('maxInFlight', options.maxInFlight, DEFAULTS.maxInFlight);
  const drainTimeoutMs = checkCeiling(
    'drainTimeoutMs',
    positive('drainTimeoutMs', options.drainTimeoutMs, DEFAULTS.drainTimeoutMs),
    MAX_DRAIN_TIMEOUT_MS,
    'SIGKILL follows SIGTERM after 30 s (SageMaker, ECS and Kubernetes defaults), which would cut the drain',
  );
  const limits = resolveServerLimits(options);
  // Before anything else runs: the wrong weights must never load, let alone answer.
  const artifact = options.modelArtifact ? verifyModelArtifact(options.modelArtifact) : undefined;
  const environment = options.environment ?? (process.env.MODEL_SERVICE_ENV || undefined);
  // A checked model file is its own version: /ping, /openapi.json and model_info change with the
  // weights even when a hand-kept model.version does not.
  const version = artifact?.sha256 ?? model.version;

  let accessLine: AccessLineWriter | undefined;
  let logger: Logger;
  // EMF lines share the log's stdout writer when the runtime made it, so lines never interleave.
  let writeLine = (line: string) => void process.stdout.write(line);
  if (options.logger) logger = options.logger;
  else {
    const destination = createLogDestination({ fd: 1 });
    logger = createLogger(options.logLevel ?? 'info', destination);
    accessLine = accessLineWriter(destination);
    writeLine = (line) => void destination.write(line);
  }
  const emf = options.emf
    ? new EmfMetrics({
        ...options.emf,
        service: options.emf.service ?? model.name,
        environment: environment ?? 'local',
        cache: (options.cache?.kind ?? 'off') !== 'off',
        fallback: typeof model.fallback === 'function',
        batching: options.batching?.enabled === true,
        write: writeLine,
      })
    : undefined;
  const metrics = new Metrics({}, emf);
  metrics.setModelInfo(model.name, version);
  const health = new Health(options.readinessChecks ?? []);
  health.onChange((state, reason) => logger.info({ state, reason }, `health: ${state}`));
  if (artifact) logger.info({ path: artifact.path, sha256: artifact.sha256 }, 'model file matches its recorded sha256');
  const validators = createValidators(model, maxInstances);

  let lastFaultLog = 0;
  const cache: CacheStore | undefined = createCacheStore(options.cache ?? { kind: 'off' }, {
    onError: (error, operation) => {
      metrics.cacheErrors.inc();
      const now = Date.now();
      if (now - lastFaultLog >= CACHE_FAULT_LOG_INTERVAL_MS) {
        lastFaultLog = now;
        logger.warn({ code: error.code, operation, err: error.message }, 'cache fault: serving as a miss');
      }
    },
  });

  const batching = options.batching;
  let batcher: MicroBatcher<unknown, unknown> | undefined;
  const batcherFactory: BatcherFactory | undefined = batching?.enabled
    ? (run) => {
        batcher = new MicroBatcher<unknown, unknown>({
          maxBatchSize: batching.maxBatchSize ?? DEFAULTS.batchMaxSize,
          maxWaitMs: batching.maxWaitMs ?? DEFAULTS.batchMaxWaitMs,
          run,
          onQueueWait: (ms) => metrics.recordQueueWait(ms / 1000),
        });
        return batcher;
      }
    : undefined;

  const runner = new ModelRunner({
    model,
    health,
    validators,
    metrics,
    logger,
    predictTimeoutMs,
    maxInFlight,
    ...(batcherFactory ? { batcher: batcherFactory } : {}),
  });

  const jsonWorker = new JsonParseWorker(maxInstances);
  const capture = options.capture ? createDataCapture(options.capture) : undefined;
  const tracker: Tracker = {
    metrics,
    logger,
    draining: false,
    quietRoutes: QUIET_ROUTES,
    ...(accessLine ? { accessLine } : {}),
  };
  const invoke = createInvocationHandler({
    tracker,
    model,
    validators,
    runner,
    cache,
    cacheTtlSeconds: options.cache?.ttlSeconds,
    cacheKeyPrefix: cacheScopePrefix({
      modelName: model.name,
      modelVersion: model.version,
      ...(artifact ? { artifactSha256: artifact.sha256 } : {}),
      ...(environment !== undefined ? { environment } : {}),
    }),
    maxBodyBytes,
    maxInstances,
    bodyIdleTimeoutMs: limits.bodyIdleTimeoutMs,
    jsonWorker,
    logPayloads: options.logPayloads ?? false,
    ...(capture ? { capture } : {}),
  });
  const probes = createHealthRoutes(tracker, health, { name: model.name, version });
  // Express (and the OpenAPI document and docs page) load on first use: when `configure` or
  // `service.app` is used, the fast path is off, or a request the fast path does not answer
  // arrives. A service that only answers /ping and /invocations never pays for them at start.
  let expressApp: Express | undefined;
  let configured = false;
  const buildApp = (): Express => {
    const express = createRequire(import.meta.url)('express') as typeof ExpressModule.default;
    const spec = buildOpenApi(model, validators.schemas, maxInstances, version);
    const specBody = JSON.stringify(spec);
    const docsPage = renderDocsPage(spec);

    const app = express();
    app.disable('x-powered-by');

    // Every request gets an id, an in-flight count, a duration metric and one log line.
    const track = (req: Request, res: Response, next: NextFunction) => {
      if (!contextOf(req)) beginRequest(tracker, req, res, 'unmatched', false);
      next();
    };
    mark(track);
    app.use(track);

    const stackSize = () => (app.router as unknown as { stack: unknown[] }).stack.length;
    const before = stackSize();
    options.configure?.(app);
    configured = stackSize() !== before;

    const route = (pattern: string, handler: ProbeHandler | typeof invoke) => {
      const h = (req: Request, res: Response, next: NextFunction) => {
        const ctx = contextOf(req)!;
        ctx.route = pattern;
        try {
          const out = handler(req, res, ctx, false);
          if (out instanceof Promise) out.catch(next);
        } catch (err) {
          next(err);
        }
      };
      return mark(h);
    };
    app.get('/ping', route('/ping', probes.ping));
    app.get('/health/live', route('/health/live', probes.live));
    app.get('/health/ready', route('/health/ready', probes.ready));
    app.post('/invocations', route('/invocations', invoke));
    app.post('/endpoints/:name/invocations', route('/endpoints/:name/invocations', invoke));
    app.get(
      '/metrics',
      mark((req: Request, res: Response, next: NextFunction) => {
        contextOf(req)!.route = '/metrics';
        metrics.render().then(({ body, contentType }) => {
          res.setHeader('content-type', contentType);
          res.end(body);
        }, next);
      }),
    );
    app.get(
      '/openapi.json',
      mark((req: Request, res: Response) => {
        contextOf(req)!.route = '/openapi.json';
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(specBody);
      }),
    );
    app.get(
      '/docs',
      mark((req: Request, res: Response) => {
        contextOf(req)!.route = '/docs';
        res.setHeader('content-type', 'text/html; charset=utf-8');
        // The page carries its own inline script and nothing from elsewhere.
        res.setHeader(
          'content-security-policy',
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        );
        res.end(docsPage);
      }),
    );

    // Requests no route answered, and errors from any route (the user's too), end here as
    // JSON with a stable code: Express's HTML pages and stacks never reach a client.
    const finalHandler = (req: IncomingMessage, res: ServerResponse) => (err?: unknown) => {
      const ctx = contextOf(req) ?? beginRequest(tracker, req, res, 'unmatched', false);
      let error: RuntimeError;
      if (err === undefined || err === null) {
        error = new RuntimeError('MS_RUNTIME_NOT_FOUND', { method: req.method, path: (req.url ?? '/').split('?')[0] });
      } else if (isRuntimeError(err) && err.status !== undefined) {
        error = err;
      } else {
        const status = (err as { status?: unknown; expose?: unknown }).status;
        // http-errors from Express's own body parsers (user middleware) keep their meaning.
        if (status === 413) error = new RuntimeError('MS_RUNTIME_BODY_TOO_LARGE', { limit: 'the configured' });
        else if (status === 415)
          error = new RuntimeError('MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE', {
            contentType: req.headers['content-type'] ?? '',
            accepted: 'application/json',
          });
        else if (status === 400 && (err as { type?: unknown }).type === 'entity.parse.failed') {
          error = new RuntimeError('MS_RUNTIME_INVALID_JSON', { detail: 'unparseable body' }, { path: '' });
        } else {
          logger.error({ reqId: ctx.id, err }, 'unhandled error in a route');
          error = new RuntimeError('MS_RUNTIME_INTERNAL', { requestId: ctx.id }, { cause: err });
        }
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(tracker, res, ctx, error, false);
    };
    const appWithHandle = app as unknown as {
      handle(req: IncomingMessage, res: ServerResponse, cb?: (err?: unknown) => void): void;
    };
    const expressHandle = appWithHandle.handle.bind(app);
    appWithHandle.handle = (req, res, cb) => expressHandle(req, res, cb ?? finalHandler(req, res));
    expressApp = app;
    return app;
  };
  const getApp = (): Express => expressApp ?? buildApp();
  if (options.configure) getApp();

  /** True when no user middleware sits in front of the runtime's routes. */
  const fastPathSafe = (): boolean => {
    if (options.fastPath === false || configured) return false;
    if (!expressApp) return true;
    const stack = (
      expressApp.router as unknown as {
        stack: Array<{ handle: unknown; route?: { stack: Array<{ handle: unknown }> } }>;
      }
    ).stack;
    // Our layers come first; anything else before the last of ours would be skipped by the fast path.
    let lastOurs = -1;
    stack.forEach((layer, i) => {
      const handles = layer.route ? layer.route.stack.map((l) => l.handle) : [layer.handle];
      if (handles.some((h) => isMarked(h))) lastOurs = i;
    });
    for (let i = 0; i < lastOurs; i += 1) {
      const layer = stack[i]!;
      const handles = layer.route ? layer.route.stack.map((l) => l.handle) : [layer.handle];
      if (!handles.every((h) => isMarked(h))) return false;
    }
    return true;
  };

  let server: Server | undefined;
  let closing: Promise<boolean> | undefined;

  const listener = (fast: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    if (fast) {
      const url = req.url!;
      const method = req.method;
      if (method === 'POST') {
        if (url === '/invocations')
          return invoke(req, res, beginRequest(tracker, req, res, '/invocations', true), true);
        if (url.startsWith('/endpoints/') && ENDPOINT_PATH.test(url)) {
          return invoke(req, res, beginRequest(tracker, req, res, '/endpoints/:name/invocations', true), true);
        }
      } else if (method === 'GET' && url === '/ping') {
        const ctx: RequestContext = beginRequest(tracker, req, res, '/ping', true);
        endRequest(tracker, req, ctx, probes.ping(req, res, ctx, true) as number);
        return;
      }
    }
    return getApp()(req as Request, res as Response);
  };

  let starting: Promise<HealthState> | undefined;
  const start = (): Promise<HealthState> => {
    starting ??= runner.load().then(() => health.state);
    return starting;
  };

  let fastPath = false;
  const service: Service = {
    get app() {
      return getApp();
    },
    get state() {
      return health.state;
    },
    get server() {
      return server;
    },
    get fastPath() {
      return fastPath;
    },
    start,
    async listen(port: number = DEFAULTS.port, host: string = DEFAULTS.host) {
      if (server) throw new Error('listen() was already called on this service');
      fastPath = fastPathSafe();
      // Without the fast path every request goes through Express: load it now, not on the first request.
      if (!fastPath) getApp();
      server = createServer(httpServerOptions(limits), listener(fastPath));
      server.maxConnections = limits.maxConnections;
      const srv = server;
      await new Promise<void>((resolve, reject) => {
        const failed = (err: Error) => reject(listenError(err, port, host));
        srv.once('error', failed);
        srv.listen(port, host, () => {
          srv.off('error', failed);
          resolve();
        });
      });
      const address = srv.address() as AddressInfo;
      // sinceStartMs: process start to listening (Node, the runtime's modules, createService); the model's load follows.
      logger.info({ port: address.port, host, fastPath, sinceStartMs: Math.round(performance.now()) }, 'listening');
      emf?.start();
      const state = await start();
      return { port: address.port, host, state };
    },
    close() {
      closing ??= (async () => {
        health.transition('stopping');
        tracker.draining = true;
        const drained = server ? await drainServer(server, drainTimeoutMs) : true;
        if (!drained) logger.warn({ drainTimeoutMs }, 'drain timed out: remaining connections were closed');
        await batcher?.close().catch(() => undefined);
        await jsonWorker.close().catch(() => undefined);
        await capture?.close();
        await cache?.close().catch((err: unknown) => logger.warn({ err }, 'cache close failed'));
        await runner.close().catch((err: unknown) => logger.warn({ err }, 'model close failed'));
        // After the drain, so the last requests are in the last interval; before the log flush that writes it.
        emf?.stop();
        logger.info({ drained }, 'stopped');
        await flushLogs(logger);
        return drained;
      })();
      return closing;
    },
  };
  return service;
}

/** Waits (bounded: a stuck stdout must not hold the exit) until the log lines are written. */
function flushLogs(logger: { flush?(cb?: (err?: Error) => void): void }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    try {
      logger.flush?.(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function mark<T extends object>(fn: T): T {
  (fn as Record<symbol, boolean>)[RUNTIME_LAYER] = true;
  return fn;
}

function isMarked(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[RUNTIME_LAYER] === true;
}
