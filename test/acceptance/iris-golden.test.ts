// The iris golden set (examples/iris/tests/golden.jsonl, recorded from the trained weights on the
// training side) replayed over a real socket through `npm start`: the real served model answers
// every case within tolerance, from the model and from the cache; a different model file fails
// the replay; a model file whose sha256 is not the recorded one never starts.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGoldenSet, replayGoldenSet, type GoldenCase } from '../../packages/runtime/src/index.js';
import { paramsVersion, type IrisModelFile } from '../../examples/iris/src/logistic-regression.js';
import { IRIS_DIR, startIris, type IrisProcess } from './support/iris-process.js';

const GOLDEN = join(IRIS_DIR, 'tests', 'golden.jsonl');
const MODEL = join(IRIS_DIR, 'model', 'iris-model.json');
const recordedSha256 = createHash('sha256').update(readFileSync(MODEL)).digest('hex');

let cases: GoldenCase[];
let dir: string;

beforeAll(() => {
  cases = readGoldenSet(GOLDEN);
  dir = mkdtempSync(join(tmpdir(), 'iris-golden-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/iris golden set over HTTP', () => {
  let iris: IrisProcess;

  beforeAll(async () => {
    // The hash check on, as a generated project runs it, and the memory cache on for the second pass.
    iris = await startIris({
      MS_MODEL_PATH: MODEL,
      MS_MODEL_SHA256: recordedSha256,
      MS_CACHE: 'memory',
      LOG_LEVEL: 'info',
    });
  }, 40_000);

  afterAll(async () => {
    await iris?.stop();
  });

  test("every case matches the trained model's answer within its tolerance", async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const results = await replayGoldenSet(iris.url, cases);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(cases.length);
  });

  test('cached answers (the replay again) still match, over the SageMaker Runtime path too', async () => {
    const again = await replayGoldenSet(iris.url, cases);
    expect(again.filter((r) => !r.ok)).toEqual([]);
    const viaEndpoint = await replayGoldenSet(iris.url, cases.slice(0, 5), { path: '/endpoints/iris/invocations' });
    expect(viaEndpoint.every((r) => r.ok)).toBe(true);
    const metrics = await (await fetch(`${iris.url}/metrics`)).text();
    expect(Number(/^model_cache_hits_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(cases.length);
  });

  test('stdout carries one JSON access line per replayed request, and the verified model file', async () => {
    const accessLines = () =>
      iris
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Lines leave in batches (at most 25 ms apart): poll, bounded.
    const expected = 2 * cases.length + 5;
    for (
      let i = 0;
      i < 100 && accessLines().filter((l) => l.msg === 'request' && l.status === 200).length < expected;
      i += 1
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = accessLines();
    const answered = lines.filter(
      (l) => l.msg === 'request' && l.status === 200 && String(l.route).endsWith('invocations'),
    );
    expect(answered).toHaveLength(expected);
    expect(answered.every((l) => typeof l.reqId === 'string' && l.method === 'POST' && typeof l.ms === 'number')).toBe(
      true,
    );
    expect(lines.find((l) => l.msg === 'model file matches its recorded sha256')).toMatchObject({
      path: MODEL,
      sha256: recordedSha256,
    });
    expect(iris.output()).not.toContain('sepal'); // no payloads in the logs
  });
});

describe('examples/iris golden set against other weights', () => {
  test('a retrained-looking model file (one weight nudged) fails the replay, naming the value', async () => {
    const file = JSON.parse(readFileSync(MODEL, 'utf8')) as IrisModelFile;
    file.weights[1]![2] += 0.01;
    file.version = paramsVersion(file); // a consistent file, as a retrain would write
    const other = join(dir, 'nudged-model.json');
    writeFileSync(other, JSON.stringify(file));
    const iris = await startIris({ IRIS_MODEL_PATH: other });
    try {
      const results = await replayGoldenSet(iris.url, cases);
      const failed = results.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(cases.length / 2);
      expect(failed[0]!.problem).toMatch(
        /^body\.predictions\[\d+\]\.probabilities\[\d\]: expected [\d.e-]+, got [\d.e-]+ \(difference .* > tolerance 0\.000001\)$/,
      );
    } finally {
      await iris.stop();
    }
  }, 40_000);

  test('a model file whose sha256 is not the recorded one stops the start (exit 1, file and hashes named)', async () => {
    const copy = join(dir, 'iris-model.json');
    writeFileSync(copy, `${readFileSync(MODEL, 'utf8')} `); // same weights, one byte more: still not the recorded file
    const actual = createHash('sha256').update(readFileSync(copy)).digest('hex');
    await expect(startIris({ MS_MODEL_PATH: copy, MS_MODEL_SHA256: recordedSha256 })).rejects.toThrow(
      /exited before it was ready:[\s\S]*\[MS_RUNTIME_MODEL_HASH_MISMATCH\] Model file .*iris-model\.json has sha256 [0-9a-f]{64}, but [0-9a-f]{64} was recorded/,
    );
    expect(actual).not.toBe(recordedSha256);
  }, 40_000);
});
