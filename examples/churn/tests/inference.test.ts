// Real predictions through POST /invocations: the sample request, and the model's
// direction (a short, expensive, unhappy month-to-month account churns; a long, cheap,
// two-year contract stays).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { start, type Running } from './helpers.js';

const sample = JSON.parse(readFileSync(new URL('../sample-request.json', import.meta.url), 'utf8')) as { instances: unknown[] };

describe('inference', () => {
  let running: Running;
  beforeAll(async () => {
    running = await start();
  });
  afterAll(async () => {
    await running.stop();
  });

  test('sample-request.json gets one prediction per instance', async () => {
    const res = await request(running.url).post('/invocations').send(sample);
    expect(res.status).toBe(200);
    expect(res.body.predictions).toHaveLength(sample.instances.length);
    for (const p of res.body.predictions) {
      expect(p.churnProbability).toBeGreaterThanOrEqual(0);
      expect(p.churnProbability).toBeLessThanOrEqual(1);
      expect(['churn', 'stay']).toContain(p.label);
    }
  });

  test('risky and loyal accounts land on opposite sides', async () => {
    const res = await request(running.url)
      .post('/invocations')
      .send({
        instances: [
          { tenureMonths: 2, monthlyCharges: 110, supportCalls: 7, contractMonths: 1 },
          { tenureMonths: 60, monthlyCharges: 25, supportCalls: 0, contractMonths: 24 },
        ],
      });
    expect(res.status).toBe(200);
    const [risky, loyal] = res.body.predictions;
    expect(risky.label).toBe('churn');
    expect(risky.churnProbability).toBeGreaterThan(0.9);
    expect(loyal.label).toBe('stay');
    expect(loyal.churnProbability).toBeLessThan(0.1);
  });

  test('text/csv rows (no header) get the same answers as the JSON instances', async () => {
    const rows = '2,110,7,1\n60,25,0,24\n';
    const csv = await request(running.url).post('/invocations').set('content-type', 'text/csv').send(rows);
    const json = await request(running.url)
      .post('/invocations')
      .send({
        instances: [
          { tenureMonths: 2, monthlyCharges: 110, supportCalls: 7, contractMonths: 1 },
          { tenureMonths: 60, monthlyCharges: 25, supportCalls: 0, contractMonths: 24 },
        ],
      });
    expect(csv.status).toBe(200);
    expect(csv.body).toEqual(json.body);
  });
});
