// Machine-checkable pre-deployment checks with stable ids. `doctor` runs them
// all; `verify` can reuse the registry and add post-deployment ones.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveAccount } from '../context.js';
import { createAwsClients, destroyAwsClients, type AwsClients, type ClientOptions } from '../aws/clients.js';
import { isDeployerError } from '../errors.js';
import { wrapAwsError } from '../aws/aws-error.js';
import { loadRelease } from '../release/load-release.js';
import { loadReleaseText, resolveReleasePath } from '../release/load.js';
import { parseReleaseText } from '../release/parse.js';
import type { ReleaseConfig } from '../release/types.js';
import type { CommandRunner } from '../context.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  message: string;
  /** What to do when it fails. */
  fix?: string;
}

export interface CheckContext {
  dir: string;
  env: NodeJS.ProcessEnv;
  skipTests: boolean;
  builder: 'docker' | 'buildah' | 'podman';
  runner: CommandRunner;
  createClients(options: ClientOptions): AwsClients;
  /** Filled by doctor.release; later checks read it (undefined when invalid). */
  release?: ReleaseConfig;
  /** The parsed but unvalidated file, so some checks still report on an invalid one. */
  raw?: { region?: unknown; iam?: Record<string, unknown> };
}

export interface Check {
  id: string;
  title: string;
  run(ctx: CheckContext): Promise<CheckResult>;
}

export const MAX_ARTIFACT_BYTES = 500 * 1024 * 1024;
/** `npm test` in the project is bounded so doctor always ends. */
export const TEST_TIMEOUT_MS = 10 * 60 * 1000;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

const pass = (message: string): CheckResult => ({ status: 'pass', message });
const fail = (message: string, fix: string): CheckResult => ({ status: 'fail', message, fix });
const skip = (message: string): CheckResult => ({ status: 'skip', message });

/** Spawns without a shell; kills the child after `timeoutMs`. */
export function spawnRunner(timeoutMs = TEST_TIMEOUT_MS): CommandRunner {
  return {
    run: (command, args, options = {}) =>
      new Promise((done, reject) => {
        const child = spawn(command, [...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-64_000)));
        child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-64_000)));
        child.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          done({ exitCode: code ?? 1, stdout, stderr });
        });
        child.stdin.end(options.stdin ?? '');
      }),
  };
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

function sha256File(path: string): Promise<string> {
  return new Promise((done, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (c) => hash.update(c)).on('error', reject).on('end', () => done(hash.digest('hex')));
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const releaseCheck: Check = {
  id: 'doctor.release',
  title: 'release.yaml is valid',
  async run(ctx) {
    try {
      const path = await resolveReleasePath(ctx.dir);
      ctx.raw = parseReleaseText(await loadReleaseText(path), path) as CheckContext['raw'];
    } catch {
      // Reported below by loadRelease with its own code.
    }
    try {
      ctx.release = await loadRelease(ctx.dir);
      return pass(`valid; environments: ${Object.keys(ctx.release.environments).join(', ')}`);
    } catch (err) {
      if (!isDeployerError(err)) throw err;
      return fail(`${err.code}: ${err.message}`, err.hint);
    }
  },
};

export const regionCheck: Check = {
  id: 'doctor.region',
  title: 'AWS region is set',
  async run(ctx) {
    const fromEnv = ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
    const rawRegion = typeof ctx.raw?.region === 'string' ? ctx.raw.region : undefined;
    const region = ctx.release?.region ?? rawRegion ?? fromEnv;
    if (!region) return fail('no region in release.yaml and AWS_REGION is not set', 'Set region: in release.yaml (e.g. eu-west-1).');
    if (!REGION.test(region)) return fail(`"${region}" is not an AWS region name`, 'Use a region code such as eu-west-1 or us-east-1.');
    const note = fromEnv && fromEnv !== region ? ` (AWS_REGION=${fromEnv} is ignored: release.yaml decides)` : '';
    return pass(`${region}${note}`);
  },
};

export const credentialsCheck: Check = {
  id: 'doctor.credentials',
  title: 'AWS credentials resolve',
  async run(ctx) {
    const region = ctx.release?.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const clients = ctx.createClients({ region, env: ctx.env, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 }, maxAttempts: 1 });
    try {
      const { accountId, partition } = await resolveAccount(clients);
      return pass(`account ${accountId} (${partition})`);
    } catch (err) {
      const wrapped = wrapAwsError(err, { action: 'GetCallerIdentity', resource: 'the current AWS identity' });
      return fail(`${wrapped.code}: ${wrapped.message}`, wrapped.hint);
    } finally {
      destroyAwsClients(clients);
    }
  },
};

export const artifactsCheck: Check = {
  id: 'doctor.artifacts',
  title: 'model artifacts present and < 500 MB',
  async run(ctx) {
    const model = ctx.release?.model;
    if (!model) return skip('release.yaml is not valid');
    const target = model.artifact ? resolve(ctx.dir, model.artifact) : join(ctx.dir, 'model');
    const size = await sizeOf(target).catch(() => undefined);
    if (size === undefined) {
      if (!model.artifact) return skip('no model.artifact in release.yaml and no model/ directory');
      return fail(`model.artifact ${model.artifact} does not exist`, 'Train/export the model into that path, or fix model.artifact in release.yaml.');
    }
    if (size >= MAX_ARTIFACT_BYTES) {
      return fail(`${model.artifact ?? 'model/'} is ${mb(size)} (limit 500 MB)`, 'Shrink the model (quantize, prune) or load it from S3 at start instead of baking it into the image.');
    }
    if (model.artifact && model.sha256) {
      const actual = await sha256File(target);
      if (actual !== model.sha256) {
        return fail(`${model.artifact} sha256 is ${actual}, release.yaml says ${model.sha256}`, 'Update model.sha256 after retraining, or restore the artifact that was reviewed.');
      }
    }
    return pass(`${model.artifact ?? 'model/'} ${mb(size)}${model.sha256 ? ', sha256 matches' : ''}`);
  },
};

export const dockerfileCheck: Check = {
  id: 'doctor.dockerfile',
  title: 'Dockerfile present',
  async run(ctx) {
    const text = await readFile(join(ctx.dir, 'Dockerfile'), 'utf8').catch(() => undefined);
    if (text === undefined) return fail(`no Dockerfile in ${ctx.dir}`, 'Regenerate the project (yo model-service) or add a Dockerfile whose entry is `serve` on port 8080.');
    if (!/^\s*FROM\s+\S+/im.test(text)) return fail('Dockerfile has no FROM instruction', 'Start the Dockerfile with FROM <base image>.');
    return pass('Dockerfile found');
  },
};

export const testsCheck: Check = {
  id: 'doctor.tests',
  title: 'project tests pass (npm test)',
  async run(ctx) {
    if (ctx.skipTests) return skip('--skip-tests');
    const result = await ctx.runner.run('npm', ['test'], { cwd: ctx.dir }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
    if (result.exitCode === 0) return pass('npm test exited 0');
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    return fail(`npm test exited ${result.exitCode}${tail ? `: ${tail}` : ''}`, 'Run `npm test` in the project and fix the failures before deploying.');
  },
};

export const builderCheck: Check = {
  id: 'doctor.docker',
  title: 'container CLI present',
  async run(ctx) {
    const result = await ctx.runner.run(ctx.builder, ['--version']).catch(() => undefined);
    if (result && result.exitCode === 0) return pass(result.stdout.trim().split('\n')[0] || `${ctx.builder} found`);
    return fail(`${ctx.builder} CLI not found or not working`, `Install ${ctx.builder}, or pick another builder with --builder docker|buildah|podman.`);
  },
};

export const iamArnsCheck: Check = {
  id: 'doctor.iam.arns',
  title: 'IAM role ARNs in release.yaml are well-formed',
  async run(ctx) {
    // Reads the unvalidated file too: a bad ARN is reported here even when doctor.release fails.
    const iam = ctx.release?.iam ?? ctx.raw?.iam;
    if (!ctx.release && !ctx.raw) return skip('release.yaml is not readable');
    const given = Object.entries(iam ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]);
    if (given.length === 0) return skip('no role ARNs given: model-deploy creates least-privilege roles');
    const bad = given.filter(([, arn]) => !ROLE_ARN.test(arn));
    if (bad.length) {
      return fail(bad.map(([k, v]) => `iam.${k} "${v}" is not an IAM role ARN`).join('; '), 'Use arn:aws:iam::<12-digit account>:role/<name>, or remove it to let model-deploy create the role.');
    }
    return pass(given.map(([k]) => `iam.${k}`).join(', '));
  },
};

/** In run order: release first, since later checks read the loaded file. */
export const PREDEPLOY_CHECKS: readonly Check[] = [
  releaseCheck, regionCheck, credentialsCheck, artifactsCheck, dockerfileCheck, testsCheck, builderCheck, iamArnsCheck,
];

export interface CheckReport extends CheckResult {
  id: string;
  title: string;
}

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

export function defaultCheckContext(partial: Pick<CheckContext, 'dir' | 'env' | 'skipTests' | 'builder'> & Partial<CheckContext>): CheckContext {
  return { runner: spawnRunner(), createClients: createAwsClients, ...partial };
}
