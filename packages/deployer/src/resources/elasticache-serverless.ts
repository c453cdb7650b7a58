// The provisioned cache tier: one ElastiCache Serverless cache (Valkey) per environment, in the
// release's subnets behind its own security group, reachable only over TLS by the IAM user group.
// `up` waits (bounded, with progress) until it is available, then hands its endpoint to the model's
// container environment.
import type { ServerlessCache } from '@aws-sdk/client-elasticache';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { type TagMap, tagList } from '../tags.js';
import { cacheNames } from './cache-names.js';
import { CACHE_ENGINE } from './cache-user.js';
import { differs, planFields } from './diff.js';
import type { ResourceModule, StatusReport } from './resource.js';
import { vpcIds, vpcOf } from './vpc.js';

const commands = () => import('@aws-sdk/client-elasticache');

export const CACHE_MAJOR_VERSION = '8';

export interface ServerlessCacheDesired {
  name: string;
  engine: string;
  majorEngineVersion: string;
  subnetIds: string[];
  securityGroupIds: string[];
  userGroupId: string;
  tags: TagMap;
}

export interface ServerlessCacheObserved {
  status?: string;
  engine?: string;
  majorEngineVersion?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
  userGroupId?: string;
  address?: string;
  port?: number;
}

/** What `status` shows for the provisioned cache. */
export interface CacheStatus {
  name: string;
  exists: boolean;
  /** creating | available | modifying | deleting | create-failed */
  status?: string;
  /** e.g. "valkey 8" */
  engine?: string;
  /** rediss://host:port, once available. */
  endpoint?: string;
}

const KIND = 'elasticache-serverless';
// Engine, version and subnets are fixed at creation; the groups and the user group can change.
const FIELDS = ['engine', 'majorEngineVersion', 'subnetIds', 'securityGroupIds', 'userGroupId'] as const;
const FIXED = ['engine', 'majorEngineVersion', 'subnetIds'] as const;

async function describe(ctx: DeployContext, name: string): Promise<ServerlessCache | undefined> {
  const { DescribeServerlessCachesCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  const out = await ec
    .send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name }))
    .catch(ifMissing(undefined));
  return out?.ServerlessCaches?.[0];
}

function observed(cache: ServerlessCache): ServerlessCacheObserved {
  return {
    status: cache.Status,
    engine: cache.Engine,
    majorEngineVersion: cache.MajorEngineVersion,
    subnetIds: [...(cache.SubnetIds ?? [])].sort(),
    securityGroupIds: [...(cache.SecurityGroupIds ?? [])].sort(),
    userGroupId: cache.UserGroupId,
    ...(cache.Endpoint?.Address ? { address: cache.Endpoint.Address, port: cache.Endpoint.Port } : {}),
  };
}

/** Polls until `available` (bounded by ctx.wait.maxWaitSeconds), reporting each new status. */
export async function waitUntilAvailable(ctx: DeployContext, name: string): Promise<ServerlessCacheObserved> {
  const deadline = Date.now() + ctx.wait.maxWaitSeconds * 1000;
  let delay = ctx.wait.minDelaySeconds;
  let last: string | undefined;
  for (;;) {
    const cache = await describe(ctx, name);
    const status = cache?.Status ?? 'missing';
    if (status !== last) ctx.log.info(`elasticache ${name}: ${status}`);
    last = status;
    if (cache && status === 'available') return observed(cache);
    if (status === 'create-failed' || status === 'missing') {
      throw new DeployerError('MS_DEPLOY_CACHE_NOT_AVAILABLE', { name, status, waited: 0 });
    }
    if (Date.now() + delay * 1000 > deadline) {
      throw new DeployerError('MS_DEPLOY_CACHE_NOT_AVAILABLE', { name, status, waited: ctx.wait.maxWaitSeconds });
    }
    await new Promise((r) => setTimeout(r, delay * 1000));
    delay = Math.min(ctx.wait.maxDelaySeconds, delay * 2);
  }
}

async function create(ctx: DeployContext, d: ServerlessCacheDesired): Promise<void> {
  const { CreateServerlessCacheCommand } = await commands();
  const ec = await lazyClient(ctx, 'elastiCache');
  await ec
    .send(
      new CreateServerlessCacheCommand({
        ServerlessCacheName: d.name,
        Description: `model-service prediction cache of ${ctx.names.prefix}`,
        Engine: d.engine,
        MajorEngineVersion: d.majorEngineVersion,
        SubnetIds: d.subnetIds,
        SecurityGroupIds: d.securityGroupIds,
        UserGroupId: d.userGroupId,
        Tags: tagList(d.tags),
      }),
    )
    .catch((err: unknown) => {
      // Same name: an interrupted run already asked for it; wait for that one.
      if (!hasErrorName(err, 'ServerlessCacheAlreadyExistsFault')) throw err;
    });
}

function outputs(o: ServerlessCacheObserved, d: ServerlessCacheDesired): Record<string, string> {
  return { cacheEndpoint: `rediss://${o.address}:${o.port}`, cacheName: d.name };
}

export const elasticacheServerless: ResourceModule<ServerlessCacheDesired, ServerlessCacheObserved> &
  StatusReport<ServerlessCacheDesired, ServerlessCacheObserved, CacheStatus> = {
  kind: KIND,

  status(d, o) {
    if (!o) return { name: d.name, exists: false };
    return {
      name: d.name,
      exists: true,
      status: o.status,
      engine: [o.engine, o.majorEngineVersion].filter(Boolean).join(' ') || undefined,
      ...(o.address ? { endpoint: `rediss://${o.address}:${o.port}` } : {}),
    };
  },

  /** Needs `cacheSecurityGroupId` upstream (cache-security-group) and the user group (cache-user). */
  desired(ctx, upstream) {
    const names = cacheNames(ctx.names.prefix);
    return {
      name: names.cache,
      engine: CACHE_ENGINE,
      majorEngineVersion: CACHE_MAJOR_VERSION,
      subnetIds: vpcIds(vpcOf(ctx.release, ctx.envName))!.subnetIds,
      securityGroupIds: [upstream.cacheSecurityGroupId ?? ''],
      userGroupId: names.userGroup,
      tags: ctx.tags,
    };
  },

  async observe(ctx, desired) {
    const cache = await describe(ctx, desired.name);
    return cache ? observed(cache) : undefined;
  },

  plan(desired, obs) {
    // A cache still being created (an interrupted up) is waited for: an update with no field diff.
    const planned = planFields(KIND, desired.name, desired, obs, FIELDS);
    if (planned.action === 'no-change' && obs?.status !== 'available') return { ...planned, action: 'update' };
    return planned;
  },

  async apply(ctx, plan, desired, obs) {
    if (plan.action === 'create') await create(ctx, desired);
    if (plan.action === 'update') {
      const fixed = FIXED.filter((f) => differs(plan, f));
      if (fixed.length) {
        throw new DeployerError('MS_DEPLOY_CACHE_REPLACEMENT_NEEDED', { name: desired.name, fields: fixed.join(', ') });
      }
      if (differs(plan, 'securityGroupIds') || differs(plan, 'userGroupId')) {
        const { ModifyServerlessCacheCommand } = await commands();
        const ec = await lazyClient(ctx, 'elastiCache');
        await ec.send(
          new ModifyServerlessCacheCommand({
            ServerlessCacheName: desired.name,
            SecurityGroupIds: desired.securityGroupIds,
            UserGroupId: desired.userGroupId,
          }),
        );
      }
    }
    const ready = plan.action === 'no-change' ? obs! : await waitUntilAvailable(ctx, desired.name);
    return outputs(ready, desired);
  },

  /** Deletes the cache and waits until it is gone (its user group and security group are deleted next). */
  async destroy(ctx, desired) {
    const { DeleteServerlessCacheCommand } = await commands();
    const ec = await lazyClient(ctx, 'elastiCache');
    const gone = await ec
      .send(new DeleteServerlessCacheCommand({ ServerlessCacheName: desired.name }))
      .then(() => false)
      .catch((err: unknown) => {
        // Already being deleted (an interrupted destroy): wait for that.
        if (hasErrorName(err, 'InvalidServerlessCacheStateFault')) return false;
        return ifMissing(true)(err);
      });
    if (gone) return;
    const deadline = Date.now() + ctx.wait.maxWaitSeconds * 1000;
    while ((await describe(ctx, desired.name)) !== undefined) {
      if (Date.now() > deadline) {
        throw new DeployerError('MS_DEPLOY_CACHE_NOT_AVAILABLE', {
          name: desired.name,
          status: 'deleting',
          waited: ctx.wait.maxWaitSeconds,
        });
      }
      await new Promise((r) => setTimeout(r, ctx.wait.minDelaySeconds * 1000));
    }
  },
};
