// Shared test harness: a DeployContext over real SDK clients whose `send` is
// stubbed by aws-sdk-client-mock, plus a record of every command sent.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../src/aws/clients.js';
import { createDeployContext, type CommandRunner, type DeployContext, type ProgressSink } from '../../src/context.js';
import { parseRelease } from '../../src/release/load-release.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const REPO_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/model-service/iris`;
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const DIGEST2 = `sha256:${'b'.repeat(64)}`;

export const RELEASE_YAML = `apiVersion: model-service/v1
model: { name: iris, team: data-science, owner: someone@example.com }
region: eu-west-1
image: { keepLast: 10 }
slo: { p95LatencyMs: 500, errorRate: 0.01 }
environments:
  dev:
    instanceType: ml.t2.medium
    instanceCount: 1
    volumeSizeGb: 10
  prod:
    instanceType: ml.m5.large
    instanceCount: 2
    autoscaling: { enabled: true, minCapacity: 2, maxCapacity: 4, targetInvocationsPerInstance: 100 }
`;

/** Every mutating command the SageMaker-side modules can send. */
export const MUTATING = new Set([
  'CreateRepositoryCommand',
  'PutLifecyclePolicyCommand',
  'PutImageScanningConfigurationCommand',
  'TagResourceCommand',
  'CreateRoleCommand',
  'CreatePolicyCommand',
  'PutRolePermissionsBoundaryCommand',
  'PutRolePolicyCommand',
  'UpdateAssumeRolePolicyCommand',
  'TagRoleCommand',
  'DeleteRoleCommand',
  'DeleteRolePolicyCommand',
  'CreateModelCommand',
  'DeleteModelCommand',
  'CreateEndpointConfigCommand',
  'DeleteEndpointConfigCommand',
  'CreateEndpointCommand',
  'UpdateEndpointCommand',
  'DeleteEndpointCommand',
  'AddTagsCommand',
  'RegisterScalableTargetCommand',
  'PutScalingPolicyCommand',
  'DeleteScalingPolicyCommand',
  'DeregisterScalableTargetCommand',
  'PutMetricAlarmCommand',
  'DeleteAlarmsCommand',
  'GetAuthorizationTokenCommand',
]);
const READ = /^(Describe|List|Get)\w*Command$/;

// A type alias, not an interface: Object.values(mocks) then gives AwsStub[], not any[].
export type Mocks = {
  ecr: AwsStub<any, any, any>;
  iam: AwsStub<any, any, any>;
  sagemaker: AwsStub<any, any, any>;
  autoScaling: AwsStub<any, any, any>;
  cloudWatch: AwsStub<any, any, any>;
  logs: AwsStub<any, any, any>;
  sts: AwsStub<any, any, any>;
  lambda: AwsStub<any, any, any>;
  apiGateway: AwsStub<any, any, any>;
  cognito: AwsStub<any, any, any>;
  ec2: AwsStub<any, any, any>;
  serviceQuotas: AwsStub<any, any, any>;
  secretsManager: AwsStub<any, any, any>;
};

export function mockAll(): Mocks {
  return {
    ecr: mockClient(ECRClient),
    iam: mockClient(IAMClient),
    sagemaker: mockClient(SageMakerClient),
    autoScaling: mockClient(ApplicationAutoScalingClient),
    cloudWatch: mockClient(CloudWatchClient),
    logs: mockClient(CloudWatchLogsClient),
    sts: mockClient(STSClient),
    lambda: mockClient(LambdaClient),
    apiGateway: mockClient(APIGatewayClient),
    cognito: mockClient(CognitoIdentityProviderClient),
    ec2: mockClient(EC2Client),
    serviceQuotas: mockClient(ServiceQuotasClient),
    secretsManager: mockClient(SecretsManagerClient),
  };
}

export function restoreAll(mocks: Mocks): void {
  for (const m of Object.values(mocks)) m.restore();
}

/** Names of every command sent to any mocked client, in call order per client. */
export function sentCommands(mocks: Mocks): string[] {
  return Object.values(mocks).flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name));
}

/** Mutating commands sent; throws when a command is neither a known read nor in MUTATING (keeps the list honest). */
export function mutatingCommands(mocks: Mocks): string[] {
  return sentCommands(mocks).filter((name) => {
    if (MUTATING.has(name)) return true;
    if (READ.test(name)) return false;
    throw new Error(`${name} is neither a read nor listed in MUTATING`);
  });
}

export interface LogLines extends ProgressSink {
  lines: string[];
}

export function recordingSink(): LogLines {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warn: ${m}`),
    debug: (m) => void lines.push(`debug: ${m}`),
  };
}

export function testContext(
  options: { env?: string; yaml?: string; dryRun?: boolean; runner?: CommandRunner; log?: ProgressSink } = {},
): DeployContext {
  const release = parseRelease(options.yaml ?? RELEASE_YAML);
  const clients = createAwsClients({
    region: release.region,
    env: {},
    retry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
  });
  return createDeployContext({
    release,
    envName: options.env ?? 'dev',
    clients,
    accountId: ACCOUNT,
    projectDir: '/project',
    dryRun: options.dryRun,
    runner: options.runner,
    log: options.log,
    wait: { maxWaitSeconds: 2, minDelaySeconds: 0.001, maxDelaySeconds: 0.002 },
  });
}

/** How SageMaker answers a Describe* of something missing. */
export function sagemakerNotFound(what: string): SageMakerServiceException {
  return new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    message: `Could not find ${what}.`,
    $metadata: { httpStatusCode: 400, requestId: 'req-nf', attempts: 1, totalRetryDelay: 0 },
  });
}

export function throttling(): SageMakerServiceException {
  return new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400, requestId: 'req-throttle', attempts: 3, totalRetryDelay: 900 },
  });
}
