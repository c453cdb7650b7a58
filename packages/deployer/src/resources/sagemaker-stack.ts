// The SageMaker side of an environment, in apply order; outputs flow down
// (ecrRepositoryUri -> imageUri -> sagemakerRoleArn -> modelName ->
// endpointConfigName -> endpointName/endpointArn). lambdaRoleArn and
// endpointName feed the Lambda proxy that comes after. Destroy runs in reverse;
// the ECR repository and images have no destroy (shared by every environment).
import { alarms } from './alarms.js';
import { autoscaling } from './autoscaling.js';
import { ecrRepository } from './ecr.js';
import { lambdaRole, sagemakerRole } from './iam.js';
import { createImageModule, type ImageOptions } from './image.js';
import type { ResourceModule } from './resource.js';
import { sagemakerEndpoint } from './sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from './sagemaker-endpoint-config.js';
import { sagemakerModel } from './sagemaker-model.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = ResourceModule<any, any, Record<string, string>>;

export function sagemakerStackResources(image: ImageOptions = {}): AnyModule[] {
  return [
    ecrRepository,
    createImageModule(image),
    sagemakerRole,
    lambdaRole,
    sagemakerModel,
    sagemakerEndpointConfig,
    sagemakerEndpoint,
    autoscaling,
    alarms,
  ];
}
