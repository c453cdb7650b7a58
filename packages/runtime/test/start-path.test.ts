// Cold start loads only what the start needs: a service that answers /ping and /invocations
// never loads Express or ioredis; the first request only Express answers loads Express.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '.cache', `start-path-${process.pid}`);
const entry = join(outDir, 'report-loaded-packages.mjs');

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'fixtures', 'report-loaded-packages.ts')],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

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
});
