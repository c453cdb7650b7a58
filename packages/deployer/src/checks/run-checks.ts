// Runs a list of doctor checks in order against one context.
import { createAwsClients } from '../aws/clients.js';
import { spawnRunner } from '../command-runner.js';
import { fail, type Check, type CheckContext, type CheckReport, type CheckResult } from './check.js';

/** Runs every check; a check that throws is reported as failed, never aborts the list. */
export async function runChecks(checks: readonly Check[], ctx: CheckContext): Promise<CheckReport[]> {
  const reports: CheckReport[] = [];
  for (const check of checks) {
    let result: CheckResult;
    try {
      result = await check.run(ctx);
    } catch (err) {
      result = fail(`check crashed: ${(err as Error).message}`, 'This is a bug in model-deploy; please report it.');
    }
    reports.push({ id: check.id, title: check.title, ...result });
  }
  return reports;
}

export function defaultCheckContext(
  partial: Pick<CheckContext, 'dir' | 'env' | 'skipTests' | 'builder'> & Partial<CheckContext>,
): CheckContext {
  return { runner: spawnRunner(), createClients: createAwsClients, ...partial };
}
