#!/usr/bin/env node
// `npm run docs`: renders the generated parts of docs/*.md (error codes, checks, release.yaml
// fields, IAM policies) from the code. `npm run docs -- --check` only reports stale parts
// (exit 1). The TypeScript sources are bundled by esbuild into node_modules/.cache, where
// their package imports resolve from the repository's node_modules; each module keeps its own
// import.meta.url, so files it reads next to itself (the release.yaml schema) are found.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'node_modules', '.cache', 'model-service-docs', 'write-docs.mjs');
mkdirSync(dirname(outfile), { recursive: true });
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};
await build({
  entryPoints: [join(root, 'scripts', 'docs', 'write-docs.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  plugins: [ownImportMetaUrl],
  logLevel: 'error',
});
const { writeDocs } = await import(pathToFileURL(outfile).href);
const check = process.argv.includes('--check');
const stale = writeDocs(root, { check });
if (check && stale.length) {
  process.stderr.write(`stale generated docs: ${stale.join(', ')}; run \`npm run docs\` and commit the result.\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(
    stale.length ? `${check ? 'stale' : 'rewrote'}: ${stale.join(', ')}\n` : 'generated docs are up to date\n',
  );
}
