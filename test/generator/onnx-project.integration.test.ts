// A project generated from a model nobody here wrote passes its own `npm test` as generated
// (health, inference over JSON/CSV, invalid input, golden set, artifact, loader; 80% coverage),
// and its inference tests fail when the recorded answers are not this model's. The project
// runs with the monorepo's installed packages (node_modules linked in) so the test needs no
// 290 MB onnxruntime-node download; e2e-project.test.ts covers a real `npm install`.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { exporterModels } from '../support/exporter-models.js';
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
