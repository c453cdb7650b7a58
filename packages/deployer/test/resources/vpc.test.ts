// release.yaml `vpc`: validated by the schema, passed as VpcConfig to the
// SageMaker model and the Lambda proxy, part of their diffs, and given the ENI
// permissions in the roles. Real SDK clients stubbed by aws-sdk-client-mock.
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateModelCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isDeployerError, type DeployerError } from '../../src/errors.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { parseRelease } from '../../src/release/load-release.js';
import { lambdaPolicy, sagemakerPolicy } from '../../src/resources/iam-policies.js';
import { createLambdaProxyResource } from '../../src/resources/lambda-proxy.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import { sagemakerModelName } from '../../src/resources/sagemaker-names.js';
import { vpcOf } from '../../src/resources/vpc.js';
import {
  ACCOUNT,
  DIGEST,
  RELEASE_YAML,
  REPO_URI,
  mockAll,
  restoreAll,
  sagemakerNotFound,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';

const VPC_YAML = `${RELEASE_YAML}vpc: { subnetIds: [subnet-0bbbbbbb, subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc], networkIsolation: true }\n`;
const UPSTREAM = {
  imageUri: `${REPO_URI}@${DIGEST}`,
  sagemakerRoleArn: `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-sagemaker`,
};

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
});
afterEach(() => restoreAll(mocks));

function releaseFailure(text: string): DeployerError {
  try {
    parseRelease(text);
  } catch (err) {
    if (isDeployerError(err)) return err;
    throw err;
  }
  throw new Error('expected parseRelease to fail');
}

describe('release.yaml vpc', () => {
  it('is optional, defaults networkIsolation to false, and an environment may override it', () => {
    expect(parseRelease(RELEASE_YAML).vpc).toBeUndefined();
    const release = parseRelease(
      `${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc] }\n`,
    );
    expect(release.vpc).toEqual({
      subnetIds: ['subnet-0aaaaaaa'],
      securityGroupIds: ['sg-0ccccccc'],
      networkIsolation: false,
    });
    const perEnv = parseRelease(
      RELEASE_YAML.replace(
        '    volumeSizeGb: 10\n',
        '    volumeSizeGb: 10\n    vpc: { subnetIds: [subnet-0123456789abcdef0], securityGroupIds: [sg-0ddddddd] }\n',
      ),
    );
    expect(vpcOf(perEnv, 'dev')?.subnetIds).toEqual(['subnet-0123456789abcdef0']);
    expect(vpcOf(perEnv, 'prod')).toBeUndefined();
  });

  it.each([
    [
      'a malformed subnet id',
      'vpc: { subnetIds: [subnet-xyz], securityGroupIds: [sg-0ccccccc] }',
      'vpc.subnetIds[0]',
      'does not match',
    ],
    ['no security group', 'vpc: { subnetIds: [subnet-0aaaaaaa] }', 'vpc.securityGroupIds', 'is required'],
    [
      'an empty subnet list',
      'vpc: { subnetIds: [], securityGroupIds: [sg-0ccccccc] }',
      'vpc.subnetIds',
      'fewer than 1',
    ],
    [
      'more than 5 security groups',
      `vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [${[1, 2, 3, 4, 5, 6].map((i) => `sg-0000000${i}`).join(', ')}] }`,
      'vpc.securityGroupIds',
      'more than 5',
    ],
    [
      'a typo',
      'vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc], isolation: true }',
      'vpc.isolation',
      'not a known field',
    ],
  ])('%s stops with MS_DEPLOY_RELEASE_INVALID and the path', (_name, line, yamlPath, reason) => {
    const f = releaseFailure(`${RELEASE_YAML}${line}\n`);
    expect(f.code).toBe('MS_DEPLOY_RELEASE_INVALID');
    expect(f.params.yamlPath).toBe(yamlPath);
    expect(f.message).toContain(reason);
  });
});

describe('SageMaker model in a VPC', () => {
  it('sends VpcConfig (ids sorted) and EnableNetworkIsolation, and the plan shows them', async () => {
    const ctx = testContext({ yaml: VPC_YAML });
    mocks.sagemaker.on(DescribeModelCommand).rejects(sagemakerNotFound('model'));
    const desired = sagemakerModel.desired(ctx, UPSTREAM);
    const change = sagemakerModel.plan(desired, await sagemakerModel.observe(ctx, desired));
    expect(change.action).toBe('create');
    expect(change.diffs).toEqual(
      expect.arrayContaining([
        {
          field: 'vpc',
          from: undefined,
          to: { subnetIds: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'], securityGroupIds: ['sg-0ccccccc'] },
        },
        { field: 'networkIsolation', from: undefined, to: true },
      ]),
    );
    await sagemakerModel.apply(ctx, change, desired, undefined);
    expect(mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input).toMatchObject({
      ModelName: desired.name,
      VpcConfig: { Subnets: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'], SecurityGroupIds: ['sg-0ccccccc'] },
      EnableNetworkIsolation: true,
    });
  });

  it('a VPC change is a new model name; without a vpc the name and the request are as before', () => {
    const plain = testContext();
    const inVpc = testContext({ yaml: VPC_YAML });
    const a = sagemakerModel.desired(plain, UPSTREAM);
    const b = sagemakerModel.desired(inVpc, UPSTREAM);
    expect(a.name).not.toBe(b.name);
    // The hash of a model without vpc is unchanged by this feature (existing endpoints keep their model).
    expect(a.name).toBe(
      sagemakerModelName(plain.names, {
        image: a.image,
        executionRoleArn: a.executionRoleArn,
        environment: a.environment,
      }),
    );
    expect('vpc' in a).toBe(false);
    const reordered = testContext({
      yaml: VPC_YAML.replace('[subnet-0bbbbbbb, subnet-0aaaaaaa]', '[subnet-0aaaaaaa, subnet-0bbbbbbb]'),
    });
    expect(sagemakerModel.desired(reordered, UPSTREAM).name).toBe(b.name);
  });

  it('observe reads the VpcConfig back', async () => {
    const ctx = testContext({ yaml: VPC_YAML });
    const desired = sagemakerModel.desired(ctx, UPSTREAM);
    mocks.sagemaker.on(DescribeModelCommand).resolves({
      ModelName: desired.name,
      PrimaryContainer: { Image: UPSTREAM.imageUri },
      VpcConfig: { Subnets: ['subnet-0bbbbbbb', 'subnet-0aaaaaaa'], SecurityGroupIds: ['sg-0ccccccc'] },
      EnableNetworkIsolation: true,
    });
    expect(await sagemakerModel.observe(ctx, desired)).toEqual({
      name: desired.name,
      image: UPSTREAM.imageUri,
      vpc: { subnetIds: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'], securityGroupIds: ['sg-0ccccccc'] },
      networkIsolation: true,
    });
  });
});

describe('Lambda proxy in a VPC', () => {
  const zip = Uint8Array.from([7, 7, 7]);
  const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
  const up = { lambdaRoleArn: `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`, endpointName: 'ms-iris-dev' };

  function existing(
    ctxYaml: string | undefined,
    vpc: { SubnetIds: string[]; SecurityGroupIds: string[]; VpcId: string } | undefined,
  ) {
    const ctx = testContext({ yaml: ctxYaml });
    const module = createLambdaProxyResource({ bundle, sleep: async () => {} });
    const d = module.desired(ctx, up);
    mocks.lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        FunctionName: d.functionName,
        FunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${d.functionName}`,
        Role: d.roleArn,
        Runtime: 'nodejs22.x',
        Handler: d.handler,
        MemorySize: d.memorySize,
        Timeout: d.timeout,
        Environment: { Variables: d.environment },
        CodeSha256: d.codeSha256,
        State: 'Active',
        LastUpdateStatus: 'Successful',
        ...(vpc ? { VpcConfig: vpc } : {}),
      },
      Tags: d.tags,
    });
    return { ctx, module, d };
  }

  it('creates the function with VpcConfig', async () => {
    const ctx = testContext({ yaml: VPC_YAML });
    const module = createLambdaProxyResource({ bundle, sleep: async () => {} });
    const d = module.desired(ctx, up);
    mocks.lambda
      .on(CreateFunctionCommand)
      .resolves({ FunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${d.functionName}` });
    mocks.lambda
      .on(GetFunctionCommand)
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
    await module.apply(ctx, module.plan(d, undefined), d, undefined);
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)[0]!.args[0].input.VpcConfig).toEqual({
      SubnetIds: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'],
      SecurityGroupIds: ['sg-0ccccccc'],
    });
  });

  it("retries CreateFunction while the role's fresh ENI permissions propagate (bounded)", async () => {
    const ctx = testContext({ yaml: VPC_YAML });
    const module = createLambdaProxyResource({ bundle, sleep: async () => {}, rolePropagationAttempts: 3 });
    const d = module.desired(ctx, up);
    const notYet = new InvalidParameterValueException({
      message: 'The provided execution role does not have permissions to call CreateNetworkInterface on EC2',
      $metadata: { httpStatusCode: 400 },
      Type: 'User',
    });
    mocks.lambda
      .on(CreateFunctionCommand)
      .rejectsOnce(notYet)
      .resolves({ FunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${d.functionName}` });
    mocks.lambda
      .on(GetFunctionCommand)
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
    await module.apply(ctx, module.plan(d, undefined), d, undefined);
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(2);
    mocks.lambda.reset();
    mocks.lambda.on(CreateFunctionCommand).rejects(notYet);
    await expect(module.apply(ctx, module.plan(d, undefined), d, undefined)).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_VALIDATION',
    });
    expect(mocks.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3);
  });

  it('the same VPC in another order is no change; other subnets are a vpc diff and an update', async () => {
    const same = existing(VPC_YAML, {
      SubnetIds: ['subnet-0bbbbbbb', 'subnet-0aaaaaaa'],
      SecurityGroupIds: ['sg-0ccccccc'],
      VpcId: 'vpc-1',
    });
    expect(same.module.plan(same.d, await same.module.observe(same.ctx, same.d)).action).toBe('no-change');

    mocks.lambda.reset();
    const moved = existing(VPC_YAML, {
      SubnetIds: ['subnet-0aaaaaaa'],
      SecurityGroupIds: ['sg-0ccccccc'],
      VpcId: 'vpc-1',
    });
    const observed = await moved.module.observe(moved.ctx, moved.d);
    const change = moved.module.plan(moved.d, observed);
    expect(change).toMatchObject({
      action: 'update',
      diffs: [
        { field: 'vpc', from: { subnetIds: ['subnet-0aaaaaaa'], securityGroupIds: ['sg-0ccccccc'] }, to: moved.d.vpc },
      ],
    });
    await moved.module.apply(moved.ctx, change, moved.d, observed);
    expect(mocks.lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input.VpcConfig).toEqual({
      SubnetIds: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'],
      SecurityGroupIds: ['sg-0ccccccc'],
    });
  });

  it("removing vpc from release.yaml detaches the function (empty lists); AWS's empty VpcConfig is no VPC", async () => {
    const left = existing(undefined, {
      SubnetIds: ['subnet-0aaaaaaa'],
      SecurityGroupIds: ['sg-0ccccccc'],
      VpcId: 'vpc-1',
    });
    const observed = await left.module.observe(left.ctx, left.d);
    const change = left.module.plan(left.d, observed);
    expect(change.diffs.map((x) => x.field)).toEqual(['vpc']);
    await left.module.apply(left.ctx, change, left.d, observed);
    expect(mocks.lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input.VpcConfig).toEqual({
      SubnetIds: [],
      SecurityGroupIds: [],
    });

    mocks.lambda.reset();
    const none = existing(undefined, { SubnetIds: [], SecurityGroupIds: [], VpcId: '' });
    expect(none.module.plan(none.d, await none.module.observe(none.ctx, none.d)).action).toBe('no-change');
  });
});

describe('role policies in a VPC', () => {
  it('add ENI statements conditioned on the subnets, create on those subnets and groups, Describe* on "*" by name; none without a vpc', () => {
    const ctx = testContext({ yaml: VPC_YAML });
    const subnets = [
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-0aaaaaaa`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-0bbbbbbb`,
    ];
    const sm = sagemakerPolicy(ctx).Statement.find((s) => s.Sid === 'VpcNetworkInterfaces')!;
    expect(sm.Action).toContain('ec2:CreateNetworkInterfacePermission');
    expect(sm.Resource).toEqual([`arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/*`]);
    expect(sm.Condition).toEqual({ ArnEquals: { 'ec2:Subnet': subnets } });
    const attach = sagemakerPolicy(ctx).Statement.find((s) => s.Sid === 'VpcAttachTo')!;
    expect(attach).toEqual({
      Sid: 'VpcAttachTo',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [...subnets, `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0ccccccc`],
    });
    const lambdaDescribe = lambdaPolicy(ctx).Statement.find((s) => s.Sid === 'VpcDescribe')!;
    expect(lambdaDescribe).toEqual({
      Sid: 'VpcDescribe',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      Resource: ['*'],
    });
    for (const doc of [sagemakerPolicy(ctx), lambdaPolicy(ctx)]) {
      for (const s of doc.Statement) for (const a of s.Action) expect(a).not.toContain('*');
    }
    const plain = testContext();
    expect(
      [...sagemakerPolicy(plain).Statement, ...lambdaPolicy(plain).Statement].filter((s) => s.Sid.startsWith('Vpc')),
    ).toEqual([]);
  });
});
