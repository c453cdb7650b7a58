// `npx model-service init ...` (bin/model-service.js -> yeoman-environment) and Yeoman's
// lookup of the compiled package, as `yo model-service init` finds it.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createEnv } from 'yeoman-environment';
import { ensureGeneratorBuilt } from './build.js';
import { runBin } from './run-bin.js';
import { ROOT } from './helpers.js';

let dir: string;

const cli = (...args: string[]) => runBin(dir, args, 60_000);

beforeAll(() => {
  ensureGeneratorBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ms-cli-'));
}, 180_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('model-service bin', () => {
  test('init <name> --yes writes ./<name> without a terminal', () => {
    const run = cli('init', 'cli-made', '--yes', '--skip-install', '--cache', 'off', '--ci=circleci');
    expect(run.stderr).not.toContain('bug');
    expect(run.status).toBe(0);
    expect(readdirSync(join(dir, 'cli-made'))).toEqual(
      expect.arrayContaining(['Dockerfile', 'release.yaml', 'package.json', '.circleci', 'src', 'tests']),
    );
    expect(readFileSync(join(dir, 'cli-made/release.yaml'), 'utf8')).toContain('kind: off');
  });

  test('an invalid flag value exits 2 naming the flag and allowed values, writing nothing', () => {
    const run = cli('init', 'bad-cache', '--yes', '--skip-install', '--cache', 'disk');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('MS_GEN_INVALID_FLAG: --cache "disk"');
    expect(run.stderr).toContain('Allowed: off, memory, redis');
    expect(readdirSync(dir)).not.toContain('bad-cache');
  });

  test('an unknown flag or command exits 2', () => {
    const flag = cli('init', 'x-model', '--colour', 'red');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('MS_GEN_UNKNOWN_FLAG: --colour');
    const command = cli('deploy', 'x-model');
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('MS_GEN_UNKNOWN_COMMAND');
  });

  test('--help lists every flag', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    for (const flag of [
      '--environments',
      '--instance-type',
      '--autoscaling',
      '--cache',
      '--ci',
      '--model-kind',
      '--runtime-source',
      '--model',
      '--owner',
      '--yes',
      '--force',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  test('a re-run without a terminal stops on a changed file instead of overwriting it; --force overwrites', () => {
    expect(cli('init', 'rerun-me', '--yes', '--skip-install').status).toBe(0);
    const file = join(dir, 'rerun-me/src/health.ts');
    writeFileSync(file, '// mine\n');
    const again = cli('init', 'rerun-me', '--yes', '--skip-install');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('MS_GEN_CONFLICT: rerun-me/src/health.ts');
    expect(readFileSync(file, 'utf8')).toBe('// mine\n');
    const forced = cli('init', 'rerun-me', '--yes', '--skip-install', '--force');
    expect(forced.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('readinessChecks');
  });
});

describe('Yeoman lookup', () => {
  test('finds model-service:app and model-service:init as compiled JavaScript', async () => {
    // Local lookup, as `yo` does it: node_modules/generator-model-service (the workspace link).
    // yo looks up from the folder it runs in: Yeoman walks process.cwd(), not the env's cwd,
    // and an earlier yeoman-test file in this Jest worker may have left cwd in a temp dir.
    const previous = process.cwd();
    process.chdir(ROOT);
    const env = createEnv({ cwd: ROOT });
    try {
      await env.lookup({ localOnly: true });
    } finally {
      process.chdir(previous);
    }
    // In the repo the .ts sources match the lookup patterns too; the compiled .js registers last and wins.
    expect(env.getGeneratorMeta('model-service:app')?.resolved).toBe(join(ROOT, 'generators/generators/app/index.js'));
    expect(env.getGeneratorMeta('model-service:init')?.resolved).toBe(
      join(ROOT, 'generators/generators/init/index.js'),
    );
  });
});
