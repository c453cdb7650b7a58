/**
 * @jest-environment ./templates/onnx/tests/onnx-environment.js
 */
// Real scikit-learn models (breast cancer, wine, diabetes), exported in the node layouts of
// skl2onnx, onnxmltools and torch.onnx.export, derived at init and served over HTTP by the
// runtime's generic loader: the service answers what scikit-learn's predict / predict_proba
// (or numpy, for the torch-style graph) answered, within float32 tolerance.
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { createService, onnxModel, type Service } from '@model-service/runtime';
import { deriveOnnx } from '../../generators/lib/onnx-derive.js';
import { exporterModels, readExpected } from '../support/exporter-models.js';

const dir = exporterModels();
const running: Service[] = [];
afterAll(async () => {
  for (const s of running) await s.close();
});

/** Derives the signature the way init does, then serves the file through onnxModel on a real socket. */
async function serve(
  name: string,
  sample: string,
  labelColumn?: string,
): Promise<{ url: string; instances: unknown[] }> {
  const path = join(dir, `${name}.onnx`);
  const derived = await deriveOnnx(path, { sample: join(dir, sample), labelColumn, artifact: `model/${name}.onnx` });
  const service = createService({
    model: onnxModel({ path, signature: derived.signature }),
    logLevel: 'silent',
    maxInstances: 64,
  });
  running.push(service);
  const { port } = await service.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, instances: derived.sample!.instances };
}

/** Every number within `tol` (absolute, scaled by the magnitude for large regression targets). */
function expectClose(actual: unknown, expected: unknown, tol: number, path: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    (expected as unknown[]).forEach((e, i) => expectClose((actual as unknown[])[i], e, tol, `${path}[${i}]`));
    return;
  }
  const diff = Math.abs((actual as number) - (expected as number));
  if (diff > tol * Math.max(1, Math.abs(expected as number)))
    throw new Error(`${path}: served ${String(actual)}, scikit-learn ${String(expected)}`);
}

describe.each([
  ['breast-cancer-logreg', 'skl2onnx Scaler -> LinearClassifier -> Normalizer (zipmap off)'],
  ['wine-forest', 'skl2onnx TreeEnsembleClassifier (RandomForestClassifier, 3 classes)'],
  ['breast-cancer-boosted', 'onnxmltools-style boosted trees (LOGISTIC, base_values)'],
])('%s: %s', (name) => {
  test('labels equal predict, probabilities equal predict_proba (JSON and CSV), per class label too', async () => {
    const { url, instances } = await serve(name, `${name}.csv`, 'target');
    const expected = readExpected(dir, name);
    const res = await request(url).post('/invocations').send({ instances });
    expect(res.status).toBe(200);
    const predictions = res.body.predictions as Array<{
      label: number;
      probabilities: number[];
      probabilitiesByLabel: Record<string, number>;
    }>;
    expect(predictions.map((p) => p.label)).toEqual(expected.label);
    predictions.forEach((p, i) =>
      expectClose(p.probabilities, expected.probabilities![i], 1e-5, `predictions[${i}].probabilities`),
    );
    const labels = Object.keys(predictions[0]!.probabilitiesByLabel);
    expect(predictions[0]!.probabilitiesByLabel[labels[1]!]).toBe(predictions[0]!.probabilities[1]);

    const csv = await request(url)
      .post('/invocations')
      .set('content-type', 'text/csv')
      .send((instances as number[][]).map((r) => r.join(',')).join('\n'));
    expect(csv.status).toBe(200);
    expect(csv.body).toEqual(res.body);
  });
});

test('diabetes-gbr (skl2onnx TreeEnsembleRegressor of a GradientBoostingRegressor) answers predict', async () => {
  const { url, instances } = await serve('diabetes-gbr', 'diabetes-gbr.csv', 'target');
  const expected = readExpected(dir, 'diabetes-gbr');
  const res = await request(url).post('/invocations').send({ instances });
  expect(res.status).toBe(200);
  (res.body.predictions as Array<{ variable: number[] }>).forEach((p, i) =>
    expectClose(p.variable, expected.variable![i], 1e-5, `predictions[${i}].variable`),
  );
});

test('torch.onnx.export-style graph: int64 ids [batch, seq] + float features [batch, 4], keyed by input name', async () => {
  const { url, instances } = await serve('torch-two-inputs', 'torch-two-inputs.jsonl');
  const expected = readExpected(dir, 'torch-two-inputs');
  const res = await request(url).post('/invocations').send({ instances });
  expect(res.status).toBe(200);
  (res.body.predictions as Array<{ logits: number[] }>).forEach((p, i) =>
    expectClose(p.logits, expected.logits![i], 1e-5, `predictions[${i}].logits`),
  );
  // Another sequence length in its own request: the named dynamic axis "seq" is not fixed.
  const longer = await request(url)
    .post('/invocations')
    .send({ instances: [{ input_ids: [1, 2, 3, 4, 5, 6, 7, 8], features: [0, 0, 0, 0] }] });
  expect(longer.status).toBe(200);
  const wrong = await request(url)
    .post('/invocations')
    .send({ instances: [{ input_ids: [1.5], features: [0, 0, 0, 0] }] });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.message).toContain('input_ids');
});

test('the OpenAPI page documents the shapes: features in order or by name, outputs with their class labels', async () => {
  const { url } = await serve('breast-cancer-logreg', 'breast-cancer-logreg.csv', 'target');
  const res = await request(url).get('/openapi.json');
  expect(res.status).toBe(200);
  const text = JSON.stringify(res.body);
  expect(text).toContain(
    'The 30 features of \\"float_input\\" (float32 [?, 30]): an array in this order, or an object keyed by name: mean radius, mean texture',
  );
  expect(text).toContain('probabilitiesByLabel');
  expect(text).toContain('probabilities per class label');
});
