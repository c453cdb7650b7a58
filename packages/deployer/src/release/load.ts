// Step 1: read release.yaml from disk. Only I/O errors here.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeployerError } from '../errors.js';

export const RELEASE_FILE = 'release.yaml';

/** `target` is a project directory or a path to the file itself. */
export async function resolveReleasePath(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  return info?.isDirectory() ? join(target, RELEASE_FILE) : target;
}

export async function loadReleaseText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DeployerError('MS_DEPLOY_RELEASE_NOT_FOUND', { path }, { cause: err });
    throw new DeployerError('MS_DEPLOY_RELEASE_READ', { path, reason: (err as Error).message }, { cause: err });
  }
}
