import { describe, expect, it } from '@jest/globals';
import { cacheKey, canonicalize } from '../../src/cache/cache-key.js';

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

  it('writes canonical text equal to JSON for already-sorted plain data', () => {
    const value = { a: [1, 'x', true, null], b: { c: -2.5 } };
    expect(canonicalize(value)).toBe(JSON.stringify(value));
  });
});
