// A throwaway redis-server for a `cache: redis` project under `model-deploy local`: 127.0.0.1 on
// a free port, no persistence, its own temp dir, in its own process group so it stops with the
// rest. model-deploy installs nothing: a missing redis-server is a user error naming the package.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployerError } from '../errors.js';
import { spawnChildGroup, type ChildGroup } from './child-group.js';
import { freePort, waitUntil } from './free-port.js';
import type { LineWriter } from './prefix-lines.js';

export interface LocalRedis {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

function redisServerPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v "$0"`, command], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

/** One PING over a raw socket: true on +PONG. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const end = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => end(false));
    socket.once('error', () => end(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) end(reply.startsWith('+PONG'));
    });
  });
}

export async function startLocalRedis(
  options: { command?: string; out?: LineWriter; readyTimeoutMs?: number } = {},
): Promise<LocalRedis> {
  const command = options.command ?? 'redis-server';
  const path = redisServerPath(command);
  if (!path) throw new DeployerError('MS_DEPLOY_LOCAL_REDIS_MISSING', { command });
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ms-local-redis-'));
  const server: ChildGroup = spawnChildGroup({
    command: path,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    cwd: dir,
    prefix: '[redis]',
    out: options.out,
    killAfterMs: 3000,
  });
  const stop = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  const ready = await waitUntil(async () => server.exited() || (await pings(port)), Math.ceil(timeoutMs / 100), 100);
  if (!ready || server.exited()) {
    await stop();
    const said = server.stderrTail().trim().split('\n').slice(-3).join(' | ');
    throw new DeployerError('MS_DEPLOY_LOCAL_CHAIN', {
      reason: `redis-server did not answer PING on 127.0.0.1:${port} within ${timeoutMs} ms${said ? `: ${said}` : ''}`,
    });
  }
  return { url: `redis://127.0.0.1:${port}`, pid: server.pid, stop };
}
