// The golden set: tests/golden.jsonl holds raw /invocations request bodies with the answers
// the trained model gave for them, one {"request", "response", "tolerance"} object per line.
// Each line is replayed over HTTP through the real service (validation, CSV/JSON parsing and
// the model's preprocessing included), so a stub loader, a skipped preprocessing step or the
// wrong weights fail here. `model-deploy verify` replays the same file against the deployed API;
// parsing and comparing are the runtime's (parseGoldenSet, compareGolden).
// The generator computed these answers from the starter model; regenerate them when you
// retrain (run your model on the same requests and write the answers it gives).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { compareGolden, parseGoldenSet, type GoldenCase } from '@model-service/runtime';
import request from 'supertest';
import { start, type Running } from './helpers.js';

const FILE = 'tests/golden.jsonl';
const text = readFileSync(new URL('./golden.jsonl', import.meta.url), 'utf8');
const firstLine = text.split('\n').find((line) => line.trim() !== '');
const placeholder = firstLine?.includes('"placeholder"') ? (JSON.parse(firstLine) as { placeholder?: boolean; message?: string }) : undefined;

/** What makes the file unusable (the generator's placeholder, bad JSON, a line without request/response), if anything. */
let problem: string | undefined;
let cases: GoldenCase[] = [];
if (placeholder?.placeholder === true) {
  problem = `${FILE} line 1: ${placeholder.message ?? 'replace me with real request/response lines.'}`;
} else {
  try {
    cases = parseGoldenSet(text, FILE);
  } catch (err) {
    problem = (err as Error).message;
  }
}

describe('golden set (tests/golden.jsonl)', () => {
  test('is a real golden set: not the placeholder, every line a {request, response, tolerance} object', () => {
    if (problem) throw new Error(problem);
    expect(cases.length).toBeGreaterThan(0);
  });

  test('the comparison catches a wrong answer', () => {
    // Guards the guard: a comparison that passed everything would make the golden set useless.
    expect(compareGolden({ p: [0.5] }, { p: [0.5 + 1e-3] }, 1e-6)).toContain('body.p[0]');
    expect(compareGolden({ label: 'churn' }, { label: 'stay' }, 1)).toContain('body.label');
    expect(compareGolden({ p: 0.5 }, { p: 0.5, source: 'fallback' }, 1e-6)).toContain('body.source');
    expect(compareGolden({ p: [0.1, 0.2] }, { p: [0.1 + 5e-7, 0.2] }, 1e-6)).toBeUndefined();
  });

  // Jest refuses an empty test.each table, so the block exists only with cases to replay.
  if (cases.length === 0) return;
  describe('replayed over HTTP', () => {
    let running: Running;
    beforeAll(async () => {
      running = await start();
    });
    afterAll(async () => {
      await running.stop();
    });

    test.each(cases)('line $line gets the recorded answer', async ({ request: body, response, tolerance }) => {
      const res = await request(running.url).post('/invocations').send(body);
      expect(res.status).toBe(200);
      expect(compareGolden(response, res.body, tolerance)).toBeUndefined();
    });
  });
});
