// The cache in the invocation path: X-Cache HIT/MISS, keys from the canonical request,
// the model not called on a hit, and a cache fault served as a miss (never an error).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createService } from '../src/create-service.js';
import type { CacheOptions } from '../src/types.js';
import { modelSum } from './fixtures/model-sum.js';
import { freePort } from './helpers/free-port.js';
import { silentLogger } from './helpers/memory-logger.js';

async function withService(cache: CacheOptions, fn: (url: string, calls: unknown[][]) => Promise<void>) {
  const { model, calls } = modelSum({ warmup: [] });
  const service = createService({ model, logger: silentLogger(), cache });
  const { port } = await service.listen(0, '127.0.0.1');
  try {
    await fn(`http://127.0.0.1:${port}`, calls);
  } finally {
    await service.close();
  }
}

const metric = async (url: string, name: string) => {
  const text = (await request(url).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
};

describe('cache in the invocation path', () => {
  it('memory: MISS then HIT for the same instances; the model runs once', async () => {
    await withService({ kind: 'memory', ttlSeconds: 60 }, async (url, calls) => {
      const first = await request(url)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]] })
        .expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      const second = await request(url)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]] })
        .expect(200);
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.body).toEqual(first.body);
      expect(calls).toHaveLength(1);
      // Same instances as CSV: same canonical form, same entry.
      const csv = await request(url).post('/invocations').set('content-type', 'text/csv').send('1,2,3,4').expect(200);
      expect(csv.headers['x-cache']).toBe('HIT');
      const other = await request(url)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 5]] })
        .expect(200);
      expect(other.headers['x-cache']).toBe('MISS');
      expect(await metric(url, 'model_cache_hits_total')).toBe(2);
      expect(await metric(url, 'model_cache_misses_total')).toBe(2);
    });
  });

  it('invalid requests never reach the cache', async () => {
    await withService({ kind: 'memory' }, async (url) => {
      const res = await request(url)
        .post('/invocations')
        .send({ instances: [['x']] })
        .expect(400);
      expect(res.headers['x-cache']).toBeUndefined();
      expect(await metric(url, 'model_cache_misses_total')).toBe(0);
    });
  });

  it('no X-Cache header when the cache is off', async () => {
    await withService({ kind: 'off' }, async (url) => {
      const res = await request(url)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]] })
        .expect(200);
      expect(res.headers['x-cache']).toBeUndefined();
    });
  });

  it("redis (the test run's real redis-server): MISS then HIT", async () => {
    const redisUrl = process.env.REDIS_URL;
    expect(redisUrl).toBeDefined();
    await withService({ kind: 'redis', redisUrl, ttlSeconds: 30 }, async (url, calls) => {
      // A unique instance so earlier runs' entries cannot answer.
      const unique = [Date.now() % 100000, Math.round(Math.random() * 1e6), 3, 4];
      const first = await request(url)
        .post('/invocations')
        .send({ instances: [unique] })
        .expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      // The store writes in the background; poll briefly (bounded) for the entry.
      let hit = '';
      for (let i = 0; i < 50 && hit !== 'HIT'; i += 1) {
        const again = await request(url)
          .post('/invocations')
          .send({ instances: [unique] })
          .expect(200);
        hit = again.headers['x-cache'] as string;
        if (hit !== 'HIT') await new Promise((r) => setTimeout(r, 20));
      }
      expect(hit).toBe('HIT');
      expect(calls.length).toBeGreaterThanOrEqual(1);
    });
  });

  it('redis down: every request is still answered (as a miss) and faults are counted', async () => {
    const deadPort = await freePort();
    await withService(
      { kind: 'redis', redisUrl: `redis://127.0.0.1:${deadPort}`, ttlSeconds: 30 },
      async (url, calls) => {
        for (let i = 0; i < 5; i += 1) {
          const res = await request(url)
            .post('/invocations')
            .send({ instances: [[i, 1, 1, 1]] })
            .expect(200);
          expect(res.headers['x-cache']).toBe('MISS');
        }
        expect(calls).toHaveLength(5);
        expect(await metric(url, 'model_cache_misses_total')).toBe(5);
        expect(await metric(url, 'model_cache_errors_total')).toBeGreaterThan(0);
      },
    );
  });

  it('a deeply nested instance under a permissive schema is keyed and answered, not a 500', async () => {
    // The model echoes a constant, so only the HTTP + cache path is under test.
    const { model } = modelSum({
      warmup: [],
      instanceSchema: {},
      predict: (instances) => instances.map(() => ({ label: 'small' as const, sum: 0 })),
    });
    const service = createService({ model, logger: silentLogger(), cache: { kind: 'memory' } });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      const body = `{"instances":[${'['.repeat(10_000)}1${']'.repeat(10_000)}]}`;
      const url = `http://127.0.0.1:${port}`;
      const first = await request(url).post('/invocations').set('content-type', 'application/json').send(body);
      expect(first.status).toBe(200);
      expect(first.headers['x-cache']).toBe('MISS');
      const second = await request(url).post('/invocations').set('content-type', 'application/json').send(body);
      expect(second.headers['x-cache']).toBe('HIT');
    } finally {
      await service.close();
    }
  });

  it('redis shared by two environments and two model files: each reads only its own entries', async () => {
    const redisUrl = process.env.REDIS_URL;
    expect(redisUrl).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'ms-cache-scope-'));
    const fileA = join(dir, 'a.onnx');
    const fileB = join(dir, 'b.onnx');
    writeFileSync(fileA, 'weights a');
    writeFileSync(fileB, 'weights b');
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    const start = async (environment: string, path: string) => {
      const { model, calls } = modelSum({ warmup: [] });
      const service = createService({
        model,
        logger: silentLogger(),
        environment,
        modelArtifact: { path, sha256: sha(path) },
        cache: { kind: 'redis', redisUrl, ttlSeconds: 30 },
      });
      const { port } = await service.listen(0, '127.0.0.1');
      return { service, calls, url: `http://127.0.0.1:${port}` };
    };
    const devA = await start('dev', fileA);
    const prodA = await start('prod', fileA);
    const devB = await start('dev', fileB);
    try {
      const unique = [Date.now() % 100000, Math.round(Math.random() * 1e6), 5, 6];
      await request(devA.url)
        .post('/invocations')
        .send({ instances: [unique] })
        .expect(200);
      // Wait (bounded) until dev/A's entry is in Redis, so a miss below is the scope, not timing.
      let hit = '';
      for (let i = 0; i < 50 && hit !== 'HIT'; i += 1) {
        hit = (
          await request(devA.url)
            .post('/invocations')
            .send({ instances: [unique] })
        ).headers['x-cache'] as string;
        if (hit !== 'HIT') await new Promise((r) => setTimeout(r, 20));
      }
      expect(hit).toBe('HIT');
      const otherEnv = await request(prodA.url)
        .post('/invocations')
        .send({ instances: [unique] })
        .expect(200);
      expect(otherEnv.headers['x-cache']).toBe('MISS');
      const otherWeights = await request(devB.url)
        .post('/invocations')
        .send({ instances: [unique] })
        .expect(200);
      expect(otherWeights.headers['x-cache']).toBe('MISS');
      expect(prodA.calls).toHaveLength(1);
      expect(devB.calls).toHaveLength(1);
    } finally {
      await Promise.all([devA.service.close(), prodA.service.close(), devB.service.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
