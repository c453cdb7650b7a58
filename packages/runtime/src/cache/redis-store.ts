// The shared cache tier on Redis. Redis is an optimisation, never a dependency:
// any fault (down, refused, slow, reconnecting) answers a miss and is reported
// through onError. No command waits in an offline queue; ioredis keeps
// reconnecting in the background with capped, jittered backoff; a stalled server
// opens a circuit breaker so requests stop paying the command timeout. rediss:// is TLS with the
// server's certificate verified; a RedisAuth (ElastiCache IAM) supplies a fresh password for every
// connection and re-authenticates the live one before its token's session ends.
import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import { CacheFaultError, type CacheOperation } from './cache-errors.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import type { CacheStore } from './cache-store.js';

/** Credentials that change over time (ElastiCache IAM tokens live 15 minutes). */
export interface RedisAuth {
  readonly username: string;
  /** Resolves once password() can answer (e.g. AWS credentials fetched); rejects saying why not. */
  ready(): Promise<void>;
  /** A password valid from now; called at every (re)connect and re-authentication. Never logged. */
  password(): string;
  /** What to check when Redis refuses the password (added to the fault's message). */
  readonly hint?: string;
}

export interface RedisStoreOptions {
  /** e.g. redis://127.0.0.1:6379 (rediss:// for TLS, credentials in the URL). */
  url: string;
  /** rediss://: PEM certificate(s) of the CA that signed the server's certificate. Default: Node's CAs. */
  tlsCa?: string | Buffer;
  /** Authenticate as auth.username with auth.password() instead of the URL's credentials. */
  auth?: RedisAuth;
  /** auth: how often the live connection sends AUTH with a new password. Default 5 min. */
  reauthIntervalMs?: number;
  /** Default lifetime of an entry (Redis expires it: SET ... PX). */
  ttlSeconds: number;
  /** Prepended to every key so services can share one Redis. Default "ms:". */
  keyPrefix?: string;
  /** Called once per fault; must not throw (a throw is swallowed). */
  onError?: (error: CacheFaultError, operation: CacheOperation) => void;
  /** A command slower than this is a fault (a miss). Default 250 ms. */
  commandTimeoutMs?: number;
  /** Longest a (re)connect attempt may take. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Cap of the reconnect backoff. Default 2000 ms. */
  maxReconnectDelayMs?: number;
  /** Faults in a row after which commands are skipped (served as misses). Default 3. */
  breakerThreshold?: number;
  /** How long commands are skipped before one probe. Default 1000 ms. */
  breakerOpenMs?: number;
}

export interface RedisStore extends CacheStore {
  readonly kind: 'redis';
  /** True while commands can be sent (ioredis status "ready"). */
  readonly connected: boolean;
  /** Resolves once connected, or false after `timeoutMs` (for start-up logs and tests). */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
}

/** Reconnect delay: exponential from 50 ms, capped, with full jitter in the upper half. */
export function reconnectDelay(attempt: number, capMs: number): number {
  const base = Math.min(capMs, 50 * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const ttlMs = Math.round(options.ttlSeconds * 1000);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`createRedisStore: ttlSeconds must be positive, got ${String(options.ttlSeconds)}`);
  }
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2000;
  const auth = options.auth;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const tls = new URL(options.url).protocol === 'rediss:';
  let closing = false;

  const report = (operation: CacheOperation, detail: string, cause?: unknown): void => {
    if (!options.onError) return;
    try {
      options.onError(new CacheFaultError(operation, detail, { cause }), operation);
    } catch {
      // a broken metrics/log hook must not turn a cache fault into a request error
    }
  };

  // Loaded here, not at import: ioredis is a large share of the start-up of a service that never uses it.
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof IoRedis;
  const client = new Redis(options.url, {
    // Explicit, not left to the scheme: rediss:// must never fall back to plaintext. Node verifies
    // the certificate and the host name (rejectUnauthorized defaults to true).
    ...(tls ? { tls: options.tlsCa ? { ca: options.tlsCa } : {} } : {}),
    keyPrefix: options.keyPrefix ?? 'ms:',
    // Fail fast while disconnected instead of queueing requests behind a dead socket.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Commands in flight when the socket dies are failed, not replayed later.
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: connectTimeoutMs,
    // ioredis arms this timer on every disconnect, even of an already-closed
    // socket; the 2 s default would hold a stopping process (and Jest) open.
    disconnectTimeout: 200,
    retryStrategy: (attempt: number) => {
      if (closing) return null;
      // A new connection needs a new token: sign it now, for the connect this delay leads to.
      if (auth) usePassword();
      return reconnectDelay(attempt, maxReconnectDelayMs);
    },
    // Connect now, so the first requests can already hit; with auth once its credentials are there.
    lazyConnect: auth !== undefined,
  });

  function usePassword(): boolean {
    if (!auth) return false;
    try {
      client.options.username = auth.username;
      client.options.password = auth.password();
      return true;
    } catch (error) {
      report('connection', `cannot sign a password for ${auth.username}: ${(error as Error).message}`, error);
      return false;
    }
  }

  // Says what to check, for the faults a user can fix (the raw message alone names neither).
  const explain = (error: Error & { code?: string }): string => {
    if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(error.message)) {
      const who = auth ? ` as ${auth.username}` : '';
      return `Redis refused the authentication${who} (${error.message})${auth?.hint ? `; ${auth.hint}` : ''}`;
    }
    if (tls && error.code === 'ETIMEDOUT') {
      return `no TLS session with ${client.options.host ?? 'the server'} within ${connectTimeoutMs} ms (${error.message}): the server does not speak TLS, or the network drops the packets (a security group)`;
    }
    if (tls && /SSL|TLS|CERT|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO|ECONNRESET/.test(error.code ?? '')) {
      return `TLS with ${client.options.host ?? 'the server'} failed (${error.message}); rediss:// needs a server that speaks TLS with a certificate Node trusts for that host (MS_REDIS_CA_FILE names a private CA)`;
    }
    return error.message;
  };

  // Connection-level faults (refused, reset) arrive here on every failed attempt;
  // without a listener ioredis would print them as unhandled.
  client.on('error', (error: Error) => {
    if (!closing) report('connection', explain(error), error);
  });

  const ready = (): boolean => !closing && client.status === 'ready';
  const breaker = createCircuitBreaker({
    threshold: options.breakerThreshold ?? 3,
    openMs: options.breakerOpenMs ?? 1_000,
  });
  // A new connection is a healthy server: close the circuit at once instead of waiting for a probe.
  client.on('ready', () => breaker.success());

  let reauthTimer: NodeJS.Timeout | undefined;
  if (auth) {
    void connectWhenAuthReady(auth);
    // The connection outlives any one token (ElastiCache ends IAM sessions after 12 h unless
    // re-authenticated): refresh the credentials and send AUTH with a new token now and then.
    reauthTimer = setInterval(() => void reauthenticate(auth), options.reauthIntervalMs ?? 5 * 60_000);
    reauthTimer.unref();
  }

  async function connectWhenAuthReady(a: RedisAuth): Promise<void> {
    for (let attempt = 1; !closing; attempt += 1) {
      try {
        await a.ready();
        break;
      } catch (error) {
        report('connection', `no credentials to authenticate as ${a.username}: ${(error as Error).message}`, error);
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt, maxReconnectDelayMs)).unref());
      }
    }
    if (closing || !usePassword()) return;
    // Failures arrive as 'error' events and go through the retry strategy like any reconnect.
    client.connect().catch(() => undefined);
  }

  async function reauthenticate(a: RedisAuth): Promise<void> {
    try {
      await a.ready();
      if (!ready() || !usePassword()) return;
      await client.auth(a.username, client.options.password ?? '');
    } catch (error) {
      if (!closing) report('connection', `re-authentication: ${explain(error as Error)}`, error);
    }
  }
  const commandFailed = (operation: CacheOperation, error: unknown): void => {
    const opened = breaker.failure();
    const detail = (error as Error).message;
    report(operation, opened ? `${detail}; skipping Redis for ${options.breakerOpenMs ?? 1_000} ms` : detail, error);
  };

  return {
    kind: 'redis',
    get connected() {
      return ready();
    },
    async waitUntilReady(timeoutMs) {
      if (ready()) return true;
      return new Promise<boolean>((resolve) => {
        const done = (value: boolean) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          resolve(value);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(ready()), timeoutMs);
        client.on('ready', onReady);
      });
    },
    async get(key) {
      if (!ready()) {
        report('get', `not connected (${client.status})`);
        return undefined;
      }
      if (!breaker.allow()) return undefined;
      try {
        const value = await client.get(key);
        breaker.success();
        return value ?? undefined;
      } catch (error) {
        commandFailed('get', error);
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      if (!ready()) {
        report('set', `not connected (${client.status})`);
        return;
      }
      const ttl = ttlSeconds !== undefined && ttlSeconds > 0 ? Math.round(ttlSeconds * 1000) : ttlMs;
      if (!breaker.allow()) return;
      try {
        await client.set(key, value, 'PX', ttl);
        breaker.success();
      } catch (error) {
        commandFailed('set', error);
      }
    },
    async close() {
      closing = true;
      clearInterval(reauthTimer);
      if (client.status === 'end') return;
      if (ready() || client.status === 'ready') {
        // QUIT lets Redis answer what is in flight, then closes the socket.
        const ended = new Promise<void>((resolve) => client.once('end', resolve));
        let timer: NodeJS.Timeout | undefined;
        const bounded = new Promise<void>((resolve) => {
          // Bounded: shutdown must not hang on a slow Redis.
          timer = setTimeout(resolve, 1_000);
        });
        await client.quit().catch(() => undefined);
        await Promise.race([ended, bounded]);
        clearTimeout(timer);
      }
      // Stops the reconnect loop and drops any socket left (connecting, or a slow QUIT).
      client.disconnect(false);
    },
  };
}
