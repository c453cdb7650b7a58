// The golden set: tests/golden.jsonl holds raw /invocations request bodies with the answers
// the trained model gave for them, one {"request", "response", "tolerance"} object per line.
// Each line is replayed over HTTP through the real service (validation, CSV/JSON parsing and
// the model's preprocessing included), so a stub loader, a skipped preprocessing step or the
// wrong weights fail here. `model-deploy verify` replays the same file against the deployed API.
// The generator computed these answers from the starter model; regenerate them when you
// retrain (run your model on the same requests and write the answers it gives).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { start, type Running } from './helpers.js';

interface GoldenLine {
  request: unknown;
  response: unknown;
  /** Largest absolute difference allowed between expected and served numbers (default 1e-6, as `model-deploy verify`). */
  tolerance?: number;
}

const FILE = new URL('./golden.jsonl', import.meta.url);
const DEFAULT_TOLERANCE = 1e-6;
const rows = readFileSync(FILE, 'utf8')
  .split('\n')
  .map((text, i) => ({ line: i + 1, text: text.trim() }))
  .filter((row) => row.text !== '');
const parsed = rows.map(({ line, text }) => ({ line, value: JSON.parse(text) as GoldenLine & { placeholder?: boolean; message?: string } }));
const placeholder = parsed.find((row) => row.value.placeholder === true);
/** Nothing to replay while the file is the placeholder (the first test fails and says so). */
const replayable = placeholder ? [] : parsed;

/** The first place `actual` differs from `expected` (numbers within `tolerance`), or undefined. */
function mismatch(expected: unknown, actual: unknown, tolerance: number, path = '$'): string | undefined {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= tolerance)) {
      return `${path}: expected ${expected} (±${tolerance}), served ${JSON.stringify(actual)}`;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: expected ${expected.length} items, served ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i += 1) {
      const found = mismatch(expected[i], actual[i], tolerance, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, served ${JSON.stringify(actual)}`;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const found = mismatch((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], tolerance, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${path}: expected ${JSON.stringify(expected)}, served ${JSON.stringify(actual)}`;
}

describe('golden set (tests/golden.jsonl)', () => {
  test('is real: not the generator placeholder, and not empty', () => {
    if (placeholder) throw new Error(`tests/golden.jsonl line ${placeholder.line}: ${placeholder.value.message ?? 'replace me with real request/response lines.'}`);
    expect(parsed.length).toBeGreaterThan(0);
  });

  test('the comparison catches a wrong answer', () => {
    // Guards the guard: a comparison that passes everything would make the golden set useless.
    expect(mismatch({ p: [0.5] }, { p: [0.5 + 1e-3] }, 1e-6)).toContain('$.p[0]');
    expect(mismatch({ label: 'churn' }, { label: 'stay' }, 1)).toContain('$.label');
    expect(mismatch({ p: 0.5 }, { p: 0.5, extra: 1 }, 1e-6)).toContain('$.extra');
    expect(mismatch({ p: [0.1, 0.2] }, { p: [0.1 + 5e-7, 0.2] }, 1e-6)).toBeUndefined();
  });

  // Jest refuses an empty test.each table, so the block exists only with lines to replay.
  if (replayable.length === 0) return;
  describe('replayed over HTTP', () => {
    let running: Running;
    beforeAll(async () => {
      running = await start();
    });
    afterAll(async () => {
      await running.stop();
    });

    test.each(replayable)('line $line gets the recorded answer', async ({ value }) => {
      const res = await request(running.url).post('/invocations').send(value.request as object);
      expect(res.status).toBe(200);
      expect(mismatch(value.response, res.body, value.tolerance ?? DEFAULT_TOLERANCE)).toBeUndefined();
    });
  });
});
