// Step 4: cross-field rules JSON Schema cannot express, each with its own code
// and the YAML path; also fills the defaults that depend on other fields.
import { DeployerError } from '../errors.js';
import {
  ALARM_PERIOD_SECONDS,
  ALARM_WINDOW,
  METRIC_DELAY_SECONDS,
  minimumWaitMinutes,
} from '../resources/alarm-window.js';
import { ENV_ORDER, type EnvironmentConfig, type EnvName, type ReleaseConfig } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

function envEntries(release: Mutable<ReleaseConfig>) {
  return ENV_ORDER.flatMap((name) => {
    const env = release.environments[name];
    return env ? [[name, env] as const] : [];
  });
}

function checkAutoscalingBounds(release: Mutable<ReleaseConfig>): void {
  for (const [name, env] of envEntries(release)) {
    const { minCapacity: min, maxCapacity: max } = env.autoscaling;
    if (min > max) {
      throw new DeployerError('MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS', {
        yamlPath: `environments.${name}.autoscaling`,
        min,
        max,
      });
    }
  }
}

function checkProdCapacity(release: Mutable<ReleaseConfig>): void {
  const prod = release.environments.prod;
  if (!prod?.autoscaling.enabled) return;
  if (prod.instanceCount < 2) {
    throw new DeployerError('MS_DEPLOY_RELEASE_PROD_CAPACITY', {
      yamlPath: 'environments.prod.instanceCount',
      field: 'instanceCount',
      value: prod.instanceCount,
    });
  }
  // An async endpoint queues requests while it scales from zero: no floor for it.
  if (prod.autoscaling.minCapacity < 2 && !prod.async) {
    throw new DeployerError('MS_DEPLOY_RELEASE_PROD_CAPACITY', {
      yamlPath: 'environments.prod.autoscaling.minCapacity',
      field: 'minCapacity',
      value: prod.autoscaling.minCapacity,
    });
  }
}

function checkPromotionOrder(release: Mutable<ReleaseConfig>): void {
  const order = release.promotion.order as EnvName[] | undefined;
  if (order === undefined) {
    release.promotion.order = envEntries(release).map(([name]) => name);
    return;
  }
  order.forEach((env, i) => {
    if (!release.environments[env]) {
      throw new DeployerError('MS_DEPLOY_RELEASE_PROMOTION_ORDER', { yamlPath: `promotion.order[${i}]`, env });
    }
  });
}

/** SageMaker's own limits of a serverless variant that JSON Schema cannot express. */
function checkServerless(release: Mutable<ReleaseConfig>): void {
  for (const [name, env] of envEntries(release)) {
    const s = env.serverless;
    if (!s) continue;
    if (s.provisionedConcurrency !== undefined && s.provisionedConcurrency > s.maxConcurrency) {
      throw new DeployerError('MS_DEPLOY_RELEASE_SERVERLESS_CONCURRENCY', {
        yamlPath: `environments.${name}.serverless.provisionedConcurrency`,
        provisioned: s.provisionedConcurrency,
        max: s.maxConcurrency,
      });
    }
    if (env.vpc ?? release.vpc) {
      const own = env.vpc !== undefined;
      throw new DeployerError('MS_DEPLOY_RELEASE_SERVERLESS_VPC', {
        yamlPath: own ? `environments.${name}.vpc` : 'vpc',
        env: name,
        inherited: own ? '' : ' from the top-level vpc',
      });
    }
  }
}

/** A provisioned (not existing) redis cache is an ElastiCache Serverless cache: it needs each environment's VPC. */
function checkCacheVpc(release: Mutable<ReleaseConfig>): void {
  if (release.cache.kind !== 'redis' || release.cache.endpoint) return;
  for (const [name, env] of envEntries(release)) {
    if (env.vpc ?? release.vpc) continue;
    throw new DeployerError('MS_DEPLOY_RELEASE_CACHE_NEEDS_VPC', { yamlPath: 'cache.kind', env: name });
  }
}

/** A canary or linear step must bake long enough for the rollback alarms to reach ALARM. */
function checkWaitMinutes(release: Mutable<ReleaseConfig>): void {
  const { strategy, waitMinutes } = release.promotion;
  const floor = minimumWaitMinutes();
  if (strategy === 'all-at-once' || waitMinutes >= floor) return;
  throw new DeployerError('MS_DEPLOY_RELEASE_WAIT_TOO_SHORT', {
    value: waitMinutes,
    floor,
    why: `${ALARM_WINDOW.EvaluationPeriods} periods of ${ALARM_PERIOD_SECONDS}s plus ${METRIC_DELAY_SECONDS}s for CloudWatch to publish`,
  });
}

/**
 * Scale to zero is for async endpoints only: a real-time endpoint at zero instances answers
 * nothing; an async one queues requests until autoscaling brings an instance back.
 * Async and serverless are two different endpoint kinds: one environment is one or the other.
 */
function checkAsyncRules(release: Mutable<ReleaseConfig>): void {
  for (const [name, env] of envEntries(release)) {
    if (env.async && (env as { serverless?: unknown }).serverless !== undefined) {
      throw new DeployerError('MS_DEPLOY_RELEASE_INVALID', {
        yamlPath: `environments.${name}.async`,
        reason:
          'cannot be combined with serverless (an endpoint is either serverless or asynchronous); remove one of the two',
      });
    }
    if (env.autoscaling.minCapacity === 0) checkScaleToZero(name, env);
  }
}

/** minCapacity 0: only where a request can wait for an instance, and only where something starts one. */
function checkScaleToZero(name: EnvName, env: EnvironmentConfig): void {
  const yamlPath = `environments.${name}.autoscaling.minCapacity`;
  if (!env.async) {
    throw new DeployerError('MS_DEPLOY_RELEASE_INVALID', {
      yamlPath,
      reason:
        'may be 0 only for an async environment (a real-time endpoint with no instance answers nothing); set it to 1 or more, or add async',
    });
  }
  if (!env.autoscaling.enabled) {
    throw new DeployerError('MS_DEPLOY_RELEASE_INVALID', {
      yamlPath,
      reason:
        'is 0 but autoscaling is not enabled, so nothing would ever scale the endpoint in to zero or out again; set autoscaling.enabled: true, or minCapacity to 1 or more',
    });
  }
}

export function applyReleaseRules(data: unknown): ReleaseConfig {
  const release = data as Mutable<ReleaseConfig>;
  release.image.repository ??= release.model.name;
  checkAutoscalingBounds(release);
  checkProdCapacity(release);
  checkPromotionOrder(release);
  checkServerless(release);
  checkCacheVpc(release);
  checkAsyncRules(release);
  checkWaitMinutes(release);
  return release as ReleaseConfig;
}
