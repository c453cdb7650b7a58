// The default log destination (batched async writes to a file descriptor) and the access
// line that skips pino's serializer: same bytes as pino, every line arrives, memory is bounded.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogDestination } from '../src/log-destination.js';
import { accessLineWriter, createLogger } from '../src/logger.js';

let dir: string;
let file: string;
let fd: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-logs-'));
  file = join(dir, 'out.log');
  fd = openSync(file, 'w');
});

afterEach(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const flushed = (dest: { flush(cb: (err?: Error) => void): void }) =>
  new Promise<void>((resolve, reject) => dest.flush((err) => (err ? reject(err) : resolve())));

const linesOf = () =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogDestination', () => {
  it('writes every line, in order, across turns and while a write is in flight', async () => {
    const dest = createLogDestination({ fd });
    for (let turn = 0; turn < 20; turn += 1) {
      for (let i = 0; i < 50; i += 1) dest.write(`${JSON.stringify({ n: turn * 50 + i })}\n`);
      await new Promise((r) => setImmediate(r));
    }
    await flushed(dest);
    expect(linesOf().map((l) => l.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(dest.dropped).toBe(0);
  });

  it('keeps order across 64 KiB chunks, with a line longer than a chunk in the middle', async () => {
    const dest = createLogDestination({ fd });
    const pad = 'é'.repeat(40); // multi-byte: chunk accounting is in bytes, not characters
    for (let i = 0; i < 1500; i += 1) dest.write(`${JSON.stringify({ n: i, pad })}\n`);
    dest.write(`${JSON.stringify({ n: 1500, pad: 'x'.repeat(100_000) })}\n`);
    for (let i = 1501; i < 3000; i += 1) dest.write(`${JSON.stringify({ n: i, pad })}\n`);
    await flushed(dest);
    const lines = linesOf();
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(lines[7]!.pad).toBe(pad);
    expect((lines[1500]!.pad as string).length).toBe(100_000);
  });

  it('shows a lone line within the flush interval, without an explicit flush', async () => {
    const dest = createLogDestination({ fd });
    dest.write('{"alone":true}\n');
    for (let i = 0; i < 200 && readFileSync(file, 'utf8') === ''; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(linesOf()).toEqual([{ alone: true }]);
  });

  it('drops (and counts) lines beyond maxBufferedBytes instead of growing without bound', async () => {
    const dest = createLogDestination({ fd, maxBufferedBytes: 1000 });
    for (let i = 0; i < 100; i += 1) dest.write(`${JSON.stringify({ n: i, pad: 'x'.repeat(80) })}\n`);
    await flushed(dest);
    const kept = linesOf().length;
    expect(dest.dropped).toBe(100 - kept);
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThan(20);
  });

  it('flushSync writes what is pending at once (exit paths)', () => {
    const dest = createLogDestination({ fd });
    dest.write('{"a":1}\n');
    dest.write('{"b":2}\n');
    dest.flushSync();
    expect(linesOf()).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('writes pending lines when the process exits (process.exit right after logging)', () => {
    // The built module (scripts/test.sh builds before Jest), in a real child process.
    const dist = new URL('../dist/log-destination.js', import.meta.url).href;
    const script = `import { createLogDestination } from ${JSON.stringify(dist)};
      const d = createLogDestination({ fd: 1, flushIntervalMs: 60000 });
      d.write('{"last":"words"}\\n');
      process.exit(3);`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.status).toBe(3);
    expect(out.stdout).toBe('{"last":"words"}\n');
  });

  it('flush(cb) reports a dead file descriptor instead of hanging', async () => {
    const dead = openSync(file, 'r'); // read-only: every write fails with EBADF
    const dest = createLogDestination({ fd: dead });
    dest.write('{"lost":true}\n');
    await expect(flushed(dest)).rejects.toThrow(/EBADF/);
    closeSync(dead);
  });
});

describe('accessLineWriter', () => {
  it("writes the same JSON line as createLogger's pino would, fields and order", async () => {
    const dest = createLogDestination({ fd });
    const logger = createLogger('info', dest);
    const fields = { reqId: 'id "with" \\ quotes', method: 'POST', route: '/invocations', status: 200, ms: 1.3 };
    logger.info(fields, 'request');
    accessLineWriter(dest)(30, fields);
    logger.debug(fields, 'request'); // below the level: not written by pino...
    await flushed(dest);
    const [fromPino, fromWriter] = readFileSync(file, 'utf8').split('\n');
    const withoutTime = (line: string) => line!.replace(/"time":\d+/, '"time":0');
    expect(withoutTime(fromWriter!)).toBe(withoutTime(fromPino!));
    expect(JSON.parse(fromWriter!)).toMatchObject({ level: 30, pid: process.pid, reqId: fields.reqId, msg: 'request' });
  });
});
