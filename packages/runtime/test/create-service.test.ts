// The HTTP contract of createService, over both transports: the Express app (supertest
// on `app`, as users test their own routes) and the real socket served by listen()
// (where the fast path answers the hot routes). Both must answer the same way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { createService } from '../src/create-service.js';
import type { Service } from '../src/types.js';
import { modelBadOutput } from './fixtures/model-bad-output.js';
import { modelSum } from './fixtures/model-sum.js';
import { modelThrowsOnPredict } from './fixtures/model-throws-on-predict.js';
import { silentLogger } from './helpers/memory-logger.js';

async function started(service: Service): Promise<{ service: Service; url: string }> {
  const { port } = await service.listen(0, '127.0.0.1');
  return { service, url: `http://127.0.0.1:${port}` };
}

const ok = {
  instances: [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ],
};

describe('createService over both transports', () => {
  let socket: { service: Service; url: string };
  let viaApp: Service;

  beforeAll(async () => {
    socket = await started(
      createService({ model: modelSum().model, logger: silentLogger(), maxInstances: 3, maxBodyBytes: 2048 }),
    );
    viaApp = createService({ model: modelSum().model, logger: silentLogger(), maxInstances: 3, maxBodyBytes: 2048 });
    await viaApp.start();
  });
  afterAll(async () => {
    await socket.service.close();
    await viaApp.close();
  });

  it('serves the hot routes from the fast path when no middleware is configured', () => {
    expect(socket.service.fastPath).toBe(true);
  });

  const transports: Array<[string, () => request.Agent | ReturnType<typeof request>]> = [
    ['socket (fast path)', () => request(socket.url)],
    ['express app', () => request(viaApp.app)],
  ];

  describe.each(transports)('%s', (_name, client) => {
    it('GET /ping answers {"status":"UP"} once ready', async () => {
      const res = await client().get('/ping').expect(200);
      expect(res.body).toMatchObject({ status: 'UP', model: 'sum', version: '1.0.0' });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });

    it('POST /invocations answers one prediction per instance, in order', async () => {
      const res = await client().post('/invocations').send(ok).expect(200);
      expect(res.body).toEqual({
        predictions: [
          { label: 'small', sum: 10 },
          { label: 'large', sum: 26 },
        ],
      });
    });

    it('POST /endpoints/:name/invocations is the same handler', async () => {
      const res = await client().post('/endpoints/my-endpoint/invocations').send(ok).expect(200);
      expect(res.body.predictions).toHaveLength(2);
    });

    it('accepts text/csv through model.fromCsvRow', async () => {
      const res = await client()
        .post('/invocations')
        .set('content-type', 'text/csv')
        .send('1,2,3,4\r\n"5",6,7,8\n\n')
        .expect(200);
      expect(res.body.predictions).toEqual([
        { label: 'small', sum: 10 },
        { label: 'large', sum: 26 },
      ]);
    });

    it('400 MS_RUNTIME_INVALID_CSV names the row that could not be read', async () => {
      const res = await client()
        .post('/invocations')
        .set('content-type', 'text/csv')
        .send('1,2,3,4\n1,2\n')
        .expect(400);
      expect(res.body.error).toMatchObject({ code: 'MS_RUNTIME_INVALID_CSV', path: '/instances/1' });
      expect(res.body.error.message).toContain('row 2');
    });

    it('400 MS_RUNTIME_INVALID_INPUT names the field and gives the schema path', async () => {
      const res = await client()
        .post('/invocations')
        .send({
          instances: [
            [1, 2, 3, 4],
            [1, 2, 'x', 4],
          ],
        })
        .expect(400);
      expect(res.body.error).toMatchObject({
        code: 'MS_RUNTIME_INVALID_INPUT',
        message: 'instances[1][2] must be number',
        path: '/instances/1/2',
      });
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    });

    it('400 when instances is missing, or an unknown field is sent', async () => {
      const missing = await client().post('/invocations').send({ rows: [] }).expect(400);
      expect(missing.body.error).toMatchObject({
        code: 'MS_RUNTIME_INVALID_INPUT',
        path: '/instances',
        message: 'instances is required',
      });
      const extra = await client()
        .post('/invocations')
        .send({ instances: [[1, 2, 3, 4]], debug: true })
        .expect(400);
      expect(extra.body.error).toMatchObject({ path: '/debug', message: 'debug is not allowed' });
    });

    it('400 when there are more instances than maxInstances, or none', async () => {
      const many = await client()
        .post('/invocations')
        .send({
          instances: [
            [1, 2, 3, 4],
            [1, 2, 3, 4],
            [1, 2, 3, 4],
            [1, 2, 3, 4],
          ],
        })
        .expect(400);
      expect(many.body.error.path).toBe('/instances');
      expect(many.body.error.message).toContain('more than 3');
      await client().post('/invocations').send({ instances: [] }).expect(400);
    });

    it('400 MS_RUNTIME_INVALID_JSON on a body that is not JSON', async () => {
      const res = await client()
        .post('/invocations')
        .set('content-type', 'application/json')
        .send('{"instances": [[1,2,')
        .expect(400);
      expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_JSON');
    });

    it('400 (not 500) on numbers JSON cannot hold and on deep nesting', async () => {
      const huge = await client()
        .post('/invocations')
        .set('content-type', 'application/json')
        .send('{"instances":[[1e999,2,3,4]]}')
        .expect(400);
      expect(huge.body.error.path).toBe('/instances/0/0');
      const deep = `{"instances":[${'['.repeat(500)}${']'.repeat(500)}]}`;
      const res = await client().post('/invocations').set('content-type', 'application/json').send(deep).expect(400);
      expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    });

    it('413 MS_RUNTIME_BODY_TOO_LARGE above maxBodyBytes', async () => {
      const body = JSON.stringify({ instances: [[1, 2, 3, 4]], pad: 'x'.repeat(4000) });
      const res = await client().post('/invocations').set('content-type', 'application/json').send(body).expect(413);
      expect(res.body.error.code).toBe('MS_RUNTIME_BODY_TOO_LARGE');
      expect(res.body.error.message).toContain('2048');
    });

    it('415 MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE on other content types', async () => {
      const res = await client().post('/invocations').set('content-type', 'text/plain').send('1,2,3,4').expect(415);
      expect(res.body.error).toMatchObject({ code: 'MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE' });
      expect(res.body.error.message).toContain('application/json or text/csv');
    });

    it('404 JSON with a code for unknown routes', async () => {
      const res = await client().get('/no/such/route').expect(404);
      expect(res.body.error).toMatchObject({ code: 'MS_RUNTIME_NOT_FOUND' });
      expect(res.body.error.message).toContain('GET /no/such/route');
    });

    it('echoes X-Request-Id, takes X-Amzn-Trace-Id, or makes one', async () => {
      const given = await client().post('/invocations').set('x-request-id', 'req-123').send(ok).expect(200);
      expect(given.headers['x-request-id']).toBe('req-123');
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
      const traced = await client().get('/ping').set('x-amzn-trace-id', trace).expect(200);
      expect(traced.headers['x-request-id']).toBe(trace);
      const made = await client().get('/nowhere').expect(404);
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('/health/live and /health/ready answer UP with the model check named', async () => {
      await client().get('/health/live').expect(200, { status: 'UP', state: 'ready' });
      const ready = await client().get('/health/ready').expect(200);
      expect(ready.body).toEqual({ status: 'UP', state: 'ready', checks: [{ name: 'model', status: 'UP' }] });
    });

    it('/openapi.json is OpenAPI 3.1 built from the model schemas', async () => {
      const res = await client().get('/openapi.json').expect(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(res.body.components.schemas.Instance).toEqual(modelSum().model.instanceSchema);
      expect(res.body.components.schemas.InvocationRequest.properties.instances.maxItems).toBe(3);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/invocations', '/endpoints/{name}/invocations', '/ping', '/health/ready', '/metrics']),
      );
    });

    it('/docs is one self-contained HTML page with the spec inside', async () => {
      const res = await client().get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
      expect(res.text).toContain('"openapi":"3.1.0"');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    });
  });

  it('/metrics exposes request, model and process metrics', async () => {
    await request(socket.url).post('/invocations').send(ok).expect(200);
    const res = await request(socket.url).get('/metrics').expect(200);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{route="\/invocations",method="POST",status_code="200"\} [1-9]/,
    );
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{route="\/invocations",method="POST",status_code="400"\} [1-9]/,
    );
    expect(res.text).toMatch(/model_predict_duration_seconds_count\{source="model"\} [1-9]/);
    expect(res.text).toMatch(/model_batch_size_count [1-9]/);
    expect(res.text).toMatch(/^http_requests_in_flight 1$/m); // the scrape itself
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('nodejs_eventloop_lag_seconds');
    // Unknown URLs share one label value: no cardinality explosion.
    expect(res.text).toMatch(/route="unmatched",method="GET",status_code="404"/);
    expect(res.text).not.toContain('/no/such/route');
  });
});

describe('model failures', () => {
  it('500 MS_RUNTIME_PREDICT_FAILED when the model throws, without stack or internals', async () => {
    const service = createService({ model: modelThrowsOnPredict(), logger: silentLogger() });
    const { url } = await started(service);
    try {
      for (const client of [request(url), request(service.app)]) {
        const res = await client.post('/invocations').send(ok).expect(500);
        expect(res.body.error.code).toBe('MS_RUNTIME_PREDICT_FAILED');
        expect(res.body.error.message).toContain(res.headers['x-request-id']);
        expect(res.text).not.toMatch(/secret|at .*\.ts|tensor/);
      }
    } finally {
      await service.close();
    }
  });

  it('422 MS_RUNTIME_INVALID_OUTPUT when predictions fail the schema; the answer is withheld', async () => {
    const service = createService({ model: modelBadOutput(), logger: silentLogger() });
    const { url } = await started(service);
    try {
      const res = await request(url).post('/invocations').send(ok).expect(422);
      expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_OUTPUT');
      expect(res.text).not.toContain('internal-tensor-dump');
      const metrics = await request(url).get('/metrics');
      expect(metrics.text).toMatch(/model_invalid_output_total 1/);
    } finally {
      await service.close();
    }
  });

  it('422 when the model returns the wrong number of predictions', async () => {
    const service = createService({ model: modelBadOutput('wrong-count'), logger: silentLogger() });
    await service.start();
    const res = await request(service.app).post('/invocations').send(ok).expect(422);
    expect(res.body.error.code).toBe('MS_RUNTIME_INVALID_OUTPUT');
    await service.close();
  });
});

describe('user routes and middleware', () => {
  it('routes added to app after createService work, and their errors become JSON', async () => {
    const service = createService({ model: modelSum().model, logger: silentLogger() });
    service.app.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    service.app.get('/boom', () => {
      throw new Error('secret db password in message');
    });
    const { url } = await started(service);
    try {
      await request(url).get('/hello').expect(200, { hello: 'world' });
      const boom = await request(url).get('/boom').expect(500);
      expect(boom.body.error.code).toBe('MS_RUNTIME_INTERNAL');
      expect(boom.text).not.toContain('secret');
      const metrics = await request(url).get('/metrics');
      expect(metrics.text).toMatch(/route="\/hello",method="GET",status_code="200"/);
      expect(service.fastPath).toBe(true);
    } finally {
      await service.close();
    }
  });

  it('middleware from configure() runs before the hot routes and turns the fast path off', async () => {
    const seen: string[] = [];
    const service = createService({
      model: modelSum().model,
      logger: silentLogger(),
      configure(app) {
        app.use((req, res, next) => {
          seen.push(`${req.method} ${req.path}`);
          if (req.headers.authorization !== 'Bearer good') {
            res.status(401).json({ error: { code: 'UNAUTHORIZED' } });
            return;
          }
          next();
        });
      },
    });
    const { url } = await started(service);
    try {
      expect(service.fastPath).toBe(false);
      await request(url).post('/invocations').send(ok).expect(401);
      await request(url).get('/ping').expect(401);
      const res = await request(url).post('/invocations').set('authorization', 'Bearer good').send(ok).expect(200);
      expect(res.body.predictions).toHaveLength(2);
      expect(seen).toEqual(['POST /invocations', 'GET /ping', 'POST /invocations']);
    } finally {
      await service.close();
    }
  });

  it('a body already parsed by user middleware (express.json) is used as is', async () => {
    const service = createService({
      model: modelSum().model,
      logger: silentLogger(),
      configure(app) {
        app.use(express.json());
      },
    });
    await service.start();
    const res = await request(service.app).post('/invocations').send(ok).expect(200);
    expect(res.body.predictions).toHaveLength(2);
    const bad = await request(service.app)
      .post('/invocations')
      .set('content-type', 'application/json')
      .send('{oops')
      .expect(400);
    expect(bad.body.error.code).toBe('MS_RUNTIME_INVALID_JSON');
    await service.close();
  });

  it('fastPath: false serves everything through Express', async () => {
    const service = createService({ model: modelSum().model, logger: silentLogger(), fastPath: false });
    const { url } = await started(service);
    try {
      expect(service.fastPath).toBe(false);
      await request(url).post('/invocations').send(ok).expect(200);
    } finally {
      await service.close();
    }
  });
});

describe('model definition checks', () => {
  it('refuses a model without predict or schemas, naming what is missing', () => {
    expect(() => createService({ model: { name: 'x', version: '1' } as never })).toThrow(
      /MS_RUNTIME_MODEL_DEFINITION_INVALID|predict must be a function/,
    );
  });

  it('refuses a schema that does not compile, naming the schema', () => {
    const { model } = modelSum({ instanceSchema: { type: 'no-such-type' } });
    expect(() => createService({ model, logger: silentLogger() })).toThrow(
      /instance schema of model "sum" does not compile/,
    );
  });
});
