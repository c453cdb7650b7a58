// promote / rollback call sequences against aws-sdk-client-mock: the exact
// digest and model data are copied, blue/green + alarms are set, an unverified
// source is refused before any write, rollback picks the right config.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  type EndpointStatus,
  ListEndpointConfigsCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createAwsClients } from '../../src/aws/clients.js';
import { VERIFIED_TAG } from '../../src/checks/verify-tag.js';
import { deploymentConfig } from '../../src/resources/deployment-config.js';
import {
  promote,
  promoteCommand,
  PREVIOUS_CONFIG_FOR_TAG,
  PREVIOUS_CONFIG_TAG,
  sourceEnv,
} from '../../src/commands/promote.js';
import { rollback } from '../../src/commands/rollback.js';
import { isDeployerError } from '../../src/errors.js';
import {
  ACCOUNT,
  DIGEST,
  mockAll,
  mutatingCommands,
  recordingSink,
  REPO_URI,
  RELEASE_YAML,
  restoreAll,
  sagemakerNotFound,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { runCommand } from './cli-io.js';
import { FakeLockS3 } from '../helpers/fake-lock-s3.js';
import type { AwsStub } from 'aws-sdk-client-mock';

const DEV_ARN = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-dev`;
const PROD_ARN = `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/ms-iris-prod`;
const DEV_CONFIG = 'ms-iris-dev-aaaa1111';
const PROD_OLD = 'ms-iris-prod-0000beef';
const IMAGE = `${REPO_URI}@${DIGEST}`;
const MODEL_DATA = 's3://ms-artifacts/iris/model.tar.gz';

let mocks: Mocks;

function endpoint(name: string, arn: string, config: string, status: EndpointStatus = 'InService') {
  return {
    EndpointName: name,
    EndpointArn: arn,
    EndpointConfigName: config,
    EndpointStatus: status,
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
  };
}

/** Every command sent to any client, in the order sent (sinon numbers calls across spies). */
function chronological(): string[] {
  return Object.values(mocks)
    .flatMap((m) =>
      m.calls().map((c) => ({
        id: (c as unknown as { callId: number }).callId,
        name: (c.args[0] as object).constructor.name,
      })),
    )
    .sort((a, b) => a.id - b.id)
    .map((c) => c.name);
}

/** dev runs a verified model (null: no verify tag at all); prod runs an older config. */
function healthySource(verified: string | null = `pass@2026-11-25T09:00:00.000Z/${DEV_CONFIG}`) {
  const sm = mocks.sagemaker;
  sm.on(DescribeEndpointCommand, { EndpointName: 'ms-iris-dev' }).resolves(
    endpoint('ms-iris-dev', DEV_ARN, DEV_CONFIG),
  );
  sm.on(ListTagsCommand, { ResourceArn: DEV_ARN }).resolves({
    Tags: verified ? [{ Key: VERIFIED_TAG, Value: verified }] : [],
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: DEV_CONFIG }).resolves({
    EndpointConfigName: DEV_CONFIG,
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: 'ms-iris-dev-m0del000', InstanceType: 'ml.t2.medium' },
    ],
  });
  sm.on(DescribeModelCommand, { ModelName: 'ms-iris-dev-m0del000' }).resolves({
    ModelName: 'ms-iris-dev-m0del000',
    PrimaryContainer: { Image: IMAGE, ModelDataUrl: MODEL_DATA },
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: PROD_OLD }).resolves({
    EndpointConfigName: PROD_OLD,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'x', InstanceType: 'ml.m5.large' }],
  });
  sm.on(CreateModelCommand).resolves({});
  sm.on(CreateEndpointConfigCommand).resolves({});
  sm.on(UpdateEndpointCommand).resolves({ EndpointArn: PROD_ARN });
  sm.on(AddTagsCommand).resolves({});
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.cloudWatch.on(PutMetricAlarmCommand).resolves({});
  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  mocks.autoScaling.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] });
  mocks.autoScaling.on(RegisterScalableTargetCommand).resolves({});
  mocks.autoScaling.on(PutScalingPolicyCommand).resolves({});
}

/** prod answers the old config first, the new one once updated. */
function prodEndpointMovesTo(getNewConfig: () => string) {
  let updated = false;
  mocks.sagemaker.on(UpdateEndpointCommand).callsFake(() => {
    updated = true;
    return { EndpointArn: PROD_ARN };
  });
  mocks.sagemaker
    .on(DescribeEndpointCommand, { EndpointName: 'ms-iris-prod' })
    .callsFake(() => endpoint('ms-iris-prod', PROD_ARN, updated ? getNewConfig() : PROD_OLD));
}

let lockStub: AwsStub<any, any, any>;
beforeEach(() => {
  mocks = mockAll();
  // up / promote / rollback take the environment's deploy lock (S3).
  lockStub = new FakeLockS3().install();
});
afterEach(() => {
  restoreAll(mocks);
  lockStub.restore();
});

describe('promote', () => {
  it('takes the source env from promotion.order', () => {
    expect(sourceEnv(['dev', 'qa', 'prod'], 'prod')).toBe('qa');
    expect(sourceEnv(['dev', 'qa', 'prod'], 'dev')).toBeUndefined();
  });

  it('deploys the exact digest and model data with the target sizing, blue/green canary and the env alarms', async () => {
    healthySource();
    let newConfig = '';
    prodEndpointMovesTo(() => newConfig);
    mocks.sagemaker.on(CreateEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
      newConfig = input.EndpointConfigName;
      return {};
    });
    const result = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }));

    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect(model.PrimaryContainer).toMatchObject({ Image: IMAGE, ModelDataUrl: MODEL_DATA });
    expect(model.ExecutionRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/ms-iris-prod-sagemaker`);
    expect(model.ModelName).toMatch(/^ms-iris-prod-[0-9a-f]{8}$/);
    const config = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
    expect(config.ProductionVariants![0]).toMatchObject({
      ModelName: model.ModelName,
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 2,
    });
    const update = mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input;
    expect(update.EndpointConfigName).toBe(config.EndpointConfigName);
    expect(update.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 300,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
        },
        TerminationWaitInSeconds: 300,
        MaximumExecutionTimeoutInSeconds: expect.any(Number),
      },
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: 'ms-iris-prod-error-rate' },
          { AlarmName: 'ms-iris-prod-p95-latency' },
          { AlarmName: 'ms-iris-prod-canary-error-rate' },
          { AlarmName: 'ms-iris-prod-canary-latency' },
        ],
      },
    });
    // Alarms exist before the update that rolls back on them; autoscaling comes after.
    const order = chronological();
    expect(order.indexOf('PutMetricAlarmCommand')).toBeGreaterThan(-1);
    expect(order.indexOf('PutMetricAlarmCommand')).toBeLessThan(order.indexOf('UpdateEndpointCommand'));
    expect(order.indexOf('RegisterScalableTargetCommand')).toBeGreaterThan(order.indexOf('UpdateEndpointCommand'));
    expect(mocks.autoScaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toMatchObject({
      MinCapacity: 2,
      MaxCapacity: 4,
    });
    const tags = mocks.sagemaker
      .commandCalls(AddTagsCommand)
      .map((c) => c.args[0].input.Tags)
      .flat();
    expect(tags).toContainEqual({ Key: PREVIOUS_CONFIG_TAG, Value: PROD_OLD });
    expect(tags).toContainEqual({ Key: PREVIOUS_CONFIG_FOR_TAG, Value: config.EndpointConfigName });
    expect(result).toMatchObject({ from: 'dev', to: 'prod', image: IMAGE, action: 'update', previousConfig: PROD_OLD });
  });

  it('re-run after an interruption adopts the model and config it already made (observed, not re-created) and finishes the update', async () => {
    healthySource();
    let newConfig = '';
    mocks.sagemaker
      .on(CreateEndpointConfigCommand)
      .callsFake((input: { EndpointConfigName: string }) => ((newConfig = input.EndpointConfigName), {}));
    // Interrupted after the creates: prod still serves the old config.
    mocks.sagemaker.on(UpdateEndpointCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'Error' }));
    mocks.sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'ms-iris-prod' })
      .resolves(endpoint('ms-iris-prod', PROD_ARN, PROD_OLD));
    await expect(promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }))).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_FAILED',
    });
    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input.ModelName!;
    mocks.sagemaker
      .on(DescribeModelCommand, { ModelName: model })
      .resolves({ ModelName: model, PrimaryContainer: { Image: IMAGE, ModelDataUrl: MODEL_DATA } });
    mocks.sagemaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: newConfig }).resolves({
      EndpointConfigName: newConfig,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large' }],
    });
    prodEndpointMovesTo(() => newConfig);
    mocks.sagemaker.resetHistory();

    const result = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }));
    expect(mocks.sagemaker.commandCalls(CreateModelCommand)).toHaveLength(0);
    expect(mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(mocks.sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(1);
    expect(result).toMatchObject({ action: 'update', model, endpointConfig: newConfig, previousConfig: PROD_OLD });
  });

  it('uses linear steps when release.yaml asks for them', async () => {
    healthySource();
    let newConfig = '';
    prodEndpointMovesTo(() => newConfig);
    mocks.sagemaker
      .on(CreateEndpointConfigCommand)
      .callsFake((input: { EndpointConfigName: string }) => ((newConfig = input.EndpointConfigName), {}));
    const yaml = `${RELEASE_YAML}promotion: { strategy: linear, canaryPercent: 25, waitMinutes: 4 }\n`;
    await promote(testContext({ env: 'dev', yaml }), testContext({ env: 'prod', yaml }));
    const routing =
      mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input.DeploymentConfig!.BlueGreenUpdatePolicy!
        .TrafficRoutingConfiguration;
    expect(routing).toEqual({
      Type: 'LINEAR',
      WaitIntervalInSeconds: 240,
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
    });
  });

  it("raises a linear step below SageMaker's 10% minimum to 10%, and says so", () => {
    const log = recordingSink();
    const yaml = `${RELEASE_YAML}promotion: { strategy: linear, canaryPercent: 5, waitMinutes: 4 }\n`;
    const config = deploymentConfig(testContext({ env: 'prod', yaml, log }));
    expect(config.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration).toEqual({
      Type: 'LINEAR',
      WaitIntervalInSeconds: 240,
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 10 },
    });
    expect(log.lines).toContainEqual(
      expect.stringMatching(/^warn: promotion\.canaryPercent 5 is below SageMaker's 10% minimum linear step/),
    );
    // A canary may be that small.
    const canary = deploymentConfig(testContext({ env: 'prod', yaml: yaml.replace('linear', 'canary') }));
    expect(canary.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration!.CanarySize).toEqual({
      Type: 'CAPACITY_PERCENT',
      Value: 5,
    });
  });

  it.each([
    ['never verified', null, /never been verified/],
    ['last verify failed', `fail@2026-11-25T09:00:00.000Z/${DEV_CONFIG}`, /failed/],
    ['verified without its golden set', `partial@2026-11-25T09:00:00.000Z/${DEV_CONFIG}`, /skipped the golden set/],
    ['verified another config', 'pass@2026-11-25T09:00:00.000Z/ms-iris-dev-0ld0c0nf', /now runs/],
  ])('refuses when the source was %s, before any write', async (_case, tag, reason) => {
    healthySource(tag);
    prodEndpointMovesTo(() => PROD_OLD);
    const err = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' })).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_PROMOTE_UNVERIFIED')).toBe(true);
    expect((err as Error).message).toMatch(reason);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  it('takes the digest SageMaker resolved when the source model names a tag, and refuses an unpinned one', async () => {
    healthySource();
    let newConfig = '';
    prodEndpointMovesTo(() => newConfig);
    mocks.sagemaker
      .on(CreateEndpointConfigCommand)
      .callsFake((input: { EndpointConfigName: string }) => ((newConfig = input.EndpointConfigName), {}));
    mocks.sagemaker
      .on(DescribeModelCommand, { ModelName: 'ms-iris-dev-m0del000' })
      .resolves({ ModelName: 'ms-iris-dev-m0del000', PrimaryContainer: { Image: `${REPO_URI}:1a2b3c4` } });
    mocks.sagemaker.on(DescribeEndpointCommand, { EndpointName: 'ms-iris-dev' }).resolves({
      ...endpoint('ms-iris-dev', DEV_ARN, DEV_CONFIG),
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          DeployedImages: [{ SpecifiedImage: `${REPO_URI}:1a2b3c4`, ResolvedImage: IMAGE, ResolutionTime: new Date() }],
        },
      ],
    });
    const result = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' }));
    expect(mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input.PrimaryContainer!.Image).toBe(IMAGE);
    expect(result.image).toBe(IMAGE);

    mocks.sagemaker.reset();
    healthySource();
    mocks.sagemaker
      .on(DescribeModelCommand, { ModelName: 'ms-iris-dev-m0del000' })
      .resolves({ ModelName: 'ms-iris-dev-m0del000', PrimaryContainer: { Image: `${REPO_URI}:latest` } });
    const err = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' })).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_PROMOTE_SOURCE')).toBe(true);
    expect((err as Error).message).toMatch(/not pinned to an image digest/);
    expect(mocks.sagemaker.commandCalls(CreateModelCommand)).toHaveLength(0);
  });

  it('reports a blue/green update that SageMaker rolled back', async () => {
    healthySource();
    prodEndpointMovesTo(() => PROD_OLD); // alarm fired: still on the old config
    const err = await promote(testContext({ env: 'dev' }), testContext({ env: 'prod' })).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_ENDPOINT_FAILED')).toBe(true);
    expect((err as Error).message).toContain('rolled back');
  });

  it('exits 1 from the CLI with the refusal as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ms-promote-'));
    try {
      await writeFile(join(dir, 'release.yaml'), RELEASE_YAML);
      healthySource(null);
      mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
      const deps = {
        createClients: (o: Parameters<typeof createAwsClients>[0]) =>
          createAwsClients({ ...o, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} } }),
      };
      const { code, stdout } = await runCommand(
        [promoteCommand],
        ['promote', 'prod', '--dir', dir, '--json'],
        {},
        deps,
      );
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: 'MS_DEPLOY_PROMOTE_UNVERIFIED' } });
      expect(mutatingCommands(mocks)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rollback', () => {
  const T = (minute: number) => new Date(Date.UTC(2026, 10, 25, 9, minute));
  /** Endpoint configs of prod with their creation times. */
  const CREATED: Record<string, Date> = {
    [PROD_OLD]: T(0),
    'ms-iris-prod-55556666': T(10),
    'ms-iris-prod-11112222': T(20),
    'ms-iris-prod-99990000': T(30),
    'ms-iris-prod2-33334444': T(15),
  };

  function prodRunning(current: string, tags: { Key: string; Value: string }[]) {
    let updatedTo: string | undefined;
    mocks.sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'ms-iris-prod' })
      .callsFake(() => endpoint('ms-iris-prod', PROD_ARN, updatedTo ?? current));
    mocks.sagemaker
      .on(UpdateEndpointCommand)
      .callsFake((input: { EndpointConfigName: string }) => ((updatedTo = input.EndpointConfigName), {}));
    mocks.sagemaker.on(ListTagsCommand, { ResourceArn: PROD_ARN }).resolves({ Tags: tags });
    mocks.sagemaker.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
      if (!CREATED[input.EndpointConfigName])
        throw sagemakerNotFound(`endpoint configuration "${input.EndpointConfigName}"`);
      return { EndpointConfigName: input.EndpointConfigName, CreationTime: CREATED[input.EndpointConfigName] };
    });
    mocks.sagemaker.on(AddTagsCommand).resolves({});
    // What ListEndpointConfigs returns for the prefix, newest first (SageMaker filters by name and time server-side; the mock does not).
    mocks.sagemaker.on(ListEndpointConfigsCommand).resolves({
      EndpointConfigs: Object.entries(CREATED)
        .sort((a, b) => b[1].getTime() - a[1].getTime())
        .map(([n, t], i) => ({ EndpointConfigName: n, EndpointConfigArn: `arn-${i}`, CreationTime: t })),
    });
  }

  it('goes back to the config named by the previous-config tag, all at once, without auto-rollback alarms', async () => {
    prodRunning('ms-iris-prod-11112222', [
      { Key: PREVIOUS_CONFIG_TAG, Value: PROD_OLD },
      { Key: PREVIOUS_CONFIG_FOR_TAG, Value: 'ms-iris-prod-11112222' },
    ]);
    const result = await rollback(testContext({ env: 'prod' }));
    const update = mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input;
    expect(update.EndpointConfigName).toBe(PROD_OLD);
    expect(update.DeploymentConfig!.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration!.Type).toBe('ALL_AT_ONCE');
    // The alarm that made someone roll back is still firing: it must not undo the rollback.
    expect(update.DeploymentConfig!.AutoRollbackConfiguration).toBeUndefined();
    expect(result).toEqual({
      env: 'prod',
      endpoint: 'ms-iris-prod',
      from: 'ms-iris-prod-11112222',
      to: PROD_OLD,
      chosenBy: 'tag',
    });
    // A second rollback would undo this one.
    expect(mocks.sagemaker.commandCalls(AddTagsCommand)[0]!.args[0].input.Tags).toEqual([
      { Key: PREVIOUS_CONFIG_TAG, Value: 'ms-iris-prod-11112222' },
      { Key: PREVIOUS_CONFIG_FOR_TAG, Value: PROD_OLD },
    ]);
    expect(mocks.sagemaker.commandCalls(ListEndpointConfigsCommand)).toHaveLength(0);
  });

  it('without the tag, picks the newest config this env owns created before the current one', async () => {
    prodRunning('ms-iris-prod-11112222', []);
    const result = await rollback(testContext({ env: 'prod' }));
    // Not 99990000 (newer: a failed promote left it), not prod2 (another env), not PROD_OLD (older than 55556666).
    expect(result).toMatchObject({ to: 'ms-iris-prod-55556666', chosenBy: 'newest-older-config' });
    expect(mocks.sagemaker.commandCalls(ListEndpointConfigsCommand)[0]!.args[0].input).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      CreationTimeBefore: CREATED['ms-iris-prod-11112222'],
    });
  });

  it('ignores a previous-config tag written for another config (an `up` changed it since)', async () => {
    prodRunning('ms-iris-prod-11112222', [
      { Key: PREVIOUS_CONFIG_TAG, Value: PROD_OLD },
      { Key: PREVIOUS_CONFIG_FOR_TAG, Value: 'ms-iris-prod-55556666' },
    ]);
    const result = await rollback(testContext({ env: 'prod' }));
    expect(result).toMatchObject({ to: 'ms-iris-prod-55556666', chosenBy: 'newest-older-config' });
  });

  it('--to wins over tag and history', async () => {
    prodRunning('ms-iris-prod-11112222', [
      { Key: PREVIOUS_CONFIG_TAG, Value: PROD_OLD },
      { Key: PREVIOUS_CONFIG_FOR_TAG, Value: 'ms-iris-prod-11112222' },
    ]);
    const result = await rollback(testContext({ env: 'prod' }), 'ms-iris-prod-99990000');
    expect(result).toMatchObject({ to: 'ms-iris-prod-99990000', chosenBy: 'option' });
  });

  it('refuses when there is nothing older to go back to, or the endpoint is missing', async () => {
    prodRunning(PROD_OLD, []);
    await expect(rollback(testContext({ env: 'prod' }))).rejects.toMatchObject({
      code: 'MS_DEPLOY_ROLLBACK_NO_PREVIOUS',
    });
    mocks.sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'ms-iris-prod' })
      .rejects(sagemakerNotFound('endpoint "ms-iris-prod"'));
    await expect(rollback(testContext({ env: 'prod' }))).rejects.toMatchObject({
      code: 'MS_DEPLOY_ROLLBACK_NO_PREVIOUS',
    });
    expect(mocks.sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });
});
