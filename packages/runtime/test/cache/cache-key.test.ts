import { describe, expect, it } from '@jest/globals';
import { cacheKey, canonicalBytes, canonicalize } from '../../src/cache/cache-key.js';

describe('cacheKey', () => {
  it('gives the same key to bodies that differ only in key order, at any depth', () => {
    const a = cacheKey('iris', '1', { a: 1, b: { x: [1, 2], y: 'z' } });
    const b = cacheKey('iris', '1', JSON.parse('{"b":{"y":"z","x":[1,2]},"a":1}'));
    expect(a).toBe(b);
  });

  it('normalizes numbers the way JSON parses them (1.0, 1e0, -0)', () => {
    const base = cacheKey('iris', '1', JSON.parse('{"instances":[[1,0,100]]}'));
    expect(cacheKey('iris', '1', JSON.parse('{"instances":[[1.0,-0,1e2]]}'))).toBe(base);
    expect(cacheKey('iris', '1', JSON.parse('{"instances":[[1.0000001,0,100]]}'))).not.toBe(base);
  });

  it('keeps array order significant (row order is part of the answer)', () => {
    expect(cacheKey('m', '1', [[1], [2]])).not.toBe(cacheKey('m', '1', [[2], [1]]));
  });

  it('separates model versions and names so a new version never reads old entries', () => {
    const body = { instances: [[5.1, 3.5, 1.4, 0.2]] };
    const v1 = cacheKey('iris', '1', body);
    const v2 = cacheKey('iris', '2', body);
    expect(v1).not.toBe(v2);
    expect(v1.startsWith('iris:1:')).toBe(true);
    expect(v2.startsWith('iris:2:')).toBe(true);
    // "a:b"+"c" must not collide with "a"+"b:c"
    expect(cacheKey('a:b', 'c', body)).not.toBe(cacheKey('a', 'b:c', body));
  });

  it('ends in a sha256 digest (base64url, 43 chars) whatever the body size', () => {
    const key = cacheKey('m', '1', { instances: Array.from({ length: 64 }, (_, i) => [i, i + 0.5]) });
    expect(key).toMatch(/^m:1:[A-Za-z0-9_-]{43}$/);
  });

  it('does not confuse values JSON cannot hold with null, nor strings with numbers', () => {
    expect(canonicalize([Number.NaN])).not.toBe(canonicalize([null]));
    expect(canonicalize([Number.POSITIVE_INFINITY])).not.toBe(canonicalize([Number.NEGATIVE_INFINITY]));
    expect(canonicalize(['1'])).not.toBe(canonicalize([1]));
    expect(canonicalize({ a: undefined, b: 1 })).toBe(canonicalize({ b: 1 }));
  });

  it('hashes bytes that tell apart exactly what the canonical text tells apart', () => {
    const same: Array<[unknown, unknown]> = [
      [[-0], [0]],
      [{ a: undefined, b: 1 }, { b: 1 }],
      [JSON.parse('{"x":[1e2,2.50]}'), { x: [100, 2.5] }],
    ];
    for (const [a, b] of same) expect(cacheKey('m', '1', a)).toBe(cacheKey('m', '1', b));
    const different: Array<[unknown, unknown]> = [
      [[Number.NaN], [null]],
      [[undefined], [null]],
      [[Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]],
      [['1'], [1]],
      [[true], ['true']],
      [[[1, 2]], [[1], [2]]],
      [{ ab: 'c' }, { a: 'bc' }],
      [['a', 'b'], ['ab']],
      // lone surrogates survive (UTF-8 would turn both into U+FFFD)
      [JSON.parse('["\\ud800"]'), JSON.parse('["\\ud801"]')],
      [[1n], ['1']],
    ];
    for (const [a, b] of different) {
      expect(canonicalize(a)).not.toBe(canonicalize(b));
      expect(cacheKey('m', '1', a)).not.toBe(cacheKey('m', '1', b));
    }
  });

  it('grows its scratch buffer for big bodies and stays correct afterwards', () => {
    const big = { instances: Array.from({ length: 20_000 }, (_, i) => [i, `row-${i}`]) };
    const key = cacheKey('m', '1', big);
    expect(canonicalBytes(big).length).toBeGreaterThan(16 * 1024);
    expect(cacheKey('m', '1', { instances: [[1, 'x']] })).not.toBe(key);
    expect(cacheKey('m', '1', JSON.parse(JSON.stringify(big)))).toBe(key);
  });

  it('writes canonical text equal to JSON for already-sorted plain data', () => {
    const value = { a: [1, 'x', true, null], b: { c: -2.5 } };
    expect(canonicalize(value)).toBe(JSON.stringify(value));
  });

  it('is independent of key order for 500 generated nested bodies, and tells different bodies apart', () => {
    // Deterministic generator (mulberry32) so a failure reproduces.
    let seed = 42;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return Math.round(rand() * 1e6) / 100;
      if (r < 0.4) return `s${Math.floor(rand() * 1000)}`;
      if (r < 0.45) return rand() < 0.5;
      if (r < 0.5) return null;
      if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(rand() * 5); i > 0; i -= 1) obj[`k${Math.floor(rand() * 20)}`] = gen(depth + 1);
      return obj;
    };
    // Rebuilds every object with its keys inserted in reverse order (through a JSON round trip).
    const reorder = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reorder);
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).reverse()) out[key] = reorder((value as Record<string, unknown>)[key]);
        return out;
      }
      return value;
    };
    const sortDeep = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortDeep);
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) out[key] = sortDeep((value as Record<string, unknown>)[key]);
        return out;
      }
      return value;
    };
    const seen = new Map<string, string>();
    const texts = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const body = { instances: [gen(0), gen(0)] };
      const key = cacheKey('m', '1', body);
      expect(cacheKey('m', '1', JSON.parse(JSON.stringify(reorder(body))))).toBe(key);
      const text = canonicalize(body);
      expect(text).toBe(JSON.stringify(sortDeep(body))); // for JSON data: JSON with sorted keys
      const previous = seen.get(key);
      if (previous !== undefined) expect(previous).toBe(text); // same key only for the same canonical body
      seen.set(key, text);
      texts.add(text);
    }
    expect(seen.size).toBeGreaterThan(400);
    expect(seen.size).toBe(texts.size); // and a different key for every different canonical body
  });
});

describe('cacheKey on deeply nested bodies', () => {
  // JSON.parse accepts any depth and a permissive schema lets it through: the key must not
  // overflow the stack (that would be a 500 on a request that is only odd, not malformed).
  function nested(depth: number, leaf: unknown): unknown {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  }

  it('hashes a 100,000-deep body and tells it apart from one with another leaf', () => {
    const a = cacheKey('m', '1', nested(100_000, 1));
    const b = cacheKey('m', '1', nested(100_000, 2));
    expect(a).toMatch(/^m:1:[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(cacheKey('m', '1', nested(100_000, 1))).toBe(a);
  });

  it('writes the canonical text of a 100,000-deep body', () => {
    const text = canonicalize(nested(100_000, 1));
    expect(text.length).toBeGreaterThan(100_000);
    expect(text.startsWith('{"k":[{"k":[')).toBe(true);
  });
});
