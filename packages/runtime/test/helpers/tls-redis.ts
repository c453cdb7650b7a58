// A redis-server of the test's own that speaks only TLS (no plaintext port), with a throwaway
// self-signed certificate for 127.0.0.1 made by openssl, and ACLs like an ElastiCache cache with
// IAM authentication: the default user is off, so every connection must AUTH as a named user.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface TlsRedis {
  readonly port: number;
  /** rediss://127.0.0.1:<port> */
  readonly url: string;
  /** The PEM file to trust (the certificate is its own CA). */
  readonly caFile: string;
  /** A connection as an admin user, for ACL SETUSER, CLIENT LIST and INFO. */
  readonly admin: Redis;
  /** Creates or replaces `user`, whose only password is `password`, allowed every key and command. */
  setUser(user: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = 'test-admin-password';

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export async function startTlsRedis(): Promise<TlsRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'ms-redis-tls-'));
  const { cert, key } = makeCertificate(dir);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
      ...['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'],
      ...['--save', '', '--appendonly', 'no', '--dir', dir],
    ],
    { stdio: 'ignore' },
  );
  const tls = { ca: readFileSync(cert) };
  const admin = new Redis({ host: '127.0.0.1', port, tls, lazyConnect: true, maxRetriesPerRequest: 0 });
  admin.on('error', () => undefined);
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server (TLS) exited with ${child.exitCode} on port ${port}`);
    try {
      await admin.connect();
      break;
    } catch (error) {
      if (attempt >= 100) {
        child.kill('SIGKILL');
        throw new Error(`redis-server (TLS) on port ${port} did not answer within 5 s`, { cause: error });
      }
      admin.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await admin.call('ACL', 'SETUSER', 'admin', 'on', `>${ADMIN_PASSWORD}`, '~*', '&*', '+@all');
  await admin.auth('admin', ADMIN_PASSWORD);
  await admin.call('ACL', 'SETUSER', 'default', 'off');

  return {
    port,
    url: `rediss://127.0.0.1:${port}`,
    caFile: cert,
    admin,
    async setUser(user, password) {
      await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~*', '+@all');
    },
    async stop() {
      admin.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
