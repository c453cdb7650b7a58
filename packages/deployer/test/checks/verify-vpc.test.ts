// verify.vpc reads the deployed model (endpoint -> config -> model) and the
// Lambda back through the real SDK clients (aws-sdk-client-mock) and compares
// them with release.yaml's vpc.
import { GetFunctionConfigurationCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { VERIFY_CHECK_IDS } from '../../src/checks/verify-checks.js';
import { runVpcCheck } from '../../src/checks/verify-vpc.js';
import { VERIFY_CHECKS } from '../../src/checks/registry.js';
import { sagemakerNotFound } from '../helpers/aws-context.js';

const VPC = {
  subnetIds: ['subnet-0bbbbbbb', 'subnet-0aaaaaaa'],
  securityGroupIds: ['sg-0ccccccc'],
  networkIsolation: false,
};

let sm: AwsStub<any, any, any>;
let lambda: AwsStub<any, any, any>;

beforeEach(() => {
  sm = mockClient(SageMakerClient);
  lambda = mockClient(LambdaClient);
  sm.on(DescribeEndpointCommand).resolves({
    EndpointName: 'ms-iris-dev',
    EndpointConfigName: 'ms-iris-dev-1a2b3c4d',
    EndpointStatus: 'InService',
  });
  sm.on(DescribeEndpointConfigCommand).resolves({
    EndpointConfigName: 'ms-iris-dev-1a2b3c4d',
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'ms-iris-dev-5e6f7a8b' }],
  });
  sm.on(DescribeModelCommand).resolves({
    ModelName: 'ms-iris-dev-5e6f7a8b',
    VpcConfig: { Subnets: ['subnet-0aaaaaaa', 'subnet-0bbbbbbb'], SecurityGroupIds: ['sg-0ccccccc'] },
  });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: 'ms-iris-dev-proxy',
    VpcConfig: {
      SubnetIds: ['subnet-0bbbbbbb', 'subnet-0aaaaaaa'],
      SecurityGroupIds: ['sg-0ccccccc'],
      VpcId: 'vpc-1',
    },
  });
});
afterEach(() => {
  sm.restore();
  lambda.restore();
});

const run = (expected: typeof VPC | undefined) =>
  runVpcCheck({
    env: 'dev',
    endpointName: 'ms-iris-dev',
    functionName: 'ms-iris-dev-proxy',
    expected,
    sagemaker: new SageMakerClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
  });

describe('verify.vpc', () => {
  it("is registered with verify's checks, right after the Lambda", () => {
    expect(VERIFY_CHECK_IDS.indexOf('verify.vpc')).toBe(VERIFY_CHECK_IDS.indexOf('verify.lambda.active') + 1);
    expect(VERIFY_CHECKS.map((c) => c.id)).toContain('verify.vpc');
  });

  it("passes when the model behind the endpoint and the Lambda run in release.yaml's subnets and groups (any order)", async () => {
    expect(await run(VPC)).toEqual({
      status: 'pass',
      message:
        'model ms-iris-dev-5e6f7a8b and function ms-iris-dev-proxy in subnets subnet-0aaaaaaa, subnet-0bbbbbbb, security groups sg-0ccccccc',
    });
    expect(sm.commandCalls(DescribeModelCommand)[0]!.args[0].input).toEqual({ ModelName: 'ms-iris-dev-5e6f7a8b' });
  });

  it('fails naming what differs: a model outside the VPC, a Lambda in other subnets, isolation off', async () => {
    sm.on(DescribeModelCommand).resolves({ ModelName: 'ms-iris-dev-5e6f7a8b' });
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolves({ VpcConfig: { SubnetIds: ['subnet-0aaaaaaa'], SecurityGroupIds: ['sg-0ccccccc'], VpcId: 'vpc-1' } });
    const r = await run({ ...VPC, networkIsolation: true });
    expect(r).toMatchObject({
      status: 'fail',
      message:
        'model ms-iris-dev-5e6f7a8b: no VPC; model ms-iris-dev-5e6f7a8b: network isolation off (release.yaml: on); function ms-iris-dev-proxy: subnets subnet-0aaaaaaa, security groups sg-0ccccccc (release.yaml: subnets subnet-0aaaaaaa, subnet-0bbbbbbb, security groups sg-0ccccccc, network isolation on)',
      fix: "Run `model-deploy up dev`: it creates a model with release.yaml's VpcConfig and updates the function's.",
    });
  });

  it('fails with the SDK error when the deployment cannot be read', async () => {
    sm.on(DescribeEndpointCommand).rejects(sagemakerNotFound('endpoint "ms-iris-dev"'));
    expect(await run(VPC)).toMatchObject({
      status: 'fail',
      message: 'cannot read the model behind ms-iris-dev: ValidationException: Could not find endpoint "ms-iris-dev".',
      fix: expect.stringMatching(/model-deploy up dev/),
    });
    sm.on(DescribeEndpointCommand).resolves({ EndpointConfigName: 'c' });
    lambda.on(GetFunctionConfigurationCommand).rejects(
      new ResourceNotFoundException({
        message: 'Function not found: ms-iris-dev-proxy',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    expect(await run(VPC)).toMatchObject({
      status: 'fail',
      message: 'cannot read ms-iris-dev-proxy: ResourceNotFoundException: Function not found: ms-iris-dev-proxy',
    });
  });

  it('skips, saying why, when release.yaml has no vpc for the environment (no call)', async () => {
    expect(await run(undefined)).toEqual({
      status: 'skip',
      message: 'no vpc in release.yaml for this environment: nothing to compare',
    });
    expect(sm.calls()).toHaveLength(0);
  });
});
