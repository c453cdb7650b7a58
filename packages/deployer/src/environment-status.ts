// What `model-deploy status` reads: each resource through its own module
// (desired -> observe -> status, the read calls plan makes), in the order that
// lets one name the next (the endpoint names the config it serves, the config
// its model, the API the stage its key covers). No plan, no apply, no AWS call here.
import type { DeployContext } from './context.js';
import { observeStatus } from './resource-status.js';
import { alarms, type AlarmStatus } from './resources/alarms.js';
import { apiGatewayResource, type ApiGatewayStatus } from './resources/api-gateway.js';
import { apiKeyResource, type ApiKeyStatus } from './resources/api-key.js';
import { autoscaling, type ScalingStatus } from './resources/autoscaling.js';
import { budget, type BudgetStatus } from './resources/budget.js';
import { cacheAlarms } from './resources/cache-alarms.js';
import { provisionsCache } from './resources/cache-names.js';
import { cognitoResource, type CognitoStatus } from './resources/cognito.js';
import { dashboard, type DashboardStatus } from './resources/dashboard.js';
import { deploymentRecord, type DeploymentStatus } from './resources/deployment-record.js';
import { ecrRepository, type EcrStatus } from './resources/ecr.js';
import { elasticacheServerless, type CacheStatus } from './resources/elasticache-serverless.js';
import { lambdaProxyForStatus, type LambdaProxyStatus } from './resources/lambda-proxy.js';
import { sagemakerEndpoint, type EndpointStatus } from './resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from './resources/sagemaker-endpoint-config.js';
import { sagemakerModel, type ModelStatus } from './resources/sagemaker-model.js';
import { scaleFromZero, type ScaleFromZeroStatus } from './resources/scale-from-zero.js';

export type { AlarmStatus } from './resources/alarms.js';
export type { DeploymentStatus } from './resources/deployment-record.js';

/** The endpoint with the config and model it serves, as one block (what a user asks about first). */
export interface ServingStatus extends EndpointStatus {
  instanceType?: string;
  modelName?: string;
  environment?: ModelStatus['environment'];
  vpc?: ModelStatus['vpc'];
  /** The endpoint config's KmsKeyId; absent = an AWS managed key (or instance storage). */
  kmsKeyId?: string;
}

export interface EnvironmentStatus {
  env: string;
  region: string;
  /** Every resource release.yaml asks for exists (false after an interrupted or partial `up`). */
  complete: boolean;
  /** What release.yaml asks for and AWS does not have, as `<resource> <name>`. */
  missing: string[];
  ecrRepository: EcrStatus;
  endpoint: ServingStatus;
  autoscaling: ScalingStatus;
  /** Only read for an async environment (its step policy and HasBacklogWithoutCapacity alarm). */
  scaleFromZero?: ScaleFromZeroStatus;
  lambda: LambdaProxyStatus;
  api: ApiGatewayStatus;
  apiKey: ApiKeyStatus;
  userPool: CognitoStatus;
  /** The SLO and fallback alarms, then (with a provisioned cache) the cache's own. */
  alarms: AlarmStatus[];
  /** Only read when release.yaml provisions the cache (cache kind redis without an endpoint). */
  cache?: CacheStatus;
  /** From the endpoint's tags; undefined when the endpoint is missing or `up` never wrote one. */
  deployment?: DeploymentStatus;
  dashboard: DashboardStatus;
  /** Only read when release.yaml has a budget (Budgets needs its own permissions). */
  budget: BudgetStatus;
}

/** The endpoint, then the config it serves, then that config's model. */
async function servingStatus(ctx: DeployContext): Promise<ServingStatus> {
  const endpoint = await observeStatus(ctx, sagemakerEndpoint);
  if (!endpoint.endpointConfig) return endpoint;
  const config = await observeStatus(ctx, sagemakerEndpointConfig, { endpointConfigName: endpoint.endpointConfig });
  const model = config.modelName
    ? await observeStatus(ctx, sagemakerModel, { modelName: config.modelName })
    : undefined;
  const image = endpoint.image ?? model?.image;
  return {
    ...endpoint,
    instanceType: config.instanceType,
    instanceCount: endpoint.instanceCount ?? config.instanceCount,
    modelName: config.modelName,
    image,
    imageDigest: endpoint.imageDigest ?? image?.split('@')[1],
    environment: model?.environment,
    vpc: model?.vpc,
    kmsKeyId: config.kmsKeyId,
  };
}

/** What release.yaml asks for that does not exist: each missing resource by kind and name. */
export function missingResources(s: Omit<EnvironmentStatus, 'complete' | 'missing'>): string[] {
  const wanted: [string, { name: string; exists?: boolean; configured?: boolean }][] = [
    ['ecr repository', s.ecrRepository],
    ['endpoint', s.endpoint],
    ['lambda', s.lambda],
    ['api', s.api],
    ['user pool', s.userPool],
    ...s.alarms.map((a): [string, AlarmStatus] => ['alarm', a]),
    ['dashboard', s.dashboard],
  ];
  if (s.apiKey.configured) wanted.push(['api key', s.apiKey]);
  if (s.budget.configured) wanted.push(['budget', s.budget]);
  if (s.cache) wanted.push(['cache', s.cache]);
  const missing = wanted.filter(([, r]) => !r.exists).map(([kind, r]) => `${kind} ${r.name}`);
  if (s.autoscaling.configured && !s.autoscaling.enabled) missing.push('autoscaling target');
  if (s.scaleFromZero?.configured && !s.scaleFromZero.exists) missing.push(`scale-from-zero ${s.scaleFromZero.name}`);
  return missing;
}

export async function collectStatus(ctx: DeployContext): Promise<EnvironmentStatus> {
  const endpoint = await servingStatus(ctx);
  const api = await observeStatus(ctx, apiGatewayResource);
  // No ElastiCache call (or permission) without a provisioned cache.
  const provisioned = provisionsCache(ctx);
  const read = {
    env: ctx.envName,
    region: ctx.region,
    ecrRepository: await observeStatus(ctx, ecrRepository),
    endpoint,
    autoscaling: await observeStatus(ctx, autoscaling),
    ...(ctx.env.async ? { scaleFromZero: await observeStatus(ctx, scaleFromZero) } : {}),
    lambda: await observeStatus(ctx, lambdaProxyForStatus),
    api,
    apiKey: await observeStatus(ctx, apiKeyResource, api.id ? { restApiId: api.id } : {}),
    userPool: await observeStatus(ctx, cognitoResource),
    alarms: [...(await observeStatus(ctx, alarms)), ...(provisioned ? await observeStatus(ctx, cacheAlarms) : [])],
    ...(provisioned ? { cache: await observeStatus(ctx, elasticacheServerless) } : {}),
    // The record is tags on the endpoint: nothing to read without one.
    deployment: endpoint.exists
      ? await observeStatus(
          ctx,
          deploymentRecord,
          endpoint.endpointConfig ? { endpointConfigName: endpoint.endpointConfig } : {},
        )
      : undefined,
    dashboard: await observeStatus(ctx, dashboard),
    budget: await observeStatus(ctx, budget),
  };
  const missing = missingResources(read);
  return { ...read, complete: missing.length === 0, missing };
}
