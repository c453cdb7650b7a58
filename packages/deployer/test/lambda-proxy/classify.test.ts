import { describe, expect, it } from '@jest/globals';
import { isRetryable, toProxyError } from '../../src/lambda-proxy/classify.js';
import {
  accessDenied,
  connRefused,
  modelError,
  notReady,
  throttling,
  unavailable,
  validation,
  wrappedSocketError,
} from './sdk-errors.js';

describe('which SageMaker Runtime errors are retried', () => {
  it.each([
    ['ThrottlingException', throttling()],
    ['ServiceUnavailable', unavailable()],
    ['ModelNotReadyException', notReady()],
    ['connection refused', connRefused()],
    ['a wrapped refused connection (code lost)', wrappedSocketError('connect ECONNREFUSED 127.0.0.1:1')],
    ['a wrapped socket hang up (kept-alive socket closed by the server)', wrappedSocketError('socket hang up')],
    ['container overloaded (ModelError 503)', modelError(503, 'busy')],
  ])('retries %s', (_name, err) => expect(isRetryable(err)).toBe(true));

  it.each([
    ['ValidationError', validation('Request body too large')],
    ['ModelError 400', modelError(400)],
    ['ModelError 415', modelError(415, 'unsupported')],
    ['ModelError 500', modelError(500, 'boom')],
    ['AccessDeniedException', accessDenied()],
  ])('never retries %s', (_name, err) => expect(isRetryable(err)).toBe(false));
});

describe('mapping errors to HTTP', () => {
  it('passes the container 4xx status and its message through', () => {
    const err = toProxyError(modelError(400), 1, 1000);
    expect([err.status, err.code]).toEqual([400, 'MS_PROXY_INVALID_INPUT']);
    expect(err.message).toContain('MS_RUNTIME_INVALID_INPUT: must be array at /instances');
    expect(toProxyError(modelError(415, '{"error":{"message":"use application/json"}}'), 1, 1000).status).toBe(415);
  });

  it('maps a model crash to 502 without leaking its text', () => {
    const err = toProxyError(modelError(500, 'TypeError: secret stack'), 1, 1000);
    expect([err.status, err.code]).toEqual([502, 'MS_PROXY_MODEL_ERROR']);
    expect(err.message).not.toContain('secret');
  });

  it('maps throttling to 429, outages and missing endpoints to 503, access denied to 502', () => {
    expect(toProxyError(throttling(), 4, 1000)).toMatchObject({ status: 429, code: 'MS_PROXY_THROTTLED' });
    expect(toProxyError(unavailable(), 4, 1000)).toMatchObject({ status: 503, code: 'MS_PROXY_ENDPOINT_UNAVAILABLE' });
    expect(toProxyError(notReady(), 4, 1000).message).toContain('not ready');
    expect(toProxyError(wrappedSocketError('socket hang up'), 3, 1000)).toMatchObject({
      status: 503,
      code: 'MS_PROXY_ENDPOINT_UNAVAILABLE',
    });
    expect(toProxyError(new Error('something else entirely'), 1, 1000)).toMatchObject({
      status: 500,
      code: 'MS_PROXY_INTERNAL',
    });
    expect(toProxyError(validation(), 1, 1000)).toMatchObject({ status: 503, code: 'MS_PROXY_ENDPOINT_UNAVAILABLE' });
    expect(toProxyError(validation('Inference id too long'), 1, 1000)).toMatchObject({
      status: 400,
      code: 'MS_PROXY_REJECTED',
    });
    expect(toProxyError(accessDenied(), 1, 1000)).toMatchObject({ status: 502, code: 'MS_PROXY_ACCESS_DENIED' });
  });

  it('reads the body of an unmodeled error answered by a runtime served directly', () => {
    const err = Object.assign(new Error('UnknownError'), {
      name: 'Unknown',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      error: { error: { code: 'MS_RUNTIME_INVALID_INPUT', message: 'bad', path: '/instances/0' } },
    });
    expect(isRetryable(err)).toBe(false);
    expect(toProxyError(err, 1, 1000)).toMatchObject({
      status: 400,
      code: 'MS_PROXY_INVALID_INPUT',
      message: expect.stringContaining('bad at /instances/0'),
    });
  });
});
