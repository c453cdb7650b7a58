// `model-deploy local` names why the project's `npm start` failed: the error line a real Node
// process printed (here: a project that was never built), not the stack's tail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startErrorOf } from '../../src/local-chain/start-error.js';

const dir = mkdtempSync(join(tmpdir(), 'ms-start-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stderrOf = (args: string[]) =>
  spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }).stderr;

describe('startErrorOf', () => {
  it('an unbuilt project: the "Cannot find module" line', () => {
    expect(startErrorOf(stderrOf(['dist/server.js']))).toBe(
      `Error: Cannot find module '${join(dir, 'dist', 'server.js')}'`,
    );
  });

  it('an error thrown at start: its own line, with its class', () => {
    expect(startErrorOf(stderrOf(['-e', 'throw new TypeError("model is not a function")']))).toBe(
      'TypeError: model is not a function',
    );
  });

  it("the runtime's one-line start error as it is", () => {
    const line =
      'model-service: [MS_RUNTIME_CONFIG_INVALID] Invalid configuration: PORT=8080 is already in use on 127.0.0.1';
    expect(startErrorOf(`\n${line}\n`)).toBe(line);
  });

  it('anything else: its last lines; nothing: undefined', () => {
    expect(startErrorOf('booting\nstill booting\n')).toBe('booting | still booting');
    expect(startErrorOf('')).toBeUndefined();
  });
});
