import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreateEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  SageMakerServiceException,
  waitUntilEndpointDeleted,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createAwsClient } from '../../src/aws/clients.js';
import { operationOf, resourceOf } from '../../src/aws/wrap-errors.js';
import { DeployerError } from '../../src/errors.js';

const noSleep = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} };
const smError = (name: string, message: string, status = 400) =>
  new SageMakerServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status, requestId: 'req-7' },
  });

describe('every client send rejects with a wrapped error', () => {
  let sagemaker: AwsClientStub<SageMakerClient>;
  let sts: AwsClientStub<STSClient>;
  beforeEach(() => {
    sagemaker = mockClient(SageMakerClient);
    sts = mockClient(STSClient);
  });
  afterEach(() => {
    sagemaker.restore();
    sts.restore();
  });

  test('a bare send (no .catch at the call site) names the operation and the resource, and keeps the SDK error as cause', async () => {
    const denied = smError('AccessDeniedException', 'User is not authorized to perform sagemaker:CreateEndpoint', 403);
    sagemaker.on(CreateEndpointCommand).rejects(denied);
    const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
    const err = await client
      .send(new CreateEndpointCommand({ EndpointName: 'ms-iris-dev', EndpointConfigName: 'ms-iris-dev-0123abcd' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect(err).toMatchObject({ code: 'MS_DEPLOY_AWS_ACCESS_DENIED', fault: 'user', cause: denied });
    expect((err as Error).message).toBe(
      'CreateEndpoint on ms-iris-dev was denied: AccessDeniedException: User is not authorized to perform sagemaker:CreateEndpoint [request id req-7]',
    );
  });

  test('a retryable error is wrapped only after the retry layer gave up, with the attempts made', async () => {
    sagemaker.on(DescribeEndpointCommand).rejects(smError('InternalFailure', 'boom', 500));
    const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
    await expect(client.send(new DescribeEndpointCommand({ EndpointName: 'ms-iris-dev' }))).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_SERVICE',
      message: expect.stringContaining('after 2 attempts'),
    });
    expect(sagemaker.commandCalls(DescribeEndpointCommand)).toHaveLength(2);
  });

  test('an SDK waiter still recognises the error by its SDK name (endpoint gone -> deleted)', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(smError('ValidationException', 'Could not find endpoint "ms-iris-dev".'));
    const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
    const result = await waitUntilEndpointDeleted(
      { client, maxWaitTime: 5, minDelay: 1, maxDelay: 1 },
      { EndpointName: 'ms-iris-dev' },
    );
    expect(result.state).toBe('SUCCESS');
  });

  test('GetCallerIdentity names the identity, not the service', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const client = createAwsClient('sts', { region: 'eu-west-1', retry: noSleep, env: {} });
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      code: 'MS_DEPLOY_AWS_CREDENTIALS',
      message: expect.stringContaining('GetCallerIdentity on the current AWS identity'),
    });
  });
});

describe('what a wrapped error names', () => {
  test('the operation is the command name without "Command"', () => {
    expect(operationOf(new DescribeEndpointCommand({ EndpointName: 'x' }))).toBe('DescribeEndpoint');
  });

  test('the resource is the first name field, else an id, else the service', () => {
    expect(resourceOf({ input: { AccountId: '123456789012', BudgetName: 'ms-iris-dev-monthly' } }, 'Budgets')).toBe(
      'ms-iris-dev-monthly',
    );
    expect(resourceOf({ input: { restApiId: 'abc123', resourceId: 'r1' } }, 'API Gateway')).toBe('abc123');
    expect(resourceOf({ input: { AlarmNames: ['a', 'b'] } }, 'CloudWatch')).toBe('a, b');
    expect(resourceOf({ input: { MaxResults: 60 } }, 'Cognito Identity Provider')).toBe('Cognito Identity Provider');
  });
});
