import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { autoscaling } from '../../src/resources/autoscaling.js';
import {
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { runChain, planChain } from '../helpers/run-chain.js';
import { observeStatus } from '../../src/resource-status.js';

const RESOURCE = 'endpoint/ms-iris-prod/variant/AllTraffic';
let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
});
afterEach(() => restoreAll(mocks));

function registered(min = 2, max = 4, target = 100) {
  mocks.autoScaling
    .on(DescribeScalableTargetsCommand)
    .resolves({ ScalableTargets: [{ ResourceId: RESOURCE, MinCapacity: min, MaxCapacity: max } as never] });
  mocks.autoScaling.on(DescribeScalingPoliciesCommand).resolves({
    ScalingPolicies: [
      {
        PolicyName: 'ms-iris-prod-invocations-target',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: target,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      } as never,
    ],
  });
}

describe('autoscaling', () => {
  test('create (prod): scalable target with min/max, then target tracking on invocations per instance', async () => {
    const { plans } = await runChain(testContext({ env: 'prod' }), [autoscaling]);
    expect(plans[0]!.action).toBe('create');
    expect(mutatingCommands(mocks)).toEqual(['RegisterScalableTargetCommand', 'PutScalingPolicyCommand']);
    expect(mocks.autoScaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toMatchObject({
      ServiceNamespace: 'sagemaker',
      ResourceId: RESOURCE,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 4,
      Tags: expect.objectContaining({ 'model-service:env': 'prod' }),
    });
    expect(mocks.autoScaling.commandCalls(PutScalingPolicyCommand)[0]!.args[0].input).toMatchObject({
      PolicyName: 'ms-iris-prod-invocations-target',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      },
    });
  });

  test('no change: zero mutating calls', async () => {
    registered();
    const { plans, outputs } = await runChain(testContext({ env: 'prod' }), [autoscaling]);
    expect(plans[0]!.action).toBe('no-change');
    expect(outputs).toEqual({ scalableResourceId: RESOURCE, scalingPolicyName: 'ms-iris-prod-invocations-target' });
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('update: new bounds and target are registered again', async () => {
    registered(2, 3, 50);
    const { plans } = await runChain(testContext({ env: 'prod' }), [autoscaling]);
    expect(plans[0]!.diffs).toEqual([
      { field: 'maxCapacity', from: 3, to: 4 },
      { field: 'targetValue', from: 50, to: 100 },
    ]);
    expect(mutatingCommands(mocks)).toEqual(['RegisterScalableTargetCommand', 'PutScalingPolicyCommand']);
  });

  test('disabled and nothing registered: no-change, no call beyond the read', async () => {
    const { plans, outputs } = await runChain(testContext({ env: 'dev' }), [autoscaling]);
    expect(plans[0]!.action).toBe('no-change');
    expect(outputs).toEqual({});
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('disabled in release.yaml but registered in AWS: policy deleted, target deregistered', async () => {
    registered(1, 2);
    mocks.autoScaling
      .on(DeleteScalingPolicyCommand)
      .rejects(new ObjectNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'No scaling policy found' }));
    const { plans } = await runChain(testContext({ env: 'dev' }), [autoscaling]);
    expect(plans[0]!.action).toBe('delete');
    expect(mutatingCommands(mocks)).toEqual(['DeleteScalingPolicyCommand', 'DeregisterScalableTargetCommand']);
    expect(mocks.autoScaling.commandCalls(DeregisterScalableTargetCommand)[0]!.args[0].input.ResourceId).toBe(
      'endpoint/ms-iris-dev/variant/AllTraffic',
    );
  });

  test('enabling in dev via release.yaml is planned read-only', async () => {
    const yaml = RELEASE_YAML.replace(
      'volumeSizeGb: 10',
      'volumeSizeGb: 10\n    autoscaling: { enabled: true, minCapacity: 1, maxCapacity: 3 }',
    );
    const plans = await planChain(testContext({ yaml, dryRun: true }), [autoscaling]);
    expect(plans[0]).toMatchObject({
      action: 'create',
      diffs: expect.arrayContaining([{ field: 'maxCapacity', from: undefined, to: 3 }]),
    });
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe('autoscaling status', () => {
  test('a registered target shows its bounds as AWS holds them, with no mutating call', async () => {
    registered(3, 7);
    expect(await observeStatus(testContext({ env: 'prod' }), autoscaling)).toEqual({
      configured: true,
      enabled: true,
      minCapacity: 3,
      maxCapacity: 7,
      metricName: 'SageMakerVariantInvocationsPerInstance',
      targetValue: 100,
    });
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('no registered target reads as off, even when release.yaml enables autoscaling', async () => {
    expect(await observeStatus(testContext({ env: 'prod' }), autoscaling)).toEqual({
      configured: true,
      enabled: false,
    });
  });

  test('a target left registered after release.yaml turned autoscaling off still shows', async () => {
    registered(1, 2);
    expect(await observeStatus(testContext({ env: 'dev' }), autoscaling)).toMatchObject({
      configured: false,
      enabled: true,
    });
  });
});
