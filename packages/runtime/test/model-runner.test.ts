// The model runner apart from HTTP: timeouts, the in-flight bound, fallback, batching.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createService } from '../src/create-service.js';
import { RuntimeError } from '../src/errors.js';
import { Health } from '../src/health.js';
import { Metrics } from '../src/metrics.js';
import { MicroBatcher } from '../src/micro-batcher.js';
import { ModelRunner } from '../src/model-runner.js';
import type { ModelDefinition } from '../src/types.js';
import { createValidators } from '../src/validation.js';
import { modelSlowPredict } from './fixtures/model-slow-predict.js';
import { modelSum, type Features } from './fixtures/model-sum.js';
import { modelThrowsOnPredict } from './fixtures/model-throws-on-predict.js';
import { silentLogger } from './helpers/memory-logger.js';

function runner(
  model: ModelDefinition,
  extra: { predictTimeoutMs?: number; maxInFlight?: number; batch?: boolean } = {},
) {
  const health = new Health();
  const metrics = new Metrics();
  const r = new ModelRunner({
    model,
    health,
    metrics,
    logger: silentLogger(),
    validators: createValidators(model, 64),
    predictTimeoutMs: extra.predictTimeoutMs ?? 1000,
    maxInFlight: extra.maxInFlight ?? 10,
    ...(extra.batch
      ? {
          batcher: (run: (items: unknown[]) => Promise<unknown[]>) =>
            new MicroBatcher({ maxBatchSize: 64, maxWaitMs: 50, run }),
        }
      : {}),
  });
  return { r, health, metrics };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof RuntimeError ? err.code : String(err);
  }
}

describe('ModelRunner', () => {
  it('a predict slower than the timeout rejects MS_RUNTIME_PREDICT_TIMEOUT, and still holds its slot', async () => {
    const model = modelSlowPredict(300);
    const { r } = runner(model, { predictTimeoutMs: 20, maxInFlight: 1 });
    await r.load();
    expect(await codeOf(r.run([[1, 2, 3, 4]]))).toBe('MS_RUNTIME_PREDICT_TIMEOUT');
    // The timed-out call is still running inside the model: no new work is admitted.
    expect(await codeOf(r.run([[1, 2, 3, 4]]))).toBe('MS_RUNTIME_OVERLOADED');
    await new Promise((res) => setTimeout(res, 350));
    expect(await codeOf(r.run([[1, 2, 3, 4]]))).toBe('MS_RUNTIME_PREDICT_TIMEOUT');
  });

  it('more runs than maxInFlight -> MS_RUNTIME_OVERLOADED with Retry-After', async () => {
    const { r } = runner(modelSlowPredict(50), { maxInFlight: 2 });
    await r.load();
    const a = r.run([[1, 1, 1, 1]]);
    const b = r.run([[1, 1, 1, 1]]);
    let refused: unknown;
    try {
      await r.run([[1, 1, 1, 1]]);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RuntimeError);
    expect((refused as RuntimeError).code).toBe('MS_RUNTIME_OVERLOADED');
    expect((refused as RuntimeError).headers).toEqual({ 'retry-after': '1' });
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
    expect(r.inFlight).toBe(0);
  });

  it('a model that throws answers from fallback when it has one', async () => {
    const model = {
      ...modelThrowsOnPredict(),
      fallback: (xs: Features[]) => xs.map(() => ({ label: 'small' as const, sum: -1 })),
    };
    const { r, metrics } = runner(model);
    await r.load();
    await expect(r.run([[1, 2, 3, 4]])).resolves.toEqual({
      predictions: [{ label: 'small', sum: -1 }],
      source: 'fallback',
    });
    expect((await metrics.fallbacks.get()).values[0]?.value).toBe(1);
  });

  it('micro-batching merges concurrent runs into one predict call, answers each its own rows', async () => {
    const { model, calls } = modelSum({
      warmup: [],
      predict: async (xs) => xs.map((x) => ({ label: 'small', sum: x[0] })),
    });
    void calls;
    const seen: number[] = [];
    const wrapped: ModelDefinition = {
      ...model,
      predict: (xs: unknown[]) => {
        seen.push(xs.length);
        return model.predict(xs as Features[]);
      },
    };
    const { r, metrics } = runner(wrapped, { batch: true });
    await r.load();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => r.run([[n, 0, 0, 0]])));
    expect(results.map((x) => x.predictions)).toEqual([1, 2, 3, 4, 5].map((n) => [{ label: 'small', sum: n }]));
    // Fewer model calls than requests; every instance went through exactly once.
    expect(seen.length).toBeLessThan(5);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(5);
    const sizes = await metrics.batchSize.get();
    expect(sizes.values.find((v) => v.metricName === 'model_batch_size_sum')?.value).toBe(5);
  });
});

describe('timeouts and overload over HTTP', () => {
  it('504 MS_RUNTIME_PREDICT_TIMEOUT when the model is too slow', async () => {
    const service = createService({ model: modelSlowPredict(200), logger: silentLogger(), predictTimeoutMs: 20 });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      const res = await request(`http://127.0.0.1:${port}`)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]] })
        .expect(504);
      expect(res.body.error).toMatchObject({ code: 'MS_RUNTIME_PREDICT_TIMEOUT' });
      expect(res.body.error.message).toContain('20 ms');
    } finally {
      await service.close();
    }
  });

  it('503 MS_RUNTIME_OVERLOADED with Retry-After beyond maxInFlight', async () => {
    const service = createService({ model: modelSlowPredict(150), logger: silentLogger(), maxInFlight: 2 });
    const { port } = await service.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    try {
      const body = { instances: [[1, 2, 3, 4]] };
      const answers = await Promise.all([1, 2, 3, 4].map(() => request(url).post('/invocations').send(body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 503, 503]);
      const refused = answers.find((a) => a.status === 503)!;
      expect(refused.body.error.code).toBe('MS_RUNTIME_OVERLOADED');
      expect(refused.headers['retry-after']).toBe('1');
    } finally {
      await service.close();
    }
  });

  it('batching on: concurrent requests share predict calls over HTTP', async () => {
    const sizes: number[] = [];
    const { model } = modelSum({
      warmup: [],
      predict: async (xs) => {
        sizes.push(xs.length);
        await new Promise((r) => setTimeout(r, 20));
        return xs.map((x) => ({ label: 'small' as const, sum: x[0] }));
      },
    });
    const service = createService({
      model,
      logger: silentLogger(),
      batching: { enabled: true, maxBatchSize: 16, maxWaitMs: 30 },
    });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${port}`;
      const answers = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((n) =>
          request(url)
            .post('/invocations')
            .send({ instances: [[n, 0, 0, 0]] }),
        ),
      );
      expect(answers.map((a) => a.body.predictions[0].sum)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);
      expect(sizes.length).toBeLessThan(6);
    } finally {
      await service.close();
    }
  });
});
