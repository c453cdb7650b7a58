// Stateful stand-ins for the provisioned cache tier's control planes: ElastiCache Serverless caches,
// users and user groups, and EC2 subnets and security groups, behind aws-sdk-client-mock, with the
// error classes (names) the real services raise. `crashAt(k)` fails the k-th mutating call, as an
// interrupted `up` would stop.
import * as ec from '@aws-sdk/client-elasticache';
import * as ec2 from '@aws-sdk/client-ec2';
import type { AwsStub } from 'aws-sdk-client-mock';

type Stub = AwsStub<any, any, any>;
const meta = { httpStatusCode: 400, requestId: 'req-fake', attempts: 1, totalRetryDelay: 0 };

function ec2Error(name: string, message: string): Error {
  return new ec2.EC2ServiceException({ name, $fault: 'client', message, $metadata: meta });
}

export interface FakeGroup {
  id: string;
  name: string;
  vpcId: string;
  sources: string[];
  tags: Record<string, string>;
}

export class FakeCacheAws {
  caches = new Map<string, ec.ServerlessCache & { polls: number }>();
  users = new Map<string, ec.User>();
  userGroups = new Map<string, ec.UserGroup>();
  groups = new Map<string, FakeGroup>();
  subnets = new Map<string, string>([
    ['subnet-0a1b2c3d', 'vpc-0123abcd'],
    ['subnet-1a2b3c4d', 'vpc-0123abcd'],
  ]);
  mutations: string[] = [];
  private crashAtCall = 0;

  crashAt(k: number): void {
    this.crashAtCall = k;
  }

  private mutate(name: string): void {
    this.mutations.push(name);
    if (this.crashAtCall && this.mutations.length === this.crashAtCall) {
      this.crashAtCall = 0;
      throw new Error(`simulated crash at cache mutating call ${this.mutations.length} (${name})`);
    }
  }

  snapshot(): unknown {
    return {
      caches: [...this.caches.values()].map(({ polls: _polls, ...c }) => c),
      users: [...this.users.values()],
      userGroups: [...this.userGroups.values()],
      groups: [...this.groups.values()],
    };
  }

  install(mocks: { elastiCache: Stub; ec2: Stub }): this {
    const e = mocks.elastiCache;
    const tags = (list?: ec.Tag[]) => Object.fromEntries((list ?? []).map((t) => [t.Key, t.Value]));
    e.on(ec.DescribeUsersCommand).callsFake(async (i: ec.DescribeUsersCommandInput) => {
      const user = this.users.get(i.UserId!);
      if (!user) throw new ec.UserNotFoundFault({ message: `User ${i.UserId} not found.`, $metadata: meta });
      return { Users: [user] };
    });
    e.on(ec.CreateUserCommand).callsFake(async (i: ec.CreateUserCommandInput) => {
      this.mutate('CreateUser');
      if (this.users.has(i.UserId!))
        throw new ec.UserAlreadyExistsFault({ message: 'User already exists', $metadata: meta });
      if (i.AuthenticationMode?.Type === 'iam' && i.UserId !== i.UserName)
        throw new ec.InvalidParameterValueException({ message: 'UserId and UserName must match', $metadata: meta });
      this.users.set(i.UserId!, {
        UserId: i.UserId,
        UserName: i.UserName,
        Engine: i.Engine,
        AccessString: i.AccessString,
        Authentication: { Type: i.AuthenticationMode?.Type as ec.AuthenticationType },
        Status: 'active',
      });
      return {};
    });
    e.on(ec.DescribeUserGroupsCommand).callsFake(async (i: ec.DescribeUserGroupsCommandInput) => {
      const group = this.userGroups.get(i.UserGroupId!);
      if (!group) throw new ec.UserGroupNotFoundFault({ message: 'User group not found', $metadata: meta });
      return { UserGroups: [group] };
    });
    e.on(ec.CreateUserGroupCommand).callsFake(async (i: ec.CreateUserGroupCommandInput) => {
      this.mutate('CreateUserGroup');
      if (this.userGroups.has(i.UserGroupId!))
        throw new ec.UserGroupAlreadyExistsFault({ message: 'User group already exists', $metadata: meta });
      for (const u of i.UserIds ?? [])
        if (!this.users.has(u)) throw new ec.UserNotFoundFault({ message: `User ${u} not found.`, $metadata: meta });
      this.userGroups.set(i.UserGroupId!, { UserGroupId: i.UserGroupId, UserIds: i.UserIds, Status: 'active' });
      return {};
    });
    e.on(ec.DeleteUserGroupCommand).callsFake(async (i: ec.DeleteUserGroupCommandInput) => {
      this.mutate('DeleteUserGroup');
      if (!this.userGroups.delete(i.UserGroupId!))
        throw new ec.UserGroupNotFoundFault({ message: 'User group not found', $metadata: meta });
      return {};
    });
    e.on(ec.DeleteUserCommand).callsFake(async (i: ec.DeleteUserCommandInput) => {
      this.mutate('DeleteUser');
      if (!this.users.delete(i.UserId!)) throw new ec.UserNotFoundFault({ message: 'User not found', $metadata: meta });
      return {};
    });
    e.on(ec.DescribeServerlessCachesCommand).callsFake(async (i: ec.DescribeServerlessCachesCommandInput) => {
      const cache = this.caches.get(i.ServerlessCacheName!);
      if (!cache) throw new ec.ServerlessCacheNotFoundFault({ message: 'Serverless cache not found', $metadata: meta });
      // Available on the second look after creation, as a real cache becomes available after minutes.
      cache.polls += 1;
      if (cache.Status === 'creating' && cache.polls > 1) cache.Status = 'available';
      if (cache.Status === 'deleting' && cache.polls > 1) {
        this.caches.delete(cache.ServerlessCacheName!);
        throw new ec.ServerlessCacheNotFoundFault({ message: 'Serverless cache not found', $metadata: meta });
      }
      const { polls: _polls, ...shown } = cache;
      return { ServerlessCaches: [shown] };
    });
    e.on(ec.CreateServerlessCacheCommand).callsFake(async (i: ec.CreateServerlessCacheCommandInput) => {
      this.mutate('CreateServerlessCache');
      if (this.caches.has(i.ServerlessCacheName!))
        throw new ec.ServerlessCacheAlreadyExistsFault({ message: 'already exists', $metadata: meta });
      if (i.UserGroupId && !this.userGroups.has(i.UserGroupId!))
        throw new ec.UserGroupNotFoundFault({ message: 'User group not found', $metadata: meta });
      this.caches.set(i.ServerlessCacheName!, {
        ServerlessCacheName: i.ServerlessCacheName,
        Engine: i.Engine,
        MajorEngineVersion: i.MajorEngineVersion,
        SubnetIds: i.SubnetIds,
        SecurityGroupIds: i.SecurityGroupIds,
        UserGroupId: i.UserGroupId,
        Status: 'creating',
        Endpoint: { Address: `${i.ServerlessCacheName}-abc123.serverless.euw1.cache.amazonaws.com`, Port: 6379 },
        polls: 0,
        ...({ tags: tags(i.Tags) } as object),
      });
      return {};
    });
    e.on(ec.DeleteServerlessCacheCommand).callsFake(async (i: ec.DeleteServerlessCacheCommandInput) => {
      this.mutate('DeleteServerlessCache');
      const cache = this.caches.get(i.ServerlessCacheName!);
      if (!cache) throw new ec.ServerlessCacheNotFoundFault({ message: 'not found', $metadata: meta });
      if (cache.Status === 'deleting')
        throw new ec.InvalidServerlessCacheStateFault({ message: 'is being deleted', $metadata: meta });
      cache.Status = 'deleting';
      cache.polls = 0;
      return {};
    });

    const x = mocks.ec2;
    x.on(ec2.DescribeSubnetsCommand).callsFake(async (i: ec2.DescribeSubnetsCommandInput) => ({
      Subnets: (i.SubnetIds ?? []).map((id) => {
        const vpc = this.subnets.get(id);
        if (!vpc) throw ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
        return { SubnetId: id, VpcId: vpc };
      }),
    }));
    x.on(ec2.DescribeSecurityGroupsCommand).callsFake(async (i: ec2.DescribeSecurityGroupsCommandInput) => {
      const value = (n: string) => i.Filters?.find((f) => f.Name === n)?.Values?.[0];
      const found = [...this.groups.values()].filter(
        (g) => g.name === value('group-name') && g.vpcId === value('vpc-id'),
      );
      return {
        SecurityGroups: found.map((g) => ({
          GroupId: g.id,
          GroupName: g.name,
          VpcId: g.vpcId,
          IpPermissions: g.sources.length
            ? [
                {
                  IpProtocol: 'tcp',
                  FromPort: 6379,
                  ToPort: 6379,
                  UserIdGroupPairs: g.sources.map((GroupId) => ({ GroupId })),
                },
              ]
            : [],
          Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })),
        })),
      };
    });
    x.on(ec2.CreateSecurityGroupCommand).callsFake(async (i: ec2.CreateSecurityGroupCommandInput) => {
      this.mutate('CreateSecurityGroup');
      if ([...this.groups.values()].some((g) => g.name === i.GroupName && g.vpcId === i.VpcId))
        throw ec2Error(
          'InvalidGroup.Duplicate',
          `The security group '${i.GroupName}' already exists for VPC '${i.VpcId}'`,
        );
      const id = `sg-${(this.groups.size + 100).toString(16).padStart(17, '0')}`;
      const t = i.TagSpecifications?.[0]?.Tags ?? [];
      this.groups.set(id, { id, name: i.GroupName!, vpcId: i.VpcId!, sources: [], tags: tags(t as ec.Tag[]) });
      return { GroupId: id };
    });
    x.on(ec2.AuthorizeSecurityGroupIngressCommand).callsFake(
      async (i: ec2.AuthorizeSecurityGroupIngressCommandInput) => {
        this.mutate('AuthorizeSecurityGroupIngress');
        const g = this.groups.get(i.GroupId!)!;
        for (const p of i.IpPermissions ?? [])
          for (const pair of p.UserIdGroupPairs ?? []) {
            if (g.sources.includes(pair.GroupId!)) throw ec2Error('InvalidPermission.Duplicate', 'already exists');
            g.sources = [...g.sources, pair.GroupId!].sort();
          }
        return { Return: true };
      },
    );
    x.on(ec2.RevokeSecurityGroupIngressCommand).callsFake(async (i: ec2.RevokeSecurityGroupIngressCommandInput) => {
      this.mutate('RevokeSecurityGroupIngress');
      const g = this.groups.get(i.GroupId!)!;
      const gone = (i.IpPermissions ?? []).flatMap((p) => (p.UserIdGroupPairs ?? []).map((q) => q.GroupId));
      g.sources = g.sources.filter((s) => !gone.includes(s));
      return { Return: true };
    });
    x.on(ec2.DeleteSecurityGroupCommand).callsFake(async (i: ec2.DeleteSecurityGroupCommandInput) => {
      this.mutate('DeleteSecurityGroup');
      const inUse = [...this.caches.values()].some((c) => c.SecurityGroupIds?.includes(i.GroupId!));
      if (inUse) throw ec2Error('DependencyViolation', `resource ${i.GroupId} has a dependent object`);
      if (!this.groups.delete(i.GroupId!))
        throw ec2Error('InvalidGroup.NotFound', `The security group '${i.GroupId}' does not exist`);
      return {};
    });
    return this;
  }
}
