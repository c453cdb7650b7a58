// verify --load: open-loop rate, bounded by time, count and requests in flight,
// judged on achieved rate, p95, p99 and error rate. A fake clock, no real waiting.
import { describe, expect, it } from '@jest/globals';
import { judgeThroughput, MAX_IN_FLIGHT, runRateLoad, type LoadClock } from '../../src/checks/verify-throughput.js';
import type { ProbeResult } from '../../src/checks/verify-probe.js';

function fakeClock(): LoadClock & { t: number; sleeps: number } {
  const c = { t: 0, sleeps: 0, now: () => c.t, sleep: async (ms: number) => void ((c.t += ms), (c.sleeps += 1)) };
  return c;
}

const ok = (ms: number): ProbeResult => ({ status: 200, ms, body: '{}' });
const gates = { targetRps: 20, seconds: 5, p95LatencyMs: 100, p99LatencyMs: 200, errorRate: 0.01 };

describe('runRateLoad', () => {
  it('starts targetRps x seconds requests on schedule and measures the achieved rate and percentiles', async () => {
    const clock = fakeClock();
    let i = 0;
    const summary = await runRateLoad(
      async () => ok((i += 1) % 100 === 0 ? 150 : 20),
      { targetRps: 20, seconds: 5 },
      clock,
    );
    expect(summary).toMatchObject({
      targetRps: 20,
      requests: 100,
      errors: 0,
      errorRate: 0,
      p95Ms: 20,
      p99Ms: 20,
      dropped: 0,
    });
    // 100 requests due at 0, 50, ..., 4950 ms: the run lasts the whole window.
    expect(clock.t).toBeCloseTo(4950, 5);
    expect(summary.achievedRps).toBeCloseTo(20.2, 1);
    expect(judgeThroughput(summary, gates)).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(
        /^100 requests in 5 s at 20\.2\/s \(target 20\/s\), p95 20 ms, p99 20 ms, error rate 0\.0000$/,
      ),
    });
  });

  it('is bounded by count (20000) and by requests in flight (MAX_IN_FLIGHT)', async () => {
    const clock = fakeClock();
    let started = 0;
    const pending: ((r: ProbeResult) => void)[] = [];
    const run = runRateLoad(
      () => ((started += 1), new Promise<ProbeResult>((resolve) => pending.push(resolve))),
      { targetRps: 1000, seconds: 60 },
      clock,
    );
    // 20000 due at 1 ms apart: let the schedule run out, then answer what was sent.
    for (let k = 0; k < 1000 && clock.t < 19_999; k += 1) await new Promise((r) => setImmediate(r));
    pending.forEach((resolve) => resolve(ok(5000)));
    const summary = await run;
    expect(started).toBe(MAX_IN_FLIGHT);
    expect(summary.requests).toBe(20_000);
    expect(summary.dropped).toBe(20_000 - MAX_IN_FLIGHT);
    expect(judgeThroughput(summary, gates)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^rate .*\/s < 20\/s, p95 5000 ms > 100 ms, p99 5000 ms > 200 ms, error rate 0\.9872 > 0\.01: .* not sent \(256 in flight\)/,
      ),
    });
  });

  it('is bounded in time: at most 300 s whatever --load-seconds asks', async () => {
    const clock = fakeClock();
    const summary = await runRateLoad(async () => ok(5), { targetRps: 10, seconds: 10_000 }, clock);
    expect(summary.requests).toBe(3000);
    expect(clock.t).toBeCloseTo(299_900, 5);
  });
});

describe('judgeThroughput', () => {
  const base = {
    targetRps: 20,
    achievedRps: 19.5,
    requests: 100,
    errors: 0,
    errorRate: 0,
    p95Ms: 50,
    p99Ms: 90,
    dropped: 0,
    seconds: 5,
  };
  it.each([
    ['the rate', { achievedRps: 12 }, /^rate 12\/s < 20\/s:/],
    ['p95', { p95Ms: 101 }, /^p95 101 ms > 100 ms:/],
    ['p99', { p99Ms: 250 }, /^p99 250 ms > 200 ms:/],
    ['the error rate', { errors: 2, errorRate: 0.02 }, /^error rate 0\.0200 > 0\.01:/],
  ])('fails on %s with what to change', (_what, over, message) => {
    const result = judgeThroughput({ ...base, ...over }, gates);
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(message);
    expect(result.fix).toMatch(/slo\.targetRps/);
  });

  it('passes at 90% of the target rate or more', () => {
    expect(judgeThroughput({ ...base, achievedRps: 18 }, gates).status).toBe('pass');
  });
});
