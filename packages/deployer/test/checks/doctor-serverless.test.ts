// doctor.config.serverless on real project folders: the model's size on disk
// against the memory, release.yaml's image allowance against the 10 GB limit,
// and GPU base images or packages (serverless is CPU only).
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { CheckContext } from '../../src/checks/check.js';
import { requiredMemoryMb, serverlessCheck } from '../../src/checks/doctor-serverless.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { parseRelease } from '../../src/release/load-release.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';

const MB = 1024 * 1024;
const DEV = '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n';
const serverlessDev = (memoryMb: number, extra = '') =>
  `${RELEASE_YAML.replace(DEV, `    serverless: { memoryMb: ${memoryMb}, maxConcurrency: 5 }\n`)}${extra}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'doctor-serverless-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim AS build\nFROM node:20-slim\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { 'onnxruntime-node': '^1.20.0' } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse model file of `bytes` (takes no disk). */
function model(bytes: number): void {
  const fd = openSync(join(dir, 'model', 'model.onnx'), 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

const ctxFor = (yaml: string): CheckContext =>
  defaultCheckContext({ dir, env: {}, skipTests: true, builder: 'docker', release: parseRelease(yaml) });

describe('doctor.config.serverless', () => {
  it('skips when no environment is serverless', async () => {
    expect(await serverlessCheck.run(ctxFor(RELEASE_YAML))).toEqual({
      status: 'skip',
      message: 'no serverless environment',
    });
  });

  it('passes a small model in 2 GB on a CPU image, naming what it compared', async () => {
    model(100 * MB);
    expect(await serverlessCheck.run(ctxFor(serverlessDev(2048)))).toEqual({
      status: 'pass',
      message: 'dev 2048 MB × 5; model 100.0 MB needs ~1024 MB; image ≤ 2048 MB of 10240; CPU only',
    });
  });

  it('fails when the loaded model does not fit the memory, with the memoryMb that does', async () => {
    model(1200 * MB);
    const r = await serverlessCheck.run(ctxFor(serverlessDev(2048)));
    expect(requiredMemoryMb(1200 * MB)).toBe(3072);
    expect(r).toEqual({
      status: 'fail',
      message: 'environments.dev.serverless.memoryMb is 2048, the model (1200.0 MB) needs about 3072 MB loaded',
      fix: 'Set environments.dev.serverless.memoryMb: 3072.',
    });
  });

  it('a model beyond 6 GB loaded: the fix is instances, not more memory', async () => {
    model(3000 * MB);
    const r = await serverlessCheck.run(ctxFor(serverlessDev(6144)));
    expect(r.status).toBe('fail');
    expect(r.fix).toBe(
      'The model does not fit serverless (at most 6144 MB): use instances for dev (instanceType), or a smaller model.',
    );
  });

  it('fails an image allowance above the 10 GB serverless limit', async () => {
    const r = await serverlessCheck.run(
      ctxFor(serverlessDev(2048, '').replace('image: { keepLast: 10 }', 'image: { keepLast: 10, maxSizeMb: 12000 }')),
    );
    expect(r).toEqual({
      status: 'fail',
      message: 'image.maxSizeMb is 12000, a serverless endpoint takes images up to 10240 MB',
      fix: 'Set image.maxSizeMb to 10240 or less (doctor --image then holds the image to it).',
    });
  });

  it.each([
    [
      'a CUDA base image',
      'Dockerfile',
      'FROM nvidia/cuda:12.2.0-runtime-ubuntu22.04\n',
      'Dockerfile FROM nvidia/cuda:12.2.0-runtime-ubuntu22.04',
    ],
    [
      'a GPU runtime package',
      'package.json',
      JSON.stringify({ dependencies: { 'onnxruntime-node-gpu': '1.20.0' } }),
      'package.json dependency onnxruntime-node-gpu',
    ],
  ])('fails %s: serverless is CPU only', async (_, file, text, found) => {
    writeFileSync(join(dir, file), text);
    const r = await serverlessCheck.run(ctxFor(serverlessDev(2048)));
    expect(r).toMatchObject({
      status: 'fail',
      message: `serverless is CPU only, but the project uses a GPU build: ${found}`,
      fix: expect.stringContaining('CPU base image'),
    });
  });
});
