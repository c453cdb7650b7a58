// Run from this checkout (the real bin), the generator packs @model-service/runtime and
// @model-service/deployer into the project's vendor/ and depends on the tarballs; with
// --packages registry, or in one of the checkout's workspaces, it uses the registry ranges.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { checkoutRoot, dependsOnVendor, isWorkspaceOf } from '../../generators/lib/vendor-packages.js';
import { ensureGeneratorBuilt } from './build.js';
import { runBin } from './run-bin.js';
import { ROOT } from './helpers.js';

let dir: string;

const cli = (...args: string[]) => runBin(dir, args, 240_000);

const pkg = (name: string) =>
  JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;

beforeAll(() => {
  ensureGeneratorBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ms-vendor-test-'));
}, 180_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('from a checkout', () => {
  test('packs the runtime and the deployer into vendor/, says so in one line, and depends on the tarballs', () => {
    const run = cli('init', 'cloned', '--yes', '--skip-install', '--ci', 'github');
    expect(run.stderr).not.toContain('bug');
    expect(run.status).toBe(0);
    // Yeoman's log writes to stderr.
    const said = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.includes('Packed'));
    expect(said).toEqual([
      `Packed @model-service/runtime and @model-service/deployer from the checkout at ${ROOT} into vendor/ (no registry needed).`,
    ]);
    const version = (folder: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'packages', folder, 'package.json'), 'utf8')) as { version: string }).version;
    const runtime = `model-service-runtime-${version('runtime')}.tgz`;
    const deployer = `model-service-deployer-${version('deployer')}.tgz`;
    expect(readdirSync(join(dir, 'cloned', 'vendor')).sort()).toEqual([deployer, runtime].sort());
    expect(pkg('cloned').dependencies!['@model-service/runtime']).toBe(`file:vendor/${runtime}`);
    // A devDependency: `npx model-deploy` inside the project, not in the production image.
    expect(pkg('cloned').devDependencies!['@model-service/deployer']).toBe(`file:vendor/${deployer}`);
    expect(pkg('cloned').dependencies!['@model-service/deployer']).toBeUndefined();
    expect(readFileSync(join(dir, 'cloned', 'Dockerfile'), 'utf8')).toMatch(/^COPY vendor\/ \.\/vendor\//m);
    // CI installs the locked deployer and runs it; no `npx -p <range>` from a registry.
    const ci = readFileSync(join(dir, 'cloned', '.github', 'workflows', 'ci.yml'), 'utf8');
    expect(ci).not.toContain('npx --yes -p');
    expect(ci).toMatch(/npm ci --no-audit --no-fund\n\s+- run: npx model-deploy up dev/);
  }, 240_000);

  test('--packages registry depends on the published ranges and writes no vendor/', () => {
    const run = cli('init', 'published', '--yes', '--skip-install', '--packages', 'registry');
    expect(run.status).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain('Packed');
    expect(existsSync(join(dir, 'published', 'vendor'))).toBe(false);
    expect(pkg('published').dependencies!['@model-service/runtime']).toBe('^0.1.0');
    expect(pkg('published').devDependencies!['@model-service/deployer']).toBe('^0.1.0');
    expect(readFileSync(join(dir, 'published', 'Dockerfile'), 'utf8')).not.toContain('vendor/');
  }, 120_000);

  test('a bad --packages value is refused with the allowed ones', () => {
    const run = cli('init', 'nowhere', '--yes', '--skip-install', '--packages', 'git');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'MS_GEN_INVALID_FLAG: --packages "git" is not valid: unknown value. Allowed: checkout, registry.',
    );
  });
});

describe('where the packages come from', () => {
  test('this repo is a checkout; the generated project dirs of its workspaces are not vendored', () => {
    expect(checkoutRoot()).toBe(ROOT);
    expect(isWorkspaceOf(ROOT, join(ROOT, 'examples', 'churn'))).toBe(true);
    expect(isWorkspaceOf(ROOT, join(ROOT, 'churn'))).toBe(false);
    expect(isWorkspaceOf(ROOT, join(ROOT, 'examples', 'churn', 'nested'))).toBe(false);
    expect(isWorkspaceOf(ROOT, join(tmpdir(), 'churn'))).toBe(false);
  });

  test('a project that depends on any vendor/ tarball needs vendor/ in its image build', () => {
    expect(dependsOnVendor({ dependencies: { '@model-service/runtime': '^0.1.0' } })).toBe(false);
    expect(dependsOnVendor({ devDependencies: { '@model-service/deployer': 'file:vendor/d.tgz' } })).toBe(true);
  });
});
