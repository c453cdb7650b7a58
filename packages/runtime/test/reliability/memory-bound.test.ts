// Issue 2 reliability: "Memory cache with 1M distinct keys stays within its byte bound".
// One million distinct keys shaped like real ones (`<model>:<version>:<43-char sha256
// base64url>`, same length as cacheKey's) go into a memory store whose byte budget holds only a fraction of them; the accounted size
// and the entry count must never pass their bounds, the newest entries must still be
// there, and the heap the store retains must stay near the budget.
import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cacheKey } from '../../src/cache/cache-key.js';
import { createMemoryStore, entrySize, type MemoryStore } from '../../src/cache/memory-store.js';

const KEYS = 1_000_000;
const MAX_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 500_000;

/** A full GC, so heap numbers measure what is retained rather than garbage. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const KEY_PREFIX = 'sum:1.0.0:';

/** Distinct, and as long as a real cacheKey (cheap to make: hashing 1M bodies is not under test). */
function key(i: number): string {
  return KEY_PREFIX + i.toString(36).padStart(43, '_');
}

function answer(i: number): string {
  return `{"predictions":[{"label":"${i % 2 === 0 ? 'small' : 'large'}","sum":${i}.25}]}`;
}

describe('memory cache under 1,000,000 distinct keys', () => {
  it('never holds more than maxBytes (accounted) nor maxEntries, and keeps the newest entries', async () => {
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const store: MemoryStore = createMemoryStore({ maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, ttlSeconds: 3600 });
    let peakBytes = 0;
    let peakEntries = 0;
    let accountedTotal = 0;
    const started = Date.now();
    for (let i = 0; i < KEYS; i += 1) {
      const k = key(i);
      const value = answer(i);
      accountedTotal += entrySize(k, value);
      await store.set(k, value);
      // Checked after every insert: a bound that holds only "eventually" is not a bound.
      if (store.bytes > peakBytes) peakBytes = store.bytes;
      if (store.entries > peakEntries) peakEntries = store.entries;
    }
    const insertMs = Date.now() - started;

    expect(peakBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(peakEntries).toBeLessThanOrEqual(MAX_ENTRIES);
    // The byte bound is the one that binds here: far more was offered than fits.
    expect(accountedTotal).toBeGreaterThan(10 * MAX_BYTES);
    expect(store.bytes).toBeGreaterThan(MAX_BYTES * 0.9);
    // LRU: the newest key is there, the oldest long gone.
    expect(await store.get(key(KEYS - 1))).toBe(answer(KEYS - 1));
    expect(await store.get(key(0))).toBeUndefined();
    expect(key(KEYS - 1)).toHaveLength(cacheKey('sum', '1.0.0', { instances: [[1, 2, 3, 4]] }).length);

    collect();
    const retained = process.memoryUsage().heapUsed - heapBefore;
    // Entries live in the store's ring buffer, off the JavaScript heap: the heap it retains is
    // its index arrays (a few bytes per slot), not the entries (one heap string per entry
    // retained about 31 MiB here, and the GC had to copy and mark every one of them).
    expect(retained).toBeLessThan(8 * 1024 * 1024);
    process.stdout.write(
      `memory-bound: ${KEYS} keys in ${insertMs} ms; held ${store.entries} entries, ` +
        `${store.bytes} accounted bytes (bound ${MAX_BYTES}); retained heap ${(retained / 1048576).toFixed(1)} MiB\n`,
    );
    await store.close();
  }, 60_000);

  it('lets the entry bound bind when entries are small', async () => {
    const store = createMemoryStore({ maxEntries: 1_000, maxBytes: MAX_BYTES, ttlSeconds: 3600 });
    for (let i = 0; i < 100_000; i += 1) {
      await store.set(`k${i}`, 'v');
      if (store.entries > 1_000) throw new Error(`entry bound broken at insert ${i}: ${store.entries}`);
    }
    expect(store.entries).toBe(1_000);
    expect(store.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(await store.get('k99999')).toBe('v');
    expect(await store.get('k98999')).toBeUndefined();
    await store.close();
  });
});
