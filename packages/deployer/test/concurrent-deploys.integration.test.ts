// Two real `model-deploy up dev` processes at once, with every AWS endpoint
// pointed at one local endpoint (AWS_ENDPOINT_URL) that keeps S3's
// conditional-write rules: exactly one takes the deploy lock and goes on (its
// next AWS call is held open, as a long apply would be), the other exits 1
// with MS_DEPLOY_LOCKED naming the first one's pid. The holder then fails (its
// calls are denied) and releases the lock; a run stopped with Ctrl-C releases
// it too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lockBucketName, lockKey } from '../src/deploy-lock.js';
import { RELEASE_YAML } from './helpers/aws-context.js';
import { tempProject } from './helpers/cli-harness.js';
import { FakeLockAwsServer, LOCK_ACCOUNT, LOCK_CALLER } from './helpers/fake-lock-aws-server.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(pkg, 'bin', 'model-deploy.js');
const BUCKET = lockBucketName({ accountId: LOCK_ACCOUNT, region: 'eu-west-1' });
const KEY = lockKey({ prefix: 'ms-iris-dev' });

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

let server: FakeLockAwsServer;
const project = tempProject({ 'release.yaml': RELEASE_YAML });

beforeAll(async () => {
  // CI builds before testing (scripts/setup.sh); build here only when dist is missing.
  if (!existsSync(join(pkg, 'dist', 'cli.js')))
    spawnSync('npx', ['tsc', '-b', pkg], { stdio: 'ignore', timeout: 180_000 });
}, 200_000);
beforeEach(async () => {
  await server?.stop();
  server = await new FakeLockAwsServer().start();
});
afterAll(async () => {
  await server?.stop();
  project.cleanup();
});

function up(): Run {
  const child = spawn(
    process.execPath,
    [bin, 'up', 'dev', '--image', 'registry.example/iris:abc1234', '--dir', project.dir],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...server.childEnv() },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<Awaited<Run['done']>>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done };
}

describe('two concurrent `model-deploy up dev`', () => {
  it('exactly one proceeds; the other exits with MS_DEPLOY_LOCKED naming it; the lock is released when the first fails', async () => {
    const runs = [up(), up()];
    const first = await Promise.race(runs.map((r, i) => r.done.then((result) => ({ i, result }))));
    const loser = runs[first.i]!;
    const winner = runs[1 - first.i]!;
    expect(first.result.code).toBe(1);
    expect(first.result.stderr).toMatch(/^MS_DEPLOY_LOCKED: dev is locked by another run: `up dev` by /m);
    expect(first.result.stderr).toContain(`(${LOCK_CALLER}, pid ${winner.child.pid} on `);
    expect(first.result.stderr).toContain('--break-lock');
    // The winner is past the lock, in the middle of its run.
    await server.heldRequests(1);
    expect(JSON.parse(server.object(BUCKET, KEY)!.body)).toMatchObject({ pid: winner.child.pid, command: 'up dev' });
    // The loser made no call past the lock: none of the held calls is its.
    expect(loser.child.exitCode).toBe(1);

    server.denyHeld();
    const result = await winner.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MS_DEPLOY_AWS_ACCESS_DENIED/);
    expect(server.object(BUCKET, KEY)).toBeUndefined();
    const deletes = server.seen.filter((r) => r.operation === 'DeleteObject');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.headers['if-match']).toBeDefined();
  }, 90_000);

  it('Ctrl-C releases the lock before the run exits (130), so the next run proceeds', async () => {
    const run = up();
    await server.heldRequests(1);
    expect(server.object(BUCKET, KEY)).toBeDefined();
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: releasing the deploy lock of dev');
    expect(server.object(BUCKET, KEY)).toBeUndefined();
    server.dropHeld();

    const next = up();
    await server.heldRequests(1);
    expect(JSON.parse(server.object(BUCKET, KEY)!.body)).toMatchObject({ pid: next.child.pid });
    server.denyHeld();
    expect((await next.done).code).toBe(1);
  }, 90_000);
});
