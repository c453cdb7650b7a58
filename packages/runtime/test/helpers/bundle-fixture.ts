// A fixture server (test/fixtures/<name>.ts) bundled into one ES module a child process can run
// with plain node. It lands inside the package (.cache/) so the bundle's bare imports (express,
// pino...) resolve from node_modules; `remove` deletes it.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const TEST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundledFixture {
  entry: string;
  remove(): void;
}

/** Bundles test/fixtures/<fixture>.ts into .cache/<tag>-<pid>/<fixture>.mjs. */
export async function bundleFixture(fixture: string, tag: string): Promise<BundledFixture> {
  const outDir = join(TEST_DIR, '..', '.cache', `${tag}-${process.pid}`);
  const entry = join(outDir, `${fixture}.mjs`);
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(TEST_DIR, 'fixtures', `${fixture}.ts`)],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return { entry, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}
