// What a role needs to run inside release.yaml's VPC: the service creates
// network interfaces in the given subnets with the given security groups.
// Create/delete are scoped to those subnets (ec2:Subnet) and groups; EC2 Describe* calls support no
// resource-level permission, so they are granted on "*" (named actions only).
import type { DeployContext } from '../context.js';
import type { Statement } from './policy-statement.js';
import { vpcIds, vpcOf } from './vpc.js';

const DESCRIBE = {
  sagemaker: [
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeVpcs',
    'ec2:DescribeDhcpOptions',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
  ],
  lambda: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
} as const;

const MANAGE = {
  sagemaker: [
    'ec2:CreateNetworkInterface',
    'ec2:CreateNetworkInterfacePermission',
    'ec2:DeleteNetworkInterface',
    'ec2:DeleteNetworkInterfacePermission',
  ],
  lambda: [
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
} as const;

/** No statement without a vpc in release.yaml. */
export function vpcStatements(ctx: DeployContext, service: 'sagemaker' | 'lambda'): Statement[] {
  const ids = vpcIds(vpcOf(ctx.release, ctx.envName));
  if (!ids) return [];
  const { partition, region, accountId } = ctx.account;
  const arn = (resource: string) => `arn:${partition}:ec2:${region}:${accountId}:${resource}`;
  const subnets = ids.subnetIds.map((id) => arn(`subnet/${id}`));
  const groups = ids.securityGroupIds.map((id) => arn(`security-group/${id}`));
  return [
    {
      // Network interfaces only in the release's subnets (so only in its VPC).
      Sid: 'VpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [...MANAGE[service]],
      Resource: [arn('network-interface/*')],
      Condition: { ArnEquals: { 'ec2:Subnet': subnets } },
    },
    // CreateNetworkInterface also names the subnet and the groups it uses: those exact ARNs.
    { Sid: 'VpcAttachTo', Effect: 'Allow', Action: ['ec2:CreateNetworkInterface'], Resource: [...subnets, ...groups] },
    { Sid: 'VpcDescribe', Effect: 'Allow', Action: [...DESCRIBE[service]], Resource: ['*'] },
  ];
}
