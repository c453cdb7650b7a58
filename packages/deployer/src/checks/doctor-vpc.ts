// §5 of the checklist: the VPC in release.yaml, checked with EC2 reads before
// AWS says no (CreateModel/CreateFunction reject a bad subnet at once; a VPC
// without egress fails the endpoint only after minutes, pulling the image).
// Types only: the EC2 package loads when a check runs (aws/clients.ts createLazyAwsClient).
import type {
  EC2Client,
  Filter,
  IpPermission,
  RouteTable,
  SecurityGroup,
  Subnet,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { collect } from '../aws/pages.js';
import type { VpcConfig } from '../release/types.js';
import { vpcsInRelease } from '../resources/vpc.js';
import { withAws } from './aws-check.js';
import { fail, pass, skip, type Check, type CheckContext, type CheckResult } from './check.js';

const ec2Commands = () => import('@aws-sdk/client-ec2');
const NO_VPC = 'no vpc in release.yaml: the model and the Lambda use AWS-managed networking';

async function describeSubnets(ec2: EC2Client, ids: readonly string[]): Promise<Subnet[]> {
  // A filter (not SubnetIds) so a missing id is simply absent instead of failing the whole call.
  const Filters: Filter[] = [{ Name: 'subnet-id', Values: [...ids] }];
  const { paginateDescribeSubnets } = await ec2Commands();
  return collect(paginateDescribeSubnets({ client: ec2 }, { Filters }), (page) => page.Subnets);
}

async function describeRouteTables(ec2: EC2Client, Filters: Filter[]): Promise<RouteTable[]> {
  const { paginateDescribeRouteTables } = await ec2Commands();
  return collect(paginateDescribeRouteTables({ client: ec2 }, { Filters }), (page) => page.RouteTables);
}

/** Each subnet's effective route table: its explicit association, else the VPC's main table. */
async function routeTablesOf(
  ec2: EC2Client,
  vpcId: string,
  subnetIds: readonly string[],
): Promise<Map<string, RouteTable | undefined>> {
  const explicit = await describeRouteTables(ec2, [{ Name: 'association.subnet-id', Values: [...subnetIds] }]);
  const needMain = subnetIds.some((id) => !explicit.some((t) => t.Associations?.some((a) => a.SubnetId === id)));
  const main = needMain
    ? (
        await describeRouteTables(ec2, [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ])
      )[0]
    : undefined;
  return new Map(
    subnetIds.map((id) => [id, explicit.find((t) => t.Associations?.some((a) => a.SubnetId === id)) ?? main]),
  );
}

const activeRoutes = (table: RouteTable | undefined) => (table?.Routes ?? []).filter((r) => r.State !== 'blackhole');

/** The internet gateway a table routes to, if any (that makes its subnets public). */
function internetGateway(table: RouteTable | undefined): string | undefined {
  return activeRoutes(table).find((r) => r.GatewayId?.startsWith('igw-'))?.GatewayId;
}

/** A default route through NAT (gateway, instance, or a transit gateway to a central egress VPC). */
function natRoute(table: RouteTable | undefined): string | undefined {
  const route = activeRoutes(table).find(
    (r) =>
      r.DestinationCidrBlock === '0.0.0.0/0' &&
      (r.NatGatewayId || r.InstanceId || r.NetworkInterfaceId || r.TransitGatewayId),
  );
  return route && (route.NatGatewayId ?? route.TransitGatewayId ?? route.InstanceId ?? route.NetworkInterfaceId);
}

interface VpcSubnets {
  vpcId: string;
  subnets: Subnet[];
}

/** The subnets and their single VPC, or the failure saying why not. */
async function subnetsOrFailure(ec2: EC2Client, vpc: VpcConfig, label: string): Promise<VpcSubnets | CheckResult> {
  const subnets = await describeSubnets(ec2, vpc.subnetIds);
  const missing = vpc.subnetIds.filter((id) => !subnets.some((s) => s.SubnetId === id));
  if (missing.length) {
    return fail(
      `${label}: subnet ${missing.join(', ')} does not exist in this account and region`,
      'Fix vpc.subnetIds in release.yaml (aws ec2 describe-subnets lists them), or deploy to the region/account they are in.',
    );
  }
  const vpcIds = [...new Set(subnets.map((s) => s.VpcId ?? ''))];
  if (vpcIds.length > 1) {
    return fail(
      `${label}: the subnets are in different VPCs (${vpcIds.join(', ')})`,
      'SageMaker and Lambda need all subnets in one VPC: list subnets of a single VPC in vpc.subnetIds.',
    );
  }
  return { vpcId: vpcIds[0]!, subnets };
}

const isFailure = (r: VpcSubnets | CheckResult): r is CheckResult => 'status' in r;

/** Runs `each` for every distinct VPC in release.yaml; passes when all pass. */
async function perVpc(
  ctx: CheckContext,
  action: string,
  each: (ec2: EC2Client, vpc: VpcConfig, label: string) => Promise<CheckResult>,
): Promise<CheckResult> {
  if (ctx.release && vpcsInRelease(ctx.release).length === 0) return skip(NO_VPC);
  return withAws(ctx, action, async ({ lazy, release }) => {
    const ec2 = await lazy('ec2');
    const results: CheckResult[] = [];
    for (const { vpc, envs } of vpcsInRelease(release)) results.push(await each(ec2, vpc, `vpc of ${envs.join(', ')}`));
    const failed = results.filter((r) => r.status === 'fail');
    if (failed.length)
      return fail(failed.map((r) => r.message).join('; '), [...new Set(failed.map((r) => r.fix))].join(' '));
    return pass(results.map((r) => r.message).join('; '));
  });
}

export const vpcSubnetsCheck: Check = {
  id: 'doctor.vpc.subnets',
  title: 'VPC subnets exist and are private',
  description:
    'EC2 DescribeSubnets/DescribeRouteTables: every vpc.subnetIds entry exists, all in one VPC, and no subnet routes to an internet gateway.',
  run: (ctx) =>
    perVpc(ctx, 'DescribeSubnets', async (ec2, vpc, label) => {
      const found = await subnetsOrFailure(ec2, vpc, label);
      if (isFailure(found)) return found;
      const tables = await routeTablesOf(ec2, found.vpcId, vpc.subnetIds);
      const publicOnes = vpc.subnetIds.flatMap((id) => {
        const igw = internetGateway(tables.get(id));
        return igw ? [`${id} (routes to ${igw})`] : [];
      });
      if (publicOnes.length) {
        return fail(
          `${label}: public subnet ${publicOnes.join(', ')}`,
          'Use private subnets (no route to an internet gateway; egress through a NAT gateway or VPC endpoints) in vpc.subnetIds.',
        );
      }
      const zones = [...new Set(found.subnets.map((s) => s.AvailabilityZone ?? '?'))].sort();
      const note =
        zones.length < 2 ? ' (one availability zone only: add a subnet in a second AZ to survive an AZ outage)' : '';
      return pass(
        `${label}: ${vpc.subnetIds.length} private subnet${vpc.subnetIds.length > 1 ? 's' : ''} in ${found.vpcId}, ${zones.join(', ')}${note}`,
      );
    }),
};

/** Does this permission allow outbound TCP 443 (all traffic counts)? */
function allows443(p: IpPermission): boolean {
  if (p.IpProtocol === '-1') return true;
  if (p.IpProtocol !== 'tcp' && p.IpProtocol !== '6') return false;
  return (p.FromPort ?? 0) <= 443 && 443 <= (p.ToPort ?? 65535);
}

export const vpcSecurityGroupsCheck: Check = {
  id: 'doctor.vpc.security-groups',
  title: 'VPC security groups belong to the VPC and allow egress 443',
  description:
    "EC2 DescribeSecurityGroups: every vpc.securityGroupIds entry exists in the subnets' VPC and together they allow outbound TCP 443.",
  run: (ctx) =>
    perVpc(ctx, 'DescribeSecurityGroups', async (ec2, vpc, label) => {
      const found = await subnetsOrFailure(ec2, vpc, label);
      if (isFailure(found)) return found;
      const Filters: Filter[] = [{ Name: 'group-id', Values: [...vpc.securityGroupIds] }];
      const { paginateDescribeSecurityGroups } = await ec2Commands();
      const groups: SecurityGroup[] = await collect(
        paginateDescribeSecurityGroups({ client: ec2 }, { Filters }),
        (page) => page.SecurityGroups,
      );
      const missing = vpc.securityGroupIds.filter((id) => !groups.some((g) => g.GroupId === id));
      if (missing.length)
        return fail(
          `${label}: security group ${missing.join(', ')} does not exist`,
          'Fix vpc.securityGroupIds in release.yaml (aws ec2 describe-security-groups lists them).',
        );
      const elsewhere = groups.filter((g) => g.VpcId !== found.vpcId).map((g) => `${g.GroupId} is in ${g.VpcId}`);
      if (elsewhere.length) {
        return fail(
          `${label}: ${elsewhere.join(', ')}, the subnets in ${found.vpcId}`,
          `Use security groups of ${found.vpcId} in vpc.securityGroupIds.`,
        );
      }
      // Rules of all groups on an interface add up: one allowing 443 out is enough.
      const opener = groups.find((g) => (g.IpPermissionsEgress ?? []).some(allows443));
      if (!opener) {
        return fail(
          `${label}: none of ${vpc.securityGroupIds.join(', ')} allows outbound TCP 443`,
          "Add an egress rule TCP 443 (to 0.0.0.0/0, or to the VPC endpoints' security group and the S3 prefix list): the container pulls its image and writes logs over HTTPS.",
        );
      }
      return pass(`${label}: ${vpc.securityGroupIds.join(', ')} in ${found.vpcId}, egress 443 via ${opener.GroupId}`);
    }),
};

/** The endpoints the model and the proxy need when there is no NAT. */
export function requiredEndpointServices(region: string): { short: string; service: string }[] {
  return ['ecr.api', 'ecr.dkr', 's3', 'logs', 'sagemaker.runtime'].map((short) => ({
    short,
    service: `com.amazonaws.${region}.${short}`,
  }));
}

/** Which required services `endpoints` leave uncovered for a subnet using `routeTableId`. */
function missingServices(
  required: { short: string; service: string }[],
  endpoints: VpcEndpoint[],
  routeTableId: string | undefined,
): string[] {
  return required
    .filter(
      ({ service }) =>
        !endpoints.some((e) => {
          if (e.ServiceName !== service || String(e.State ?? '').toLowerCase() !== 'available') return false;
          // A gateway endpoint (S3) only serves the route tables it is attached to;
          // an interface endpoint needs private DNS so the SDKs' default host names resolve to it.
          if (e.VpcEndpointType === 'Gateway')
            return routeTableId !== undefined && (e.RouteTableIds ?? []).includes(routeTableId);
          return e.PrivateDnsEnabled !== false;
        }),
    )
    .map(({ short }) => short);
}

export const vpcEgressCheck: Check = {
  id: 'doctor.vpc.egress',
  title: 'VPC has egress to AWS (NAT route or VPC endpoints)',
  description:
    'EC2 DescribeRouteTables/DescribeVpcEndpoints: each subnet has a 0.0.0.0/0 NAT route, or the VPC has endpoints for ecr.api, ecr.dkr, s3, logs and sagemaker.runtime.',
  run: (ctx) =>
    perVpc(ctx, 'DescribeVpcEndpoints', async (ec2, vpc, label) => {
      const found = await subnetsOrFailure(ec2, vpc, label);
      if (isFailure(found)) return found;
      const tables = await routeTablesOf(ec2, found.vpcId, vpc.subnetIds);
      const withoutNat = vpc.subnetIds.filter((id) => !natRoute(tables.get(id)));
      if (withoutNat.length === 0) {
        const nats = [...new Set(vpc.subnetIds.map((id) => natRoute(tables.get(id))))];
        return pass(`${label}: default route through ${nats.join(', ')}`);
      }
      const { paginateDescribeVpcEndpoints } = await ec2Commands();
      const endpoints: VpcEndpoint[] = await collect(
        paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: [found.vpcId] }] }),
        (page) => page.VpcEndpoints,
      );
      const region = ctx.release!.region;
      const required = requiredEndpointServices(region);
      const gaps = withoutNat
        .map((id) => ({ id, missing: missingServices(required, endpoints, tables.get(id)?.RouteTableId) }))
        .filter((g) => g.missing.length > 0);
      if (gaps.length) {
        const missing = [...new Set(gaps.flatMap((g) => g.missing))];
        return fail(
          `${label}: ${gaps.map((g) => g.id).join(', ')} ${gaps.length > 1 ? 'have' : 'has'} no NAT route and ${found.vpcId} has no usable VPC endpoint for ${missing.join(', ')}`,
          `Route 0.0.0.0/0 of the subnets' route tables to a NAT gateway, or create VPC endpoints ${missing.map((m) => `com.amazonaws.${region}.${m}`).join(', ')} (interface endpoints with private DNS; S3 as a gateway endpoint on those route tables).`,
        );
      }
      return pass(
        `${label}: VPC endpoints for ${required.map((r) => r.short).join(', ')}${withoutNat.length < vpc.subnetIds.length ? ' (some subnets also route through NAT)' : ''}`,
      );
    }),
};

export const VPC_CHECKS: readonly Check[] = [vpcSubnetsCheck, vpcSecurityGroupsCheck, vpcEgressCheck];
