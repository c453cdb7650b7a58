import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateEndpointConfigCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { planJson, renderPlan } from '../../src/commands/render-plan.js';
import { parseRelease } from '../../src/release/index.js';
import { autoscaling } from '../../src/resources/autoscaling.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import {
  DIGEST,
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  REPO_URI,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { planChain, runChain } from '../helpers/run-chain.js';

const MODULES: ResourceModule<unknown, unknown>[] = [sagemakerModel, sagemakerEndpointConfig, sagemakerEndpoint];
const ROLE = 'arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker';
const upstream = () => ({ imageUri: `${REPO_URI}@${DIGEST}`, sagemakerRoleArn: ROLE });
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DEV_INSTANCES = '  dev:\n    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n';

/** release.yaml with dev's block replaced by `dev` (YAML lines under `  dev:`). */
const withDev = (dev: string, extra = '') => `${RELEASE_YAML.replace(DEV_INSTANCES, `  dev:\n${dev}`)}${extra}`;
const SERVERLESS = withDev('    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n');

let mocks: Mocks;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = mockAll();
  sm = new FakeSageMaker(mocks.sagemaker);
  mocks.autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
});
afterEach(() => restoreAll(mocks));

const configInputs = () => mocks.sagemaker.commandCalls(CreateEndpointConfigCommand).map((c) => c.args[0].input);

describe('release.yaml environments.<env>.serverless (validated before any AWS call)', () => {
  test('a serverless environment needs no instanceType and keeps its settings', () => {
    const release = parseRelease(
      withDev('    serverless: { memoryMb: 3072, maxConcurrency: 20, provisionedConcurrency: 2 }\n'),
    );
    expect(release.environments.dev!.serverless).toEqual({
      memoryMb: 3072,
      maxConcurrency: 20,
      provisionedConcurrency: 2,
    });
    expect(release.environments.dev!.instanceType).toBeUndefined();
    expect(release.environments.dev!.autoscaling.enabled).toBe(false);
  });

  test.each([
    ['memoryMb: 1500, maxConcurrency: 5', 'environments.dev.serverless.memoryMb', 'must be one of: 1024, 2048'],
    ['memoryMb: 8192, maxConcurrency: 5', 'environments.dev.serverless.memoryMb', 'must be one of'],
    ['memoryMb: 1024, maxConcurrency: 0', 'environments.dev.serverless.maxConcurrency', 'must be >= 1'],
    ['memoryMb: 1024, maxConcurrency: 201', 'environments.dev.serverless.maxConcurrency', 'must be <= 200'],
    ['memoryMb: 1024', 'environments.dev.serverless.maxConcurrency', 'is required'],
  ])('serverless { %s } -> MS_DEPLOY_RELEASE_INVALID at %s', (fields, yamlPath, reason) => {
    const err = (() => {
      try {
        parseRelease(withDev(`    serverless: { ${fields} }\n`));
      } catch (e) {
        return e as Error & { code?: string };
      }
      throw new Error('no error');
    })();
    expect(err.code).toBe('MS_DEPLOY_RELEASE_INVALID');
    expect(err.message).toContain(yamlPath);
    expect(err.message).toContain(reason);
  });

  test('provisionedConcurrency above maxConcurrency -> MS_DEPLOY_RELEASE_SERVERLESS_CONCURRENCY', () => {
    expect(() =>
      parseRelease(withDev('    serverless: { memoryMb: 1024, maxConcurrency: 4, provisionedConcurrency: 5 }\n')),
    ).toThrow(
      expect.objectContaining({
        code: 'MS_DEPLOY_RELEASE_SERVERLESS_CONCURRENCY',
        message: expect.stringContaining(
          'environments.dev.serverless.provisionedConcurrency: provisionedConcurrency (5)',
        ),
      }),
    );
  });

  test.each([
    ['instanceType: ml.t2.medium', 'environments.dev.instanceType'],
    ['instanceCount: 2', 'environments.dev.instanceCount'],
    ['volumeSizeGb: 10', 'environments.dev.volumeSizeGb'],
    ['autoscaling: { enabled: true }', 'environments.dev.autoscaling'],
    [`kmsKeyId: ${KEY}`, 'environments.dev.kmsKeyId'],
  ])('serverless with %s names %s as the conflict', (line, yamlPath) => {
    expect(() => parseRelease(withDev(`    serverless: { memoryMb: 1024, maxConcurrency: 5 }\n    ${line}\n`))).toThrow(
      `: ${yamlPath} cannot be set on a serverless environment`,
    );
  });

  test('neither instanceType nor serverless -> instanceType is required', () => {
    expect(() => parseRelease(withDev('    instanceCount: 1\n'))).toThrow(
      ': environments.dev.instanceType is required',
    );
  });

  test('a vpc (own or inherited) on a serverless environment -> MS_DEPLOY_RELEASE_SERVERLESS_VPC', () => {
    const vpc = 'vpc: { subnetIds: [subnet-0a1b2c3d], securityGroupIds: [sg-0a1b2c3d] }\n';
    expect(() => parseRelease(`${SERVERLESS}${vpc}`)).toThrow(
      expect.objectContaining({
        code: 'MS_DEPLOY_RELEASE_SERVERLESS_VPC',
        message: expect.stringContaining('from the top-level vpc'),
      }),
    );
    expect(() => parseRelease(withDev(`    serverless: { memoryMb: 1024, maxConcurrency: 5 }\n    ${vpc}`))).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^release\.yaml:\d+:\d+: environments\.dev\.vpc:/) }),
    );
  });
});

describe('a serverless environment gets a ServerlessConfig variant', () => {
  test('CreateEndpointConfig: ServerlessConfig, no instance fields; the plan shows memory and concurrency', async () => {
    const yaml = withDev('    serverless: { memoryMb: 2048, maxConcurrency: 5, provisionedConcurrency: 1 }\n');
    const { plans } = await runChain(testContext({ yaml }), MODULES, upstream());
    expect(configInputs()[0]!.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: expect.stringMatching(/^ms-iris-dev-/),
        InitialVariantWeight: 1,
        ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5, ProvisionedConcurrency: 1 },
      },
    ]);
    expect(plans[1]!.diffs.map((d) => [d.field, d.to])).toEqual([
      ['modelName', expect.any(String)],
      ['serverlessMemoryMb', 2048],
      ['serverlessMaxConcurrency', 5],
      ['serverlessProvisionedConcurrency', 1],
    ]);
  });

  test('no KmsKeyId and no DataCaptureConfig, which SageMaker refuses for serverless (top-level kmsKeyId and capture set)', async () => {
    const yaml = `${SERVERLESS}kmsKeyId: ${KEY}\ncapture: { samplingPercent: 20, destination: s3://iris-capture }\n`;
    await runChain(testContext({ yaml }), MODULES, upstream());
    expect(configInputs()[0]).not.toHaveProperty('KmsKeyId');
    expect(configInputs()[0]).not.toHaveProperty('DataCaptureConfig');
    // prod (instances) still gets both.
    await runChain(testContext({ yaml, env: 'prod' }), MODULES, upstream());
    expect(configInputs()[1]).toMatchObject({ KmsKeyId: KEY, DataCaptureConfig: expect.anything() });
  });

  test('a second up makes no mutating call', async () => {
    await runChain(testContext({ yaml: SERVERLESS }), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const again = await runChain(testContext({ yaml: SERVERLESS }), MODULES, upstream());
    expect(again.plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('a memory change is a new config and an UpdateEndpoint without a blue/green DeploymentConfig', async () => {
    const first = await runChain(testContext({ yaml: SERVERLESS }), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const yaml = SERVERLESS.replace('memoryMb: 2048', 'memoryMb: 4096');
    const second = await runChain(testContext({ yaml }), MODULES, upstream());
    expect(second.plans.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(mutatingCommands(mocks)).toEqual(['CreateEndpointConfigCommand', 'UpdateEndpointCommand']);
    const update = mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input;
    expect(update).toEqual({ EndpointName: 'ms-iris-dev', EndpointConfigName: second.outputs.endpointConfigName });
    expect(second.outputs.endpointConfigName).not.toBe(first.outputs.endpointConfigName);
    expect(sm.endpoints.get('ms-iris-dev')!.config).toBe(second.outputs.endpointConfigName);
  });

  test.each([
    ['instances -> serverless', withDev(DEV_INSTANCES.replace('  dev:\n', '')), SERVERLESS],
    ['serverless -> instances', SERVERLESS, withDev(DEV_INSTANCES.replace('  dev:\n', ''))],
  ])('%s: SageMaker cannot update in place, so the endpoint is deleted and created again', async (_, from, to) => {
    await runChain(testContext({ yaml: from }), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const planned = await planChain(testContext({ yaml: to, dryRun: true }), MODULES, upstream());
    expect(planned.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(mutatingCommands(mocks)).toEqual([]);
    const { outputs } = await runChain(testContext({ yaml: to }), MODULES, upstream());
    expect(mutatingCommands(mocks)).toEqual([
      'CreateEndpointConfigCommand',
      'DeleteEndpointCommand',
      'CreateEndpointCommand',
    ]);
    expect(sm.endpoints.get('ms-iris-dev')).toMatchObject({ config: outputs.endpointConfigName, status: 'InService' });
  });

  test('interrupted after the switch deleted the endpoint: the rerun creates it with the serverless config', async () => {
    await runChain(testContext(), MODULES, upstream());
    sm.endpoints.delete('ms-iris-dev');
    mocks.sagemaker.resetHistory();
    const { plans, outputs } = await runChain(testContext({ yaml: SERVERLESS }), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'create', 'create']);
    expect(mutatingCommands(mocks)).toEqual(['CreateEndpointConfigCommand', 'CreateEndpointCommand']);
    expect(sm.configs.get(outputs.endpointConfigName!)![0]!.ServerlessConfig).toEqual({
      MemorySizeInMB: 2048,
      MaxConcurrency: 5,
    });
  });
});

describe('autoscaling says it does not apply to a serverless endpoint', () => {
  test('plan: no change with the skip reason, in text and JSON', async () => {
    const [plan] = await planChain(testContext({ yaml: SERVERLESS, dryRun: true }), [autoscaling], upstream());
    expect(plan).toMatchObject({ action: 'no-change', note: 'skip: serverless endpoint (no instances)' });
    expect(renderPlan([plan!])).toContain(
      'autoscaling  endpoint/ms-iris-dev/variant/AllTraffic  (skip: serverless endpoint (no instances))',
    );
    expect(planJson([plan!])[0]).toMatchObject({ note: 'skip: serverless endpoint (no instances)' });
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('plan: an instance environment with autoscaling off has no note', async () => {
    const [plan] = await planChain(testContext({ dryRun: true }), [autoscaling], upstream());
    expect(plan!.action).toBe('no-change');
    expect(plan).not.toHaveProperty('note');
  });

  test('status: the skip reason instead of "off"; a target left from instances still shows and is deleted', async () => {
    const ctx = testContext({ yaml: SERVERLESS });
    const desired = autoscaling.desired(ctx, upstream());
    expect(autoscaling.status(desired, undefined)).toEqual({
      configured: false,
      enabled: false,
      skipped: 'skip: serverless endpoint (no instances)',
    });
    const left = { minCapacity: 1, maxCapacity: 2, hasPolicy: false };
    expect(autoscaling.status(desired, left)).toMatchObject({ enabled: true, minCapacity: 1 });
    expect(autoscaling.plan(desired, left).action).toBe('delete');
  });
});
