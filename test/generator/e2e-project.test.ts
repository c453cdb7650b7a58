// End to end, as a user before @model-service/* is published: pack the runtime, generate a
// project with the real bin (--runtime-source <tgz>), then in that project `npm install`,
// `npm test`, `npm run build`, start it as `npm start` does and call it over real sockets.
// The steps run in order; each later step needs the one before.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { freePort } from '../support/container.js';
import { ROOT } from './helpers.js';
import {
  NPM_INSTALL,
  childEnv,
  generateProject,
  http,
  npm,
  packRuntime,
  readJson,
  waitForPing,
} from './project-support.js';

const NAME = 'e2e-churn';
let work: string;
let dir: string;
let tgz: string;
const done = { install: false, build: false };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ms-e2e-'));
  tgz = await packRuntime(work);
  dir = await generateProject(work, NAME, ['--runtime-source', tgz, '--cache', 'memory', '--ci', 'none']);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function fail(what: string, r: { status: number | null; stdout: string; stderr: string }): string {
  return r.status === 0 ? '' : `${what} exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;
}

describe('generated project with the runtime from an `npm pack` tarball', () => {
  test('depends on the vendored tarball (file:vendor/...), which the Dockerfile copies too', () => {
    const file = basename(tgz);
    expect(readJson(join(dir, 'package.json')).dependencies['@model-service/runtime']).toBe(`file:vendor/${file}`);
    expect(existsSync(join(dir, 'vendor', file))).toBe(true);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('COPY vendor/ ./vendor/');
  });

  test('npm install resolves it from the tarball: a real folder, not a link into the monorepo', async () => {
    const install = await npm(dir, NPM_INSTALL, 180_000);
    expect(fail('npm install', install)).toBe('');
    const installed = join(dir, 'node_modules', '@model-service', 'runtime');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readJson(join(installed, 'package.json')).version).toBe(
      readJson(join(ROOT, 'packages', 'runtime', 'package.json')).version,
    );
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    // The lockfile a user commits records the tarball, so `npm ci` (CI, the image build) repeats it.
    const lock = readJson(join(dir, 'package-lock.json'));
    expect(lock.packages['node_modules/@model-service/runtime'].resolved).toBe(`file:vendor/${basename(tgz)}`);
    done.install = true;
  }, 200_000);

  test('npm test passes (the project is green as generated)', async () => {
    expect(done.install).toBe(true);
    const tested = await npm(dir, ['test'], 180_000);
    expect(fail('npm test', tested)).toBe('');
    expect(`${tested.stdout}\n${tested.stderr}`).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(`${tested.stdout}\n${tested.stderr}`).not.toMatch(/\d+ failed/);
  }, 200_000);

  test('npm run build compiles the server', async () => {
    expect(done.install).toBe(true);
    const built = await npm(dir, ['run', 'build'], 120_000);
    expect(fail('npm run build', built)).toBe('');
    expect(existsSync(join(dir, 'dist', 'server.js'))).toBe(true);
    done.build = true;
  }, 150_000);

  test('started as `npm start` does, it answers /ping and /invocations on a real socket and drains on SIGTERM', async () => {
    expect(done.build).toBe(true);
    // `npm start` is `exec node dist/server.js serve`: run that exactly, so SIGTERM reaches the server itself.
    const start = readJson(join(dir, 'package.json')).scripts.start as string;
    const m = /^exec node (\S+) (serve)$/.exec(start);
    expect(m).not.toBeNull();
    const port = await freePort();
    // coreutils `timeout` caps its life if this test process dies; it passes SIGTERM on and exits with the server's code.
    const child = spawn('timeout', ['--kill-after=10s', '300s', process.execPath, m![1]!, m![2]!], {
      cwd: dir,
      env: childEnv({ HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForPing(base, () => out);
      const ping = await http(`${base}/ping`);
      expect(ping.status).toBe(200);

      const sample = readFileSync(join(dir, 'sample-request.json'), 'utf8');
      const answer = await http(`${base}/invocations`, 'POST', sample);
      expect(answer.status).toBe(200);
      const predictions = answer.json().predictions as Array<{ churnProbability: number; label: string }>;
      expect(predictions).toHaveLength(JSON.parse(sample).instances.length);
      // The sample's first account is the risky one, the second the loyal one.
      expect(predictions.map((p) => p.label)).toEqual(['churn', 'stay']);
      for (const p of predictions) expect(p.churnProbability).toBeGreaterThanOrEqual(0);

      const bad = await http(`${base}/invocations`, 'POST', JSON.stringify({ instances: [{ tenureMonths: 'long' }] }));
      expect(bad.status).toBe(400);
      expect(bad.json().error.code).toBe('MS_RUNTIME_INVALID_INPUT');
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      expect({ code, out: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, out: '' });
    }
  }, 90_000);
});
