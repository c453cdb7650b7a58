/**
 * @jest-environment ./templates/onnx/tests/onnx-environment.js
 */
// model/metrics.json (the model card): the starter model's held-out numbers, recorded by its
// training script in templates/model/model.json; a placeholder with --model that
// doctor.model.metrics refuses; a re-run keeps a card the user filled in.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import helpers from 'yeoman-test';
import { METRICS_FILE, metricsPlaceholder, starterMetrics, toMetricsJson } from '../../generators/lib/metrics.js';
import { logisticRegressionOnnx, type LogisticWeights } from '../../generators/lib/onnx-model.js';
import { loadModelMetrics } from '../../packages/deployer/src/checks/doctor-model-metrics.js';
import { APP, ROOT, runInit } from './helpers.js';

const WEIGHTS = JSON.parse(readFileSync(join(ROOT, 'templates/model/model.json'), 'utf8')) as {
  version: string;
  heldOutAccuracy: number;
};
const STARTER = {
  model: 'starter churn logistic regression 1.0.0',
  dataset: '1000 held-out synthetic churn accounts (seed 42, not used in training)',
  evaluatedAt: '2026-11-25',
  metrics: { accuracy: 0.917 },
};
const readCard = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

const scratch = mkdtempSync(join(tmpdir(), 'gen-metrics-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('model/metrics.json from the starter model', () => {
  test('is the held-out accuracy the training script recorded (templates/model/model.json)', () => {
    expect(WEIGHTS.heldOutAccuracy).toBe(0.917);
    expect(starterMetrics(WEIGHTS)).toEqual(STARTER);
  });

  test.each(['typescript', 'onnx'])(
    '%s: written with the starter numbers, shown in the README, passes doctor.model.metrics',
    async (modelKind) => {
      const result = await runInit('card', { modelKind });
      expect(readCard(join(result.cwd, 'card', METRICS_FILE))).toEqual(STARTER);
      result.assertFileContent(
        'card/README.md',
        'The starter model: accuracy 0.917 on 1000 held-out synthetic churn accounts (seed 42, not used in training), evaluated 2026-11-25.',
      );
      result.assertFileContent('card/README.md', '| `model/metrics.json` |');
      result.assertNoFileContent('card/README.md', 'Still to be filled in');
      expect(await loadModelMetrics(join(result.cwd, 'card'))).toEqual({ kind: 'ok', card: STARTER });
    },
  );

  test('examples/churn ships the card the generator writes today', () => {
    expect(readFileSync(join(ROOT, 'examples/churn', METRICS_FILE), 'utf8')).toBe(
      toMetricsJson(starterMetrics(WEIGHTS)),
    );
  });
});

describe('model/metrics.json with --model <path>', () => {
  // A real ONNX graph (init reads it); no --label-column, so nothing measures it.
  const artifact = join(scratch, 'fraud_v3.onnx');
  writeFileSync(artifact, logisticRegressionOnnx(WEIGHTS as unknown as LogisticWeights, 'fraud'));

  test('is the placeholder saying what to fill in; the README says so; doctor.model.metrics refuses it', async () => {
    const result = await runInit('own', { model: artifact });
    const card = readCard(join(result.cwd, 'own', METRICS_FILE));
    expect(card).toEqual(metricsPlaceholder('model/fraud_v3.onnx'));
    expect(card).toMatchObject({ placeholder: true, model: 'model/fraud_v3.onnx', metrics: {} });
    expect(card.message).toMatch(
      /^fill me in: put the numbers model\/fraud_v3\.onnx scored .*\(doctor\.model\.metrics\) fails\.$/,
    );
    result.assertFileContent('own/README.md', '**Still to be filled in**');
    result.assertNoFileContent('own/README.md', 'The starter model: accuracy');
    expect(await loadModelMetrics(join(result.cwd, 'own'))).toMatchObject({ kind: 'placeholder' });
  });

  test('a re-run without --model keeps a card the user filled in', async () => {
    const first = await runInit('keep', { model: artifact });
    // yeoman-test removes a run's folder when the next run starts: keep a copy.
    const project = join(scratch, 'keep');
    cpSync(join(first.cwd, 'keep'), project, { recursive: true });
    const real = toMetricsJson({
      model: 'fraud v3',
      dataset: 'March transactions',
      evaluatedAt: '2026-11-30',
      metrics: { auc: 0.97 },
    });
    writeFileSync(join(project, METRICS_FILE), real);
    const again = await helpers
      .run(APP, { namespace: 'model-service:app' }, { force: true })
      .doInDir((dir) => cpSync(project, join(dir, 'keep'), { recursive: true }))
      .withArguments(['init', 'keep'])
      .withOptions({ yes: true, skipInstall: true, force: true } as never);
    expect(readFileSync(join(again.cwd, 'keep', METRICS_FILE), 'utf8')).toBe(real);
  });
});
