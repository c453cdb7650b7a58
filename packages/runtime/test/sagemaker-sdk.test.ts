// The real SageMaker Runtime client, pointed at a local server, must work unchanged:
// it POSTs to /endpoints/<name>/invocations and reads the body and headers back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createService } from '../src/create-service.js';
import type { Service } from '../src/types.js';
import { modelSum } from './fixtures/model-sum.js';
import { silentLogger } from './helpers/memory-logger.js';

describe('SageMaker Runtime InvokeEndpoint against the local server', () => {
  let service: Service;
  let client: SageMakerRuntimeClient;

  beforeAll(async () => {
    service = createService({ model: modelSum().model, logger: silentLogger(), cache: { kind: 'memory' } });
    const { port } = await service.listen(0, '127.0.0.1');
    client = new SageMakerRuntimeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      // Dummy credentials: the local server does not check signatures.
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await service.close();
  });

  it('answers JSON predictions', async () => {
    const out = await client.send(
      new InvokeEndpointCommand({
        EndpointName: 'sum-dev',
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: new TextEncoder().encode(
          JSON.stringify({
            instances: [
              [1, 2, 3, 4],
              [4, 4, 4, 4],
            ],
          }),
        ),
      }),
    );
    expect(out.ContentType).toMatch(/^application\/json/);
    expect(JSON.parse(new TextDecoder().decode(out.Body))).toEqual({
      predictions: [
        { label: 'small', sum: 10 },
        { label: 'large', sum: 16 },
      ],
    });
  });

  it('answers CSV input', async () => {
    const out = await client.send(
      new InvokeEndpointCommand({
        EndpointName: 'sum-dev',
        ContentType: 'text/csv',
        Body: new TextEncoder().encode('1,1,1,1\n'),
      }),
    );
    expect(JSON.parse(new TextDecoder().decode(out.Body)).predictions).toEqual([{ label: 'small', sum: 4 }]);
  });

  it('surfaces a validation error as a 400 service exception carrying our code', async () => {
    let caught: unknown;
    try {
      await client.send(
        new InvokeEndpointCommand({
          EndpointName: 'sum-dev',
          ContentType: 'application/json',
          Body: new TextEncoder().encode('{"instances":[["a"]]}'),
        }),
      );
    } catch (err) {
      caught = err;
    }
    const e = caught as { $metadata?: { httpStatusCode?: number }; $response?: unknown; message?: string };
    expect(e.$metadata?.httpStatusCode).toBe(400);
  });

  it('tells the caller a cache hit through CustomAttributes (the only response header SageMaker passes on)', async () => {
    const invoke = () =>
      client.send(
        new InvokeEndpointCommand({
          EndpointName: 'sum-dev',
          ContentType: 'application/json',
          Body: new TextEncoder().encode(JSON.stringify({ instances: [[9, 8, 7, 6]] })),
        }),
      );
    const first = await invoke();
    const second = await invoke();
    expect(first.CustomAttributes).toBe('cache=miss');
    expect(second.CustomAttributes).toBe('cache=hit');
    expect(new TextDecoder().decode(second.Body)).toBe(new TextDecoder().decode(first.Body));
  });
});
