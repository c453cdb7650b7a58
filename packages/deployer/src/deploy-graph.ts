// The ordered resource graph of one environment and its runner. Read phase:
// each module computes its desired state from release.yaml + upstream outputs,
// observes AWS and plans (read-only). Apply phase: in order, each module applies
// its change and hands its outputs downstream. Because every module re-observes
// AWS, an `up` interrupted at step k converges when run again.
import type { DeployContext } from './context.js';
import { canonicalJson } from './naming.js';
import type { KnownOutputs, PlannedChange, ResourceModule } from './resources/resource.js';
import type { ProgressReporter } from './progress.js';
import { bundleLambda, type LambdaBundle } from './lambda-bundle.js';
import { alarms } from './resources/alarms.js';
import { apiGatewayResource } from './resources/api-gateway.js';
import { apiKeyResource } from './resources/api-key.js';
import { asyncBucket, isAsyncEnvironment } from './resources/async-bucket.js';
import { asyncTopicsCheck, hasAsyncTopics } from './resources/async-topics.js';
import { autoscaling } from './resources/autoscaling.js';
import { budget, budgetConfig } from './resources/budget.js';
import { provisionsCache } from './resources/cache-names.js';
import { cacheAlarms } from './resources/cache-alarms.js';
import { cacheSecurityGroup } from './resources/cache-security-group.js';
import { cacheUser } from './resources/cache-user.js';
import { cognitoResource } from './resources/cognito.js';
import { machineClientResource } from './resources/cognito-machine-client.js';
import { dashboard } from './resources/dashboard.js';
import { deploymentRecord } from './resources/deployment-record.js';
import { ecrRepository } from './resources/ecr.js';
import { elasticacheServerless } from './resources/elasticache-serverless.js';
import { lambdaRole, sagemakerRole } from './resources/iam.js';
import { apiAccessLogGroup, endpointLogGroup, lambdaLogGroup } from './resources/log-groups.js';
import { createImageModule } from './resources/image.js';
import type { Builder } from './resources/image-commands.js';
import { createLambdaProxyResource } from './resources/lambda-proxy.js';
import { sagemakerEndpoint } from './resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from './resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from './resources/sagemaker-model.js';
import { scaleFromZero } from './resources/scale-from-zero.js';

// Modules are heterogeneous; the runner only moves values between their own methods.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyResource = ResourceModule<any, any, Record<string, string>> & KnownOutputs<any, any>;

import { KNOWN_AFTER_APPLY } from './known-after-apply.js';

export { KNOWN_AFTER_APPLY } from './known-after-apply.js';

export interface GraphStep {
  module: AnyResource;
  desired: unknown;
  observed: unknown;
  change: PlannedChange;
  /** Outputs after this step (real, or placeholders when not applied yet). */
  outputs: Record<string, string>;
}

export interface GraphPlan {
  /** Values given before the first module (promote pins the image this way). */
  seed?: Record<string, string>;
  steps: GraphStep[];
  /** Every module's outputs merged, in order. */
  outputs: Record<string, string>;
}

/** Upstream outputs where any missing key reads as the placeholder (something upstream is still to be applied). */
function withPlaceholders(values: Record<string, string>): Record<string, string> {
  return new Proxy(values, {
    get: (target, key) => (typeof key === 'string' && !(key in target) ? KNOWN_AFTER_APPLY : Reflect.get(target, key)),
  });
}

async function planOne(ctx: DeployContext, module: AnyResource, upstream: Record<string, string>) {
  const desired: unknown = module.desired(ctx, upstream);
  const observed: unknown = await module.observe(ctx, desired);
  const change = module.plan(desired, observed);
  return { desired, observed, change };
}

/**
 * Read-only pass over the graph. Outputs of unchanged resources come from their
 * `apply` on a no-change plan, which by the resource contract makes no mutating
 * call; a changed resource may still know its outputs (`knownOutputs`); otherwise
 * any output not known yet reads as KNOWN_AFTER_APPLY from then on.
 */
export async function planGraph(
  ctx: DeployContext,
  modules: readonly AnyResource[],
  seed: Record<string, string> = {},
): Promise<GraphPlan> {
  const steps: GraphStep[] = [];
  const values: Record<string, string> = { ...seed };
  let pending = false;
  for (const module of modules) {
    const upstream = pending ? withPlaceholders({ ...values }) : { ...values };
    const { desired, observed, change } = await planOne(ctx, module, upstream);
    let outputs: Record<string, string> = {};
    if (change.action === 'no-change') {
      outputs = await module.apply(ctx, change, desired, observed);
      Object.assign(values, outputs);
    } else {
      const known = module.knownOutputs?.(desired, observed);
      if (known) {
        outputs = known;
        Object.assign(values, known);
      } else {
        pending = true;
      }
    }
    steps.push({ module, desired, observed, change, outputs });
  }
  return { seed, steps, outputs: { ...values } };
}

export interface ApplyEvents {
  /** Called as each module is about to apply, with the (re)planned change. */
  onChange?(change: PlannedChange): void;
}

/**
 * Applies the graph in order. Each module's desired state is recomputed from the
 * real upstream outputs; when it differs from the one planned (a placeholder got
 * its value) the module is observed and planned again before applying.
 */
export async function applyGraph(
  ctx: DeployContext,
  planned: GraphPlan,
  progress: ProgressReporter,
  events: ApplyEvents = {},
): Promise<GraphPlan> {
  const done: GraphStep[] = [];
  let upstream: Record<string, string> = { ...planned.seed };
  await progress.run(
    planned.steps.map((step) => ({
      title: `${step.module.kind} ${step.change.name}`,
      run: async () => {
        const desired: unknown = step.module.desired(ctx, upstream);
        let { observed, change } = step;
        if (canonicalJson(desired) !== canonicalJson(step.desired)) {
          observed = await step.module.observe(ctx, desired);
          change = step.module.plan(desired, observed);
        }
        events.onChange?.(change);
        const outputs = await step.module.apply(ctx, change, desired, observed);
        done.push({ module: step.module, desired, observed, change, outputs });
        upstream = { ...upstream, ...outputs };
        return change.action === 'no-change' ? 'no change' : change.action;
      },
    })),
  );
  return { seed: planned.seed, steps: done, outputs: upstream };
}

/** Removes what the graph manages, last resource first. */
export async function destroyGraph(ctx: DeployContext, planned: GraphPlan, progress: ProgressReporter): Promise<void> {
  const reversed = [...planned.steps].reverse().filter((step) => step.module.destroy !== undefined);
  await progress.run(
    reversed.map((step) => ({
      title: `delete ${step.module.kind} ${step.change.name}`,
      run: async () => {
        await step.module.destroy!(ctx, step.desired);
      },
    })),
  );
}

export interface EnvironmentGraphOptions {
  image?: string;
  builder?: Builder;
  /** destroy: the image module is left out (nothing to delete, and no git sha or build needed). */
  purpose?: 'deploy' | 'destroy';
  /** Tests inject a fixed bundle; by default the proxy handler is bundled with esbuild. */
  bundle?: LambdaBundle;
}

/**
 * The resource modules of one environment, in apply order: each one's outputs
 * feed the ones after it (repository -> image digest -> model; roles -> model and
 * Lambda; model -> endpoint config -> alarms -> endpoint -> scaling (-> an async endpoint's scale from zero), Lambda env;
 * Lambda + user pool (-> CI's verify client) -> API -> its API key and usage plan; a provisioned cache's
 * security group, user and cache (-> its alarms) -> the model's container environment). The budget alert comes first, so it watches
 * before anything billable exists (and, destroyed last, until it is gone); the
 * dashboard shows all of them; the deployment record is written last.
 */
export async function environmentResources(
  ctx: DeployContext,
  options: EnvironmentGraphOptions = {},
): Promise<AnyResource[]> {
  const bundle = options.bundle ?? (await bundleLambda());
  const deploying = options.purpose !== 'destroy';
  const image = deploying ? [createImageModule({ image: options.image, builder: options.builder })] : [];
  return [
    // Checked first, so a missing or foreign bucket stops before anything is written.
    ...(isAsyncEnvironment(ctx) ? [asyncBucket] : []),
    // Likewise the SNS topics, whose keys the SageMaker role's policy names; not for destroy
    // (a topic deleted meanwhile must not stop the environment's removal).
    ...(deploying && hasAsyncTopics(ctx) ? [asyncTopicsCheck] : []),
    // Only when release.yaml asks for one: no Budgets call (or permission) otherwise.
    ...(budgetConfig(ctx) ? [budget] : []),
    ecrRepository,
    ...image,
    sagemakerRole,
    lambdaRole,
    // Only for cache kind redis without an endpoint: no EC2 or ElastiCache call (or permission) otherwise.
    ...(provisionsCache(ctx) ? [cacheSecurityGroup, cacheUser, elasticacheServerless, cacheAlarms] : []),
    // destroy removes the cache's alarms also when release.yaml no longer provisions a cache
    // (DeleteAlarms ignores names that do not exist).
    ...(!deploying && !provisionsCache(ctx) ? [cacheAlarms] : []),
    sagemakerModel,
    sagemakerEndpointConfig,
    // Before the endpoint: its blue/green update rolls back on these alarms, so they must exist first.
    alarms,
    // Before the endpoint and the function: either service would create its group keeping logs forever.
    endpointLogGroup,
    sagemakerEndpoint,
    autoscaling,
    // After the scalable target it acts on; async only (no further call for a real-time endpoint).
    ...(isAsyncEnvironment(ctx) ? [scaleFromZero] : []),
    lambdaLogGroup,
    createLambdaProxyResource({ bundle }),
    cognitoResource,
    // CI's credential for verify (client_credentials, secret in Secrets Manager); before the API, whose authorizer checks its scope.
    machineClientResource,
    // Before the API: its stage writes access logs there.
    apiAccessLogGroup,
    apiGatewayResource,
    apiKeyResource,
    dashboard,
    ...(deploying ? [deploymentRecord] : []),
  ] as AnyResource[];
}
