// The service's metrics for CloudWatch without an agent: CloudWatch Embedded Metric Format (EMF)
// JSON lines on stdout, which CloudWatch Logs turns into metrics as it ingests the endpoint's log.
// Observations are aggregated in memory and written once per interval (and at shutdown), so the
// cost on stdout is a few lines a minute whatever the traffic. Dimensions stay few and fixed
// (Service, Environment, Variant; Code only on ClientErrors): every distinct combination is a
// custom metric CloudWatch bills for.
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
import { Distribution, threeSignificantDigits } from './emf-distribution.js';

/** The metric names this file writes (the deployer's dashboard and alarms use the same names). */
export const EMF_METRIC_NAMES = {
  predictLatency: 'PredictLatency',
  queueWait: 'QueueWait',
  batchSize: 'BatchSize',
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  fallbackAnswers: 'FallbackAnswers',
  clientErrors: 'ClientErrors',
} as const;

export const EMF_DEFAULTS = { namespace: 'ModelService', intervalMs: 60_000, variant: 'AllTraffic' } as const;

export interface EmfOptions {
  /** CloudWatch namespace (default ModelService). */
  namespace?: string;
  /** Dimension values: the service (model) name, the environment, the SageMaker production variant. */
  service: string;
  environment: string;
  variant?: string;
  /** How often the aggregate is written (default 60000 ms: CloudWatch's standard resolution). */
  intervalMs?: number;
  /** Which metrics this service can produce; the others are never declared (no empty custom metrics). */
  cache: boolean;
  fallback: boolean;
  batching: boolean;
  /** Receives each line, newline included (the service's stdout log destination). */
  write: (line: string) => void;
  now?: () => number;
}

type Unit = 'Milliseconds' | 'Count';
interface MetricDefinition {
  Name: string;
  Unit: Unit;
}

const DIMENSIONS = ['Service', 'Environment', 'Variant'] as const;

export class EmfMetrics {
  readonly #o: EmfOptions;
  readonly #namespace: string;
  readonly #dimensions: Record<(typeof DIMENSIONS)[number], string>;
  readonly #now: () => number;
  readonly #predictLatencyMs = new Distribution(threeSignificantDigits);
  readonly #queueWaitMs = new Distribution(threeSignificantDigits);
  readonly #batchSize = new Distribution();
  #cacheHits = 0;
  #cacheMisses = 0;
  #fallbacks = 0;
  #clientErrors = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: EmfOptions) {
    this.#o = options;
    this.#namespace = options.namespace ?? EMF_DEFAULTS.namespace;
    this.#dimensions = {
      Service: options.service,
      Environment: options.environment,
      Variant: options.variant ?? EMF_DEFAULTS.variant,
    };
    this.#now = options.now ?? Date.now;
  }

  predictLatency(ms: number): void {
    this.#predictLatencyMs.add(ms);
  }

  queueWait(ms: number): void {
    this.#queueWaitMs.add(ms);
  }

  batch(size: number): void {
    this.#batchSize.add(size);
  }

  cacheHit(): void {
    this.#cacheHits += 1;
  }

  cacheMiss(): void {
    this.#cacheMisses += 1;
  }

  fallbackAnswer(): void {
    this.#fallbacks += 1;
  }

  /** A 4xx answer; `code` is the runtime's stable error code (a small fixed set). */
  clientError(code: string): void {
    this.#clientErrors.set(code, (this.#clientErrors.get(code) ?? 0) + 1);
  }

  /** Writes every interval until stop(); the timer never holds the process open. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.flush(), this.#o.intervalMs ?? EMF_DEFAULTS.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what the last interval saw (shutdown). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
  }

  /** Writes the interval's lines (the service's, then one per 4xx code seen) and starts a new interval. */
  flush(): void {
    for (const line of this.lines()) this.#o.write(line);
  }

  /** The interval's EMF documents as lines; resets the aggregate. */
  lines(): string[] {
    const timestamp = Math.round(this.#now());
    const metrics: MetricDefinition[] = [];
    const values: Record<string, number | number[]> = {};
    const put = (name: string, unit: Unit, value: number | number[]) => {
      metrics.push({ Name: name, Unit: unit });
      values[name] = value;
    };
    const distribution = (name: string, unit: Unit, d: Distribution) => {
      // An empty array is no value: an interval without observations writes nothing for it.
      if (d.size > 0) put(name, unit, d.take());
    };
    distribution(EMF_METRIC_NAMES.predictLatency, 'Milliseconds', this.#predictLatencyMs);
    if (this.#o.batching) {
      distribution(EMF_METRIC_NAMES.queueWait, 'Milliseconds', this.#queueWaitMs);
      distribution(EMF_METRIC_NAMES.batchSize, 'Count', this.#batchSize);
    }
    // Counts are written as 0 too, so alarms and rates see a continuous series while the service runs.
    if (this.#o.cache) {
      put(EMF_METRIC_NAMES.cacheHits, 'Count', this.#cacheHits);
      put(EMF_METRIC_NAMES.cacheMisses, 'Count', this.#cacheMisses);
    }
    if (this.#o.fallback) put(EMF_METRIC_NAMES.fallbackAnswers, 'Count', this.#fallbacks);
    this.#cacheHits = 0;
    this.#cacheMisses = 0;
    this.#fallbacks = 0;

    const lines: string[] = [];
    if (metrics.length > 0) lines.push(this.#document(timestamp, DIMENSIONS, metrics, values));
    for (const [code, count] of this.#clientErrors) {
      lines.push(
        this.#document(timestamp, [...DIMENSIONS, 'Code'], [{ Name: EMF_METRIC_NAMES.clientErrors, Unit: 'Count' }], {
          Code: code,
          [EMF_METRIC_NAMES.clientErrors]: count,
        }),
      );
    }
    this.#clientErrors = new Map();
    return lines;
  }

  #document(
    timestamp: number,
    dimensions: readonly string[],
    metrics: MetricDefinition[],
    members: Record<string, string | number | number[]>,
  ): string {
    const doc = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [{ Namespace: this.#namespace, Dimensions: [dimensions], Metrics: metrics }],
      },
      ...this.#dimensions,
      ...members,
    };
    return `${JSON.stringify(doc)}\n`;
  }
}
