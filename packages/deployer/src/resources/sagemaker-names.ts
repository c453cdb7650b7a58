// Content-hashed SageMaker names shared by the model and endpoint-config
// modules (and by promote/rollback, which look old configs up by the prefix).
import { collect } from '../aws/pages.js';
import type { DeployContext } from '../context.js';
import type { ResourceNames } from '../naming.js';
import { endpointConfigName, modelName } from '../naming.js';
import type { VpcIds } from './vpc.js';

export interface ModelContent {
  image: string;
  /** Model artifacts promote copies from the source env; absent (not hashed) otherwise. */
  modelDataUrl?: string;
  executionRoleArn: string;
  environment: Record<string, string>;
  /** Only set when release.yaml has a vpc, so names without one keep their hash. */
  vpc?: VpcIds;
  networkIsolation?: true;
}

export interface VariantContent {
  modelName: string;
  /** Instance-based variants only (absent: serverless). */
  instanceType?: string;
  instanceCount?: number;
  /** Serverless variants only; only set for them (so instance-based names keep their hash). */
  serverless?: { memoryMb: number; maxConcurrency: number; provisionedConcurrency?: number };
  volumeSizeGb?: number;
  /** KMS key of the endpoint's storage volume; only set with release.yaml kmsKeyId (so other names keep their hash). */
  kmsKeyId?: string;
  /** Data capture; only set with release.yaml capture (so other names keep their hash). */
  capture?: { samplingPercent: number; destination: string; kmsKeyId?: string };
  /** Asynchronous inference; only set with environments.<env>.async (so other names keep their hash). */
  async?: AsyncContent;
}

/** What an async endpoint config holds: where answers and failures go, how they are encrypted and announced. */
export interface AsyncContent {
  outputPath: string;
  failurePath: string;
  maxConcurrentInvocationsPerInstance?: number;
  kmsKeyId?: string;
  successTopic?: string;
  errorTopic?: string;
}

export function sagemakerModelName(names: ResourceNames, content: ModelContent): string {
  return modelName(names, content);
}

export function sagemakerEndpointConfigName(names: ResourceNames, content: VariantContent): string {
  return endpointConfigName(names, content);
}

/** Only names this prefix produced: `<prefix>-<8 hex>` (so `ms-iris-dev` never matches `ms-iris-dev2-...`). */
export function ownedNamePattern(names: ResourceNames): RegExp {
  const escaped = names.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}-[0-9a-f]{8}$`);
}

/** Reads a SageMaker List* paginator (bounded) and keeps the names this environment owns, e.g. for destroy and rollback. */
export async function listOwned<P>(
  ctx: DeployContext,
  pages: AsyncIterable<P>,
  namesOf: (page: P) => (string | undefined)[],
): Promise<string[]> {
  const owned = ownedNamePattern(ctx.names);
  const names = await collect(pages, namesOf);
  return names.filter((n): n is string => n !== undefined && owned.test(n));
}
