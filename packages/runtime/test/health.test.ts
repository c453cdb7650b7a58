// The health state machine and the probes that read it: starting -> ready after load and
// warm-up, unhealthy with a reason when either fails, custom readiness checks, stopping.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createService } from '../src/create-service.js';
import { Health } from '../src/health.js';
import { modelSum } from './fixtures/model-sum.js';
import { modelThrowsOnLoad } from './fixtures/model-throws-on-load.js';
import { silentLogger } from './helpers/memory-logger.js';

const ok = { instances: [[1, 2, 3, 4]] };

describe('Health', () => {
  it('allows only the documented transitions', () => {
    const h = new Health();
    expect(h.state).toBe('starting');
    expect(h.transition('ready')).toBe(true);
    expect(h.transition('starting')).toBe(false);
    expect(h.transition('unhealthy', 'disk gone')).toBe(true);
    expect(h.reason).toBe('disk gone');
    expect(h.transition('ready')).toBe(true);
    expect(h.reason).toBeUndefined();
    expect(h.transition('stopping')).toBe(true);
    expect(h.transition('ready')).toBe(false);
    expect(h.state).toBe('stopping');
  });

  it('tells listeners about every change', () => {
    const h = new Health();
    const seen: string[] = [];
    h.onChange((s, r) => seen.push(r ? `${s}:${r}` : s));
    h.transition('unhealthy', 'x');
    h.transition('stopping');
    expect(seen).toEqual(['unhealthy:x', 'stopping']);
  });

  it('readiness names each custom check and is DOWN if one throws or returns false', async () => {
    const h = new Health([
      { name: 'feature-store', check: () => true },
      {
        name: 'redis',
        check: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
      { name: 'license', check: () => false },
    ]);
    h.transition('ready');
    const report = await h.readiness();
    expect(report.status).toBe('DOWN');
    expect(report.checks).toEqual([
      { name: 'model', status: 'UP' },
      { name: 'feature-store', status: 'UP' },
      { name: 'redis', status: 'DOWN', error: 'ECONNREFUSED' },
      { name: 'license', status: 'DOWN', error: 'check returned false' },
    ]);
  });
});

describe('probes over HTTP', () => {
  it('/ping is 503 DOWN while the model loads, 200 UP after load + warm-up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { model, calls } = modelSum({ load: () => gate });
    const service = createService({ model, logger: silentLogger() });
    const listening = service.listen(0, '127.0.0.1');
    // The socket is bound before loading finishes: wait for it, then probe.
    for (let i = 0; i < 100 && !service.server?.listening; i += 1) await new Promise((r) => setTimeout(r, 10));
    const { port } = service.server!.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    try {
      const down = await request(url).get('/ping').expect(503);
      expect(down.body).toEqual({ status: 'DOWN', state: 'starting' });
      await request(url).get('/health/live').expect(200, { status: 'UP', state: 'starting' });
      await request(url).get('/health/ready').expect(503);
      const notReady = await request(url).post('/invocations').send(ok).expect(503);
      expect(notReady.body.error.code).toBe('MS_RUNTIME_NOT_READY');
      expect(notReady.headers['retry-after']).toBe('5');
      expect(calls).toHaveLength(0);
      release();
      const { state } = await listening;
      expect(state).toBe('ready');
      // Warm-up ran the sample instances through predict before ready.
      expect(calls).toEqual([[[1, 2, 3, 4]]]);
      await request(url).get('/ping').expect(200);
    } finally {
      release();
      await service.close();
    }
  });

  it('a load failure -> unhealthy with the reason; /ping 503; invocations 503 MODEL_UNAVAILABLE', async () => {
    const service = createService({ model: modelThrowsOnLoad(), logger: silentLogger() });
    expect(await service.start()).toBe('unhealthy');
    const ping = await request(service.app).get('/ping').expect(503);
    expect(ping.body.state).toBe('unhealthy');
    expect(ping.body.reason).toContain('failed to load: ENOENT: model.onnx not found');
    const ready = await request(service.app).get('/health/ready').expect(503);
    expect(ready.body.checks[0]).toMatchObject({ name: 'model', status: 'DOWN' });
    const inv = await request(service.app).post('/invocations').send(ok).expect(503);
    expect(inv.body.error.code).toBe('MS_RUNTIME_MODEL_UNAVAILABLE');
    await service.close();
  });

  it('with fallback rules, a load failure still answers, flagged source: "fallback"', async () => {
    const service = createService({ model: modelThrowsOnLoad(true), logger: silentLogger() });
    await service.start();
    const res = await request(service.app).post('/invocations').send(ok).expect(200);
    expect(res.body).toEqual({ predictions: [{ label: 'small', sum: 0 }], source: 'fallback' });
    expect(res.headers['x-model-source']).toBe('fallback');
    const metrics = await request(service.app).get('/metrics');
    expect(metrics.text).toMatch(/model_fallback_total 1/);
    await service.close();
  });

  it('a warm-up whose answer fails the prediction schema leaves the service unhealthy', async () => {
    const { model } = modelSum({ predict: (xs) => xs.map(() => ({ label: 'bogus', sum: 1 }) as never) });
    const service = createService({ model, logger: silentLogger() });
    expect(await service.start()).toBe('unhealthy');
    const ping = await request(service.app).get('/ping').expect(503);
    expect(ping.body.reason).toMatch(/warm-up/);
    await service.close();
  });

  it('custom readiness checks are run by /health/ready and named in its body', async () => {
    let dbUp = true;
    const service = createService({
      model: modelSum().model,
      logger: silentLogger(),
      readinessChecks: [{ name: 'database', check: () => dbUp }],
    });
    await service.start();
    const up = await request(service.app).get('/health/ready').expect(200);
    expect(up.body.checks).toContainEqual({ name: 'database', status: 'UP' });
    dbUp = false;
    const down = await request(service.app).get('/health/ready').expect(503);
    expect(down.body.checks).toContainEqual({ name: 'database', status: 'DOWN', error: 'check returned false' });
    // /ping is the SageMaker contract: model state only.
    await request(service.app).get('/ping').expect(200);
    await service.close();
  });

  it('close() moves to stopping: /ping answers 503', async () => {
    const service = createService({ model: modelSum().model, logger: silentLogger() });
    await service.start();
    await service.close();
    expect(service.state).toBe('stopping');
    const res = await request(service.app).get('/ping').expect(503);
    expect(res.body.state).toBe('stopping');
  });
});
