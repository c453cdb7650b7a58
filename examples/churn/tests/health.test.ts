// The SageMaker health contract and the readiness checks, over a real socket.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_ENV, serveOptions } from '../src/app.js';
import { readinessChecks } from '../src/health.js';
import { start, type Running } from './helpers.js';

describe('health', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start();
  });
  afterAll(async () => {
    await running.stop();
  });

  test('GET /ping answers 200 once the model is loaded', async () => {
    const res = await request(running.url).get('/ping');
    expect(res.status).toBe(200);
  });

  test('/health/ready reports UP', async () => {
    const res = await request(running.url).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('UP');
  });

  test('the model-artifact check fails when the artifact is missing', async () => {
    const [check] = readinessChecks('/nonexistent/model-file');
    await expect(Promise.resolve(check!.check())).rejects.toThrow();
  });

  test('serveOptions: the generated defaults, with the environment on top, and the readiness checks', () => {
    expect(serveOptions({}).env).toEqual(DEFAULT_ENV);
    expect(serveOptions({ MS_CACHE: 'off' }).env?.MS_CACHE).toBe('off');
    expect(serveOptions({}).readinessChecks?.map((c) => c.name)).toEqual(['model-artifact']);
  });
});
