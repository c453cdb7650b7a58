// The generated Dockerfile built and run for real, without a Docker engine: buildah builds it
// (chroot isolation, vfs storage) on a Node base image made locally by
// scripts/make-node-base-image.sh (cached between runs), `buildah run` starts the image's
// ENTRYPOINT + CMD, and /ping and /invocations are called from the host and from inside.
// Without buildah/debootstrap it skips loudly; under CI=true it fails instead (CI installs them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  buildImage,
  describeWithContainers,
  ensureNodeBaseImage,
  freePort,
  inspectImage,
  removeImage,
  removeStaleTestImages,
  startContainer,
  type ImageInfo,
  type RunningContainer,
} from '../support/container.js';
import { NPM_INSTALL, generateProject, http, npm, packRuntime, waitForPing } from './project-support.js';

const describeIf = describeWithContainers(
  'test/generator/container.test.ts',
  'the generated Dockerfile was NOT built or run',
);

const NAME = 'boxed-churn';
const REPO = `localhost/ms-test-${NAME}`;
const TAG = `${REPO}:${process.pid}`;
/** The app's layers on top of the base: compiled code, production node_modules, the model. */
const MAX_APP_BYTES = 40 * 1024 * 1024;

let work: string;
let base: { image: string; seconds: number };
let baseInfo: ImageInfo;
let info: ImageInfo;
let buildSeconds = 0;
let container: RunningContainer | undefined;
let url = '';

describeIf('generated Dockerfile, built with buildah on a local Node base and run', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ms-image-'));
    const tgz = await packRuntime(work);
    const dir = await generateProject(work, NAME, ['--runtime-source', tgz, '--cache', 'memory', '--ci', 'none']);
    // The local base stands in for the Dockerfile's pinned public default: same Node version.
    const pinned = /^ARG BASE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim$/m.exec(
      readFileSync(join(dir, 'Dockerfile'), 'utf8'),
    );
    if (!pinned) throw new Error('the generated Dockerfile has no `ARG BASE_IMAGE=node:<x.y.z>-bookworm-slim` default');
    base = await ensureNodeBaseImage({ nodeVersion: pinned[1] });
    await removeStaleTestImages(REPO);
    baseInfo = await inspectImage(base.image);
    // The lockfile a user commits; with it the build stage runs `npm ci`.
    const lock = await npm(dir, [...NPM_INSTALL, '--package-lock-only'], 120_000);
    if (lock.status !== 0) throw new Error(`npm install --package-lock-only failed:\n${lock.stderr.slice(-3000)}`);
    const built = await buildImage({ contextDir: dir, tag: TAG, baseImage: base.image });
    buildSeconds = built.seconds;
    info = await inspectImage(TAG);
    // Numbers for docs/benchmarks.md (containers and generated projects).
    console.log(
      `container test: base ${base.image} ${(baseInfo.size / 1e6).toFixed(0)} MB (ready in ${base.seconds.toFixed(0)} s); ` +
        `image ${(info.size / 1e6).toFixed(0)} MB, app layers ${((info.size - baseInfo.size) / 1e6).toFixed(1)} MB, build ${buildSeconds.toFixed(0)} s`,
    );
  }, 1_200_000);

  afterAll(async () => {
    await container?.stop();
    await removeImage(TAG);
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  test('the image config keeps what the Dockerfile says: non-root user, port 8080, HEALTHCHECK, serve entry', () => {
    expect(info.user).toBe('node');
    expect(info.exposedPorts).toEqual(['8080/tcp']);
    expect(info.workingDir).toBe('/opt/ml/code');
    expect(info.env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'PORT=8080']));
    expect(info.entrypoint).toEqual(['node', '/opt/ml/code/dist/server.js']);
    expect(info.cmd).toEqual(['serve']);
    expect(info.healthcheck?.[0]).toBe('CMD');
    expect(info.healthcheck?.join(' ')).toContain('/ping');
  });

  test('runs: /ping and /invocations answer from the host over a real socket and from inside', async () => {
    const port = await freePort();
    // Chroot isolation shares the host network: bind to loopback on a free port.
    container = await startContainer(TAG, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' });
    url = `http://127.0.0.1:${port}`;
    await waitForPing(url, () => container!.output());

    const sample = readFileSync(join(work, NAME, 'sample-request.json'), 'utf8');
    const answer = await http(`${url}/invocations`, 'POST', sample);
    expect(answer.status).toBe(200);
    expect(answer.json().predictions.map((p: { label: string }) => p.label)).toEqual(['churn', 'stay']);
    const bad = await http(`${url}/invocations`, 'POST', '{"instances":[{"tenureMonths":"long"}]}');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('MS_RUNTIME_INVALID_INPUT');

    // The server process runs as the image's user.
    const whoami = await container.exec(['id', '-un']);
    expect(whoami.stdout.trim()).toBe('node');
    // The image's own HEALTHCHECK command, run inside the container, passes.
    const check = info.healthcheck!.slice(1);
    const health = await container.exec(check);
    expect({ status: health.status, stderr: health.stderr }).toEqual({ status: 0, stderr: '' });
    // ... and fails when nothing answers on PORT, so it can mark a dead service unhealthy.
    const deadPort = await freePort();
    const unhealthy = await container.exec(check, 30_000, { PORT: String(deadPort) });
    expect(unhealthy.status).toBe(1);
    // And /invocations from inside the container, with the image's Node.
    const call = `fetch('http://127.0.0.1:'+process.env.PORT+'/invocations',{method:'POST',headers:{'content-type':'application/json'},body:${JSON.stringify(sample)}})`;
    const inside = await container.exec([
      'node',
      '-e',
      `${call}.then(async (r) => console.log(r.status, JSON.stringify(await r.json())))`,
    ]);
    expect(inside.status).toBe(0);
    expect(inside.stdout).toMatch(/^200 \{"predictions":\[/);
  }, 120_000);

  test('the final stage is small: base layers plus at most 40 MB of app, no build tools or sources', async () => {
    expect(info.layers.slice(0, baseInfo.layers.length)).toEqual(baseInfo.layers);
    expect(info.size - baseInfo.size).toBeGreaterThan(0);
    expect(info.size - baseInfo.size).toBeLessThan(MAX_APP_BYTES);
    // Installed packages (a folder with a package.json), not folders: npm prune leaves empty scope dirs.
    expect(container).toBeDefined();
    const probe = await container!.exec([
      'sh',
      '-c',
      'ls -A /opt/ml/code /opt/ml/code/model && cd /opt/ml/code/node_modules && ls -d */package.json @*/*/package.json',
    ]);
    expect(probe.status).toBe(0);
    const listing = probe.stdout.split('\n').map((l) => l.replace(/\/package\.json$/, ''));
    expect(listing).toEqual(
      expect.arrayContaining([
        'dist',
        'model',
        'node_modules',
        'package.json',
        `${NAME}-model.json`,
        '@model-service/runtime',
        'express',
        'pino',
      ]),
    );
    for (const absent of [
      'src',
      'tests',
      'vendor',
      'tsconfig.json',
      'typescript',
      'jest',
      'ts-jest',
      'supertest',
      '@types/node',
      '@jest/globals',
    ]) {
      expect(listing).not.toContain(absent);
    }
  }, 60_000);

  test('SIGTERM drains and the entry process exits 0', async () => {
    expect(container).toBeDefined();
    const stopped = await container!.stop(20_000);
    container = undefined;
    expect(stopped).toEqual({ code: 0, signal: null });
    await expect(http(`${url}/ping`)).rejects.toThrow();
  }, 60_000);
});
