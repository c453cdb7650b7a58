// The package's declared entry (main / exports["."] -> dist/index.js) is built by
// `tsc -b` and imports in plain Node, as a user's `import '@model-service/deployer'` does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';

const PKG = fileURLToPath(new URL('../../', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

test('main and exports["."] name dist/index.js, and `import("@model-service/deployer")` loads it', () => {
  const pkg = JSON.parse(readFileSync(`${PKG}package.json`, 'utf8')) as {
    main: string;
    types: string;
    exports: Record<string, { default: string; types: string }>;
  };
  expect([pkg.main, pkg.exports['.'].default, pkg.types, pkg.exports['.'].types]).toEqual([
    './dist/index.js',
    './dist/index.js',
    './dist/index.d.ts',
    './dist/index.d.ts',
  ]);
  execFileSync('npx', ['tsc', '-b', 'packages/deployer'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
  // Resolved from the repository root through the workspace link, not a relative path.
  const script =
    "const m = await import('@model-service/deployer'); console.log(JSON.stringify({ main: typeof m.main, error: typeof m.DeployerError, checks: m.checkCatalog().length > 0 }));";
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ main: 'function', error: 'function', checks: true });
}, 360_000);
