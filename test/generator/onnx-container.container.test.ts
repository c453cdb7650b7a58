// The ONNX kind's image built and run for real: a project generated from a scikit-learn model
// nobody here wrote (breast-cancer logistic regression in skl2onnx layout, zipmap off) is built
// with buildah on the local Node base (as container.test.ts does for the TypeScript kind), and
// the container answers /ping with the artifact's sha256 and /invocations (JSON and CSV) with
// what onnxruntime answered at init (tests/model-answers.json) and what scikit-learn's own
// predict_proba gave. onnxruntime-node comes from the host npm cache (mounted read-only into the
// build), so a warm run downloads nothing. Without buildah/debootstrap it skips loudly; under
// CI=true it fails instead.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { compareGolden } from '@model-service/runtime';
import {
  buildImage,
  describeWithContainers,
  ensureNodeBaseImage,
  freePort,
  inspectImage,
  removeImage,
  removeStaleTestImages,
  startContainer,
  type ImageInfo,
  type RunningContainer,
} from '../support/container.js';
import { exporterModels, readExpected } from '../support/exporter-models.js';
import { NPM_INSTALL, generateProject, http, npm, packRuntime, readJson, waitForPing } from './project-support.js';

const describeIf = describeWithContainers(
  'test/generator/onnx-container.container.test.ts',
  "the ONNX project's image was NOT built or run",
);

const NAME = 'boxed-breast';
const MODEL = 'breast-cancer-logreg';
const REPO = `localhost/ms-test-${NAME}`;
const TAG = `${REPO}:${process.pid}`;
/**
 * The app's layers on top of the base: onnxruntime-node for this platform only (~45 MB of the
 * ~290 MB it ships for every OS and CPU), the runtime, Express, the model.
 */
const MAX_APP_BYTES = 90 * 1024 * 1024;

interface ModelAnswers {
  instances: number[][];
  predictions: Array<{ label: number; probabilities: number[] }>;
  tolerance: number;
}

let work: string;
let dir: string;
let answers: ModelAnswers;
let baseInfo: ImageInfo;
let info: ImageInfo;
let container: RunningContainer | undefined;
let url = '';
let started = 0;

describeIf('ONNX project: generated Dockerfile built with buildah and run', () => {
  beforeAll(async () => {
    started = Date.now();
    const fx = exporterModels();
    work = mkdtempSync(join(tmpdir(), 'ms-onnx-image-'));
    const tgz = await packRuntime(work);
    dir = await generateProject(work, NAME, [
      '--runtime-source',
      tgz,
      '--cache',
      'memory',
      '--ci',
      'none',
      '--model',
      join(fx, `${MODEL}.onnx`),
      '--sample',
      join(fx, `${MODEL}.csv`),
      '--label-column',
      'target',
    ]);
    answers = readJson<ModelAnswers>(join(dir, 'tests', 'model-answers.json'));
    const pinned = /^ARG BASE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim$/m.exec(
      readFileSync(join(dir, 'Dockerfile'), 'utf8'),
    );
    if (!pinned) throw new Error('the generated Dockerfile has no `ARG BASE_IMAGE=node:<x.y.z>-bookworm-slim` default');
    const base = await ensureNodeBaseImage({ nodeVersion: pinned[1] });
    await removeStaleTestImages(REPO);
    baseInfo = await inspectImage(base.image);
    const lock = await npm(dir, [...NPM_INSTALL, '--package-lock-only'], 180_000);
    if (lock.status !== 0) throw new Error(`npm install --package-lock-only failed:\n${lock.stderr.slice(-3000)}`);
    const built = await buildImage({ contextDir: dir, tag: TAG, baseImage: base.image, timeoutMs: 900_000 });
    info = await inspectImage(TAG);
    // Numbers for docs/benchmarks.md (containers and generated projects).
    console.log(
      `onnx container test: base ready in ${base.seconds.toFixed(0)} s; image ${(info.size / 1e6).toFixed(0)} MB, ` +
        `app layers ${((info.size - baseInfo.size) / 1e6).toFixed(1)} MB, build ${built.seconds.toFixed(0)} s`,
    );
  }, 1_500_000);

  afterAll(async () => {
    await container?.stop();
    await removeImage(TAG);
    if (work) rmSync(work, { recursive: true, force: true });
    if (started) console.log(`onnx container test: wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 120_000);

  test('runs as the TypeScript kind does: /ping answers UP with the artifact sha256 as the version', async () => {
    const port = await freePort();
    container = await startContainer(TAG, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' });
    url = `http://127.0.0.1:${port}`;
    await waitForPing(url, () => container!.output());
    const sha256 = createHash('sha256')
      .update(readFileSync(join(dir, 'model', `${MODEL}.onnx`)))
      .digest('hex');
    const ping = await http(`${url}/ping`);
    expect(ping.status).toBe(200);
    expect(ping.json()).toEqual({ status: 'UP', model: NAME, version: sha256 });
  }, 180_000);

  test('/invocations (JSON) answers what onnxruntime answered at init and scikit-learn predict_proba gave', async () => {
    expect(container).toBeDefined();
    const res = await http(`${url}/invocations`, 'POST', JSON.stringify({ instances: answers.instances }));
    expect(res.status).toBe(200);
    expect(compareGolden({ predictions: answers.predictions }, res.json(), answers.tolerance)).toBeUndefined();
    // Independent of init: scikit-learn's own answers for the same rows (float32 tolerance).
    const sklearn = readExpected(exporterModels(), MODEL) as { label: number[]; probabilities: number[][] };
    const served = res.json().predictions as ModelAnswers['predictions'];
    expect(served.map((p) => p.label)).toEqual(sklearn.label.slice(0, served.length));
    served.forEach((p, i) => {
      p.probabilities.forEach((v, j) => expect(Math.abs(v - sklearn.probabilities[i]![j]!)).toBeLessThan(1e-5));
    });
  }, 60_000);

  test('/invocations (text/csv rows, no header) answers the same; a short row is a 400 naming the problem', async () => {
    expect(container).toBeDefined();
    const rows = answers.instances.map((row) => row.join(',')).join('\n');
    const res = await http(`${url}/invocations`, 'POST', rows, { 'content-type': 'text/csv' });
    expect(res.status).toBe(200);
    expect(compareGolden({ predictions: answers.predictions }, res.json(), answers.tolerance)).toBeUndefined();
    const bad = await http(`${url}/invocations`, 'POST', '1,2,3', { 'content-type': 'text/csv' });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toMatch(/^MS_RUNTIME_/);
  }, 60_000);

  test('the final stage keeps only this platform of onnxruntime-node and stays small', async () => {
    expect(container).toBeDefined();
    const probe = await container!.exec([
      'sh',
      '-c',
      'cd /opt/ml/code/node_modules/onnxruntime-node/bin && ls -d */*/*',
    ]);
    expect(probe.status).toBe(0);
    expect(probe.stdout.trim().split('\n')).toEqual([`napi-v6/linux/${process.arch}`]);
    expect(info.layers.slice(0, baseInfo.layers.length)).toEqual(baseInfo.layers);
    expect(info.size - baseInfo.size).toBeLessThan(MAX_APP_BYTES);
  }, 60_000);

  test('SIGTERM drains and the entry process exits 0', async () => {
    expect(container).toBeDefined();
    const stopped = await container!.stop(20_000);
    container = undefined;
    expect(stopped).toEqual({ code: 0, signal: null });
  }, 60_000);
});
