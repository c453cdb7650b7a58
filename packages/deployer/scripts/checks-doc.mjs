// Writes docs/readme/checks.md from the check registry and docs/checklist.md (run after `tsc -b`):
//   npm run checks:doc -w @model-service/deployer            # write the file
//   npm run checks:doc -w @model-service/deployer -- --check # exit 1 when it is stale
// test/checks-catalog.test.ts compares the committed file with the same output.
import { readFileSync, writeFileSync } from 'node:fs';
import { catalogMarkdown, checklistCoverage, skipFlagsOf } from '../dist/checks/catalog-markdown.js';
import { checkCatalog } from '../dist/checks/registry.js';
import { doctorCommand } from '../dist/commands/doctor.js';
import { verifyCommand } from '../dist/commands/verify.js';

const target = new URL('../../../docs/readme/checks.md', import.meta.url);
const checklist = new URL('../../../docs/checklist.md', import.meta.url);
// The builders only declare options here; nothing runs.
const rt = { io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: process.cwd(), isTTY: false }, deps: {} };
const noExit = () => {};
const text = catalogMarkdown(checkCatalog(), { doctor: skipFlagsOf(doctorCommand(rt, noExit)), verify: skipFlagsOf(verifyCommand(rt, noExit)) }, checklistCoverage(readFileSync(checklist, 'utf8')));

if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    process.stderr.write('docs/readme/checks.md is stale: run `npm run checks:doc -w @model-service/deployer` and commit it.\n');
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote docs/readme/checks.md (${checkCatalog().length} checks)\n`);
}
