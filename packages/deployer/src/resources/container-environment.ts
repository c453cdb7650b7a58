// The SageMaker model's container environment: release.yaml's cache and runtime settings as the
// runtime's MS_* variables. They override the defaults compiled into the image, and they are part
// of the model's content hash, so a changed TTL is a new model and a blue/green update.
import type { ResourceNames } from '../naming.js';
import type { ReleaseConfig } from '../release/types.js';
import type { FieldDiff } from './resource.js';
import { serviceMetricsEnvironment } from './service-metrics.js';

/** The cache the deployer provisioned (cache kind redis without an endpoint). */
export interface ProvisionedCache {
  /** rediss://host:port */
  endpoint: string;
  cacheName: string;
  userId: string;
}

export function containerEnvironment(
  release: ReleaseConfig,
  envName: string,
  provisioned?: ProvisionedCache,
): Record<string, string> {
  const { cache, runtime } = release;
  const env: Record<string, string> = {
    MODEL_SERVICE_ENV: envName,
    MODEL_SERVICE_MODEL: release.model.name,
    MS_CACHE: cache.kind,
  };
  if (cache.kind !== 'off') env.MS_CACHE_TTL = String(cache.ttlSeconds);
  if (cache.kind === 'memory') env.MS_CACHE_MAX_ENTRIES = String(cache.maxEntries);
  if (cache.kind === 'redis' && cache.endpoint) env.MS_REDIS_URL = cache.endpoint;
  if (cache.kind === 'redis' && !cache.endpoint && provisioned) {
    // IAM authentication: the runtime signs a token for this cache and user with the execution role.
    env.MS_REDIS_URL = provisioned.endpoint;
    env.MS_REDIS_AUTH = 'iam';
    env.MS_REDIS_USER = provisioned.userId;
    env.MS_REDIS_IAM_CACHE = provisioned.cacheName;
    env.MS_REDIS_IAM_REGION = release.region;
  }
  if (runtime.logLevel) env.LOG_LEVEL = runtime.logLevel;
  if (runtime.predictTimeoutMs !== undefined) env.MS_PREDICT_TIMEOUT_MS = String(runtime.predictTimeoutMs);
  const batching = runtime.batching;
  if (batching?.enabled !== undefined) env.MS_BATCH = batching.enabled ? 'on' : 'off';
  if (batching?.maxBatchSize !== undefined) env.MS_BATCH_MAX_SIZE = String(batching.maxBatchSize);
  if (batching?.maxWaitMs !== undefined) env.MS_BATCH_MAX_WAIT_MS = String(batching.maxWaitMs);
  return env;
}

/**
 * The environment of the container SageMaker runs: the settings above plus the service's metrics
 * as CloudWatch EMF lines on stdout (nothing scrapes /metrics there). `model-deploy local` uses
 * containerEnvironment alone, so local runs write no EMF.
 */
export function sagemakerContainerEnvironment(
  release: ReleaseConfig,
  envName: string,
  names: Pick<ResourceNames, 'variant'>,
  provisioned?: ProvisionedCache,
): Record<string, string> {
  return {
    ...containerEnvironment(release, envName, provisioned),
    ...serviceMetricsEnvironment(release, envName, names),
  };
}

/** One diff per variable that is added, changed or removed (`environment.MS_CACHE_TTL: 300 -> 600`), by name. */
export function environmentDiffs(current: Record<string, string>, next: Record<string, string>): FieldDiff[] {
  const from = shownEnvironment(current);
  const to = shownEnvironment(next);
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return keys
    .filter((k) => current[k] !== next[k])
    .map((k) => ({ field: `environment.${k}`, from: from[k], to: to[k] }));
}

// The environment holds settings only (the cache signs in with IAM). Should a variable ever carry a
// secret (set by hand on a model, say), status and plan show its name, never its value.
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE/i;

/** The environment as status shows it: secret-looking names keep their name, not their value. */
export function shownEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_NAME.test(k) ? '(hidden)' : v]));
}
