// The handler against a REAL runtime server (createService) through the REAL
// SageMaker Runtime client, pointed at 127.0.0.1 with dummy credentials.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createService, type Service } from '@model-service/runtime';
import { createHandler } from '../../src/lambda-proxy/handler.js';
import { loadProxyConfig } from '../../src/lambda-proxy/config.js';
import { predictEvent } from './events.js';

const model = {
  name: 'threshold',
  version: '1',
  instanceSchema: { type: 'array', items: { type: 'number' }, minItems: 1 },
  predictionSchema: { type: 'string' },
  predict: (rows: number[][]) => rows.map((r) => (r[0]! > 2 ? 'big' : 'small')),
};

let service: Service;
let url: string;
const seen: { id?: string; attrs?: string; inferenceId?: string }[] = [];

beforeAll(async () => {
  service = createService({
    model,
    cache: { kind: 'memory' },
    logLevel: 'silent',
    fastPath: false,
    configure: (app) => {
      app.use((req, _res, next) => {
        seen.push({
          id: req.headers['x-request-id'] as string | undefined,
          attrs: req.headers['x-amzn-sagemaker-custom-attributes'] as string | undefined,
          inferenceId: req.headers['x-amzn-sagemaker-inference-id'] as string | undefined,
        });
        next();
      });
    },
  });
  const { port } = await service.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await service?.close();
});

function handlerFor(endpoint: string, env: Record<string, string> = {}) {
  const runtime = new SageMakerRuntimeClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const config = loadProxyConfig({
    MS_ENDPOINT_NAME: 'ms-threshold-dev',
    MS_RETRY_BASE_DELAY_MS: '5',
    MS_RETRY_MAX_DELAY_MS: '10',
    ...env,
  });
  return createHandler({ config, runtime, endpointStatus: async () => ({ status: 'InService' }), log: () => {} });
}

describe('handler -> SageMaker Runtime SDK -> runtime server', () => {
  it('returns the prediction and passes the request id to the container', async () => {
    const result = await handlerFor(url)(predictEvent({ instances: [[3], [1]] }, { 'X-Request-Id': 'trace-42' }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ predictions: ['big', 'small'] });
    expect(seen.at(-1)).toEqual({ id: 'trace-42', attrs: 'request-id=trace-42', inferenceId: 'trace-42' });
  });

  it('turns the runtime cache answer into X-Cache: MISS, then HIT for the same instances', async () => {
    const handler = handlerFor(url);
    const first = await handler(predictEvent({ instances: [[7], [0.5]] }));
    const second = await handler(predictEvent({ instances: [[7], [0.5]] }));
    expect(first.headers?.['X-Cache']).toBe('MISS');
    expect(second.headers?.['X-Cache']).toBe('HIT');
    expect(second.body).toBe(first.body);
  });

  it('maps the runtime validation error to 400 with its message, without retrying', async () => {
    const before = seen.length;
    const result = await handlerFor(url)(predictEvent({ instances: 'not-a-list' }));
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body);
    expect(body.error.code).toBe('MS_PROXY_INVALID_INPUT');
    expect(body.error.message).toMatch(/instances/);
    expect(seen.length - before).toBe(1);
  });

  it('answers 503 after bounded retries when nothing listens, or from the fallback rules', async () => {
    const dead = 'http://127.0.0.1:9';
    const down = await handlerFor(dead, { MS_RETRY_MAX_ATTEMPTS: '2' })(predictEvent({ instances: [[1]] }));
    expect(down.body).toContain('MS_PROXY_ENDPOINT_UNAVAILABLE');
    expect(down.statusCode).toBe(503);
    expect(JSON.parse(down.body).error.code).toBe('MS_PROXY_ENDPOINT_UNAVAILABLE');
    const rules = JSON.stringify({ rules: [], default: 'small' });
    const fallback = await handlerFor(dead, { MS_RETRY_MAX_ATTEMPTS: '2', MS_FALLBACK_RULES: rules })(
      predictEvent({ instances: [[1]] }),
    );
    expect(JSON.parse(fallback.body)).toEqual({ predictions: ['small'], source: 'fallback' });
  });
});
