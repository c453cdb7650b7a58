// Against the real redis-server that Jest's global setup started (REDIS_URL).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheFaultError, CacheOperation } from '../../src/cache/cache-errors.js';
import { createRedisStore, reconnectDelay, type RedisStore } from '../../src/cache/redis-store.js';
import { freePort } from '../helpers/free-port.js';

const url = process.env.REDIS_URL as string;

describe('createRedisStore (real redis-server)', () => {
  let raw: Redis;
  let store: RedisStore;
  const prefix = `test-${randomUUID()}:`;

  beforeAll(async () => {
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    raw = new Redis(url);
    store = createRedisStore({ url, ttlSeconds: 120, keyPrefix: prefix });
    expect(await store.waitUntilReady(5_000)).toBe(true);
  });

  afterAll(async () => {
    await store.close();
    await raw.quit();
  });

  it('stores under the key prefix and reads it back', async () => {
    await store.set('iris:1:abc', '{"predictions":[0]}');
    expect(await store.get('iris:1:abc')).toBe('{"predictions":[0]}');
    expect(await raw.get(`${prefix}iris:1:abc`)).toBe('{"predictions":[0]}');
    expect(await store.get('iris:1:missing')).toBeUndefined();
  });

  it('sets the default TTL on every entry (PTTL) and honours a per-set TTL', async () => {
    await store.set('ttl-default', 'v');
    const pttl = await raw.pttl(`${prefix}ttl-default`);
    expect(pttl).toBeGreaterThan(110_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
    await store.set('ttl-short', 'v', 1);
    const short = await raw.pttl(`${prefix}ttl-short`);
    expect(short).toBeGreaterThan(0);
    expect(short).toBeLessThanOrEqual(1_000);
  });

  it('lets Redis expire an entry, after which it is a miss', async () => {
    await store.set('expires', 'v', 0.05); // 50 ms
    for (let i = 0; i < 50 && (await raw.exists(`${prefix}expires`)) === 1; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await store.get('expires')).toBeUndefined();
  });

  it('closes cleanly: quit, then every call is a miss without throwing', async () => {
    const faults: CacheOperation[] = [];
    const other = createRedisStore({ url, ttlSeconds: 60, keyPrefix: prefix, onError: (_e, op) => faults.push(op) });
    expect(await other.waitUntilReady(5_000)).toBe(true);
    await other.close();
    expect(other.connected).toBe(false);
    await expect(other.get('iris:1:abc')).resolves.toBeUndefined();
    await expect(other.set('x', 'y')).resolves.toBeUndefined();
    expect(faults).toEqual(['get', 'set']);
  });
});

describe('createRedisStore pointed at a closed port', () => {
  it('answers misses at once, never throws, and reports each fault with a stable code', async () => {
    const port = await freePort();
    const faults: Array<{ error: CacheFaultError; op: CacheOperation }> = [];
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      ttlSeconds: 60,
      onError: (error, op) => faults.push({ error, op }),
    });
    try {
      // Not even a first connection: nothing may wait for one.
      for (let i = 0; i < 100; i += 1) {
        await expect(store.get(`k${i}`)).resolves.toBeUndefined();
        await expect(store.set(`k${i}`, 'v')).resolves.toBeUndefined();
      }
      expect(store.connected).toBe(false);
      const perRequest = faults.filter((f) => f.op !== 'connection');
      expect(perRequest).toHaveLength(200);
      expect(perRequest.every((f) => f.error.code === 'MS_RUNTIME_CACHE_FAULT')).toBe(true);
      expect(perRequest[0]?.error.message).toMatch(/served as a cache miss/);
      // the background reconnect loop reports refused connections too
      expect(await store.waitUntilReady(300)).toBe(false);
      expect(faults.some((f) => f.op === 'connection' && /ECONNREFUSED/.test(f.error.message))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('swallows a throwing onError hook', async () => {
    const port = await freePort();
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      ttlSeconds: 60,
      onError: () => {
        throw new Error('broken hook');
      },
    });
    try {
      await expect(store.get('k')).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('reconnectDelay', () => {
  it('grows exponentially, stays within the cap, and is jittered', () => {
    for (let attempt = 1; attempt < 40; attempt += 1) {
      const delay = reconnectDelay(attempt, 2_000);
      const base = Math.min(2_000, 50 * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(base / 2 - 1);
      expect(delay).toBeLessThanOrEqual(base);
    }
    const samples = new Set(Array.from({ length: 20 }, () => reconnectDelay(10, 2_000)));
    expect(samples.size).toBeGreaterThan(1);
  });
});
