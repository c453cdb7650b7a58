// A redis-server of the test's own, on a loopback port, that the test may SIGKILL and
// restart (never the shared one from Jest's global setup).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly alive: boolean;
  /** SIGKILL: no goodbye to clients, like a crashed or OOM-killed server. */
  kill(): Promise<void>;
  /** SIGSTOP: the socket stays open and nothing answers, like an overloaded or stalled server. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** A fresh, empty server on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

export async function startRedis(port: number): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ms-redis-own-'));
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    child = proc;
    for (let i = 0; i < 100; i += 1) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode} on port ${port}`);
      if (await pong(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGCONT');
    proc.kill('SIGKILL');
    await exited;
  }

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get alive() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
