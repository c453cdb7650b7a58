// The embedded default cache: an LRU bounded by entry count AND by bytes, with a TTL.
//
// Kept off the JavaScript heap. On a busy service every miss inserts an answer that lives
// until thousands of later requests have passed, so with one heap string (or Buffer) per
// entry the garbage collector copies each answer twice and then marks and compacts it in
// the old generation: measured, that was most of what the cache cost a miss. Here keys and
// answers are bytes in one ring buffer and the index is typed arrays, so an entry is no
// heap object at all; a hit decodes its answer into a new (short-lived) string.
//
// The ring is a log: every insert, and every hit, appends a record at the head, so ring
// order is recency order and evicting from the tail is exact LRU. Records whose entry was
// replaced, expired or hit again stay as dead bytes until the tail passes them.
import { constants as bufferConstants } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { CacheStore } from './cache-store.js';

export interface MemoryStoreOptions {
  /** Upper bound on entries. */
  maxEntries: number;
  /** Upper bound on the sum of entry sizes (see ENTRY_OVERHEAD_BYTES); also the ring's size. */
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
 * Accounted per entry on top of key and value, so a flood of tiny entries is bounded
 * too. It covers the record header in the ring and the entry's slot in the index.
 */
export const ENTRY_OVERHEAD_BYTES = 64;

/**
 * Size of one entry: key + value in bytes as UTF-8 (what they cost on the wire and in
 * the ring), plus the fixed overhead.
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

/** A record in the ring: [slot int32][record length int32][key bytes][value bytes], 4-byte aligned. */
const HEADER = 8;
/** The ring is one Buffer; its length is capped by what a Buffer (and an Int32 offset) can be. */
const MAX_RING = Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 4);

/** FNV-1a over the key's UTF-16 code units. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const maxBytes = positiveInteger('maxBytes', options.maxBytes);
  // Every entry counts at least ENTRY_OVERHEAD_BYTES, so maxBytes can never hold more than
  // this many: a huge maxEntries must not size the index arrays.
  const capacity = Math.max(
    1,
    Math.min(positiveInteger('maxEntries', options.maxEntries), Math.floor(maxBytes / ENTRY_OVERHEAD_BYTES)),
  );
  const ttlMs = positiveInteger('ttlSeconds', options.ttlSeconds) * 1000;
  const clock = options.clock ?? performance;
  const ringSize = Math.min(maxBytes, MAX_RING) & ~3;
  const recordLength = (keyBytes: number, valueBytes: number) => (HEADER + keyBytes + valueBytes + 3) & ~3;

  // Per slot (an entry's index): its key's hash, where its record starts, key and value byte
  // lengths, its accounted size and when it expires.
  const slotHash = new Int32Array(capacity);
  const slotPos = new Int32Array(capacity);
  const slotKeyLen = new Int32Array(capacity);
  const slotValueLen = new Int32Array(capacity);
  const slotSize = new Int32Array(capacity);
  const slotExpires = new Float64Array(capacity);
  const freeSlots = new Int32Array(capacity);
  let freeTop = 0;
  // Open addressing with linear probing: slot + 1, or 0 for an empty bucket.
  let buckets = 1;
  while (buckets < capacity * 2) buckets *= 2;
  const mask = buckets - 1;
  const table = new Int32Array(buckets);

  // allocUnsafeSlow: its own memory, touched (and resident) only as the head first passes over it.
  let ring: Buffer | undefined;
  /** The same memory as int32s: record headers (records start 4-byte aligned). */
  let words: Int32Array = new Int32Array(0);
  let head = 0;
  let tail = 0;
  /** When the data wrapped: it is [tail, wrapAt) then [0, head). */
  let wrapAt = -1;
  let count = 0;
  let accounted = 0;
  // The key's UTF-8 bytes, written once per get/set; set() after get() of the same key reuses them.
  let keyBuf = Buffer.allocUnsafeSlow(256);
  let keyLen = 0;
  let keyHash = 0;
  let lastKey: string | undefined;

  const reset = () => {
    table.fill(0);
    for (let i = 0; i < capacity; i += 1) freeSlots[i] = capacity - 1 - i;
    freeTop = capacity;
    head = 0;
    tail = 0;
    wrapAt = -1;
    count = 0;
    accounted = 0;
  };
  reset();

  const loadKey = (key: string) => {
    if (key === lastKey) return;
    const max = key.length * 3;
    if (max > keyBuf.length) keyBuf = Buffer.allocUnsafeSlow(Math.max(max, keyBuf.length * 2));
    keyLen = keyBuf.write(key, 0, 'utf8');
    keyHash = hashKey(key);
    lastKey = key;
  };

  /** The bucket holding the loaded key, or -1. */
  const findBucket = (): number => {
    for (let b = keyHash & mask; ; b = (b + 1) & mask) {
      const entry = table[b]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (slotHash[slot] === keyHash && slotKeyLen[slot] === keyLen) {
        const at = slotPos[slot]! + HEADER;
        if (ring!.compare(keyBuf, 0, keyLen, at, at + keyLen) === 0) return b;
      }
    }
  };

  /** Empties a bucket, shifting later entries of its probe run back (no tombstones). */
  const removeBucket = (bucket: number) => {
    let hole = bucket;
    for (let b = (bucket + 1) & mask; table[b] !== 0; b = (b + 1) & mask) {
      const home = slotHash[table[b]! - 1]! & mask;
      // The entry at b may move into the hole when its home is not in (hole, b].
      const between = hole <= b ? home > hole && home <= b : home > hole || home <= b;
      if (!between) {
        table[hole] = table[b]!;
        hole = b;
      }
    }
    table[hole] = 0;
  };

  const bucketOf = (slot: number): number => {
    for (let b = slotHash[slot]! & mask; ; b = (b + 1) & mask) if (table[b] === slot + 1) return b;
  };

  const removeSlot = (slot: number, bucket: number) => {
    removeBucket(bucket);
    words[slotPos[slot]! >> 2] = -1; // its record is dead bytes now
    accounted -= slotSize[slot]!;
    count -= 1;
    freeSlots[freeTop++] = slot;
    if (count === 0) {
      head = 0;
      tail = 0;
      wrapAt = -1;
    }
  };

  /** Moves the tail past one record, evicting its entry when it is live. */
  const evictAtTail = () => {
    const slot = words[tail >> 2]!;
    const length = words[(tail >> 2) + 1]!;
    if (slot >= 0 && slotPos[slot] === tail) {
      removeSlot(slot, bucketOf(slot));
      if (count === 0) return;
    }
    tail += length;
    if (wrapAt !== -1 && tail >= wrapAt) {
      tail = 0;
      wrapAt = -1;
    } else if (wrapAt === -1 && tail >= head) {
      tail = 0;
      head = 0;
    }
  };

  /** Evicts from the tail until one more live entry fits the entry and byte bounds. */
  const evictOldestLive = () => {
    const before = count;
    while (count === before) evictAtTail();
  };

  /** Room for `length` contiguous bytes at the head; returns where they start. */
  const reserve = (length: number): number => {
    for (;;) {
      if (count === 0) {
        head = 0;
        tail = 0;
        wrapAt = -1;
      }
      if (wrapAt === -1) {
        if (ringSize - head >= length) break;
        // Not enough before the end: continue at 0 (the bytes from head on are skipped).
        wrapAt = head;
        head = 0;
      } else if (tail - head >= length) break;
      else evictAtTail();
    }
    const at = head;
    head += length;
    return at;
  };

  /** Stores the loaded key with `value` (already known to fit the ring). */
  const insert = (value: string, valueBytes: number, size: number, expires: number) => {
    while (count >= capacity || accounted + size > maxBytes) evictOldestLive();
    const length = recordLength(keyLen, valueBytes);
    if (ring === undefined) {
      ring = Buffer.allocUnsafeSlow(ringSize);
      words = new Int32Array(ring.buffer, ring.byteOffset, ringSize >> 2);
    }
    const at = reserve(length);
    const slot = freeSlots[--freeTop]!;
    words[at >> 2] = slot;
    words[(at >> 2) + 1] = length;
    keyBuf.copy(ring, at + HEADER, 0, keyLen);
    ring.write(value, at + HEADER + keyLen, valueBytes, 'utf8');
    slotHash[slot] = keyHash;
    slotPos[slot] = at;
    slotKeyLen[slot] = keyLen;
    slotValueLen[slot] = valueBytes;
    slotSize[slot] = size;
    slotExpires[slot] = expires;
    let b = keyHash & mask;
    while (table[b] !== 0) b = (b + 1) & mask;
    table[b] = slot + 1;
    accounted += size;
    count += 1;
  };

  return {
    kind: 'memory',
    get entries() {
      return count;
    },
    get bytes() {
      return accounted;
    },
    maxEntries: capacity,
    async get(key) {
      if (count === 0) return undefined;
      loadKey(key);
      const bucket = findBucket();
      if (bucket === -1) return undefined;
      const slot = table[bucket]! - 1;
      const expires = slotExpires[slot]!;
      if (clock.now() >= expires) {
        removeSlot(slot, bucket);
        return undefined;
      }
      const at = slotPos[slot]! + HEADER + keyLen;
      const valueBytes = slotValueLen[slot]!;
      const value = ring!.toString('utf8', at, at + valueBytes);
      // Already the newest record: nothing to move.
      if (slotPos[slot]! + recordLength(keyLen, valueBytes) === head) return value;
      // Most recently used now: append it again (the old record becomes dead bytes).
      const size = slotSize[slot]!;
      removeSlot(slot, bucket);
      insert(value, valueBytes, size, expires);
      return value;
    },
    async set(key, value, ttlSeconds) {
      const ttl = ttlSeconds !== undefined && ttlSeconds > 0 ? Math.round(ttlSeconds * 1000) : ttlMs;
      loadKey(key);
      const valueBytes = Buffer.byteLength(value);
      const size = keyLen + valueBytes + ENTRY_OVERHEAD_BYTES;
      if (count > 0) {
        const bucket = findBucket();
        if (bucket !== -1) removeSlot(table[bucket]! - 1, bucket);
      }
      // An entry bigger than the whole budget is simply not stored (a miss next time).
      if (size > maxBytes || recordLength(keyLen, valueBytes) > ringSize) return;
      insert(value, valueBytes, size, clock.now() + ttl);
    },
    async close() {
      reset();
      ring = undefined;
      words = new Int32Array(0);
    },
  };
}
