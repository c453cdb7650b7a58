// The one way the deployer runs a command and captures its output: no shell (args
// are an array: no quoting bugs, no injection), secrets in on stdin, the output's
// tail kept bounded in memory, and an optional timeout that kills the child.
import { spawn } from 'node:child_process';

export interface CaptureOptions {
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, then closed; `false` gives it no stdin at all. */
  stdin?: string | false;
  /** Kill the child (SIGKILL) after this long; `timedOut` says it happened. */
  timeoutMs?: number;
  /** Keep at most this many characters of each stream (the tail). */
  maxStdout?: number;
  maxStderr?: number;
  /** Each non-blank output line as it comes (e.g. to the progress sink). */
  onOutput?: (line: string) => void;
}

export interface CaptureResult {
  /** null when the child was killed by a signal. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export const DEFAULT_MAX_CAPTURE = 256 * 1024;

const tail = (text: string, max: number) => (text.length > max ? text.slice(text.length - max) : text);

/** Resolves when the child closes; rejects when it cannot start (ENOENT, EACCES). */
export function capture(
  command: string,
  args: readonly string[],
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const { maxStdout = DEFAULT_MAX_CAPTURE, maxStderr = DEFAULT_MAX_CAPTURE, onOutput } = options;
  return new Promise((done, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdin === false ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const forward = (chunk: Buffer) => {
      if (onOutput) for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) onOutput(line);
    };
    child.stdout!.on('data', (c: Buffer) => {
      stdout = tail(stdout + c.toString('utf8'), maxStdout);
      forward(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr = tail(stderr + c.toString('utf8'), maxStderr);
      forward(c);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ exitCode: code, stdout, stderr, timedOut });
    });
    if (child.stdin) {
      // A child that exits without reading stdin must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin || '');
    }
  });
}
