// Starts one real redis-server on a free loopback port for the whole run and
// publishes its URL as REDIS_URL. scripts/test.sh installs redis-server when missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const which = spawnSync('which', ['redis-server']);
  if (which.status !== 0) {
    throw new Error(
      'redis-server is not installed: run `npm test` (scripts/test.sh installs it) or `apt-get install -y redis-server`.',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ms-redis-'));
  const pidfile = join(dir, 'redis.pid');
  const started = spawnSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--dir',
    dir,
  ]);
  if (started.status !== 0) throw new Error(`redis-server failed to start: ${started.stderr}`);
  for (let i = 0; i < 50; i += 1) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping']);
    if (String(ping.stdout).trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  process.env.MS_TEST_REDIS_PIDFILE = pidfile;
  globalThis.__msRedisPid = Number(readFileSync(pidfile, 'utf8'));
}
