// The tags on everything model-deploy creates: how `status`/`destroy` recognise
// their own resources and how costs are attributed to a model, env and team.
import type { EnvName, ReleaseConfig } from './release/types.js';

export const TAG_MODEL = 'model-service:model';
export const TAG_ENV = 'model-service:env';
export const TAG_TEAM = 'model-service:team';
export const TAG_OWNER = 'model-service:owner';
export const TAG_MANAGED_BY = 'model-service:managed-by';
export const MANAGED_BY = 'model-deploy';

export type TagMap = Readonly<Record<string, string>>;

export function resourceTags(release: ReleaseConfig, envName: EnvName): TagMap {
  const tags: Record<string, string> = {
    [TAG_MODEL]: release.model.name,
    [TAG_ENV]: envName,
    [TAG_TEAM]: release.model.team,
    [TAG_MANAGED_BY]: MANAGED_BY,
  };
  if (release.model.owner) tags[TAG_OWNER] = release.model.owner;
  return Object.freeze(tags);
}

/** `[{ Key, Value }]` form (ECR, IAM, SageMaker, CloudWatch). */
export function tagList(tags: TagMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** True when AWS-side tags (either form) carry every tag in `expected`. */
export function hasTags(actual: { Key?: string; Value?: string }[] | Record<string, string> | undefined, expected: TagMap): boolean {
  const map = Array.isArray(actual) ? Object.fromEntries(actual.map((t) => [t.Key, t.Value])) : (actual ?? {});
  return Object.entries(expected).every(([k, v]) => map[k] === v);
}

/** True when the resource was made by model-deploy (safe to delete). */
export function isManaged(actual: { Key?: string; Value?: string }[] | Record<string, string> | undefined): boolean {
  return hasTags(actual, { [TAG_MANAGED_BY]: MANAGED_BY });
}
