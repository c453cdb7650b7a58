import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readIrisCsv, splitIris } from '../src/iris-data.js';
import { checkModelFile, paramsVersion } from '../src/logistic-regression.js';
import { MODEL_PATH } from '../src/paths.js';
import { accuracy, fit, logLoss, trainIrisModel } from '../src/training.js';

const committed = JSON.parse(readFileSync(MODEL_PATH, 'utf8'));
const rows = readIrisCsv();

describe('iris data', () => {
  test('is the 150-row Fisher data, 50 per species', () => {
    expect(rows).toHaveLength(150);
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.label] = (counts[row.label] ?? 0) + 1;
    expect(counts).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
    expect(rows[0]).toEqual({ features: [5.1, 3.5, 1.4, 0.2], label: 'setosa' });
  });

  test('split holds out every 5th row of each species: 120 / 30, stratified, disjoint', () => {
    const { train, heldOut } = splitIris(rows);
    expect(train).toHaveLength(120);
    expect(heldOut).toHaveLength(30);
    expect(heldOut.filter((r) => r.label === 'virginica')).toHaveLength(10);
    expect(heldOut[0]).toBe(rows[4]);
    expect(new Set([...train, ...heldOut]).size).toBe(150);
  });
});

describe('training', () => {
  test('retraining on the committed CSV reproduces the committed model exactly', () => {
    const retrained = trainIrisModel(rows);
    expect(retrained.weights).toEqual(committed.weights);
    expect(retrained.biases).toEqual(committed.biases);
    expect(retrained.means).toEqual(committed.means);
    expect(retrained.stds).toEqual(committed.stds);
    expect(retrained.version).toBe(committed.version);
    expect(retrained).toEqual(committed);
  });

  test('the committed model is consistent and generalises to the held-out rows', () => {
    const model = checkModelFile(committed, MODEL_PATH);
    expect(model.version).toBe(paramsVersion(model));
    expect(model.training.heldOutAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(accuracy(model, splitIris(rows).heldOut)).toBe(model.training.heldOutAccuracy);
  });

  test('model/metrics.json documents the committed model and its held-out accuracy (29 of 30)', () => {
    const card = JSON.parse(readFileSync(join(dirname(MODEL_PATH), 'metrics.json'), 'utf8'));
    expect(card.model).toContain(committed.version.slice(0, 12));
    expect(card.dataset).toMatch(/^the 30 held-out rows of data\/iris\.csv/);
    expect(card.metrics.accuracy).toBe(Number(accuracy(committed, splitIris(rows).heldOut).toFixed(3)));
    expect(accuracy(committed, splitIris(rows).heldOut)).toBe(29 / 30);
  });

  test('more gradient steps lower the training loss (the optimiser actually learns)', () => {
    const { train } = splitIris(rows);
    const early = logLoss(fit(train, { epochs: 10 }), train);
    expect(committed.training.trainLoss).toBeLessThan(early / 3);
    expect(committed.training.trainAccuracy).toBeGreaterThan(0.95);
  });

  test('a model file whose weights were edited is refused (version is the sha256 of the weights)', () => {
    const tampered = structuredClone(committed);
    tampered.weights[0][0] += 0.5;
    expect(() => checkModelFile(tampered, 'tampered.json')).toThrow(/version .* does not match the weights/);
    const missing = { ...committed, stds: [1, 0, 1, 1] };
    expect(() => checkModelFile(missing, 'bad.json')).toThrow(/stds must be 4 positive numbers/);
  });
});
