import { describe, expect, test } from '@jest/globals';
import { RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { ResourceConflictException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { ResourceLimitExceeded, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { awsFail, ifMissing, isNotFound, isRetryable, wrapAwsError } from '../../src/aws/aws-error.js';
import { withRetry } from '../../src/aws/retry.js';
import { DeployerError } from '../../src/errors.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-42', attempts: 3, totalRetryDelay: 0 });
const sm = (name: string, $fault: 'client' | 'server', status: number, message = 'msg') =>
  new SageMakerServiceException({ name, $fault, message, $metadata: meta(status) });
const site = { action: 'CreateEndpoint', resource: 'ms-iris-dev' };

describe('wrapAwsError', () => {
  test.each([
    [sm('ThrottlingException', 'client', 400, 'Rate exceeded'), 'MS_DEPLOY_AWS_THROTTLED'],
    [new TooManyRequestsException({ $metadata: meta(429), message: 'slow down' }), 'MS_DEPLOY_AWS_THROTTLED'],
    [sm('AccessDeniedException', 'client', 403), 'MS_DEPLOY_AWS_ACCESS_DENIED'],
    [sm('ExpiredTokenException', 'client', 400), 'MS_DEPLOY_AWS_CREDENTIALS'],
    [new NoSuchEntityException({ $metadata: meta(404), message: 'role not found' }), 'MS_DEPLOY_AWS_NOT_FOUND'],
    [new RepositoryNotFoundException({ $metadata: meta(400), message: 'no repo' }), 'MS_DEPLOY_AWS_NOT_FOUND'],
    [sm('ValidationException', 'client', 400, 'Could not find endpoint "ms-iris-dev".'), 'MS_DEPLOY_AWS_NOT_FOUND'],
    [new ResourceLimitExceeded({ $metadata: meta(400), message: 'quota' }), 'MS_DEPLOY_AWS_LIMIT'],
    [new ResourceConflictException({ $metadata: meta(409), message: 'update in progress' }), 'MS_DEPLOY_AWS_CONFLICT'],
    [sm('ValidationException', 'client', 400, 'instance type not supported'), 'MS_DEPLOY_AWS_VALIDATION'],
    [sm('InternalFailure', 'server', 500), 'MS_DEPLOY_AWS_SERVICE'],
    [sm('SomethingNew', 'client', 400), 'MS_DEPLOY_AWS_FAILED'],
  ])('%o -> %s, with what failed, the reason, the request id and the cause', (err, code) => {
    const wrapped = wrapAwsError(err, site);
    expect(wrapped).toBeInstanceOf(DeployerError);
    expect(wrapped.code).toBe(code);
    expect(wrapped.message).toContain('ms-iris-dev');
    expect(wrapped.message).toContain((err as Error).name);
    expect(wrapped.message).toContain('req-42');
    expect(wrapped.hint.length).toBeGreaterThan(10);
    expect(wrapped.cause).toBe(err);
  });

  test('a non-AWS error (network) is wrapped too, keeping the cause', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    expect(wrapAwsError(err, site)).toMatchObject({ code: 'MS_DEPLOY_AWS_FAILED', cause: err });
  });

  test('missing credentials from the provider chain -> MS_DEPLOY_AWS_CREDENTIALS', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(wrapAwsError(err, site).code).toBe('MS_DEPLOY_AWS_CREDENTIALS');
  });

  test('a DeployerError passes through unchanged', () => {
    const err = new DeployerError('MS_DEPLOY_INTERNAL', { reason: 'x' });
    expect(wrapAwsError(err, site)).toBe(err);
  });

  test('throttling after the outer retry reports how many attempts were made', async () => {
    const err = sm('ThrottlingException', 'client', 400);
    const failed = await withRetry(() => Promise.reject(err), {
      attempts: 3,
      baseDelayMs: 0,
      maxDelayMs: 0,
      sleep: async () => {},
    }).catch((e: unknown) => e);
    expect(wrapAwsError(failed, site).message).toContain('after 3 attempts');
  });

  test('awsFail rethrows wrapped; ifMissing turns a (wrapped) not-found into the fallback and rethrows the rest', async () => {
    await expect(
      Promise.reject(sm('InternalFailure', 'server', 500)).catch(awsFail('DescribeEndpoint', 'x')),
    ).rejects.toMatchObject({ code: 'MS_DEPLOY_AWS_SERVICE' });
    const missing = wrapAwsError(sm('ValidationException', 'client', 400, 'Could not find model'), site);
    await expect(Promise.reject(missing).catch(ifMissing(undefined))).resolves.toBeUndefined();
    const denied = wrapAwsError(sm('AccessDeniedException', 'client', 403), site);
    await expect(Promise.reject(denied).catch(ifMissing(undefined))).rejects.toBe(denied);
  });

  test('the wrapped error still answers to the SDK error name and metadata (waiters match on them)', () => {
    const err = sm('ValidationException', 'client', 400, 'Could not find endpoint "ms-iris-dev".');
    const wrapped = wrapAwsError(err, site);
    expect(wrapped.name).toBe('ValidationException');
    expect(wrapped).toMatchObject({ $fault: 'client', $metadata: { requestId: 'req-42' } });
    expect(isNotFound(wrapped)).toBe(true);
  });
});

test('retryable: throttling and 5xx only', () => {
  expect(isRetryable(sm('ThrottlingException', 'client', 400))).toBe(true);
  expect(isRetryable(sm('ServiceUnavailable', 'server', 503))).toBe(true);
  expect(isRetryable(sm('ValidationException', 'client', 400))).toBe(false);
  expect(isRetryable(new Error('plain'))).toBe(false);
  expect(isNotFound(sm('ValidationException', 'client', 400, 'bad instance type'))).toBe(false);
});
