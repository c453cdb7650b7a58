// docs/checks.md's catalog, rendered from the check registry and docs/checklist.md (which
// checklist items each check replaces) with the skip switches the commands declare.
import {
  catalogMarkdown,
  checklistCoverage,
  skipFlagsOf,
} from '../../packages/deployer/src/checks/catalog-markdown.js';
import { checkCatalog } from '../../packages/deployer/src/checks/registry.js';
import { doctorCommand } from '../../packages/deployer/src/commands/doctor.js';
import type { CliRuntime } from '../../packages/deployer/src/commands/session.js';
import { verifyCommand } from '../../packages/deployer/src/commands/verify.js';

export function renderChecksReference(checklistMarkdown: string): string {
  // The builders only declare their options here; nothing runs.
  const rt = {
    io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: process.cwd(), isTTY: false },
    deps: {},
  } as unknown as CliRuntime;
  const noExit = () => {};
  const skipFlags = { doctor: skipFlagsOf(doctorCommand(rt, noExit)), verify: skipFlagsOf(verifyCommand(rt, noExit)) };
  return catalogMarkdown(checkCatalog(), skipFlags, checklistCoverage(checklistMarkdown));
}
