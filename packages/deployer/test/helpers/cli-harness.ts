// Runs the real commander program in-process with captured output and a temp project.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import type { CliDeps, CliIO } from '../../src/commands/session.js';
import { RELEASE_YAML } from './aws-context.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

export interface CliHarnessOptions {
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  answer?: string;
  deps?: CliDeps;
}

export async function cli(argv: string[], options: CliHarnessOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? { CI: 'true' },
    cwd: process.cwd(),
    isTTY: options.isTTY ?? false,
    ask: async () => options.answer ?? '',
  };
  const code = await runCli(argv, io, options.deps ?? {});
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** A project directory with a release.yaml (and optional extra files). */
export function tempProject(files: Record<string, string> = { 'release.yaml': RELEASE_YAML }): {
  dir: string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ms-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
