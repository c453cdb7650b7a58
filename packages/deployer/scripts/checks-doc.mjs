// Writes the README's "Checks" section (between its checks markers) from the check registry
// and docs/checklist.md (run after `tsc -b`):
//   npm run checks:doc -w @model-service/deployer            # rewrite the section
//   npm run checks:doc -w @model-service/deployer -- --check # exit 1 when it is stale
// test/checks-catalog.test.ts compares the committed section with the same output.
import { readFileSync, writeFileSync } from 'node:fs';
import { catalogMarkdown, checklistCoverage, readmeChecksSection, skipFlagsOf, withReadmeChecksSection } from '../dist/checks/catalog-markdown.js';
import { checkCatalog } from '../dist/checks/registry.js';
import { doctorCommand } from '../dist/commands/doctor.js';
import { verifyCommand } from '../dist/commands/verify.js';

const readme = new URL('../../../README.md', import.meta.url);
const checklist = new URL('../../../docs/checklist.md', import.meta.url);
// The builders only declare options here; nothing runs.
const rt = { io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: process.cwd(), isTTY: false }, deps: {} };
const noExit = () => {};
const text = catalogMarkdown(checkCatalog(), { doctor: skipFlagsOf(doctorCommand(rt, noExit)), verify: skipFlagsOf(verifyCommand(rt, noExit)) }, checklistCoverage(readFileSync(checklist, 'utf8')));
const current = readFileSync(readme, 'utf8');

if (process.argv.includes('--check')) {
  if (readmeChecksSection(current) !== text) {
    process.stderr.write("README.md's checks section is stale: run `npm run checks:doc -w @model-service/deployer` and commit it.\n");
    process.exitCode = 1;
  }
} else {
  writeFileSync(readme, withReadmeChecksSection(current, text));
  process.stdout.write(`wrote the checks section of README.md (${checkCatalog().length} checks)\n`);
}
