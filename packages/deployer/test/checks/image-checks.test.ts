// doctor --image through the real program with --builder docker: the docker
// CLI is a recording runner (no engine here) whose `docker port` points at a
// real HTTP server on 127.0.0.1, so the contract, logs and size checks run for
// real against it. Each check passes, and fails with its id and a fix. The
// command lines doctor would send to docker are asserted too.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  dockerRunArgs,
  buildahRunArgs,
  listeningPortsOf,
  serveCommand,
  workingContainers,
} from '../../src/checks/image-container.js';
import type { CommandRunner } from '../../src/context.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';
import { cli, tempProject } from '../helpers/cli-harness.js';

interface Report {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

const IMAGE = 'localhost/iris:test';
const SAMPLE = '{"instances":[{"sepalLength":5.1}]}';
const GOOD_DOCKERFILE = `ARG BASE_IMAGE=node:20.20.2-bookworm-slim
FROM \${BASE_IMAGE}
WORKDIR /opt/ml/code
COPY dist/ ./dist/
USER node
EXPOSE 8080
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:8080/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/server.js"]
CMD ["serve"]
`;

interface FakeContainer {
  /** What the server does; its stdout lines are what `docker logs` returns. */
  handler?: (url: string, log: (line: string) => void) => { status: number; body: string };
  sizeBytes?: number;
  /** `docker port` answers a port nothing listens on (the app listens elsewhere). */
  wrongPort?: boolean;
  /** Files `docker cp <ctr>:<path> <dest>` copies out of the image, by image path. */
  files?: Record<string, Record<string, string>>;
  env?: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A docker CLI stand-in: run/port/logs/inspect/rm/create/cp, backed by a real loopback server. */
async function fakeDocker(c: FakeContainer): Promise<CommandRunner & { seen: string[] }> {
  let logs = '';
  const log = (line: string) => void (logs += `${line}\n`);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = c.handler?.(req.url!, log) ?? { status: 404, body: '' };
      res.writeHead(answer.status).end(answer.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closed = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const seen: string[] = [];
  const ok = (stdout = '') => ({ exitCode: 0, stdout, stderr: '' });
  return {
    seen,
    async run(command, args) {
      seen.push([command, ...args].join(' '));
      if (command === 'git') return { exitCode: 128, stdout: '', stderr: 'fatal: not a git repository' };
      const [sub] = args;
      if (sub === 'image') {
        return ok(
          JSON.stringify([
            {
              Size: c.sizeBytes ?? 150 * 1024 * 1024,
              Config: {
                Entrypoint: ['node', 'dist/server.js'],
                Cmd: ['serve'],
                Env: c.env ?? ['NODE_ENV=production'],
                User: 'node',
                WorkingDir: '/opt/ml/code',
              },
            },
          ]),
        );
      }
      if (sub === 'cp') {
        const [, from, dest] = args;
        const tree = c.files?.[from!.split(':')[1]!];
        if (!tree) return { exitCode: 1, stdout: '', stderr: 'Error: No such container:path' };
        for (const [rel, text] of Object.entries(tree)) {
          mkdirSync(dirname(join(dest!, rel)), { recursive: true });
          writeFileSync(join(dest!, rel), text);
        }
        return ok();
      }
      if (sub === 'run' || sub === 'rm' || sub === 'create') return ok('0123abcd\n');
      if (sub === 'port') return ok(`127.0.0.1:${c.wrongPort ? closed : port}\n`);
      if (sub === 'logs') return ok(logs);
      if (sub === 'inspect') return ok('true 0\n');
      throw new Error(`unexpected docker ${args.join(' ')}`);
    },
  };
}

const runtimeLike = (url: string, log: (line: string) => void) => {
  if (url === '/ping') return { status: 200, body: '{"status":"UP"}' };
  log(
    JSON.stringify({
      level: 30,
      reqId: 'r-1',
      req: { method: 'POST', url },
      res: { statusCode: 200 },
      responseTime: 3.2,
      msg: 'request completed',
    }),
  );
  return { status: 200, body: '{"predictions":[{"label":"setosa"}]}' };
};

function project(files: Record<string, string> = {}) {
  return tempProject({
    'release.yaml': RELEASE_YAML,
    'sample-request.json': SAMPLE,
    Dockerfile: GOOD_DOCKERFILE,
    ...files,
  });
}

async function doctorImage(runner: CommandRunner, dir: string, extra: string[] = []) {
  const run = await cli(['doctor', '--image', IMAGE, '--dir', dir, '--startup-timeout', '2', '--json', ...extra], {
    deps: { runner },
  });
  const body = run.json<{ ok: boolean; checks: Report[]; error?: { code: string } }>();
  return { code: run.code, body, check: (id: string) => body.checks.find((c) => c.id === id)! };
}

describe('model-deploy doctor --image (docker CLI)', () => {
  it('passes every image check on a healthy image; no AWS client is involved', async () => {
    const p = project();
    const runner = await fakeDocker({ handler: runtimeLike });
    const { code, body } = await doctorImage(runner, p.dir);
    expect(body.checks.map((c) => [c.id, c.status])).toEqual([
      ['doctor.release', 'pass'],
      ['doctor.dockerfile.lint', 'pass'],
      ['doctor.secrets', 'pass'],
      ['doctor.image.contract', 'pass'],
      ['doctor.image.logs', 'pass'],
      ['doctor.image.size', 'pass'],
    ]);
    expect(code).toBe(0);
    expect(body.checks.find((c) => c.id === 'doctor.image.size')!.message).toBe('150.0 MB (limit 2048 MB)');
    // SageMaker's way to start it: `docker run <image> serve`, 8080 published on loopback only; removed afterwards.
    const run = runner.seen.find((s) => s.startsWith('docker run'))!;
    expect(run).toMatch(
      /^docker run -d --name ms-doctor-[0-9a-f]{8} -p 127\.0\.0\.1::8080 localhost\/iris:test serve$/,
    );
    const name = run.split(' ')[4];
    expect(runner.seen).toContain(`docker rm -f ${name}`);
    p.cleanup();
  });

  it('doctor.image.contract fails with what and how to fix when /invocations refuses the sample', async () => {
    const p = project();
    const runner = await fakeDocker({
      handler: (url) =>
        url === '/ping'
          ? { status: 200, body: '{}' }
          : { status: 415, body: '{"error":{"code":"MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE"}}' },
    });
    const { code, check, body } = await doctorImage(runner, p.dir);
    expect(code).toBe(1);
    expect(check('doctor.image.contract')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('POST /invocations with the sample request answered HTTP 415'),
    });
    expect(check('doctor.image.contract').fix).toMatch(/sample request/);
    expect(body.error!.code).toBe('MS_DEPLOY_CHECKS_FAILED');
    p.cleanup();
  });

  it('doctor.image.contract fails when /ping never answers 200 within the start-up limit', async () => {
    const p = project();
    const runner = await fakeDocker({ handler: () => ({ status: 503, body: '{"status":"DOWN"}' }) });
    const { check } = await doctorImage(runner, p.dir);
    expect(check('doctor.image.contract').status).toBe('fail');
    expect(check('doctor.image.contract').message).toMatch(/^GET \/ping answered HTTP 503 instead of 200 for 2 s/);
    expect(check('doctor.image.logs')).toMatchObject({ status: 'skip' });
    p.cleanup();
  });

  it('doctor.image.contract fails when nothing answers on the published 8080 (the app listens elsewhere)', async () => {
    const p = project();
    const runner = await fakeDocker({ handler: runtimeLike, wrongPort: true });
    const { check } = await doctorImage(runner, p.dir);
    expect(check('doctor.image.contract')).toMatchObject({
      status: 'fail',
      message: 'nothing listens on port 8080 after 2 s',
    });
    expect(check('doctor.image.contract').fix).toMatch(/listen on 0\.0\.0\.0:8080/);
    p.cleanup();
  });

  it('doctor.secrets reads the image too: a key in the app dir, a .env under /root and a secret ENV, shown as image:<path>:<line> only', async () => {
    const p = project();
    const secret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYzR8xQ3pLkT2vNb'].join('/').slice(0, 40);
    const runner = await fakeDocker({
      handler: runtimeLike,
      env: ['NODE_ENV=production', `AWS_SECRET_ACCESS_KEY=${secret}`],
      files: {
        '/opt/ml/code': {
          'dist/config.js': `exports.aws_secret_access_key = "${secret}";\n`,
          'node_modules/x/fixture.js': `const aws_secret_access_key = "${secret}";\n`,
        },
        '/root': { '.env': 'TOKEN=abc\n' },
      },
    });
    const { check, body } = await doctorImage(runner, p.dir);
    const secrets = check('doctor.secrets');
    expect(secrets.status).toBe('fail');
    expect(secrets.message).toContain('image:ENV:2:1 (@secretlint/secretlint-rule-aws/AWSSecretAccessKey)');
    expect(secrets.message).toContain('image:/opt/ml/code/dist/config.js:1:');
    expect(secrets.message).toContain('image:/root/.env:1:1 (dotenv-file)');
    // Dependencies' own fixtures are not the project's secrets.
    expect(secrets.message).not.toContain('node_modules');
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(runner.seen.filter((s) => s.startsWith('docker cp')).map((s) => s.split(' ')[2]!.split(':')[1])).toEqual([
      '/opt/ml/code',
      '/root',
      '/home',
    ]);
    p.cleanup();
  });

  it('doctor.image.logs fails when the container prints plain text (or nothing) on a request', async () => {
    const p = project();
    const runner = await fakeDocker({
      handler: (url, log) => {
        if (url === '/ping') return { status: 200, body: '{}' };
        log('POST /invocations 200 3ms');
        return { status: 200, body: '{"predictions":[1]}' };
      },
    });
    const { check } = await doctorImage(runner, p.dir);
    expect(check('doctor.image.contract').status).toBe('pass');
    expect(check('doctor.image.logs')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(
        'no JSON log line on stdout for POST /invocations (got 1 plain line(s), e.g. "POST /invocations 200 3ms")',
      ),
    });
    expect(check('doctor.image.logs').fix).toMatch(/JSON line per request/);
    p.cleanup();
  });

  it('doctor.image.size fails above release.yaml image.maxSizeMb and says how to shrink', async () => {
    const p = project({
      'release.yaml': RELEASE_YAML.replace('image: { keepLast: 10 }', 'image: { keepLast: 10, maxSizeMb: 100 }'),
    });
    const runner = await fakeDocker({ handler: runtimeLike, sizeBytes: 300 * 1024 * 1024 });
    const { check } = await doctorImage(runner, p.dir);
    expect(check('doctor.image.size')).toMatchObject({
      status: 'fail',
      message: `${IMAGE} is 300.0 MB, over the 100 MB limit`,
    });
    expect(check('doctor.image.size').fix).toMatch(/multi-stage build/);
    p.cleanup();
  });

  it('doctor.image.size: the 2 GB default applies when release.yaml sets no limit', async () => {
    const p = project();
    const runner = await fakeDocker({ handler: runtimeLike, sizeBytes: 2049 * 1024 * 1024 });
    const { check } = await doctorImage(runner, p.dir);
    expect(check('doctor.image.size').message).toBe(`${IMAGE} is 2049.0 MB, over the 2048 MB limit`);
    p.cleanup();
  });

  it('--skip takes image check ids; an unknown one is a usage error', async () => {
    const p = project();
    const runner = await fakeDocker({ handler: runtimeLike });
    const { check } = await doctorImage(runner, p.dir, ['--skip', 'doctor.secrets']);
    expect(check('doctor.secrets')).toMatchObject({ status: 'skip' });
    const bad = await cli(['doctor', '--image', IMAGE, '--dir', p.dir, '--skip', 'doctor.nope'], { deps: { runner } });
    expect(bad.code).toBe(2);
    p.cleanup();
  });
});

describe('buildah working containers (one vfs copy per doctor run)', () => {
  it('the file scan peeks, the run takes the same container; a second take makes a new one; release removes only one nobody took', async () => {
    const seen: string[] = [];
    const runner: CommandRunner = {
      run: async (c, a) => (seen.push([c, ...a].join(' ')), { exitCode: 0, stdout: '', stderr: '' }),
    };
    const o = { builder: 'buildah' as const, runner, globalArgs: ['--storage-driver', 'vfs'] };
    const pool = workingContainers();
    const peeked = await pool.peek('img:1', o);
    expect(await pool.peek('img:1', o)).toBe(peeked);
    expect(await pool.take('img:1', o)).toBe(peeked);
    const fresh = await pool.take('img:1', o);
    expect(fresh).not.toBe(peeked);
    expect(seen).toEqual([
      `buildah --storage-driver vfs from --name ${peeked} img:1`,
      `buildah --storage-driver vfs from --name ${fresh} img:1`,
    ]);
    await pool.release(o);
    expect(seen).toHaveLength(2);
    const left = await pool.peek('img:1', o);
    await pool.release(o);
    expect(seen.at(-1)).toBe(`buildah --storage-driver vfs rm ${left}`);
  });
});

describe('container command lines', () => {
  it("listeningPortsOf reads the listening sockets of a process's network namespace from /proc", async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    expect(await listeningPortsOf(process.pid)).toContain(port);
    expect(await listeningPortsOf(2 ** 22 + 12345)).toEqual([]);
  });

  it('serve is the command after the entrypoint, as SageMaker runs it', () => {
    expect(
      serveCommand({ entrypoint: ['node', '/opt/ml/code/dist/server.js'], cmd: ['serve'], env: [], exposedPorts: [] }),
    ).toEqual(['node', '/opt/ml/code/dist/server.js', 'serve']);
  });

  it('docker/podman and buildah argument lists carry storage flags and extra env, never a shell', () => {
    expect(dockerRunArgs(['--host', 'unix:///run/docker.sock'], 'ms-doctor-1', 'img:1', { PORT: '9090' })).toEqual([
      '--host',
      'unix:///run/docker.sock',
      'run',
      '-d',
      '--name',
      'ms-doctor-1',
      '-p',
      '127.0.0.1::8080',
      '-e',
      'PORT=9090',
      'img:1',
      'serve',
    ]);
    expect(buildahRunArgs(['--storage-driver', 'vfs'], 'ms-doctor-1', ['node', 'server.js', 'serve'])).toEqual([
      '--storage-driver',
      'vfs',
      'run',
      '--isolation',
      'chroot',
      'ms-doctor-1',
      '--',
      'node',
      'server.js',
      'serve',
    ]);
  });
});
