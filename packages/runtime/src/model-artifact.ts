// The served model file must be the one that was trained and tested: its sha256 is recorded
// (release.yaml `model.sha256` via `init --model`, or MS_MODEL_SHA256) and checked before the
// service starts. A different file stops the start: plausible answers from the wrong weights
// pass every health check, so this is the one place to catch them.
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { RuntimeError } from './errors.js';

export interface ModelArtifact {
  /** The model file (absolute, or relative to the working directory). */
  path: string;
  /** The recorded sha256: 64 hex characters (`sha256sum` output), optionally prefixed `sha256:`. */
  sha256: string;
}

const SHA256 = /^(?:sha256:)?([0-9a-fA-F]{64})$/;
const CHUNK = 1024 * 1024;

/** The sha256 of a file as 64 lowercase hex characters, read in 1 MiB chunks (any size, little memory). */
export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? chunk : chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Checks the model file against its recorded sha256. Returns the resolved path and hash;
 * throws RuntimeError MS_RUNTIME_MODEL_HASH_MISMATCH (wrong file), MS_RUNTIME_MODEL_FILE_UNREADABLE
 * (missing / unreadable) or MS_RUNTIME_CONFIG_INVALID (the recorded value is not a sha256).
 */
export function verifyModelArtifact(
  artifact: ModelArtifact,
  cwd: string = process.cwd(),
): { path: string; sha256: string } {
  if (!artifact || typeof artifact.path !== 'string' || artifact.path === '') {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: 'modelArtifact.path must name the model file (MS_MODEL_PATH).',
    });
  }
  const match = typeof artifact.sha256 === 'string' ? SHA256.exec(artifact.sha256.trim()) : null;
  if (!match) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `modelArtifact.sha256=${JSON.stringify(artifact.sha256)} is not allowed; use the 64 hex characters of \`sha256sum ${artifact.path}\` (MS_MODEL_SHA256).`,
    });
  }
  const expected = match[1]!.toLowerCase();
  const path = isAbsolute(artifact.path) ? artifact.path : resolve(cwd, artifact.path);
  let actual: string;
  try {
    actual = sha256File(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuntimeError(
      'MS_RUNTIME_MODEL_FILE_UNREADABLE',
      { path, expected, detail: code ?? (err instanceof Error ? err.message : String(err)) },
      { cause: err },
    );
  }
  if (actual !== expected) throw new RuntimeError('MS_RUNTIME_MODEL_HASH_MISMATCH', { path, expected, actual });
  return { path, sha256: actual };
}
