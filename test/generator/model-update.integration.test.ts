// A model update as a user does it: a project generated from one real model (a random forest on
// wine, 13 features, 3 classes), the user's own edits committed, then `model-service init
// --model` re-run in the project with another (gradient-boosted regression on diabetes, 10
// features, one output). The real bin, without a terminal: it stops on the first changed file
// unless --force; `.yo-resolve` keeps the user's file; the signature, schemas, tests, golden set
// and card are derived again, init says what changed, the old artifact leaves model/, and the
// regenerated project passes its own `npm test` with the new model's answers.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { run } from '../support/container.js';
import { exporterModels, readExpected } from '../support/exporter-models.js';
import { ROOT } from './helpers.js';
import { childEnv, generateProject, npm, readJson } from './project-support.js';

const fx = exporterModels();
const BIN = join(ROOT, 'generators', 'bin', 'model-service.js');
const RUNTIME = join(ROOT, 'packages', 'runtime');
const OWN_LINE = "export const OWNER = 'risk-models@example.com';";
let work: string;
let dir: string;

const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
const output = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`;

/** `model-service init` re-run inside the project (no name: the project is the current folder). */
function reinit(...flags: string[]) {
  return run(
    process.execPath,
    [
      BIN,
      'init',
      '--yes',
      '--skip-install',
      '--runtime-source',
      RUNTIME,
      '--model',
      join(fx, 'diabetes-gbr.onnx'),
      '--sample',
      join(fx, 'diabetes-gbr.csv'),
      '--label-column',
      'target',
      ...flags,
    ],
    { cwd: dir, timeoutMs: 120_000, env: childEnv() },
  );
}

beforeAll(async () => {
  if (!existsSync(join(RUNTIME, 'dist', 'index.js'))) throw new Error('build the runtime first: npx tsc -b');
  work = mkdtempSync(join(tmpdir(), 'ms-model-update-'));
  dir = await generateProject(work, 'wine', [
    '--runtime-source',
    RUNTIME,
    '--ci',
    'none',
    '--model',
    join(fx, 'wine-forest.onnx'),
    '--sample',
    join(fx, 'wine-forest.csv'),
    '--label-column',
    'target',
  ]);
  // The user's own edits: a line in a generated file (kept by .yo-resolve) and a file of their own.
  appendFileSync(join(dir, 'src/health.ts'), `${OWN_LINE}\n`);
  writeFileSync(join(dir, '.yo-resolve'), '# files I own: a re-run never overwrites them\nsrc/health.ts skip\n');
  writeFileSync(join(dir, 'NOTES.md'), '# Release notes\n');
  expect(git('add', '-A').status).toBe(0);
  expect(git('commit', '-qm', 'my edits').status).toBe(0);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('re-running init in a project with a new --model', () => {
  test('without a terminal or --force it stops on the first changed file, names it, and writes nothing', async () => {
    const before = readFileSync(join(dir, 'model/signature.json'), 'utf8');
    const stopped = await reinit();
    expect(stopped.status).toBe(2);
    expect(stopped.stderr).toMatch(
      /MS_GEN_CONFLICT: src\/prediction\.ts already exists with other content\. Rerun with --force/,
    );
    expect(readFileSync(join(dir, 'model/signature.json'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'model/diabetes-gbr.onnx'))).toBe(false);
    // node_modules is the test's symlink (the generated .gitignore's `node_modules/` is for a folder).
    expect(git('status', '--porcelain', '--', '.', ':!node_modules').stdout).toBe('');
  }, 150_000);

  test('with --force: derived again, says what changed, keeps what .yo-resolve names and the user files', async () => {
    const updated = await reinit('--force');
    expect(updated.status === 0 ? '' : output(updated).slice(-3000)).toBe('');
    const said = output(updated);
    expect(said).toContain('Model changed since the last run:');
    expect(said).toMatch(/weights: sha256 [0-9a-f]{12}… -> [0-9a-f]{12}…/);
    expect(said).toContain('input input: float32 [?, 13] -> float32 [?, 10]');
    expect(said).toContain('new output variable (float32 [?, 1])');
    expect(said).toContain('output probabilities removed');
    expect(said).toContain('Removed model/wine-forest.onnx');
    expect(said).toMatch(/skip src\/health\.ts/);

    const signature = readJson(join(dir, 'model/signature.json'));
    expect(signature.inputs).toEqual([{ name: 'input', type: 'float32', shape: [null, 10] }]);
    expect(signature.outputs).toEqual([{ name: 'variable', type: 'float32', shape: [null, 1] }]);
    expect(signature.features).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
    // The instance schema follows: 10 features by name, not the wine's 13.
    const prediction = readFileSync(join(dir, 'src/prediction.ts'), 'utf8');
    expect(prediction).not.toContain('alcohol');

    // The answers recorded are scikit-learn's own predict, within float32 tolerance.
    const answers = readJson(join(dir, 'tests/model-answers.json'));
    const sklearn = readExpected(fx, 'diabetes-gbr').variable as number[][];
    answers.predictions.forEach((p: { variable: number[] }, i: number) =>
      expect(Math.abs(p.variable[0]! - sklearn[i]![0]!)).toBeLessThan(1e-3),
    );
    expect(readFileSync(join(dir, 'tests/golden.jsonl'), 'utf8')).toContain(JSON.stringify(answers.predictions[0]));
    const card = readJson(join(dir, 'model/metrics.json'));
    expect(card.model).toBe('model/diabetes-gbr.onnx');
    expect(Object.keys(card.metrics)).toEqual(['rmse', 'mae', 'r2']);

    const sha = createHash('sha256')
      .update(readFileSync(join(dir, 'model/diabetes-gbr.onnx')))
      .digest('hex');
    const release = readFileSync(join(dir, 'release.yaml'), 'utf8');
    expect(release).toContain('artifact: model/diabetes-gbr.onnx');
    expect(release).toContain(sha);
    expect(existsSync(join(dir, 'model/wine-forest.onnx'))).toBe(false);

    expect(readFileSync(join(dir, 'src/health.ts'), 'utf8')).toContain(OWN_LINE);
    expect(readFileSync(join(dir, 'NOTES.md'), 'utf8')).toBe('# Release notes\n');
    expect(readJson(join(dir, '.yo-rc.json'))['generator-model-service'].answers.modelFile).toBe('diabetes-gbr.onnx');
  }, 150_000);

  test('the regenerated project passes its own npm test, with the new model', async () => {
    const tested = await npm(dir, ['test'], 300_000);
    expect(tested.status === 0 ? '' : output(tested).slice(-4000)).toBe('');
    const count = /Tests:\s+(\d+) passed, (\d+) total/.exec(output(tested));
    expect(count?.[1]).toBe(count?.[2]);
    expect(Number(count?.[1])).toBeGreaterThan(20);
  }, 320_000);
});
