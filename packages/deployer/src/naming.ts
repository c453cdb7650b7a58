// Deterministic AWS names and ARNs: AWS itself is the state, so every resource
// is found again by its name. Content-hashed names (model, endpoint config)
// change exactly when their content changes.
import { createHash } from 'node:crypto';
import type { EnvName, ReleaseConfig } from './release/types.js';

export interface ResourceNames {
  /** `ms-<model>-<env>` */
  readonly prefix: string;
  readonly endpoint: string;
  readonly variant: string;
  readonly lambda: string;
  readonly api: string;
  readonly stage: string;
  readonly userPool: string;
  readonly userPoolClient: string;
  /** The app client CI's `verify` signs in with (OAuth client_credentials, secret in Secrets Manager). */
  readonly verifyClient: string;
  /** Secrets Manager name of that client's id and secret. */
  readonly verifySecret: string;
  /** The user pool's resource server: the API, whose `invoke` scope the verify client is given. */
  readonly apiResourceServer: string;
  readonly usagePlan: string;
  readonly apiKey: string;
  readonly sagemakerRole: string;
  readonly lambdaRole: string;
  readonly sagemakerPolicy: string;
  readonly lambdaPolicy: string;
  /** `model-service/<image.repository>` */
  readonly ecrRepository: string;
  readonly endpointLogGroup: string;
  readonly lambdaLogGroup: string;
  readonly apiAccessLogGroup: string;
  readonly errorRateAlarm: string;
  readonly latencyAlarm: string;
  /** The error-rate and latency alarms scaled to the canary's share of traffic (watched only during a bake). */
  readonly canaryErrorRateAlarm: string;
  readonly canaryLatencyAlarm: string;
  /** On the runtime's FallbackAnswers (EMF): the model is failing and the rules answer. */
  readonly fallbackAlarm: string;
  readonly scalingPolicy: string;
  /** An async endpoint's target tracking on its backlog, instead of `scalingPolicy`. */
  readonly backlogScalingPolicy: string;
  /** An async endpoint at zero instances: the step policy that adds one, and the alarm that fires it. */
  readonly scaleFromZeroPolicy: string;
  readonly backlogWithoutCapacityAlarm: string;
  /** Application Auto Scaling resource id of the endpoint variant. */
  readonly scalableResourceId: string;
}

/** The variant name every endpoint config uses (one production variant). */
export const VARIANT_NAME = 'AllTraffic';

export function resourceNames(release: ReleaseConfig, envName: EnvName): ResourceNames {
  const prefix = `ms-${release.model.name}-${envName}`;
  return {
    prefix,
    endpoint: prefix,
    variant: VARIANT_NAME,
    lambda: `${prefix}-proxy`,
    api: `${prefix}-api`,
    stage: envName,
    userPool: `${prefix}-users`,
    userPoolClient: `${prefix}-machine-client`,
    verifyClient: `${prefix}-verify-client`,
    verifySecret: `${prefix}/verify-client`,
    apiResourceServer: `https://${prefix}-api`,
    usagePlan: `${prefix}-usage-plan`,
    apiKey: `${prefix}-key`,
    sagemakerRole: `${prefix}-sagemaker`,
    lambdaRole: `${prefix}-lambda`,
    sagemakerPolicy: `${prefix}-sagemaker-least-privilege`,
    lambdaPolicy: `${prefix}-lambda-least-privilege`,
    ecrRepository: `model-service/${release.image.repository}`,
    endpointLogGroup: `/aws/sagemaker/Endpoints/${prefix}`,
    lambdaLogGroup: `/aws/lambda/${prefix}-proxy`,
    // API Gateway writes access logs only where it is told: any name; this one sorts with the others.
    apiAccessLogGroup: `/aws/apigateway/${prefix}-access`,
    errorRateAlarm: `${prefix}-error-rate`,
    latencyAlarm: `${prefix}-p95-latency`,
    canaryErrorRateAlarm: `${prefix}-canary-error-rate`,
    canaryLatencyAlarm: `${prefix}-canary-latency`,
    fallbackAlarm: `${prefix}-fallback-answers`,
    scalingPolicy: `${prefix}-invocations-target`,
    backlogScalingPolicy: `${prefix}-backlog-target`,
    scaleFromZeroPolicy: `${prefix}-scale-from-zero`,
    backlogWithoutCapacityAlarm: `${prefix}-backlog-without-capacity`,
    scalableResourceId: `endpoint/${prefix}/variant/${VARIANT_NAME}`,
  };
}

/** JSON with sorted keys, so equal content always hashes equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function shortHash(value: unknown, length = 8): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** `ms-iris-dev-<hash of image digest + model config>` */
export function modelName(names: ResourceNames, content: unknown): string {
  return `${names.prefix}-${shortHash(content)}`;
}

/** `ms-iris-dev-<hash of endpoint config content>` */
export function endpointConfigName(names: ResourceNames, content: unknown): string {
  return `${names.prefix}-${shortHash(content)}`;
}

export interface AccountScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export interface ResourceArns {
  readonly endpoint: string;
  readonly endpointConfigs: string;
  readonly models: string;
  readonly ecrRepository: string;
  readonly endpointLogGroup: string;
  readonly lambdaLogGroup: string;
  readonly lambda: string;
  readonly sagemakerRole: string;
  readonly lambdaRole: string;
}

export function resourceArns(names: ResourceNames, scope: AccountScope): ResourceArns {
  const { partition: p, region: r, accountId: a } = scope;
  return {
    // SageMaker lower-cases names inside ARNs.
    endpoint: `arn:${p}:sagemaker:${r}:${a}:endpoint/${names.endpoint.toLowerCase()}`,
    endpointConfigs: `arn:${p}:sagemaker:${r}:${a}:endpoint-config/${names.prefix.toLowerCase()}-*`,
    models: `arn:${p}:sagemaker:${r}:${a}:model/${names.prefix.toLowerCase()}-*`,
    ecrRepository: `arn:${p}:ecr:${r}:${a}:repository/${names.ecrRepository}`,
    endpointLogGroup: `arn:${p}:logs:${r}:${a}:log-group:${names.endpointLogGroup}`,
    lambdaLogGroup: `arn:${p}:logs:${r}:${a}:log-group:${names.lambdaLogGroup}`,
    lambda: `arn:${p}:lambda:${r}:${a}:function:${names.lambda}`,
    sagemakerRole: `arn:${p}:iam::${a}:role/${names.sagemakerRole}`,
    lambdaRole: `arn:${p}:iam::${a}:role/${names.lambdaRole}`,
  };
}
