// examples/iris run for real (the built `npm start` entry in a child process) and called over a
// real socket: real predictions on the held-out rows, JSON and CSV, the envelope limits.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readIrisCsv, splitIris } from '../../examples/iris/src/iris-data.js';
import { createIrisModel } from '../../examples/iris/src/model.js';
import { startIris, type IrisProcess } from './support/iris-process.js';

interface Prediction {
  label: string;
  probabilities: number[];
}

const { heldOut } = splitIris(readIrisCsv());
let iris: IrisProcess;

beforeAll(async () => {
  iris = await startIris();
}, 40_000);

afterAll(async () => {
  await iris?.stop();
});

async function invoke(body: string, contentType = 'application/json', path = '/invocations') {
  const res = await fetch(`${iris.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function heldOutAccuracy(predictions: Prediction[]): number {
  expect(predictions).toHaveLength(heldOut.length);
  return predictions.filter((p, i) => p.label === heldOut[i]!.label).length / heldOut.length;
}

describe('examples/iris over HTTP', () => {
  test('GET /ping answers {"status":"UP"} once the model is loaded', async () => {
    const res = await fetch(`${iris.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'UP' });
  });

  test("held-out rows as JSON: accuracy >= 0.9, and exactly the committed model's probabilities", async () => {
    const res = await invoke(JSON.stringify({ instances: heldOut.map((r) => r.features) }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const predictions = res.json.predictions as Prediction[];
    expect(heldOutAccuracy(predictions)).toBeGreaterThanOrEqual(0.9);
    const local = createIrisModel();
    await local.load?.();
    expect(predictions).toEqual(await local.predict(heldOut.map((r) => r.features)));
    for (const p of predictions) {
      expect(p.probabilities).toHaveLength(3);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    expect(res.json.source ?? 'model').toBe('model');
  });

  test('held-out rows as text/csv give the same answers as JSON', async () => {
    const csv = heldOut.map((r) => r.features.join(',')).join('\n');
    const [fromCsv, fromJson] = await Promise.all([
      invoke(`${csv}\n`, 'text/csv'),
      invoke(JSON.stringify({ instances: heldOut.map((r) => r.features) })),
    ]);
    expect(fromCsv.status).toBe(200);
    expect(heldOutAccuracy(fromCsv.json.predictions)).toBeGreaterThanOrEqual(0.9);
    expect(fromCsv.json.predictions).toEqual(fromJson.json.predictions);
  });

  test('one flower of each species, including over the SageMaker Runtime path', async () => {
    const body = JSON.stringify({
      instances: [
        [5.1, 3.5, 1.4, 0.2],
        [6.0, 2.9, 4.5, 1.5],
        [6.7, 3.0, 5.2, 2.3],
      ],
    });
    for (const path of ['/invocations', '/endpoints/iris/invocations']) {
      const res = await invoke(body, 'application/json', path);
      expect(res.status).toBe(200);
      expect(res.json.predictions.map((p: Prediction) => p.label)).toEqual(['setosa', 'versicolor', 'virginica']);
    }
  });

  test('a row with 3 numbers is a 400 naming the field, with a stable code and no stack', async () => {
    const res = await invoke(
      JSON.stringify({
        instances: [
          [5.1, 3.5, 1.4, 0.2],
          [5.1, 3.5, 1.4],
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(res.json.error.message).toContain('instances[1]');
    expect(res.text).not.toMatch(/\bat .*\.js:\d+/);
  });

  test('strings, negatives and absurd sizes are refused with 400, not predicted', async () => {
    for (const row of [
      ['5.1', 3.5, 1.4, 0.2],
      [5.1, -3.5, 1.4, 0.2],
      [5.1, 3.5, 1e300, 0.2],
      [5.1, 3.5, null, 0.2],
    ]) {
      const res = await invoke(JSON.stringify({ instances: [row] }));
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    }
    const csv = await invoke('5.1,3.5,abc,0.2\n', 'text/csv');
    expect(csv.status).toBe(400);
    expect(csv.json.error.code).toBe('MS_RUNTIME_INVALID_CSV');
    expect(csv.json.error.message).toContain('petal_length');
  });

  test('64 rows are served, 65 rows are refused', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => heldOut[i % heldOut.length]!.features);
    const ok = await invoke(JSON.stringify({ instances: rows(64) }));
    expect(ok.status).toBe(200);
    expect(ok.json.predictions).toHaveLength(64);
    const tooMany = await invoke(JSON.stringify({ instances: rows(65) }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(tooMany.json.error.message).toMatch(/instances/);
    const none = await invoke(JSON.stringify({ instances: [] }));
    expect(none.status).toBe(400);
  });

  test('the OpenAPI document describes the iris instance', async () => {
    const res = await fetch(`${iris.url}/openapi.json`);
    expect(res.status).toBe(200);
    const spec = JSON.stringify(await res.json());
    expect(spec).toContain('sepal_length');
    expect(spec).toContain('versicolor');
  });
});

describe('examples/iris without its model file', () => {
  test('reports unhealthy (/ping 503 naming the file) and answers from the petal-length rule, flagged fallback', async () => {
    const broken = await startIris({ IRIS_MODEL_PATH: '/nonexistent/iris-model.json' }, 'listening');
    try {
      const ping = await fetch(`${broken.url}/ping`);
      expect(ping.status).toBe(503);
      expect(JSON.stringify(await ping.json())).toContain('/nonexistent/iris-model.json');
      const res = await fetch(`${broken.url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: heldOut.map((r) => r.features) }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model-source')).toBe('fallback');
      const json = (await res.json()) as { source: string; predictions: Prediction[] };
      expect(json.source).toBe('fallback');
      expect(heldOutAccuracy(json.predictions)).toBeGreaterThanOrEqual(0.9);
      expect(json.predictions.every((p) => p.probabilities.filter((x) => x === 1).length === 1)).toBe(true);
    } finally {
      await broken.stop();
    }
  }, 40_000);
});
