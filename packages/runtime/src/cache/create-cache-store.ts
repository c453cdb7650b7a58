// Turns the service's CacheOptions into a store (or none), checking every value
// once at start-up so a bad option stops the start with its name.
import { readFileSync } from 'node:fs';
import type { CacheOptions, RedisIamAuthOptions } from '../types.js';
import { CacheConfigError, type CacheFaultError, type CacheOperation } from './cache-errors.js';
import type { CacheStore } from './cache-store.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore, type RedisAuth } from './redis-store.js';

export const CACHE_DEFAULTS = {
  ttlSeconds: 300,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
} as const;

export interface CreateCacheStoreHooks {
  /** Every cache fault (redis down, timeout...); the request is served as a miss. */
  onError?: (error: CacheFaultError, operation: CacheOperation) => void;
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CacheConfigError(option, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function createCacheStore(options: CacheOptions, hooks: CreateCacheStoreHooks = {}): CacheStore | undefined {
  const kind = options.kind as string;
  if (kind === 'off') return undefined;
  if (kind !== 'memory' && kind !== 'redis') {
    throw new CacheConfigError('cache.kind', `expected "off", "memory" or "redis", got ${JSON.stringify(kind)}`);
  }
  const ttlSeconds = positiveInteger('cache.ttlSeconds', options.ttlSeconds, CACHE_DEFAULTS.ttlSeconds);
  if (kind === 'memory') {
    return createMemoryStore({
      ttlSeconds,
      maxEntries: positiveInteger('cache.maxEntries', options.maxEntries, CACHE_DEFAULTS.maxEntries),
      maxBytes: positiveInteger('cache.maxBytes', options.maxBytes, CACHE_DEFAULTS.maxBytes),
    });
  }
  const url = options.redisUrl;
  if (!url)
    throw new CacheConfigError('cache.redisUrl', 'required when cache.kind is "redis" (e.g. redis://127.0.0.1:6379)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CacheConfigError('cache.redisUrl', 'not a URL (expected redis://host:port or rediss://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CacheConfigError(
      'cache.redisUrl',
      `expected the redis: or rediss: scheme, got ${JSON.stringify(parsed.protocol)}`,
    );
  }
  const auth = options.redisAuth?.kind === 'iam' ? iamAuth(options.redisAuth, parsed) : undefined;
  return createRedisStore({
    url,
    ttlSeconds,
    ...(options.redisCaFile ? { tlsCa: readCa(options.redisCaFile) } : {}),
    ...(auth ? { auth } : {}),
    ...(hooks.onError ? { onError: hooks.onError } : {}),
  });
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CacheConfigError('cache.redisCaFile', `cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}

function iamAuth(iam: RedisIamAuthOptions, url: URL): RedisAuth {
  if (url.protocol !== 'rediss:') {
    throw new CacheConfigError(
      'cache.redisUrl',
      'IAM authentication needs TLS: use rediss://host:port (ElastiCache takes IAM tokens only over TLS)',
    );
  }
  for (const field of ['userId', 'cacheName', 'region'] as const) {
    if (typeof iam[field] !== 'string' || !iam[field]) {
      throw new CacheConfigError(`cache.redisAuth.${field}`, 'required with IAM authentication');
    }
  }
  if (url.username || url.password) {
    throw new CacheConfigError('cache.redisUrl', 'has a user or password, but IAM authentication signs its own');
  }
  // The signer and the credentials chain load only for services that use them (cold start).
  let signer: RedisAuth | undefined;
  return {
    username: iam.userId,
    hint: `the execution role needs elasticache:Connect on the cache ${iam.cacheName} and the user ${iam.userId} in ${iam.region}`,
    async ready() {
      signer ??= (await import('./elasticache-iam-auth.js')).elastiCacheIamAuth(iam);
      await signer.ready();
    },
    password() {
      if (!signer) throw new Error('AWS credentials are not loaded yet');
      return signer.password();
    },
  };
}
