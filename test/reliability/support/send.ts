// Sends one generated case over a real socket and reports what came back, never throwing:
// an HTTP case through node:http (keep-alive agent), a raw case as bytes on a TCP socket.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { HttpCase, RawCase } from './malformed-requests.js';

export interface Outcome {
  status?: number;
  body?: string;
  /** Client-side error code when no complete answer arrived (ECONNRESET, EPIPE, TIMEOUT, ...). */
  error?: string;
}

export function sendHttp(port: number, agent: Agent, c: HttpCase, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let status: number | undefined;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const headers: Record<string, string | number> = { ...c.headers };
    const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
    if (body && !c.chunked) headers['content-length'] = body.length;
    const req = request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent }, (res) => {
      status = res.statusCode;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => done({ status, error: err.code ?? err.message }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    });
    // The server may answer (413) and close before the upload ends: keep the status it sent.
    req.on('error', (err: NodeJS.ErrnoException) => done({ status, error: err.code ?? err.message }));
    if (body && c.chunked) {
      const half = body.length >> 1;
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else req.end(body);
  });
}

export function sendRaw(port: number, c: RawCase, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(
        m
          ? { status: Number(m[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }
          : { error: error ?? 'NO_RESPONSE' },
      );
    };
    const timer = setTimeout(() => done('TIMEOUT'), timeoutMs);
    socket.on('connect', () => {
      socket.write(c.bytes);
      // Half-close: a server waiting for the rest of a truncated body learns there is none.
      socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => done());
    socket.on('close', () => done());
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
