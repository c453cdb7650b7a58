// The artifact in model/ is the one this service was built, tested and released with:
// its SHA-256 matches src/model_loader.ts (MODEL_SHA256, compiled into the image) and
// release.yaml (model.sha256, what `model-deploy` records and tags). The runtime hashes the
// file at start and refuses any other bytes (MS_RUNTIME_MODEL_HASH_MISMATCH).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { MODEL_ARTIFACT, buildService, serveOptions } from '../src/app.js';
import { MODEL_PATH, MODEL_SHA256 } from '../src/model_loader.js';
import { TEST_ENV } from './helpers.js';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'churn-artifact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model artifact', () => {
  test('model/churn-model.json has the SHA-256 that src/model_loader.ts pins', () => {
    expect(sha256(MODEL_PATH)).toBe(MODEL_SHA256);
  });

  test('release.yaml records the same SHA-256', () => {
    const release = readFileSync(new URL('../release.yaml', import.meta.url), 'utf8');
    const recorded = /^\s+sha256:\s*['"]?([a-f0-9]{64})['"]?\s*$/m.exec(release)?.[1];
    expect(recorded).toBe(MODEL_SHA256);
  });

  test('the container entry (serveOptions) checks the pinned artifact', () => {
    expect(MODEL_ARTIFACT).toEqual({ path: MODEL_PATH, sha256: MODEL_SHA256 });
    expect(serveOptions({}).modelArtifact).toEqual(MODEL_ARTIFACT);
  });

  test('a file with other bytes (one changed) is refused before the model loads', () => {
    const bytes = readFileSync(MODEL_PATH);
    const last = bytes.length - 1;
    bytes.writeUInt8(bytes.readUInt8(last) ^ 1, last);
    const other = join(dir, 'other-model');
    writeFileSync(other, bytes);
    // The test environment (TEST_ENV), as every other test: a redis project's defaults need a Redis URL.
    expect(() => buildService({ logLevel: 'silent', modelArtifact: { path: other, sha256: MODEL_SHA256 } }, TEST_ENV)).toThrow(
      expect.objectContaining({ code: 'MS_RUNTIME_MODEL_HASH_MISMATCH' }) as never,
    );
  });
});
