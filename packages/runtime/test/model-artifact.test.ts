// The model file's content hash, checked before the service starts: a real file on disk, the
// recorded sha256 right (starts and serves), wrong (refuses, naming file + both hashes + what to
// do, and never loads the model), missing, or not a sha256 at all.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import request from 'supertest';
import { loadConfig, serviceOptionsFromConfig } from '../src/config.js';
import { createService } from '../src/create-service.js';
import { RuntimeError } from '../src/errors.js';
import { sha256File, verifyModelArtifact } from '../src/model-artifact.js';
import { modelSum } from './fixtures/model-sum.js';
import { silentLogger } from './helpers/memory-logger.js';

let dir: string;
let modelFile: string;
let recorded: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-artifact-'));
  modelFile = join(dir, 'weights.bin');
  // 2.5 MiB of varied bytes: the hash crosses several 1 MiB read chunks.
  const bytes = Buffer.alloc(2.5 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
  writeFileSync(modelFile, bytes);
  recorded = createHash('sha256').update(readFileSync(modelFile)).digest('hex');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RuntimeError);
    return err as RuntimeError;
  }
  throw new Error('expected a refusal');
}

describe('sha256File', () => {
  it('is the sha256 of the whole file, in lowercase hex, across read chunks', () => {
    expect(sha256File(modelFile)).toBe(recorded);
    expect(recorded).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('modelArtifact in createService', () => {
  it('starts and serves when the file matches its recorded sha256 (sha256: prefix and upper case accepted)', async () => {
    for (const sha256 of [recorded, `sha256:${recorded.toUpperCase()}`]) {
      const { model } = modelSum();
      const service = createService({ model, logger: silentLogger(), modelArtifact: { path: modelFile, sha256 } });
      expect(await service.start()).toBe('ready');
      const res = await request(service.app)
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]] })
        .expect(200);
      expect(res.body.predictions[0].sum).toBe(10);
      await service.close();
    }
  });

  it("is the version the service reports: /ping, /openapi.json and model_info carry the file's sha256, not the hand-kept one", async () => {
    const { model } = modelSum();
    const service = createService({
      model,
      logger: silentLogger(),
      modelArtifact: { path: modelFile, sha256: recorded },
    });
    expect(model.version).not.toBe(recorded);
    expect(await service.start()).toBe('ready');
    expect((await request(service.app).get('/ping').expect(200)).body).toMatchObject({ version: recorded });
    expect((await request(service.app).get('/openapi.json').expect(200)).body.info.version).toBe(recorded);
    const metrics = (await request(service.app).get('/metrics').expect(200)).text;
    expect(metrics).toContain(`model_info{model="${model.name}",version="${recorded}"} 1`);
    await service.close();

    // Without a checked file the model's own version is all there is.
    const plain = createService({ model: modelSum().model, logger: silentLogger() });
    await plain.start();
    expect((await request(plain.app).get('/ping').expect(200)).body.version).toBe(model.version);
    expect((await request(plain.app).get('/metrics').expect(200)).text).toContain(
      `model_info{model="${model.name}",version="${model.version}"} 1`,
    );
    await plain.close();
  });

  it('refuses to start when one byte changed: names the file, both hashes and what to do; the model never loads', () => {
    const edited = join(dir, 'edited.bin');
    const bytes = readFileSync(modelFile);
    bytes[12345] = bytes[12345]! ^ 1;
    writeFileSync(edited, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    let loaded = false;
    const { model } = modelSum({
      load: () => {
        loaded = true;
      },
    });
    const err = refusal(() =>
      createService({ model, logger: silentLogger(), modelArtifact: { path: edited, sha256: recorded } }),
    );
    expect(err.code).toBe('MS_RUNTIME_MODEL_HASH_MISMATCH');
    expect(err.userFault).toBe(true);
    expect(err.status).toBeUndefined(); // a start-up error, never an HTTP answer
    expect(err.message).toContain(edited);
    expect(err.message).toContain(`has sha256 ${actual}`);
    expect(err.message).toContain(`but ${recorded} was recorded`);
    expect(err.message).toContain(`MS_MODEL_SHA256=${actual}`);
    expect(err.message).toContain('golden set');
    expect(loaded).toBe(false);
  });

  it('refuses to start when the file is missing, naming the path and the reason', () => {
    const missing = join(dir, 'nope', 'model.onnx');
    const err = refusal(() =>
      createService({
        model: modelSum().model,
        logger: silentLogger(),
        modelArtifact: { path: missing, sha256: recorded },
      }),
    );
    expect(err.code).toBe('MS_RUNTIME_MODEL_FILE_UNREADABLE');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('ENOENT');
    expect(err.message).toContain('MS_MODEL_PATH');
  });

  it('refuses a recorded value that is not a sha256', () => {
    for (const sha256 of ['', 'abc', `md5:${recorded}`, `${recorded}0`]) {
      const err = refusal(() =>
        createService({ model: modelSum().model, logger: silentLogger(), modelArtifact: { path: modelFile, sha256 } }),
      );
      expect(err.code).toBe('MS_RUNTIME_CONFIG_INVALID');
      expect(err.message).toContain('sha256sum');
    }
  });

  it('resolves a relative path against the working directory', () => {
    expect(verifyModelArtifact({ path: basename(modelFile), sha256: recorded }, dirname(modelFile))).toEqual({
      path: modelFile,
      sha256: recorded,
    });
  });
});

describe('MS_MODEL_PATH and MS_MODEL_SHA256', () => {
  it('become options.modelArtifact, which createService checks', () => {
    const options = serviceOptionsFromConfig(loadConfig({ MS_MODEL_PATH: modelFile, MS_MODEL_SHA256: recorded }));
    expect(options.modelArtifact).toEqual({ path: modelFile, sha256: recorded });
    const wrong = serviceOptionsFromConfig(loadConfig({ MS_MODEL_PATH: modelFile, MS_MODEL_SHA256: 'f'.repeat(64) }));
    expect(refusal(() => createService({ ...wrong, model: modelSum().model, logger: silentLogger() })).code).toBe(
      'MS_RUNTIME_MODEL_HASH_MISMATCH',
    );
  });

  it('are set together or not at all; a malformed hash names the variable', () => {
    expect(serviceOptionsFromConfig(loadConfig({})).modelArtifact).toBeUndefined();
    const onlyPath = refusal(() => loadConfig({ MS_MODEL_PATH: modelFile }));
    expect(onlyPath.code).toBe('MS_RUNTIME_CONFIG_INVALID');
    expect(onlyPath.message).toContain('MS_MODEL_PATH is set but MS_MODEL_SHA256 is not');
    expect(refusal(() => loadConfig({ MS_MODEL_SHA256: recorded })).message).toContain(
      'MS_MODEL_SHA256 is set but MS_MODEL_PATH is not',
    );
    const bad = refusal(() => loadConfig({ MS_MODEL_PATH: modelFile, MS_MODEL_SHA256: 'not-a-hash' }));
    expect(bad.message).toContain('MS_MODEL_SHA256="not-a-hash" is not allowed');
  });
});
