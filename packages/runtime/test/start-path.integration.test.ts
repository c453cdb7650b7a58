// Cold start loads only what the start needs: a service that answers /ping and /invocations
// never loads Express or ioredis; the first request only Express answers loads Express. The
// package's entry is one bundled file (scripts/bundle.mjs), so a start reads no other package.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFixture, type BundledFixture } from './helpers/bundle-fixture.js';
import { createService } from '../src/create-service.js';
import { modelSum } from './fixtures/model-sum.js';
import { memoryLogger } from './helpers/memory-logger.js';

const here = dirname(fileURLToPath(import.meta.url));
let fixture: BundledFixture;
let entry: string;

beforeAll(async () => {
  fixture = await bundleFixture('report-loaded-packages', 'start-path');
  entry = fixture.entry;
});
afterAll(() => fixture.remove());

describe('start path', () => {
  it('serves /ping and /invocations without loading Express or ioredis, and loads Express for /metrics', () => {
    const out = JSON.parse(execFileSync(process.execPath, [entry], { encoding: 'utf8', timeout: 30_000 })) as {
      statuses: number[];
      beforeMetrics: string[];
      afterMetrics: string[];
    };
    expect(out.statuses).toEqual([200, 200, 200]);
    expect(out.beforeMetrics).toEqual([]);
    expect(out.afterMetrics).toEqual(['express']);
  });

  it("starts from the package's entry, one bundled file, without reading a package from node_modules", () => {
    const runtime = join(here, '..');
    const pkg = JSON.parse(readFileSync(join(runtime, 'package.json'), 'utf8')) as {
      main: string;
      exports: { '.': { default: string } };
    };
    expect(pkg.exports['.'].default).toBe(pkg.main);
    const report = join(here, 'fixtures', 'report-entry-packages.mjs');
    const out = JSON.parse(
      execFileSync(process.execPath, [report, join(runtime, pkg.main)], { encoding: 'utf8', timeout: 30_000 }),
    ) as { statuses: number[]; beforeMetrics: string[]; afterMetrics: string[] };
    expect(out.statuses).toEqual([200, 200, 200]);
    expect(out.beforeMetrics).toEqual([]);
    expect(out.afterMetrics).toContain('express');
  });

  it('logs the model load and warm-up as their own phase after listening', async () => {
    const { logger, lines } = memoryLogger();
    const sum = modelSum({ load: () => new Promise((r) => setTimeout(r, 30)) });
    const service = createService({ model: sum.model, logger });
    await service.listen(0, '127.0.0.1');
    await service.close();
    const all = lines();
    const listening = all.find((l) => l.msg === 'listening');
    const ready = all.find((l) => l.msg === 'model ready');
    expect(listening).toMatchObject({ sinceStartMs: expect.any(Number) });
    expect(ready).toMatchObject({ loadMs: expect.any(Number), warmupMs: expect.any(Number), ms: expect.any(Number) });
    expect(ready!.loadMs as number).toBeGreaterThanOrEqual(25);
    expect(all.indexOf(listening!)).toBeLessThan(all.indexOf(ready!));
  });
});
