// Errors shaped exactly as @aws-sdk/client-sagemaker-runtime throws them.
import {
  ModelError,
  ModelNotReadyException,
  SageMakerRuntimeServiceException,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'aws-req-1', attempts: 1, totalRetryDelay: 0 });

export const throttling = () =>
  new SageMakerRuntimeServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: meta(400),
    message: 'Rate exceeded',
  });
export const unavailable = () => new ServiceUnavailable({ $metadata: meta(503), message: 'Service is unavailable' });
export const notReady = () => new ModelNotReadyException({ $metadata: meta(429), message: 'Model is not ready' });
export const validation = (message = 'Endpoint ms-iris-dev of account 123456789012 not found.') =>
  new ValidationError({ $metadata: meta(400), message });
export const modelError = (
  original: number,
  body = '{"error":{"code":"MS_RUNTIME_INVALID_INPUT","message":"must be array","path":"/instances"}}',
) =>
  new ModelError({
    $metadata: meta(424),
    message: `Received client error (${original}) from primary with message "${body}"`,
    OriginalStatusCode: original,
    OriginalMessage: body,
    LogStreamArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/ms-iris-dev',
  });
export const accessDenied = () =>
  new SageMakerRuntimeServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: meta(403),
    message: 'not authorized to perform: sagemaker:InvokeEndpoint',
  });
export const connRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
/** What the SDK's retry middleware makes of a socket error from another realm: the text only, no code. */
export const wrappedSocketError = (text: string) => new Error(`AWS SDK error wrapper for Error: ${text}`);
