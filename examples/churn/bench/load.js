#!/usr/bin/env node
// Load test without extra dependencies: starts the built service on a free loopback port,
// sends REQUESTS (default 2000) copies of sample-request.json with CONCURRENCY (default 16)
// in flight, and prints throughput and latency percentiles. Run `npm run build` first.
import { readFileSync } from 'node:fs';
import { buildService } from '../dist/app.js';

const total = Number(process.env.REQUESTS ?? 2000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const body = readFileSync(new URL('../sample-request.json', import.meta.url), 'utf8');

const service = buildService({ logLevel: 'silent' });
const { port } = await service.listen(0, '127.0.0.1');
const url = `http://127.0.0.1:${port}/invocations`;
const latencies = [];
let sent = 0;
let failed = 0;

async function worker() {
  while (sent < total) {
    sent += 1;
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    if (!res.ok) failed += 1;
    latencies.push(performance.now() - t0);
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - start) / 1000;
await service.close();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2);
console.log(`${total} requests, ${concurrency} concurrent, ${failed} failed`);
console.log(`throughput ${(total / seconds).toFixed(0)} req/s; latency ms p50 ${pct(50)} p95 ${pct(95)} p99 ${pct(99)}`);
