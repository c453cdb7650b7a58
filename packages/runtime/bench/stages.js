// Where a cache-miss /invocations request's CPU time goes inside the runtime: each stage the
// handler runs, timed alone in a loop with the runtime's own built modules (dist/), the iris
// model and the bench's distinct bodies. The HTTP rows of run.js give the whole request; what
// the stages do not cover is node:http and the socket (raw node:http pays that part too).
// Usage: node bench/stages.js [rows] (run.js calls stagesTable()).
import { createLogDestination } from '../dist/log-destination.js';
import { accessLineWriter, requestIdFrom } from '../dist/logger.js';
import { Metrics } from '../dist/metrics.js';
import { createValidators, parseJson } from '../dist/validation.js';
import { scopedCacheKey } from '../dist/cache/cache-key.js';
import { createMemoryStore } from '../dist/cache/memory-store.js';
import { ModelRunner } from '../dist/model-runner.js';
import { Health } from '../dist/health.js';
import { createBenchIrisModel } from './iris-model.js';
import { distinctBodies } from './bodies.js';

const ITERATIONS = 100_000;
const MODEL_ALONE = 'predict: the model function alone';
const RAW_STAGES = new Set([
  'JSON.parse of the body',
  'input validation (Ajv)',
  'predict: the model function alone',
  'JSON.stringify of the answer',
]);

/** CPU µs per call of `fn` (process user + system time, after a warm-up of the same length). */
async function cpuPerCall(fn, iterations = ITERATIONS) {
  for (let i = 0; i < iterations; i += 1) await fn(i);
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) await fn(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / iterations;
}

/**
 * { stage, us, raw, runtime } for one cache-miss request of `rows` rows, in handler order; `raw`
 * marks the stages raw node:http does too (its predict is the model function alone), `runtime`
 * the runtime's (the model function alone is a part of its runner stage, shown on its own).
 */
export async function measureStages(rows) {
  const model = createBenchIrisModel();
  const validators = createValidators(model, 64);
  const metrics = new Metrics();
  const logger = { info() {}, warn() {}, error() {}, debug() {}, isLevelEnabled: () => false };
  const health = new Health([]);
  const runner = new ModelRunner({
    model,
    health,
    validators,
    metrics,
    logger,
    predictTimeoutMs: 9000,
    maxInFlight: 256,
  });
  await runner.load();
  const store = createMemoryStore({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttlSeconds: 300 });
  // The access line goes to /dev/null through the runtime's batching destination.
  const { openSync } = await import('node:fs');
  const destination = createLogDestination({ fd: openSync('/dev/null', 'w') });
  const accessLine = accessLineWriter(destination);

  const next = distinctBodies(rows);
  const n = ITERATIONS;
  const texts = Array.from({ length: n }, () => Buffer.from(next()));
  const bodies = texts.map((t) => parseJson(t));
  const keys = bodies.map((b) => scopedCacheKey('iris:1:sha:dev:', b.instances));
  const answers = [];
  for (const b of bodies.slice(0, 1000)) answers.push(await runner.run(b.instances));
  const answerTexts = answers.map((a) => JSON.stringify({ predictions: a.predictions }));
  const noHeaders = {};

  const list = [];
  // `runtime`: part of the runtime's request (the model alone is inside the runner's stage).
  const stages = {
    push: ([stage, us]) => list.push({ stage, us, raw: RAW_STAGES.has(stage), runtime: stage !== MODEL_ALONE }),
  };
  stages.push(['request id (new UUID)', await cpuPerCall(() => requestIdFrom(noHeaders))]);
  stages.push(['JSON.parse of the body', await cpuPerCall((i) => parseJson(texts[i]))]);
  stages.push(['input validation (Ajv)', await cpuPerCall((i) => validators.request(bodies[i]))]);
  stages.push([
    'cache key (canonical bytes + sha256)',
    await cpuPerCall((i) => scopedCacheKey('iris:1:sha:dev:', bodies[i].instances)),
  ]);
  stages.push([
    'cache lookup (miss) + insert',
    await cpuPerCall(async (i) => {
      await store.get(keys[i]);
      await store.set(keys[i], answerTexts[i % 1000]);
    }),
  ]);
  stages.push([MODEL_ALONE, await cpuPerCall((i) => model.predict(bodies[i].instances))]);
  stages.push([
    'predict through the model runner (+ timing, metrics)',
    await cpuPerCall((i) => runner.run(bodies[i].instances)),
  ]);
  stages.push([
    'output validation (Ajv)',
    await cpuPerCall((i) => validators.predictions(answers[i % 1000].predictions, rows)),
  ]);
  stages.push([
    'JSON.stringify of the answer',
    await cpuPerCall((i) => JSON.stringify({ predictions: answers[i % 1000].predictions })),
  ]);
  stages.push([
    'request metrics + access log line',
    await cpuPerCall((i) => {
      metrics.observeRequest('/invocations', 'POST', 200, 0.0004);
      accessLine(30, {
        reqId: 'a0e1b2c3-d4e5-4f60-8172-839405a6b7c8',
        method: 'POST',
        route: '/invocations',
        status: 200,
        ms: i % 7,
      });
    }),
  ]);
  destination.flushSync();
  return list;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = Number(process.argv[2] ?? 1);
  for (const { stage, us } of await measureStages(rows)) console.log(`${us.toFixed(2).padStart(7)} µs  ${stage}`);
}
