// Bundles the built runtime (dist/index.js and what it imports, dependencies included) into one
// ES module, dist/runtime.bundle.js, which the package's entry and bin point at. Resolving and
// reading ~100 module files was most of a cold start; one file is what a scale-out, a replaced
// instance and serverless inference then load. Express, ioredis and onnxruntime-node stay
// outside: they load lazily, only for services that use them, from the project's node_modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LAZY_DEPENDENCIES = ['express', 'ioredis', 'onnxruntime-node'];

await build({
  entryPoints: [join(root, 'dist', 'index.js')],
  outfile: join(root, 'dist', 'runtime.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: LAZY_DEPENDENCIES,
  // Bundled CommonJS dependencies call require() for Node built-ins; give the module one.
  banner: {
    js: "import { createRequire as __msCreateRequire } from 'node:module';\nconst require = __msCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
