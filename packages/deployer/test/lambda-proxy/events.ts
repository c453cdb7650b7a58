// API Gateway REST proxy events as API Gateway sends them.
import type { ProxyEvent } from '../../src/lambda-proxy/types.js';

export function predictEvent(body: unknown, headers: Record<string, string> = {}): ProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/predict',
    resource: '/predict',
    // One spelling per header name, as API Gateway sends them.
    headers: Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      ? headers
      : { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'apigw-req-1', stage: 'dev', authorizer: { claims: { sub: 'u1' } } },
  };
}

export function healthEvent(): ProxyEvent {
  return { httpMethod: 'GET', path: '/health', headers: {}, body: null, requestContext: { requestId: 'apigw-req-2' } };
}
