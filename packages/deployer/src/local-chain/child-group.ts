// A child process in its own process group (`npm start` runs npm -> sh -> node): stopping it
// signals the whole group, so no grandchild is left listening after npm exits. Its output goes
// to the terminal line by line with a prefix; the last of its stderr is kept for start errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { prefixLines, type LineWriter } from './prefix-lines.js';

export interface ChildGroupOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** e.g. `[runtime]`; absent: the output is only kept, not shown. */
  prefix?: string;
  out?: LineWriter;
  /** SIGTERM first; SIGKILL to the group after this long (default 5000 ms). */
  killAfterMs?: number;
}

export interface ChildGroup {
  readonly pid: number | undefined;
  /** The last 16 kB of stderr. */
  stderrTail(): string;
  /** True once the group leader exited (or failed to spawn). */
  exited(): boolean;
  /** Resolves when the group leader exits; with its spawn error if it could not start. */
  readonly exit: Promise<{ code: number | null; error?: Error }>;
  stop(): Promise<void>;
}

export function spawnChildGroup(options: ChildGroupOptions): ChildGroup {
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  let done = false;
  const shown = options.prefix && options.out ? options.out : undefined;
  const stdout = shown ? prefixLines(options.prefix!, shown) : undefined;
  const stderr = shown ? prefixLines(options.prefix!, shown) : undefined;
  child.stdout?.on('data', (chunk: Buffer) => stdout?.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-16_000);
    stderr?.push(chunk);
  });
  const exit = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => {
      done = true;
      resolve({ code: null, error });
    });
    child.once('exit', (code) => {
      done = true;
      resolve({ code });
    });
  });
  child.once('close', () => {
    stdout?.flush();
    stderr?.flush();
  });

  // Signal 0 to a group: true while any member is alive.
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    if (child.pid === undefined) return false;
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };

  return {
    pid: child.pid,
    stderrTail: () => tail,
    exited: () => done,
    exit,
    async stop() {
      // Even when the leader (npm) is gone, a grandchild may still hold the group: wait for the
      // whole group to drain and exit, and kill what is left after the grace period.
      if (!signalGroup('SIGTERM')) return;
      const graceMs = options.killAfterMs ?? 5000;
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exit;
      for (let waited = 0; signalGroup(0) && waited < graceMs + 1000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      clearTimeout(timer);
      signalGroup('SIGKILL');
    },
  };
}
