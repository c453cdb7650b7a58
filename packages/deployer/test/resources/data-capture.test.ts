import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { CreateEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { parseRelease } from '../../src/release/index.js';
import { sagemakerPolicy } from '../../src/resources/iam-policies.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import {
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  REPO_URI,
  DIGEST,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { runChain, planChain } from '../helpers/run-chain.js';

const MODULES: ResourceModule<unknown, unknown>[] = [sagemakerModel, sagemakerEndpointConfig, sagemakerEndpoint];
const ROLE = 'arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker';
const upstream = () => ({ imageUri: `${REPO_URI}@${DIGEST}`, sagemakerRoleArn: ROLE });
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CAPTURE = 'capture: { samplingPercent: 20, destination: s3://iris-capture/requests }\n';
const WITH_CAPTURE = `${RELEASE_YAML}${CAPTURE}`;

let mocks: Mocks;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = mockAll();
  sm = new FakeSageMaker(mocks.sagemaker);
});
afterEach(() => restoreAll(mocks));

const configInput = () => mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;

describe('release.yaml capture turns on DataCaptureConfig', () => {
  test('input and output, JSON recorded as JSON, at the sampling percent, to the destination', async () => {
    const { plans } = await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES, upstream());
    expect(configInput().DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 20,
      DestinationS3Uri: 's3://iris-capture/requests',
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'], CsvContentTypes: ['text/csv'] },
    });
    expect(plans[1]!.diffs).toEqual(
      expect.arrayContaining([
        { field: 'captureSamplingPercent', from: undefined, to: 20 },
        { field: 'captureDestination', from: undefined, to: 's3://iris-capture/requests' },
      ]),
    );
  });

  test('kmsKeyId encrypts the captured objects', async () => {
    const yaml = `${RELEASE_YAML}capture: { samplingPercent: 5, destination: s3://iris-capture, kmsKeyId: ${KEY} }\n`;
    const { plans } = await runChain(testContext({ yaml }), MODULES, upstream());
    expect(configInput().DataCaptureConfig!.KmsKeyId).toBe(KEY);
    expect(plans[1]!.diffs).toContainEqual({ field: 'captureKmsKeyId', from: undefined, to: KEY });
  });

  test('without capture: no DataCaptureConfig and no capture line in the plan', async () => {
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(configInput()).not.toHaveProperty('DataCaptureConfig');
    expect(plans[1]!.diffs.map((d) => d.field).filter((f) => f.startsWith('capture'))).toEqual([]);
  });

  test('capture is read back, so a second up changes nothing', async () => {
    const first = await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES, upstream());
    const ctx = testContext({ yaml: WITH_CAPTURE });
    const desired = sagemakerEndpointConfig.desired(ctx, { modelName: first.outputs.modelName });
    expect(await sagemakerEndpointConfig.observe(ctx, desired)).toMatchObject({
      name: first.outputs.endpointConfigName,
      capture: { samplingPercent: 20, destination: 's3://iris-capture/requests' },
    });
    mocks.sagemaker.resetHistory();
    const again = await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES, upstream());
    expect(again.plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('turning capture on (or changing the percent) is a new config and an endpoint update; plan writes nothing', async () => {
    const first = await runChain(testContext(), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const planned = await planChain(testContext({ yaml: WITH_CAPTURE, dryRun: true }), MODULES, upstream());
    expect(planned.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(mutatingCommands(mocks)).toEqual([]);
    const second = await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES, upstream());
    expect(second.outputs.endpointConfigName).not.toBe(first.outputs.endpointConfigName);
    expect(sm.configCapture.get(second.outputs.endpointConfigName!)!.InitialSamplingPercentage).toBe(20);
    const third = await runChain(
      testContext({ yaml: WITH_CAPTURE.replace('samplingPercent: 20', 'samplingPercent: 50') }),
      MODULES,
      upstream(),
    );
    expect(third.outputs.endpointConfigName).not.toBe(second.outputs.endpointConfigName);
  });

  test('interrupted after the endpoint config: the rerun creates only the endpoint, capture kept', async () => {
    await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES.slice(0, 2), upstream());
    mocks.sagemaker.resetHistory();
    const { plans, outputs } = await runChain(testContext({ yaml: WITH_CAPTURE }), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'create']);
    expect(mutatingCommands(mocks)).toEqual(['CreateEndpointCommand']);
    expect(sm.configCapture.get(outputs.endpointConfigName!)!.EnableCapture).toBe(true);
  });

  test("the endpoint's role may write captured objects under the destination prefix only (and use the capture key)", () => {
    const yaml = `${RELEASE_YAML}capture: { samplingPercent: 5, destination: s3://iris-capture/requests, kmsKeyId: ${KEY} }\n`;
    const statements = sagemakerPolicy(testContext({ yaml })).Statement;
    expect(statements).toContainEqual({
      Sid: 'WriteDataCapture',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: ['arn:aws:s3:::iris-capture/requests/*'],
    });
    expect(statements.find((s) => s.Sid === 'EncryptDataCapture')).toMatchObject({
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: [KEY],
    });
    expect(sagemakerPolicy(testContext()).Statement.map((s) => s.Sid)).not.toContain('WriteDataCapture');
  });
});

describe('release.yaml capture validation (before any AWS call)', () => {
  test.each([
    ['samplingPercent: 0, destination: s3://iris-capture', 'capture.samplingPercent'],
    ['samplingPercent: 10, destination: https://iris-capture', 'capture.destination'],
    ['samplingPercent: 10', 'capture.destination'],
  ])('%s names %s', (fields, yamlPath) => {
    expect(() => parseRelease(`${RELEASE_YAML}capture: { ${fields} }\n`)).toThrow(yamlPath);
  });
});
