// `model-deploy doctor --image` on real images, without a Docker engine: a
// generated churn project (what examples/churn is) built with buildah on the
// cached local Node base image, run by doctor in its own network namespace.
// It passes; the same image with PORT=9090 in its config fails
// doctor.image.contract naming the port. Skips loudly without buildah /
// debootstrap / root; under CI=true it fails instead.
// The built image is cached in the image store under a hash of the generated
// project (its lockfile pins the packed runtime) and the base image, so only a
// change to the runtime, the templates or the base rebuilds it (~3 min here);
// a cached run takes about 2 minutes, most of it the two doctor runs.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  buildah,
  buildImage,
  containerSupport,
  ensureNodeBaseImage,
  removeImage,
  storeArgs,
} from '../../../../test/support/container.js';
import { NPM_INSTALL, generateProject, npm, packRuntime } from '../../../../test/generator/project-support.js';
import { cli } from '../helpers/cli-harness.js';

const support = containerSupport();
if (!support.ok) {
  const message = `\n!!! packages/deployer/test/checks/image-doctor-real.test.ts SKIPPED: doctor --image was NOT run on a real image.\n!!! ${support.reason}\n`;
  if (process.env.CI) throw new Error(message);
  console.warn(message);
}
const describeIf = support.ok ? describe : describe.skip;

const REPO = 'localhost/ms-test-doctor-churn';
const REPO_9090 = 'localhost/ms-test-doctor-churn-port9090';
let TAG = '';
let WRONG_PORT = '';

interface Report {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

let work: string;
let dir: string;

/** sha256 over the project's files (not node_modules) and the base image: the cache key. */
function projectKey(root: string, base: string): string {
  const hash = createHash('sha256').update(base);
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((n) => {
        const full = join(d, n);
        if (n === 'node_modules') return [];
        return statSync(full).isDirectory() ? walk(full) : [full];
      });
  for (const f of walk(root)) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

async function exists(image: string): Promise<boolean> {
  return buildah(['inspect', '--type', 'image', image]).then(
    () => true,
    () => false,
  );
}

/** Older cached tags of `repo` (other keys) are removed so the store does not grow. */
async function pruneOthers(repo: string, keep: string): Promise<void> {
  const listed = await buildah(['images', '--format', '{{.Name}}:{{.Tag}}']).catch(() => undefined);
  for (const name of (listed?.stdout ?? '').split('\n').map((l) => l.trim())) {
    if (name.startsWith(`${repo}:`) && name !== keep) await removeImage(name);
  }
}
const env = () => ({ CI: 'true', MODEL_DEPLOY_BUILDER_ARGS: storeArgs().join(' ') });

describeIf('doctor --image on a real generated image (buildah)', () => {
  beforeAll(async () => {
    const base = await ensureNodeBaseImage();
    work = mkdtempSync(join(tmpdir(), 'ms-doctor-image-'));
    const tgz = await packRuntime(work);
    dir = await generateProject(work, 'churn', ['--runtime-source', tgz, '--cache', 'memory', '--ci', 'none']);
    const lock = await npm(dir, [...NPM_INSTALL, '--package-lock-only'], 120_000);
    if (lock.status !== 0) throw new Error(`npm install --package-lock-only failed:\n${lock.stderr.slice(-3000)}`);
    const key = projectKey(dir, base.image);
    TAG = `${REPO}:${key}`;
    WRONG_PORT = `${REPO_9090}:${key}`;
    if (!(await exists(TAG))) {
      const built = await buildImage({ contextDir: dir, tag: TAG, baseImage: base.image });
      console.log(`doctor real-image test: churn image ${TAG} built in ${built.seconds.toFixed(0)} s`);
    } else console.log(`doctor real-image test: churn image ${TAG} from the cache`);
    if (!(await exists(WRONG_PORT))) {
      // The same image, told to listen elsewhere: what a stray PORT in the image does on SageMaker.
      const ctr = `ms-doctor-port-${process.pid}`;
      await buildah(['from', '--name', ctr, TAG], 120_000);
      try {
        await buildah(['config', '--env', 'PORT=9090', ctr]);
        await buildah(['commit', '--format', 'docker', '-q', ctr, WRONG_PORT], 120_000);
      } finally {
        await buildah(['rm', ctr]).catch(() => undefined);
      }
    }
    await pruneOthers(REPO, TAG);
    await pruneOthers(REPO_9090, WRONG_PORT);
  }, 600_000);

  afterAll(() => {
    // The images stay in the store (the cache); only the generated project goes.
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('passes: contract (8080, /ping, /invocations with the sample), JSON logs, size, lint, secrets', async () => {
    const started = Date.now();
    const run = await cli(
      ['doctor', '--image', TAG, '--builder', 'buildah', '--dir', dir, '--startup-timeout', '90', '--json'],
      { env: env() },
    );
    const body = run.json<{ ok: boolean; checks: Report[] }>();
    console.log(
      `doctor --image (passing image): ${((Date.now() - started) / 1000).toFixed(1)} s; ${body.checks.find((c) => c.id === 'doctor.image.contract')?.message}`,
    );
    expect(body.checks.map((c) => [c.id, c.status])).toEqual([
      ['doctor.release', 'pass'],
      ['doctor.dockerfile.lint', 'pass'],
      ['doctor.secrets', 'pass'],
      ['doctor.image.contract', 'pass'],
      ['doctor.image.logs', 'pass'],
      ['doctor.image.size', 'pass'],
    ]);
    expect(run.code).toBe(0);
    expect(body.checks.find((c) => c.id === 'doctor.image.contract')!.message).toMatch(
      /listens on 8080; \/ping 200 after \d+ ms .*\/invocations HTTP 200/,
    );
  }, 180_000);

  test('fails on the same image listening on 9090: doctor.image.contract names the port and what to do', async () => {
    // Only the contract matters here: skip the checks that do not run the image.
    const run = await cli(
      [
        'doctor',
        '--image',
        WRONG_PORT,
        '--builder',
        'buildah',
        '--dir',
        dir,
        '--startup-timeout',
        '90',
        '--json',
        '--skip',
        'doctor.secrets',
        'doctor.dockerfile.lint',
      ],
      { env: env() },
    );
    expect(run.code).toBe(1);
    const body = run.json<{ ok: boolean; checks: Report[]; error: { code: string } }>();
    const contract = body.checks.find((c) => c.id === 'doctor.image.contract')!;
    expect(contract.status).toBe('fail');
    expect(contract.message).toContain('nothing listens on port 8080; the container listens on 9090');
    expect(contract.fix).toMatch(/listen on 0\.0\.0\.0:8080/);
    expect(body.checks.find((c) => c.id === 'doctor.image.logs')!.status).toBe('skip');
    expect(body.error.code).toBe('MS_DEPLOY_CHECKS_FAILED');
  }, 180_000);
});
