import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { createService } from '../src/create-service.js';
import { MicroBatcher, MicroBatcherError } from '../src/micro-batcher.js';
import { modelSum, predictSum, type Features } from './fixtures/model-sum.js';

/** A promise you settle from the test. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A recording model: doubles each number, remembers every batch it saw. */
function doubler() {
  const calls: number[][] = [];
  const run = async (items: number[]) => {
    calls.push([...items]);
    return items.map((x) => x * 2);
  };
  return { calls, run };
}

describe('MicroBatcher', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports each submit (and each chunk of a large one) waiting for its batch, once, in milliseconds', async () => {
    const model = doubler();
    const waits: number[] = [];
    const gate = deferred<void>();
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 1000,
      run: async (items) => {
        await gate.promise;
        return model.run(items);
      },
      onQueueWait: (ms) => waits.push(ms),
    });
    const first = batcher.submit([1]);
    await new Promise((r) => setImmediate(r)); // the first batch is in flight
    expect(waits).toHaveLength(1);
    // Two submits wait behind it, one of them split into chunks of 4 and 1.
    const later = [batcher.submit([2]), batcher.submit([3, 4, 5, 6, 7])];
    await new Promise((r) => setTimeout(r, 20));
    gate.resolve();
    await Promise.all([first, ...later]);
    expect(waits).toHaveLength(4);
    expect(waits.every((ms) => ms >= 0)).toBe(true);
    // The ones that waited behind the in-flight batch waited about as long as it ran.
    expect(Math.max(...waits.slice(1))).toBeGreaterThanOrEqual(15);
    await batcher.close();
  });

  it('merges submits made in the same turn into one run call, each caller getting its own results in order', async () => {
    const model = doubler();
    const batcher = new MicroBatcher<number, number>({ maxBatchSize: 100, maxWaitMs: 50, run: model.run });
    const results = await Promise.all([batcher.submit([1, 2]), batcher.submit([3]), batcher.submit([4, 5, 6])]);
    expect(results).toEqual([[2, 4], [6], [8, 10, 12]]);
    expect(model.calls).toEqual([[1, 2, 3, 4, 5, 6]]);
    await batcher.close();
  });

  it('runs a lone submit without waiting maxWaitMs when the model is idle', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const model = doubler();
    const batcher = new MicroBatcher<number, number>({ maxBatchSize: 8, maxWaitMs: 60_000, run: model.run });
    // No fake time advances: only the idle-model rule can run it.
    await expect(batcher.submit([7])).resolves.toEqual([14]);
    expect(model.calls).toEqual([[7]]);
    await batcher.close();
  });

  it('never puts more than maxBatchSize items in one run, and never splits a request that fits', async () => {
    const model = doubler();
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 5,
      run: model.run,
      onBatch: (size) => sizes.push(size),
    });
    const submits = Array.from({ length: 10 }, (_, i) => batcher.submit([i * 10, i * 10 + 1, i * 10 + 2]));
    const results = await Promise.all(submits);
    results.forEach((r, i) => expect(r).toEqual([i * 20, i * 20 + 2, i * 20 + 4]));
    expect(model.calls.every((c) => c.length <= 4)).toBe(true);
    // 3-item requests never share a 4-item batch, and none is cut in two
    expect(model.calls.every((c) => c.length === 3)).toBe(true);
    expect(sizes).toEqual(model.calls.map((c) => c.length));
    await batcher.close();
  });

  it('splits one submit larger than maxBatchSize into chunks and concatenates the results in order', async () => {
    const model = doubler();
    const batcher = new MicroBatcher<number, number>({ maxBatchSize: 3, maxWaitMs: 5, run: model.run });
    const items = [1, 2, 3, 4, 5, 6, 7];
    await expect(batcher.submit(items)).resolves.toEqual(items.map((x) => x * 2));
    expect(model.calls.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(model.calls.flat()).toEqual(items);
    await batcher.close();
  });

  it('holds items while a batch is in flight and flushes them once maxWaitMs has passed', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const gates: Array<ReturnType<typeof deferred<number[]>>> = [];
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 100,
      maxWaitMs: 40,
      run: (items) => {
        calls.push(items);
        const gate = deferred<number[]>();
        gates.push(gate);
        return gate.promise;
      },
    });
    const first = batcher.submit([1]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]); // idle model: ran at once
    const second = batcher.submit([2]);
    const third = batcher.submit([3]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1); // the model is busy: they wait
    expect(batcher.pending).toBe(2);
    jest.advanceTimersByTime(39);
    expect(calls).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(calls).toEqual([[1], [2, 3]]); // maxWaitMs since the first waiting item
    expect(batcher.inFlight).toBe(2);
    gates[1]?.resolve([20, 30]);
    gates[0]?.resolve([10]);
    await expect(Promise.all([first, second, third])).resolves.toEqual([[10], [20], [30]]);
    await batcher.close();
  });

  it('flushes waiting items as soon as the in-flight batch settles, before maxWaitMs', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const gates: Array<ReturnType<typeof deferred<number[]>>> = [];
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 100,
      maxWaitMs: 60_000,
      run: (items) => {
        calls.push(items);
        const gate = deferred<number[]>();
        gates.push(gate);
        return gate.promise;
      },
    });
    const first = batcher.submit([1]);
    await new Promise((r) => setImmediate(r));
    const waiting = [batcher.submit([2]), batcher.submit([3])];
    gates[0]?.resolve([10]);
    await first;
    for (let i = 0; i < 10 && calls.length < 2; i += 1) await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2, 3]]);
    gates[1]?.resolve([20, 30]);
    await expect(Promise.all(waiting)).resolves.toEqual([[20], [30]]);
    await batcher.close();
  });

  it('flushes at once when maxBatchSize items are waiting, even while busy', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const calls: number[][] = [];
    const hold = deferred<number[]>();
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxWaitMs: 60_000,
      run: (items) => {
        calls.push(items);
        return calls.length === 1 ? hold.promise : Promise.resolve(items);
      },
    });
    const first = batcher.submit([1, 2]); // full: dispatched synchronously
    expect(calls).toEqual([[1, 2]]);
    const a = batcher.submit([3]);
    const b = batcher.submit([4]);
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await expect(Promise.all([a, b])).resolves.toEqual([[3], [4]]);
    hold.resolve([1, 2]);
    await first;
    await batcher.close();
  });

  it('rejects only the callers of the batch whose run failed', async () => {
    const calls: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 2,
      maxWaitMs: 5,
      run: async (items) => {
        calls.push(items);
        if (items.includes('bad')) throw new Error('model exploded');
        return items.map((s) => s.toUpperCase());
      },
    });
    const [ok1, bad1, bad2, ok2] = await Promise.allSettled([
      batcher.submit(['a', 'b']),
      batcher.submit(['bad']),
      batcher.submit(['c']),
      batcher.submit(['d', 'e']),
    ]);
    expect(calls).toEqual([
      ['a', 'b'],
      ['bad', 'c'],
      ['d', 'e'],
    ]);
    expect(ok1).toEqual({ status: 'fulfilled', value: ['A', 'B'] });
    expect(ok2).toEqual({ status: 'fulfilled', value: ['D', 'E'] });
    expect(bad1.status).toBe('rejected');
    expect(bad2.status).toBe('rejected');
    expect((bad1 as PromiseRejectedResult).reason.message).toBe('model exploded');
    await batcher.close();
  });

  it('treats a synchronous throw from run like a rejection', async () => {
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 5,
      run: () => {
        throw new Error('sync boom');
      },
    });
    await expect(batcher.submit([1])).rejects.toThrow('sync boom');
    await batcher.close();
  });

  it('rejects a batch whose result count does not match, with a stable code', async () => {
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 10,
      maxWaitMs: 5,
      run: async (items) => items.slice(1),
    });
    const settled = await Promise.allSettled([batcher.submit([1, 2]), batcher.submit([3])]);
    for (const result of settled) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as MicroBatcherError;
      expect(reason).toBeInstanceOf(MicroBatcherError);
      expect(reason.code).toBe('MS_RUNTIME_BATCH_RESULT_MISMATCH');
      expect(reason.message).toContain('2 predictions for a batch of 3');
    }
    await batcher.close();
  });

  it('close() runs what is still waiting, then refuses new submits', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const hold = deferred<number[]>();
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 10,
      maxWaitMs: 60_000,
      run: (items) => {
        calls.push(items);
        return calls.length === 1 ? hold.promise : Promise.resolve(items.map((x) => -x));
      },
    });
    const first = batcher.submit([1]);
    await new Promise((r) => setImmediate(r));
    const waiting = batcher.submit([2]); // behind the held batch, timer far away
    const closed = batcher.close();
    expect(calls).toEqual([[1], [2]]);
    await expect(waiting).resolves.toEqual([-2]);
    hold.resolve([-1]);
    await closed;
    await expect(first).resolves.toEqual([-1]);
    const late = batcher.submit([3]);
    await expect(late).rejects.toBeInstanceOf(MicroBatcherError);
    await expect(late).rejects.toMatchObject({ code: 'MS_RUNTIME_BATCHER_CLOSED' });
  });

  it("keeps every caller's results exact under many concurrent random-sized submits", async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 16,
      maxWaitMs: 2,
      run: async (items) => {
        await new Promise((r) => setTimeout(r, 1));
        return items.map((x) => x + 0.5);
      },
      onBatch: (size) => sizes.push(size),
    });
    let next = 0;
    let chunks = 0;
    const jobs = Array.from({ length: 300 }, (_, i) => {
      const items = Array.from({ length: 1 + ((i * 7) % 20) }, () => next++);
      chunks += Math.ceil(items.length / 16);
      return batcher.submit(items).then((out) => expect(out).toEqual(items.map((x) => x + 0.5)));
    });
    await Promise.all(jobs);
    expect(sizes.every((s) => s >= 1 && s <= 16)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(next);
    expect(sizes.length).toBeLessThan(chunks); // merged: fewer run calls than chunks submitted
    await batcher.close();
  });

  it('answers an empty submit with no run call and validates its options', async () => {
    const model = doubler();
    const batcher = new MicroBatcher<number, number>({ maxBatchSize: 2, maxWaitMs: 0, run: model.run });
    await expect(batcher.submit([])).resolves.toEqual([]);
    expect(model.calls).toEqual([]);
    await batcher.close();
    expect(() => new MicroBatcher({ maxBatchSize: 0, maxWaitMs: 1, run: model.run })).toThrow(/maxBatchSize/);
    expect(() => new MicroBatcher({ maxBatchSize: 1, maxWaitMs: -1, run: model.run })).toThrow(/maxWaitMs/);
  });
});

describe('micro-batching inside a real service', () => {
  it('merges concurrent HTTP requests into fewer predict calls, each answer exactly its own', async () => {
    const calls: Features[][] = [];
    const { model } = modelSum({
      warmup: [],
      async predict(instances) {
        calls.push(instances);
        // a model whose per-call cost dominates: requests pile up while it works
        await new Promise((r) => setTimeout(r, 20));
        return predictSum(instances);
      },
    });
    const service = createService({
      model,
      batching: { enabled: true, maxBatchSize: 8, maxWaitMs: 50 },
      logger: pino({ level: 'silent' }),
    });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      const rows: Features[][] = Array.from({ length: 40 }, (_, i) => [
        [i, 0, 0, 1],
        [i, 1, 1, 1],
      ]);
      const answers = await Promise.all(
        rows.map(async (instances) => {
          const res = await fetch(`http://127.0.0.1:${port}/invocations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ instances }),
          });
          return { status: res.status, body: (await res.json()) as { predictions: unknown } };
        }),
      );
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(200);
        expect(answer.body.predictions).toEqual(predictSum(rows[i] as Features[]));
      });
      expect(calls.every((c) => c.length <= 8)).toBe(true);
      expect(calls.flat()).toHaveLength(80);
      expect(calls.length).toBeLessThan(40); // merged: fewer model calls than requests
      expect(calls.some((c) => c.length > 2)).toBe(true);
    } finally {
      await service.close();
    }
  });
});
