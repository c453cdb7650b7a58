// Prometheus metrics on a registry owned by one service (several services can share a
// process, e.g. in tests). Label children are cached so the hot path does no label hashing, and
// the two histograms observed on every request are LabelledHistogram (an observe is a few adds).
// The record* methods are the hooks the hot path calls: Prometheus always, and the CloudWatch
// EMF aggregate too when it is on (emf-metrics.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EmfMetrics } from './emf-metrics.js';
import { LabelledHistogram, type HistogramSeries } from './histogram.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export class Metrics {
  readonly registry = new Registry();
  readonly requestDuration: LabelledHistogram<'route' | 'method' | 'status_code'>;
  /** Requests being served: a plain number on the hot path, read into the gauge at scrape time. */
  readonly inFlight = {
    value: 0,
    inc(): void {
      this.value += 1;
    },
    dec(): void {
      this.value -= 1;
    },
  };
  readonly inFlightGauge: Gauge;
  readonly modelLatency: LabelledHistogram<'source'>;
  readonly queueWait: Histogram;
  readonly batchSize: Histogram;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheErrors: Counter;
  readonly invalidOutputs: Counter;
  readonly fallbacks: Counter;
  readonly clientErrors: Counter<'code'>;
  readonly modelInfo: Gauge<'model' | 'version'>;
  /** Set when the service writes CloudWatch EMF lines. */
  readonly emf: EmfMetrics | undefined;
  readonly #children = new Map<string, HistogramSeries>();
  readonly #clientErrorChildren = new Map<string, { inc(): void }>();
  readonly #predictLatency: HistogramSeries;
  readonly #fallbackLatency: HistogramSeries;

  constructor(labels: Record<string, string> = {}, emf?: EmfMetrics) {
    this.emf = emf;
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    this.requestDuration = new LabelledHistogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status code',
      labelNames: ['route', 'method', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const inFlight = this.inFlight;
    this.inFlightGauge = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served',
      registers,
      collect() {
        this.set(inFlight.value);
      },
    });
    this.modelLatency = new LabelledHistogram({
      name: 'model_predict_duration_seconds',
      help: 'Time spent in one predict call (model or fallback)',
      labelNames: ['source'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'model_queue_wait_seconds',
      help: 'Time a request waited for its micro-batch to start (batching only)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'model_batch_size',
      help: 'Instances per predict call',
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.cacheHits = new Counter({ name: 'model_cache_hits_total', help: 'Answers served from the cache', registers });
    this.cacheMisses = new Counter({
      name: 'model_cache_misses_total',
      help: 'Cache lookups that missed (faults included)',
      registers,
    });
    this.cacheErrors = new Counter({
      name: 'model_cache_errors_total',
      help: 'Cache faults degraded to misses',
      registers,
    });
    this.invalidOutputs = new Counter({
      name: 'model_invalid_output_total',
      help: 'Predictions withheld because they failed the prediction schema (a model bug)',
      registers,
    });
    this.fallbacks = new Counter({
      name: 'model_fallback_total',
      help: 'Requests answered by the fallback rules',
      registers,
    });
    this.clientErrors = new Counter({
      name: 'http_client_errors_total',
      help: 'Requests answered 4xx, by the stable error code',
      labelNames: ['code'],
      registers,
    });
    this.modelInfo = new Gauge({
      name: 'model_info',
      help: 'The model being served (always 1); version is the model file sha256 when the service checks it',
      labelNames: ['model', 'version'],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
    this.#predictLatency = this.modelLatency.labels('model');
    this.#fallbackLatency = this.modelLatency.labels('fallback');
  }

  /** One model predict call took `seconds`. */
  recordPredict(seconds: number): void {
    this.#predictLatency.observe(seconds);
    this.emf?.predictLatency(seconds * 1000);
  }

  /** One answer came from the fallback rules, computed in `seconds`. */
  recordFallback(seconds: number): void {
    this.#fallbackLatency.observe(seconds);
    this.fallbacks.inc();
    this.emf?.fallbackAnswer();
  }

  /** One predict call got `size` instances. */
  recordBatch(size: number): void {
    this.batchSize.observe(size);
    this.emf?.batch(size);
  }

  /** One request waited `seconds` in the micro-batcher's queue. */
  recordQueueWait(seconds: number): void {
    this.queueWait.observe(seconds);
    this.emf?.queueWait(seconds * 1000);
  }

  recordCacheHit(): void {
    this.cacheHits.inc();
    this.emf?.cacheHit();
  }

  recordCacheMiss(): void {
    this.cacheMisses.inc();
    this.emf?.cacheMiss();
  }

  /** One 4xx answer with the runtime's stable error code. */
  recordClientError(code: string): void {
    let child = this.#clientErrorChildren.get(code);
    if (child === undefined) {
      child = this.clientErrors.labels(code);
      this.#clientErrorChildren.set(code, child);
    }
    child.inc();
    this.emf?.clientError(code);
  }

  /** One series: a dashboard or alert can tell which weights answered, and when they changed. */
  setModelInfo(model: string, version: string): void {
    this.modelInfo.reset();
    this.modelInfo.labels(model, version).set(1);
  }

  /** Records one finished request; `route` is the route pattern, never the raw URL. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      child = this.requestDuration.labels(route, method, String(status));
      this.#children.set(key, child);
    }
    child.observe(seconds);
  }

  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
