// The answers' vocabulary: environments, SageMaker instance types, defaults. The release
// schema (@model-service/deployer/release-schema.json) is the authority; test/generator
// checks these lists stay inside its enums.

export const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

/** Real-time hosting instance types offered in prompts (a subset of the schema's enum). */
export const INSTANCE_TYPES = [
  'ml.t2.medium',
  'ml.t2.large',
  'ml.t2.xlarge',
  'ml.m5.large',
  'ml.m5.xlarge',
  'ml.m5.2xlarge',
  'ml.m5.4xlarge',
  'ml.m6i.large',
  'ml.m6i.xlarge',
  'ml.c5.large',
  'ml.c5.xlarge',
  'ml.c5.2xlarge',
  'ml.c6i.large',
  'ml.c6i.xlarge',
  'ml.r5.large',
  'ml.r5.xlarge',
  'ml.g4dn.xlarge',
  'ml.g5.xlarge',
  'ml.inf1.xlarge',
] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** Types with local NVMe storage: SageMaker refuses a VolumeSizeInGB for them. */
export function hasInstanceStorage(type: string): boolean {
  return /^ml\.(\w+d\.|g4dn\.|g5\.|p\d|inf)/.test(type);
}

export const CACHE_KINDS = ['off', 'memory', 'redis'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

export const CI_PROVIDERS = ['github', 'circleci', 'none'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

export const PACKAGE_SOURCES = ['checkout', 'registry'] as const;
export type PackageSource = (typeof PACKAGE_SOURCES)[number];

export const MODEL_KINDS = ['typescript', 'onnx'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** AWS-name-safe: lowercase, starts with a letter, 3..40 characters (release schema `awsName`). */
export const AWS_NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/** An AWS tag value (what the team is): 1-256 letters, digits, spaces and _ . : / = + - @, no outer spaces. */
export const TAG_VALUE = /^(?=.{1,256}$)(?!\s)[\p{L}\p{Z}\p{N}_.:/=+@-]*(?<!\s)$/u;
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** The release schema's vpc ids (subnet-..., sg-...: 8 or 17 hex digits). */
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

export interface EnvDefaults {
  instanceType: InstanceType;
  instanceCount: number;
}

export const ENV_DEFAULTS: Record<EnvName, EnvDefaults> = {
  dev: { instanceType: 'ml.t2.medium', instanceCount: 1 },
  qa: { instanceType: 'ml.t2.medium', instanceCount: 1 },
  staging: { instanceType: 'ml.m5.large', instanceCount: 1 },
  prod: { instanceType: 'ml.m5.large', instanceCount: 2 },
};

/** A serverless environment's release.yaml block: SageMaker's own defaults (2 GB, 5 concurrent); `doctor` checks the model fits. */
export const SERVERLESS_DEFAULTS = { memoryMb: 2048, maxConcurrency: 5 } as const;

export const DEFAULTS = {
  name: 'my-model',
  team: 'data-science',
  environments: ['dev', 'staging', 'prod'] as EnvName[],
  /** Autoscaling is on for prod unless turned off. */
  autoscaling: ['prod'] as EnvName[],
  targetInvocations: 100,
  cache: 'memory' as CacheKind,
  cacheTtl: 300,
  cacheMaxEntries: 10000,
  region: 'eu-west-1',
  volumeSize: 10,
  ci: 'github' as CiProvider,
  modelKind: 'typescript' as ModelKind,
  /** Semver range of @model-service/runtime in a generated project (the published case). */
  runtimeRange: '^0.1.0',
  /** Semver range of @model-service/deployer (a devDependency of the project). */
  deployerRange: '^0.1.0',
};

/** Pinned public base image; the Dockerfile takes it as BASE_IMAGE so tests can build on a local one. */
export const BASE_IMAGE = 'node:22.23.5-bookworm-slim';
