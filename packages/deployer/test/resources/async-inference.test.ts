import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { CreateEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { HeadBucketCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { asyncDeployStatements } from '../../src/aws/deployer-policy.js';
import { DeployerError } from '../../src/errors.js';
import { parseRelease } from '../../src/release/index.js';
import { asyncBucket } from '../../src/resources/async-bucket.js';
import { asyncPaths } from '../../src/resources/async-paths.js';
import { sagemakerPolicy } from '../../src/resources/iam-policies.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import {
  ACCOUNT,
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
const WITH_BUCKET: ResourceModule<unknown, unknown>[] = [asyncBucket as ResourceModule<unknown, unknown>, ...MODULES];
const ROLE = 'arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker';
const upstream = () => ({ imageUri: `${REPO_URI}@${DIGEST}`, sagemakerRoleArn: ROLE });
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OK_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:iris-results';
const ERR_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:iris-failures';

/** dev with `async: { <fields> }` (and any extra lines under dev). */
function asyncYaml(fields: string, extra = ''): string {
  return RELEASE_YAML.replace('    volumeSizeGb: 10\n', `    volumeSizeGb: 10\n    async: { ${fields} }\n${extra}`);
}
const ASYNC = asyncYaml('outputS3Uri: s3://iris-async/dev, maxConcurrentInvocationsPerInstance: 4');

let mocks: Mocks;
let s3: AwsStub<any, any, any>;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = mockAll();
  s3 = mockClient(S3Client);
  s3.on(HeadBucketCommand).resolves({});
  sm = new FakeSageMaker(mocks.sagemaker);
});
afterEach(() => {
  restoreAll(mocks);
  s3.restore();
});

const configInput = () => mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
const s3Meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-s3', attempts: 1, totalRetryDelay: 0 });

describe('environments.<env>.async makes an asynchronous endpoint config', () => {
  test('AsyncInferenceConfig: results and failures under the prefix, the per-instance concurrency', async () => {
    const { plans } = await runChain(testContext({ yaml: ASYNC }), MODULES, upstream());
    expect(configInput().AsyncInferenceConfig).toEqual({
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
      OutputConfig: { S3OutputPath: 's3://iris-async/dev/results', S3FailurePath: 's3://iris-async/dev/failures' },
    });
    expect(plans[1]!.diffs).toEqual(
      expect.arrayContaining([
        { field: 'asyncOutputPath', from: undefined, to: 's3://iris-async/dev/results' },
        { field: 'asyncMaxConcurrentInvocationsPerInstance', from: undefined, to: 4 },
      ]),
    );
  });

  test('kmsKeyId encrypts the results; SNS topics are notified', async () => {
    const yaml = asyncYaml(
      `outputS3Uri: s3://iris-async, notifications: { successTopic: ${OK_TOPIC}, errorTopic: ${ERR_TOPIC} }`,
      `    kmsKeyId: ${KEY}\n`,
    );
    await runChain(testContext({ yaml }), MODULES, upstream());
    expect(configInput().AsyncInferenceConfig).toEqual({
      OutputConfig: {
        S3OutputPath: 's3://iris-async/results',
        S3FailurePath: 's3://iris-async/failures',
        KmsKeyId: KEY,
        NotificationConfig: { SuccessTopic: OK_TOPIC, ErrorTopic: ERR_TOPIC },
      },
    });
  });

  test('a real-time environment gets no AsyncInferenceConfig and no async plan line', async () => {
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(configInput()).not.toHaveProperty('AsyncInferenceConfig');
    expect(plans[1]!.diffs.map((d) => d.field).filter((f) => f.startsWith('async'))).toEqual([]);
  });

  test('the async config is read back, so a second up changes nothing', async () => {
    const yaml = asyncYaml(`outputS3Uri: s3://iris-async/dev, notifications: { errorTopic: ${ERR_TOPIC} }`);
    const first = await runChain(testContext({ yaml }), WITH_BUCKET, upstream());
    const ctx = testContext({ yaml });
    const desired = sagemakerEndpointConfig.desired(ctx, { modelName: first.outputs.modelName });
    expect((await sagemakerEndpointConfig.observe(ctx, desired))?.async).toEqual(desired.async);
    mocks.sagemaker.resetHistory();
    const again = await runChain(testContext({ yaml }), WITH_BUCKET, upstream());
    expect(again.plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('turning async on is a new config and an endpoint update; plan writes nothing', async () => {
    const first = await runChain(testContext(), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const planned = await planChain(testContext({ yaml: ASYNC, dryRun: true }), MODULES, upstream());
    expect(planned.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(mutatingCommands(mocks)).toEqual([]);
    const second = await runChain(testContext({ yaml: ASYNC }), MODULES, upstream());
    expect(second.outputs.endpointConfigName).not.toBe(first.outputs.endpointConfigName);
    expect(sm.configAsync.get(second.outputs.endpointConfigName!)!.ClientConfig).toEqual({
      MaxConcurrentInvocationsPerInstance: 4,
    });
  });

  test('interrupted after the endpoint config: the rerun creates only the endpoint, async kept', async () => {
    await runChain(testContext({ yaml: ASYNC }), MODULES.slice(0, 2), upstream());
    mocks.sagemaker.resetHistory();
    const { plans, outputs } = await runChain(testContext({ yaml: ASYNC }), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'create']);
    expect(mutatingCommands(mocks)).toEqual(['CreateEndpointCommand']);
    expect(sm.configAsync.get(outputs.endpointConfigName!)!.OutputConfig!.S3OutputPath).toBe(
      's3://iris-async/dev/results',
    );
  });
});

describe('the async bucket is checked before anything is written', () => {
  test('HeadBucket on the bucket, owned by the deploying account', async () => {
    await runChain(testContext({ yaml: ASYNC }), WITH_BUCKET, upstream());
    expect(s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'iris-async', ExpectedBucketOwner: ACCOUNT },
    ]);
  });

  test('a missing bucket stops with MS_DEPLOY_ASYNC_BUCKET_MISSING, nothing created', async () => {
    s3.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: s3Meta(404) }));
    const err = await runChain(testContext({ yaml: ASYNC }), WITH_BUCKET, upstream()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect((err as DeployerError).code).toBe('MS_DEPLOY_ASYNC_BUCKET_MISSING');
    expect((err as DeployerError).message).toContain('environments.dev.async.outputS3Uri');
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test("another account's bucket (S3 answers 403 to ExpectedBucketOwner) stops with MS_DEPLOY_ASYNC_BUCKET_FOREIGN", async () => {
    // HeadBucket has no body: the SDK names the error after the status code.
    s3.on(HeadBucketCommand).rejects(
      new S3ServiceException({ name: '403', $fault: 'client', message: 'UnknownError', $metadata: s3Meta(403) }),
    );
    const err = await runChain(testContext({ yaml: ASYNC }), WITH_BUCKET, upstream()).catch((e: unknown) => e);
    expect((err as DeployerError).code).toBe('MS_DEPLOY_ASYNC_BUCKET_FOREIGN');
    expect((err as DeployerError).message).toContain(ACCOUNT);
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe('grants for an async environment', () => {
  test("the endpoint's role reads inputs/, writes results/ and failures/, publishes to the two topics, uses the key", () => {
    const yaml = asyncYaml(
      `outputS3Uri: s3://iris-async/dev/, notifications: { successTopic: ${OK_TOPIC}, errorTopic: ${ERR_TOPIC} }`,
      `    kmsKeyId: ${KEY}\n`,
    );
    const statements = sagemakerPolicy(testContext({ yaml })).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'ReadAsyncInputs',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::iris-async/dev/inputs/*'],
        },
        {
          Sid: 'WriteAsyncResults',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: ['arn:aws:s3:::iris-async/dev/results/*', 'arn:aws:s3:::iris-async/dev/failures/*'],
        },
        { Sid: 'NotifyAsyncResults', Effect: 'Allow', Action: ['sns:Publish'], Resource: [OK_TOPIC, ERR_TOPIC] },
        {
          Sid: 'EncryptAsyncResults',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: [KEY],
        },
      ]),
    );
    const plain = sagemakerPolicy(testContext()).Statement.map((s) => s.Sid);
    expect(plain.filter((sid) => /Async/.test(sid))).toEqual([]);
  });

  test('the deployer may check the async buckets only (s3:ListBucket, as S3 authorizes HeadBucket)', () => {
    expect(asyncDeployStatements(parseRelease(ASYNC))).toEqual([
      { Sid: 'AsyncBucketCheck', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::iris-async'] },
    ]);
    expect(asyncDeployStatements(parseRelease(RELEASE_YAML))).toEqual([]);
  });

  test('paths: a bucket without a prefix puts the three prefixes at its root', () => {
    expect(asyncPaths({ outputS3Uri: 's3://iris-async' })).toEqual({
      bucket: 'iris-async',
      inputPrefix: 'inputs/',
      resultPrefix: 'results/',
      failurePrefix: 'failures/',
    });
  });
});

describe('release.yaml async validation (before any AWS call)', () => {
  test.each([
    ['outputS3Uri: https://iris-async', 'environments.dev.async.outputS3Uri'],
    ['maxConcurrentInvocationsPerInstance: 4', 'environments.dev.async.outputS3Uri'],
    ['outputS3Uri: s3://iris-async, maxConcurrentInvocationsPerInstance: 0', 'maxConcurrentInvocationsPerInstance'],
    ['outputS3Uri: s3://iris-async, maxConcurrentInvocationsPerInstance: 1001', 'maxConcurrentInvocationsPerInstance'],
    ['outputS3Uri: s3://iris-async, notifications: { successTopic: iris-results }', 'notifications.successTopic'],
  ])('%s names %s', (fields, yamlPath) => {
    expect(() => parseRelease(asyncYaml(fields))).toThrow(yamlPath);
  });

  test('async and serverless in one environment is refused', () => {
    // Without instance fields, so the only thing wrong is the two kinds together.
    const yaml = asyncYaml(
      'outputS3Uri: s3://iris-async',
      '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
    ).replace('    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n', '');
    expect(() => parseRelease(yaml)).toThrow(/environments\.dev\.async cannot be combined with serverless/);
  });
});
