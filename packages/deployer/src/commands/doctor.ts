// `model-deploy doctor`: the pre-deployment checks as a pass/fail list; the exit
// code is 0 only when none failed.
import { Command, Option } from 'commander';
import { defaultCheckContext, PREDEPLOY_CHECKS, runChecks, type Check } from '../checks/registry.js';
import { DeployerError } from '../errors.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface DoctorOptions extends CommonOptions {
  skipTests?: boolean;
  builder?: 'docker' | 'buildah' | 'podman';
}

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

export async function runDoctor(rt: CliRuntime, opts: DoctorOptions, checks: readonly Check[] = PREDEPLOY_CHECKS): Promise<number> {
  const ctx = defaultCheckContext({
    dir: projectDir(rt, opts),
    env: rt.io.env,
    skipTests: opts.skipTests ?? false,
    builder: opts.builder ?? 'docker',
    ...(rt.deps.runner ? { runner: rt.deps.runner } : {}),
    ...(rt.deps.createClients ? { createClients: rt.deps.createClients } : {}),
  });
  const reports = await runChecks(checks, ctx);
  const failed = reports.filter((r) => r.status === 'fail');
  const error = failed.length
    ? new DeployerError('MS_DEPLOY_CHECKS_FAILED', { failed: failed.length, total: reports.length, ids: failed.map((r) => r.id).join(', ') })
    : undefined;
  if (opts.json) {
    writeJson(rt, {
      ok: !error,
      command: 'doctor',
      checks: reports,
      ...(error ? { error: { code: error.code, message: error.message, hint: error.hint } } : {}),
    });
  } else {
    for (const r of reports) {
      rt.io.stdout.write(`${MARK[r.status]}  ${r.id.padEnd(18)}  ${r.title}: ${r.message}\n`);
      if (r.status === 'fail' && r.fix) rt.io.stdout.write(`      fix: ${r.fix}\n`);
    }
    if (error) rt.io.stderr.write(`\n${error.toUserString()}\n`);
    else rt.io.stdout.write(`\nAll ${reports.length} checks passed or were skipped.\n`);
  }
  return error ? 1 : 0;
}

export function doctorCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('doctor')
    .description('run the pre-deployment checks (credentials, region, release.yaml, artifacts, Dockerfile, tests, container CLI, IAM ARNs)')
    .option('--skip-tests', 'do not run `npm test` in the project')
    .addOption(new Option('--builder <cli>', 'container CLI to look for').choices(['docker', 'buildah', 'podman']).default('docker'))
    .action(async (opts: DoctorOptions) => exit(await runDoctor(rt, opts)));
}
