// `npm start` ends the server it started when it is told to stop: SIGTERM or SIGINT sent to the
// npm process alone (as `kill <pid>` or a process manager does; Ctrl-C signals the whole group)
// reaches node through npm and its shell, the server drains, and nothing keeps the port.
// Real processes: the repository's `npm start` (examples/iris) and a generated project's
// (examples/churn, whose package.json is the generator's output). Needs the build (npm run build).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

async function until(what: string, cond: () => Promise<boolean>, output: () => string, tries: number): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
}

interface Started {
  npm: ChildProcess;
  port: number;
  output: () => string;
  exited: () => boolean;
}

async function npmStart(cwd: string): Promise<Started> {
  const port = await freePort();
  // Its own process group, so the signal below reaches npm alone, never the shell or node.
  const npm = spawn('npm', ['start'], {
    cwd,
    detached: true,
    env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  npm.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let exited = false;
  npm.once('exit', () => (exited = true));
  await until(
    `npm start in ${cwd} to listen on ${port}`,
    () => listening(port),
    () => out,
    720,
  );
  return { npm, port, output: () => out, exited: () => exited };
}

/** Ends whatever is left of the group (only when the test failed), so no run leaks a server. */
function cleanUp(started: Started | undefined): void {
  if (!started?.npm.pid) return;
  try {
    process.kill(-started.npm.pid, 'SIGKILL');
  } catch {
    // the group is gone: nothing was left behind
  }
}

/** npm exits and the port closes, each within 10 s of the signal. */
async function stopped(started: Started): Promise<void> {
  await until('npm to exit', async () => started.exited(), started.output, 40);
  await until('the port to close', async () => !(await listening(started.port)), started.output, 40);
  expect(await listening(started.port)).toBe(false);
}

const CHURN = join(ROOT, 'examples', 'churn');

describe('npm start stops its server on a signal', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    'a generated project (examples/churn): %s to npm leaves nothing listening',
    async (signal) => {
      expect(existsSync(join(CHURN, 'dist', 'server.js'))).toBe(true);
      let started: Started | undefined;
      try {
        started = await npmStart(CHURN);
        started.npm.kill(signal);
        await stopped(started);
      } finally {
        cleanUp(started);
      }
    },
    60_000,
  );

  test('the repository (examples/iris through scripts/start.sh): SIGTERM to npm leaves nothing listening', async () => {
    let started: Started | undefined;
    try {
      started = await npmStart(ROOT);
      expect(started.output()).toContain(`http://127.0.0.1:${started.port}/docs`);
      expect(started.output()).not.toMatch(/\bopen http/);
      started.npm.kill('SIGTERM');
      await stopped(started);
    } finally {
      cleanUp(started);
    }
  }, 240_000);
});
