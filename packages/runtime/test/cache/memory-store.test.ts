import { describe, expect, it } from '@jest/globals';
import { cacheKey } from '../../src/cache/cache-key.js';
import { createMemoryStore, entrySize, ENTRY_OVERHEAD_BYTES } from '../../src/cache/memory-store.js';

function fakeClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('createMemoryStore', () => {
  it('returns what was set and a miss for unknown keys', async () => {
    const store = createMemoryStore({ maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60 });
    await store.set('k', '{"predictions":[1]}');
    expect(await store.get('k')).toBe('{"predictions":[1]}');
    expect(await store.get('other')).toBeUndefined();
    expect(store.kind).toBe('memory');
  });

  it('expires entries after ttlSeconds (default and per-set override)', async () => {
    const clock = fakeClock();
    const store = createMemoryStore({ maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60, clock });
    await store.set('default', 'a');
    await store.set('short', 'b', 5);
    clock.advance(4_999);
    expect(await store.get('short')).toBe('b');
    clock.advance(2);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('default')).toBe('a');
    clock.advance(55_000);
    expect(await store.get('default')).toBeUndefined();
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const store = createMemoryStore({ maxEntries: 3, maxBytes: 1_000_000, ttlSeconds: 60 });
    await store.set('a', '1');
    await store.set('b', '2');
    await store.set('c', '3');
    expect(await store.get('a')).toBe('1'); // a is now the most recently used
    await store.set('d', '4');
    expect(store.entries).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('d')).toBe('4');
  });

  it('keeps the sum of entry sizes within maxBytes, counting UTF-8 bytes', async () => {
    const value = 'x'.repeat(1000);
    const one = entrySize('k0', value);
    expect(one).toBe(2 + 1000 + ENTRY_OVERHEAD_BYTES);
    const store = createMemoryStore({ maxEntries: 1000, maxBytes: one * 3, ttlSeconds: 60 });
    for (let i = 0; i < 10; i += 1) await store.set(`k${i}`, value);
    expect(store.entries).toBe(3);
    expect(store.bytes).toBeLessThanOrEqual(one * 3);
    expect(await store.get('k9')).toBe(value);
    expect(await store.get('k0')).toBeUndefined();
    // multi-byte characters are counted as the bytes they take, not as UTF-16 units
    expect(entrySize('k', 'é')).toBe(1 + 2 + ENTRY_OVERHEAD_BYTES);
  });

  it('does not store an entry bigger than the whole byte budget (a miss, not an error)', async () => {
    const store = createMemoryStore({ maxEntries: 10, maxBytes: 500, ttlSeconds: 60 });
    await store.set('small', 'ok');
    await expect(store.set('huge', 'x'.repeat(10_000))).resolves.toBeUndefined();
    expect(await store.get('huge')).toBeUndefined();
    expect(await store.get('small')).toBe('ok');
  });

  it('hits for the same request written with keys in another order', async () => {
    const store = createMemoryStore({ maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60 });
    await store.set(cacheKey('iris', '1', { a: 1, b: 2 }), 'answer');
    expect(await store.get(cacheKey('iris', '1', JSON.parse('{"b":2,"a":1}')))).toBe('answer');
    expect(await store.get(cacheKey('iris', '2', { a: 1, b: 2 }))).toBeUndefined();
  });

  it('does not reserve slots for more entries than maxBytes could ever hold', async () => {
    // The index preallocates per slot of `max`; 100M slots would be gigabytes at start.
    const store = createMemoryStore({ maxEntries: 100_000_000, maxBytes: 1024 * 1024, ttlSeconds: 60 });
    expect(store.maxEntries).toBe((1024 * 1024) / ENTRY_OVERHEAD_BYTES);
    expect(createMemoryStore({ maxEntries: 500, maxBytes: 1024 * 1024, ttlSeconds: 60 }).maxEntries).toBe(500);
    await store.set('a', '1');
    expect(await store.get('a')).toBe('1');
  });

  it('answers only what was last set for a key, within its bounds, under random sets, hits and expiry', async () => {
    // Entries are records in a ring buffer that wraps many times here; a wrong offset would
    // answer another key's bytes, an old value or a truncated one.
    const clock = fakeClock();
    const maxBytes = 4_000;
    const store = createMemoryStore({ maxEntries: 40, maxBytes, ttlSeconds: 50, clock });
    const expected = new Map<string, { value: string; expires: number }>();
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let hits = 0;
    for (let step = 0; step < 8_000; step += 1) {
      const key = `key-${random(120)}${'é'.repeat(random(3))}`;
      if (random(3) === 0) {
        const value = `v${step}:${'x'.repeat(random(300))}`;
        const ttl = random(4) === 0 ? 5 : undefined;
        await store.set(key, value, ttl);
        expected.set(key, { value, expires: clock.now() + (ttl ?? 50) * 1000 });
        // The newest entry is always there (it fits: every value is far below maxBytes).
        const back = await store.get(key);
        if (back !== value) throw new Error(`step ${step}: set ${key} then got ${String(back)}`);
      } else {
        const got = await store.get(key);
        const want = expected.get(key);
        if (got !== undefined) {
          hits += 1;
          if (got !== want?.value || clock.now() >= want.expires)
            throw new Error(`step ${step}: ${key} answered ${got}, expected ${JSON.stringify(want)}`);
        }
      }
      if (store.entries > 40 || store.bytes > maxBytes)
        throw new Error(`step ${step}: ${store.entries} entries, ${store.bytes} bytes`);
      clock.advance(random(5));
    }
    expect(hits).toBeGreaterThan(500);
  });

  it('rejects bounds that are not positive integers', () => {
    expect(() => createMemoryStore({ maxEntries: 0, maxBytes: 10, ttlSeconds: 1 })).toThrow(/maxEntries/);
    expect(() => createMemoryStore({ maxEntries: 1, maxBytes: 1.5, ttlSeconds: 1 })).toThrow(/maxBytes/);
    expect(() => createMemoryStore({ maxEntries: 1, maxBytes: 10, ttlSeconds: -1 })).toThrow(/ttlSeconds/);
  });

  it('is empty after close()', async () => {
    const store = createMemoryStore({ maxEntries: 10, maxBytes: 10_000, ttlSeconds: 60 });
    await store.set('a', '1');
    await store.close();
    expect(store.entries).toBe(0);
    expect(await store.get('a')).toBeUndefined();
  });
});
