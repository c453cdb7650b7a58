// promote from a serverless dev to a real-time prod: the exact image digest dev
// was verified with moves to prod, which stays on instances (its own type,
// count and blue/green update), against the stateful SageMaker double.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { AddTagsCommand, ListTagsCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { VERIFIED_TAG } from '../../src/checks/verify-tag.js';
import { promote } from '../../src/commands/promote.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import {
  DIGEST,
  mockAll,
  RELEASE_YAML,
  REPO_URI,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { runChain } from '../helpers/run-chain.js';

const MODULES: ResourceModule<unknown, unknown>[] = [sagemakerModel, sagemakerEndpointConfig, sagemakerEndpoint];
const role = (env: string) => `arn:aws:iam::123456789012:role/ms-iris-${env}-sagemaker`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;
const DEV_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev';
const YAML = RELEASE_YAML.replace(
  '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n',
  '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
);

let mocks: Mocks;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = mockAll();
  sm = new FakeSageMaker(mocks.sagemaker);
  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  mocks.sagemaker.on(AddTagsCommand).resolves({});
});
afterEach(() => restoreAll(mocks));

describe('promote serverless dev -> real-time prod', () => {
  test('prod runs the digest dev was verified with, on its own instances, with a blue/green update', async () => {
    const dev = await runChain(testContext({ yaml: YAML }), MODULES, {
      imageUri: `${REPO_URI}@${DIGEST}`,
      sagemakerRoleArn: role('dev'),
    });
    // prod still runs an older build.
    const prodBefore = await runChain(testContext({ yaml: YAML, env: 'prod' }), MODULES, {
      imageUri: `${REPO_URI}@${OLD_DIGEST}`,
      sagemakerRoleArn: role('prod'),
    });
    mocks.sagemaker.on(ListTagsCommand, { ResourceArn: DEV_ARN }).resolves({
      Tags: [{ Key: VERIFIED_TAG, Value: `pass@2026-11-25T09:00:00.000Z/${dev.outputs.endpointConfigName}` }],
    });
    const devVariant = sm.configs.get(dev.outputs.endpointConfigName!)![0]!;
    expect(devVariant.ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });

    await promote(testContext({ yaml: YAML }), testContext({ yaml: YAML, env: 'prod' }));

    const prodConfig = sm.endpoints.get('ms-iris-prod')!.config;
    expect(prodConfig).not.toBe(prodBefore.outputs.endpointConfigName);
    const [variant] = sm.configs.get(prodConfig)!;
    expect(variant).toMatchObject({ InstanceType: 'ml.m5.large', InitialInstanceCount: 2 });
    expect(variant).not.toHaveProperty('ServerlessConfig');
    // The same image, byte for byte, as the model dev serves; prod's own role.
    const devModel = sm.models.get(devVariant.ModelName!)!;
    const prodModel = sm.models.get(variant!.ModelName!)!;
    expect(devModel.image).toBe(`${REPO_URI}@${DIGEST}`);
    expect(prodModel.image).toBe(devModel.image);
    expect(prodModel.role).toBe(role('prod'));
    const update = mocks.sagemaker.commandCalls(UpdateEndpointCommand).at(-1)!.args[0].input;
    expect(update).toMatchObject({ EndpointName: 'ms-iris-prod', EndpointConfigName: prodConfig });
    expect(update.DeploymentConfig?.BlueGreenUpdatePolicy).toBeDefined();
  });
});
