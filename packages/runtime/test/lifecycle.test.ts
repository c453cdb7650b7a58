// Graceful SIGTERM with a real child process: requests accepted before the signal finish
// with their normal answer, connections close politely, the process exits 0; a bad config
// stops the start with one message and a non-zero code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { bundleFixture, type BundledFixture } from './helpers/bundle-fixture.js';
import { freePort } from './helpers/free-port.js';

let fixture: BundledFixture;
let entry: string;

beforeAll(async () => {
  fixture = await bundleFixture('serve-model-slow-predict', 'lifecycle');
  entry = fixture.entry;
});
afterAll(() => fixture.remove());

interface Child {
  proc: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; ms: number }>;
  signalledAt: () => number;
}

function start(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  let signalled = 0;
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) => {
    proc.on('exit', (code) => resolve({ code, ms: Date.now() - signalled }));
  });
  const kill = proc.kill.bind(proc);
  proc.kill = (sig?: NodeJS.Signals | number) => {
    signalled = Date.now();
    return kill(sig);
  };
  return { proc, stderr: () => err, exit, signalledAt: () => signalled };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function call(port: number, agent: http.Agent, method: string, path: string, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const up = (port: number) =>
  call(port, new http.Agent(), 'GET', '/ping').then(
    (r) => r.status === 200,
    () => false,
  );

describe('graceful SIGTERM', () => {
  it('finishes every accepted request, closes keep-alive politely, exits 0', async () => {
    const port = await freePort();
    const child = start({ PORT: String(port), FIXTURE_DELAY_MS: '400', MS_DRAIN_TIMEOUT_MS: '10000' });
    try {
      await until('ready', () => up(port));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
      // One idle keep-alive connection before the signal...
      expect((await call(port, agent, 'GET', '/ping')).status).toBe(200);
      const closedIdle = new Promise<void>((resolve) => {
        for (const sockets of Object.values(agent.freeSockets))
          for (const s of sockets ?? []) s.once('close', () => resolve());
      });
      // ...and five requests in flight inside the model.
      const inflight = [1, 2, 3, 4, 5].map((n) =>
        call(port, agent, 'POST', '/invocations', JSON.stringify({ instances: [[n, 0, 0, 0]] })),
      );
      await until('5 predicts in flight', () => (child.stderr().match(/predict-start/g) ?? []).length >= 5);
      child.proc.kill('SIGTERM');
      const answers = await Promise.all(inflight);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.map((a) => JSON.parse(a.body).predictions[0].sum)).toEqual([1, 2, 3, 4, 5]);
      // Busy connections were told to close after their answer.
      expect(answers.every((a) => a.headers.connection === 'close')).toBe(true);
      await closedIdle;
      const { code, ms } = await child.exit;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10000);
      expect(child.stderr()).not.toMatch(/Error|at .*\.js/);
      agent.destroy();
    } finally {
      child.proc.kill('SIGKILL');
    }
  });

  it('a drain longer than MS_DRAIN_TIMEOUT_MS cuts the rest and exits 1', async () => {
    const port = await freePort();
    const child = start({
      PORT: String(port),
      FIXTURE_DELAY_MS: '20000',
      MS_DRAIN_TIMEOUT_MS: '300',
      MS_PREDICT_TIMEOUT_MS: '55000',
    });
    try {
      await until('ready', () => up(port));
      const stuck = call(
        port,
        new http.Agent(),
        'POST',
        '/invocations',
        JSON.stringify({ instances: [[1, 1, 1, 1]] }),
      ).then(
        () => 'answered',
        (e: Error) => e.message,
      );
      await until('predict in flight', () => child.stderr().includes('predict-start'));
      child.proc.kill('SIGTERM');
      const { code, ms } = await child.exit;
      expect(code).toBe(1);
      expect(ms).toBeLessThan(5000);
      expect(await stuck).toMatch(/socket hang up|ECONNRESET/);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });
});

describe('start-up configuration errors', () => {
  it('a bad variable stops the start: one message naming it, no stack, exit code 1', async () => {
    const child = start({ PORT: '8080', MS_CACHE: 'disk' });
    const { code } = await child.exit;
    expect(code).toBe(1);
    expect(child.stderr()).toContain('[MS_RUNTIME_CONFIG_INVALID]');
    expect(child.stderr()).toContain('MS_CACHE="disk" is not allowed; use one of off, memory, redis.');
    expect(child.stderr()).not.toMatch(/\n\s+at /);
  });

  it('a port another process holds stops the start: one line naming PORT, no stack, exit code 1', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const child = start({ PORT: String(taken), LOG_LEVEL: 'silent' });
      const { code } = await child.exit;
      expect(code).toBe(1);
      expect(child.stderr()).toBe(
        `model-service: [MS_RUNTIME_CONFIG_INVALID] Invalid configuration: PORT=${taken} is already in use on 127.0.0.1; stop the process that holds it, or set PORT to a free port (PORT=0 picks one).\n`,
      );
    } finally {
      holder.close();
    }
  });

  it('a model file whose sha256 differs from MS_MODEL_SHA256 stops the start: exit 1, file and hashes named', async () => {
    const dir = join(dirname(entry), 'artifact');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'model.bin');
    writeFileSync(file, 'not the trained weights');
    const child = start({ PORT: '8080', MS_MODEL_PATH: file, MS_MODEL_SHA256: '0'.repeat(64) });
    const { code } = await child.exit;
    expect(code).toBe(1);
    expect(child.stderr()).toContain('[MS_RUNTIME_MODEL_HASH_MISMATCH]');
    expect(child.stderr()).toContain(
      `Model file ${file} has sha256 ${createHash('sha256').update('not the trained weights').digest('hex')}`,
    );
    expect(child.stderr()).not.toMatch(/\n\s+at /);
    expect(child.stderr()).not.toContain('predict-start');
  });
});
