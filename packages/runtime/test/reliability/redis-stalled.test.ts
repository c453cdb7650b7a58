// A stalled Redis (SIGSTOPped: the socket stays open, nothing answers) must not add the
// command timeout to every request: after a few timeouts the store's circuit opens and
// requests skip the cache at once; once Redis answers again, a probe closes it and hits resume.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisStore } from '../../src/cache/redis-store.js';
import { freePort } from '../helpers/free-port.js';
import { startRedis, type RedisProcess } from '../helpers/redis-process.js';

describe('Redis stalled', () => {
  let redis: RedisProcess;

  beforeAll(async () => {
    redis = await startRedis(await freePort());
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('only the first few commands wait for their timeout; the rest miss at once; hits resume after', async () => {
    const timeouts: string[] = [];
    const store = createRedisStore({
      url: redis.url,
      ttlSeconds: 60,
      keyPrefix: 'stalled:',
      commandTimeoutMs: 100,
      breakerThreshold: 3,
      breakerOpenMs: 300,
      onError: (error) => {
        if (/timed out/i.test(error.message)) timeouts.push(error.message);
      },
    });
    try {
      expect(await store.waitUntilReady(5_000)).toBe(true);
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');

      redis.pause();
      for (let i = 0; i < 40; i += 1) expect(await store.get('k')).toBeUndefined();
      // 40 sequential gets against a stalled server: without the breaker, 40 timeouts.
      expect(timeouts.length).toBe(3);

      redis.resume();
      await new Promise((r) => setTimeout(r, 350));
      let value: string | undefined;
      for (let i = 0; i < 20 && value === undefined; i += 1) {
        value = await store.get('k');
        if (value === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(value).toBe('v');
    } finally {
      redis.resume();
      await store.close();
    }
  });
});
