// The service as SageMaker runs it: `serve` in its own process on a real socket with
// MS_METRICS_EMF=true. Requests (hits, misses, 4xx) then SIGTERM: the drain writes the last
// interval as EMF lines on stdout, among the JSON log lines, and each follows the specification.
// Without the setting the same traffic writes no EMF line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { bundleFixture, type BundledFixture } from './helpers/bundle-fixture.js';
import { emfDocuments, emfProblems, type EmfDocument } from './helpers/emf-spec.js';
import { freePort } from './helpers/free-port.js';

let fixture: BundledFixture;

beforeAll(async () => {
  fixture = await bundleFixture('serve-model-sum', 'emf');
});
afterAll(() => fixture.remove());

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const post = (port: number, body: string, contentType = 'application/json') =>
  fetch(`http://127.0.0.1:${port}/invocations`, { method: 'POST', headers: { 'content-type': contentType }, body });

/** Runs the service, sends the traffic, SIGTERMs it and returns its exit code and stdout. */
async function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [fixture.entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      MODEL_SERVICE_ENV: 'dev',
      MS_CACHE: 'memory',
      MS_BATCH: 'on',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  proc.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  try {
    await until('the service to answer /ping', () =>
      fetch(`http://127.0.0.1:${port}/ping`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    const statuses: number[] = [];
    for (const body of ['[[1,2,3,4]]', '[[2,2,3,4]]', '[[3,2,3,4]]', '[[1,2,3,4]]', '[[2,2,3,4]]'])
      statuses.push((await post(port, `{"instances":${body}}`)).status);
    statuses.push((await post(port, '{"instances":[[1,2]]}')).status);
    statuses.push((await post(port, '{"instances":["x"]}')).status);
    statuses.push((await post(port, 'a,b', 'application/xml')).status);
    statuses.push((await fetch(`http://127.0.0.1:${port}/no-such-route`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 400, 400, 415, 404]);
  } finally {
    proc.kill('SIGTERM');
  }
  return { code: await exited, stdout };
}

describe('EMF from a real server process', () => {
  it('MS_METRICS_EMF=true: SIGTERM writes the interval as EMF lines that follow the specification', async () => {
    const { code, stdout } = await run({
      MS_METRICS_EMF: 'true',
      MS_METRICS_SERVICE: 'sum-service',
      MS_METRICS_VARIANT: 'AllTraffic',
      // Far longer than the test: only the shutdown flush writes.
      MS_METRICS_EMF_INTERVAL_MS: '3600000',
    });
    expect(code).toBe(0);
    const { docs, lines } = emfDocuments(stdout);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    // The log lines are still there, whole, beside them.
    const logs = stdout.split('\n').filter((l) => l !== '' && !l.includes('"_aws"'));
    expect(logs.length).toBeGreaterThan(5);
    for (const l of logs) expect(() => JSON.parse(l) as unknown).not.toThrow();

    const main = docs.find((d) => d.Code === undefined) as EmfDocument;
    expect(main).toMatchObject({
      Service: 'sum-service',
      Environment: 'dev',
      Variant: 'AllTraffic',
      CacheHits: 2,
      CacheMisses: 3,
    });
    expect(main._aws.CloudWatchMetrics[0]!.Namespace).toBe('ModelService');
    // Three model calls for the misses plus the warm-up call; each a batch of one.
    expect(main.PredictLatency).toHaveLength(4);
    expect(main.BatchSize).toEqual([1, 1, 1, 1]);
    // Queue wait is measured for requests (the warm-up does not queue).
    expect(main.QueueWait).toHaveLength(3);
    expect(main).not.toHaveProperty('FallbackAnswers'); // this model has no fallback rules

    const byCode = Object.fromEntries(docs.filter((d) => d.Code !== undefined).map((d) => [d.Code, d.ClientErrors]));
    expect(byCode).toEqual({
      MS_RUNTIME_INVALID_INPUT: 2,
      MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE: 1,
      MS_RUNTIME_NOT_FOUND: 1,
    });
    expect(docs).toHaveLength(4);
  }, 30_000);

  it('off by default: the same traffic writes no EMF line', async () => {
    const { code, stdout } = await run({});
    expect(code).toBe(0);
    expect(emfDocuments(stdout).docs).toEqual([]);
    expect(stdout).toContain('"msg":"stopped"');
  }, 30_000);
});
