import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ListEndpointsCommand, SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  createAwsClient,
  createAwsClients,
  endpointEnvVar,
  SERVICE_IDS,
  type ServiceKey,
} from '../../src/aws/clients.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const noSleep = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} };

async function endpointOf(client: {
  config: { endpoint?: () => Promise<{ hostname: string; port?: number; protocol: string }> };
}) {
  const ep = await client.config.endpoint?.();
  return ep && `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}`;
}

describe('createAwsClients', () => {
  test('creates every client in the region with adaptive retry', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', env: {} });
    expect(Object.keys(clients).sort()).toEqual(Object.keys(SERVICE_IDS).sort());
    for (const client of Object.values(clients)) {
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(3);
      expect(client.config.retryMode).toBe('adaptive');
    }
  });

  test('AWS_ENDPOINT_URL reaches every client config', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' } });
    for (const client of Object.values(clients)) {
      expect(await endpointOf(client as never)).toBe('http://127.0.0.1:4566');
    }
  });

  test('the per-service variable wins over AWS_ENDPOINT_URL, for that service only', async () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:9001',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229',
    };
    const clients = createAwsClients({ region: 'eu-west-1', env });
    expect(await endpointOf(clients.sagemaker as never)).toBe('http://127.0.0.1:9001');
    expect(await endpointOf(clients.cognito as never)).toBe('http://127.0.0.1:9229');
    expect(await endpointOf(clients.sagemakerRuntime as never)).toBe('http://127.0.0.1:4566');
    expect(await endpointOf(clients.ecr as never)).toBe('http://127.0.0.1:4566');
  });

  test('per-service variable names follow the SDK service ids', () => {
    const names = (Object.keys(SERVICE_IDS) as ServiceKey[]).map(endpointEnvVar);
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS_ENDPOINT_URL_SAGEMAKER',
        'AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME',
        'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING',
        'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
        'AWS_ENDPOINT_URL_API_GATEWAY',
        'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
        'AWS_ENDPOINT_URL_ECR',
        'AWS_ENDPOINT_URL_IAM',
        'AWS_ENDPOINT_URL_LAMBDA',
        'AWS_ENDPOINT_URL_STS',
      ]),
    );
  });

  test('our service ids match the ones the SDK clients declare', () => {
    const clients = createAwsClients({ region: 'eu-west-1', env: {} });
    for (const [key, client] of Object.entries(clients)) {
      expect((client.config as unknown as { serviceId: string }).serviceId).toBe(SERVICE_IDS[key as ServiceKey]);
    }
  });

  test('without overrides the real regional endpoint is used', async () => {
    const client = createAwsClient('sagemaker', { region: 'eu-west-1', env: {}, credentials: CREDS });
    expect(client.config.endpoint).toBeUndefined();
  });
});

// A fake HTTP handler: the SDK's own retry middleware runs for real.
function fakeHandler(responses: { status: number; headers: Record<string, string>; body: string }[]) {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      handle: async (request: { headers: Record<string, string>; hostname: string }) => {
        seen.push(`${request.hostname} ${request.headers['x-amz-target']}`);
        const next = responses.shift() ?? { status: 500, headers: {}, body: '{}' };
        return {
          response: { statusCode: next.status, headers: next.headers, body: new TextEncoder().encode(next.body) },
        };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  };
}

const throttled = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
  body: '{"__type":"ThrottlingException","message":"Rate exceeded"}',
};
const ok = { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{"Endpoints":[]}' };

describe('retry', () => {
  test('the SDK itself retries a ThrottlingException response (adaptive mode) against the overridden endpoint', async () => {
    const { seen, handler } = fakeHandler([throttled, ok]);
    const client = createAwsClient('sagemaker', {
      region: 'eu-west-1',
      credentials: CREDS,
      requestHandler: handler,
      retry: { ...noSleep, attempts: 1 },
      env: { AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:1' },
    });
    const out = await client.send(new ListEndpointsCommand({}));
    expect(out.Endpoints).toEqual([]);
    expect(seen).toEqual(['127.0.0.1 SageMaker.ListEndpoints', '127.0.0.1 SageMaker.ListEndpoints']);
  });

  test('the SDK gives up after maxAttempts and the outer layer retries again', async () => {
    const { seen, handler } = fakeHandler([throttled, throttled, ok]);
    const client = createAwsClient('sagemaker', {
      region: 'eu-west-1',
      credentials: CREDS,
      requestHandler: handler,
      maxAttempts: 1,
      retry: noSleep,
      env: {},
    });
    await client.send(new ListEndpointsCommand({}));
    expect(seen).toHaveLength(3);
  });

  describe('outer layer with aws-sdk-client-mock', () => {
    let mock: AwsClientStub<SageMakerClient>;
    beforeEach(() => {
      mock = mockClient(SageMakerClient);
    });
    afterEach(() => mock.restore());

    const throttle = () =>
      new SageMakerServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 3 },
      });

    test('ThrottlingException is retried until it succeeds', async () => {
      mock.on(ListEndpointsCommand).rejectsOnce(throttle()).rejectsOnce(throttle()).resolves({ Endpoints: [] });
      const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
      await expect(client.send(new ListEndpointsCommand({}))).resolves.toEqual({ Endpoints: [] });
      expect(mock.commandCalls(ListEndpointsCommand)).toHaveLength(3);
    });

    test('a 503 ($fault server) is retried', async () => {
      const unavailable = new SageMakerServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        message: 'down',
        $metadata: { httpStatusCode: 503 },
      });
      mock.on(ListEndpointsCommand).rejectsOnce(unavailable).resolves({ Endpoints: [] });
      const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
      await client.send(new ListEndpointsCommand({}));
      expect(mock.commandCalls(ListEndpointsCommand)).toHaveLength(2);
    });

    test('a ValidationException is not retried', async () => {
      const invalid = new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        message: 'bad',
        $metadata: { httpStatusCode: 400 },
      });
      mock.on(ListEndpointsCommand).rejects(invalid);
      const client = createAwsClient('sagemaker', { region: 'eu-west-1', retry: noSleep, env: {} });
      await expect(client.send(new ListEndpointsCommand({}))).rejects.toMatchObject({
        code: 'MS_DEPLOY_AWS_VALIDATION',
        cause: invalid,
      });
      expect(mock.commandCalls(ListEndpointsCommand)).toHaveLength(1);
    });

    test('backoff grows between attempts and the loop is bounded', async () => {
      const delays: number[] = [];
      mock.on(ListEndpointsCommand).rejects(throttle());
      const client = createAwsClient('sagemaker', {
        region: 'eu-west-1',
        env: {},
        retry: {
          attempts: 4,
          baseDelayMs: 100,
          maxDelayMs: 250,
          random: () => 0.999,
          sleep: async (ms) => void delays.push(ms),
        },
      });
      await expect(client.send(new ListEndpointsCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect(mock.commandCalls(ListEndpointsCommand)).toHaveLength(4);
      expect(delays).toEqual([99, 199, 249]);
    });
  });
});
