// Access logs: one JSON line per request with the request id, no payloads by default.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createService } from '../src/create-service.js';
import { requestIdFrom } from '../src/logger.js';
import { modelSum } from './fixtures/model-sum.js';
import { memoryLogger } from './helpers/memory-logger.js';

const body = { instances: [[9.5, 8.25, 7.125, 6.0625]] };

async function serveAndCall(logPayloads: boolean) {
  const { logger, lines } = memoryLogger('info');
  const service = createService({ model: modelSum().model, logger, logPayloads });
  const { port } = await service.listen(0, '127.0.0.1');
  const res = await request(`http://127.0.0.1:${port}`)
    .post('/invocations')
    .set('x-request-id', 'trace-me-42')
    .send(body)
    .expect(200);
  await request(`http://127.0.0.1:${port}`).get('/ping').expect(200);
  await service.close();
  return { res, lines: lines() };
}

describe('request logs', () => {
  it('log one line per request with its id, route and status, and no payload by default', async () => {
    const { res, lines } = await serveAndCall(false);
    expect(res.headers['x-request-id']).toBe('trace-me-42');
    const access = lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1); // /ping logs at debug: probes are frequent
    expect(access[0]).toMatchObject({
      reqId: 'trace-me-42',
      method: 'POST',
      route: '/invocations',
      status: 200,
      level: 30,
    });
    expect(typeof access[0]!.ms).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('8.25');
    expect(all).not.toContain('predictions');
  });

  it('log request and response bodies only when logPayloads is on', async () => {
    const { lines } = await serveAndCall(true);
    const access = lines.find((l) => l.msg === 'request')!;
    expect(access.requestBody).toContain('8.25');
    expect(access.responseBody).toContain('predictions');
  });

  it('model errors are logged with the request id; the client sees no stack', async () => {
    const { logger, lines } = memoryLogger('info');
    const { model } = modelSum({
      warmup: [],
      predict: () => {
        throw new Error('bad tensor');
      },
    });
    const service = createService({ model, logger });
    await service.start();
    const res = await request(service.app).post('/invocations').set('x-request-id', 'r-500').send(body).expect(500);
    expect(res.text).not.toContain('bad tensor');
    const logged = lines().find((l) => l.msg === 'model predict threw');
    expect(logged).toMatchObject({ reqId: 'r-500', code: 'MS_RUNTIME_PREDICT_FAILED' });
    expect(JSON.stringify(logged)).toContain('bad tensor');
    await service.close();
  });
});

describe('requestIdFrom', () => {
  it('prefers X-Request-Id, then X-Amzn-Trace-Id, else makes a UUID', () => {
    expect(requestIdFrom({ 'x-request-id': 'a', 'x-amzn-trace-id': 'b' })).toBe('a');
    expect(requestIdFrom({ 'x-amzn-trace-id': 'Root=1-abc' })).toBe('Root=1-abc');
    expect(requestIdFrom({})).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ignores ids that are too long or carry control characters', () => {
    expect(requestIdFrom({ 'x-request-id': 'x'.repeat(500) })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom({ 'x-request-id': 'bad\u0007id' })).toMatch(/^[0-9a-f-]{36}$/);
  });
});
