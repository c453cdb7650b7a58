// AWS SDK errors never reach the user raw: classify on `name` / `$fault` /
// `$metadata.httpStatusCode` and wrap with a deployer code, what failed and
// what to do, keeping the original as `cause`.
import { DeployerError, type ErrorCode, type ErrorParams } from '../errors.js';
import { attemptsMade } from './attempts.js';

export interface AwsErrorShape {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $retryable?: { throttling?: boolean };
}

export function isAwsError(err: unknown): err is AwsErrorShape {
  return err instanceof Error && ('$metadata' in err || '$fault' in err);
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'NoSuchEntityException',
  'NoSuchEntity',
  'NotFoundException',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'LifecyclePolicyNotFoundException',
  'ObjectNotFoundException',
  // ElastiCache and EC2 (the provisioned cache tier and its security group).
  'ServerlessCacheNotFoundFault',
  'UserNotFoundFault',
  'UserGroupNotFoundFault',
  'InvalidGroup.NotFound',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorizedException',
]);
const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
]);
const LIMIT = new Set([
  'LimitExceededException',
  'LimitExceeded',
  'ResourceLimitExceeded',
  'ServiceQuotaExceededException',
  'CodeStorageExceededException',
]);
const CONFLICT = new Set([
  'ConflictException',
  'ResourceInUse',
  'ResourceInUseException',
  'ResourceConflictException',
  'ConcurrentModificationException',
  'ConcurrentUpdateException',
  'ResourceAlreadyExistsException',
  'EntityAlreadyExistsException',
  'EntityAlreadyExists',
  'RepositoryAlreadyExistsException',
]);
const VALIDATION = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'BadRequestException',
  'MalformedPolicyDocumentException',
  'MalformedPolicyDocument',
  'InvalidRequestException',
  'InvalidInputException',
]);

function statusOf(err: AwsErrorShape): number | undefined {
  return err.$metadata?.httpStatusCode;
}

export function isThrottling(err: unknown): boolean {
  if (!isAwsError(err)) return false;
  return THROTTLING.has(err.name) || err.$retryable?.throttling === true || statusOf(err) === 429;
}

/** 5xx / `$fault: server`: transient on the AWS side, safe to retry. */
export function isServerFault(err: unknown): boolean {
  if (!isAwsError(err)) return false;
  const status = statusOf(err);
  return err.$fault === 'server' || (status !== undefined && status >= 500);
}

export function isRetryable(err: unknown): boolean {
  return isThrottling(err) || isServerFault(err);
}

// SageMaker answers Describe* of a missing resource with ValidationException.
const SAGEMAKER_MISSING = /could not find|does not exist|not found/i;

export function isNotFound(err: unknown): boolean {
  if (err instanceof AwsCallError) return err.code === 'MS_DEPLOY_AWS_NOT_FOUND';
  if (!isAwsError(err)) return false;
  return NOT_FOUND.has(err.name) || (err.name === 'ValidationException' && SAGEMAKER_MISSING.test(err.message));
}

export function hasErrorName(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

function classify(err: AwsErrorShape): ErrorCode {
  if (isThrottling(err)) return 'MS_DEPLOY_AWS_THROTTLED';
  if (CREDENTIALS.has(err.name)) return 'MS_DEPLOY_AWS_CREDENTIALS';
  if (DENIED.has(err.name) || statusOf(err) === 403) return 'MS_DEPLOY_AWS_ACCESS_DENIED';
  if (isNotFound(err)) return 'MS_DEPLOY_AWS_NOT_FOUND';
  if (LIMIT.has(err.name)) return 'MS_DEPLOY_AWS_LIMIT';
  if (CONFLICT.has(err.name)) return 'MS_DEPLOY_AWS_CONFLICT';
  if (VALIDATION.has(err.name)) return 'MS_DEPLOY_AWS_VALIDATION';
  if (isServerFault(err)) return 'MS_DEPLOY_AWS_SERVICE';
  return 'MS_DEPLOY_AWS_FAILED';
}

export interface AwsCallSite {
  /** What was being done, e.g. "CreateEndpoint". */
  action: string;
  /** Which resource, e.g. the endpoint name. */
  resource: string;
}

/**
 * A wrapped SDK error. It keeps the SDK error's `name`, `$fault` and `$metadata`
 * so the SDK's waiters (whose acceptors match on the error name) and the
 * modules' name checks still see what AWS said; the original is the `cause`.
 */
export class AwsCallError extends DeployerError {
  readonly $fault?: AwsErrorShape['$fault'];
  readonly $metadata?: AwsErrorShape['$metadata'];
  readonly $retryable?: AwsErrorShape['$retryable'];

  constructor(code: ErrorCode, params: ErrorParams, cause: unknown) {
    super(code, params, { cause });
    const raw = cause as Partial<AwsErrorShape> | undefined;
    // DeployerError's name is a readonly field; the SDK's name is what waiters match on.
    if (raw instanceof Error)
      Object.defineProperty(this, 'name', { value: raw.name, enumerable: false, configurable: true });
    if (raw?.$fault) this.$fault = raw.$fault;
    if (raw?.$metadata) this.$metadata = raw.$metadata;
    if (raw?.$retryable) this.$retryable = raw.$retryable;
  }
}

export function wrapAwsError(err: unknown, site: AwsCallSite): DeployerError {
  if (err instanceof DeployerError) return err;
  const attempts = attemptsMade(err) ?? (isAwsError(err) ? err.$metadata?.attempts : undefined) ?? 1;
  if (!isAwsError(err)) {
    const code =
      err instanceof Error && CREDENTIALS.has(err.name) ? 'MS_DEPLOY_AWS_CREDENTIALS' : 'MS_DEPLOY_AWS_FAILED';
    return new AwsCallError(code, { ...site, attempts, reason: err instanceof Error ? err.message : String(err) }, err);
  }
  const requestId = err.$metadata?.requestId ? ` [request id ${err.$metadata.requestId}]` : '';
  const reason = `${err.name}: ${err.message}${requestId}`;
  return new AwsCallError(classify(err), { ...site, attempts, reason }, err);
}

/**
 * For what is not a `client.send` (a waiter's timeout or failure, an answer
 * without the id it promised): `.catch(awsFail('wait for function active', name))`.
 * `send` itself rejects with an already wrapped error.
 */
export function awsFail(action: string, resource: string): (err: unknown) => never {
  return (err) => {
    throw wrapAwsError(err, { action, resource });
  };
}

/** For observe: `.catch(ifMissing(undefined))` turns a missing resource into `fallback` and rethrows the rest. */
export function ifMissing<T>(fallback: T): (err: unknown) => T {
  return (err) => {
    if (isNotFound(err)) return fallback;
    throw err;
  };
}
