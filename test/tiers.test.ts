// Every test file runs in exactly one tier (Jest project: unit, integration, container), as Jest
// itself lists them (`jest --listTests --selectProjects <tier>`), so a file that no tier picks up
// (a `.spec.ts`, a test outside test/ or tests/) or that two tiers run fails here by name.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const JEST = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js');
const TIERS = ['unit', 'integration', 'container'] as const;
type Tier = (typeof TIERS)[number];

/** Files that look like tests: tracked, or new and not ignored (node_modules, dist are). */
function testFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return listed
    .split('\n')
    .filter((f) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(f) && !f.startsWith('templates/'))
    .sort();
}

function listTier(tier: Tier): string[] {
  const out = execFileSync(process.execPath, [JEST, '--listTests', '--json', '--selectProjects', tier], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as string[]).map((f) => relative(ROOT, f));
}

const tiersOf = new Map<string, Tier[]>();

beforeAll(() => {
  for (const tier of TIERS) {
    for (const file of listTier(tier)) tiersOf.set(file, [...(tiersOf.get(file) ?? []), tier]);
  }
}, 60_000);

describe('test tiers', () => {
  test('every test file is in exactly one tier', () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(50);
    const inNone = files.filter((f) => !tiersOf.has(f));
    const inTwo = files
      .filter((f) => (tiersOf.get(f)?.length ?? 0) > 1)
      .map((f) => `${f}: ${tiersOf.get(f)!.join(' + ')}`);
    const fix = 'name tests *.test.ts under a test/ or tests/ folder; place them with the lists in test/tiers.js';
    expect({ inNone, inTwo, fix }).toEqual({ inNone: [], inTwo: [], fix });
  });

  test("a test that reads the run's redis-server (REDIS_URL) is in the integration tier, the one that starts it", () => {
    const needRedis = testFiles().filter(
      (f) => f !== 'test/tiers.test.ts' && readFileSync(join(ROOT, f), 'utf8').includes('process.env.REDIS_URL'),
    );
    expect(needRedis.length).toBeGreaterThan(0);
    expect(needRedis.filter((f) => !tiersOf.get(f)?.includes('integration'))).toEqual([]);
  });

  test('a new test file lands in unit unless its name or folder says otherwise', () => {
    expect(tiersOf.get('test/tiers.test.ts')).toEqual(['unit']);
    expect(tiersOf.get('packages/runtime/test/cache/redis-store.test.ts')).toEqual(['integration']);
    expect(tiersOf.get('test/generator/container.test.ts')).toEqual(['container']);
  });
});
