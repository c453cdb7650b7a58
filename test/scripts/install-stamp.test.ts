// scripts/install.sh --if-changed (what `npm start` runs) installs only when package-lock.json
// changed since its last install; --always (what `npm test` runs) installs every time. Run for
// real on a copy of the script in a throw-away project with no dependencies (npm ci, offline).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'install.sh');
const dir = mkdtempSync(join(tmpdir(), 'ms-install-'));
const marker = join(dir, 'node_modules', 'marker');

function project(version: string): void {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'stamp-probe', version, private: true }));
  const root = { name: 'stamp-probe', version };
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ ...root, lockfileVersion: 3, requires: true, packages: { '': root } }),
  );
}

function install(mode: string) {
  const r = spawnSync('bash', [join(dir, 'scripts', 'install.sh'), mode], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '', npm_config_offline: 'true' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** npm ci empties node_modules, so the marker survives only a skipped install. */
const dropMarker = () => writeFileSync(marker, '');

beforeAll(() => {
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(SCRIPT, join(dir, 'scripts', 'install.sh'));
  project('1.0.0');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/install.sh', () => {
  test('--if-changed installs the first time, then skips while package-lock.json is the same', () => {
    const first = install('--if-changed');
    expect(first).toMatchObject({ status: 0 });
    expect(first.out).not.toContain('skipping npm ci');
    dropMarker();
    const second = install('--if-changed');
    expect(second).toEqual({
      status: 0,
      out: 'npm dependencies are up to date with package-lock.json (skipping npm ci)\n',
    });
    expect(existsSync(marker)).toBe(true);
  }, 90_000);

  test('--if-changed installs again once package-lock.json changed', () => {
    dropMarker();
    project('1.0.1');
    expect(install('--if-changed')).toMatchObject({ status: 0 });
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  test('--always installs even when nothing changed; an unknown argument exits 2 with the usage', () => {
    dropMarker();
    expect(install('--always')).toMatchObject({ status: 0 });
    expect(existsSync(marker)).toBe(false);
    expect(install('--sometimes')).toEqual({ status: 2, out: 'usage: install.sh [--always|--if-changed]\n' });
  }, 60_000);
});
