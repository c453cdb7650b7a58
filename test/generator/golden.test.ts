/**
 * @jest-environment ./templates/onnx/tests/onnx-environment.js
 */
// The golden set and --model: tests/golden.jsonl is computed from the starter model (and agrees
// with the generated scoring code), --model copies the user's artifact, records its sha256 and
// writes the placeholder golden line instead; bad --model values stop before any file.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import helpers from 'yeoman-test';
import { logisticRegressionOnnx } from '../../generators/lib/onnx-model.js';
import {
  GOLDEN_REQUESTS,
  GOLDEN_TOLERANCE,
  goldenLines,
  goldenPlaceholder,
  toJsonl,
} from '../../generators/lib/golden.js';
import {
  instanceSchema,
  scoreLogistic,
  type Instance,
  type LogisticWeights,
} from '../../examples/churn/src/prediction.js';
import { APP, ROOT, readYaml, releaseValidator, runInit } from './helpers.js';

const WEIGHTS = JSON.parse(readFileSync(join(ROOT, 'templates/model/model.json'), 'utf8')) as LogisticWeights;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function readJsonl(path: string): Array<Record<string, any>> {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

const scratch = mkdtempSync(join(tmpdir(), 'gen-golden-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tests/golden.jsonl from the starter model', () => {
  test('typescript: one {request, response, tolerance} line per golden request, answers from the generated scoring code', async () => {
    const result = await runInit('gold');
    result.assertFile(['gold/tests/golden.jsonl', 'gold/tests/golden.test.ts']);
    const lines = readJsonl(join(result.cwd, 'gold/tests/golden.jsonl'));
    expect(lines).toHaveLength(GOLDEN_REQUESTS.length);
    const validInstance = new Ajv({ strict: false }).compile(instanceSchema);
    for (const [i, line] of lines.entries()) {
      expect(Object.keys(line).sort()).toEqual(['request', 'response', 'tolerance']);
      expect(line.tolerance).toBe(1e-6);
      expect(line.request).toEqual(GOLDEN_REQUESTS[i]);
      // Raw API-shaped bodies: every instance passes the generated input schema.
      for (const instance of line.request.instances) expect(validInstance(instance)).toBe(true);
      // The same answers the generated src/prediction.ts gives (examples/churn is generator output).
      expect(line.response).toEqual({
        predictions: line.request.instances.map((x: Instance) => scoreLogistic(WEIGHTS, x)),
      });
    }
    const labels = new Set(lines.flatMap((l) => l.response.predictions.map((p: { label: string }) => p.label)));
    expect(labels).toEqual(new Set(['churn', 'stay']));
  });

  test('onnx: float32 answers within the onnx tolerance of the float64 ones, same labels', async () => {
    const result = await runInit('gold-onnx', { modelKind: 'onnx' });
    const lines = readJsonl(join(result.cwd, 'gold-onnx/tests/golden.jsonl'));
    const float64 = goldenLines(WEIGHTS, 'typescript');
    expect(lines).toHaveLength(float64.length);
    for (const [i, line] of lines.entries()) {
      expect(line.tolerance).toBe(GOLDEN_TOLERANCE.onnx);
      line.response.predictions.forEach((p: { churnProbability: number; label: string }, j: number) => {
        const expected = float64[i]!.response.predictions[j]!;
        expect(Math.abs(p.churnProbability - expected.churnProbability)).toBeLessThanOrEqual(GOLDEN_TOLERANCE.onnx);
        expect(p.label).toBe(expected.label);
      });
    }
  });

  test('examples/churn ships the golden set the generator computes today', () => {
    expect(readFileSync(join(ROOT, 'examples/churn/tests/golden.jsonl'), 'utf8')).toBe(
      toJsonl(goldenLines(WEIGHTS, 'typescript')),
    );
  });

  test.each([
    ['skipped standardisation', { ...WEIGHTS, means: [0, 0, 0, 0], scales: [1, 1, 1, 1] }],
    [
      'features in another order',
      {
        ...WEIGHTS,
        coefficients: [WEIGHTS.coefficients[1]!, WEIGHTS.coefficients[0]!, ...WEIGHTS.coefficients.slice(2)],
      },
    ],
    ['slightly other weights (intercept +0.05)', { ...WEIGHTS, intercept: WEIGHTS.intercept + 0.05 }],
  ])('the set tells the trained model from one with %s', (_what, wrong) => {
    const lines = goldenLines(WEIGHTS, 'typescript');
    const caught = lines.filter((line) =>
      line.request.instances.some(
        (x, i) =>
          Math.abs(
            scoreLogistic(wrong as LogisticWeights, x as unknown as Instance).churnProbability -
              line.response.predictions[i]!.churnProbability,
          ) > line.tolerance,
      ),
    );
    // Most lines, not just one: the answers were chosen away from the saturated ends.
    expect(caught.length).toBeGreaterThanOrEqual(Math.ceil(lines.length / 2));
  });

  test('a golden request too close to the threshold is refused at generation time', () => {
    const flat = { ...WEIGHTS, coefficients: [0, 0, 0, 0], intercept: 0 };
    expect(() => goldenLines(flat, 'typescript')).toThrow('too close to the threshold');
  });
});

describe('--model <path>', () => {
  // A model for the TypeScript kind (any file that is not ONNX): its answers are not known at init.
  const artifact = join(scratch, 'fraud_v3.weights');
  const bytes = Buffer.from('not onnx, but bytes are bytes: the hash is what matters');
  writeFileSync(artifact, bytes);
  // An ONNX model: init derives its golden set from the graph (test/generator/onnx-init.test.ts).
  const onnxArtifact = join(scratch, 'fraud_v3.onnx');
  writeFileSync(onnxArtifact, logisticRegressionOnnx(WEIGHTS as never, 'fraud'));

  test('copies the artifact into model/, records its sha256 and writes the placeholder golden line', async () => {
    const result = await runInit('own', { model: artifact });
    const copied = readFileSync(join(result.cwd, 'own/model/fraud_v3.weights'));
    expect(copied.equals(bytes)).toBe(true);
    result.assertNoFile(['own/model/own.onnx', 'own/model/own-model.json']);
    const release = readYaml(join(result.cwd, 'own/release.yaml'));
    expect(release.model).toMatchObject({
      kind: 'typescript',
      artifact: 'model/fraud_v3.weights',
      sha256: sha256(bytes),
    });
    const validate = releaseValidator();
    expect(validate(structuredClone(release)) ? [] : validate.errors).toEqual([]);
    result.assertFileContent('own/src/model_loader.ts', `MODEL_SHA256 = '${sha256(bytes)}'`);
    result.assertFileContent('own/src/model_loader.ts', "new URL('../model/fraud_v3.weights'");

    const lines = readJsonl(join(result.cwd, 'own/tests/golden.jsonl'));
    expect(lines).toEqual([goldenPlaceholder('model/fraud_v3.weights')]);
    expect(lines[0]).toMatchObject({ placeholder: true });
    expect(lines[0]!.message).toMatch(/^replace me/);
    result.assertFileContent([
      ['own/tests/golden.test.ts', 'You brought the model'],
      ['own/README.md', 'It is a placeholder now'],
      ['own/README.md', 'is the model you brought'],
    ]);
    // Stored for re-runs (the file name), never the source path.
    const rc = JSON.parse(readFileSync(join(result.cwd, 'own/.yo-rc.json'), 'utf8'));
    expect(rc['generator-model-service'].answers).toMatchObject({
      modelFile: 'fraud_v3.weights',
      modelKind: 'typescript',
    });
    expect(JSON.stringify(rc)).not.toContain(scratch);
  });

  test('a non-onnx file keeps the typescript kind; --model-kind onnx with a .onnx file is fine', async () => {
    const json = join(scratch, 'weights.json');
    writeFileSync(json, '{"format":"logistic-regression/v1"}');
    const result = await runInit('own-json', { model: json });
    expect(readYaml(join(result.cwd, 'own-json/release.yaml')).model).toMatchObject({
      kind: 'typescript',
      artifact: 'model/weights.json',
    });
    const onnx = await runInit('own-onnx', { model: onnxArtifact, modelKind: 'onnx' });
    onnx.assertFile('own-onnx/model/fraud_v3.onnx');
  });

  test('a re-run without --model keeps the artifact and a golden set the user filled in', async () => {
    const first = await runInit('keep', { model: artifact });
    // yeoman-test removes a run's folder when the next run starts: keep a copy.
    const project = join(scratch, 'keep');
    cpSync(join(first.cwd, 'keep'), project, { recursive: true });
    const real = '{"request":{"instances":[]},"response":{"predictions":[]},"tolerance":1e-6}\n';
    writeFileSync(join(project, 'tests/golden.jsonl'), real);
    const again = await helpers
      .run(APP, { namespace: 'model-service:app' }, { force: true })
      .doInDir((dir) => cpSync(project, join(dir, 'keep'), { recursive: true }))
      .withArguments(['init', 'keep'])
      .withOptions({ yes: true, skipInstall: true, force: true } as never);
    const kept = join(again.cwd, 'keep');
    expect(readFileSync(join(kept, 'model/fraud_v3.weights')).equals(bytes)).toBe(true);
    expect(readFileSync(join(kept, 'tests/golden.jsonl'), 'utf8')).toBe(real);
    expect(readYaml(join(kept, 'release.yaml')).model.sha256).toBe(sha256(bytes));
  });

  test.each([
    ['a missing file', () => join(scratch, 'nope.onnx'), 'is not a file'],
    ['a folder', () => scratch, 'is not a file'],
    [
      'an empty file',
      () => {
        const p = join(scratch, 'empty.onnx');
        writeFileSync(p, '');
        return p;
      },
      'is empty',
    ],
    [
      'an unsafe file name',
      () => {
        const p = join(scratch, "it's mine.onnx");
        writeFileSync(p, 'x');
        return p;
      },
      'file name',
    ],
  ])('%s stops the run with MS_GEN_MODEL_FILE before any file is written', async (_what, path, problem) => {
    const run = runInit('bad-model', { model: path() });
    let error: (Error & { code?: string }) | undefined;
    try {
      await run;
    } catch (err) {
      error = err as Error & { code?: string };
    }
    expect(error?.code).toBe('MS_GEN_MODEL_FILE');
    expect(error?.message).toMatch(/^MS_GEN_MODEL_FILE: --model ".+" /);
    expect(error?.message).toContain(problem);
    expect(readdirSync(run.targetDirectory!)).toEqual([]);
  });

  test('--model x.onnx with --model-kind typescript is refused, naming both', async () => {
    await expect(runInit('mixed', { model: onnxArtifact, modelKind: 'typescript' })).rejects.toThrow(
      /MS_GEN_INVALID_FLAG: --model-kind "typescript".*ONNX file/,
    );
  });
});
