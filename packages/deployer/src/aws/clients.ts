// One factory for every AWS SDK v3 client the deployer uses: same region,
// same retry (SDK adaptive retry per request + the outer `withRetry` layer),
// errors wrapped once in `send` (wrap-errors.ts), and endpoint overrides so
// the whole CLI can be pointed at an emulator.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_RETRY, installRetry, type RetryPolicy } from './retry.js';
import { installErrorWrapping } from './wrap-errors.js';

export interface AwsClients {
  readonly apiGateway: APIGatewayClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sagemaker: SageMakerClient;
  readonly sagemakerRuntime: SageMakerRuntimeClient;
  readonly sts: STSClient;
  /** Global service (budgets.amazonaws.com); the region only signs. */
  readonly budgets: BudgetsClient;
}

export type ServiceKey = keyof AwsClients;

/**
 * Clients loaded on first use: their SDK packages are large (EC2 + Service Quotas add
 * about 1 s to every command's start on a 2-core box) and only doctor's checks need them.
 */
export interface LazyAwsClients {
  readonly ec2: EC2Client;
  readonly serviceQuotas: ServiceQuotasClient;
  /** Only a release with a provisioned redis cache needs it. */
  readonly elastiCache: ElastiCacheClient;
  /** Only an async environment (its S3 bucket check) needs it. */
  readonly s3: S3Client;
  /** Only an async environment with notifications (its topic check) needs it. */
  readonly sns: SNSClient;
  /** Only the CI verify client's secret (written by `up`, read by `verify`) needs it. */
  readonly secretsManager: SecretsManagerClient;
}

export type LazyServiceKey = keyof LazyAwsClients;

/**
 * The SDK's service ids: `AWS_ENDPOINT_URL_<ID upper-cased, spaces -> _>` is the
 * per-service override, the same variable names the SDK and the AWS CLI read.
 */
export const SERVICE_IDS: Readonly<Record<ServiceKey, string>> = {
  apiGateway: 'API Gateway',
  autoScaling: 'Application Auto Scaling',
  cloudWatch: 'CloudWatch',
  logs: 'CloudWatch Logs',
  cognito: 'Cognito Identity Provider',
  ecr: 'ECR',
  iam: 'IAM',
  lambda: 'Lambda',
  sagemaker: 'SageMaker',
  sagemakerRuntime: 'SageMaker Runtime',
  sts: 'STS',
  budgets: 'Budgets',
};

export const LAZY_SERVICE_IDS: Readonly<Record<LazyServiceKey, string>> = {
  ec2: 'EC2',
  serviceQuotas: 'Service Quotas',
  elastiCache: 'ElastiCache',
  s3: 'S3',
  sns: 'SNS',
  secretsManager: 'Secrets Manager',
};

const ALL_SERVICE_IDS: Readonly<Record<ServiceKey | LazyServiceKey, string>> = { ...SERVICE_IDS, ...LAZY_SERVICE_IDS };

export function endpointEnvVar(service: ServiceKey | LazyServiceKey): string {
  return `AWS_ENDPOINT_URL_${ALL_SERVICE_IDS[service].toUpperCase().replace(/ /g, '_')}`;
}

/** Per-service variable first, then AWS_ENDPOINT_URL, else the real AWS endpoint. */
export function endpointOverride(
  service: ServiceKey | LazyServiceKey,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[endpointEnvVar(service)] || env.AWS_ENDPOINT_URL || undefined;
}

export interface ClientOptions {
  region: string;
  /** SDK attempts per request (adaptive retry mode). Default 3. */
  maxAttempts?: number;
  /** The outer retry layer. */
  retry?: RetryPolicy;
  /** Defaults to process.env; read for endpoint overrides. */
  env?: NodeJS.ProcessEnv;
  /** Explicit per-service endpoints, winning over the environment. */
  endpoints?: Partial<Record<ServiceKey, string>>;
  /** Default: the SDK's default provider chain. */
  credentials?: NonNullable<ConstructorParameters<typeof STSClient>[0]>['credentials'];
  /** For tests: an SDK request handler to use instead of HTTP. */
  requestHandler?: unknown;
}

type Ctor<C> = new (config: Record<string, unknown>) => C;

const CTORS: { [K in ServiceKey]: Ctor<AwsClients[K]> } = {
  apiGateway: APIGatewayClient as Ctor<APIGatewayClient>,
  autoScaling: ApplicationAutoScalingClient as Ctor<ApplicationAutoScalingClient>,
  cloudWatch: CloudWatchClient as Ctor<CloudWatchClient>,
  logs: CloudWatchLogsClient as Ctor<CloudWatchLogsClient>,
  cognito: CognitoIdentityProviderClient as Ctor<CognitoIdentityProviderClient>,
  ecr: ECRClient as Ctor<ECRClient>,
  iam: IAMClient as Ctor<IAMClient>,
  lambda: LambdaClient as Ctor<LambdaClient>,
  sagemaker: SageMakerClient as Ctor<SageMakerClient>,
  sagemakerRuntime: SageMakerRuntimeClient as Ctor<SageMakerRuntimeClient>,
  sts: STSClient as Ctor<STSClient>,
  budgets: BudgetsClient as Ctor<BudgetsClient>,
};

export function clientConfig(service: ServiceKey | LazyServiceKey, options: ClientOptions): Record<string, unknown> {
  const endpoint =
    (options.endpoints as Partial<Record<ServiceKey | LazyServiceKey, string>> | undefined)?.[service] ??
    endpointOverride(service, options.env ?? process.env);
  const config: Record<string, unknown> = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: 'adaptive',
  };
  if (endpoint) config.endpoint = endpoint;
  if (options.credentials) config.credentials = options.credentials;
  if (options.requestHandler) config.requestHandler = options.requestHandler;
  return config;
}

export function createAwsClient<K extends ServiceKey>(service: K, options: ClientOptions): AwsClients[K] {
  const client = new CTORS[service](clientConfig(service, options));
  return installErrorWrapping(installRetry(client, options.retry ?? DEFAULT_RETRY), SERVICE_IDS[service]);
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const clients = {} as Record<ServiceKey, unknown>;
  for (const service of Object.keys(CTORS) as ServiceKey[]) clients[service] = createAwsClient(service, options);
  return Object.freeze(clients) as AwsClients;
}

/** Imports the SDK package on first call (the module system caches it); same config and retry as the others. */
export async function createLazyAwsClient<K extends LazyServiceKey>(
  service: K,
  options: ClientOptions,
): Promise<LazyAwsClients[K]> {
  const ctor =
    service === 'ec2'
      ? (await import('@aws-sdk/client-ec2')).EC2Client
      : service === 'elastiCache'
        ? (await import('@aws-sdk/client-elasticache')).ElastiCacheClient
        : service === 's3'
          ? (await import('@aws-sdk/client-s3')).S3Client
          : service === 'sns'
            ? (await import('@aws-sdk/client-sns')).SNSClient
            : service === 'secretsManager'
              ? (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient
              : (await import('@aws-sdk/client-service-quotas')).ServiceQuotasClient;
  const config = clientConfig(service, options);
  // Emulators (LocalStack and alike) serve buckets by path, not by virtual host.
  if (service === 's3' && config.endpoint) config.forcePathStyle = true;
  const client = new (ctor as unknown as Ctor<LazyAwsClients[K]>)(config);
  return installErrorWrapping(installRetry(client, options.retry ?? DEFAULT_RETRY), LAZY_SERVICE_IDS[service]);
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
