// Malformed requests over a raw socket, on the fast path and through Express: every one
// gets a 4xx with a stable code (never a 5xx, never a dropped connection), the in-flight
// gauge returns to idle, and the server still answers afterwards.
import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { createService } from '../src/create-service.js';
import { modelSum } from './fixtures/model-sum.js';
import { silentLogger } from './helpers/memory-logger.js';

function send(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    sock.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR ${e.code ?? ''}`));
    sock.on('close', () => resolve(out));
    sock.end(text);
  });
}

const bodies = [
  '',
  '{',
  'null',
  '[]',
  '"instances"',
  '{"instances":null}',
  '{"instances":{}}',
  '{"instances":[[1,2,3,4]],"x":1}',
  '{"instances":[[1e999,1,1,1]]}',
  '{"instances":[[1,2,3]]}',
  '{"instances":[["1","2","3","4"]]}',
  '{"instances":[{"a":1}]}',
  `{"instances":[${'['.repeat(5000)}${']'.repeat(5000)}]}`,
  '{"instances":[[1,2,3,4]]}'.repeat(3),
  'x'.repeat(3000),
  '{"__proto__":{"polluted":1},"instances":[[1,2,3,4,5]]}',
  `{"instances":[${Array(70).fill('[1,2,3,4]').join(',')}]}`,
  '\u0000\u0001\u0002',
  '1,2,3',
  '1,2,3,4,5\n"unterminated',
];
const types = [
  'application/json',
  'text/csv',
  'text/plain',
  '',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
];

describe.each([true, false])('malformed requests (fastPath: %s)', (fastPath) => {
  it('answer 4xx with a code, never 5xx, and the server keeps serving', async () => {
    const service = createService({
      model: modelSum().model,
      logger: silentLogger(),
      maxBodyBytes: 2048,
      fastPath,
      cache: { kind: 'memory' },
    });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      const statuses: Record<string, number> = {};
      for (const body of bodies) {
        for (const type of types) {
          const head = `POST /invocations HTTP/1.1\r\nHost: t\r\n${type ? `Content-Type: ${type}\r\n` : ''}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
          const out = await send(port, head + body);
          const status = out.slice(9, 12);
          statuses[status] = (statuses[status] ?? 0) + 1;
          expect([status, out.slice(0, 200)]).toEqual([expect.stringMatching(/^(200|4\d\d)$/), expect.any(String)]);
          if (status !== '200') expect(out).toMatch(/"code":"MS_RUNTIME_[A-Z_]+"/);
        }
      }
      expect(statuses['400']).toBeGreaterThan(50);
      expect(statuses['413']).toBeGreaterThan(0);
      expect(statuses['415']).toBeGreaterThan(0);
      // Chunked body larger than the limit, a lying Content-Length, a hostile request id.
      const chunked = await send(
        port,
        `POST /invocations HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(3000).toString(16)}\r\n${'a'.repeat(3000)}\r\n0\r\n\r\n`,
      );
      expect(chunked).toMatch(/^HTTP\/1.1 413/);
      const lying = await send(
        port,
        'POST /invocations HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n{}',
      );
      expect(lying).toMatch(/^HTTP\/1.1 413/);
      const hostileId = await send(
        port,
        'POST /invocations HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Request-Id: a\u00ffb\r\nContent-Length: 25\r\nConnection: close\r\n\r\n{"instances":[[1,2,3,4]]}',
      );
      expect(hostileId).toMatch(/^HTTP\/1.1 200/);
      expect(hostileId).toMatch(/x-request-id: [0-9a-f-]{36}\r\n/i);
      // Still serving, and nothing left counted in flight (this /metrics request aside).
      const ok = await fetch(`http://127.0.0.1:${port}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"instances":[[1,2,3,4]]}',
      });
      expect(ok.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^http_requests_in_flight 1$/m);
      expect(metrics).not.toMatch(/status_code="5\d\d"/);
    } finally {
      await service.close();
    }
  });
});
