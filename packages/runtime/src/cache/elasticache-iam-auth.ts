// ElastiCache IAM authentication as a RedisAuth: the user id is the user name, and the password
// is a SigV4-presigned `connect` token for the cache, signed when a connection (re)authenticates.
// Credentials are fetched once and again before they expire; signing itself is local and cheap.
import { defaultCredentialsProvider, type CredentialsProvider, type ExpiringCredentials } from './aws-credentials.js';
import type { RedisAuth } from './redis-store.js';
import { elasticacheAuthToken } from './sigv4-presign.js';

export interface ElastiCacheIamAuthOptions {
  /** The ElastiCache user id (IAM authentication needs it equal to the user name). */
  userId: string;
  /** The cache the token is for (the serverless cache name or replication group id). */
  cacheName: string;
  region: string;
  /** Default: the environment, then the container credentials endpoint. */
  credentials?: CredentialsProvider;
  /** Clock, for tests. */
  now?: () => Date;
  /** Temporary credentials closer than this to their expiry are fetched again. Default 5 min. */
  refreshBeforeMs?: number;
}

export function elastiCacheIamAuth(options: ElastiCacheIamAuthOptions): RedisAuth {
  const provider = options.credentials ?? defaultCredentialsProvider();
  const now = options.now ?? (() => new Date());
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  let current: ExpiringCredentials | undefined;
  let pending: Promise<void> | undefined;

  const fresh = (): boolean =>
    current !== undefined &&
    (current.expiration === undefined || current.expiration.getTime() - now().getTime() > refreshBeforeMs);

  const ready = (): Promise<void> => {
    if (fresh()) return Promise.resolve();
    pending ??= provider()
      .then((credentials) => {
        current = credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return {
    username: options.userId,
    ready,
    password() {
      if (!current) throw new Error('AWS credentials are not loaded yet');
      // Expiring: start fetching new ones for the next connection; this one still signs with these.
      if (!fresh()) ready().catch(() => undefined);
      return elasticacheAuthToken({
        cacheName: options.cacheName,
        userId: options.userId,
        region: options.region,
        credentials: current,
        now: now(),
      });
    },
  };
}
