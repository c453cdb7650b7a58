// `model-deploy doctor`: the pre-deployment checks as a pass/fail list; the exit
// code is 0 only when none failed.
import { Command, Option } from 'commander';
import type { Check } from '../checks/check.js';
import { releaseCheck } from '../checks/doctor-release.js';
import { IMAGE_CHECKS, PREDEPLOY_CHECKS } from '../checks/registry.js';
import { defaultCheckContext, runChecks } from '../checks/run-checks.js';
import { GIT_CHECK_IDS } from '../checks/doctor-git.js';
import { releaseImageResources } from '../checks/image-checks.js';
import { DeployerError } from '../errors.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';
import type { Builder } from '../resources/image-commands.js';

export interface DoctorOptions extends CommonOptions {
  skipTests?: boolean;
  /** Check ids to skip (reported as SKIP, never silently). Comma-separated values are split. */
  skip?: string[];
  /** `--skip-git`: skip the source checks (doctor.git.*, doctor.ci.config), printed as SKIP. */
  skipGit?: boolean;
  builder?: Builder;
  /** `--image <ref>`: run the image checks (contract, logs, size, Dockerfile lint, secrets) on it instead. */
  image?: string;
  sample?: string;
  startupTimeout?: string;
}

/** What `doctor --image` runs: release.yaml (no AWS call), then the image checks. */
export const IMAGE_DOCTOR_CHECKS: readonly Check[] = [releaseCheck, ...IMAGE_CHECKS];

/** Builder flags before the subcommand, from MODEL_DEPLOY_BUILDER_ARGS (e.g. buildah storage options). */
export function builderArgs(env: NodeJS.ProcessEnv): string[] {
  return (env.MODEL_DEPLOY_BUILDER_ARGS ?? '').split(/\s+/).filter(Boolean);
}

function startupTimeoutMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 3600)
    throw new DeployerError('MS_DEPLOY_USAGE', {
      reason: `--startup-timeout must be seconds in (0, 3600] (got ${raw})`,
    });
  return s * 1000;
}

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
export const SKIPPED_MESSAGE = 'skipped by --skip';
export const SKIP_GIT_MESSAGE = 'skipped by --skip-git (local experiment: the image tag may not name a pushed commit)';

/** The ids named by --skip (repeatable, variadic, comma-separated). */
export function skipIds(opts: Pick<DoctorOptions, 'skip'>): string[] {
  return (opts.skip ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The usage problem with --skip, or undefined when every id names one of `checks`. */
export function skipUsageError(ids: readonly string[], checks: readonly Check[]): string | undefined {
  const known = new Set(checks.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (!unknown.length) return undefined;
  const other = unknown.filter((id) => !id.startsWith('doctor.'));
  const notes: string[] = [];
  if (other.length)
    notes.push(
      `${other.join(', ')} ${other.length > 1 ? 'are not doctor checks' : 'is not a doctor check'}: doctor only runs doctor.*`,
    );
  // A real doctor check that this run does not include: say which mode runs it.
  for (const id of unknown) {
    if (IMAGE_CHECKS.some((c) => c.id === id)) notes.push(`${id} runs only with --image`);
    else if (PREDEPLOY_CHECKS.some((c) => c.id === id)) notes.push(`${id} does not run with --image`);
  }
  const note = notes.length ? ` (${notes.join('; ')})` : '';
  return `--skip: unknown check id ${unknown.map((id) => `"${id}"`).join(', ')}${note}. Known ids: ${[...known].join(', ')}`;
}

/** The same checks with the skipped ones answering SKIP instead of running. */
function withSkips(checks: readonly Check[], ids: readonly string[], message = SKIPPED_MESSAGE): Check[] {
  const skipped = new Set(ids);
  return checks.map((c) => (skipped.has(c.id) ? { ...c, run: async () => ({ status: 'skip' as const, message }) } : c));
}

export async function runDoctor(
  rt: CliRuntime,
  opts: DoctorOptions,
  checks: readonly Check[] = opts.image ? IMAGE_DOCTOR_CHECKS : PREDEPLOY_CHECKS,
): Promise<number> {
  const skip = skipIds(opts);
  const usage = skipUsageError(skip, checks);
  if (usage) throw new DeployerError('MS_DEPLOY_USAGE', { reason: usage });
  const ctx = defaultCheckContext({
    dir: projectDir(rt, opts),
    env: rt.io.env,
    skipTests: opts.skipTests ?? false,
    builder: opts.builder ?? 'docker',
    ...(rt.deps.runner ? { runner: rt.deps.runner } : {}),
    ...(rt.deps.createClients ? { createClients: rt.deps.createClients } : {}),
    ...(opts.image
      ? {
          image: opts.image,
          imageOptions: {
            globalArgs: builderArgs(rt.io.env),
            sample: opts.sample,
            startupTimeoutMs: startupTimeoutMs(opts.startupTimeout),
          },
        }
      : {}),
  });
  const reports = await runChecks(
    withSkips(withSkips(checks, skip), opts.skipGit ? GIT_CHECK_IDS : [], SKIP_GIT_MESSAGE),
    ctx,
  );
  // --image: a working container that no check ended up running is removed here.
  await releaseImageResources(ctx);
  const width = Math.max(18, ...reports.map((r) => r.id.length));
  const failed = reports.filter((r) => r.status === 'fail');
  const error = failed.length
    ? new DeployerError('MS_DEPLOY_CHECKS_FAILED', {
        failed: failed.length,
        total: reports.length,
        ids: failed.map((r) => r.id).join(', '),
      })
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
      rt.io.stdout.write(`${MARK[r.status]}  ${r.id.padEnd(width)}  ${r.title}: ${r.message}\n`);
      if (r.status === 'fail' && r.fix) rt.io.stdout.write(`      fix: ${r.fix}\n`);
    }
    if (error) rt.io.stderr.write(`\n${error.toUserString()}\n`);
    else rt.io.stdout.write(`\nAll ${reports.length} checks passed or were skipped.\n`);
  }
  return error ? 1 : 0;
}

export function doctorCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('doctor')
    .description(
      'run the pre-deployment checks (credentials, region, release.yaml, artifacts, Dockerfile, tests, container CLI, IAM ARNs)',
    )
    .option('--skip-tests', 'do not run `npm test` in the project')
    .option(
      '--skip <id...>',
      'skip these checks by id, e.g. --skip doctor.tests doctor.docker (each is printed as SKIP)',
    )
    .option(
      '--skip-git',
      'skip doctor.git.clean, doctor.git.pushed and doctor.ci.config, for a local experiment (each is printed as SKIP)',
    )
    .addOption(
      new Option('--builder <cli>', 'container CLI to look for')
        .choices(['docker', 'buildah', 'podman'])
        .default('docker'),
    )
    .option(
      '--image <ref>',
      'check this local image instead: runs it (SageMaker container contract, JSON logs), its size, the Dockerfile lint and a secret scan; no AWS call',
    )
    .option(
      '--sample <file>',
      'with --image: the request /invocations must accept (default: the project sample-request.json)',
    )
    .option(
      '--startup-timeout <seconds>',
      'with --image: how long the container may take to answer /ping 200 (default 120)',
    )
    .action(async (opts: DoctorOptions, cmd: Command) => {
      // An unknown id is a usage error (exit 2), before anything runs.
      const usage = skipUsageError(skipIds(opts), opts.image ? IMAGE_DOCTOR_CHECKS : PREDEPLOY_CHECKS);
      if (usage) cmd.error(`error: ${usage}`, { exitCode: 2, code: 'model-deploy.unknownCheck' });
      exit(await runDoctor(rt, opts));
    });
}
