// The tags on everything model-deploy creates: how `status`/`destroy` recognise
// their own resources and how costs are attributed to a model, env, team, owner
// and commit (cost allocation tags; the budget alert filters on model + env).
// Also the deployment record `up` and `promote` keep as tags on the endpoint.
import { VERIFIED_TAG } from './checks/verify-tag.js';
import { shortHash } from './naming.js';
import type { EnvName, ReleaseConfig } from './release/types.js';

export const TAG_MODEL = 'model-service:model';
export const TAG_ENV = 'model-service:env';
export const TAG_TEAM = 'model-service:team';
export const TAG_OWNER = 'model-service:owner';
/** Short sha of the commit whose `up` created (or last re-tagged) the resource. */
export const TAG_GIT_SHA = 'model-service:git-sha';
export const TAG_MANAGED_BY = 'model-service:managed-by';
export const MANAGED_BY = 'model-deploy';

/** The cost allocation tags (activate them once per account in Billing -> Cost allocation tags). */
export const COST_ALLOCATION_TAG_KEYS = [TAG_MODEL, TAG_TEAM, TAG_ENV, TAG_OWNER, TAG_GIT_SHA] as const;

export type TagMap = Readonly<Record<string, string>>;

// The strictest tag value charset among the services we tag (SageMaker, Budgets):
// letters, digits, spaces and _ . : / = + - @, at most 256 characters.
const TAG_VALUE_CHAR = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/** A value every service accepts: other characters become "_", cut at 256. */
export function tagValue(value: string): string {
  return value.replace(TAG_VALUE_CHAR, '_').slice(0, 256);
}

export interface DeployTagOptions {
  /** `git rev-parse --short=7 HEAD` of the project being deployed. */
  gitSha?: string;
}

export function resourceTags(release: ReleaseConfig, envName: EnvName, options: DeployTagOptions = {}): TagMap {
  const tags: Record<string, string> = {
    [TAG_MODEL]: release.model.name,
    [TAG_ENV]: envName,
    [TAG_TEAM]: release.model.team,
    [TAG_MANAGED_BY]: MANAGED_BY,
  };
  if (release.model.owner) tags[TAG_OWNER] = tagValue(release.model.owner);
  if (options.gitSha) tags[TAG_GIT_SHA] = tagValue(options.gitSha);
  return Object.freeze(tags);
}

/** The same context with the commit's sha in its tags (up resolves the sha once, before the graph). */
export function withGitSha<
  C extends { readonly release: ReleaseConfig; readonly envName: EnvName; readonly tags: TagMap },
>(ctx: C, gitSha: string | undefined): C {
  if (!gitSha) return ctx;
  return Object.freeze({ ...ctx, tags: resourceTags(ctx.release, ctx.envName, { gitSha }) });
}

/** `[{ Key, Value }]` form (ECR, IAM, SageMaker, CloudWatch, Budgets). */
export function tagList(tags: TagMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** True when AWS-side tags (either form) carry every tag in `expected`. */
export function hasTags(
  actual: { Key?: string; Value?: string }[] | Record<string, string> | undefined,
  expected: TagMap,
): boolean {
  const map = Array.isArray(actual) ? Object.fromEntries(actual.map((t) => [t.Key, t.Value])) : (actual ?? {});
  return Object.entries(expected).every(([k, v]) => map[k] === v);
}

/** True when the resource was made by model-deploy (safe to delete). */
export function isManaged(actual: { Key?: string; Value?: string }[] | Record<string, string> | undefined): boolean {
  return hasTags(actual, { [TAG_MANAGED_BY]: MANAGED_BY });
}

// ---- deployment record (tags on the SageMaker endpoint) ----

export const RECORD_GIT_SHA = 'model-service:deployed-sha';
export const RECORD_IMAGE_DIGEST = 'model-service:deployed-digest';
export const RECORD_AT = 'model-service:deployed-at';
export const RECORD_BY = 'model-service:deployed-by';
export const RECORD_CONFIG_HASH = 'model-service:config-hash';
/** Written by `verify` (checks/verify-tag.ts): `pass|fail@<time>/<endpoint config>`. */
export const RECORD_VERIFIED = VERIFIED_TAG;

export interface DeploymentRecord {
  gitSha?: string;
  /** `sha256:...` of the image the endpoint runs. */
  imageDigest?: string;
  /** ISO time of the deployment. */
  deployedAt?: string;
  /** ARN of the identity that deployed (STS GetCallerIdentity). */
  deployedBy?: string;
  /** Hash of the environment's effective release.yaml (see configHash). */
  configHash?: string;
}

const RECORD_KEYS: readonly [keyof DeploymentRecord, string][] = [
  ['gitSha', RECORD_GIT_SHA],
  ['imageDigest', RECORD_IMAGE_DIGEST],
  ['deployedAt', RECORD_AT],
  ['deployedBy', RECORD_BY],
  ['configHash', RECORD_CONFIG_HASH],
];

/**
 * The deployment record as SageMaker tags (AddTags on the endpoint). `up` writes
 * it after a change; `promote`/`rollback` call this with what they deployed.
 */
export function deploymentRecordTags(record: DeploymentRecord): { Key: string; Value: string }[] {
  return RECORD_KEYS.filter(([field]) => record[field]).map(([field, Key]) => ({
    Key,
    Value: tagValue(record[field]!),
  }));
}

/** The record from the endpoint's tags (either form); undefined when none was written. */
export function parseDeploymentRecord(
  tags: { Key?: string; Value?: string }[] | Record<string, string> | undefined,
): DeploymentRecord | undefined {
  const map: Record<string, string | undefined> = Array.isArray(tags)
    ? Object.fromEntries(tags.map((t) => [t.Key, t.Value]))
    : (tags ?? {});
  const record: DeploymentRecord = {};
  for (const [field, key] of RECORD_KEYS) if (map[key]) record[field] = map[key];
  return Object.keys(record).length > 0 ? record : undefined;
}

/**
 * Hash of what release.yaml asks for this environment: every top-level setting
 * plus this env's block (other environments' blocks do not change it).
 */
export function configHash(release: ReleaseConfig, envName: EnvName): string {
  return shortHash({ ...release, environments: { [envName]: release.environments[envName] } }, 16);
}
