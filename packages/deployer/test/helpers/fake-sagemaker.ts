// A small stateful SageMaker behind aws-sdk-client-mock: models, endpoint
// configs and endpoints live in maps, errors have the shapes SageMaker returns.
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  SageMakerServiceException,
  UpdateEndpointCommand,
  type AsyncInferenceConfig,
  type DataCaptureConfig,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import type { AwsStub } from 'aws-sdk-client-mock';
import { sagemakerNotFound } from './aws-context.js';

const validation = (message: string) =>
  new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400, requestId: 'req-v', attempts: 1, totalRetryDelay: 0 },
  });

export interface FakeEndpoint {
  config: string;
  status: string;
  failureReason?: string;
  lastModified: Date;
}

export class FakeSageMaker {
  models = new Map<
    string,
    {
      image: string;
      role: string;
      environment?: Record<string, string>;
      vpc?: { Subnets: string[]; SecurityGroupIds: string[] };
      isolation?: boolean;
    }
  >();
  configs = new Map<string, ProductionVariant[]>();
  /** CreateEndpointConfig's KmsKeyId by config name (absent: an AWS managed key). */
  configKeys = new Map<string, string>();
  /** CreateEndpointConfig's DataCaptureConfig by config name (absent: no capture). */
  configCapture = new Map<string, DataCaptureConfig>();
  /** CreateEndpointConfig's AsyncInferenceConfig by config name (absent: real-time). */
  configAsync = new Map<string, AsyncInferenceConfig>();
  endpoints = new Map<string, FakeEndpoint>();
  /** What the next create/update ends in. */
  outcome: { status: 'InService' | 'Failed'; failureReason?: string } = { status: 'InService' };
  /** A failed update rolls back: the endpoint ends InService on the old config. */
  updateRollsBack?: string;

  constructor(mock: AwsStub<any, any, any>) {
    mock.on(DescribeModelCommand).callsFake(({ ModelName }) => {
      const m = this.models.get(ModelName);
      if (!m) throw sagemakerNotFound(`model "${ModelName}"`);
      return {
        ModelName,
        PrimaryContainer: { Image: m.image, ...(m.environment ? { Environment: m.environment } : {}) },
        ExecutionRoleArn: m.role,
        ...(m.vpc ? { VpcConfig: m.vpc } : {}),
        ...(m.isolation ? { EnableNetworkIsolation: true } : {}),
      };
    });
    mock
      .on(CreateModelCommand)
      .callsFake(({ ModelName, PrimaryContainer, ExecutionRoleArn, VpcConfig, EnableNetworkIsolation }) => {
        if (this.models.has(ModelName)) throw validation(`Cannot create already existing model "${ModelName}".`);
        this.models.set(ModelName, {
          image: PrimaryContainer.Image,
          role: ExecutionRoleArn,
          environment: PrimaryContainer.Environment,
          vpc: VpcConfig,
          isolation: EnableNetworkIsolation,
        });
        return { ModelArn: `arn:aws:sagemaker:eu-west-1:123456789012:model/${ModelName}` };
      });
    mock.on(DescribeEndpointConfigCommand).callsFake(({ EndpointConfigName }) => {
      const c = this.configs.get(EndpointConfigName);
      if (!c) throw sagemakerNotFound(`endpoint configuration "${EndpointConfigName}"`);
      const KmsKeyId = this.configKeys.get(EndpointConfigName);
      const DataCaptureConfig = this.configCapture.get(EndpointConfigName);
      const AsyncInferenceConfig = this.configAsync.get(EndpointConfigName);
      return {
        EndpointConfigName,
        ProductionVariants: c,
        ...(KmsKeyId ? { KmsKeyId } : {}),
        ...(DataCaptureConfig ? { DataCaptureConfig } : {}),
        ...(AsyncInferenceConfig ? { AsyncInferenceConfig } : {}),
      };
    });
    mock
      .on(CreateEndpointConfigCommand)
      .callsFake(({ EndpointConfigName, ProductionVariants, KmsKeyId, DataCaptureConfig, AsyncInferenceConfig }) => {
        if (this.configs.has(EndpointConfigName))
          throw validation(`Cannot create already existing endpoint configuration "${EndpointConfigName}".`);
        // What SageMaker refuses next to a ServerlessConfig variant.
        const serverless = (ProductionVariants as ProductionVariant[]).some((v) => v.ServerlessConfig);
        if (serverless && KmsKeyId)
          throw validation('KmsKeyId is not supported for serverless endpoint configurations.');
        if (serverless && DataCaptureConfig)
          throw validation('Data capture is not supported for serverless endpoints.');
        if (
          (ProductionVariants as ProductionVariant[]).some(
            (v) => v.ServerlessConfig && (v.InstanceType || v.VolumeSizeInGB),
          )
        )
          throw validation('A serverless production variant cannot have InstanceType or VolumeSizeInGB.');
        this.configs.set(EndpointConfigName, ProductionVariants);
        if (KmsKeyId) this.configKeys.set(EndpointConfigName, KmsKeyId);
        if (DataCaptureConfig) this.configCapture.set(EndpointConfigName, DataCaptureConfig);
        if (AsyncInferenceConfig) this.configAsync.set(EndpointConfigName, AsyncInferenceConfig);
        return {};
      });
    mock.on(DescribeEndpointCommand).callsFake(({ EndpointName }) => {
      const e = this.endpoints.get(EndpointName);
      if (!e) throw sagemakerNotFound(`endpoint "${EndpointName}"`);
      return {
        EndpointName,
        EndpointArn: `arn:aws:sagemaker:eu-west-1:123456789012:endpoint/${EndpointName}`,
        EndpointConfigName: e.config,
        EndpointStatus: e.status,
        FailureReason: e.failureReason,
        LastModifiedTime: e.lastModified,
      };
    });
    mock.on(CreateEndpointCommand).callsFake(({ EndpointName, EndpointConfigName }) => {
      if (this.endpoints.has(EndpointName))
        throw validation(`Cannot create already existing endpoint "${EndpointName}".`);
      this.endpoints.set(EndpointName, { config: EndpointConfigName, ...this.outcome, lastModified: new Date() });
      return {};
    });
    mock.on(UpdateEndpointCommand).callsFake(({ EndpointName, EndpointConfigName, DeploymentConfig }) => {
      const e = this.endpoints.get(EndpointName);
      if (!e) throw sagemakerNotFound(`endpoint "${EndpointName}"`);
      const isServerless = (name: string) => Boolean(this.configs.get(name)?.[0]?.ServerlessConfig);
      if (isServerless(e.config) !== isServerless(EndpointConfigName))
        throw validation('Cannot update an endpoint between instance-based and serverless endpoint configurations.');
      if (isServerless(EndpointConfigName) && DeploymentConfig?.BlueGreenUpdatePolicy)
        throw validation('Blue/green deployment is not supported for serverless endpoints.');
      if (this.updateRollsBack) {
        Object.assign(e, { status: 'InService', failureReason: this.updateRollsBack, lastModified: new Date() });
      } else {
        Object.assign(e, { config: EndpointConfigName, ...this.outcome, lastModified: new Date() });
      }
      return {};
    });
    mock.on(DeleteEndpointCommand).callsFake(({ EndpointName }) => {
      if (!this.endpoints.delete(EndpointName)) throw sagemakerNotFound(`endpoint "${EndpointName}"`);
      return {};
    });
    mock.on(DeleteEndpointConfigCommand).callsFake(({ EndpointConfigName }) => {
      this.configs.delete(EndpointConfigName);
      this.configKeys.delete(EndpointConfigName);
      return {};
    });
    mock.on(DeleteModelCommand).callsFake(({ ModelName }) => {
      this.models.delete(ModelName);
      return {};
    });
    mock.on(ListModelsCommand).callsFake(({ NameContains }) => ({
      Models: [...this.models.keys()].filter((n) => n.includes(NameContains)).map((ModelName) => ({ ModelName })),
    }));
    mock.on(ListEndpointConfigsCommand).callsFake(({ NameContains }) => ({
      EndpointConfigs: [...this.configs.keys()]
        .filter((n) => n.includes(NameContains))
        .map((EndpointConfigName) => ({ EndpointConfigName })),
    }));
  }
}
