// MS_CAPTURE_DIR: sampled requests and answers written as SageMaker-shaped JSON lines to a
// folder, over the real socket (fast path), and nowhere else (not in the logs).
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, serviceOptionsFromConfig } from '../src/config.js';
import { createDataCapture } from '../src/data-capture.js';
import { createService } from '../src/create-service.js';
import type { Service } from '../src/types.js';
import { modelSum } from './fixtures/model-sum.js';
import { memoryLogger } from './helpers/memory-logger.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-capture-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function records(dir: string): Array<Record<string, any>> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

async function post(url: string, body: string, requestId: string): Promise<number> {
  const res = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body,
  });
  await res.text();
  return res.status;
}

describe('data capture over the real socket', () => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('writes each answered request as one JSON line with input, output and the request id; bad requests are not captured; payloads stay out of the log', async () => {
    const dir = tempDir();
    const { logger, lines } = memoryLogger();
    service = createService({ model: modelSum().model, logger, capture: { dir, samplingPercent: 100 } });
    const { port } = await service.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const body = JSON.stringify({ instances: [[1, 2, 3, 4]] });
    expect(await post(url, body, 'verify-capture-1')).toBe(200);
    expect(await post(url, '{"instances":"nope"}', 'verify-capture-2')).toBe(400);
    await service.close();
    service = undefined;

    const [only, ...rest] = records(dir);
    expect(rest).toEqual([]);
    expect(only!.eventMetadata.eventId).toBe('verify-capture-1');
    expect(only!.captureData.endpointInput).toEqual({
      observedContentType: 'application/json',
      mode: 'INPUT',
      data: body,
      encoding: 'JSON',
    });
    expect(only!.captureData.endpointOutput.mode).toBe('OUTPUT');
    expect(JSON.parse(only!.captureData.endpointOutput.data)).toHaveProperty('predictions');
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}-\d{2}\.jsonl$/)]);
    expect(JSON.stringify(lines())).not.toContain('[[1,2,3,4]]');
  });
});

describe('sampling', () => {
  it('records only the requests the sample picks (random below samplingPercent / 100)', async () => {
    const dir = tempDir();
    const draws = [0.05, 0.5, 0.29, 0.3];
    const capture = createDataCapture({
      dir,
      samplingPercent: 30,
      random: () => draws.shift()!,
      now: () => new Date('2026-12-03T13:05:00Z'),
    });
    for (const id of ['a', 'b', 'c', 'd']) capture.record(id, '{"instances":[[1]]}', false, '{"predictions":[1]}');
    await capture.close();
    expect(records(dir).map((r) => r.eventMetadata.eventId)).toEqual(['a', 'c']);
    expect(readdirSync(dir)).toEqual(['2026-12-03-13.jsonl']);
  });

  it('a new hour starts a new file', async () => {
    const dir = tempDir();
    const times = [new Date('2026-12-03T13:59:59Z'), new Date('2026-12-03T14:00:00Z')];
    const capture = createDataCapture({ dir, samplingPercent: 100, now: () => times.shift()! });
    capture.record('a', 'x,1', true, '{"predictions":[1]}');
    capture.record('b', 'x,2', true, '{"predictions":[2]}');
    await capture.close();
    expect(readdirSync(dir).sort()).toEqual(['2026-12-03-13.jsonl', '2026-12-03-14.jsonl']);
    expect(records(dir)[0]!.captureData.endpointInput).toMatchObject({
      observedContentType: 'text/csv',
      encoding: 'CSV',
      data: 'x,1',
    });
  });
});

describe('configuration', () => {
  it('MS_CAPTURE_DIR turns it on (100 percent unless MS_CAPTURE_SAMPLING_PERCENT says otherwise); unset leaves it off', () => {
    expect(
      serviceOptionsFromConfig(loadConfig({ MS_CAPTURE_DIR: '/var/capture', MS_CAPTURE_SAMPLING_PERCENT: '25' }))
        .capture,
    ).toEqual({ dir: '/var/capture', samplingPercent: 25 });
    expect(serviceOptionsFromConfig(loadConfig({ MS_CAPTURE_DIR: '/var/capture' })).capture).toEqual({
      dir: '/var/capture',
      samplingPercent: 100,
    });
    expect(serviceOptionsFromConfig(loadConfig({})).capture).toBeUndefined();
  });

  it('a sampling percent out of range stops the start naming the variable', () => {
    expect(() => loadConfig({ MS_CAPTURE_DIR: '/var/capture', MS_CAPTURE_SAMPLING_PERCENT: '0' })).toThrow(
      /MS_CAPTURE_SAMPLING_PERCENT.*1 to 100/,
    );
  });
});
