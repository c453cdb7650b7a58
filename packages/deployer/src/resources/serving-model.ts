// The model the environment's endpoint serves now (endpoint -> its config -> the config's model):
// what `plan` compares a new content-hashed model with, so a changed setting shows as its
// MS_* variable from -> to instead of only a new model name. Read calls only.
import { DescribeEndpointConfigCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { describeEndpoint } from './sagemaker-endpoint.js';
import type { ModelContent } from './sagemaker-names.js';
import { observedVpcIds } from './vpc.js';

/** The served model's name and content (as far as DescribeModel tells it). */
export interface ServingModel extends Partial<Omit<ModelContent, 'environment'>> {
  name: string;
  environment: Record<string, string>;
}

/** Undefined when there is no endpoint yet, or what it names is gone. */
export async function servingModel(ctx: DeployContext): Promise<ServingModel | undefined> {
  const endpoint = await describeEndpoint(ctx, ctx.names.endpoint);
  if (!endpoint?.EndpointConfigName) return undefined;
  const config = await ctx.clients.sagemaker
    .send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }))
    .catch(ifMissing(undefined));
  const name = config?.ProductionVariants?.[0]?.ModelName;
  if (!name) return undefined;
  const model = await ctx.clients.sagemaker
    .send(new DescribeModelCommand({ ModelName: name }))
    .catch(ifMissing(undefined));
  if (!model) return undefined;
  const vpc = observedVpcIds(model.VpcConfig?.Subnets, model.VpcConfig?.SecurityGroupIds);
  return {
    name,
    image: model.PrimaryContainer?.Image,
    ...(model.PrimaryContainer?.ModelDataUrl ? { modelDataUrl: model.PrimaryContainer.ModelDataUrl } : {}),
    executionRoleArn: model.ExecutionRoleArn,
    environment: model.PrimaryContainer?.Environment ?? {},
    ...(vpc ? { vpc } : {}),
    ...(model.EnableNetworkIsolation ? { networkIsolation: true as const } : {}),
  };
}
