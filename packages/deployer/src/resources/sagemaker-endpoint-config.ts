// SageMaker EndpointConfig: one production variant (instance type, count,
// volume, or a serverless memory size and concurrency) and the KMS key of its
// storage volume. Its name hashes that content,
// so any change is a new config and the old one is kept: rollback is
// UpdateEndpoint back to it.
import {
  CreateEndpointConfigCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  paginateListEndpointConfigs,
  type AsyncInferenceConfig,
  type DataCaptureConfig,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import type { EnvironmentConfig, ReleaseConfig } from '../release/types.js';
import { tagList, type TagMap } from '../tags.js';
import { change, creationDiffs } from './diff.js';
import { asyncPaths, s3Uri } from './async-paths.js';
import { kmsKeyIdOf } from './kms.js';
import type { ResourceModule, StatusReport } from './resource.js';
import { listOwned, sagemakerEndpointConfigName, type AsyncContent, type VariantContent } from './sagemaker-names.js';

export interface EndpointConfigDesired extends VariantContent {
  name: string;
  variantName: string;
  tags: TagMap;
}

export interface EndpointConfigObserved {
  name: string;
  /** CreateEndpointConfig's KmsKeyId as SageMaker reports it (absent: an AWS managed key). */
  kmsKeyId?: string;
  /** DataCaptureConfig as SageMaker reports it (absent: no capture). */
  capture?: { samplingPercent: number; destination: string };
  /** The production variant as configured (status shows it; the name already hashes it for plan). */
  instanceType?: string;
  instanceCount?: number;
  modelName?: string;
  /** AsyncInferenceConfig as SageMaker reports it (absent: a real-time endpoint). */
  async?: AsyncContent;
}

/** What `status` shows for the config the endpoint serves. */
export interface EndpointConfigStatus {
  name: string;
  exists: boolean;
  instanceType?: string;
  instanceCount?: number;
  modelName?: string;
  /** Absent: an AWS managed key (or instance storage). */
  kmsKeyId?: string;
}

const KIND = 'sagemaker-endpoint-config';

// Types with local NVMe instance storage: SageMaker rejects VolumeSizeInGB and
// KmsKeyId for them (the hardware encrypts those volumes).
const INSTANCE_STORAGE = /^ml\.(m5d|c5d|r5d|g4dn|g5|g6|g6e|p3dn|p4d|p4de|p5)\./;

export function hasInstanceStorage(instanceType: string): boolean {
  return INSTANCE_STORAGE.test(instanceType);
}

/**
 * The KMS key for the environment's endpoint volume; none for instance-storage types and for
 * serverless (no `instanceType`), where SageMaker refuses KmsKeyId.
 */
export function endpointKmsKeyId(
  release: ReleaseConfig,
  envName: string,
  instanceType: string | undefined,
): string | undefined {
  return instanceType === undefined || hasInstanceStorage(instanceType) ? undefined : kmsKeyIdOf(release, envName);
}

/** What the config's name hashes (shared with promote, so both name the same content alike). */
export function variantContent(
  release: ReleaseConfig,
  envName: string,
  env: EnvironmentConfig,
  modelName: string,
): VariantContent {
  // Serverless: no volume, no KmsKeyId and no DataCaptureConfig (SageMaker refuses all three there).
  if (env.serverless) return { modelName, serverless: { ...env.serverless } };
  const instanceType = env.instanceType!;
  return {
    modelName,
    instanceType,
    instanceCount: env.instanceCount,
    // release.yaml may give a volume for every env; it only applies to EBS-backed types.
    volumeSizeGb: hasInstanceStorage(instanceType) ? undefined : env.volumeSizeGb,
    // Absent (not hashed) without a key, so configs from before kmsKeyId keep their names.
    kmsKeyId: endpointKmsKeyId(release, envName, instanceType),
    ...(release.capture === undefined ? {} : { capture: { ...release.capture } }),
    ...(env.async === undefined ? {} : { async: asyncContent(release, envName, env) }),
  };
}

/** The async part of the content: answers and failures under the env's prefix, the env's KMS key for them. */
export function asyncContent(release: ReleaseConfig, envName: string, env: EnvironmentConfig): AsyncContent {
  const config = env.async!;
  const paths = asyncPaths(config);
  const kmsKeyId = kmsKeyIdOf(release, envName);
  return {
    outputPath: s3Uri(paths.bucket, paths.resultPrefix),
    failurePath: s3Uri(paths.bucket, paths.failurePrefix),
    ...(config.maxConcurrentInvocationsPerInstance === undefined
      ? {}
      : { maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance }),
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    ...(config.notifications?.successTopic === undefined ? {} : { successTopic: config.notifications.successTopic }),
    ...(config.notifications?.errorTopic === undefined ? {} : { errorTopic: config.notifications.errorTopic }),
  };
}

/** CreateEndpointConfig's AsyncInferenceConfig, only for an async environment. */
export function asyncInferenceField(d: VariantContent): { AsyncInferenceConfig?: AsyncInferenceConfig } {
  const a = d.async;
  if (a === undefined) return {};
  const notify = a.successTopic !== undefined || a.errorTopic !== undefined;
  return {
    AsyncInferenceConfig: {
      ...(a.maxConcurrentInvocationsPerInstance === undefined
        ? {}
        : { ClientConfig: { MaxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance } }),
      OutputConfig: {
        S3OutputPath: a.outputPath,
        S3FailurePath: a.failurePath,
        ...(a.kmsKeyId === undefined ? {} : { KmsKeyId: a.kmsKeyId }),
        ...(notify
          ? {
              NotificationConfig: {
                ...(a.successTopic === undefined ? {} : { SuccessTopic: a.successTopic }),
                ...(a.errorTopic === undefined ? {} : { ErrorTopic: a.errorTopic }),
              },
            }
          : {}),
      },
    },
  };
}

/** The async part of a described config, in the shape the content hashes. */
function observedAsync(config: AsyncInferenceConfig | undefined): AsyncContent | undefined {
  const out = config?.OutputConfig;
  if (out === undefined) return undefined;
  const max = config?.ClientConfig?.MaxConcurrentInvocationsPerInstance;
  const notify = out.NotificationConfig;
  return {
    outputPath: out.S3OutputPath ?? '',
    failurePath: out.S3FailurePath ?? '',
    ...(max === undefined ? {} : { maxConcurrentInvocationsPerInstance: max }),
    ...(out.KmsKeyId ? { kmsKeyId: out.KmsKeyId } : {}),
    ...(notify?.SuccessTopic ? { successTopic: notify.SuccessTopic } : {}),
    ...(notify?.ErrorTopic ? { errorTopic: notify.ErrorTopic } : {}),
  };
}

/**
 * CreateEndpointConfig's DataCaptureConfig, only with release.yaml capture: input and
 * output, and JSON bodies recorded as JSON (not base64) so each record is readable JSON lines.
 */
export function dataCaptureField(d: VariantContent): { DataCaptureConfig?: DataCaptureConfig } {
  if (d.capture === undefined) return {};
  return {
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: d.capture.samplingPercent,
      DestinationS3Uri: d.capture.destination,
      ...(d.capture.kmsKeyId === undefined ? {} : { KmsKeyId: d.capture.kmsKeyId }),
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'], CsvContentTypes: ['text/csv'] },
    },
  };
}

/** CreateEndpointConfig's KmsKeyId, only when a key is set. */
export function kmsKeyField(d: VariantContent): { KmsKeyId?: string } {
  return d.kmsKeyId === undefined ? {} : { KmsKeyId: d.kmsKeyId };
}

export function productionVariant(d: EndpointConfigDesired): ProductionVariant {
  if (d.serverless) {
    const { memoryMb, maxConcurrency, provisionedConcurrency } = d.serverless;
    return {
      VariantName: d.variantName,
      ModelName: d.modelName,
      InitialVariantWeight: 1,
      ServerlessConfig: {
        MemorySizeInMB: memoryMb,
        MaxConcurrency: maxConcurrency,
        ...(provisionedConcurrency === undefined ? {} : { ProvisionedConcurrency: provisionedConcurrency }),
      },
    };
  }
  return {
    VariantName: d.variantName,
    ModelName: d.modelName,
    InstanceType: d.instanceType as ProductionVariant['InstanceType'],
    InitialInstanceCount: d.instanceCount,
    InitialVariantWeight: 1,
    ...(d.volumeSizeGb === undefined ? {} : { VolumeSizeInGB: d.volumeSizeGb }),
  };
}

/** Plan lines of a serverless variant (in place of instance type and count). */
function serverlessDiffs(d: EndpointConfigDesired) {
  const s = d.serverless!;
  return creationDiffs(
    {
      modelName: d.modelName,
      serverlessMemoryMb: s.memoryMb,
      serverlessMaxConcurrency: s.maxConcurrency,
      serverlessProvisionedConcurrency: s.provisionedConcurrency,
    },
    [
      'modelName',
      'serverlessMemoryMb',
      'serverlessMaxConcurrency',
      ...(s.provisionedConcurrency === undefined ? [] : (['serverlessProvisionedConcurrency'] as const)),
    ],
  );
}

/** Plan lines for data capture, only when it is on (without it the plan stays as before). */
function captureDiffs(d: VariantContent) {
  if (d.capture === undefined) return [];
  const { samplingPercent, destination, kmsKeyId } = d.capture;
  return creationDiffs(
    { captureSamplingPercent: samplingPercent, captureDestination: destination, captureKmsKeyId: kmsKeyId },
    ['captureSamplingPercent', 'captureDestination', ...(kmsKeyId === undefined ? [] : (['captureKmsKeyId'] as const))],
  );
}

/** Plan lines for async inference, only for an async environment. */
function asyncDiffs(d: VariantContent) {
  if (d.async === undefined) return [];
  const a = d.async;
  const values = {
    asyncOutputPath: a.outputPath,
    asyncFailurePath: a.failurePath,
    asyncMaxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance,
    asyncKmsKeyId: a.kmsKeyId,
    asyncSuccessTopic: a.successTopic,
    asyncErrorTopic: a.errorTopic,
  };
  const fields = (Object.keys(values) as (keyof typeof values)[]).filter((k) => values[k] !== undefined);
  return creationDiffs(values, fields);
}

export const sagemakerEndpointConfig: ResourceModule<EndpointConfigDesired, EndpointConfigObserved> &
  StatusReport<EndpointConfigDesired, EndpointConfigObserved, EndpointConfigStatus> = {
  kind: KIND,

  // The config the endpoint serves (upstream `endpointConfigName`), not the one release.yaml would make now.
  statusDesired(ctx, upstream) {
    return { ...sagemakerEndpointConfig.desired(ctx, upstream), name: upstream.endpointConfigName ?? '' };
  },

  status(desired, observed) {
    if (!observed) return { name: desired.name, exists: false };
    const { instanceType, instanceCount, modelName, kmsKeyId } = observed;
    return { name: desired.name, exists: true, instanceType, instanceCount, modelName, kmsKeyId };
  },

  /** Needs `modelName` upstream. */
  desired(ctx, upstream) {
    const content = variantContent(ctx.release, ctx.envName, ctx.env, upstream.modelName ?? '');
    return {
      name: sagemakerEndpointConfigName(ctx.names, content),
      ...content,
      variantName: ctx.names.variant,
      tags: ctx.tags,
    };
  },

  async observe(ctx, desired) {
    const out = await ctx.clients.sagemaker
      .send(new DescribeEndpointConfigCommand({ EndpointConfigName: desired.name }))
      .catch(ifMissing(undefined));
    const capture = out?.DataCaptureConfig;
    const variant = out?.ProductionVariants?.[0];
    return (
      out && {
        name: out.EndpointConfigName!,
        instanceType: variant?.InstanceType,
        instanceCount: variant?.InitialInstanceCount,
        modelName: variant?.ModelName,
        ...(out.KmsKeyId ? { kmsKeyId: out.KmsKeyId } : {}),
        ...(capture?.EnableCapture
          ? { capture: { samplingPercent: capture.InitialSamplingPercentage!, destination: capture.DestinationS3Uri! } }
          : {}),
        ...(out.AsyncInferenceConfig ? { async: observedAsync(out.AsyncInferenceConfig) } : {}),
      }
    );
  },

  plan(desired, observed) {
    // The name hashes the content (kmsKeyId included): an existing config is this content.
    if (observed) return change(KIND, desired.name, 'no-change');
    if (desired.serverless) return change(KIND, desired.name, 'create', serverlessDiffs(desired));
    // kmsKeyId only when set: without one the plan stays as before (no `(none) -> (none)` line).
    const fields = [
      'modelName',
      'instanceType',
      'instanceCount',
      'volumeSizeGb',
      ...(desired.kmsKeyId === undefined ? [] : (['kmsKeyId'] as const)),
    ] as const;
    return change(KIND, desired.name, 'create', [
      ...creationDiffs(desired, fields),
      ...captureDiffs(desired),
      ...asyncDiffs(desired),
    ]);
  },

  async apply(ctx, plan, desired) {
    if (plan.action === 'create') {
      await ctx.clients.sagemaker
        .send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: desired.name,
            ProductionVariants: [productionVariant(desired)],
            ...kmsKeyField(desired),
            ...dataCaptureField(desired),
            ...asyncInferenceField(desired),
            Tags: tagList(desired.tags),
          }),
        )
        .catch((err: unknown) => {
          if (hasErrorName(err, 'ValidationException') && /already exist/i.test((err as Error).message)) return;
          throw err;
        });
    }
    return { endpointConfigName: desired.name };
  },

  /** Every config of this environment, including the ones kept for rollback. */
  async destroy(ctx: DeployContext) {
    const pages = paginateListEndpointConfigs(
      { client: ctx.clients.sagemaker },
      { NameContains: ctx.names.prefix, MaxResults: 100 },
    );
    const names = await listOwned(ctx, pages, (page) => (page.EndpointConfigs ?? []).map((c) => c.EndpointConfigName));
    for (const name of names) {
      await ctx.clients.sagemaker
        .send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }))
        .catch(ifMissing(undefined));
    }
  },
};
