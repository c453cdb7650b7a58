import { describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIrisCsv, splitIris } from '../src/iris-data.js';
import { MODEL_PATH } from '../src/paths.js';
import { createIrisModel, fallbackRule, fromCsvRow, INSTANCE_SCHEMA, PREDICTION_SCHEMA, type IrisInstance } from '../src/model.js';

const { heldOut } = splitIris(readIrisCsv());

describe('iris ModelDefinition', () => {
  test('carries the committed version and predicts after load', async () => {
    const model = createIrisModel();
    expect(model.version).toBe(JSON.parse(readFileSync(MODEL_PATH, 'utf8')).version);
    expect(() => model.predict([[5.1, 3.5, 1.4, 0.2]])).toThrow(/before load/);
    await model.load?.();
    const out = await model.predict(heldOut.map((r) => r.features));
    const right = out.filter((p, i) => p.label === heldOut[i]!.label).length;
    expect(right / heldOut.length).toBeGreaterThanOrEqual(0.9);
    for (const p of out) {
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(p.label).toBe(['setosa', 'versicolor', 'virginica'][p.probabilities.indexOf(Math.max(...p.probabilities))]);
    }
  });

  test('answers match the prediction schema, warm-up rows match the instance schema', async () => {
    const ajv = new Ajv({ strict: false });
    const model = createIrisModel();
    await model.load?.();
    const preds = await model.predict(model.warmup!);
    expect(preds.map((p) => p.label)).toEqual(['setosa', 'versicolor', 'virginica']);
    const checkPrediction = ajv.compile(PREDICTION_SCHEMA);
    for (const p of preds) expect(checkPrediction(p)).toBe(true);
    const checkInstance = ajv.compile(INSTANCE_SCHEMA);
    for (const x of model.warmup!) expect(checkInstance(x)).toBe(true);
    for (const bad of [[1, 2, 3], [1, 2, 3, 4, 5], [1, 2, 3, '4'], [1, 2, 3, -1], [1, 2, 3, 1e308], [1, 2, 3, null]]) {
      expect(checkInstance(bad)).toBe(false);
    }
  });

  test('extreme but valid inputs give finite probabilities (softmax does not overflow)', async () => {
    const model = createIrisModel();
    await model.load?.();
    const [p] = await model.predict([[100, 0, 100, 100]]);
    expect(p!.probabilities.every(Number.isFinite)).toBe(true);
    expect(p!.label).toBe('virginica');
  });

  test('CSV rows: 4 decimal numbers, anything else names the column', () => {
    expect(fromCsvRow(['5.1', ' 3.5', '1.4 ', '2e-1'])).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(() => fromCsvRow(['5.1', '3.5', '1.4'])).toThrow(/expected 4 columns/);
    expect(() => fromCsvRow(['5.1', 'NaN', '1.4', '0.2'])).toThrow(/sepal_width "NaN" is not a finite number/);
    expect(() => fromCsvRow(['5.1', '3.5', '', '0.2'])).toThrow(/petal_length/);
    expect(() => fromCsvRow(['5.1', '3.5', '1.4', 'Infinity'])).toThrow(/petal_width/);
    expect(() => fromCsvRow(['1e999', '3.5', '1.4', '0.2'])).toThrow(/sepal_length/);
    expect(() => fromCsvRow(['0x10', '3.5', '1.4', '0.2'])).toThrow(/sepal_length/);
  });

  test('the petal-length fallback rule is right on >= 90% of held-out rows', () => {
    const out = fallbackRule(heldOut.map((r) => r.features as IrisInstance));
    const right = out.filter((p, i) => p.label === heldOut[i]!.label).length;
    expect(right / heldOut.length).toBeGreaterThanOrEqual(0.9);
    expect(out[0]).toEqual({ label: 'setosa', probabilities: [1, 0, 0] });
  });

  test('a missing or corrupt model file makes load() fail naming the file; the fallback still answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iris-model-'));
    const missing = createIrisModel({ modelPath: join(dir, 'nope.json') });
    expect(missing.version).toBe('unavailable');
    expect(() => missing.load?.()).toThrow(/Cannot load the iris model from .*nope\.json/);
    expect(missing.fallback!([[5.1, 3.5, 1.4, 0.2]])).toEqual([{ label: 'setosa', probabilities: [1, 0, 0] }]);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "something-else"}');
    expect(() => createIrisModel({ modelPath: corrupt }).load?.()).toThrow(/format is "something-else"/);
  });
});
