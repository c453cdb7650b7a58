// `model-deploy local [env]`: the release chain on 127.0.0.1 — cognito-local as
// the user pool, an API Gateway stand-in that checks its JWTs, the real Lambda
// proxy handler in process, the real SageMaker Runtime client calling the
// project's runtime server. Prints the URL, a token and the `verify` line; runs
// until Ctrl-C / SIGTERM, then stops every child it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { DeployerError } from '../errors.js';
import { freePort, waitUntil } from '../local-chain/free-port.js';
import { startLocalChain, type LocalChain } from '../local-chain/chain.js';
import { startErrorOf } from '../local-chain/start-error.js';
import { resourceNames } from '../naming.js';
import { environmentOf, loadRelease } from '../release/load-release.js';
import type { EnvName } from '../release/types.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface LocalOptions extends CommonOptions {
  runtimeUrl?: string;
  fallbackRules?: string;
  startTimeout?: string;
}

export interface LocalHandle {
  chain: LocalChain;
  runtimeUrl: string;
  stop(): Promise<void>;
}

function chainError(reason: string, cause?: unknown): DeployerError {
  return new DeployerError('MS_DEPLOY_LOCAL_CHAIN', { reason }, { cause });
}

/** `npm start` in the project on a free loopback port, until /ping answers 200. */
async function startProjectRuntime(dir: string, timeoutMs: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['start', '--silent'], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const ok = await waitUntil(
    async () => exited || (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 200,
    Math.ceil(timeoutMs / 250),
    250,
  );
  if (!ok || exited) {
    child.kill('SIGTERM');
    const said = startErrorOf(stderr);
    const why = exited
      ? `exited before answering GET /ping on ${url}`
      : `did not answer GET /ping on ${url} within ${timeoutMs} ms`;
    throw chainError(`\`npm start\` in ${dir} ${why}${said ? `: ${said}` : ''}`);
  }
  return { url, child };
}

export async function startLocal(rt: CliRuntime, envArg: string | undefined, opts: LocalOptions): Promise<LocalHandle> {
  const dir = projectDir(rt, opts);
  const release = await loadRelease(dir);
  const envName = (envArg ?? Object.keys(release.environments)[0]) as EnvName;
  environmentOf(release, envName);
  const names = resourceNames(release, envName);
  const fallbackRules = opts.fallbackRules ? await readFile(resolve(dir, opts.fallbackRules), 'utf8') : undefined;
  let child: ChildProcess | undefined;
  let runtimeUrl = opts.runtimeUrl;
  if (!runtimeUrl) {
    const started = await startProjectRuntime(dir, Number(opts.startTimeout ?? 120) * 1000);
    child = started.child;
    runtimeUrl = started.url;
  }
  let chain: LocalChain;
  try {
    chain = await startLocalChain({
      runtimeUrl,
      endpointName: names.endpoint,
      functionName: names.lambda,
      stage: names.stage,
      poolName: names.userPool,
      clientName: names.userPoolClient,
      fallbackRules,
      allowOrigins: release.api.cors.allowOrigins,
    });
  } catch (err) {
    child?.kill('SIGTERM');
    throw chainError((err as Error).message, err);
  }
  return {
    chain,
    runtimeUrl,
    stop: async () => {
      await chain.close();
      if (child && child.exitCode === null) {
        const exited = new Promise((done) => child!.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** What to tell the user: where the API is, a token, and how to run verify on it. */
export async function describeLocal(handle: LocalHandle, env: string) {
  const { chain } = handle;
  const token = await chain.token();
  const exports = Object.entries({ ...chain.awsEnv, MODEL_DEPLOY_PASSWORD: chain.pool.password }).map(
    ([k, v]) => `export ${k}=${v}`,
  );
  return {
    apiUrl: chain.apiUrl,
    predict: `${chain.apiUrl}/predict`,
    health: `${chain.apiUrl}/health`,
    runtimeUrl: handle.runtimeUrl,
    cognitoUrl: chain.cognitoUrl,
    userPoolId: chain.pool.poolId,
    clientId: chain.pool.clientId,
    username: chain.pool.username,
    token,
    getToken: `aws cognito-idp initiate-auth --endpoint-url ${chain.cognitoUrl} --region local --auth-flow USER_PASSWORD_AUTH --client-id ${chain.pool.clientId} --auth-parameters USERNAME=${chain.pool.username},PASSWORD=$MODEL_DEPLOY_PASSWORD --query AuthenticationResult.IdToken --output text`,
    verify: [
      ...exports,
      `model-deploy verify ${env} --url ${chain.apiUrl} --username ${chain.pool.username} --client-id ${chain.pool.clientId}`,
    ],
  };
}

export function localCommand(
  rt: CliRuntime,
  exit: (code: number) => void,
  untilStopped?: () => Promise<void>,
): Command {
  return new Command('local')
    .description(
      'run the API chain on 127.0.0.1: Cognito (cognito-local) -> API Gateway stand-in -> Lambda proxy -> runtime',
    )
    .argument('[env]', 'environment whose names and settings to use (default: the first in release.yaml)')
    .option('--runtime-url <url>', 'use this running runtime server instead of starting `npm start`')
    .option('--fallback-rules <file>', 'JSON fallback rules for the proxy (as MS_FALLBACK_RULES)')
    .option('--start-timeout <seconds>', 'how long `npm start` may take to answer /ping', '120')
    .action(async (env: string | undefined, opts: LocalOptions) => {
      const handle = await startLocal(rt, env, opts);
      try {
        const info = await describeLocal(handle, env ?? handle.chain.apiUrl.split('/').pop()!);
        if (opts.json) writeJson(rt, info);
        else {
          rt.io.stdout.write(
            [
              `API (local):  POST ${info.predict}   GET ${info.health}`,
              `runtime:      ${info.runtimeUrl}`,
              `user pool:    ${info.cognitoUrl} (${info.userPoolId}), client ${info.clientId}, user ${info.username}`,
              '',
              'Call it:',
              `  curl -s -X POST ${info.predict} -H "Authorization: ${info.token}" -H 'Content-Type: application/json' -d @sample-request.json`,
              'A fresh token:',
              `  ${info.getToken}`,
              'Verify it like a deployed environment:',
              ...info.verify.map((line) => `  ${line}`),
              '',
              'Ctrl-C stops everything.',
              '',
            ].join('\n'),
          );
        }
        await (untilStopped ?? waitForSignal)();
      } finally {
        await handle.stop();
      }
      exit(0);
    });
}

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
