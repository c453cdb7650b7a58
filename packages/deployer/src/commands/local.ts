// `model-deploy local [env]`: the release chain on 127.0.0.1 — cognito-local as
// the user pool, an API Gateway stand-in that checks its JWTs, the real Lambda
// proxy handler in process, the real SageMaker Runtime client calling the
// project's runtime server (and a local redis-server when release.yaml asks for
// `cache: redis`). Shows the runtime's and the proxy's log lines prefixed as
// docker-compose does; runs until Ctrl-C / SIGTERM, then stops every process it
// started, each one's whole process group.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { DeployerError } from '../errors.js';
import { spawnChildGroup, type ChildGroup } from '../local-chain/child-group.js';
import { writeCredentialsFile, type CredentialsFile } from '../local-chain/credentials-file.js';
import { freePort, waitUntil } from '../local-chain/free-port.js';
import { startLocalChain, type LocalChain } from '../local-chain/chain.js';
import { startLocalRedis, type LocalRedis } from '../local-chain/local-redis.js';
import type { LineWriter } from '../local-chain/prefix-lines.js';
import { startErrorOf } from '../local-chain/start-error.js';
import { listenForStop, type StopRequest } from '../local-chain/stop-request.js';
import { resourceNames } from '../naming.js';
import { environmentOf, loadRelease } from '../release/load-release.js';
import type { EnvName } from '../release/types.js';
import { containerEnvironment } from '../resources/container-environment.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface LocalOptions extends CommonOptions {
  runtimeUrl?: string;
  fallbackRules?: string;
  startTimeout?: string;
}

export interface LocalHandle {
  chain: LocalChain;
  runtimeUrl: string;
  /** Set when model-deploy started a redis-server for the runtime. */
  redisUrl?: string;
  stop(): Promise<void>;
}

export interface StartLocalContext {
  /** Where the children's and the proxy's prefixed log lines go. */
  logs: LineWriter;
  /** A signal arrived: give up starting. */
  stop?: StopRequest;
}

function chainError(reason: string, cause?: unknown): DeployerError {
  return new DeployerError('MS_DEPLOY_LOCAL_CHAIN', { reason }, { cause });
}

/** `npm start` in the project on a free loopback port, until /ping answers 200. */
async function startProjectRuntime(
  dir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  ctx: StartLocalContext,
): Promise<{ url: string; child: ChildGroup }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnChildGroup({
    command: 'npm',
    args: ['start', '--silent'],
    cwd: dir,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    prefix: '[runtime]',
    out: ctx.logs,
  });
  const ok = await waitUntil(
    async () =>
      child.exited() ||
      ctx.stop?.requested() === true ||
      (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 200,
    Math.ceil(timeoutMs / 250),
    250,
  );
  if (!ok || child.exited() || ctx.stop?.requested()) {
    await child.stop();
    if (ctx.stop?.requested()) throw chainError(`stopped by a signal while \`npm start\` in ${dir} was starting`);
    const said = startErrorOf(child.stderrTail());
    const why = child.exited()
      ? `exited before answering GET /ping on ${url}`
      : `did not answer GET /ping on ${url} within ${timeoutMs} ms`;
    throw chainError(`\`npm start\` in ${dir} ${why}${said ? `: ${said}` : ''}`);
  }
  return { url, child };
}

export async function startLocal(
  rt: CliRuntime,
  envArg: string | undefined,
  opts: LocalOptions,
  ctx: StartLocalContext,
): Promise<LocalHandle> {
  const dir = projectDir(rt, opts);
  const release = await loadRelease(dir);
  const envName = (envArg ?? Object.keys(release.environments)[0]) as EnvName;
  environmentOf(release, envName);
  const names = resourceNames(release, envName);
  const fallbackRules = opts.fallbackRules ? await readFile(resolve(dir, opts.fallbackRules), 'utf8') : undefined;
  // Stopped in reverse order: the runtime before the cache it uses.
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
  };
  let runtimeUrl = opts.runtimeUrl;
  let redis: LocalRedis | undefined;
  try {
    if (!runtimeUrl) {
      // release.yaml's settings as in the SageMaker container; the user's own MS_* win.
      const env: NodeJS.ProcessEnv = { ...containerEnvironment(release, envName), ...process.env };
      if (env.MS_CACHE === 'redis') {
        redis = await startLocalRedis({ out: ctx.logs });
        stoppers.push(redis.stop);
        env.MS_REDIS_URL = redis.url;
      }
      const started = await startProjectRuntime(dir, env, Number(opts.startTimeout ?? 120) * 1000, ctx);
      stoppers.push(started.child.stop);
      runtimeUrl = started.url;
    }
    const chain = await startLocalChain({
      runtimeUrl,
      endpointName: names.endpoint,
      functionName: names.lambda,
      stage: names.stage,
      poolName: names.userPool,
      clientName: names.userPoolClient,
      fallbackRules,
      allowOrigins: release.api.cors.allowOrigins,
      log: (entry) => ctx.logs.write(`[proxy] ${JSON.stringify(entry)}\n`),
    }).catch((err: unknown) => {
      throw chainError((err as Error).message, err);
    });
    stoppers.push(chain.close);
    return { chain, runtimeUrl, redisUrl: redis?.url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** What to tell the user: where the API is, where its credentials are, and how to run verify on it. */
export function describeLocal(handle: LocalHandle, env: string, credentials: CredentialsFile) {
  const { chain } = handle;
  const file = credentials.path;
  return {
    apiUrl: chain.apiUrl,
    predict: `${chain.apiUrl}/predict`,
    health: `${chain.apiUrl}/health`,
    runtimeUrl: handle.runtimeUrl,
    ...(handle.redisUrl ? { redisUrl: handle.redisUrl } : {}),
    cognitoUrl: chain.cognitoUrl,
    userPoolId: chain.pool.poolId,
    clientId: chain.pool.clientId,
    username: chain.pool.username,
    /** MODEL_DEPLOY_PASSWORD, MODEL_DEPLOY_TOKEN and the AWS_* variables verify needs; 0600. */
    credentialsFile: file,
    call: [
      `. ${file}`,
      `curl -s -X POST ${chain.apiUrl}/predict -H "Authorization: $MODEL_DEPLOY_TOKEN" -H 'Content-Type: application/json' -d @sample-request.json`,
    ],
    getToken: `aws cognito-idp initiate-auth --endpoint-url ${chain.cognitoUrl} --region local --auth-flow USER_PASSWORD_AUTH --client-id ${chain.pool.clientId} --auth-parameters USERNAME=${chain.pool.username},PASSWORD=$MODEL_DEPLOY_PASSWORD --query AuthenticationResult.IdToken --output text`,
    verify: [
      `. ${file}`,
      `model-deploy verify ${env} --url ${chain.apiUrl} --username ${chain.pool.username} --client-id ${chain.pool.clientId}`,
    ],
  };
}

function describeText(info: ReturnType<typeof describeLocal>): string {
  return [
    `API (local):  POST ${info.predict}   GET ${info.health}`,
    `runtime:      ${info.runtimeUrl}`,
    ...(info.redisUrl ? [`cache:        ${info.redisUrl} (a local redis-server, emptied on stop)`] : []),
    `user pool:    ${info.cognitoUrl} (${info.userPoolId}), client ${info.clientId}, user ${info.username}`,
    `credentials:  ${info.credentialsFile} (password and ID token of the local user; removed on stop)`,
    '',
    'Call it:',
    ...info.call.map((line) => `  ${line}`),
    'A fresh token:',
    `  ${info.getToken}`,
    'Verify it like a deployed environment:',
    ...info.verify.map((line) => `  ${line}`),
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
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
      // Listen before starting anything: the children run in their own process groups, so a
      // Ctrl-C reaches only model-deploy, which must stop them itself.
      const stop = listenForStop();
      try {
        // Log lines beside --json's document go to stderr, so stdout stays one JSON value.
        const logs = opts.json ? rt.io.stderr : rt.io.stdout;
        let handle: LocalHandle;
        try {
          handle = await startLocal(rt, env, opts, { logs, stop });
        } catch (err) {
          if (stop.requested()) return exit(0);
          throw err;
        }
        let credentials: CredentialsFile | undefined;
        try {
          credentials = await writeCredentialsFile({
            ...handle.chain.awsEnv,
            MODEL_DEPLOY_PASSWORD: handle.chain.pool.password,
            MODEL_DEPLOY_TOKEN: await handle.chain.token(),
          });
          const info = describeLocal(handle, env ?? handle.chain.apiUrl.split('/').pop()!, credentials);
          if (opts.json) writeJson(rt, info);
          else rt.io.stdout.write(describeText(info));
          await (untilStopped ?? (() => stop.stopped))();
        } finally {
          await handle.stop();
          await credentials?.remove();
        }
        exit(0);
      } finally {
        stop.dispose();
      }
    });
}
