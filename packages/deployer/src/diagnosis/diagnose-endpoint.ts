// Why did the endpoint fail? Its FailureReason, the tail of its CloudWatch logs,
// the likely cause in plain words, and the command that reproduces it locally.
// Read-only and best effort: each AWS read that fails is noted, never thrown.
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type DescribeEndpointCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { classifyFailure, type LikelyCause } from './likely-cause.js';
import { fetchLogTail, type LogTail, type LogTailOptions } from './endpoint-logs.js';

export interface Diagnosis {
  endpoint: string;
  status?: string;
  /** SageMaker's FailureReason, or what the deployer saw (e.g. a rolled back update). */
  failureReason?: string;
  /** The image the failing variant runs, when it could be found. */
  image?: string;
  logs: LogTail;
  cause: LikelyCause;
  /** A command that runs the same image locally against the container contract. */
  reproduce: string;
}

export interface DiagnoseOptions extends LogTailOptions {
  /** Default `/aws/sagemaker/Endpoints/<endpoint>`. */
  logGroup?: string;
  /** A DescribeEndpoint answer already in hand (saves a call). */
  described?: DescribeEndpointCommandOutput;
  /** What the deployer saw, used when SageMaker gives no FailureReason. */
  observed?: string;
  /** The image, when the caller knows it. */
  image?: string;
  /** `--builder` for the reproduce command. */
  builder?: string;
}

export interface DiagnoseClients {
  sagemaker: SageMakerClient;
  logs: CloudWatchLogsClient;
}

const READ_TIMEOUT_MS = 10_000;
const opts = () => ({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) });

export function endpointLogGroup(endpoint: string): string {
  return `/aws/sagemaker/Endpoints/${endpoint}`;
}

/** The image of the endpoint's first variant: from the deployed images, else its config's model. */
async function imageOf(
  sagemaker: SageMakerClient,
  described: DescribeEndpointCommandOutput | undefined,
): Promise<string | undefined> {
  // InService after a failed update = rolled back: what it runs is the old, working image.
  const rolledBack = described?.EndpointStatus === 'InService';
  const deployed = rolledBack ? undefined : described?.ProductionVariants?.[0]?.DeployedImages?.[0];
  if (deployed?.ResolvedImage ?? deployed?.SpecifiedImage) return deployed.ResolvedImage ?? deployed.SpecifiedImage;
  // The config being deployed is the pending one during an update.
  const configName =
    described?.PendingDeploymentSummary?.EndpointConfigName ?? (rolledBack ? undefined : described?.EndpointConfigName);
  if (!configName) return undefined;
  try {
    const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }), opts());
    const modelName = config?.ProductionVariants?.[0]?.ModelName;
    if (!modelName) return undefined;
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }), opts());
    return model?.PrimaryContainer?.Image ?? model?.Containers?.[0]?.Image;
  } catch {
    return undefined;
  }
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?:@(sha256:[0-9a-f]{64})|:([\w][\w.-]{0,127}))?$/;

/**
 * The command that shows the same failure locally: the image against the container
 * contract, or, when SageMaker could not even pull it, whether ECR has it.
 */
export function reproduceCommand(image: string | undefined, builder?: string, cause?: LikelyCause['id']): string {
  const ecr = image ? ECR_IMAGE.exec(image) : null;
  if (cause === 'image-pull' && ecr) {
    const [, , region, repository, digest, tag] = ecr;
    const id = digest ? `imageDigest=${digest}` : `imageTag=${tag ?? 'latest'}`;
    return `aws ecr describe-images --region ${region} --repository-name ${repository} --image-ids ${id}`;
  }
  const flag = builder && builder !== 'docker' ? ` --builder ${builder}` : '';
  return `model-deploy doctor --image ${image ?? '<the image uri>'}${flag}`;
}

export async function diagnoseEndpoint(
  clients: DiagnoseClients,
  endpoint: string,
  options: DiagnoseOptions = {},
): Promise<Diagnosis> {
  let described = options.described;
  if (!described) {
    described = await clients.sagemaker
      .send(new DescribeEndpointCommand({ EndpointName: endpoint }), opts())
      .catch(() => undefined);
  }
  const failureReason = described?.FailureReason ?? options.observed;
  const [image, logs] = await Promise.all([
    options.image ? Promise.resolve(options.image) : imageOf(clients.sagemaker, described),
    fetchLogTail(clients.logs, options.logGroup ?? endpointLogGroup(endpoint), options),
  ]);
  const cause = classifyFailure(
    failureReason,
    logs.lines.map((l) => l.message),
  );
  return {
    endpoint,
    ...(described?.EndpointStatus ? { status: described.EndpointStatus } : {}),
    ...(failureReason ? { failureReason } : {}),
    ...(image ? { image } : {}),
    logs,
    cause,
    reproduce: reproduceCommand(image, options.builder, cause.id),
  };
}

/** Endpoint states worth a diagnosis: failed, or failing back to the old config. */
export const FAILED_STATES: ReadonlySet<string> = new Set(['Failed', 'UpdateRollbackFailed', 'RollingBack']);
