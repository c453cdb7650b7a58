// The shared cache tier on Redis. Redis is an optimisation, never a dependency:
// any fault (down, refused, slow, reconnecting) answers a miss and is reported
// through onError. No command waits in an offline queue; ioredis keeps
// reconnecting in the background with capped, jittered backoff; a stalled server
// opens a circuit breaker so requests stop paying the command timeout.
import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import { CacheFaultError, type CacheOperation } from './cache-errors.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import type { CacheStore } from './cache-store.js';

export interface RedisStoreOptions {
  /** e.g. redis://127.0.0.1:6379 (rediss:// for TLS, credentials in the URL). */
  url: string;
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
    keyPrefix: options.keyPrefix ?? 'ms:',
    // Fail fast while disconnected instead of queueing requests behind a dead socket.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Commands in flight when the socket dies are failed, not replayed later.
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    // ioredis arms this timer on every disconnect, even of an already-closed
    // socket; the 2 s default would hold a stopping process (and Jest) open.
    disconnectTimeout: 200,
    retryStrategy: (attempt: number) => (closing ? null : reconnectDelay(attempt, maxReconnectDelayMs)),
    // Connect now, so the first requests can already hit.
    lazyConnect: false,
  });

  // Connection-level faults (refused, reset) arrive here on every failed attempt;
  // without a listener ioredis would print them as unhandled.
  client.on('error', (error: Error) => {
    if (!closing) report('connection', error.message, error);
  });

  const ready = (): boolean => !closing && client.status === 'ready';
  const breaker = createCircuitBreaker({
    threshold: options.breakerThreshold ?? 3,
    openMs: options.breakerOpenMs ?? 1_000,
  });
  // A new connection is a healthy server: close the circuit at once instead of waiting for a probe.
  client.on('ready', () => breaker.success());
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
