// The cache's security group, in the release's VPC: it admits the endpoint's security groups
// (release.yaml vpc.securityGroupIds) on the cache port and nothing else. Observed by name in the
// VPC of the release's subnets; the ingress rules converge to exactly that set.
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { hasErrorName } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { type TagMap, tagList } from '../tags.js';
import { CACHE_PORT, cacheNames } from './cache-names.js';
import { differs, planFields } from './diff.js';
import type { ResourceModule } from './resource.js';
import { vpcIds, vpcOf } from './vpc.js';

const ec2Commands = () => import('@aws-sdk/client-ec2');

export interface CacheSecurityGroupDesired {
  name: string;
  subnetIds: string[];
  /** Security groups allowed in on the cache port: the endpoint's. */
  sourceGroupIds: string[];
  tags: TagMap;
}

export interface CacheSecurityGroupObserved {
  groupId: string;
  sourceGroupIds: string[];
  tags: TagMap;
}

const KIND = 'cache-security-group';
const FIELDS = ['sourceGroupIds', 'tags'] as const;
const DELETE_TRIES = 20;

async function vpcIdOf(ctx: DeployContext, subnetIds: string[]): Promise<string> {
  const { DescribeSubnetsCommand } = await ec2Commands();
  const ec2 = await lazyClient(ctx, 'ec2');
  const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds.slice(0, 1) }));
  return out.Subnets![0]!.VpcId!;
}

async function findGroup(ctx: DeployContext, d: CacheSecurityGroupDesired): Promise<SecurityGroup | undefined> {
  const { DescribeSecurityGroupsCommand } = await ec2Commands();
  const ec2 = await lazyClient(ctx, 'ec2');
  const vpcId = await vpcIdOf(ctx, d.subnetIds);
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'group-name', Values: [d.name] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  return out.SecurityGroups?.[0];
}

/** Source groups of the rules on exactly the cache port over TCP. */
function sourcesOnCachePort(permissions: readonly IpPermission[] | undefined): string[] {
  return (permissions ?? [])
    .filter((p) => p.IpProtocol === 'tcp' && p.FromPort === CACHE_PORT && p.ToPort === CACHE_PORT)
    .flatMap((p) => (p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId!))
    .sort();
}

function ourTags(tags: readonly { Key?: string; Value?: string }[] | undefined): TagMap {
  return Object.fromEntries(
    (tags ?? []).filter((t) => t.Key?.startsWith('model-service:')).map((t) => [t.Key!, t.Value ?? '']),
  );
}

const rule = (groupIds: string[]): IpPermission[] => [
  {
    IpProtocol: 'tcp',
    FromPort: CACHE_PORT,
    ToPort: CACHE_PORT,
    UserIdGroupPairs: groupIds.map((GroupId) => ({ GroupId, Description: 'model endpoint to its cache' })),
  },
];

async function createGroup(ctx: DeployContext, d: CacheSecurityGroupDesired): Promise<string> {
  const { CreateSecurityGroupCommand } = await ec2Commands();
  const ec2 = await lazyClient(ctx, 'ec2');
  try {
    const out = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: d.name,
        Description: `model-service cache of ${ctx.names.prefix}: the endpoint's groups on port ${CACHE_PORT}`,
        VpcId: await vpcIdOf(ctx, d.subnetIds),
        TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList(d.tags) }],
      }),
    );
    return out.GroupId!;
  } catch (err) {
    // An interrupted `up` created it already: converge on it.
    if (!hasErrorName(err, 'InvalidGroup.Duplicate')) throw err;
    return (await findGroup(ctx, d))!.GroupId!;
  }
}

async function convergeIngress(ctx: DeployContext, groupId: string, want: string[], have: string[]): Promise<void> {
  const { AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand } = await ec2Commands();
  const ec2 = await lazyClient(ctx, 'ec2');
  const add = want.filter((g) => !have.includes(g));
  const remove = have.filter((g) => !want.includes(g));
  if (add.length) {
    await ec2
      .send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rule(add) }))
      .catch((err: unknown) => {
        if (!hasErrorName(err, 'InvalidPermission.Duplicate')) throw err;
      });
  }
  if (remove.length) {
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rule(remove) }));
  }
}

export const cacheSecurityGroup: ResourceModule<CacheSecurityGroupDesired, CacheSecurityGroupObserved> = {
  kind: KIND,

  desired(ctx) {
    const ids = vpcIds(vpcOf(ctx.release, ctx.envName))!;
    return {
      name: cacheNames(ctx.names.prefix).securityGroup,
      subnetIds: ids.subnetIds,
      sourceGroupIds: ids.securityGroupIds,
      tags: ctx.tags,
    };
  },

  async observe(ctx, desired) {
    const group = await findGroup(ctx, desired);
    if (!group) return undefined;
    return {
      groupId: group.GroupId!,
      sourceGroupIds: sourcesOnCachePort(group.IpPermissions),
      tags: ourTags(group.Tags),
    };
  },

  plan(desired, observed) {
    return planFields(KIND, desired.name, desired, observed, FIELDS);
  },

  async apply(ctx, plan, desired, observed) {
    let groupId = observed?.groupId;
    if (plan.action === 'create') groupId = await createGroup(ctx, desired);
    if (plan.action !== 'no-change') {
      // After an interrupted create the group may exist with some rules: read them again.
      const have =
        plan.action === 'create'
          ? sourcesOnCachePort((await findGroup(ctx, desired))?.IpPermissions)
          : observed!.sourceGroupIds;
      await convergeIngress(ctx, groupId!, desired.sourceGroupIds, have);
      if (plan.action === 'update' && differs(plan, 'tags')) {
        const { CreateTagsCommand } = await ec2Commands();
        const ec2 = await lazyClient(ctx, 'ec2');
        await ec2.send(new CreateTagsCommand({ Resources: [groupId!], Tags: tagList(desired.tags) }));
      }
    }
    return { cacheSecurityGroupId: groupId! };
  },

  async destroy(ctx, desired) {
    const group = await findGroup(ctx, desired);
    if (!group) return;
    const { DeleteSecurityGroupCommand } = await ec2Commands();
    const ec2 = await lazyClient(ctx, 'ec2');
    // The deleted cache's network interfaces are released a little after it is gone.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId! }));
        return;
      } catch (err) {
        if (hasErrorName(err, 'InvalidGroup.NotFound')) return;
        if (!hasErrorName(err, 'DependencyViolation') || attempt >= DELETE_TRIES) throw err;
        ctx.log.info(`security group ${desired.name} still in use by the cache's network interfaces; waiting`);
        await new Promise((r) => setTimeout(r, ctx.wait.minDelaySeconds * 1000));
      }
    }
  },
};
