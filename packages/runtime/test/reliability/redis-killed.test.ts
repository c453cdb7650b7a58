// Issue 2 reliability: "Redis killed mid-load: 0 errors to clients, cache metrics show
// misses". Our own redis-server is SIGKILLed while requests are in flight, first under
// the store alone, then under a real HTTP service; afterwards a fresh Redis comes back
// on the same port and hits must resume without restarting anything.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { CacheOperation } from '../../src/cache/cache-errors.js';
import { createRedisStore } from '../../src/cache/redis-store.js';
import { createService } from '../../src/create-service.js';
import type { Service } from '../../src/types.js';
import { modelSum, predictSum, type Features } from '../fixtures/model-sum.js';
import { freePort } from '../helpers/free-port.js';
import { startRedis, type RedisProcess } from '../helpers/redis-process.js';

/**
 * Runs jobs on `concurrency` workers (job i gets its index) until `done()` says so,
 * and never more than `max` jobs: bounded by construction.
 */
async function drive(
  max: number,
  concurrency: number,
  done: () => boolean,
  job: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < max && !done()) {
      const i = next;
      next += 1;
      await job(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

/** Load keeps running until this many calls were made after Redis died (store, HTTP). */
const AFTER_KILL = { store: 1_000, http: 500 };
/** Calls made before the kill (the cache is warm and in use). */
const KILL_AT = { store: 600, http: 300 };
const MAX_REQUESTS = 200_000;

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`metric ${name} not found in /metrics`);
  return Number(match[1]);
}

describe('Redis killed mid-load', () => {
  let redis: RedisProcess;

  beforeAll(async () => {
    redis = await startRedis(await freePort());
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('store: every call still resolves (as a miss) while Redis is dead, each fault is reported, hits resume', async () => {
    const faults: Record<CacheOperation, number> = { get: 0, set: 0, connection: 0 };
    const store = createRedisStore({
      url: redis.url,
      ttlSeconds: 60,
      keyPrefix: 'killed-store:',
      onError: (_error, operation) => {
        faults[operation] += 1;
      },
    });
    try {
      expect(await store.waitUntilReady(5_000)).toBe(true);
      let killed: Promise<void> | undefined;
      let killDone = false;
      let hitsBefore = 0;
      let missesAfterKill = 0;
      let hitsAfterKill = 0;
      let sentAfterKill = 0;
      await drive(
        MAX_REQUESTS,
        16,
        () => sentAfterKill >= AFTER_KILL.store,
        async (i) => {
          if (i === KILL_AT.store) {
            killed = redis.kill().then(() => {
              killDone = true;
            });
          }
          // Like a request arriving from the network: yield to I/O. Without it, misses that
          // resolve at once would spin on microtasks and starve the child's exit event.
          await new Promise((resolve) => setImmediate(resolve));
          const afterKill = killDone;
          if (afterKill) sentAfterKill += 1;
          const key = `k${i % 50}`;
          const value = await store.get(key); // resolves, never rejects: awaited bare on purpose
          if (value === undefined) await store.set(key, `v${i % 50}`);
          else expect(value).toBe(`v${i % 50}`);
          if (!afterKill && value !== undefined) hitsBefore += 1;
          if (afterKill) {
            if (value === undefined) missesAfterKill += 1;
            else hitsAfterKill += 1;
          }
        },
      );
      await killed;
      expect(hitsBefore).toBeGreaterThan(0);
      expect(sentAfterKill).toBeGreaterThanOrEqual(AFTER_KILL.store); // load really ran on past the kill
      expect(missesAfterKill).toBe(sentAfterKill);
      expect(hitsAfterKill).toBe(0);
      // every get after the kill was a fault, and so was every set that followed it
      expect(faults.get).toBeGreaterThanOrEqual(missesAfterKill);
      expect(faults.set).toBeGreaterThan(0);

      await redis.restart();
      expect(await store.waitUntilReady(10_000)).toBe(true);
      await store.set('back', 'again');
      expect(await store.get('back')).toBe('again');
    } finally {
      await store.close();
    }
  }, 60_000);

  it('store: a stalled Redis (CLIENT PAUSE) costs a command timeout, answered as a miss and reported', async () => {
    if (!redis.alive) await redis.restart();
    const faults: string[] = [];
    const store = createRedisStore({
      url: redis.url,
      ttlSeconds: 60,
      keyPrefix: 'paused:',
      commandTimeoutMs: 100,
      onError: (error, operation) => faults.push(`${operation}: ${error.message}`),
    });
    const admin = new Redis(redis.url);
    try {
      expect(await store.waitUntilReady(5_000)).toBe(true);
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');
      // Redis stays connected but answers no client for 1.5 s.
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      await expect(store.get('k')).resolves.toBeUndefined();
      expect(faults.some((f) => /^get: .*timed out/i.test(f))).toBe(true);
      // Once the pause ends the same connection serves hits again.
      let value: string | undefined;
      for (let attempt = 0; attempt < 50 && value === undefined; attempt += 1) {
        value = await store.get('k');
        if (value === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(value).toBe('v');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      await admin.quit();
      await store.close();
    }
  });

  describe('through a real HTTP service', () => {
    let service: Service;
    let base: string;

    beforeAll(async () => {
      if (!redis.alive) await redis.restart();
      service = createService({
        model: modelSum().model,
        cache: { kind: 'redis', redisUrl: redis.url, ttlSeconds: 60 },
        logger: pino({ level: 'silent' }),
      });
      const { port } = await service.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${port}`;
    });

    afterAll(async () => {
      await service?.close();
    });

    async function invoke(row: Features): Promise<{ status: number; cache: string | null; ok: boolean }> {
      const res = await fetch(`${base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [row] }),
      });
      const body = (await res.json()) as { predictions?: unknown };
      const ok = res.status === 200 && JSON.stringify(body.predictions) === JSON.stringify(predictSum([row]));
      return { status: res.status, cache: res.headers.get('x-cache'), ok };
    }

    async function metrics(): Promise<string> {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    }

    it('answers every request correctly while Redis dies, counts the misses and faults, then hits again', async () => {
      // A warm cache first, so the kill lands on a service that was really using Redis.
      // The service is ready before its Redis connection is (Redis is never a dependency);
      // wait until answers come from Redis, then warm it.
      const rows: Features[] = Array.from({ length: 40 }, (_, i) => [i, 1, 2, 3]);
      let warm = false;
      for (let attempt = 0; attempt < 100 && !warm; attempt += 1) {
        const r = await invoke(rows[0] as Features);
        expect(r.ok).toBe(true);
        warm = r.cache === 'HIT';
        if (!warm) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(warm).toBe(true);
      for (const row of rows) expect((await invoke(row)).ok).toBe(true);
      const errorsBefore = metric(await metrics(), 'model_cache_errors_total');
      const missesBefore = metric(await metrics(), 'model_cache_misses_total');

      const failures: string[] = [];
      let hitsBefore = 0;
      let sentAfterKill = 0;
      let missesAfterKill = 0;
      let killed: Promise<void> | undefined;
      let killDone = false;
      const total = await drive(
        MAX_REQUESTS,
        16,
        () => sentAfterKill >= AFTER_KILL.http,
        async (i) => {
          if (i === KILL_AT.http) {
            killed = redis.kill().then(() => {
              killDone = true;
            });
          }
          const afterKill = killDone;
          if (afterKill) sentAfterKill += 1;
          try {
            const r = await invoke(rows[i % rows.length] as Features);
            if (!r.ok) failures.push(`request ${i}: status ${r.status}`);
            if (!afterKill && r.cache === 'HIT') hitsBefore += 1;
            if (afterKill && r.cache === 'MISS') missesAfterKill += 1;
          } catch (error) {
            failures.push(`request ${i}: ${(error as Error).message}`);
          }
        },
      );
      await killed;

      expect(failures).toEqual([]);
      expect(hitsBefore).toBeGreaterThan(0);
      expect(sentAfterKill).toBeGreaterThanOrEqual(AFTER_KILL.http);
      expect(missesAfterKill).toBe(sentAfterKill);
      const during = await metrics();
      expect(metric(during, 'model_cache_errors_total') - errorsBefore).toBeGreaterThanOrEqual(missesAfterKill);
      expect(metric(during, 'model_cache_misses_total') - missesBefore).toBeGreaterThanOrEqual(missesAfterKill);

      // A fresh (empty) Redis on the same port: the service reconnects on its own.
      await redis.restart();
      const probe: Features = [1000, 0, 0, 0];
      let hit = false;
      for (let attempt = 0; attempt < 100 && !hit; attempt += 1) {
        const r = await invoke(probe);
        expect(r.ok).toBe(true);
        hit = r.cache === 'HIT';
        if (!hit) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(hit).toBe(true);
      const after = await metrics();
      expect(metric(after, 'model_cache_hits_total')).toBeGreaterThan(metric(during, 'model_cache_hits_total'));
      process.stdout.write(
        `redis-killed: ${total} requests, 0 failures; ${hitsBefore} hits before the kill, ` +
          `${missesAfterKill}/${sentAfterKill} misses after it; ` +
          `cache errors counted ${metric(during, 'model_cache_errors_total') - errorsBefore}\n`,
      );
    }, 60_000);
  });
});
