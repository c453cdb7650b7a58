// promote creates the target environment's model and endpoint config itself: they
// must carry the target's release.yaml vpc (prod's own subnets) and kmsKeyId, like
// the ones `up` creates.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { VERIFIED_TAG } from '../../src/checks/verify-tag.js';
import { promote } from '../../src/commands/promote.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import {
  ACCOUNT,
  DIGEST,
  mockAll,
  REPO_URI,
  RELEASE_YAML,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';

const DEV_ARN = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-dev`;
const PROD_ARN = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-prod`;
const DEV_CONFIG = 'ms-iris-dev-aaaa1111';
const IMAGE = `${REPO_URI}@${DIGEST}`;
const endpoint = (name: string, arn: string, config: string) => ({
  EndpointName: name,
  EndpointArn: arn,
  EndpointConfigName: config,
  EndpointStatus: 'InService' as const,
  CreationTime: new Date(),
  LastModifiedTime: new Date(),
});

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  const sm = mocks.sagemaker;
  sm.on(DescribeEndpointCommand, { EndpointName: 'ms-iris-dev' }).resolves(
    endpoint('ms-iris-dev', DEV_ARN, DEV_CONFIG),
  );
  sm.on(ListTagsCommand, { ResourceArn: DEV_ARN }).resolves({
    Tags: [{ Key: VERIFIED_TAG, Value: `pass@2026-11-25T09:00:00.000Z/${DEV_CONFIG}` }],
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: DEV_CONFIG }).resolves({
    EndpointConfigName: DEV_CONFIG,
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: 'ms-iris-dev-m0del000', InstanceType: 'ml.t2.medium' },
    ],
  });
  // The source model runs in dev's VPC; prod must not inherit it.
  sm.on(DescribeModelCommand, { ModelName: 'ms-iris-dev-m0del000' }).resolves({
    ModelName: 'ms-iris-dev-m0del000',
    PrimaryContainer: { Image: IMAGE },
    VpcConfig: { Subnets: ['subnet-0aaaaaaa'], SecurityGroupIds: ['sg-0aaaaaaa'] },
  });
  let newConfig = '';
  sm.on(CreateModelCommand).resolves({});
  sm.on(CreateEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
    newConfig = input.EndpointConfigName;
    return {};
  });
  sm.on(UpdateEndpointCommand).resolves({ EndpointArn: PROD_ARN });
  sm.on(DescribeEndpointCommand, { EndpointName: 'ms-iris-prod' }).callsFake(() =>
    endpoint('ms-iris-prod', PROD_ARN, newConfig || 'ms-iris-prod-0000beef'),
  );
  sm.on(AddTagsCommand).resolves({});
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.cloudWatch.on(PutMetricAlarmCommand).resolves({});
  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  mocks.autoScaling.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] });
  mocks.autoScaling.on(RegisterScalableTargetCommand).resolves({});
  mocks.autoScaling.on(PutScalingPolicyCommand).resolves({});
});
afterEach(() => restoreAll(mocks));

describe('promote with a vpc', () => {
  it("creates the target's model in the target's own VPC, with network isolation when asked", async () => {
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.m5.large\n',
      '    instanceType: ml.m5.large\n    vpc: { subnetIds: [subnet-0ccccccc, subnet-0bbbbbbb], securityGroupIds: [sg-0bbbbbbb], networkIsolation: true }\n',
    );
    const prod = testContext({ env: 'prod', yaml });
    await promote(testContext({ env: 'dev', yaml }), prod);
    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect(model.VpcConfig).toEqual({
      Subnets: ['subnet-0bbbbbbb', 'subnet-0ccccccc'],
      SecurityGroupIds: ['sg-0bbbbbbb'],
    });
    expect(model.EnableNetworkIsolation).toBe(true);
  });

  it('without a vpc for the target the request has no VpcConfig', async () => {
    await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }));
    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect('VpcConfig' in model).toBe(false);
    expect('EnableNetworkIsolation' in model).toBe(false);
  });
});

describe('promote with a kmsKeyId', () => {
  it("creates the target's endpoint config with the target's own key, named as `up` names the same content", async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.m5.large\n',
      `    instanceType: ml.m5.large\n    kmsKeyId: ${key}\n`,
    );
    const prod = testContext({ env: 'prod', yaml });
    await promote(testContext({ env: 'dev', yaml }), prod);
    const config = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
    expect(config.KmsKeyId).toBe(key);
    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input.ModelName!;
    expect(config.EndpointConfigName).toBe(sagemakerEndpointConfig.desired(prod, { modelName: model }).name);
  });

  it('without a key for the target the request has no KmsKeyId', async () => {
    await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }));
    expect('KmsKeyId' in mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input).toBe(false);
  });
});
