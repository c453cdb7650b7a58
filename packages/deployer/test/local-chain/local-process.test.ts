// The real `model-deploy local` as a user runs it: a child process running the project's
// `npm start` (npm -> sh -> node), prefixed log lines, secrets only in a 0600 file, and on
// SIGTERM nothing left: no port open, no process of the chain alive. A `cache: redis` project
// gets its own redis-server, which answers repeat requests from the cache and stops with the rest.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(pkg, 'bin', 'model-deploy.js');
const runtimeEntry = pathToFileURL(join(pkg, '..', 'runtime', 'dist', 'index.js')).href;

const release = (cache: string) => `apiVersion: model-service/v1
model: { name: irisp, team: data-science }
region: eu-west-1
cache: ${cache}
# A redis cache in AWS lives in a VPC; locally model-deploy starts its own redis-server instead.
vpc: { subnetIds: [subnet-0a1b2c3d], securityGroupIds: [sg-0123abcd] }
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`;

// The project's runtime: the real runtime's serve(), configured from the environment as a
// generated project is; it records its PID so the test can check it is gone.
const SERVER = `import { writeFileSync } from 'node:fs';
import { serve } from '${runtimeEntry}';
await serve({
  name: 'irisp', version: '1',
  instanceSchema: { type: 'number' }, predictionSchema: { type: 'number' },
  predict: (xs) => xs.map((x) => x * 2),
});
writeFileSync('runtime.pid', String(process.pid));
console.log('fixture runtime up');
`;

const dirs: string[] = [];
async function project(cache: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ms-local-process-'));
  dirs.push(dir);
  await writeFile(join(dir, 'release.yaml'), release(cache));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', scripts: { start: 'node server.mjs' } }));
  await writeFile(join(dir, 'server.mjs'), SERVER);
  return dir;
}

interface Running {
  child: ChildProcess;
  info: Record<string, string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts the bin with --json and resolves once it printed its JSON document. */
function startLocal(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const child = spawn(process.execPath, [bin, 'local', 'dev', '--dir', dir, '--json', '--start-timeout', '60'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      try {
        resolve({ child, info: JSON.parse(stdout), stderr: () => stderr, exit });
      } catch {
        // not the whole document yet
      }
    });
    void exit.then((code) => reject(new Error(`model-deploy local exited ${code}: ${stderr}`)));
  });
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function predict(info: Record<string, string>, body: string) {
  const env = await readFile(info.credentialsFile!, 'utf8');
  const token = /MODEL_DEPLOY_TOKEN='([^']+)'/.exec(env)![1]!;
  const res = await fetch(info.predict!, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(() => {
  // CI builds before testing (scripts/setup.sh); build here only when dist is missing.
  if (!existsSync(join(pkg, 'dist', 'cli.js')) || !existsSync(fileURLToPath(runtimeEntry)))
    spawnSync('npx', ['tsc', '-b', pkg], { stdio: 'ignore', timeout: 180_000 });
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('model-deploy local as a process', () => {
  it('shows prefixed runtime and proxy logs, keeps secrets in a 0600 file, and leaves nothing behind on SIGTERM', async () => {
    const dir = await project('{ kind: off }');
    const run = await startLocal(dir);
    const { info } = run;
    expect(await predict(info, '{"instances":[2,5]}')).toEqual({ status: 200, body: { predictions: [4, 10] } });

    // No secret on stdout: the password and the token live only in the credentials file.
    const printed = JSON.stringify(info);
    const credentials = await readFile(info.credentialsFile!, 'utf8');
    expect(statSync(info.credentialsFile!).mode & 0o777).toBe(0o600);
    for (const key of ['MODEL_DEPLOY_PASSWORD', 'MODEL_DEPLOY_TOKEN']) {
      const value = new RegExp(`${key}='([^']+)'`).exec(credentials)![1]!;
      expect(printed).not.toContain(value);
      expect(run.stderr()).not.toContain(value);
    }

    const runtimePid = Number(await readFile(join(dir, 'runtime.pid'), 'utf8'));
    const urls = [info.runtimeUrl!, info.cognitoUrl!, info.apiUrl!];
    for (const url of urls) expect(await portOpen(url)).toBe(true);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain('[runtime] fixture runtime up');
    expect(run.stderr()).toMatch(/^\[proxy\] \{.*\}$/m);
    expect(alive(runtimePid)).toBe(false);
    for (const url of urls) expect(await portOpen(url)).toBe(false);
    expect(existsSync(info.credentialsFile!)).toBe(false);
  });

  it('a cache: redis project gets a local redis-server: repeat requests are cache hits, and it stops too', async () => {
    const dir = await project('{ kind: redis, ttlSeconds: 60 }');
    const run = await startLocal(dir);
    const { info } = run;
    expect(info.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await predict(info, '{"instances":[3]}')).toEqual({ status: 200, body: { predictions: [6] } });
    expect(await predict(info, '{"instances":[3]}')).toEqual({ status: 200, body: { predictions: [6] } });
    const metrics = await (await fetch(`${info.runtimeUrl}/metrics`)).text();
    expect(metrics).toMatch(/^model_cache_hits_total\S* 1$/m);
    expect(metrics).toMatch(/^model_cache_misses_total\S* 1$/m);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(await portOpen(info.redisUrl!.replace('redis:', 'http:'))).toBe(false);
    expect(await portOpen(info.runtimeUrl!)).toBe(false);
  });

  it('a cache: redis project without redis-server installed: one error naming the package', async () => {
    const dir = await project('{ kind: redis }');
    // PATH holds node only (in its own directory), not redis-server.
    const nodeOnly = await mkdtemp(join(tmpdir(), 'ms-node-only-'));
    dirs.push(nodeOnly);
    spawnSync('ln', ['-s', process.execPath, join(nodeOnly, 'node')]);
    const out = spawnSync(process.execPath, [bin, 'local', 'dev', '--dir', dir], {
      env: { ...process.env, PATH: nodeOnly },
      encoding: 'utf8',
    });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('MS_DEPLOY_LOCAL_REDIS_MISSING');
    expect(out.stderr).toContain('apt-get install redis-server');
  });
});
