// Adaptive micro-batching: concurrent requests' instances are merged into one
// model call. Policy (why: latency first, batching only when it is free):
//  - the model is idle (no batch in flight): the waiting items run on the next
//    turn of the event loop (setImmediate), so requests that arrived in the same
//    I/O phase share a call but a lone request never waits for maxWaitMs;
//  - a batch is in flight: new items wait until that batch settles, until
//    maxBatchSize items are waiting, or until maxWaitMs has passed since the first
//    of them arrived, whichever comes first;
//  - a batch never holds more than maxBatchSize items; a submit larger than that
//    is split into chunks of maxBatchSize that are batched like any other items,
//    and its caller gets the chunks' results concatenated, in order.

export const MICRO_BATCHER_ERROR_CODES = {
  MS_RUNTIME_BATCH_RESULT_MISMATCH:
    'The model returned {got} predictions for a batch of {expected} instances; predict must return exactly one per instance, in order.',
  MS_RUNTIME_BATCHER_CLOSED: 'The micro-batcher is closed (the service is stopping); retry against another instance.',
} as const;

export type MicroBatcherErrorCode = keyof typeof MICRO_BATCHER_ERROR_CODES;

export class MicroBatcherError extends Error {
  override readonly name = 'MicroBatcherError';

  constructor(
    readonly code: MicroBatcherErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface MicroBatcherOptions<I, O> {
  /** Upper bound on items per run call (positive integer). */
  maxBatchSize: number;
  /** Longest an item waits for others while a batch is in flight (>= 0). */
  maxWaitMs: number;
  /** Runs one batch; must resolve one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /** Called with the item count of every batch started (metrics). */
  onBatch?: (size: number) => void;
  /** Called, per submit (or chunk), with the milliseconds it waited before its batch started (metrics). */
  onQueueWait?: (ms: number) => void;
}

interface Part<I, O> {
  items: I[];
  enqueuedAt: number;
  /** performance.now() at enqueue, only when onQueueWait is set (sub-millisecond waits). */
  queuedAt: number;
  resolve: (results: O[]) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<I, O> {
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly run: (items: I[]) => Promise<O[]>;
  private readonly onBatch: ((size: number) => void) | undefined;
  private readonly onQueueWait: ((ms: number) => void) | undefined;
  private queue: Part<I, O>[] = [];
  private queuedItems = 0;
  private inFlightBatches = 0;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(options: MicroBatcherOptions<I, O>) {
    if (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new RangeError(
        `MicroBatcher: maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}`,
      );
    }
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
      throw new RangeError(`MicroBatcher: maxWaitMs must be a number >= 0, got ${String(options.maxWaitMs)}`);
    }
    this.maxBatchSize = options.maxBatchSize;
    this.maxWaitMs = options.maxWaitMs;
    this.run = options.run;
    this.onBatch = options.onBatch;
    this.onQueueWait = options.onQueueWait;
  }

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queuedItems;
  }

  /** Batches whose run has not settled yet. */
  get inFlight(): number {
    return this.inFlightBatches;
  }

  submit(items: I[]): Promise<O[]> {
    if (this.closed) {
      return Promise.reject(
        new MicroBatcherError('MS_RUNTIME_BATCHER_CLOSED', MICRO_BATCHER_ERROR_CODES.MS_RUNTIME_BATCHER_CLOSED),
      );
    }
    if (items.length === 0) return Promise.resolve([]);
    if (items.length <= this.maxBatchSize) return this.enqueue(items);
    const chunks: Promise<O[]>[] = [];
    for (let start = 0; start < items.length; start += this.maxBatchSize) {
      chunks.push(this.enqueue(items.slice(start, start + this.maxBatchSize)));
    }
    return Promise.all(chunks).then((results) => results.flat() as O[]);
  }

  /** Stops taking submits, runs everything still waiting, and resolves once every batch settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    while (this.queue.length > 0) this.dispatch();
    await Promise.allSettled([...this.running]);
  }

  private enqueue(items: I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      const queuedAt = this.onQueueWait ? performance.now() : 0;
      this.queue.push({ items, enqueuedAt: Date.now(), queuedAt, resolve, reject });
      this.queuedItems += items.length;
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.queuedItems >= this.maxBatchSize) this.dispatch();
    if (this.queue.length === 0) {
      this.clearTimers();
      return;
    }
    if (this.inFlightBatches === 0 || this.maxWaitMs === 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.dispatch();
        this.schedule();
      });
      return;
    }
    if (!this.timer && !this.immediate) {
      const first = this.queue[0] as Part<I, O>;
      const delay = Math.max(0, first.enqueuedAt + this.maxWaitMs - Date.now());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.dispatch();
        this.schedule();
      }, delay);
    }
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** Takes whole parts from the head of the queue, up to maxBatchSize items, and runs them. */
  private dispatch(): void {
    if (this.queue.length === 0) return;
    const parts: Part<I, O>[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Part<I, O>;
      if (size > 0 && size + next.items.length > this.maxBatchSize) break;
      parts.push(next);
      size += next.items.length;
      this.queue.shift();
    }
    this.queuedItems -= size;
    const items = parts.length === 1 ? (parts[0] as Part<I, O>).items : parts.flatMap((part) => part.items);
    this.inFlightBatches += 1;
    try {
      this.onBatch?.(size);
      if (this.onQueueWait) {
        const now = performance.now();
        for (const part of parts) this.onQueueWait(now - part.queuedAt);
      }
    } catch {
      // a metrics hook must not break predictions
    }
    let result: Promise<O[]>;
    try {
      result = Promise.resolve(this.run(items));
    } catch (error) {
      result = Promise.reject(error);
    }
    const settled = result
      .then(
        (results) => this.deliver(parts, size, results),
        (error: unknown) => {
          for (const part of parts) part.reject(error);
        },
      )
      .finally(() => {
        this.inFlightBatches -= 1;
        this.running.delete(settled);
        // The model is free again: what waited behind this batch can go now.
        if (this.queue.length > 0 && !this.closed) this.schedule();
      });
    this.running.add(settled);
  }

  private deliver(parts: Part<I, O>[], size: number, results: O[]): void {
    if (!Array.isArray(results) || results.length !== size) {
      const got = Array.isArray(results) ? String(results.length) : `a non-array (${typeof results})`;
      const error = new MicroBatcherError(
        'MS_RUNTIME_BATCH_RESULT_MISMATCH',
        MICRO_BATCHER_ERROR_CODES.MS_RUNTIME_BATCH_RESULT_MISMATCH.replace('{got}', got).replace(
          '{expected}',
          String(size),
        ),
      );
      for (const part of parts) part.reject(error);
      return;
    }
    if (parts.length === 1) {
      (parts[0] as Part<I, O>).resolve(results);
      return;
    }
    let offset = 0;
    for (const part of parts) {
      part.resolve(results.slice(offset, offset + part.items.length));
      offset += part.items.length;
    }
  }
}
