// Bad requests get a 4xx with a stable code, never a 500.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { start, type Running } from './helpers.js';

describe('invalid input', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start();
  });
  afterAll(async () => {
    await running.stop();
  });

  test('a missing feature is a 400 naming the field', async () => {
    const res = await request(running.url)
      .post('/invocations')
      .send({ instances: [{ tenureMonths: 2, monthlyCharges: 110, supportCalls: 7 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(res.body.error.message).toContain('contractMonths');
  });

  test('a wrong type is a 400', async () => {
    const res = await request(running.url)
      .post('/invocations')
      .send({ instances: [{ tenureMonths: 'two', monthlyCharges: 110, supportCalls: 7, contractMonths: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
  });

  test('a body that is not JSON is a 400', async () => {
    const res = await request(running.url).post('/invocations').set('content-type', 'application/json').send('{"instances": [');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_JSON');
  });

  test('an unsupported content type is a 415', async () => {
    const res = await request(running.url).post('/invocations').set('content-type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE');
  });
});
