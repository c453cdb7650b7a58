// doctor.vpc.* against the real EC2 client with aws-sdk-client-mock: a small
// fake VPC answers DescribeSubnets / DescribeRouteTables / DescribeSecurityGroups /
// DescribeVpcEndpoints by their filters, as EC2 does; errors are EC2's shapes.
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  type Filter,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { vpcEgressCheck, vpcSecurityGroupsCheck, vpcSubnetsCheck } from '../../src/checks/doctor-vpc.js';
import type { CheckContext } from '../../src/checks/check.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { parseRelease } from '../../src/release/load-release.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';

const SUBNET_A = 'subnet-0a1b2c3d';
const SUBNET_B = 'subnet-1a2b3c4d';
const SG = 'sg-0a1b2c3d';
const VPC = 'vpc-0123abcd';
const REGION = 'eu-west-1';

const withVpc = (vpc = `{ subnetIds: [${SUBNET_A}, ${SUBNET_B}], securityGroupIds: [${SG}] }`) =>
  parseRelease(`${RELEASE_YAML}vpc: ${vpc}\n`);

interface World {
  subnets: Subnet[];
  tables: RouteTable[];
  groups: SecurityGroup[];
  endpoints: VpcEndpoint[];
}

const local = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' as const };
const table = (id: string, subnets: string[], routes: RouteTable['Routes'], main = false): RouteTable => ({
  RouteTableId: id,
  VpcId: VPC,
  Routes: [local, ...(routes ?? [])],
  Associations: [...subnets.map((s) => ({ SubnetId: s, Main: false })), ...(main ? [{ Main: true }] : [])],
});
const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

function privateWorld(): World {
  return {
    subnets: [
      { SubnetId: SUBNET_A, VpcId: VPC, AvailabilityZone: 'eu-west-1a' },
      { SubnetId: SUBNET_B, VpcId: VPC, AvailabilityZone: 'eu-west-1b' },
    ],
    tables: [
      table(
        'rtb-private',
        [SUBNET_A, SUBNET_B],
        [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123', State: 'active' }],
      ),
      table('rtb-main', [], [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123', State: 'active' }], true),
    ],
    groups: [{ GroupId: SG, VpcId: VPC, IpPermissionsEgress: [https] }],
    endpoints: [],
  };
}

const values = (filters: Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values;

let ec2: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;
let world: World;

function serve(w: World): void {
  ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Filter[] }) => ({
    Subnets: w.subnets.filter((s) => values(input.Filters, 'subnet-id')!.includes(s.SubnetId!)),
  }));
  ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: Filter[] }) => {
    const bySubnet = values(input.Filters, 'association.subnet-id');
    if (bySubnet)
      return {
        RouteTables: w.tables.filter((t) => t.Associations!.some((a) => a.SubnetId && bySubnet.includes(a.SubnetId))),
      };
    return {
      RouteTables: w.tables.filter(
        (t) => t.VpcId === values(input.Filters, 'vpc-id')![0] && t.Associations!.some((a) => a.Main),
      ),
    };
  });
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { Filters?: Filter[] }) => ({
    SecurityGroups: w.groups.filter((g) => values(input.Filters, 'group-id')!.includes(g.GroupId!)),
  }));
  ec2.on(DescribeVpcEndpointsCommand).callsFake((input: { Filters?: Filter[] }) => ({
    VpcEndpoints: w.endpoints.filter((e) => e.VpcId === values(input.Filters, 'vpc-id')![0]),
  }));
}

beforeEach(() => {
  ec2 = mockClient(EC2Client);
  sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
  world = privateWorld();
  serve(world);
});
afterEach(() => {
  ec2.restore();
  sts.restore();
});

const ctxFor = (release = withVpc()): CheckContext =>
  defaultCheckContext({ dir: '/nonexistent', env: {}, skipTests: true, builder: 'docker', release });

describe('without a vpc in release.yaml', () => {
  it('all three skip with the reason and make no EC2 call', async () => {
    const ctx = ctxFor(parseRelease(RELEASE_YAML));
    for (const check of [vpcSubnetsCheck, vpcSecurityGroupsCheck, vpcEgressCheck]) {
      expect(await check.run(ctx)).toEqual({
        status: 'skip',
        message: 'no vpc in release.yaml: the model and the Lambda use AWS-managed networking',
      });
    }
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('doctor.vpc.subnets', () => {
  it('passes for existing private subnets in one VPC, naming the zones', async () => {
    expect(await vpcSubnetsCheck.run(ctxFor())).toEqual({
      status: 'pass',
      message: `vpc of dev, prod: 2 private subnets in ${VPC}, eu-west-1a, eu-west-1b`,
    });
  });

  it('fails for a subnet that does not exist', async () => {
    world.subnets.pop();
    const r = await vpcSubnetsCheck.run(ctxFor());
    expect(vpcSubnetsCheck.id).toBe('doctor.vpc.subnets');
    expect(r).toMatchObject({
      status: 'fail',
      message: `vpc of dev, prod: subnet ${SUBNET_B} does not exist in this account and region`,
      fix: expect.stringMatching(/^Fix vpc.subnetIds/),
    });
  });

  it('fails for a public subnet: its route table (here the VPC main table) routes to an internet gateway', async () => {
    world.tables[0]!.Associations = [{ SubnetId: SUBNET_A, Main: false }];
    const r = await vpcSubnetsCheck.run(ctxFor());
    expect(r).toMatchObject({
      status: 'fail',
      message: `vpc of dev, prod: public subnet ${SUBNET_B} (routes to igw-0123)`,
      fix: expect.stringMatching(/^Use private subnets/),
    });
  });

  it('fails for subnets of two VPCs, and notes a single availability zone when passing', async () => {
    world.subnets[1] = { ...world.subnets[1]!, VpcId: 'vpc-other' };
    expect((await vpcSubnetsCheck.run(ctxFor())).message).toBe(
      `vpc of dev, prod: the subnets are in different VPCs (${VPC}, vpc-other)`,
    );
    world.subnets[1] = { ...world.subnets[1]!, VpcId: VPC, AvailabilityZone: 'eu-west-1a' };
    expect((await vpcSubnetsCheck.run(ctxFor())).message).toMatch(/one availability zone only/);
  });

  it("checks each environment's own vpc", async () => {
    const release = parseRelease(
      RELEASE_YAML.replace(
        '    volumeSizeGb: 10\n',
        `    volumeSizeGb: 10\n    vpc: { subnetIds: [${SUBNET_A}], securityGroupIds: [${SG}] }\n`,
      ),
    );
    const r = await vpcSubnetsCheck.run(ctxFor(release));
    expect(r).toEqual({
      status: 'pass',
      message: `vpc of dev: 1 private subnet in ${VPC}, eu-west-1a (one availability zone only: add a subnet in a second AZ to survive an AZ outage)`,
    });
  });

  it('turns EC2 UnauthorizedOperation into a FAIL with the deployer code and what to do', async () => {
    ec2.on(DescribeSubnetsCommand).rejects(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        $fault: 'client',
        message: 'You are not authorized to perform this operation.',
        $metadata: { httpStatusCode: 403, requestId: 'req-1' },
      }),
    );
    const r = await vpcSubnetsCheck.run(ctxFor());
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^MS_DEPLOY_AWS_ACCESS_DENIED: .*UnauthorizedOperation/);
    expect(r.fix).toMatch(/README/);
  });

  it('skips, naming doctor.credentials, when no credentials resolve', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const r = await vpcSubnetsCheck.run(ctxFor());
    expect(r).toEqual({
      status: 'skip',
      message: 'cannot run without an AWS identity (MS_DEPLOY_AWS_CREDENTIALS; see doctor.credentials)',
    });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('doctor.vpc.security-groups', () => {
  it("passes when the groups are in the subnets' VPC and one allows 443 out", async () => {
    expect(await vpcSecurityGroupsCheck.run(ctxFor())).toEqual({
      status: 'pass',
      message: `vpc of dev, prod: ${SG} in ${VPC}, egress 443 via ${SG}`,
    });
  });

  it('fails for a group of another VPC', async () => {
    world.groups[0] = { ...world.groups[0]!, VpcId: 'vpc-other' };
    const r = await vpcSecurityGroupsCheck.run(ctxFor());
    expect(vpcSecurityGroupsCheck.id).toBe('doctor.vpc.security-groups');
    expect(r).toMatchObject({
      status: 'fail',
      message: `vpc of dev, prod: ${SG} is in vpc-other, the subnets in ${VPC}`,
      fix: `Use security groups of ${VPC} in vpc.securityGroupIds.`,
    });
  });

  it('fails when no group allows outbound TCP 443, passes for an all-traffic rule', async () => {
    world.groups[0] = {
      ...world.groups[0]!,
      IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
    const r = await vpcSecurityGroupsCheck.run(ctxFor());
    expect(r).toMatchObject({
      status: 'fail',
      message: `vpc of dev, prod: none of ${SG} allows outbound TCP 443`,
      fix: expect.stringMatching(/^Add an egress rule TCP 443/),
    });
    world.groups[0] = {
      ...world.groups[0]!,
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
    expect((await vpcSecurityGroupsCheck.run(ctxFor())).status).toBe('pass');
  });

  it('fails for a group that does not exist', async () => {
    world.groups = [];
    expect(await vpcSecurityGroupsCheck.run(ctxFor())).toMatchObject({
      status: 'fail',
      message: `vpc of dev, prod: security group ${SG} does not exist`,
    });
  });
});

describe('doctor.vpc.egress', () => {
  const noNat = () => {
    world.tables[0] = table('rtb-private', [SUBNET_A, SUBNET_B], []);
  };
  const endpoint = (short: string, extra: Partial<VpcEndpoint> = {}): VpcEndpoint => ({
    // EC2 answers lower-case "available" on the wire (the SDK's enum spells it "Available"); the check accepts both.
    VpcEndpointId: `vpce-${short}`,
    VpcId: VPC,
    ServiceName: `com.amazonaws.${REGION}.${short}`,
    State: 'available' as VpcEndpoint['State'],
    VpcEndpointType: 'Interface',
    PrivateDnsEnabled: true,
    ...extra,
  });

  it('passes with a NAT default route', async () => {
    expect(await vpcEgressCheck.run(ctxFor())).toEqual({
      status: 'pass',
      message: 'vpc of dev, prod: default route through nat-0123',
    });
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toHaveLength(0);
  });

  it('fails without NAT and without the endpoints, naming the missing services', async () => {
    noNat();
    world.endpoints = [
      endpoint('ecr.api'),
      endpoint('s3', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-other'] }),
    ];
    const r = await vpcEgressCheck.run(ctxFor());
    expect(vpcEgressCheck.id).toBe('doctor.vpc.egress');
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      `vpc of dev, prod: ${SUBNET_A}, ${SUBNET_B} have no NAT route and ${VPC} has no usable VPC endpoint for ecr.dkr, s3, logs, sagemaker.runtime`,
    );
    expect(r.fix).toMatch(
      /NAT gateway, or create VPC endpoints com\.amazonaws\.eu-west-1\.ecr\.dkr, .*sagemaker\.runtime/,
    );
  });

  it("passes with every endpoint (S3 as a gateway on the subnets' route table); private DNS off does not count", async () => {
    noNat();
    world.endpoints = ['ecr.api', 'ecr.dkr', 'logs', 'sagemaker.runtime'].map((s) => endpoint(s));
    world.endpoints.push(endpoint('s3', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-private'] }));
    expect(await vpcEgressCheck.run(ctxFor())).toEqual({
      status: 'pass',
      message: 'vpc of dev, prod: VPC endpoints for ecr.api, ecr.dkr, s3, logs, sagemaker.runtime',
    });
    world.endpoints[0] = endpoint('ecr.api', { PrivateDnsEnabled: false });
    expect((await vpcEgressCheck.run(ctxFor())).message).toMatch(/no usable VPC endpoint for ecr\.api$/);
  });
});
