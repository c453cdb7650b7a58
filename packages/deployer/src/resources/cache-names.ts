// Deterministic names of the provisioned cache tier (release.yaml cache kind redis without an
// endpoint): the ElastiCache Serverless cache, its IAM-authenticated user and user group, and its
// security group. One of each per environment, found again by name.
import type { DeployContext } from '../context.js';
import { shortHash } from '../naming.js';

export interface CacheNames {
  /** ElastiCache Serverless cache: at most 40 characters. */
  readonly cache: string;
  /** IAM authentication needs the user id and the user name to be the same. */
  readonly user: string;
  readonly userGroup: string;
  readonly securityGroup: string;
  /** CloudWatch alarms on the cache's own metrics (AWS/ElastiCache). */
  readonly memoryAlarm: string;
  readonly evictionsAlarm: string;
  readonly throttledAlarm: string;
  readonly ecpuAlarm: string;
}

/** The port of the serverless cache's (primary) endpoint. */
export const CACHE_PORT = 6379;

const MAX_CACHE_NAME = 40;

function bounded(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = shortHash(name);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

export function cacheNames(prefix: string): CacheNames {
  const base = prefix.toLowerCase();
  return {
    cache: bounded(`${base}-cache`, MAX_CACHE_NAME),
    user: `${base}-cache-user`,
    userGroup: `${base}-cache-users`,
    securityGroup: `${base}-cache`,
    memoryAlarm: `${base}-cache-memory`,
    evictionsAlarm: `${base}-cache-evictions`,
    throttledAlarm: `${base}-cache-throttled`,
    ecpuAlarm: `${base}-cache-ecpu`,
  };
}

/** True when release.yaml asks the deployer to provision the cache (redis, no existing endpoint). */
export function provisionsCache(ctx: Pick<DeployContext, 'release'>): boolean {
  return ctx.release.cache.kind === 'redis' && !ctx.release.cache.endpoint;
}

export function cacheArns(ctx: Pick<DeployContext, 'account' | 'names'>): { cache: string; user: string } {
  const { partition: p, region: r, accountId: a } = ctx.account;
  const names = cacheNames(ctx.names.prefix);
  return {
    cache: `arn:${p}:elasticache:${r}:${a}:serverlesscache:${names.cache}`,
    user: `arn:${p}:elasticache:${r}:${a}:user:${names.user}`,
  };
}
