// Runs an image locally the way SageMaker does (`<entrypoint> serve`) with the
// configured builder, and hands back where its port 8080 answers:
// - docker / podman: `run -d -p 127.0.0.1::8080`, then `port` for the host side;
// - buildah (daemonless): `buildah from` + `buildah run --isolation chroot` inside
//   its own network namespace (`unshare -n`), so the container's 8080 never
//   collides with anything on the host; a small forwarder entered into that
//   namespace (`nsenter --net`) bridges a unix socket to its 127.0.0.1:8080, and
//   /proc/<pid>/net/tcp tells which ports the container really listens on.
// Every process is started with an argument list (no shell) and stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../context.js';
import type { Builder } from '../resources/image-commands.js';
import type { HttpTarget } from './image-contract.js';

export type { Builder };

/** What the image says about itself (docker inspect `.Config` / OCI config). */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  user?: string;
  workingDir?: string;
  healthcheck?: string[];
  exposedPorts: string[];
  /** Uncompressed size of the layers, bytes. */
  sizeBytes?: number;
}

export interface RunningContainer {
  target: HttpTarget;
  /** Container stdout so far. */
  stdout(): string;
  stderr(): string;
  listeningPorts?(): Promise<number[] | undefined>;
  exited(): { code: number | null; output: string } | undefined;
  stop(): Promise<void>;
}

export interface ContainerOptions {
  builder: Builder;
  /** Flags before the subcommand, e.g. buildah `--storage-driver vfs --root <dir> --runroot <dir>`. */
  globalArgs?: readonly string[];
  runner: CommandRunner;
  /** Extra environment for the container (tests: PORT=9090). */
  env?: Readonly<Record<string, string>>;
  /** buildah: one working container shared by the file scan and the run. */
  containers?: WorkingContainers;
}

/**
 * With vfs storage every `buildah from` copies the whole image; a doctor run
 * makes one working container, reads its files (peek), then runs it (take).
 */
export interface WorkingContainers {
  /** A container of the image to read files from; it stays for a later take(). */
  peek(image: string, o: ContainerOptions): Promise<string>;
  /** An unused container of the image (made now when none waits); the caller removes it. */
  take(image: string, o: ContainerOptions): Promise<string>;
  /** Removes a container nobody took. */
  release(o: ContainerOptions): Promise<void>;
}

async function fromImage(image: string, o: ContainerOptions): Promise<string> {
  const name = `ms-doctor-${randomBytes(4).toString('hex')}`;
  await must(o.runner, 'buildah', [...(o.globalArgs ?? []), 'from', '--name', name, image]);
  return name;
}

export function workingContainers(): WorkingContainers {
  let waiting: { image: string; name: Promise<string> } | undefined;
  return {
    peek(image, o) {
      if (!waiting || waiting.image !== image) waiting = { image, name: fromImage(image, o) };
      return waiting.name;
    },
    take(image, o) {
      const w = waiting;
      waiting = undefined;
      return w && w.image === image ? w.name : fromImage(image, o);
    },
    async release(o) {
      const w = waiting;
      waiting = undefined;
      const name = await w?.name.catch(() => undefined);
      if (name) await o.runner.run('buildah', [...(o.globalArgs ?? []), 'rm', name]).catch(() => undefined);
    },
  };
}

const MAX_CAPTURE = 256 * 1024;

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`cannot parse ${what}: ${text.slice(0, 200)}`);
  }
}

async function must(runner: CommandRunner, command: string, args: readonly string[]): Promise<string> {
  const r = await runner.run(command, args);
  if (r.exitCode !== 0)
    throw new Error(
      `\`${[command, ...args].join(' ')}\` failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  return r.stdout;
}

interface DockerishConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Healthcheck?: { Test?: string[] } | null;
  ExposedPorts?: Record<string, unknown> | null;
}

function fromConfig(c: DockerishConfig | undefined, sizeBytes: number | undefined): ImageConfig {
  return {
    entrypoint: c?.Entrypoint ?? [],
    cmd: c?.Cmd ?? [],
    env: c?.Env ?? [],
    ...(c?.User ? { user: c.User } : {}),
    ...(c?.WorkingDir ? { workingDir: c.WorkingDir } : {}),
    ...(c?.Healthcheck?.Test ? { healthcheck: c.Healthcheck.Test } : {}),
    exposedPorts: Object.keys(c?.ExposedPorts ?? {}),
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
  };
}

/** Reads the image's config and size without running it. */
export async function inspectImage(image: string, o: ContainerOptions): Promise<ImageConfig> {
  const g = o.globalArgs ?? [];
  if (o.builder === 'buildah') {
    const out = parseJson<{
      OCIv1?: { config?: DockerishConfig };
      Docker?: { config?: DockerishConfig };
      Manifest?: string;
    }>(await must(o.runner, 'buildah', [...g, 'inspect', '--type', 'image', image]), 'buildah inspect');
    const manifest = out.Manifest
      ? parseJson<{ layers?: Array<{ size?: number }> }>(out.Manifest, 'the image manifest')
      : undefined;
    const size = manifest?.layers?.reduce((n, l) => n + (l.size ?? 0), 0);
    const config = { ...out.OCIv1?.config, Healthcheck: out.Docker?.config?.Healthcheck ?? undefined };
    return fromConfig(config, size);
  }
  const [out] = parseJson<Array<{ Config?: DockerishConfig; Size?: number }>>(
    await must(o.runner, o.builder, [...g, 'image', 'inspect', image]),
    `${o.builder} image inspect`,
  );
  return fromConfig(out?.Config, out?.Size);
}

/** What SageMaker runs: `docker run <image> serve`, i.e. the entrypoint with `serve` as the command. */
export function serveCommand(config: ImageConfig): string[] {
  return config.entrypoint.length > 0 ? [...config.entrypoint, 'serve'] : ['serve'];
}

/** `docker|podman run` for the contract check: port 8080 published on a free loopback port. */
export function dockerRunArgs(
  globalArgs: readonly string[],
  name: string,
  image: string,
  env: Readonly<Record<string, string>> = {},
): string[] {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return [...globalArgs, 'run', '-d', '--name', name, '-p', '127.0.0.1::8080', ...envArgs, image, 'serve'];
}

/** `buildah run` for the contract check (inside `unshare -n`). */
export function buildahRunArgs(
  globalArgs: readonly string[],
  container: string,
  command: readonly string[],
  env: Readonly<Record<string, string>> = {},
): string[] {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  return [...globalArgs, 'run', '--isolation', 'chroot', ...envArgs, container, '--', ...command];
}

function capture(child: ChildProcess) {
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    if (out.length < MAX_CAPTURE) out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    if (err.length < MAX_CAPTURE) err += c.toString();
  });
  let ended: { code: number | null; output: string } | undefined;
  child.on('exit', (code) => {
    ended = { code, output: `${out}${err}` };
  });
  child.on('error', (e) => {
    ended = { code: null, output: e.message };
  });
  return { stdout: () => out, stderr: () => err, exited: () => ended };
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Listening TCP ports (state 0A) in the network namespace of `pid`. */
export async function listeningPortsOf(pid: number): Promise<number[]> {
  const ports = new Set<number>();
  for (const file of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]) ports.add(parseInt(cols[1].split(':')[1] ?? '', 16));
    }
  }
  return [...ports].filter((p) => Number.isInteger(p)).sort((a, b) => a - b);
}

// Runs inside the container's network namespace: unix socket -> 127.0.0.1:8080.
const FORWARDER = `
const net = require('node:net');
const server = net.createServer((c) => {
  const u = net.connect(8080, '127.0.0.1');
  c.pipe(u); u.pipe(c);
  u.on('error', () => c.destroy()); c.on('error', () => u.destroy());
});
server.listen(process.argv[1], () => process.stdout.write('ready\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

async function startBuildah(image: string, o: ContainerOptions): Promise<RunningContainer> {
  const g = o.globalArgs ?? [];
  const config = await inspectImage(image, o);
  const name = o.containers ? await o.containers.take(image, o) : await fromImage(image, o);
  const removeContainer = () =>
    o.runner.run('buildah', [...g, 'rm', name]).then(
      () => undefined,
      () => undefined,
    );
  const dir = mkdtempSync(join(tmpdir(), 'ms-doctor-'));
  const socketPath = join(dir, 'port-8080.sock');
  let child: ChildProcess | undefined;
  let forwarder: ChildProcess | undefined;
  try {
    // lo is down in a fresh network namespace: bring it up, then become buildah.
    child = spawn(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        'ip link set lo up && exec "$@"',
        'sh',
        'buildah',
        ...buildahRunArgs(g, name, serveCommand(config), o.env),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out = capture(child);
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start `unshare -n buildah run`');
    forwarder = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', FORWARDER, socketPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, reject) => {
      const timer = setTimeout(() => reject(new Error('the port forwarder did not start within 10 s')), 10_000);
      forwarder!.stdout!.once('data', () => {
        clearTimeout(timer);
        ready();
      });
      forwarder!.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`the port forwarder exited (${code}); are unshare/nsenter allowed here (root or CAP_SYS_ADMIN)?`),
        );
      });
    });
    const started = { child, forwarder };
    return {
      target: { socketPath },
      stdout: out.stdout,
      stderr: out.stderr,
      exited: out.exited,
      listeningPorts: () => listeningPortsOf(pid),
      async stop() {
        await stopChild(started.forwarder);
        await stopChild(started.child);
        await removeContainer();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (forwarder) await stopChild(forwarder);
    if (child) await stopChild(child);
    await removeContainer();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startDocker(image: string, o: ContainerOptions): Promise<RunningContainer> {
  const g = o.globalArgs ?? [];
  const cli = o.builder;
  const name = `ms-doctor-${randomBytes(4).toString('hex')}`;
  await must(o.runner, cli, dockerRunArgs(g, name, image, o.env));
  const remove = () =>
    o.runner.run(cli, [...g, 'rm', '-f', name]).then(
      () => undefined,
      () => undefined,
    );
  try {
    // "127.0.0.1:49153" (podman/docker may list one line per address family).
    const mapped = (await must(o.runner, cli, [...g, 'port', name, '8080/tcp'])).trim().split('\n')[0] ?? '';
    const port = Number(mapped.split(':').pop());
    if (!Number.isInteger(port) || port <= 0) throw new Error(`unexpected \`${cli} port\` answer: ${mapped}`);
    let logs = { out: '', err: '' };
    const refresh = async () => {
      const r = await o.runner.run(cli, [...g, 'logs', name]).catch(() => undefined);
      if (r) logs = { out: r.stdout, err: r.stderr };
    };
    let ended: { code: number | null; output: string } | undefined;
    return {
      target: { host: '127.0.0.1', port },
      stdout: () => logs.out,
      stderr: () => logs.err,
      exited: () => ended,
      async listeningPorts() {
        // Refresh what the container printed and whether it still runs (read by the contract loop).
        await refresh();
        const state = await o.runner
          .run(cli, [...g, 'inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name])
          .catch(() => undefined);
        const [running, code] = (state?.stdout ?? '').trim().split(' ');
        if (running === 'false') ended = { code: Number(code), output: `${logs.out}${logs.err}` };
        return undefined;
      },
      async stop() {
        await refresh();
        await remove();
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

export function startContainer(image: string, o: ContainerOptions): Promise<RunningContainer> {
  return o.builder === 'buildah' ? startBuildah(image, o) : startDocker(image, o);
}

/**
 * Gives `fn` a host directory holding the image's files under `paths` (absolute
 * paths in the image): buildah mounts a working container; docker/podman copy
 * them out of a created (never started) container. Always cleaned up.
 */
export async function withImageFiles<T>(
  image: string,
  paths: readonly string[],
  o: ContainerOptions,
  fn: (root: string) => Promise<T>,
): Promise<T> {
  const g = o.globalArgs ?? [];
  const name = `ms-doctor-files-${randomBytes(4).toString('hex')}`;
  if (o.builder === 'buildah') {
    const shared = o.containers ? await o.containers.peek(image, o) : undefined;
    const ctr = shared ?? (await fromImage(image, o));
    try {
      const root = (await must(o.runner, 'buildah', [...g, 'mount', ctr])).trim();
      return await fn(root);
    } finally {
      await o.runner.run('buildah', [...g, 'umount', ctr]).catch(() => undefined);
      // A shared container stays for the run (which removes it).
      if (!shared) await o.runner.run('buildah', [...g, 'rm', ctr]).catch(() => undefined);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'ms-doctor-files-'));
  await must(o.runner, o.builder, [...g, 'create', '--name', name, image]);
  try {
    for (const p of paths) {
      const dest = join(dir, p);
      await mkdir(join(dest, '..'), { recursive: true });
      // A path the image does not have is simply not scanned.
      await o.runner.run(o.builder, [...g, 'cp', `${name}:${p}`, dest]).catch(() => undefined);
    }
    return await fn(dir);
  } finally {
    await o.runner.run(o.builder, [...g, 'rm', '-f', name]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
