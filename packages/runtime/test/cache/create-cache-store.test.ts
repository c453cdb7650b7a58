import { describe, expect, it } from '@jest/globals';
import { CacheConfigError } from '../../src/cache/cache-errors.js';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import type { MemoryStore } from '../../src/cache/memory-store.js';
import type { RedisStore } from '../../src/cache/redis-store.js';

describe('createCacheStore', () => {
  it('makes no store when the cache is off', () => {
    expect(createCacheStore({ kind: 'off' })).toBeUndefined();
  });

  it('makes a bounded memory store with the given limits', async () => {
    const store = createCacheStore({ kind: 'memory', maxEntries: 2, maxBytes: 100_000, ttlSeconds: 5 }) as MemoryStore;
    expect(store.kind).toBe('memory');
    for (const k of ['a', 'b', 'c']) await store.set(k, 'v');
    expect(store.entries).toBe(2);
    await store.close();
  });

  it('makes a redis store that reaches the real server', async () => {
    const store = createCacheStore({ kind: 'redis', redisUrl: process.env.REDIS_URL as string }) as RedisStore;
    try {
      expect(store.kind).toBe('redis');
      expect(await store.waitUntilReady(5_000)).toBe(true);
      await store.set('create-cache-store', 'v');
      expect(await store.get('create-cache-store')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it.each([
    [{ kind: 'disk' }, 'cache.kind'],
    [{ kind: 'memory', ttlSeconds: 0 }, 'cache.ttlSeconds'],
    [{ kind: 'memory', maxEntries: -5 }, 'cache.maxEntries'],
    [{ kind: 'memory', maxBytes: 1.5 }, 'cache.maxBytes'],
    [{ kind: 'redis' }, 'cache.redisUrl'],
    [{ kind: 'redis', redisUrl: 'not a url' }, 'cache.redisUrl'],
    [{ kind: 'redis', redisUrl: 'http://127.0.0.1:6379' }, 'cache.redisUrl'],
  ])('stops the start on %j, naming %s', (options, option) => {
    let caught: unknown;
    try {
      createCacheStore(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CacheConfigError);
    expect((caught as CacheConfigError).code).toBe('MS_RUNTIME_CACHE_CONFIG_INVALID');
    expect((caught as CacheConfigError).option).toBe(option);
    expect((caught as Error).message).toContain(option);
  });

  it('never echoes a redis URL (it may hold a password) in its errors', () => {
    expect(() => createCacheStore({ kind: 'redis', redisUrl: 'ftp://user:s3cret@host' })).toThrow(CacheConfigError);
    try {
      createCacheStore({ kind: 'redis', redisUrl: 'ftp://user:s3cret@host' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
