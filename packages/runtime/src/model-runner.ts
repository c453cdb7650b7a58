// Runs the model apart from HTTP: load + warm-up, a bound on concurrent work, a timeout
// per predict call, optional micro-batching, and rule-based fallback answers when the
// model is unavailable. HTTP maps the RuntimeErrors thrown here to status codes.
import { performance } from 'node:perf_hooks';
import { RuntimeError } from './errors.js';
import type { Health } from './health.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ModelDefinition } from './types.js';
import type { Validators } from './validation.js';

/** The micro-batcher's shape as the runner uses it (src/micro-batcher.ts). */
export interface Batcher {
  submit(items: unknown[]): Promise<unknown[]>;
}

export type BatcherFactory = (run: (items: unknown[]) => Promise<unknown[]>) => Batcher;

export interface RunnerOptions {
  model: ModelDefinition;
  health: Health;
  validators: Validators;
  metrics: Metrics;
  logger: Logger;
  predictTimeoutMs: number;
  maxInFlight: number;
  /** Present when micro-batching is on. */
  batcher?: BatcherFactory;
}

export interface RunResult {
  predictions: unknown[];
  source: 'model' | 'fallback';
}

const NOT_READY_RETRY_AFTER = '5';
const OVERLOADED_RETRY_AFTER = '1';

/** The micro-batcher's own errors, in this table's terms. */
function fromBatcher(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'MS_RUNTIME_BATCH_RESULT_MISMATCH')
    return new RuntimeError('MS_RUNTIME_INVALID_OUTPUT', {}, { cause: err });
  if (code === 'MS_RUNTIME_BATCHER_CLOSED')
    return new RuntimeError('MS_RUNTIME_NOT_READY', { state: 'stopping' }, { cause: err });
  return err;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ModelRunner {
  readonly #o: RunnerOptions;
  readonly #batcher: Batcher | undefined;
  #inFlight = 0;
  /** Model calls that timed out but have not returned yet: they still hold capacity. */
  #abandoned = 0;
  #loading: Promise<void> | undefined;
  readonly #overloaded: RuntimeError;

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#batcher = options.batcher?.((items) => this.#predict(items));
    // Built once: the overload answer is on the hot path exactly when the service is busiest.
    this.#overloaded = new RuntimeError(
      'MS_RUNTIME_OVERLOADED',
      { limit: options.maxInFlight, retryAfter: OVERLOADED_RETRY_AFTER },
      { headers: { 'retry-after': OVERLOADED_RETRY_AFTER } },
    );
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** load() then warm-up; moves health to ready, or to unhealthy with the reason. Idempotent. */
  load(): Promise<void> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    const { model, health, logger } = this.#o;
    const started = performance.now();
    try {
      await model.load?.();
    } catch (err) {
      const error = new RuntimeError(
        'MS_RUNTIME_MODEL_LOAD_FAILED',
        { model: model.name, detail: message(err) },
        { cause: err },
      );
      logger.error({ code: error.code, err }, error.message);
      health.transition('unhealthy', error.message);
      return;
    }
    const loaded = performance.now();
    if (model.warmup && model.warmup.length > 0) {
      try {
        const predictions = await this.#predict(model.warmup);
        const problem = this.#o.validators.predictions(predictions, model.warmup.length);
        if (problem) throw new Error(`its answer does not match the prediction schema: ${problem}`);
      } catch (err) {
        const error = new RuntimeError(
          'MS_RUNTIME_WARMUP_FAILED',
          { model: model.name, detail: message(err) },
          { cause: err },
        );
        logger.error({ code: error.code, err }, error.message);
        health.transition('unhealthy', error.message);
        return;
      }
    }
    if (health.transition('ready')) {
      // Its own phase in the log: cold start = process start to 'listening' + this model load and warm-up.
      const now = performance.now();
      logger.info(
        {
          model: model.name,
          version: model.version,
          ms: Math.round(now - started),
          loadMs: Math.round(loaded - started),
          warmupMs: Math.round(now - loaded),
        },
        'model ready',
      );
    }
  }

  /**
   * Predicts for one request's instances. Throws RuntimeError: NOT_READY, MODEL_UNAVAILABLE,
   * OVERLOADED, PREDICT_TIMEOUT, PREDICT_FAILED. Model errors and timeouts answer from the
   * fallback when the model defines one.
   */
  async run(instances: unknown[]): Promise<RunResult> {
    const { health, model } = this.#o;
    const state = health.state;
    if (state !== 'ready' && state !== 'stopping') {
      if (state === 'unhealthy' && model.fallback) return this.#fallback(instances, health.reason ?? 'unhealthy');
      if (state === 'unhealthy') {
        throw new RuntimeError(
          'MS_RUNTIME_MODEL_UNAVAILABLE',
          { reason: health.reason ?? 'unhealthy' },
          {
            headers: { 'retry-after': NOT_READY_RETRY_AFTER },
          },
        );
      }
      throw new RuntimeError('MS_RUNTIME_NOT_READY', { state }, { headers: { 'retry-after': NOT_READY_RETRY_AFTER } });
    }
    if (this.#inFlight + this.#abandoned >= this.#o.maxInFlight) throw this.#overloaded;
    this.#inFlight += 1;
    try {
      const predictions = this.#batcher ? await this.#batcher.submit(instances) : await this.#predict(instances);
      return { predictions, source: 'model' };
    } catch (caught) {
      const err = fromBatcher(caught);
      if (model.fallback && err instanceof RuntimeError) {
        this.#o.logger.warn({ code: err.code }, 'model failed; answering from fallback');
        return this.#fallback(instances, err.code);
      }
      throw err;
    } finally {
      this.#inFlight -= 1;
    }
  }

  #fallback(instances: unknown[], reason: string): RunResult {
    const started = performance.now();
    const predictions = this.#o.model.fallback!(instances);
    this.#o.metrics.recordFallback((performance.now() - started) / 1000);
    this.#o.logger.debug({ reason }, 'fallback answer');
    return { predictions, source: 'fallback' };
  }

  /** One model call with a timeout; a timed-out call keeps holding capacity until it returns. */
  #predict(instances: unknown[]): Promise<unknown[]> {
    const { model, metrics, predictTimeoutMs } = this.#o;
    const started = performance.now();
    metrics.recordBatch(instances.length);
    let result: unknown[] | Promise<unknown[]>;
    try {
      result = model.predict(instances) as unknown[] | Promise<unknown[]>;
    } catch (err) {
      return Promise.reject(new RuntimeError('MS_RUNTIME_PREDICT_FAILED', {}, { cause: err }));
    }
    if (!(result instanceof Promise)) {
      // A synchronous model cannot be interrupted, so no timer is armed.
      metrics.recordPredict((performance.now() - started) / 1000);
      return Promise.resolve(result);
    }
    return new Promise<unknown[]>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.#abandoned += 1;
        reject(new RuntimeError('MS_RUNTIME_PREDICT_TIMEOUT', { timeoutMs: predictTimeoutMs }));
      }, predictTimeoutMs);
      const settle = () => {
        if (timedOut) this.#abandoned -= 1;
        else clearTimeout(timer);
      };
      (result as Promise<unknown[]>).then(
        (predictions) => {
          settle();
          metrics.recordPredict((performance.now() - started) / 1000);
          resolve(predictions);
        },
        (err: unknown) => {
          settle();
          reject(new RuntimeError('MS_RUNTIME_PREDICT_FAILED', {}, { cause: err }));
        },
      );
    });
  }

  /** Waits for loading to settle, then closes the model. */
  async close(): Promise<void> {
    await this.#loading?.catch(() => undefined);
    await this.#o.model.close?.();
  }
}
