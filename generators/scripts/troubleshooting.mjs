#!/usr/bin/env node
// Renders templates/common/troubleshooting-codes.md from the runtime's and the deployer's
// error tables (their TypeScript sources, bundled on the fly by esbuild), so generated
// READMEs list every code with what to do. test/generator/troubleshooting.test.ts fails when
// the committed file and the tables drift; then run `npm run troubleshooting -w generator-model-service`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const entry = `
export { ERRORS as runtime } from '${join(repo, 'packages/runtime/src/errors.ts')}';
export { ERRORS as deployer } from '${join(repo, 'packages/deployer/src/errors.ts')}';
export { renderTroubleshootingCodes, TROUBLESHOOTING_CODES_FILE } from '${join(repo, 'generators/lib/troubleshooting.ts')}';
`;
const result = await build({
  stdin: { contents: entry, resolveDir: here, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
const target = join(repo, 'templates', mod.TROUBLESHOOTING_CODES_FILE);
writeFileSync(target, mod.renderTroubleshootingCodes(mod.runtime, mod.deployer));
console.log(
  `troubleshooting: ${Object.keys(mod.runtime).length} runtime + ${Object.keys(mod.deployer).length} deployer codes -> ${target}`,
);
