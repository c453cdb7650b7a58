// One factory for every AWS SDK v3 client the deployer uses: same region,
// same retry (SDK adaptive retry per request + the outer `withRetry` layer),
// and endpoint overrides so the whole CLI can be pointed at an emulator.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_RETRY, installRetry, type RetryPolicy } from './retry.js';

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
  readonly ec2: EC2Client;
  readonly serviceQuotas: ServiceQuotasClient;
  /** Global service (budgets.amazonaws.com); the region only signs. */
  readonly budgets: BudgetsClient;
}

export type ServiceKey = keyof AwsClients;

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
  ec2: 'EC2',
  serviceQuotas: 'Service Quotas',
  budgets: 'Budgets',
};

export function endpointEnvVar(service: ServiceKey): string {
  return `AWS_ENDPOINT_URL_${SERVICE_IDS[service].toUpperCase().replace(/ /g, '_')}`;
}

/** Per-service variable first, then AWS_ENDPOINT_URL, else the real AWS endpoint. */
export function endpointOverride(service: ServiceKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
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
  ec2: EC2Client as Ctor<EC2Client>,
  serviceQuotas: ServiceQuotasClient as Ctor<ServiceQuotasClient>,
  budgets: BudgetsClient as Ctor<BudgetsClient>,
};

export function clientConfig(service: ServiceKey, options: ClientOptions): Record<string, unknown> {
  const endpoint = options.endpoints?.[service] ?? endpointOverride(service, options.env ?? process.env);
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
  return installRetry(client, options.retry ?? DEFAULT_RETRY);
}

export function createAwsClients(options: ClientOptions): AwsClients {
  const clients = {} as Record<ServiceKey, unknown>;
  for (const service of Object.keys(CTORS) as ServiceKey[]) clients[service] = createAwsClient(service, options);
  return Object.freeze(clients) as AwsClients;
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
