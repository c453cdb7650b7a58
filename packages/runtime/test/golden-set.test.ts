// Golden sets: the line format, the tolerance comparison, and a replay over a real socket that
// passes against the model that recorded the answers and fails against a different one.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService } from '../src/create-service.js';
import { RuntimeError } from '../src/errors.js';
import { compareGolden, parseGoldenSet, readGoldenSet, replayGoldenSet } from '../src/golden-set.js';
import { modelSum, predictSum, type Features } from './fixtures/model-sum.js';
import { silentLogger } from './helpers/memory-logger.js';

function invalid(text: string): RuntimeError {
  try {
    parseGoldenSet(text, 'tests/golden.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('MS_RUNTIME_GOLDEN_SET_INVALID');
    return err as RuntimeError;
  }
  throw new Error('expected the golden set to be refused');
}

describe('parseGoldenSet', () => {
  it('reads one case per line, skips blank lines, keeps line numbers, defaults tolerance to 0', () => {
    const text = [
      '{"request": {"instances": [[1,2,3,4]]}, "response": {"predictions": [{"label":"small","sum":10}]}, "tolerance": 1e-6}',
      '',
      '{"request": {"instances": [[9,9,9,9]]}, "response": {"predictions": [{"label":"large","sum":36}]}}',
      '',
    ].join('\n');
    const cases = parseGoldenSet(text);
    expect(cases.map((c) => [c.line, c.tolerance])).toEqual([
      [1, 1e-6],
      [3, 0],
    ]);
    expect(cases[1]!.request).toEqual({ instances: [[9, 9, 9, 9]] });
  });

  it.each([
    ['{"request": ', 'line 1: not JSON'],
    ['[1, 2]', 'line 1: a line must be a JSON object'],
    ['{"response": {}}', '"request" must be the request body object'],
    ['{"request": [[1]], "response": {}}', '"request" must be the request body object'],
    ['{"request": {"instances": []}}', '"response" (the expected response body) is missing'],
    ['{"request": {}, "response": {}, "tolerance": -1}', '"tolerance" must be a number >= 0'],
    ['{"request": {}, "response": {}, "tolerance": "1e-6"}', '"tolerance" must be a number >= 0'],
    ['\n\n', 'the file has no cases'],
  ])('refuses %j naming the file and line', (text, detail) => {
    const err = invalid(text);
    expect(err.message).toContain('Golden set tests/golden.jsonl');
    expect(err.message).toContain(detail);
    expect(err.message).toContain('"tolerance": 1e-6'); // says what a line should look like
  });

  it('names the line of the first bad case', () => {
    expect(invalid('{"request": {}, "response": 1}\n{"request": {}, "response": 1}\n{oops}').message).toContain(
      'line 3',
    );
  });

  it('readGoldenSet names a file it cannot read', () => {
    expect(() => readGoldenSet('/nonexistent/golden.jsonl')).toThrow(/\/nonexistent\/golden\.jsonl.*ENOENT/);
  });
});

describe('compareGolden', () => {
  const expected = { predictions: [{ label: 'setosa', probabilities: [0.9, 0.09, 0.01] }] };

  it('matches numbers within the tolerance and everything else exactly', () => {
    expect(
      compareGolden(
        expected,
        { predictions: [{ label: 'setosa', probabilities: [0.9000004, 0.09, 0.0099996] }] },
        1e-6,
      ),
    ).toBeUndefined();
    expect(compareGolden(expected, JSON.parse(JSON.stringify(expected)), 0)).toBeUndefined();
  });

  it.each([
    [
      { predictions: [{ label: 'setosa', probabilities: [0.9, 0.0901, 0.01] }] },
      'body.predictions[0].probabilities[1]: expected 0.09, got 0.0901',
    ],
    [
      { predictions: [{ label: 'virginica', probabilities: [0.9, 0.09, 0.01] }] },
      'body.predictions[0].label: expected "setosa", got "virginica"',
    ],
    [{ predictions: [] }, 'body.predictions: expected 1 items, got 0'],
    [{ predictions: [{ label: 'setosa' }] }, 'body.predictions[0].probabilities: missing'],
    [
      { predictions: [{ label: 'setosa', probabilities: [0.9, 0.09, 0.01] }], source: 'fallback' },
      'body.source: not expected, got "fallback"',
    ],
    [
      { predictions: [{ label: 'setosa', probabilities: '0.9' }] },
      'body.predictions[0].probabilities: expected an array',
    ],
    [null, 'body: expected an object, got null'],
  ])('reports the first difference with its path: %j', (actual, problem) => {
    expect(compareGolden(expected, actual, 1e-6)).toContain(problem);
  });
});

describe('replayGoldenSet over a real socket', () => {
  // Recorded from the model itself, the way a training job records its golden set.
  const rows: Features[][] = [
    [[1, 2, 3, 4]],
    [
      [0.5, 0.25, 0.125, 0.0625],
      [7, 7, 7, 7],
    ],
  ];
  const golden = rows
    .map((instances) =>
      JSON.stringify({ request: { instances }, response: { predictions: predictSum(instances) }, tolerance: 1e-9 }),
    )
    .join('\n');

  async function replayAgainst(predict?: (x: Features[]) => unknown[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ms-golden-'));
    const file = join(dir, 'golden.jsonl');
    writeFileSync(file, `${golden}\n`);
    const { model } = modelSum(predict ? { predict: predict as never } : {});
    const service = createService({ model, logger: silentLogger() });
    const { port } = await service.listen(0, '127.0.0.1');
    try {
      return await replayGoldenSet(`http://127.0.0.1:${port}/`, readGoldenSet(file));
    } finally {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('passes every case against the model that recorded it', async () => {
    expect(await replayAgainst()).toEqual([
      { line: 1, ok: true },
      { line: 2, ok: true },
    ]);
  });

  it('fails, with the path and both values, against a model that answers differently', async () => {
    const skewed = (xs: Features[]) => predictSum(xs).map((p) => ({ ...p, sum: p.sum + 1e-6 }));
    const results = await replayAgainst(skewed);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(results[0]!.problem).toMatch(/^body\.predictions\[0\]\.sum: expected 10, got 10\.000001/);
  });

  it('reports a non-200 answer with its status and code', async () => {
    // A model that always throws fails its warm-up too: the service is unhealthy, not silently wrong.
    const results = await replayAgainst(() => {
      throw new Error('broken');
    });
    expect(results[0]!.ok).toBe(false);
    expect(results[0]!.problem).toMatch(/^HTTP 503: .*MS_RUNTIME_MODEL_UNAVAILABLE/);
  });
});
