// Run from a checkout of the model-service repo, the generator cannot point a new project
// at the registry (@model-service/* may not be published, or not at this version). It packs
// the runtime and the deployer from the checkout instead (`tsc -b`, then `npm pack`), and
// the project depends on the tarballs it keeps in vendor/, so `npm ci` repeats the install
// anywhere (CI, the image build) without the checkout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GeneratorError } from './errors.js';
import { packageRoot } from './templates-dir.js';

export const VENDORED = [
  { name: '@model-service/runtime', folder: join('packages', 'runtime') },
  { name: '@model-service/deployer', folder: join('packages', 'deployer') },
] as const;

export type VendoredName = (typeof VENDORED)[number]['name'];

export interface VendoredTarball {
  name: VendoredName;
  /** Path inside the project: vendor/<npm pack file name>. */
  file: string;
  bytes: Buffer;
}

function readJson(path: string): Record<string, unknown> | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;
}

/** The repo checkout this generator runs from (root package.json "model-service" with both packages), else undefined. */
export function checkoutRoot(pkgRoot = packageRoot()): string | undefined {
  const root = resolve(pkgRoot, '..');
  if (readJson(join(root, 'package.json'))?.name !== 'model-service') return undefined;
  const complete = VENDORED.every((p) => readJson(join(root, p.folder, 'package.json'))?.name === p.name);
  return complete ? root : undefined;
}

/**
 * True when `dir` is one of the checkout's npm workspaces (examples/<x>): there npm links
 * @model-service/* from the checkout itself, so the registry ranges resolve without vendoring.
 */
export function isWorkspaceOf(root: string, dir: string): boolean {
  const patterns = (readJson(join(root, 'package.json'))?.workspaces as string[] | undefined) ?? [];
  const rel = relative(root, resolve(dir)).split(sep).join('/');
  if (rel === '' || rel.startsWith('..')) return false;
  return patterns.some((p) => (p.endsWith('/*') ? dirname(rel) === p.slice(0, -2) : rel === p));
}

/** The environment for npm and tsc: without what a parent `npm run`/`npx` set for the checkout's own package. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(key) || key === 'INIT_CWD') delete env[key];
  return env;
}

function failed(root: string, step: string, run: ReturnType<typeof spawnSync>): GeneratorError {
  const detail =
    `${String(run.stderr ?? '')}${String(run.stdout ?? '')}`.trim().split('\n').slice(-5).join(' | ') ||
    String(run.error ?? `exit ${run.status}`);
  return new GeneratorError('MS_GEN_VENDOR_PACK', { root, step, detail });
}

/** `tsc -b` (a no-op when dist/ is current), then `npm pack` of each package into memory. */
export function packFromCheckout(root: string): VendoredTarball[] {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc))
    throw new GeneratorError('MS_GEN_VENDOR_PACK', {
      root,
      step: 'build',
      detail: 'TypeScript is not installed: run `npm install` at the repo root first',
    });
  const build = spawnSync(process.execPath, [tsc, '-b', ...VENDORED.map((p) => p.folder)], {
    cwd: root,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 300_000,
  });
  if (build.status !== 0) throw failed(root, `tsc -b ${VENDORED.map((p) => p.folder).join(' ')}`, build);
  const dest = mkdtempSync(join(tmpdir(), 'ms-vendor-'));
  try {
    return VENDORED.map((p) => {
      const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', dest], {
        cwd: join(root, p.folder),
        encoding: 'utf8',
        env: cleanEnv(),
        timeout: 120_000,
      });
      if (pack.status !== 0) throw failed(root, `npm pack in ${p.folder}`, pack);
      const [info] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
      return { name: p.name, file: `vendor/${info!.filename}`, bytes: readFileSync(join(dest, info!.filename)) };
    });
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

export interface PackageSources {
  /** What packageJson() writes: registry ranges unless a source below replaces them. */
  specs: { runtime: string; deployer: string };
  /** Specs that replace what an existing package.json had (a checkout's tarballs, --runtime-source). */
  explicit: Partial<Record<VendoredName, string>>;
  /** Tarballs to write into vendor/. */
  tarballs: VendoredTarball[];
}

/** True when package.json depends on a tarball in vendor/ (the Dockerfile must copy vendor/ in before npm ci). */
export function dependsOnVendor(pkg: Record<string, unknown>): boolean {
  const sections = [pkg.dependencies, pkg.devDependencies] as Array<Record<string, string> | undefined>;
  return sections.some((deps) =>
    Object.values(deps ?? {}).some((spec) => typeof spec === 'string' && spec.startsWith('file:vendor/')),
  );
}
