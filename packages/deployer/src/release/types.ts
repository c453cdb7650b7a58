// The validated, defaulted, frozen release.yaml (see schema/release.schema.json).
export type EnvName = 'dev' | 'qa' | 'staging' | 'prod';

export const ENV_ORDER: readonly EnvName[] = ['dev', 'qa', 'staging', 'prod'];

export interface AutoscalingConfig {
  readonly enabled: boolean;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetInvocationsPerInstance: number;
}

/** release.yaml `vpc` (top level or per environment). */
export interface VpcConfig {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly networkIsolation: boolean;
}

/** release.yaml `budget` (top level or per environment): an AWS Budgets cost alert. */
export interface BudgetConfig {
  readonly monthlyUsd: number;
  readonly alertEmails?: readonly string[];
  readonly alertAtPercent: readonly number[];
}

/** release.yaml `capture`: SageMaker data capture of requests and answers to S3. */
export interface CaptureConfig {
  readonly samplingPercent: number;
  /** `s3://bucket[/prefix]` */
  readonly destination: string;
  readonly kmsKeyId?: string;
}

/** release.yaml `environments.<env>.async`: an asynchronous endpoint (queued requests, answers in S3). */
export interface AsyncConfig {
  /** `s3://bucket[/prefix]`: inputs/, results/ and failures/ go under it. */
  readonly outputS3Uri: string;
  readonly maxConcurrentInvocationsPerInstance?: number;
  /** The autoscaling target for ApproximateBacklogSizePerInstance (queued requests per instance). */
  readonly targetBacklogPerInstance: number;
  readonly notifications?: { readonly successTopic?: string; readonly errorTopic?: string };
}

/** release.yaml `runtime`: passed to the container as MS_* variables. */
export interface RuntimeSettings {
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly predictTimeoutMs?: number;
  readonly batching?: { readonly enabled?: boolean; readonly maxBatchSize?: number; readonly maxWaitMs?: number };
}

/** release.yaml `environments.<env>.serverless`: SageMaker Serverless Inference instead of instances. */
export interface ServerlessConfig {
  readonly memoryMb: number;
  readonly maxConcurrency: number;
  readonly provisionedConcurrency?: number;
}

export interface EnvironmentConfig {
  /** Absent exactly when `serverless` is set. */
  readonly instanceType?: string;
  /** Defaulted (1) even for a serverless environment, where it means nothing. */
  readonly instanceCount: number;
  readonly serverless?: ServerlessConfig;
  readonly volumeSizeGb?: number;
  readonly autoscaling: AutoscalingConfig;
  /** Replaces the top-level `vpc` for this environment. */
  readonly vpc?: VpcConfig;
  /** Replaces the top-level `budget` for this environment. */
  readonly budget?: BudgetConfig;
  /** Replaces the top-level `kmsKeyId` for this environment. */
  readonly kmsKeyId?: string;
  /** Absent: a real-time endpoint. */
  readonly async?: AsyncConfig;
}

export interface ReleaseConfig {
  readonly apiVersion: 'model-service/v1';
  readonly model: {
    readonly name: string;
    readonly team: string;
    readonly owner?: string;
    readonly kind: 'typescript' | 'onnx';
    readonly artifact?: string;
    readonly sha256?: string;
  };
  readonly region: string;
  readonly image: {
    /** Defaulted to model.name by the rules step. */
    readonly repository: string;
    readonly keepLast: number;
    readonly platform: 'linux/amd64' | 'linux/arm64';
    /** doctor.image.size limit in MB (absent: 2048). */
    readonly maxSizeMb?: number;
  };
  readonly cache: {
    readonly kind: 'off' | 'memory' | 'redis';
    readonly ttlSeconds: number;
    readonly maxEntries: number;
    /** kind redis: an existing cache's rediss:// endpoint (MS_REDIS_URL). */
    readonly endpoint?: string;
  };
  /** The runtime's settings for the container (absent fields keep the image's defaults). */
  readonly runtime: RuntimeSettings;
  readonly slo: { readonly p95LatencyMs: number; readonly errorRate: number };
  /** The endpoint's and the proxy's CloudWatch log groups. */
  readonly logs: { readonly retentionDays: number };
  readonly api: {
    readonly apiKey: boolean;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly quota: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH' };
    readonly cors: { readonly allowOrigins: readonly string[] };
    /** The proxy function's reserved concurrency; absent = none reserved. */
    readonly reservedConcurrency?: number;
  };
  readonly iam?: { readonly sagemakerRoleArn?: string; readonly lambdaRoleArn?: string };
  readonly promotion: {
    /** Defaulted to the defined environments in dev, qa, staging, prod order. */
    readonly order: readonly EnvName[];
    readonly strategy: 'canary' | 'linear' | 'all-at-once';
    readonly canaryPercent: number;
    readonly waitMinutes: number;
  };
  readonly ci: { readonly provider: 'github' | 'circleci' | 'none' };
  /** Optional: the model and the Lambda proxy run in these subnets / security groups. */
  readonly vpc?: VpcConfig;
  /** Optional: a monthly cost alert per environment (environments.<env>.budget overrides it). */
  readonly budget?: BudgetConfig;
  /** Optional: KMS key (key or alias ARN) for the endpoint's storage volume (environments.<env>.kmsKeyId overrides it). */
  readonly kmsKeyId?: string;
  /** Optional: sampled requests and answers captured as JSON lines to S3. */
  readonly capture?: CaptureConfig;
  readonly environments: Readonly<Partial<Record<EnvName, EnvironmentConfig>>>;
}
