// Runs examples/iris exactly as `npm start` does (node + the script from its package.json) in a
// child process on a free loopback port, and waits until /ping answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const IRIS_DIR = join(REPO_ROOT, 'examples', 'iris');

/** The file `npm start` runs, read from examples/iris/package.json ("exec node <file>"). */
export function irisEntry(): string {
  const pkg = JSON.parse(readFileSync(join(IRIS_DIR, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const match = /^(?:exec )?node (\S+)$/.exec(pkg.scripts.start);
  if (!match) throw new Error(`examples/iris start script is "${pkg.scripts.start}", expected "exec node <file>"`);
  const entry = join(IRIS_DIR, match[1]!);
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build\` at the repo root first (npm test does).`);
  return entry;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface IrisProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

/** `until: 'listening'` returns on any HTTP answer to /ping (e.g. 503 from an unhealthy model). */
export async function startIris(
  env: Record<string, string> = {},
  until: 'ready' | 'listening' = 'ready',
): Promise<IrisProcess> {
  const entry = irisEntry();
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    cwd: IRIS_DIR,
    env: { ...process.env, NODE_OPTIONS: '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => {
    child.once('exit', (code, signal) => {
      done = true;
      ok({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const proc: IrisProcess = {
    port,
    url,
    child,
    exited,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  for (let i = 0; i < 300; i += 1) {
    if (done) throw new Error(`examples/iris exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`${url}/ping`);
      await res.arrayBuffer();
      if (res.status === 200 || until === 'listening') return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(`examples/iris did not answer /ping within 30 s:\n${out}`);
}
