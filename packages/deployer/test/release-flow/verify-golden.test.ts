// tests/golden.jsonl as verify reads it, and the comparison it replays with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_GOLDEN_TOLERANCE,
  goldenMismatch,
  loadGoldenSet,
  runGoldenCheck,
} from '../../src/checks/verify-golden.js';
import type { ProbeResult } from '../../src/checks/verify-probe.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-golden-unit-'));
  await mkdir(join(dir, 'tests'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(text: string) {
  await writeFile(join(dir, 'g.jsonl'), text);
  return loadGoldenSet(dir, 'g.jsonl');
}

const answer = (status: number, body: unknown): ProbeResult => ({
  status,
  ms: 1,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('loadGoldenSet', () => {
  it('reads tests/golden.jsonl by default, with line numbers and the default tolerance', async () => {
    await writeFile(
      join(dir, 'tests', 'golden.jsonl'),
      '{"request":{"instances":[[1]]},"response":{"predictions":[0.5]},"tolerance":0.01}\n\n{"request":{"instances":[[2]]},"response":{"predictions":[1]}}\n',
    );
    const set = await loadGoldenSet(dir);
    expect(set).toMatchObject({ kind: 'ok', path: join(dir, 'tests', 'golden.jsonl') });
    expect(set.kind === 'ok' && set.lines.map((l) => [l.line, l.tolerance])).toEqual([
      [1, 0.01],
      [3, DEFAULT_GOLDEN_TOLERANCE],
    ]);
  });

  it.each([
    ['missing', undefined, 'missing', /cannot be read \(ENOENT\)/],
    ['empty', '\n\n', 'invalid', /is empty/],
    ['not JSON', '{"request":', 'invalid', /g\.jsonl:1 is not JSON/],
    ['no response', '{"request":{}}', 'invalid', /:1 needs "request" and "response"/],
    ['bad tolerance', '{"request":{},"response":{},"tolerance":-1}', 'invalid', /"tolerance" must be a number >= 0/],
    [
      'the placeholder',
      '{"placeholder":true,"artifact":"model/m.onnx","message":"put real answers here"}',
      'placeholder',
      /placeholder \(put real answers here\)/,
    ],
  ])('reports %s', async (_case, text, kind, reason) => {
    const set = text === undefined ? await loadGoldenSet(dir, 'nope.jsonl') : await load(text);
    expect(set.kind).toBe(kind);
    expect(set.kind !== 'ok' && set.reason).toMatch(reason);
  });
});

describe('goldenMismatch', () => {
  it('accepts numbers within the tolerance and names the first difference by path', () => {
    expect(
      goldenMismatch({ predictions: [{ p: 0.25, label: 'a' }] }, { predictions: [{ p: 0.2500004, label: 'a' }] }, 1e-6),
    ).toBeUndefined();
    expect(goldenMismatch({ predictions: [{ p: 0.25 }] }, { predictions: [{ p: 0.2501 }] }, 1e-6)).toBe(
      '$.predictions[0].p: expected 0.25 (±0.000001), served 0.2501',
    );
    expect(goldenMismatch({ predictions: ['a', 'b'] }, { predictions: ['a'] }, 0)).toMatch(
      /^\$\.predictions: expected 2 items/,
    );
    expect(goldenMismatch({ predictions: ['a'] }, { predictions: ['a'], source: 'fallback' }, 0)).toBe(
      '$.source: expected undefined, served "fallback"',
    );
    expect(goldenMismatch(1, '1', 0)).toMatch(/served "1"/);
  });
});

describe('runGoldenCheck', () => {
  const ok = {
    kind: 'ok' as const,
    path: 'tests/golden.jsonl',
    lines: [
      { line: 1, request: { instances: [[1]] }, response: { predictions: [0.5] }, tolerance: 1e-6 },
      { line: 2, request: { instances: [[2]] }, response: { predictions: [1] }, tolerance: 0 },
    ],
  };

  it('passes when every answer matches, sending each request body as is', async () => {
    const sent: string[] = [];
    const result = await runGoldenCheck(
      ok,
      async (body) => (sent.push(body), answer(200, { predictions: [body.includes('[[1]]') ? 0.5000001 : 1] })),
    );
    expect(result).toEqual({ status: 'pass', message: '2/2 golden answers match (tests/golden.jsonl)' });
    expect(sent).toEqual(['{"instances":[[1]]}', '{"instances":[[2]]}']);
  });

  it('fails with the line, the path and what to do on a different answer, an error status or a non-JSON body', async () => {
    const answers = [
      answer(200, { predictions: [0.6] }),
      answer(503, '{"error":{"code":"MS_PROXY_ENDPOINT_UNAVAILABLE"}}'),
    ];
    const result = await runGoldenCheck(ok, async () => answers.shift()!);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(
      /^2\/2 golden answers differ: line 1: \$\.predictions\[0\]: expected 0\.5 .*; line 2: HTTP 503/,
    );
    expect(result.fix).toMatch(/not the trained one/);
    const garbled = await runGoldenCheck(ok, async () => answer(200, 'not json'));
    expect(garbled.message).toMatch(/line 1: the answer is not JSON/);
  });

  it('fails on a file that is not usable and skips (saying so) only when asked', async () => {
    expect(
      await runGoldenCheck(
        { kind: 'placeholder', path: 'x', reason: "x is still the generator's placeholder" },
        async () => answer(200, {}),
      ),
    ).toMatchObject({ status: 'fail', fix: expect.stringContaining('tests/golden.jsonl') });
    expect(await runGoldenCheck(undefined, async () => answer(200, {}))).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('--skip-golden'),
    });
  });
});
