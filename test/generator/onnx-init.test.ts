/**
 * @jest-environment ./templates/onnx/tests/onnx-environment.js
 */
// `init <name> --model model.onnx [--sample rows] [--label-column y]` with models nobody here
// wrote: a project derived from the graph (signature, schemas, answers, golden set, card),
// refusals at init for what cannot be served, and a re-run with a retrained model.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import onnxProto from 'onnx-proto';
import helpers from 'yeoman-test';
import { exporterModels, ONNX_TESTDATA } from '../support/exporter-models.js';
import { APP, genOptions, readYaml, releaseValidator, runInit } from './helpers.js';

const fx = exporterModels();
const scratch = mkdtempSync(join(tmpdir(), 'ms-onnx-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

describe('init --model <skl2onnx classifier> --sample <csv> --label-column target', () => {
  test('writes a project derived from the graph and the sample, with nothing left to write by hand', async () => {
    const result = await runInit('cancer', {
      model: join(fx, 'breast-cancer-logreg.onnx'),
      sample: join(fx, 'breast-cancer-logreg.csv'),
      labelColumn: 'target',
    });
    const dir = join(result.cwd, 'cancer');
    const signature = readJson(join(dir, 'model/signature.json'));
    expect(signature).toMatchObject({
      format: 'onnx-signature/v1',
      producer: 'skl2onnx 1.16.0',
      opset: { '': 15, 'ai.onnx.ml': 1 },
      inputs: [{ name: 'float_input', type: 'float32', shape: [null, 30] }],
      outputs: [
        { name: 'label', type: 'int64', shape: [null], labels: [0, 1] },
        { name: 'probabilities', type: 'float32', shape: [null, 2], labels: [0, 1] },
      ],
    });
    // Feature names come from the CSV header (the label column left out).
    expect(signature.features).toHaveLength(30);
    expect(signature.features[0]).toBe('mean radius');
    expect(signature.features).not.toContain('target');

    const answers = readJson(join(dir, 'tests/model-answers.json'));
    expect(answers.instances).toHaveLength(12);
    expect(answers.predictions[0]).toEqual({
      label: expect.any(Number),
      probabilities: [expect.any(Number), expect.any(Number)],
      probabilitiesByLabel: { 0: expect.any(Number), 1: expect.any(Number) },
    });
    const golden = readFileSync(join(dir, 'tests/golden.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(golden[0].placeholder).toBeUndefined();
    expect(golden[0].request.instances[0]).toEqual(answers.instances[0]);
    expect(golden[0].response.predictions[0]).toEqual(answers.predictions[0]);
    const card = readJson(join(dir, 'model/metrics.json'));
    expect(card.placeholder).toBeUndefined();
    expect(card.metrics.accuracy).toBeGreaterThan(0.9);
    expect(card.dataset).toContain('40 rows');
    expect(Object.keys(readJson(join(dir, 'sample-request.json')).instances[0])[0]).toBe('mean radius');

    result.assertFileContent('cancer/src/model_loader.ts', 'onnxModel({ path, signature: SIGNATURE_PATH');
    result.assertNoFileContent('cancer/src/model_loader.ts', 'MODEL_VERSION');
    for (const file of [
      'src/prediction.ts',
      'src/model_loader.ts',
      'tests/inference.test.ts',
      'tests/invalid-input.test.ts',
      'tests/model-loader.test.ts',
      'sample-request.json',
    ]) {
      result.assertNoFileContent(`cancer/${file}`, 'tenureMonths');
    }
    result.assertFileContent('cancer/README.md', '`probabilities`: float32 `[?, 2]` (class labels 0, 1)');
    result.assertFileContent('cancer/release.yaml', '#   input  float_input: float32 [?, 30]');
    expect(releaseValidator()(readYaml(join(dir, 'release.yaml')))).toBe(true);
  });

  test('without --label-column the card stays the documented placeholder', async () => {
    const result = await runInit('cancer', {
      model: join(fx, 'breast-cancer-logreg.onnx'),
      sample: join(fx, 'breast-cancer-logreg.csv'),
    }).catch((e: Error) => e);
    // 31 columns for a 30-feature input: the label column must be named.
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/MS_GEN_SAMPLE.*31 feature columns.*--label-column/);
    const jsonl = join(scratch, 'rows.jsonl');
    const header = readFileSync(join(fx, 'breast-cancer-logreg.csv'), 'utf8').split('\n')[0]!.split(',').slice(0, 30);
    writeFileSync(jsonl, `${JSON.stringify(Object.fromEntries(header.map((h, i) => [h, i / 10])))}\n`);
    const ok = await runInit('cancer', { model: join(fx, 'breast-cancer-logreg.onnx'), sample: jsonl });
    expect(readJson(join(ok.cwd, 'cancer/model/metrics.json')).placeholder).toBe(true);
    expect(readJson(join(ok.cwd, 'cancer/tests/model-answers.json')).instances).toEqual([header.map((_, i) => i / 10)]);
  });

  test('a torch.onnx.export graph with several inputs: instances keyed by input name, no CSV', async () => {
    const result = await runInit('torchy', {
      model: join(fx, 'torch-two-inputs.onnx'),
      sample: join(fx, 'torch-two-inputs.jsonl'),
    });
    const signature = readJson(join(result.cwd, 'torchy/model/signature.json'));
    expect(signature.inputs).toEqual([
      { name: 'input_ids', type: 'int64', shape: ['batch', 'seq'] },
      { name: 'features', type: 'float32', shape: ['batch', 4] },
    ]);
    expect(signature.features).toBeUndefined();
    result.assertNoFileContent('torchy/tests/inference.test.ts', 'text/csv');
    result.assertFileContent('torchy/tests/invalid-input.test.ts', 'a missing input is a 400 naming it');
  });

  test('the same graph without --sample: a made-up row of zeros in the input shapes, not none', async () => {
    const result = await runInit('torchy', { model: join(fx, 'torch-two-inputs.onnx') });
    const answers = readJson(join(result.cwd, 'torchy/tests/model-answers.json'));
    expect(answers.instances).toEqual([{ input_ids: [0], features: [0, 0, 0, 0] }]);
    expect(answers.predictions[0].logits).toHaveLength(2);
  });
});

describe('feature names without a CSV header', () => {
  const header = readFileSync(join(fx, 'breast-cancer-logreg.csv'), 'utf8').split('\n')[0]!.split(',').slice(0, 30);

  test("from the model's feature_names metadata", async () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(readFileSync(join(fx, 'breast-cancer-logreg.onnx')));
    model.metadataProps = [onnx.StringStringEntryProto.create({ key: 'feature_names', value: JSON.stringify(header) })];
    const file = join(scratch, 'with-metadata.onnx');
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const result = await runInit('named', { model: file });
    expect(readJson(join(result.cwd, 'named/model/signature.json')).features).toEqual(header);
    expect(Object.keys(readJson(join(result.cwd, 'named/sample-request.json')).instances[0])).toEqual(header);
  });

  test('else f0..fn', async () => {
    const result = await runInit('unnamed', { model: join(fx, 'breast-cancer-logreg.onnx') });
    expect(readJson(join(result.cwd, 'unnamed/model/signature.json')).features).toBeUndefined();
    const keys = Object.keys(readJson(join(result.cwd, 'unnamed/sample-request.json')).instances[0]);
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => `f${i}`));
  });
});

describe('refused at init, before anything is written', () => {
  async function refusal(file: string, flags: Record<string, unknown> = {}): Promise<Error & { code?: string }> {
    const cwd = mkdtempSync(join(scratch, 'refused-'));
    const err = await helpers
      .run(APP, { namespace: 'model-service:app' })
      .cd(cwd)
      .withArguments(['init', 'refused'])
      .withOptions(genOptions({ yes: true, skipInstall: true, model: file, ...flags }))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(existsSync(join(cwd, 'refused'))).toBe(false);
    return err as Error & { code?: string };
  }

  test("skl2onnx's default ZipMap output, with the exact re-export option", async () => {
    const err = await refusal(join(fx, 'breast-cancer-zipmap.onnx'), { sample: join(fx, 'breast-cancer-zipmap.csv') });
    expect(err.message).toContain('MS_GEN_MODEL_ZIPMAP');
    expect(err.message).toContain('output "output_probability"');
    expect(err.message).toContain('options={id(model): {"zipmap": False}}');
  });

  test.each([
    ['model.pkl', Buffer.from([0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x07]), 'a Python pickle'],
    ['model.joblib', Buffer.from([0x78, 0x9c, 0x6b, 0x60, 0x99, 0x2a]), 'compressed joblib'],
    ['model.bin', Buffer.concat([Buffer.from('binf'), Buffer.alloc(12)]), 'XGBoost binary'],
    ['renamed.onnx', Buffer.from([0x80, 0x05, 0x95, 0x10, 0, 0, 0]), 'a Python pickle'],
  ])('%s: names the format, lists the one-line exports', async (name, bytes, detected) => {
    const file = join(scratch, name);
    writeFileSync(file, bytes);
    const err = await refusal(file);
    expect(err.message).toContain('MS_GEN_MODEL_FORMAT');
    expect(err.message).toContain(detected);
    expect(err.message).toContain('skl2onnx.to_onnx');
    expect(err.message).toContain('onnxmltools.convert_xgboost');
    expect(err.message).toContain('torch.onnx.export');
  });

  test('an opset-6 export (libonnx-testdata pytorch-converted) names the opset and what to do', async () => {
    const err = await refusal('/usr/share/libonnx-testdata/data/pytorch-converted/test_Linear/model.onnx');
    expect(err.message).toMatch(
      /MS_GEN_MODEL_OPSET: model\.onnx uses ONNX opset 6; onnxruntime-node serves opset 7 and newer/,
    );
  });

  test('an opset newer than onnxruntime-node serves names the opset and the newest it serves', async () => {
    // The ONNX project's own Abs model, stamped with an opset onnxruntime does not know yet.
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(readFileSync(join(ONNX_TESTDATA, 'node/test_abs/model.onnx')));
    model.opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: 99 })];
    const file = join(scratch, 'abs-opset-99.onnx');
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const err = await refusal(file);
    expect(err.message).toMatch(
      /MS_GEN_MODEL_OPSET: abs-opset-99\.onnx uses ONNX opset 99; onnxruntime-node serves up to opset \d+\./,
    );
    expect(err.message).toContain('opset_version=17');
  });

  test('an input of a type requests cannot carry (uint8, libonnx-testdata DequantizeLinear) names it', async () => {
    const err = await refusal(join(ONNX_TESTDATA, 'node/test_dequantizelinear/model.onnx'));
    expect(err.message).toMatch(
      /MS_GEN_MODEL_TYPE: model\.onnx has input "x" of uint8; the generic loader serves tensors of float, double/,
    );
  });
});

describe('re-running init with a retrained model', () => {
  test('re-derives signature, answers, golden set and card; keeps the rest', async () => {
    const first = await runInit('wine', {
      model: join(fx, 'wine-forest.onnx'),
      sample: join(fx, 'wine-forest.csv'),
      labelColumn: 'target',
    });
    // yeoman-test removes a run's folder when the next run starts: keep a copy, with a user edit.
    const project = join(scratch, 'wine');
    cpSync(join(first.cwd, 'wine'), project, { recursive: true });
    const before = readJson(join(project, 'tests/model-answers.json'));
    expect(existsSync(join(project, 'model/wine-forest.onnx'))).toBe(true);
    writeFileSync(
      join(project, 'src/health.ts'),
      '// my own readiness checks\nexport const readinessChecks = () => [];\n',
    );
    // The retrained model: another family of trees over other features (two classes instead of three).
    const second = await helpers
      .run(APP, { namespace: 'model-service:app' }, { force: false })
      .doInDir((dir) => cpSync(project, join(dir, 'wine'), { recursive: true }))
      .withArguments(['init', 'wine'])
      .withOptions(
        genOptions({
          yes: true,
          skipInstall: true,
          model: join(fx, 'breast-cancer-boosted.onnx'),
          sample: join(fx, 'breast-cancer-boosted.csv'),
          labelColumn: 'target',
        }),
      )
      .withAnswers(
        {},
        {
          callback: (answer, { question }) =>
            question.name === 'action' ? (String(question.message).includes('health.ts') ? 'skip' : 'write') : answer,
        },
      );
    const dir = join(second.cwd, 'wine');
    const after = readJson(join(dir, 'tests/model-answers.json'));
    expect(before.instances[0]).toHaveLength(13);
    expect(after.instances[0]).toHaveLength(30);
    expect(readJson(join(dir, 'model/signature.json')).outputs[1].labels).toEqual([0, 1]);
    expect(readFileSync(join(dir, 'release.yaml'), 'utf8')).toContain('artifact: model/breast-cancer-boosted.onnx');
    // The old weights leave model/ (the image copies the folder).
    expect(existsSync(join(dir, 'model/wine-forest.onnx'))).toBe(false);
    expect(readJson(join(dir, 'model/metrics.json')).model).toBe('model/breast-cancer-boosted.onnx');
    expect(readFileSync(join(dir, 'tests/golden.jsonl'), 'utf8')).toContain(JSON.stringify(after.predictions[0]));
    // The user's edit was asked about and kept.
    expect(readFileSync(join(dir, 'src/health.ts'), 'utf8')).toContain('my own readiness checks');
  });
});

describe('what init says changed', () => {
  test('weights, inputs, outputs and feature names', async () => {
    const { describeModelChange } = await import('../../generators/lib/onnx-project.js');
    const base = {
      format: 'onnx-signature/v1' as const,
      opset: { '': 15 },
      inputs: [{ name: 'x', type: 'float32' as const, shape: [null, 3] }],
      outputs: [{ name: 'y', type: 'float32' as const, shape: [null, 1] }],
      features: ['a', 'b', 'c'],
    };
    const next = {
      ...base,
      inputs: [{ name: 'x', type: 'float32' as const, shape: [null, 4] }],
      outputs: [
        { name: 'y', type: 'float32' as const, shape: [null, 1] },
        { name: 'z', type: 'int64' as const, shape: [null] },
      ],
      features: ['a', 'b', 'c', 'd'],
    };
    expect(
      describeModelChange({ signature: base, sha256: 'a'.repeat(64) }, { signature: next, sha256: 'b'.repeat(64) }),
    ).toEqual([
      expect.stringMatching(/^weights: sha256 aaaaaaaaaaaa… -> bbbbbbbbbbbb…/),
      'input x: float32 [?, 3] -> float32 [?, 4]',
      'new output z (int64 [?])',
      'feature names: a,b,c -> a,b,c,d',
    ]);
    expect(
      describeModelChange({ signature: base, sha256: 'a'.repeat(64) }, { signature: base, sha256: 'a'.repeat(64) }),
    ).toEqual([]);
  });
});
