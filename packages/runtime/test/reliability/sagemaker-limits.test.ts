// The SageMaker container contract's limits, over real sockets: bodies over the limit refused
// before they are read (or as soon as they cross it), refusals that close the connection
// instead of draining it, slow and idle clients cut by timeouts, a connection cap, CSV that
// stops at maxInstances + 1 rows, and deadlines that fit inside SageMaker's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createService, DEFAULTS } from '../../src/create-service.js';
import { loadConfig } from '../../src/config.js';
import { RuntimeError } from '../../src/errors.js';
import { modelSum } from '../fixtures/model-sum.js';
import { silentLogger } from '../helpers/memory-logger.js';
import { openRaw, write, type RawExchange } from '../helpers/raw-socket.js';

const MAX_INSTANCES = 64;
const MiB = 1024 * 1024;

async function started(options: Partial<Parameters<typeof createService>[0]> = {}) {
  const sum = modelSum();
  let csvRows = 0;
  const fromCsvRow = sum.model.fromCsvRow!;
  sum.model.fromCsvRow = (cells) => {
    csvRows += 1;
    return fromCsvRow(cells);
  };
  const service = createService({ model: sum.model, logger: silentLogger(), maxInstances: MAX_INSTANCES, ...options });
  const { port } = await service.listen(0, '127.0.0.1');
  return { service, port, csvRows: () => csvRows };
}

function head(path: string, headers: Record<string, string | number>): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
}

function errorCodeOf(text: string): string | undefined {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return /"code":"([A-Z_]+)"/.exec(body)?.[1];
}

/** Writes `total` bytes of body in 64 KiB pieces until done or the server closes; returns the bytes written. */
async function writeBody(raw: RawExchange, total: number, byte = 'a'): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, byte);
  let sent = 0;
  while (sent < total) {
    const n = Math.min(piece.length, total - sent);
    if (!(await write(raw.socket, piece.subarray(0, n)))) break;
    sent += n;
  }
  return sent;
}

describe('body limits (default 6 MiB, SageMaker real-time payload cap)', () => {
  let s: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    s = await started();
  });
  afterAll(() => s.service.close());

  it('defaults to 6 MiB, through createService and through the environment', () => {
    expect(DEFAULTS.maxBodyBytes).toBe(6 * MiB);
    expect(loadConfig({}).MS_MAX_BODY_BYTES).toBe(6 * MiB);
  });

  it('refuses a declared Content-Length over the limit with 413 before reading a byte of body, and closes', async () => {
    const raw = await openRaw(s.port);
    await write(
      raw.socket,
      head('/invocations', { 'content-type': 'application/json', 'content-length': 6 * MiB + 1 }),
    );
    const text = await raw.waitFor('\r\n\r\n');
    expect(statusOf(text)).toBe(413);
    await raw.closed;
    expect(errorCodeOf(raw.received())).toBe('MS_RUNTIME_BODY_TOO_LARGE');
    expect(raw.received().toLowerCase()).toContain('connection: close');
  });

  it('admits a body of exactly the limit (it is parsed, then judged)', async () => {
    const raw = await openRaw(s.port);
    const body = Buffer.alloc(6 * MiB, ' ');
    body.write('{"instances":[[1,2,3,4]]}');
    await write(
      raw.socket,
      head('/invocations', { 'content-type': 'application/json', 'content-length': body.length }),
    );
    await write(raw.socket, body);
    const text = await raw.waitFor('"predictions"');
    expect(statusOf(text)).toBe(200);
    raw.socket.destroy();
  });

  it('refuses a chunked body as soon as it crosses the limit, without waiting for its end, and closes', async () => {
    const raw = await openRaw(s.port);
    await write(
      raw.socket,
      head('/invocations', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
    );
    // One chunk over the limit; the final 0-chunk is never sent.
    const chunk = Buffer.alloc(6 * MiB + 1024, ' ');
    await write(raw.socket, `${chunk.length.toString(16)}\r\n`);
    await write(raw.socket, chunk);
    const text = await raw.waitFor('\r\n\r\n');
    expect(statusOf(text)).toBe(413);
    await raw.closed;
  });

  it('answers 415 to an unsupported Content-Type at once and closes instead of draining a 64 MiB body', async () => {
    const raw = await openRaw(s.port);
    await write(raw.socket, head('/invocations', { 'content-type': 'text/plain', 'content-length': 64 * MiB }));
    const text = await raw.waitFor('\r\n\r\n');
    expect(statusOf(text)).toBe(415);
    expect(text.toLowerCase()).toContain('connection: close');
    // Keep sending: a server that drained would read on; this one has closed.
    const sent = await writeBody(raw, 64 * MiB);
    await raw.closed;
    expect(sent).toBeLessThan(64 * MiB);
  });
});

describe('CSV stops at maxInstances + 1 rows', () => {
  let s: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    s = await started();
  });
  afterAll(() => s.service.close());

  async function postCsv(body: string) {
    const raw = await openRaw(s.port);
    await write(
      raw.socket,
      head('/invocations', {
        'content-type': 'text/csv',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      }),
    );
    await write(raw.socket, body);
    await raw.closed;
    return raw.received();
  }

  it.each([
    ['inline', 1_000],
    ['in slices (a 1 MB body)', 65_000],
  ])('refuses %s with 400 naming the limit, before converting any row', async (_how, rows) => {
    const before = s.csvRows();
    const text = await postCsv('5.1,3.5,1.4,0.2\n'.repeat(rows));
    expect(statusOf(text)).toBe(400);
    expect(errorCodeOf(text)).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(text).toContain(`must NOT have more than ${MAX_INSTANCES} items`);
    expect(s.csvRows() - before).toBe(0);
  });

  it('still answers exactly maxInstances rows, small and large bodies alike', async () => {
    const small = await postCsv('1,2,3,4\n'.repeat(MAX_INSTANCES));
    expect(statusOf(small)).toBe(200);
    // 64 rows padded with quoted cells past the 64 KiB at which CSV is split in slices.
    const wide = `"${'0'.repeat(2000)}1",2,3,4\n`.repeat(MAX_INSTANCES);
    const large = await postCsv(wide);
    expect(statusOf(large)).toBe(200);
    expect((large.match(/"label"/g) ?? []).length).toBe(MAX_INSTANCES);
  });
});

describe('large JSON bodies', () => {
  let s: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    s = await started();
  });
  afterAll(() => s.service.close());

  async function postJson(body: string) {
    const raw = await openRaw(s.port);
    await write(
      raw.socket,
      head('/invocations', {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      }),
    );
    await write(raw.socket, body);
    await raw.closed;
    return raw.received();
  }

  it('refuses 350,000 instances in 6 MiB with the same 400 as a small body with 65', async () => {
    const row = '[5.1,3.5,1.4,0.2]';
    const big = `{"instances":[${Array(Math.floor((6 * MiB - 20) / (row.length + 1)))
      .fill(row)
      .join(',')}]}`;
    const small = `{"instances":[${Array(MAX_INSTANCES + 1)
      .fill(row)
      .join(',')}]}`;
    const [a, b] = [await postJson(big), await postJson(small)];
    expect(statusOf(a)).toBe(400);
    expect(errorCodeOf(a)).toBe('MS_RUNTIME_INVALID_INPUT');
    expect(a).toContain(`must NOT have more than ${MAX_INSTANCES} items`);
    expect(b).toContain(`must NOT have more than ${MAX_INSTANCES} items`);
  });

  it('answers a valid large body and refuses large invalid JSON with MS_RUNTIME_INVALID_JSON', async () => {
    const pad = ' '.repeat(200 * 1024);
    const ok = await postJson(`{"instances":[[1,2,3,4]]${pad}}`);
    expect(statusOf(ok)).toBe(200);
    expect(ok).toContain('"sum":10');
    const bad = await postJson(`{"instances":[[1,2,3,4]${pad}`);
    expect(statusOf(bad)).toBe(400);
    expect(errorCodeOf(bad)).toBe('MS_RUNTIME_INVALID_JSON');
  });

  it('refuses a large body nested 100,000 deep with a 400, and keeps answering', async () => {
    const deep = await postJson(`{"instances":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`);
    expect(statusOf(deep)).toBe(400);
    expect(errorCodeOf(deep)).toBe('MS_RUNTIME_INVALID_JSON');
    const ok = await postJson(`{"instances":[[1,2,3,4]]${' '.repeat(100 * 1024)}}`);
    expect(statusOf(ok)).toBe(200);
  });
});

describe('slow and idle clients', () => {
  let s: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    s = await started({ headersTimeoutMs: 300, requestTimeoutMs: 1500, bodyIdleTimeoutMs: 300, maxConnections: 4 });
  });
  afterAll(() => s.service.close());

  it('closes a connection that sends nothing after headersTimeoutMs', async () => {
    const raw = await openRaw(s.port);
    await raw.closed;
    expect(statusOf(raw.received())).toBe(408);
  });

  it('answers 408 and closes when a body pauses longer than bodyIdleTimeoutMs', async () => {
    const raw = await openRaw(s.port);
    await write(raw.socket, head('/invocations', { 'content-type': 'application/json', 'content-length': 1000 }));
    await write(raw.socket, '{"instances":');
    await raw.closed;
    expect(statusOf(raw.received())).toBe(408);
  });

  it('answers 408 and closes when a body trickles in for longer than requestTimeoutMs', async () => {
    const raw = await openRaw(s.port);
    await write(raw.socket, head('/invocations', { 'content-type': 'application/json', 'content-length': 100_000 }));
    // A byte every 50 ms never trips the 300 ms idle timeout; the request as a whole is too slow.
    const trickle = setInterval(() => void write(raw.socket, ' '), 50);
    try {
      await raw.closed;
    } finally {
      clearInterval(trickle);
    }
    expect(statusOf(raw.received())).toBe(408);
  });

  it('closes connections over maxConnections as soon as they are accepted, and keeps serving the rest', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => openRaw(s.port)));
    const over = await Promise.all(Array.from({ length: 3 }, () => openRaw(s.port)));
    await Promise.all(over.map((r) => r.closed));
    expect(over.map((r) => r.received())).toEqual(['', '', '']);
    await write(held[0]!.socket, 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(await held[0]!.waitFor('\r\n\r\n'))).toBe(200);
    for (const r of held) r.socket.destroy();
  });
});

describe('deadlines inside SageMaker and the Lambda proxy', () => {
  function refusal(options: Record<string, number>): RuntimeError {
    try {
      createService({ model: modelSum().model, logger: silentLogger(), ...options });
    } catch (err) {
      return err as RuntimeError;
    }
    throw new Error('expected createService to refuse the options');
  }

  it("refuses a predict deadline at or above SageMaker's 60 s, and a drain SIGKILL would cut", () => {
    expect(refusal({ predictTimeoutMs: 60_000 })).toMatchObject({ code: 'MS_RUNTIME_CONFIG_INVALID' });
    expect(refusal({ predictTimeoutMs: 60_000 }).message).toContain('predictTimeoutMs=60000');
    expect(refusal({ drainTimeoutMs: 30_000 }).message).toContain('drainTimeoutMs=30000');
    expect(refusal({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 }).message).toContain(
      'headersTimeoutMs=5000 is longer than requestTimeoutMs=1000',
    );
    expect(() => loadConfig({ MS_PREDICT_TIMEOUT_MS: '60000' })).toThrow(
      /MS_PREDICT_TIMEOUT_MS="60000".*an integer from 1 to 55000/,
    );
    expect(() => loadConfig({ MS_DRAIN_TIMEOUT_MS: '30000' })).toThrow(
      /MS_DRAIN_TIMEOUT_MS="30000".*an integer from 0 to 29000/,
    );
  });
});
