// The SNS topics of an async environment are checked with GetTopicAttributes before anything
// is written: missing, elsewhere (another account or region) or unreadable stop plan with a
// code naming the release.yaml field; a topic encrypted with a customer managed key gives the
// endpoint's role that key for publishing. Real SNS client, its real error classes.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { CreateEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AuthorizationErrorException,
  GetTopicAttributesCommand,
  NotFoundException,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { asyncDeployStatements } from '../../src/aws/deployer-policy.js';
import type { DeployerError } from '../../src/errors.js';
import { parseRelease } from '../../src/release/index.js';
import { asyncBucket } from '../../src/resources/async-bucket.js';
import { asyncTopicsCheck, topicKeyArn } from '../../src/resources/async-topics.js';
import { sagemakerRole } from '../../src/resources/iam.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
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
import { FakeCoreAws } from '../helpers/fake-core-aws.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { runChain } from '../helpers/run-chain.js';

const OK_TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:iris-results`;
const ERR_TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:iris-failures`;
const TOPIC_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function yamlWith(notifications: string): string {
  return RELEASE_YAML.replace(
    '    volumeSizeGb: 10\n',
    `    volumeSizeGb: 10\n    async: { outputS3Uri: s3://iris-async/dev, notifications: { ${notifications} } }\n`,
  );
}
const BOTH = yamlWith(`successTopic: ${OK_TOPIC}, errorTopic: ${ERR_TOPIC}`);
const CHAIN = [
  asyncBucket,
  asyncTopicsCheck,
  sagemakerModel,
  sagemakerEndpointConfig,
  sagemakerEndpoint,
] as ResourceModule<unknown, unknown>[];
const upstream = () => ({ imageUri: `${REPO_URI}@${DIGEST}`, sagemakerRoleArn: `arn:aws:iam::${ACCOUNT}:role/r` });
const snsMeta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-sns', attempts: 1, totalRetryDelay: 0 });

let mocks: Mocks;
let s3: AwsStub<any, any, any>;
let sns: AwsStub<any, any, any>;
beforeEach(() => {
  mocks = mockAll();
  new FakeSageMaker(mocks.sagemaker);
  s3 = mockClient(S3Client);
  s3.on(HeadBucketCommand).resolves({});
  sns = mockClient(SNSClient);
  sns.on(GetTopicAttributesCommand).callsFake(async (i: { TopicArn: string }) => ({
    Attributes: { TopicArn: i.TopicArn, Owner: ACCOUNT },
  }));
});
afterEach(() => {
  restoreAll(mocks);
  s3.restore();
  sns.restore();
});

async function failure(yaml: string): Promise<DeployerError> {
  const err = await runChain(testContext({ yaml }), CHAIN, upstream()).catch((e: unknown) => e);
  return err as DeployerError;
}

describe('async notification topics are checked before the endpoint config names them', () => {
  test('GetTopicAttributes on each topic, then the endpoint config with both', async () => {
    await runChain(testContext({ yaml: BOTH }), CHAIN, upstream());
    expect(sns.commandCalls(GetTopicAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: OK_TOPIC },
      { TopicArn: ERR_TOPIC },
    ]);
    const config = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
    expect(config.AsyncInferenceConfig?.OutputConfig?.NotificationConfig).toEqual({
      SuccessTopic: OK_TOPIC,
      ErrorTopic: ERR_TOPIC,
    });
  });

  test('a missing topic stops with MS_DEPLOY_ASYNC_TOPIC_MISSING naming its field; nothing created', async () => {
    sns
      .on(GetTopicAttributesCommand, { TopicArn: ERR_TOPIC })
      .rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: snsMeta(404) }));
    const err = await failure(BOTH);
    expect(err.code).toBe('MS_DEPLOY_ASYNC_TOPIC_MISSING');
    expect(err.message).toContain('environments.dev.async.notifications.errorTopic');
    expect(err.message).toContain(ERR_TOPIC);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test.each([
    ['another account', `arn:aws:sns:eu-west-1:210987654321:iris-results`, 'account 210987654321'],
    ['another region', `arn:aws:sns:us-east-1:${ACCOUNT}:iris-results`, 'region us-east-1'],
  ])('a topic in %s stops with MS_DEPLOY_ASYNC_TOPIC_ELSEWHERE, without asking SNS', async (_what, arn, where) => {
    const err = await failure(yamlWith(`successTopic: ${arn}`));
    expect(err.code).toBe('MS_DEPLOY_ASYNC_TOPIC_ELSEWHERE');
    expect(err.message).toContain(where);
    expect(err.message).toContain('environments.dev.async.notifications.successTopic');
    expect(sns.commandCalls(GetTopicAttributesCommand)).toEqual([]);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('a topic this caller may not read stops with MS_DEPLOY_ASYNC_TOPIC_DENIED', async () => {
    sns.on(GetTopicAttributesCommand).rejects(
      new AuthorizationErrorException({
        message: `User: arn:aws:iam::${ACCOUNT}:role/deployer is not authorized to perform: SNS:GetTopicAttributes on resource: ${OK_TOPIC}`,
        $metadata: snsMeta(403),
      }),
    );
    const err = await failure(yamlWith(`successTopic: ${OK_TOPIC}`));
    expect(err.code).toBe('MS_DEPLOY_ASYNC_TOPIC_DENIED');
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe("an encrypted topic's key is granted to the endpoint's role", () => {
  async function rolePolicy(kmsMasterKeyId?: string) {
    const core = new FakeCoreAws().install(mocks);
    sns.on(GetTopicAttributesCommand).resolves({
      Attributes: { TopicArn: OK_TOPIC, ...(kmsMasterKeyId ? { KmsMasterKeyId: kmsMasterKeyId } : {}) },
    });
    await runChain(testContext({ yaml: yamlWith(`successTopic: ${OK_TOPIC}`) }), [
      asyncTopicsCheck,
      sagemakerRole,
    ] as ResourceModule<unknown, unknown>[]);
    const role = core.roles.get('ms-iris-dev-sagemaker')!;
    return JSON.parse(role.policies.get('ms-iris-dev-sagemaker-least-privilege')!) as {
      Statement: { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
    };
  }

  test('a customer managed key: GenerateDataKey and Decrypt on that key only', async () => {
    const policy = await rolePolicy(TOPIC_KEY);
    expect(policy.Statement.filter((s) => s.Sid.startsWith('PublishToEncryptedTopic'))).toEqual([
      {
        Sid: 'PublishToEncryptedTopic1',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [TOPIC_KEY],
      },
    ]);
  });

  test("SNS's AWS managed key, or none: no key statement", async () => {
    for (const key of ['alias/aws/sns', undefined]) {
      restoreAll(mocks);
      mocks = mockAll();
      const policy = await rolePolicy(key);
      expect(policy.Statement.map((s) => s.Sid).filter((sid) => sid.includes('Encrypted'))).toEqual([]);
    }
  });

  test('key ids and alias names from SNS become ARNs IAM can name', () => {
    const d = { topics: [], partition: 'aws', region: 'eu-west-1', accountId: ACCOUNT };
    expect(topicKeyArn('1234abcd-12ab-34cd-56ef-1234567890ab', d, 'eu-west-1')).toBe(TOPIC_KEY);
    expect(topicKeyArn('alias/iris-topics', d, 'eu-west-1')).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/iris-topics`);
    expect(topicKeyArn(TOPIC_KEY, d, 'eu-west-1')).toBe(TOPIC_KEY);
    expect(topicKeyArn(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/sns`, d, 'eu-west-1')).toBeUndefined();
  });
});

describe('the deployer may read exactly these topics', () => {
  test('sns:GetTopicAttributes on the release topics; none without notifications', () => {
    expect(asyncDeployStatements(parseRelease(BOTH))).toEqual([
      { Sid: 'AsyncBucketCheck', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::iris-async'] },
      { Sid: 'AsyncTopicCheck', Action: ['sns:GetTopicAttributes'], Resource: [OK_TOPIC, ERR_TOPIC] },
    ]);
    expect(asyncDeployStatements(parseRelease(RELEASE_YAML))).toEqual([]);
  });
});
