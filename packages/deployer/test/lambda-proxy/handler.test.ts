// Routing, request ids, fallback rules, CORS and health, with in-process fakes
// of the two SDK clients.
import { describe, expect, it } from '@jest/globals';
import type { InvokeEndpointCommand, InvokeEndpointCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, HEALTH_CACHE_MS, type InvokeClient } from '../../src/lambda-proxy/handler.js';
import { loadProxyConfig } from '../../src/lambda-proxy/config.js';
import { healthEvent, predictEvent } from './events.js';
import { unavailable } from './sdk-errors.js';

function recording(
  answer: () => Promise<Partial<InvokeEndpointCommandOutput>>,
): InvokeClient & { inputs: InvokeEndpointCommand['input'][] } {
  const inputs: InvokeEndpointCommand['input'][] = [];
  return {
    inputs,
    async send(command) {
      inputs.push(command.input);
      return { $metadata: {}, ...(await answer()) } as InvokeEndpointCommandOutput;
    },
  };
}

const okAnswer = async () => ({
  Body: Buffer.from('{"predictions":[0]}') as never,
  ContentType: 'application/json',
  CustomAttributes: 'cache=hit',
});
const fallbackRules = JSON.stringify({
  rules: [{ field: 'petal_length', op: 'lt', value: 2.5, prediction: 'setosa' }],
  default: 'versicolor',
});

function make(env: Record<string, string>, runtime: InvokeClient, status = async () => ({ status: 'InService' })) {
  return createHandler({
    config: loadProxyConfig({ MS_ENDPOINT_NAME: 'ms-iris-dev', MS_RETRY_MAX_ATTEMPTS: '1', ...env }),
    runtime,
    endpointStatus: status,
    log: () => {},
  });
}

describe('POST /predict', () => {
  it('sends no InferenceId for a request id longer than the 64 characters InvokeEndpoint accepts', async () => {
    const runtime = recording(okAnswer);
    const long = 'a'.repeat(65);
    const result = await make(
      {},
      runtime,
    )(predictEvent('a,b\n1,2', { 'content-type': 'text/csv', 'X-Request-Id': long }));
    expect(result.statusCode).toBe(200);
    expect(runtime.inputs[0]!.CustomAttributes).toBe(`request-id=${long}`);
    expect(runtime.inputs[0]!.InferenceId).toBeUndefined();
  });

  it('POST /machine-predict (machine clients, scope checked by API Gateway) is the same prediction', async () => {
    const runtime = recording(okAnswer);
    const event = { ...predictEvent('{"instances":[[1,2]]}'), path: '/machine-predict', resource: '/machine-predict' };
    const result = await make({}, runtime)(event);
    expect(result.statusCode).toBe(200);
    expect(runtime.inputs[0]!.EndpointName).toBe('ms-iris-dev');
  });

  it('passes the body, content type and request id to InvokeEndpoint', async () => {
    const runtime = recording(okAnswer);
    const result = await make(
      {},
      runtime,
    )(predictEvent('a,b\n1,2', { 'content-type': 'text/csv', 'X-Request-Id': 'client-id-7' }));
    expect(result.statusCode).toBe(200);
    expect(runtime.inputs[0]).toMatchObject({
      EndpointName: 'ms-iris-dev',
      ContentType: 'text/csv',
      CustomAttributes: 'request-id=client-id-7',
      InferenceId: 'client-id-7',
    });
    expect(Buffer.from(runtime.inputs[0]!.Body as Uint8Array).toString()).toBe('a,b\n1,2');
    expect(result.headers).toMatchObject({
      'X-Request-Id': 'client-id-7',
      'X-Cache': 'HIT',
      'X-Model-Source': 'model',
    });
  });

  it("uses API Gateway's request id when the caller sends none, and decodes base64 bodies", async () => {
    const runtime = recording(okAnswer);
    const event = {
      ...predictEvent(''),
      body: Buffer.from('{"instances":[[1]]}').toString('base64'),
      isBase64Encoded: true,
    };
    const result = await make({}, runtime)(event);
    expect(Buffer.from(runtime.inputs[0]!.Body as Uint8Array).toString()).toBe('{"instances":[[1]]}');
    expect(result.headers['X-Request-Id']).toBe('apigw-req-1');
  });

  it('answers binary model output base64-encoded', async () => {
    const runtime = recording(async () => ({
      Body: new Uint8Array([0, 255, 1]) as never,
      ContentType: 'application/octet-stream',
    }));
    const result = await make({}, runtime)(predictEvent({ instances: [1] }));
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body, 'base64')).toEqual(Buffer.from([0, 255, 1]));
  });

  it('refuses empty and malformed JSON bodies before calling the endpoint', async () => {
    const runtime = recording(okAnswer);
    const handler = make({}, runtime);
    const empty = await handler(predictEvent(''));
    const broken = await handler(predictEvent('{"instances": ['));
    expect([empty.statusCode, JSON.parse(empty.body).error.code]).toEqual([400, 'MS_PROXY_EMPTY_BODY']);
    expect([broken.statusCode, JSON.parse(broken.body).error.code]).toEqual([400, 'MS_PROXY_INVALID_JSON']);
    expect(runtime.inputs).toHaveLength(0);
  });

  it('answers from the fallback rules when the endpoint is down', async () => {
    const runtime = recording(async () => {
      throw unavailable();
    });
    const result = await make(
      { MS_FALLBACK_RULES: fallbackRules },
      runtime,
    )(predictEvent({ instances: [{ petal_length: 1.4 }, { petal_length: 4.7 }] }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ predictions: ['setosa', 'versicolor'], source: 'fallback' });
    expect(result.headers['X-Model-Source']).toBe('fallback');
  });

  it('answers 503 when the endpoint is down and there are no rules', async () => {
    const runtime = recording(async () => {
      throw unavailable();
    });
    const result = await make({}, runtime)(predictEvent({ instances: [[1]] }));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error).toMatchObject({
      code: 'MS_PROXY_ENDPOINT_UNAVAILABLE',
      requestId: 'apigw-req-1',
    });
  });

  it('rejects bad fallback rules with MS_PROXY_CONFIG instead of crashing', async () => {
    const handler = createHandler({ runtime: recording(okAnswer), log: () => {} });
    const saved = { ...process.env };
    process.env.MS_ENDPOINT_NAME = 'x';
    process.env.MS_FALLBACK_RULES = '{"rules":[]}';
    try {
      const result = await handler(predictEvent({ instances: [] }));
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body).error.code).toBe('MS_PROXY_CONFIG');
    } finally {
      process.env = saved;
    }
  });
});

describe('routes, CORS and health', () => {
  it('answers 404 and 405 with stable codes', async () => {
    const handler = make({}, recording(okAnswer));
    const missing = await handler({ ...healthEvent(), path: '/nope' });
    const wrong = await handler({ ...healthEvent(), path: '/predict' });
    expect([missing.statusCode, JSON.parse(missing.body).error.code]).toEqual([404, 'MS_PROXY_ROUTE_NOT_FOUND']);
    expect([wrong.statusCode, JSON.parse(wrong.body).error.code]).toEqual([405, 'MS_PROXY_METHOD_NOT_ALLOWED']);
  });

  it('sends CORS headers only to allowed origins, and answers preflight', async () => {
    const handler = make({ MS_CORS_ALLOW_ORIGINS: '["https://app.example.com"]' }, recording(okAnswer));
    const allowed = await handler(predictEvent({ instances: [[1]] }, { Origin: 'https://app.example.com' }));
    const other = await handler(predictEvent({ instances: [[1]] }, { Origin: 'https://evil.example.com' }));
    const preflight = await handler({
      ...predictEvent(''),
      httpMethod: 'OPTIONS',
      headers: { origin: 'https://app.example.com' },
    });
    expect(allowed.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['Access-Control-Allow-Methods']).toBe('GET,POST,OPTIONS');
  });

  it('GET /health answers {status} only; the endpoint status and reason go to the log', async () => {
    const up = await make({}, recording(okAnswer))(healthEvent());
    const lines: Record<string, unknown>[] = [];
    const config = loadProxyConfig({ MS_ENDPOINT_NAME: 'ms-iris-dev' });
    const down = await createHandler({
      config,
      runtime: recording(okAnswer),
      endpointStatus: async () => ({ status: 'Failed', failureReason: 'ping failed' }),
      log: (l) => void lines.push(l),
    })(healthEvent());
    expect([up.statusCode, JSON.parse(up.body)]).toEqual([200, { status: 'UP' }]);
    expect([down.statusCode, JSON.parse(down.body)]).toEqual([503, { status: 'DOWN' }]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'health: endpoint not InService',
        endpointStatus: 'Failed',
        failureReason: 'ping failed',
      }),
    );
  });

  it('GET /health does not leak an AWS error (account, role) to the unauthenticated caller', async () => {
    const lines: Record<string, unknown>[] = [];
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/ms-iris-dev-lambda/ms-iris-dev-proxy is not authorized to perform: sagemaker:DescribeEndpoint',
      ),
      { name: 'AccessDeniedException' },
    );
    const handler = createHandler({
      config: loadProxyConfig({ MS_ENDPOINT_NAME: 'ms-iris-dev' }),
      runtime: recording(okAnswer),
      endpointStatus: async () => {
        throw denied;
      },
      log: (l) => void lines.push(l),
    });
    const result = await handler(healthEvent());
    expect([result.statusCode, result.body]).toEqual([503, '{"status":"DOWN"}']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'health: cannot read the endpoint status',
        error: expect.stringContaining('AccessDeniedException'),
      }),
    );
  });

  it('GET /health reads the endpoint status at most once per HEALTH_CACHE_MS', async () => {
    let now = 1_000;
    let reads = 0;
    const clock = { now: () => now, random: () => 0, sleep: async () => {} };
    const handler = createHandler({
      config: loadProxyConfig({ MS_ENDPOINT_NAME: 'ms-iris-dev' }),
      runtime: recording(okAnswer),
      clock,
      log: () => {},
      endpointStatus: async () => ({ status: (reads += 1) === 1 ? 'InService' : 'Failed' }),
    });
    for (let i = 0; i < 5; i += 1) expect((await handler(healthEvent())).statusCode).toBe(200);
    expect(reads).toBe(1);
    now += HEALTH_CACHE_MS;
    expect((await handler(healthEvent())).statusCode).toBe(503);
    expect(reads).toBe(2);
  });
});
