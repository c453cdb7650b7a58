// The SageMaker container contract logic against plain local HTTP servers on
// 127.0.0.1 (no container needed): what passes, and each way it fails with a
// message and a fix. Time limits are small here so failures come quickly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { checkContract, httpCall } from '../../src/checks/image-contract.js';

const SAMPLE = '{"instances":[{"x":1}]}';
const servers: Server[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const healthy = (req: IncomingMessage, res: ServerResponse, body: string) => {
  if (req.url === '/ping') return void res.writeHead(200).end('{"status":"UP"}');
  if (req.url === '/invocations' && req.method === 'POST') {
    const n = (JSON.parse(body) as { instances: unknown[] }).instances.length;
    return void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ predictions: Array(n).fill(1) }));
  }
  res.writeHead(404).end();
};

describe('checkContract', () => {
  it('passes: /ping 200 fast and steady, /invocations answers the sample', async () => {
    const port = await serve(healthy);
    const r = await checkContract({ host: '127.0.0.1', port }, { sample: SAMPLE, startupTimeoutMs: 5000 });
    expect(r.ok).toBe(true);
    expect(r.failure).toBeUndefined();
    expect(r.pingMs).toHaveLength(3);
    expect(r.invocation).toMatchObject({ status: 200, bodyPreview: '{"predictions":[1]}' });
  });

  it('passes after a slow start: 503 while loading, then 200', async () => {
    let pings = 0;
    const port = await serve((req, res, body) => {
      if (req.url === '/ping' && ++pings <= 3) return void res.writeHead(503).end('{"status":"starting"}');
      healthy(req, res, body);
    });
    const r = await checkContract(
      { host: '127.0.0.1', port },
      { sample: SAMPLE, startupTimeoutMs: 10_000, pollMs: 10 },
    );
    expect(r.ok).toBe(true);
    expect(pings).toBeGreaterThan(3);
  });

  it('port: nothing answers, and the process is seen listening on 9090 -> fails fast naming 9090', async () => {
    const port = await closedPort();
    const r = await checkContract(
      { host: '127.0.0.1', port },
      { sample: SAMPLE, startupTimeoutMs: 60_000, pollMs: 100, listeningPorts: async () => [9090] },
    );
    expect(r.ok).toBe(false);
    expect(r.failure!.step).toBe('port');
    expect(r.failure!.message).toBe('nothing listens on port 8080; the container listens on 9090');
    expect(r.failure!.fix).toContain('listen on 0.0.0.0:8080');
  });

  it('port: nothing listens at all until the start-up limit', async () => {
    const port = await closedPort();
    const r = await checkContract({ host: '127.0.0.1', port }, { sample: SAMPLE, startupTimeoutMs: 300, pollMs: 50 });
    expect(r.failure).toMatchObject({ step: 'port', message: 'nothing listens on port 8080 after 0.3 s' });
  });

  it('ping-slow: /ping takes longer than the per-ping limit', async () => {
    const port = await serve((req, res, body) => {
      if (req.url === '/ping') return void setTimeout(() => res.writeHead(200).end('{}'), 400);
      healthy(req, res, body);
    });
    const r = await checkContract(
      { host: '127.0.0.1', port },
      { sample: SAMPLE, startupTimeoutMs: 500, pingLimitMs: 100, pollMs: 50 },
    );
    expect(r.failure!.step).toBe('ping-slow');
    expect(r.failure!.message).toContain('GET /ping did not answer within 0.1 s');
    expect(r.failure!.fix).toMatch(/from memory/);
  });

  it('ping: /ping keeps answering 503 (model never loaded)', async () => {
    const port = await serve(
      (req, res) => void res.writeHead(503).end('{"status":"DOWN","reason":"MS_RUNTIME_MODEL_LOAD_FAILED"}'),
    );
    const r = await checkContract({ host: '127.0.0.1', port }, { sample: SAMPLE, startupTimeoutMs: 300, pollMs: 50 });
    expect(r.failure!.step).toBe('ping');
    expect(r.failure!.message).toMatch(/^GET \/ping answered HTTP 503 instead of 200 .*MS_RUNTIME_MODEL_LOAD_FAILED/);
  });

  it('invocations: the sample request is refused', async () => {
    const port = await serve((req, res, body) => {
      if (req.url === '/invocations')
        return void res.writeHead(400).end('{"error":{"code":"MS_RUNTIME_INVALID_INPUT","path":"/instances/0/x"}}');
      healthy(req, res, body);
    });
    const r = await checkContract({ host: '127.0.0.1', port }, { sample: SAMPLE, startupTimeoutMs: 2000 });
    expect(r.failure!.step).toBe('invocations');
    expect(r.failure!.message).toContain('POST /invocations with the sample request answered HTTP 400');
    expect(r.failure!.message).toContain('MS_RUNTIME_INVALID_INPUT');
    expect(r.invocation!.status).toBe(400);
  });

  it('exited: the process ended before /ping answered; its output is shown', async () => {
    const port = await closedPort();
    const r = await checkContract(
      { host: '127.0.0.1', port },
      {
        sample: SAMPLE,
        startupTimeoutMs: 60_000,
        exited: () => ({ code: 1, output: "Error: Cannot find module '/opt/ml/code/dist/server.js'\n" }),
      },
    );
    expect(r.failure!.step).toBe('exited');
    expect(r.failure!.message).toContain('exited (code 1)');
    expect(r.failure!.message).toContain('Cannot find module');
  });

  it('calls beforeInvoke right before POST /invocations (the logs check reads output from there)', async () => {
    const seen: string[] = [];
    const port = await serve((req, res, body) => {
      seen.push(req.url!);
      healthy(req, res, body);
    });
    await checkContract({ host: '127.0.0.1', port }, { sample: SAMPLE, beforeInvoke: () => seen.push('beforeInvoke') });
    expect(seen.slice(-2)).toEqual(['beforeInvoke', '/invocations']);
  });
});

describe('httpCall', () => {
  it('reports refused and timeout as such', async () => {
    expect((await httpCall({ host: '127.0.0.1', port: await closedPort() }, 'GET', '/ping', 1000)).error).toBe(
      'refused',
    );
    const port = await serve(() => undefined);
    expect((await httpCall({ host: '127.0.0.1', port }, 'GET', '/ping', 50)).error).toBe('timeout');
  });
});
