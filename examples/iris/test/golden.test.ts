// tests/golden.jsonl is the committed model's real answers (re-recorded whenever the model is
// retrained), in the format the runtime, the generated tests and `model-deploy verify` read, and
// every request in it is one the service accepts.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createValidators, parseGoldenSet } from '@model-service/runtime';
import { buildGoldenSet, goldenText, GOLDEN_TOLERANCE } from '../src/golden.js';
import { readIrisCsv, splitIris } from '../src/iris-data.js';
import { checkModelFile } from '../src/logistic-regression.js';
import { createIrisModel } from '../src/model.js';
import { GOLDEN_PATH, MODEL_PATH } from '../src/paths.js';

const committed = readFileSync(GOLDEN_PATH, 'utf8');
const params = checkModelFile(JSON.parse(readFileSync(MODEL_PATH, 'utf8')), MODEL_PATH);

describe('iris golden set', () => {
  test('is exactly what the committed model answers (else: npm run build && npm run golden)', () => {
    expect(committed).toBe(goldenText(buildGoldenSet(params, splitIris(readIrisCsv()).heldOut)));
  });

  test('parses in the shared format: every held-out row, all of them at once, the extremes', () => {
    const cases = parseGoldenSet(committed, GOLDEN_PATH);
    expect(cases).toHaveLength(32);
    expect(cases.every((c) => c.tolerance === GOLDEN_TOLERANCE)).toBe(true);
    expect(cases[30]!.request.instances).toHaveLength(30);
    for (const c of cases) {
      const { instances } = c.request as { instances: unknown[] };
      expect((c.response as { predictions: unknown[] }).predictions).toHaveLength(instances.length);
    }
  });

  test('every request validates against the service\'s request schema, every answer against its prediction schema', () => {
    const validators = createValidators(createIrisModel(), 64);
    for (const c of parseGoldenSet(committed, GOLDEN_PATH)) {
      expect(() => validators.request(c.request)).not.toThrow();
      const { predictions } = c.response as { predictions: unknown[] };
      expect(validators.predictions(predictions, predictions.length)).toBeUndefined();
    }
  });

  test('labels agree with the data on at least 90% of the held-out rows (real answers, not placeholders)', () => {
    const { heldOut } = splitIris(readIrisCsv());
    const cases = parseGoldenSet(committed, GOLDEN_PATH).slice(0, heldOut.length);
    const right = cases.filter((c, i) => (c.response as { predictions: Array<{ label: string }> }).predictions[0]!.label === heldOut[i]!.label);
    expect(right.length / heldOut.length).toBeGreaterThanOrEqual(0.9);
  });
});
