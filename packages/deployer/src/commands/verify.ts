// `model-deploy verify <env>`: the post-deployment checklist against what is
// deployed, printed as pass/fail, recorded on the endpoint as a tag for
// `promote`. Exit 0 = every check passed, 1 = a check failed or verify could
// not run, 2 = usage. Runs unchanged against the local chain: point the SDK
// with AWS_ENDPOINT_URL_* and pass --url and a token source.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AddTagsCommand } from '@aws-sdk/client-sagemaker';
import { Command } from 'commander';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../aws/clients.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import { requireCredentials } from '../aws/require-credentials.js';
import { runVerifyChecks } from '../checks/verify-checks.js';
import type { VerifyReport } from '../checks/verify-context.js';
import { GOLDEN_FILE, loadGoldenSet } from '../checks/verify-golden.js';
import { MAX_LOAD_SECONDS } from '../checks/verify-throughput.js';
import { formatVerifiedTag, VERIFIED_TAG } from '../checks/verify-tag.js';
import { diagnoseEndpoint, FAILED_STATES } from '../diagnosis/diagnose-endpoint.js';
import { renderDiagnosis } from '../diagnosis/render-diagnosis.js';
import { DeployerError } from '../errors.js';
import { LOCAL_CHAIN_ENV } from '../local-chain/chain.js';
import { fetchIdToken } from '../local-chain/cognito-local.js';
import { resourceNames, type ResourceNames } from '../naming.js';
import { SERVICE_METRICS_NAMESPACE, serviceMetricDimensions } from '../resources/service-metrics.js';
import { vpcOf } from '../resources/vpc.js';
import { isServerless } from '../resources/serverless.js';
import { environmentOf, loadRelease } from '../release/load-release.js';
import type { EnvName } from '../release/types.js';
import { apiUrl, findApi } from '../resources/api-gateway.js';
import { findClientId, findPoolId } from '../resources/cognito.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';
import { clientCredentialsToken } from './verify-client-token.js';

export interface VerifyOptions extends CommonOptions {
  url?: string;
  token?: string;
  username?: string;
  clientId?: string;
  sample?: string;
  invalidSample?: string;
  golden?: string;
  skipGolden?: boolean;
  requests?: string;
  concurrency?: string;
  record?: boolean;
  load?: boolean;
  loadSeconds?: string;
  telemetryTimeout?: string;
}

/** release.yaml's slo with the fields verify's newer checks read (schema defaults; older files lack them). */
export interface VerifySlo {
  p95LatencyMs: number;
  errorRate: number;
  p99LatencyMs?: number;
  targetRps?: number;
  loadSeconds?: number;
  maxCpuUtilization?: number;
  maxMemoryUtilization?: number;
}

export const SLO_DEFAULTS = {
  targetRps: 10,
  loadSeconds: 30,
  maxCpuUtilization: 80,
  maxMemoryUtilization: 80,
} as const;
/** How long the CloudWatch checks wait for logs and metrics to show verify's traffic. */
export const DEFAULT_TELEMETRY_TIMEOUT_S = 300;
const TELEMETRY_INTERVAL_MS = 15_000;

/** Where a generated project keeps its sample request (first found wins). */
export const SAMPLE_CANDIDATES = [
  'sample-request.json',
  'samples/request.json',
  'tests/fixtures/sample-request.json',
  'test/fixtures/sample-request.json',
];
export const DEFAULT_INVALID_BODY = '{"instances":"not-a-list"}';

function input(env: string, reason: string): DeployerError {
  return new DeployerError('MS_DEPLOY_VERIFY_INPUT', { env, reason });
}

function intOption(env: string, name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw input(env, `--${name} must be an integer in 1..${max} (got ${raw})`);
  return n;
}

async function sampleBody(env: string, dir: string, file: string | undefined): Promise<string> {
  const path = file ? resolve(dir, file) : SAMPLE_CANDIDATES.map((c) => join(dir, c)).find((c) => existsSync(c));
  if (!path) throw input(env, `no sample request found (looked for ${SAMPLE_CANDIDATES.join(', ')})`);
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw input(env, `cannot read ${path}: ${err.message}`);
  });
  try {
    JSON.parse(text);
  } catch {
    throw input(env, `${path} is not JSON`);
  }
  return text;
}

async function findApiUrl(clients: AwsClients, names: ResourceNames, region: string, env: string): Promise<string> {
  const api = await findApi(clients.apiGateway, names.api);
  if (!api?.id)
    throw input(env, `API ${names.api} not found in ${region}; deploy with \`model-deploy up ${env}\` or pass --url`);
  return apiUrl(api.id, region, names.stage);
}

async function verifyClientId(clients: AwsClients, names: ResourceNames, env: string): Promise<string> {
  const poolId = await findPoolId(clients.cognito, names.userPool);
  if (!poolId) throw input(env, `user pool ${names.userPool} not found; pass --client-id`);
  const clientId = await findClientId(clients.cognito, poolId, names.userPoolClient);
  if (!clientId)
    throw input(env, `app client ${names.userPoolClient} not found in ${names.userPool}; pass --client-id`);
  return clientId;
}

export async function runVerify(
  rt: CliRuntime,
  envArg: string,
  opts: VerifyOptions,
): Promise<{ code: number; report: VerifyReport }> {
  const dir = projectDir(rt, opts);
  const release = await loadRelease(dir);
  environmentOf(release, envArg);
  const env = envArg as EnvName;
  const names = resourceNames(release, env);
  const serverless = isServerless(release.environments[env]!);
  const requests = intOption(env, 'requests', opts.requests, 50, 1000);
  const concurrency = intOption(env, 'concurrency', opts.concurrency, 4, 32);
  const slo = release.slo as VerifySlo;
  const loadSeconds = intOption(
    env,
    'load-seconds',
    opts.loadSeconds,
    slo.loadSeconds ?? SLO_DEFAULTS.loadSeconds,
    MAX_LOAD_SECONDS,
  );
  const telemetryTimeoutS = intOption(
    env,
    'telemetry-timeout',
    opts.telemetryTimeout,
    DEFAULT_TELEMETRY_TIMEOUT_S,
    1800,
  );
  const body = await sampleBody(env, dir, opts.sample);
  const invalidBody = opts.invalidSample ? await sampleBody(env, dir, opts.invalidSample) : DEFAULT_INVALID_BODY;
  const golden = opts.skipGolden ? undefined : await loadGoldenSet(dir, opts.golden);
  const vars = rt.io.env;
  const clients = (rt.deps.createClients ?? createAwsClients)({ region: release.region, env: vars });
  try {
    await requireCredentials(clients);
    const url = opts.url ?? vars.MODEL_DEPLOY_API_URL ?? (await findApiUrl(clients, names, release.region, env));
    const given = opts.token ?? vars.MODEL_DEPLOY_TOKEN;
    const username = opts.username ?? vars.MODEL_DEPLOY_USERNAME;
    const password = vars.MODEL_DEPLOY_PASSWORD;
    // No human credential given: the verify client `up` stored, read under this caller's AWS
    // credentials; its access token is for the route that checks the API's scope.
    const machine = !given && !username && !password;
    const token = async () => {
      if (given) return given;
      if (machine)
        return clientCredentialsToken({
          secrets: await lazyClient({ clients, region: release.region }, 'secretsManager'),
          secretName: names.verifySecret,
          env,
        });
      if (!username || !password)
        throw new Error('--username needs MODEL_DEPLOY_PASSWORD, and the password a username');
      const clientId = opts.clientId ?? vars.MODEL_DEPLOY_CLIENT_ID ?? (await verifyClientId(clients, names, env));
      return fetchIdToken(
        vars.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || vars.AWS_ENDPOINT_URL || undefined,
        clientId,
        username,
        password,
        release.region,
      );
    };
    const report = await runVerifyChecks({
      env,
      endpointName: names.endpoint,
      functionName: names.lambda,
      apiUrl: url,
      token,
      predictPath: machine ? 'machine-predict' : 'predict',
      sampleBody: body,
      invalidBody,
      golden,
      requests,
      concurrency,
      slo: release.slo,
      sagemaker: clients.sagemaker,
      lambda: clients.lambda,
      vpc: vpcOf(release, env),
      runId: randomBytes(4).toString('hex'),
      ...(serverless ? { serverless } : {}),
      ...(opts.load
        ? {
            load: {
              targetRps: slo.targetRps ?? SLO_DEFAULTS.targetRps,
              seconds: loadSeconds,
              p95LatencyMs: slo.p95LatencyMs,
              p99LatencyMs: slo.p99LatencyMs ?? slo.p95LatencyMs * 2,
              errorRate: slo.errorRate,
            },
          }
        : {}),
      telemetry: {
        env,
        endpointName: names.endpoint,
        variantName: names.variant,
        functionName: names.lambda,
        endpointLogGroup: names.endpointLogGroup,
        lambdaLogGroup: names.lambdaLogGroup,
        limits: {
          maxCpuUtilization: slo.maxCpuUtilization ?? SLO_DEFAULTS.maxCpuUtilization,
          maxMemoryUtilization: slo.maxMemoryUtilization ?? SLO_DEFAULTS.maxMemoryUtilization,
        },
        ...(serverless ? { serverless } : {}),
        logs: clients.logs,
        cloudWatch: clients.cloudWatch,
        serviceMetrics: {
          namespace: SERVICE_METRICS_NAMESPACE,
          dimensions: serviceMetricDimensions(release, env, names),
        },
        poll: { timeoutMs: telemetryTimeoutS * 1000, intervalMs: TELEMETRY_INTERVAL_MS },
        ...(vars[LOCAL_CHAIN_ENV] === '1'
          ? {
              skipReason: `local chain (${LOCAL_CHAIN_ENV}=1): no CloudWatch to read; the proxy and runtime log to the console of \`model-deploy local\``,
            }
          : {}),
      },
    });
    let recorded: string | undefined;
    if (opts.record !== false && report.endpoint?.arn && report.endpoint.configName) {
      // Nothing failed but the golden set was skipped on purpose: promote must not take it.
      const result = !report.ok ? 'fail' : golden ? 'pass' : 'partial';
      const value = formatVerifiedTag({ result, at: new Date().toISOString(), configName: report.endpoint.configName });
      try {
        await clients.sagemaker.send(
          new AddTagsCommand({ ResourceArn: report.endpoint.arn, Tags: [{ Key: VERIFIED_TAG, Value: value }] }),
        );
        recorded = value;
      } catch (err) {
        rt.io.stderr.write(`warning: could not record the result on ${names.endpoint}: ${(err as Error).message}\n`);
      }
    }
    const failed = report.checks.filter((c) => c.status === 'fail');
    // A Failed / rolling back endpoint: say why (FailureReason, log tail, likely cause).
    const diagnosis =
      report.endpoint?.status && FAILED_STATES.has(report.endpoint.status)
        ? await diagnoseEndpoint({ sagemaker: clients.sagemaker, logs: clients.logs }, names.endpoint, {
            logGroup: names.endpointLogGroup,
            observed: report.endpoint.failureReason,
          })
        : undefined;
    if (opts.json)
      writeJson(rt, {
        ...report,
        recorded: recorded ? { [VERIFIED_TAG]: recorded } : undefined,
        ...(diagnosis ? { diagnosis } : {}),
      });
    else {
      for (const c of report.checks) {
        const mark = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'SKIP';
        rt.io.stdout.write(`${mark}  ${c.id.padEnd(34)} ${c.message}\n`);
        if (c.status === 'fail' && c.fix) rt.io.stdout.write(`      -> ${c.fix}\n`);
      }
      if (diagnosis) rt.io.stdout.write(`\n${renderDiagnosis(diagnosis)}`);
      rt.io.stdout.write(
        `\nverify ${env}: ${report.ok ? 'PASS' : 'FAIL'} (${report.checks.length - failed.length}/${report.checks.length} ok)${recorded ? `; recorded ${VERIFIED_TAG}=${recorded}` : ''}\n`,
      );
      if (!report.ok)
        rt.io.stderr.write(
          `${new DeployerError('MS_DEPLOY_VERIFY_FAILED', { env, failed: failed.length, total: report.checks.length, ids: failed.map((c) => c.id).join(', ') }).toUserString()}\n`,
        );
    }
    return { code: report.ok ? 0 : 1, report };
  } finally {
    destroyAwsClients(clients);
  }
}

export function verifyCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('verify')
    .description('run the post-deployment checklist against the environment; exit 0 only when every check passes')
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .option('--url <url>', 'API base URL including the stage (default: found in API Gateway; env MODEL_DEPLOY_API_URL)')
    .option('--token <jwt>', 'ID token to call the API with (env MODEL_DEPLOY_TOKEN)')
    .option('--username <email>', 'sign in as this pool user (password from env MODEL_DEPLOY_PASSWORD)')
    .option('--client-id <id>', 'Cognito app client id (default: found by name; env MODEL_DEPLOY_CLIENT_ID)')
    .option('--sample <file>', 'a request the model must accept (default: the project sample request)')
    .option('--invalid-sample <file>', `a request the model must refuse (default: ${DEFAULT_INVALID_BODY})`)
    .option('--golden <file>', `the golden set to replay (default: ${GOLDEN_FILE})`)
    .option(
      '--skip-golden',
      'do not replay the golden set (reported as skip; recorded as partial, which promote refuses)',
    )
    .option('--requests <n>', 'requests for the SLO checks (1..1000)', '50')
    .option('--concurrency <n>', 'requests in flight at once (1..32)', '4')
    .option(
      '--load',
      'also hold slo.targetRps for slo.loadSeconds (verify.slo.throughput: achieved rate, p95, p99, error rate)',
    )
    .option('--load-seconds <n>', `duration of the --load run (1..${MAX_LOAD_SECONDS}; default slo.loadSeconds)`)
    .option(
      '--telemetry-timeout <s>',
      `how long, in all, the logs/metrics checks wait for CloudWatch to show verify's traffic (1..1800)`,
      String(DEFAULT_TELEMETRY_TIMEOUT_S),
    )
    .option('--no-record', 'do not tag the endpoint with the result')
    .action(async (env: string, opts: VerifyOptions) => exit((await runVerify(rt, env, opts)).code));
}
