// scripts/make-node-base-image.sh's contract without building anything: help, usage errors
// (exit 2, naming the argument), and the store flags other tools reuse.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { BASE_IMAGE_SCRIPT, storeArgs } from '../support/container.js';

const store = mkdtempSync(join(tmpdir(), 'ms-store-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

function script(...args: string[]) {
  const r = spawnSync('bash', [BASE_IMAGE_SCRIPT, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, MS_IMAGE_STORE: store },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/make-node-base-image.sh', () => {
  test('--help says what it makes and how to use the image', () => {
    const r = script('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--node-version');
    expect(r.stdout).toContain('BASE_IMAGE=<image>');
    expect(r.stdout).toContain('MS_IMAGE_STORE');
  });

  test('a bad version or an unknown argument exits 2 naming it, before building anything', () => {
    const version = script('--node-version', '20');
    expect(version.status).toBe(2);
    expect(version.stderr).toContain('--node-version "20" is not x.y.z');
    const unknown = script('--colour');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown argument "--colour"');
  });

  test('--print-store-args prints the buildah storage flags, one per line, as the TS helper builds them', () => {
    const r = script('--print-store-args');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(storeArgs(store));
    expect(r.stdout).toContain('vfs');
  });

  test('a missing MS_EXTRA_CA_CERTS file is a usage error', () => {
    const r = spawnSync('bash', [BASE_IMAGE_SCRIPT], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, MS_IMAGE_STORE: store, MS_EXTRA_CA_CERTS: join(store, 'nope.pem') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.pem" is not a file');
  });
});
