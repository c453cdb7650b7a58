#!/usr/bin/env node
// `npm run bench:emf -w @model-service/runtime` (after `npm run build`): what MS_METRICS_EMF adds
// to each request. EMF adds work only inside the Metrics hooks (an in-memory aggregate; the
// lines leave once a minute), so this times the hooks one request calls, EMF off vs on, in one
// process, in alternating rounds (a shared machine skews a round, not a side), and the cost of
// writing one 60 s interval at 1,000 requests a second. The full HTTP bench (`npm run bench`,
// BENCH_RUNTIME_OPTIONS='{"emf":{}}') shows the same within its noise. A command, never a test.
import { performance } from 'node:perf_hooks';
import { EmfMetrics } from '../dist/emf-metrics.js';
import { Metrics } from '../dist/metrics.js';

const REQUESTS = Number(process.env.BENCH_EMF_REQUESTS ?? 1_000_000);
const ROUNDS = 7;

function sink() {
  return new EmfMetrics({
    service: 'iris',
    environment: 'dev',
    cache: true,
    fallback: true,
    batching: true,
    write: () => undefined,
  });
}

/** One cache-miss request's hooks: a lookup miss, a predict call of one instance, its queue wait. */
/** CPU time, not wall time: on a busy shared machine it moves far less. */
function cpuNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

function missRequests(metrics, n) {
  const started = cpuNs();
  for (let i = 0; i < n; i += 1) {
    metrics.recordCacheMiss();
    metrics.recordQueueWait(0.0001 + (i % 97) * 1e-6);
    metrics.recordBatch(1);
    metrics.recordPredict(0.0008 + (i % 89) * 1e-5);
  }
  return (cpuNs() - started) / n;
}

function hitRequests(metrics, n) {
  const started = cpuNs();
  for (let i = 0; i < n; i += 1) metrics.recordCacheHit();
  return (cpuNs() - started) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = { miss: { off: [], on: [] }, hit: { off: [], on: [] } };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const side of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const make = () => (side === 'on' ? new Metrics({}, sink()) : new Metrics());
    let m = make();
    result.miss[side].push(missRequests(m, REQUESTS));
    m.emf?.flush();
    m = make();
    result.hit[side].push(hitRequests(m, REQUESTS));
    m.emf?.flush();
  }
}

// One interval at 1,000 requests a second: 60,000 latencies into at most 100 values.
const emf = sink();
for (let i = 0; i < 60_000; i += 1) {
  emf.predictLatency(0.5 + (i % 1000) / 100);
  emf.queueWait((i % 300) / 100);
  emf.batch(1 + (i % 8));
  emf.cacheMiss();
}
emf.clientError('MS_RUNTIME_INVALID_INPUT');
const flushStart = performance.now();
const lines = emf.lines();
const flushMs = performance.now() - flushStart;
const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);

const f = (x) => x.toFixed(1);
console.log(`EMF hook CPU cost per request (median of ${ROUNDS} rounds of ${REQUESTS} requests, ns):`);
for (const [name, r] of Object.entries(result)) {
  const off = median(r.off);
  const on = median(r.on);
  console.log(`  cache ${name.padEnd(4)}  off ${f(off).padStart(6)}  on ${f(on).padStart(6)}  added ${f(on - off)} ns`);
}
console.log(
  `one 60 s interval at 1,000 req/s: ${lines.length} lines, ${bytes} bytes, written in ${flushMs.toFixed(2)} ms`,
);
