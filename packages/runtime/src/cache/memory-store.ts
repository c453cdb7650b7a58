// The embedded default cache: an LRU bounded by entry count AND by bytes, with a
// TTL. Entries are serialized response bodies, so a body's size is known exactly.
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.js';

export interface MemoryStoreOptions {
  /** Upper bound on entries. */
  maxEntries: number;
  /** Upper bound on the sum of entry sizes (see ENTRY_OVERHEAD_BYTES). */
  maxBytes: number;
  /** Default lifetime of an entry; `set(key, value, ttl)` may override it. */
  ttlSeconds: number;
  /** Clock for TTLs (milliseconds); tests pass a fake one. Default: performance. */
  clock?: { now(): number };
}

export interface MemoryStore extends CacheStore {
  readonly kind: 'memory';
  /** Entries held now (expired ones may linger until touched or evicted). */
  readonly entries: number;
  /** Sum of entry sizes held now; never above maxBytes. */
  readonly bytes: number;
  /** The entry bound in force: maxEntries, or fewer when maxBytes could never hold that many. */
  readonly maxEntries: number;
}

/**
 * Accounted per entry on top of key and value, so a flood of tiny entries is
 * bounded too (an entry's own bookkeeping in lru-cache is several pointers).
 */
export const ENTRY_OVERHEAD_BYTES = 64;

/**
 * Size of one entry: key + value in bytes as UTF-8 (what they cost on the wire and,
 * for ASCII JSON, in V8's one-byte strings), plus the fixed overhead.
 */
export function entrySize(key: string, value: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(value) + ENTRY_OVERHEAD_BYTES;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`createMemoryStore: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const maxBytes = positiveInteger('maxBytes', options.maxBytes);
  // lru-cache allocates its slot arrays for `max` up front (about 64 bytes a slot), so
  // a huge maxEntries would cost memory at start even when empty. Every entry counts
  // at least ENTRY_OVERHEAD_BYTES, so maxBytes can never hold more than this many.
  const maxEntries = Math.max(
    1,
    Math.min(positiveInteger('maxEntries', options.maxEntries), Math.floor(maxBytes / ENTRY_OVERHEAD_BYTES)),
  );
  const ttlMs = positiveInteger('ttlSeconds', options.ttlSeconds) * 1000;

  const lru = new LRUCache<string, string>({
    max: maxEntries,
    maxSize: maxBytes,
    // An entry bigger than the whole budget is simply not stored (a miss next time).
    maxEntrySize: maxBytes,
    sizeCalculation: (value, key) => entrySize(key, value),
    ttl: ttlMs,
    // Expired entries answer a miss on read; no timer per entry (ttlAutopurge off)
    // keeps set() cheap, and the LRU bounds still cap what lingers.
    ttlAutopurge: false,
    updateAgeOnGet: false,
    // A fake clock must be read on every check, not cached for a real millisecond.
    ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
  });

  return {
    kind: 'memory',
    get entries() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
    maxEntries,
    async get(key) {
      return lru.get(key);
    },
    async set(key, value, ttlSeconds) {
      const ttl = ttlSeconds !== undefined && ttlSeconds > 0 ? Math.round(ttlSeconds * 1000) : ttlMs;
      lru.set(key, value, { ttl });
    },
    async close() {
      lru.clear();
    },
  };
}
