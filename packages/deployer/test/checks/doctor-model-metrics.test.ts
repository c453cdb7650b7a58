// doctor.model.metrics on the two examples (real model cards) and on temp projects that
// break model/metrics.json one way at a time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { modelMetricsCheck } from '../../src/checks/doctor-model-metrics.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples');
const CARD = {
  model: 'fraud v3',
  dataset: '2000 held-out transactions from March',
  evaluatedAt: '2026-11-30',
  metrics: { accuracy: 0.93, auc: 0.97 },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-metrics-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function project(text?: string): string {
  if (text !== undefined) {
    mkdirSync(join(dir, 'model'), { recursive: true });
    writeFileSync(join(dir, 'model/metrics.json'), text);
  }
  return dir;
}

const run = (at: string) =>
  modelMetricsCheck.run(defaultCheckContext({ dir: at, env: {}, skipTests: true, builder: 'docker' }));
const card = (change: Record<string, unknown>) => JSON.stringify({ ...CARD, ...change });

describe('doctor.model.metrics', () => {
  it('passes on examples/churn (the starter model) and examples/iris, naming the metrics', async () => {
    expect(await run(join(EXAMPLES, 'churn'))).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/^accuracy 0\.917 on 1000 held-out synthetic churn accounts/),
    });
    expect(await run(join(EXAMPLES, 'iris'))).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/^accuracy 0\.967 on the 30 held-out rows of data\/iris\.csv/),
    });
  });

  it('passes on a filled-in card with several metrics', async () => {
    expect(await run(project(JSON.stringify(CARD)))).toEqual({
      status: 'pass',
      message: 'accuracy 0.93, auc 0.97 on 2000 held-out transactions from March (fraud v3, evaluated 2026-11-30)',
    });
  });

  it('fails when the file is missing, naming it and what to write', async () => {
    const result = await run(project());
    expect(result.status).toBe('fail');
    expect(result.message).toBe('no model metrics: model/metrics.json cannot be read (ENOENT)');
    expect(result.fix).toMatch(/^Write model\/metrics\.json: \{"model".*"metrics"/);
  });

  it("fails on the generator's placeholder", async () => {
    const placeholder = {
      placeholder: true,
      model: 'model/fraud.onnx',
      dataset: '<the held-out data>',
      evaluatedAt: '<YYYY-MM-DD>',
      metrics: {},
      message: 'fill me in: put the numbers ...',
    };
    const result = await run(project(JSON.stringify(placeholder)));
    expect(result).toMatchObject({
      status: 'fail',
      message: "model/metrics.json is still the generator's placeholder (fill me in)",
    });
    expect(result.fix).toMatch(/^Fill in model\/metrics\.json .* delete "placeholder" and "message"/);
  });

  it.each([
    ['not JSON', '{"model": "x",', /^model\/metrics\.json is not valid JSON \(/],
    ['an array', '[]', /^model\/metrics\.json is not a JSON object$/],
    ['no dataset', card({ dataset: '' }), /^model\/metrics\.json has no "dataset" \(a non-empty string\)$/],
    [
      'no model or evaluatedAt',
      JSON.stringify({ dataset: 'd', metrics: { accuracy: 1 } }),
      /has no "model", "evaluatedAt"/,
    ],
    [
      'a date that is not YYYY-MM-DD',
      card({ evaluatedAt: 'last week' }),
      /"evaluatedAt" is "last week", not a YYYY-MM-DD date$/,
    ],
    ['no metrics object', card({ metrics: undefined }), /has no "metrics" object$/],
    ['an empty metrics object', card({ metrics: {} }), /has no numeric metric \("metrics" is empty\)$/],
    ['a metric that is not a number', card({ metrics: { accuracy: '91%' } }), /metrics "accuracy" is not a number$/],
  ])('fails on %s', async (_name, text, message) => {
    const result = await run(project(text));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(message);
    expect(result.fix).toMatch(/^Fix model\/metrics\.json: \{"model"/);
  });
});
