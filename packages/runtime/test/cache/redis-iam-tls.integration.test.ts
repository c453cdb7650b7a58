// The redis cache as the deployer configures it for ElastiCache (MS_REDIS_AUTH=iam, rediss://),
// against a real redis-server that speaks only TLS and whose ACL user's password is the IAM token
// the runtime must compute: fixed credentials from a real container credentials endpoint on
// loopback, and a fixed clock, make the token known in advance.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { loadConfig, serviceOptionsFromConfig } from '../../src/config.js';
import { createService } from '../../src/create-service.js';
import { defaultCredentialsProvider } from '../../src/cache/aws-credentials.js';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import type { CacheFaultError } from '../../src/cache/cache-errors.js';
import { elastiCacheIamAuth } from '../../src/cache/elasticache-iam-auth.js';
import { createRedisStore, type RedisStore } from '../../src/cache/redis-store.js';
import { elasticacheAuthToken } from '../../src/cache/sigv4-presign.js';
import type { CacheOptions, RedisIamAuthOptions } from '../../src/types.js';
import { modelSum } from '../fixtures/model-sum.js';
import { bundleFixture } from '../helpers/bundle-fixture.js';
import { freePort } from '../helpers/free-port.js';
import { memoryLogger } from '../helpers/memory-logger.js';
import { startRedis } from '../helpers/redis-process.js';
import { startTlsRedis, type TlsRedis } from '../helpers/tls-redis.js';

const USER = 'ms-iris-dev-cache-user';
const CACHE = 'ms-iris-dev-cache';
const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/session+token==',
};
const AGENT_TOKEN = 'container-agent-authorization';
const T0 = new Date('2026-12-04T12:00:00Z');

const tokenAt = (now: Date) =>
  elasticacheAuthToken({ cacheName: CACHE, userId: USER, region: REGION, credentials: CREDENTIALS, now });

let redis: TlsRedis;
let agent: Server;
let agentUrl: string;
let agentCalls = 0;

beforeAll(async () => {
  redis = await startTlsRedis();
  // The container credentials endpoint as SageMaker/ECS serve it: JSON, behind an Authorization header.
  agent = createServer((req, res) => {
    agentCalls += 1;
    if (req.headers.authorization !== AGENT_TOKEN) {
      res.writeHead(403).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        AccessKeyId: CREDENTIALS.accessKeyId,
        SecretAccessKey: CREDENTIALS.secretAccessKey,
        Token: CREDENTIALS.sessionToken,
        Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  agentUrl = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/v2/credentials/role`;
});

afterAll(async () => {
  await redis.stop();
  await new Promise((resolve) => agent.close(resolve));
});

const containerCredentials = () =>
  defaultCredentialsProvider({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: agentUrl,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: AGENT_TOKEN,
  });

function iam(now: () => Date): RedisIamAuthOptions {
  return { kind: 'iam', userId: USER, cacheName: CACHE, region: REGION, credentials: containerCredentials(), now };
}

async function withService(
  cache: CacheOptions,
  fn: (url: string, calls: unknown[][], logs: () => Array<Record<string, unknown>>) => Promise<void>,
) {
  const { model, calls } = modelSum({ warmup: [] });
  const { logger, lines } = memoryLogger('debug');
  const service = createService({ model, logger, cache });
  const { port } = await service.listen(0, '127.0.0.1');
  try {
    await fn(`http://127.0.0.1:${port}`, calls, lines);
  } finally {
    await service.close();
  }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const invoke = (url: string, n: number) =>
  request(url)
    .post('/invocations')
    .send({ instances: [[n, 2, 3, 4]] })
    .expect(200);

const clientsOf = async (user: string) =>
  String(await redis.admin.call('CLIENT', 'LIST'))
    .split('\n')
    .filter((line) => line.includes(` user=${user} `));

describe('redis cache with ElastiCache IAM authentication over TLS (real redis-server)', () => {
  it('connects over TLS, authenticates as the user with the signed token and serves hits; the token is never logged', async () => {
    const token = tokenAt(T0);
    await redis.setUser(USER, token);
    const calls0 = agentCalls;
    await withService(
      { kind: 'redis', ttlSeconds: 60, redisUrl: redis.url, redisCaFile: redis.caFile, redisAuth: iam(() => T0) },
      async (url, calls, logs) => {
        await until(async () => (await clientsOf(USER)).length === 1);
        expect((await invoke(url, 101)).headers['x-cache']).toBe('MISS');
        expect((await invoke(url, 101)).headers['x-cache']).toBe('HIT');
        expect(calls).toHaveLength(1);
        expect(await redis.admin.keys('ms:*')).not.toHaveLength(0);
        expect(agentCalls).toBe(calls0 + 1);
        const everything = JSON.stringify(logs());
        expect(everything).not.toContain(token.split('X-Amz-Signature=')[1]);
        expect(everything).not.toContain(CREDENTIALS.sessionToken);
      },
    );
  });

  it('from the environment the deployer sets (MS_REDIS_AUTH=iam ...) to options the store connects with', async () => {
    const config = loadConfig({
      MS_CACHE: 'redis',
      MS_REDIS_URL: redis.url,
      MS_REDIS_AUTH: 'iam',
      MS_REDIS_USER: USER,
      MS_REDIS_IAM_CACHE: CACHE,
      MS_REDIS_IAM_REGION: REGION,
      MS_REDIS_CA_FILE: redis.caFile,
    });
    const cache = serviceOptionsFromConfig(config).cache!;
    expect(cache.redisAuth).toEqual({ kind: 'iam', userId: USER, cacheName: CACHE, region: REGION });
    await redis.setUser(USER, tokenAt(T0));
    // The clock and the credentials are the test's; the rest is exactly what the environment said.
    await withService(
      { ...cache, redisAuth: { ...iam(() => T0), ...cache.redisAuth } as RedisIamAuthOptions },
      async (url) => {
        await until(async () => (await clientsOf(USER)).length === 1);
        await invoke(url, 202);
        expect((await invoke(url, 202)).headers['x-cache']).toBe('HIT');
      },
    );
  });

  it('a new connection signs a new token: after ElastiCache drops the connection, the reconnect authenticates with the current one', async () => {
    let now = T0;
    await redis.setUser(USER, tokenAt(now));
    await withService(
      { kind: 'redis', ttlSeconds: 60, redisUrl: redis.url, redisCaFile: redis.caFile, redisAuth: iam(() => now) },
      async (url) => {
        await until(async () => (await clientsOf(USER)).length === 1);
        await invoke(url, 303);
        // 20 minutes on: the first token has expired; only a token signed now is accepted.
        now = new Date(T0.getTime() + 20 * 60_000);
        await redis.setUser(USER, tokenAt(now));
        await redis.admin.call('CLIENT', 'KILL', 'USER', USER);
        await until(async () => (await clientsOf(USER)).length === 1);
        await until(async () => (await invoke(url, 303)).headers['x-cache'] === 'HIT');
      },
    );
  });

  it('re-authenticates the live connection with a fresh token before its session ends', async () => {
    let now = T0;
    await redis.setUser(USER, tokenAt(now));
    const store: RedisStore = createRedisStore({
      url: redis.url,
      ttlSeconds: 60,
      tlsCa: readFileSync(redis.caFile),
      auth: elastiCacheIamAuth({ ...iam(() => now) }),
      reauthIntervalMs: 100,
    });
    try {
      expect(await store.waitUntilReady(5_000)).toBe(true);
      const authCalls = async () => {
        const stats = String(await redis.admin.info('commandstats'));
        return /cmdstat_auth:calls=(\d+),.*failed_calls=(\d+)/.exec(stats)?.slice(1).map(Number) ?? [0, 0];
      };
      const [before] = await authCalls();
      now = new Date(T0.getTime() + 10 * 60_000);
      await redis.setUser(USER, tokenAt(now));
      await until(async () => (await authCalls())[0]! >= before! + 2);
      const [, failed] = await authCalls();
      expect(failed).toBe(0);
      expect((await clientsOf(USER)).length).toBe(1);
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('a refused token: predictions still answer (misses), and the fault names the user and what to check', async () => {
    await redis.setUser(USER, 'not-the-token-the-runtime-signs');
    await withService(
      { kind: 'redis', ttlSeconds: 60, redisUrl: redis.url, redisCaFile: redis.caFile, redisAuth: iam(() => T0) },
      async (url, calls, logs) => {
        await until(() =>
          logs().some((l) => String(l.err).includes(`Redis refused the authentication as ${USER} (WRONGPASS`)),
        );
        const fault = logs().find((l) => String(l.err).includes('WRONGPASS'))!;
        expect(fault.code).toBe('MS_RUNTIME_CACHE_FAULT');
        expect(String(fault.err)).toContain(`elasticache:Connect on the cache ${CACHE} and the user ${USER}`);
        expect((await invoke(url, 404)).headers['x-cache']).toBe('MISS');
        expect((await invoke(url, 404)).headers['x-cache']).toBe('MISS');
        expect(calls).toHaveLength(2);
        expect(await clientsOf(USER)).toHaveLength(0);
        expect(JSON.stringify(logs())).not.toContain(tokenAt(T0).split('X-Amz-Signature=')[1]);
      },
    );
  });

  it('rediss:// never falls back to plaintext: against a plaintext redis-server nothing is sent in the clear', async () => {
    const plain = await startRedis(await freePort());
    const faults: string[] = [];
    const store = createCacheStore(
      { kind: 'redis', ttlSeconds: 60, redisUrl: `rediss://127.0.0.1:${plain.port}` },
      { onError: (error: CacheFaultError) => faults.push(error.message) },
    ) as RedisStore;
    try {
      expect(await store.waitUntilReady(1_500)).toBe(false);
      await store.set('k', 'v');
      expect(await store.get('k')).toBeUndefined();
      expect(faults.some((f) => f.includes('no TLS session with 127.0.0.1 within 1000 ms'))).toBe(true);
      // The plaintext server saw a TLS ClientHello it could not parse, never a command.
      const raw = new Redis(plain.url, { enableReadyCheck: false });
      try {
        expect(String(await raw.info('commandstats'))).not.toMatch(/cmdstat_(get|set|auth|client):/);
      } finally {
        raw.disconnect();
      }
    } finally {
      await store.close();
      await plain.stop();
    }
  });

  it("verifies the server's certificate: a self-signed one not named by MS_REDIS_CA_FILE is refused", async () => {
    await redis.setUser(USER, tokenAt(T0));
    const faults: string[] = [];
    const store = createCacheStore(
      { kind: 'redis', ttlSeconds: 60, redisUrl: redis.url, redisAuth: iam(() => T0) },
      { onError: (error: CacheFaultError) => faults.push(error.message) },
    ) as RedisStore;
    try {
      expect(await store.waitUntilReady(1_500)).toBe(false);
      expect(faults.some((f) => /TLS with 127\.0\.0\.1 failed \(self[- ]signed certificate/.test(f))).toBe(true);
      expect(await clientsOf(USER)).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});

describe('the container entry (serve) configured only by the environment the deployer sets', () => {
  it('signs in to the TLS redis-server as the cache user with the execution role from the credentials endpoint', async () => {
    // The child signs with its own clock: accept the token of every second it may start in.
    const start = Math.floor(Date.now() / 1000);
    const tokens = Array.from({ length: 40 }, (_, i) => tokenAt(new Date((start - 2 + i) * 1000)));
    await redis.admin.call('ACL', 'SETUSER', USER, 'reset', 'on', ...tokens.map((t) => `>${t}`), '~*', '+@all');
    const fixture = await bundleFixture('serve-model-sum', 'redis-iam');
    const port = await freePort();
    const child = spawn(process.execPath, [fixture.entry], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'debug',
        MS_CACHE: 'redis',
        MS_REDIS_URL: redis.url,
        MS_REDIS_AUTH: 'iam',
        MS_REDIS_USER: USER,
        MS_REDIS_IAM_CACHE: CACHE,
        MS_REDIS_IAM_REGION: REGION,
        MS_REDIS_CA_FILE: redis.caFile,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: agentUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: AGENT_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await until(async () => (await clientsOf(USER)).length === 1, 15_000);
      const url = `http://127.0.0.1:${port}`;
      await until(
        async () =>
          (
            await request(url)
              .get('/ping')
              .catch(() => ({ status: 0 }))
          ).status === 200,
        15_000,
      );
      expect((await invoke(url, 505)).headers['x-cache']).toBe('MISS');
      expect((await invoke(url, 505)).headers['x-cache']).toBe('HIT');
      for (const token of tokens) expect(output).not.toContain(token.split('X-Amz-Signature=')[1]);
      expect(output).not.toContain(CREDENTIALS.sessionToken);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fixture.remove();
    }
  });
});
