// The artifact in model/ is the one this service was built, tested and released with:
// its SHA-256 matches src/model_loader.ts (MODEL_SHA256, compiled into the image) and
// release.yaml (model.sha256, what `model-deploy` records and tags).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { MODEL_PATH, MODEL_SHA256 } from '../src/model_loader.js';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('model artifact', () => {
  test('model/churn-model.json has the SHA-256 that src/model_loader.ts pins', () => {
    expect(sha256(MODEL_PATH)).toBe(MODEL_SHA256);
  });

  test('release.yaml records the same SHA-256', () => {
    const release = readFileSync(new URL('../release.yaml', import.meta.url), 'utf8');
    const recorded = /^\s+sha256:\s*['"]?([a-f0-9]{64})['"]?\s*$/m.exec(release)?.[1];
    expect(recorded).toBe(MODEL_SHA256);
  });
});
