// A project generated from a model nobody here wrote passes its own `npm test` as generated
// (health, inference over JSON/CSV, invalid input, golden set, artifact, loader; 80% coverage),
// and its inference tests fail when the recorded answers are not this model's. Models the ONNX
// project wrote (libonnx-testdata) go through a generated project too: what it recorded and
// tests is the reference output shipped beside the model. The project
// runs with the monorepo's installed packages (node_modules linked in) so the test needs no
// 290 MB onnxruntime-node download; e2e-project.test.ts covers a real `npm install`.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readOnnxGraph } from '../../generators/lib/onnx-graph.js';
import { exporterModels, ONNX_TESTDATA } from '../support/exporter-models.js';
import { readTensor, type Nested } from '../support/onnx-testdata.js';
import { ROOT } from './helpers.js';
import { generateProject, npm } from './project-support.js';

const fx = exporterModels();
let work: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'packages/runtime/dist/index.js'))) throw new Error('build the runtime first: npx tsc -b');
  work = mkdtempSync(join(tmpdir(), 'ms-onnx-project-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function generated(name: string, flags: string[]): Promise<string> {
  const dir = await generateProject(work, name, [
    '--runtime-source',
    join(ROOT, 'packages/runtime'),
    '--ci',
    'none',
    ...flags,
  ]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const output = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`;

describe.each([
  ['wine', 'wine-forest', ['--sample', 'wine-forest.csv', '--label-column', 'target']],
  ['torchy', 'torch-two-inputs', ['--sample', 'torch-two-inputs.jsonl']],
  // No sample: init makes up a row (zeros in the input shapes) so the tests have one to check.
  ['unsampled', 'torch-two-inputs', []],
])('%s: generated from %s', (name, model, sampleFlags) => {
  let dir: string;
  beforeAll(async () => {
    dir = await generated(name, [
      '--model',
      join(fx, `${model}.onnx`),
      ...sampleFlags.map((f) => (f.includes('.') ? join(fx, f) : f)),
    ]);
  }, 180_000);

  test('npm test passes as generated', async () => {
    const tested = await npm(dir, ['test'], 300_000);
    expect(tested.status === 0 ? '' : output(tested).slice(-4000)).toBe('');
    expect(output(tested)).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 320_000);

  test("the inference tests fail when the recorded answers are not the model's", async () => {
    const file = join(dir, 'tests/model-answers.json');
    const answers = JSON.parse(readFileSync(file, 'utf8'));
    const first = answers.predictions[0];
    const key = name === 'wine' ? 'probabilities' : 'logits';
    first[key][0] += 0.01;
    writeFileSync(file, JSON.stringify(answers));
    const tested = await npm(dir, ['exec', '--', 'jest', 'tests/inference.test.ts'], 300_000, {
      NODE_OPTIONS: '--experimental-vm-modules',
    });
    expect(tested.status).not.toBe(0);
    expect(output(tested)).toContain(`predictions[0].${key}[0]`);
  }, 320_000);
});

/** Every number within float32 tolerance of the reference (booleans and integers exactly). */
function expectClose(actual: unknown, expected: Nested, path: string): void {
  if (Array.isArray(expected)) {
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (typeof expected === 'number') {
    if (Math.abs((actual as number) - expected) > 1e-5 * Math.max(1, Math.abs(expected)))
      throw new Error(`${path}: recorded ${String(actual)}, reference ${expected}`);
  } else expect(actual).toBe(expected);
}

describe.each([
  ['test_gemm_all_attributes', 'three float inputs, attributes'],
  ['test_where_example', 'bool and float inputs'],
  ['test_gather_0', 'float data, int64 indices'],
])('libonnx-testdata %s (%s) through a generated project', (model) => {
  const source = join(ONNX_TESTDATA, 'node', model);
  let dir: string;
  beforeAll(async () => {
    // The sample: the reference inputs, one instance keyed by input name.
    const inputs = readdirSync(join(source, 'test_data_set_0')).filter((f) => f.startsWith('input_')).length;
    const names = readOnnxGraph(readFileSync(join(source, 'model.onnx')), 'model.onnx').signature.inputs.map(
      (i) => i.name,
    );
    expect(names).toHaveLength(inputs);
    const sample = join(work, `${model}.jsonl`);
    const instance = Object.fromEntries(
      names.map((name, i) => [name, readTensor(join(source, 'test_data_set_0', `input_${i}.pb`))]),
    );
    writeFileSync(sample, `${JSON.stringify(instance)}\n`);
    dir = await generated(model.replace(/_/g, '-'), ['--model', join(source, 'model.onnx'), '--sample', sample]);
  }, 180_000);

  test('the answers it records are the reference outputs, and npm test passes as generated', async () => {
    const answers = JSON.parse(readFileSync(join(dir, 'tests/model-answers.json'), 'utf8'));
    const signature = JSON.parse(readFileSync(join(dir, 'model/signature.json'), 'utf8'));
    signature.outputs.forEach((output: { name: string }, i: number) =>
      expectClose(
        answers.predictions[0][output.name],
        readTensor(join(source, 'test_data_set_0', `output_${i}.pb`)),
        output.name,
      ),
    );
    const tested = await npm(dir, ['test'], 300_000);
    expect(tested.status === 0 ? '' : output(tested).slice(-4000)).toBe('');
    expect(output(tested)).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 320_000);
});
