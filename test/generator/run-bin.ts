// The generator's bin (generators/bin/model-service.js) run as a user runs it, without a
// terminal: stdin is an empty pipe, as in CI or a script.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export const BIN = join(ROOT, 'generators', 'bin', 'model-service.js');

export function runBin(cwd: string, args: string[], timeout = 120_000) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout,
    input: '',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
