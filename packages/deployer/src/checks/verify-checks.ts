// Runs the post-deployment checklist (VERIFY_CHECKS in the registry) in order
// against what is deployed and collects the report `verify` prints and records.
import { VERIFY_CHECKS } from './registry.js';
import type { CheckResult } from './check.js';
import { createVerifyContext, type VerifyReport, type VerifyTarget } from './verify-context.js';

/** The ids in the order verify reports them. */
export const VERIFY_CHECK_IDS: readonly string[] = VERIFY_CHECKS.map((c) => c.id);

export async function runVerifyChecks(t: VerifyTarget): Promise<VerifyReport> {
  const ctx = createVerifyContext(t);
  for (const check of VERIFY_CHECKS) {
    const result: CheckResult = await check.run(ctx);
    ctx.report.checks.push({ id: check.id, title: check.title, ...result });
  }
  ctx.report.ok = ctx.report.checks.every((c) => c.status !== 'fail');
  return ctx.report;
}
