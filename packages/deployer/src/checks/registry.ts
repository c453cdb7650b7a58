// The check registry: every check with a stable id, in one place. `doctor` runs
// PREDEPLOY_CHECKS, `verify` reports VERIFY_CHECKS, the generated project's tests
// are TEST_CHECKS; checkCatalog() joins them for docs/checklist.md and the README
// (tests keep all of them in step). Add a check: its own file, then its import
// and one entry appended to the right array.
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
import { VERIFY_CHECK_TITLES } from './verify-checks.js';
import { VPC_CHECK_DESCRIPTION } from './verify-vpc.js';
import { capacityCheck } from './doctor-capacity.js';
import { encryptionCheck } from './doctor-encryption.js';
import { ciConfigCheck, gitCleanCheck, gitPushedCheck } from './doctor-git.js';
import { goldenCheck } from './doctor-golden.js';
import { iamCheck } from './doctor-iam.js';
import { modelMetricsCheck } from './doctor-model-metrics.js';
import { volumeCheck } from './doctor-volume.js';
import { vpcEgressCheck, vpcSecurityGroupsCheck, vpcSubnetsCheck } from './doctor-vpc.js';
import { dockerfileLintCheck } from './dockerfile-lint.js';
import { imageContractCheck, imageLogsCheck, imageSizeCheck, type ImageCheckOptions } from './image-checks.js';
import { secretsCheck } from './secrets-check.js';
import type { Builder } from '../resources/image-commands.js';

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
  builder: Builder;
  runner: CommandRunner;
  createClients(options: ClientOptions): AwsClients;
  /** Filled by doctor.release; later checks read it (undefined when invalid). */
  release?: ReleaseConfig;
  /** The parsed but unvalidated file, so some checks still report on an invalid one. */
  raw?: { region?: unknown; iam?: Record<string, unknown> };
  /** `doctor --image <ref>`: the image the doctor.image.* checks run. */
  image?: string;
  imageOptions?: ImageCheckOptions;
}

/** What the catalog, docs/checklist.md and the README know about a check. */
export interface CheckInfo {
  /** Stable id: `doctor.*`, `verify.*` or `test.*`. */
  id: string;
  title: string;
  /** One line: what it proves. Defaults to the title. */
  description?: string;
  /** Item numbers of the reference checklist it covers (see docs/checklist.md). */
  covers?: readonly number[];
}

export interface Check extends CheckInfo {
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
        // A child that exits without reading stdin must not crash us with EPIPE.
        child.stdin.on('error', () => {});
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
  description: 'release.yaml loads, parses, validates against the JSON Schema and passes the cross-field rules (the error code names the field).',
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
  description: 'release.yaml (or AWS_REGION) names a well-formed AWS region; release.yaml wins over the environment.',
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
  description: 'the AWS credential chain resolves to an identity (STS GetCallerIdentity) and names its account.',
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
  description: 'model.artifact (or model/) exists, is under 500 MB, and matches model.sha256 when release.yaml records one.',
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
  description: 'the project has a Dockerfile with a FROM instruction.',
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
  description: '`npm test` in the project exits 0 (bounded to 10 minutes; --skip-tests skips it).',
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
  description: 'the container CLI picked by --builder (docker, buildah, podman) runs `--version`.',
  async run(ctx) {
    const result = await ctx.runner.run(ctx.builder, ['--version']).catch(() => undefined);
    if (result && result.exitCode === 0) return pass(result.stdout.trim().split('\n')[0] || `${ctx.builder} found`);
    return fail(`${ctx.builder} CLI not found or not working`, `Install ${ctx.builder}, or pick another builder with --builder docker|buildah|podman.`);
  },
};

export const iamArnsCheck: Check = {
  id: 'doctor.iam.arns',
  title: 'IAM role ARNs in release.yaml are well-formed',
  description: 'iam.sagemakerRoleArn / iam.lambdaRoleArn, when given, are IAM role ARNs (otherwise model-deploy creates least-privilege roles).',
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
  releaseCheck, regionCheck, credentialsCheck, artifactsCheck, goldenCheck, modelMetricsCheck, dockerfileCheck, testsCheck, builderCheck, iamArnsCheck,
  gitCleanCheck, gitPushedCheck, ciConfigCheck, volumeCheck, encryptionCheck, capacityCheck, iamCheck, vpcSubnetsCheck, vpcSecurityGroupsCheck, vpcEgressCheck,
];

/**
 * `doctor --image <ref>`: the image and what goes into it, before it leaves the
 * machine and before any AWS call (after doctor.release, which reads image.maxSizeMb).
 */
export const IMAGE_CHECKS: readonly Check[] = [dockerfileLintCheck, secretsCheck, imageContractCheck, imageLogsCheck, imageSizeCheck];

/** `verify <env>`'s checks, in the order it reports them. Append yours (a `Check`-shaped object or its info). */
export const VERIFY_CHECKS: readonly CheckInfo[] = [
  { id: 'verify.endpoint.in-service', title: VERIFY_CHECK_TITLES['verify.endpoint.in-service'], description: 'DescribeEndpoint reports InService; otherwise the status and FailureReason.' },
  { id: 'verify.lambda.active', title: VERIFY_CHECK_TITLES['verify.lambda.active'], description: 'the Lambda proxy is Active and its last update Successful.' },
  { id: 'verify.vpc', title: VERIFY_CHECK_TITLES['verify.vpc'], description: VPC_CHECK_DESCRIPTION },
  { id: 'verify.api.reachable', title: VERIFY_CHECK_TITLES['verify.api.reachable'], description: 'POST <api>/predict gets an HTTP answer (any status).' },
  { id: 'verify.auth.no-token-rejected', title: VERIFY_CHECK_TITLES['verify.auth.no-token-rejected'], description: 'a request without a token gets 401/403 (the Cognito authorizer is enforced).' },
  { id: 'verify.api.health', title: VERIFY_CHECK_TITLES['verify.api.health'], description: 'GET <api>/health without a token gets 200 with {"status":"UP"} (the route monitors call; it answers from the endpoint status).' },
  { id: 'verify.auth.valid-token-accepted', title: VERIFY_CHECK_TITLES['verify.auth.valid-token-accepted'], description: "a Cognito ID token and the project's sample request get HTTP 200 end to end." },
  { id: 'verify.input.invalid-rejected', title: VERIFY_CHECK_TITLES['verify.input.invalid-rejected'], description: 'an invalid body gets a 4xx, never a 2xx or 5xx.' },
  { id: 'verify.golden', title: VERIFY_CHECK_TITLES['verify.golden'], description: "every line of tests/golden.jsonl, replayed through the deployed API with a token, gets the trained model's answer (numbers within the line's tolerance); --skip-golden records partial, which promote refuses." },
  { id: 'verify.slo.latency', title: VERIFY_CHECK_TITLES['verify.slo.latency'], description: 'p95 over a bounded run of authenticated requests is within slo.p95LatencyMs.' },
  { id: 'verify.slo.error-rate', title: VERIFY_CHECK_TITLES['verify.slo.error-rate'], description: 'the error rate of that run is within slo.errorRate.' },
  { id: 'verify.cache.hit-rate', title: VERIFY_CHECK_TITLES['verify.cache.hit-rate'], description: 'the X-Cache hit rate of the repeated request (skipped when the service reports no cache).' },
  { id: 'verify.slo.throughput', title: VERIFY_CHECK_TITLES['verify.slo.throughput'], description: '`verify --load` holds slo.targetRps for slo.loadSeconds (bounded: 300 s, 20000 requests, 256 in flight) with p95, p99 and error-rate gates; skip without --load.' },
  { id: 'verify.logs.exist', title: VERIFY_CHECK_TITLES['verify.logs.exist'], description: "the endpoint's and the Lambda's log groups have a stream written since verify's traffic (polled up to --telemetry-timeout); skip on the local chain." },
  { id: 'verify.logs.errors', title: VERIFY_CHECK_TITLES['verify.logs.errors'], description: 'no error/fatal JSON line and no Lambda platform error (Invoke Error, timeout, exit) in either log group since the endpoint was last deployed; skip on the local chain.' },
  { id: 'verify.logs.requests', title: VERIFY_CHECK_TITLES['verify.logs.requests'], description: "the X-Request-Id values verify sent appear in the Lambda's log group (polled); skip on the local chain." },
  { id: 'verify.metrics', title: VERIFY_CHECK_TITLES['verify.metrics'], description: 'GetMetricData shows Invocations and ModelLatency datapoints for the variant during verify and Lambda Errors = 0 (polled); skip on the local chain.' },
  { id: 'verify.utilization', title: VERIFY_CHECK_TITLES['verify.utilization'], description: "the variant's peak CPUUtilization and MemoryUtilization during verify's load are within slo.maxCpuUtilization / slo.maxMemoryUtilization (default 80); skip on the local chain." },
];

/** A test the generator emits into every project (`npm test`, which `doctor.tests` runs). */
export interface TestCheckInfo extends CheckInfo {
  /** The template that emits it, relative to the repository root. */
  template: string;
}

/** The generated project's own tests, by template. Append yours. */
export const TEST_CHECKS: readonly TestCheckInfo[] = [
  { id: 'test.health', title: 'health endpoints', template: 'templates/common/tests/health.test.ts.ejs', description: 'GET /ping answers 200 once the model loaded, /health/ready reports UP, a missing artifact fails the model check.' },
  { id: 'test.inference', title: 'inference', template: 'templates/common/tests/inference.test.ts.ejs', description: 'POST /invocations with sample-request.json gets one valid prediction per instance.' },
  { id: 'test.invalid-input', title: 'invalid input', template: 'templates/common/tests/invalid-input.test.ts.ejs', description: 'a missing field or wrong type is a 400 naming the field, non-JSON a 400, an unsupported content type a 415.' },
  { id: 'test.golden', title: 'golden set', template: 'templates/common/tests/golden.test.ts.ejs', description: 'every line of tests/golden.jsonl, replayed over HTTP through the real service, gets the answer the trained model gave (within its tolerance); a placeholder file fails.' },
  { id: 'test.model-artifact', title: 'model artifact', template: 'templates/common/tests/model-artifact.test.ts.ejs', description: 'the artifact in model/ has the SHA-256 that src/model_loader.ts pins and release.yaml records.' },
];

export type CheckPhase = 'doctor' | 'verify' | 'test';

export interface CatalogEntry {
  id: string;
  title: string;
  phase: CheckPhase;
  description: string;
  covers?: readonly number[];
  /** The option that runs it when it is not in the command's default run (doctor's image checks: `--image`). */
  option?: string;
}

function entry(info: CheckInfo, phase: CheckPhase): CatalogEntry {
  return { id: info.id, title: info.title, phase, description: info.description ?? info.title, ...(info.covers ? { covers: info.covers } : {}) };
}

/** Every check with a stable id, the one list doctor, verify, the generated tests and docs/checklist.md agree on. */
export function checkCatalog(): CatalogEntry[] {
  return [
    // Every doctor check: the default run, then the ones behind `doctor --image`.
    ...PREDEPLOY_CHECKS.map((c) => entry(c, 'doctor')),
    ...IMAGE_CHECKS.map((c) => ({ ...entry(c, 'doctor'), option: '--image' })),
    ...VERIFY_CHECKS.map((c) => entry(c, 'verify')),
    ...TEST_CHECKS.map((c) => entry(c, 'test')),
  ];
}

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
