// Who may connect to the provisioned cache: one ElastiCache user with IAM authentication (no
// password exists anywhere; the runtime signs a short-lived token with the execution role, which
// alone holds elasticache:Connect on this cache and user) and the user group the cache uses.
// The user may run the commands the runtime sends and nothing else.
import type { User, UserGroup } from '@aws-sdk/client-elasticache';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { type TagMap, tagList } from '../tags.js';
import { cacheNames } from './cache-names.js';
import { differs, planFields } from './diff.js';
import type { KnownOutputs, ResourceModule } from './resource.js';

const commands = () => import('@aws-sdk/client-elasticache');

/** GET/SET (with PX) for entries, PING and INFO for ioredis's connection checks; every key. */
export const CACHE_ACCESS_STRING = 'on ~* -@all +get +set +ping +info';
export const CACHE_ENGINE = 'valkey';

export interface CacheUserDesired {
  name: string;
  userGroupId: string;
  accessString: string;
  authentication: 'iam';
  tags: TagMap;
}

export interface CacheUserObserved {
  accessString?: string;
  authentication?: string;
  /** Undefined: the user exists but its group does not (an interrupted create). */
  userGroupMembers?: string[];
  userGroupStatus?: string;
}

const KIND = 'cache-user';

async function describeUser(ctx: DeployContext, userId: string): Promise<User | undefined> {
  const { DescribeUsersCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  const out = await ec.send(new DescribeUsersCommand({ UserId: userId })).catch(ifMissing(undefined));
  return out?.Users?.[0];
}

async function describeGroup(ctx: DeployContext, groupId: string): Promise<UserGroup | undefined> {
  const { DescribeUserGroupsCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  const out = await ec.send(new DescribeUserGroupsCommand({ UserGroupId: groupId })).catch(ifMissing(undefined));
  return out?.UserGroups?.[0];
}

async function createUser(ctx: DeployContext, d: CacheUserDesired): Promise<void> {
  const { CreateUserCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  await ec
    .send(
      new CreateUserCommand({
        UserId: d.name,
        UserName: d.name,
        Engine: CACHE_ENGINE,
        AccessString: d.accessString,
        AuthenticationMode: { Type: 'iam' },
        Tags: tagList(d.tags),
      }),
    )
    .catch((err: unknown) => {
      // Same deterministic id: an interrupted run made it.
      if (!hasErrorName(err, 'UserAlreadyExistsFault')) throw err;
    });
}

async function createGroup(ctx: DeployContext, d: CacheUserDesired): Promise<void> {
  const { CreateUserGroupCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  await ec
    .send(
      new CreateUserGroupCommand({
        UserGroupId: d.userGroupId,
        Engine: CACHE_ENGINE,
        UserIds: [d.name],
        Tags: tagList(d.tags),
      }),
    )
    .catch((err: unknown) => {
      if (!hasErrorName(err, 'UserGroupAlreadyExistsFault')) throw err;
    });
}

function outputsOf(d: CacheUserDesired): Record<string, string> {
  return { cacheUserId: d.name, cacheUserGroupId: d.userGroupId };
}

export const cacheUser: ResourceModule<CacheUserDesired, CacheUserObserved> &
  KnownOutputs<CacheUserDesired, CacheUserObserved> = {
  kind: KIND,

  desired(ctx) {
    const names = cacheNames(ctx.names.prefix);
    return {
      name: names.user,
      userGroupId: names.userGroup,
      accessString: CACHE_ACCESS_STRING,
      authentication: 'iam',
      tags: ctx.tags,
    };
  },

  async observe(ctx, desired) {
    const user = await describeUser(ctx, desired.name);
    if (!user) return undefined;
    const group = await describeGroup(ctx, desired.userGroupId);
    return {
      accessString: user.AccessString,
      authentication: user.Authentication?.Type,
      ...(group ? { userGroupMembers: [...(group.UserIds ?? [])].sort(), userGroupStatus: group.Status } : {}),
    };
  },

  plan(desired, observed) {
    const withGroup = { ...desired, userGroupMembers: [desired.name] };
    return planFields(KIND, desired.name, withGroup, observed, ['accessString', 'authentication', 'userGroupMembers']);
  },

  async apply(ctx, plan, desired, observed) {
    const { ModifyUserCommand, ModifyUserGroupCommand } = await commands();
    const ec = await lazyClient(ctx, 'elastiCache');
    if (plan.action === 'create') await createUser(ctx, desired);
    if (plan.action === 'update' && differs(plan, 'accessString')) {
      await ec.send(new ModifyUserCommand({ UserId: desired.name, AccessString: desired.accessString }));
    }
    if (plan.action === 'update' && differs(plan, 'authentication')) {
      await ec.send(new ModifyUserCommand({ UserId: desired.name, AuthenticationMode: { Type: 'iam' } }));
    }
    if (plan.action === 'create' || observed?.userGroupMembers === undefined) await createGroup(ctx, desired);
    else if (differs(plan, 'userGroupMembers')) {
      const extra = observed.userGroupMembers.filter((u) => u !== desired.name);
      const missing = observed.userGroupMembers.includes(desired.name) ? [] : [desired.name];
      await ec.send(
        new ModifyUserGroupCommand({
          UserGroupId: desired.userGroupId,
          ...(missing.length ? { UserIdsToAdd: missing } : {}),
          ...(extra.length ? { UserIdsToRemove: extra } : {}),
        }),
      );
    }
    return outputsOf(desired);
  },

  /** Deterministic ids: known before the user exists. */
  knownOutputs(desired) {
    return outputsOf(desired);
  },

  /** After the cache (which uses the group) is gone: the group, then the user. */
  async destroy(ctx, desired) {
    const { DeleteUserCommand, DeleteUserGroupCommand } = await commands();
    const ec = await lazyClient(ctx, 'elastiCache');
    await ec.send(new DeleteUserGroupCommand({ UserGroupId: desired.userGroupId })).catch(ifMissing(undefined));
    await ec.send(new DeleteUserCommand({ UserId: desired.name })).catch(ifMissing(undefined));
  },
};
