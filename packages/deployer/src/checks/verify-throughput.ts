// `verify --load`: hold release.yaml's target rate (slo.targetRps) for a bounded
// time and count, open loop (requests start on schedule whether or not earlier
// ones answered, as real traffic does), then gate on achieved rate, p95, p99 and
// error rate. Bounded three ways: duration, request count, requests in flight.
import type { CheckResult } from './check.js';
import { percentile, type ProbeResult } from './verify-probe.js';

export const MAX_LOAD_SECONDS = 300;
export const MAX_LOAD_REQUESTS = 20_000;
export const MAX_IN_FLIGHT = 256;
/** The run holds the rate when it reaches this share of the target (timer jitter, ramp). */
export const RATE_TOLERANCE = 0.9;

export interface ThroughputGates {
  targetRps: number;
  seconds: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  errorRate: number;
}

export interface ThroughputSummary {
  targetRps: number;
  achievedRps: number;
  requests: number;
  errors: number;
  errorRate: number;
  p95Ms: number;
  p99Ms: number;
  /** Requests not started because MAX_IN_FLIGHT were still waiting (the service could not keep up). */
  dropped: number;
  seconds: number;
}

export interface LoadClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LoadClock = { now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export async function runRateLoad(
  send: () => Promise<ProbeResult>,
  gates: Pick<ThroughputGates, 'targetRps' | 'seconds'>,
  clock: LoadClock = realClock,
): Promise<ThroughputSummary> {
  const seconds = Math.min(Math.max(gates.seconds, 1), MAX_LOAD_SECONDS);
  const total = Math.min(Math.round(gates.targetRps * seconds), MAX_LOAD_REQUESTS);
  const interval = 1000 / gates.targetRps;
  const started = clock.now();
  const results: ProbeResult[] = [];
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  for (let i = 0; i < total; i += 1) {
    const due = started + i * interval;
    const wait = due - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) {
      dropped += 1;
      continue;
    }
    const p: Promise<void> = send()
      .then((r) => void results.push(r))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = Math.max(clock.now() - started, 1);
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  // A request that was never sent is an error too: the rate was not held.
  const errors = results.filter((r) => r.status < 200 || r.status >= 300).length + dropped;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    targetRps: gates.targetRps,
    achievedRps: round((results.length * 1000) / elapsed),
    requests: results.length + dropped,
    errors,
    errorRate: total === 0 ? 0 : errors / total,
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    dropped,
    seconds: round(elapsed / 1000),
  };
}

export function judgeThroughput(s: ThroughputSummary, g: ThroughputGates): CheckResult {
  const misses = [
    s.achievedRps < g.targetRps * RATE_TOLERANCE ? `rate ${s.achievedRps}/s < ${g.targetRps}/s` : '',
    s.p95Ms > g.p95LatencyMs ? `p95 ${s.p95Ms} ms > ${g.p95LatencyMs} ms` : '',
    s.p99Ms > g.p99LatencyMs ? `p99 ${s.p99Ms} ms > ${g.p99LatencyMs} ms` : '',
    s.errorRate > g.errorRate ? `error rate ${s.errorRate.toFixed(4)} > ${g.errorRate}` : '',
  ].filter(Boolean);
  const measured = `${s.requests} requests in ${s.seconds} s at ${s.achievedRps}/s (target ${g.targetRps}/s), p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, error rate ${s.errorRate.toFixed(4)}${s.dropped ? `, ${s.dropped} not sent (${MAX_IN_FLIGHT} in flight)` : ''}`;
  if (misses.length === 0) return { status: 'pass', message: measured };
  return {
    status: 'fail',
    message: `${misses.join(', ')}: ${measured}`,
    fix: 'Add instances or a larger instance type (autoscaling minCapacity), turn the cache on, or revisit slo.targetRps / p95LatencyMs / p99LatencyMs in release.yaml.',
  };
}
