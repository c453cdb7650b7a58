// A `--cache redis` project passes its own `npm test` as generated, with no Redis running and
// no Redis URL in the environment: its tests serve with the in-process cache (tests/helpers.ts
// TEST_ENV), the artifact test included. In AWS and under `model-deploy local` it uses Redis
// (packages/deployer/test/local-chain/local-process.test.ts starts a redis-server for it).
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from './helpers.js';
import { generateProject, npm } from './project-support.js';

let work: string;
let dir: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'packages/runtime/dist/index.js'))) throw new Error('build the runtime first: npx tsc -b');
  work = mkdtempSync(join(tmpdir(), 'ms-redis-project-'));
  dir = await generateProject(work, 'cached', [
    '--runtime-source',
    join(ROOT, 'packages/runtime'),
    '--ci',
    'none',
    '--skip-git',
    '--cache',
    'redis',
    // The ElastiCache cache lives in a VPC: release.yaml needs one.
    '--vpc-subnets',
    'subnet-0a1b2c3d,subnet-0e5f6a7b',
    '--vpc-security-groups',
    'sg-0a1b2c3d',
  ]);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a --cache redis project', () => {
  test('release.yaml asks for redis', () => {
    expect(readFileSync(join(dir, 'release.yaml'), 'utf8')).toMatch(/^cache:\n {2}kind: redis$/m);
  });

  test('npm test passes as generated, without a Redis URL', async () => {
    // The runtime reads MS_REDIS_URL; like a user's shell, this one has none.
    expect(process.env.MS_REDIS_URL).toBeUndefined();
    const tested = await npm(dir, ['test'], 300_000);
    const out = `${tested.stdout}\n${tested.stderr}`;
    expect(tested.status === 0 ? '' : out.slice(-4000)).toBe('');
    expect(out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 320_000);
});
