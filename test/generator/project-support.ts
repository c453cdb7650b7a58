// What a user does before @model-service/* is published: `npm pack` the runtime, then
// `npx model-service init <name> --yes --runtime-source <tgz>` (the real bin, compiled), then
// npm in the new project. Shared by the end-to-end and container tests.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { run, type RunResult } from '../support/container.js';
import { ensureGeneratorBuilt } from './build.js';
import { ROOT } from './helpers.js';

const BIN = join(ROOT, 'generators', 'bin', 'model-service.js');

/** The environment npm and the project's tools see: no Jest VM-modules flags, no CI-only noise. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false', ...extra };
  // Set by a parent `npm test`/`npm run`: they would point the child npm at the monorepo.
  for (const key of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(key) || key === 'INIT_CWD') delete env[key];
  return env;
}

function must(result: RunResult, what: string): RunResult {
  if (result.status !== 0)
    throw new Error(
      `${what} failed (exit ${result.status}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
    );
  return result;
}

/** `npm pack` of packages/runtime (built by scripts/test.sh; built here when dist is missing). */
export async function packRuntime(dest: string): Promise<string> {
  if (!existsSync(join(ROOT, 'packages', 'runtime', 'dist', 'index.js'))) {
    must(
      await run('npx', ['tsc', '-b', 'packages/runtime'], { cwd: ROOT, timeoutMs: 180_000, env: childEnv() }),
      'building packages/runtime',
    );
  }
  const packed = must(
    await run('npm', ['pack', '--json', '--pack-destination', dest, '-w', '@model-service/runtime'], {
      cwd: ROOT,
      timeoutMs: 120_000,
      env: childEnv(),
    }),
    'npm pack -w @model-service/runtime',
  );
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  return join(dest, info!.filename);
}

/** The real bin, non-interactive, without its npm install (the test runs npm itself). */
export async function generateProject(parent: string, name: string, flags: string[]): Promise<string> {
  ensureGeneratorBuilt();
  must(
    await run(process.execPath, [BIN, 'init', name, '--yes', '--skip-install', ...flags], {
      cwd: parent,
      timeoutMs: 120_000,
      env: childEnv(),
    }),
    `model-service init ${name}`,
  );
  return join(parent, name);
}

/** npm in the generated project; the registry is reachable but the local cache is preferred. */
export async function npm(
  dir: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<RunResult> {
  return run('npm', args, { cwd: dir, timeoutMs, env: childEnv(env) });
}

export const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

export function readJson<T = Record<string, any>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

/** One HTTP/1.1 request over a fresh TCP socket (no keep-alive: nothing left open). */
export function http(
  url: string,
  method = 'GET',
  body?: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          ...headers,
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          ok({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', fail);
    req.end(body);
  });
}

/** Polls GET /ping until 200; bounded by `attempts` x 250 ms. */
export async function waitForPing(base: string, output: () => string, attempts = 240): Promise<void> {
  let last = 'no answer';
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await http(`${base}/ping`);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${res.body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base}/ping never answered 200 (last: ${last}). Service output:\n${output().slice(-4000)}`);
}
