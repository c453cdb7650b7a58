// The loader on its own: a weights file of the wrong shape stops the start with a message
// naming the file (the runtime then reports MS_RUNTIME_MODEL_LOAD_FAILED), and predict never
// runs on missing weights. Its version is the artifact SHA-256.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { MODEL_SHA256, createModel } from '../src/model_loader.js';

const dir = mkdtempSync(join(tmpdir(), 'churn-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model loader', () => {
  test('the version is the artifact SHA-256 (cache keys and /ping change with the weights)', () => {
    expect(createModel().version).toBe(MODEL_SHA256);
  });

  test('a file that is not logistic-regression/v1 weights fails to load, naming the file', async () => {
    const path = join(dir, 'not-weights.json');
    writeFileSync(path, JSON.stringify({ format: 'something-else', features: ['a'] }));
    await expect(Promise.resolve(createModel(path).load!())).rejects.toThrow(path);
  });

  test('weights whose arrays do not match the features fail to load', async () => {
    const path = join(dir, 'short-arrays.json');
    writeFileSync(path, JSON.stringify({ format: 'logistic-regression/v1', features: ['a', 'b'], means: [0], scales: [1, 1], coefficients: [1, 1], intercept: 0 }));
    await expect(Promise.resolve(createModel(path).load!())).rejects.toThrow('matching feature arrays');
  });

  test('predict before load (or after close) refuses instead of answering', async () => {
    const model = createModel();
    expect(() => model.predict([])).toThrow('before load');
    await model.load!();
    expect(model.predict([{ tenureMonths: 12, monthlyCharges: 70, supportCalls: 1, contractMonths: 12 }])).toHaveLength(1);
    await model.close!();
    expect(() => model.predict([])).toThrow('before load');
  });
});
