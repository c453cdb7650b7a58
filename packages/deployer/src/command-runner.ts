// Runs external commands (docker/buildah/podman, git) without a shell: args are
// passed as an array (no quoting bugs, no injection) and secrets go in on stdin.
import { spawn } from 'node:child_process';
import type { CommandRunner } from './context.js';

// Keep the tail of long outputs (a docker build log) bounded in memory.
const MAX_CAPTURE = 256 * 1024;

function capped(current: string, chunk: Buffer): string {
  const next = current + chunk.toString('utf8');
  return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next;
}

export interface ProcessRunnerOptions {
  /** Streams output lines as they come (e.g. to the progress sink). */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export function processRunner(options: ProcessRunnerOptions = {}): CommandRunner {
  return {
    run(command, args, runOptions = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(command, [...args], { cwd: runOptions.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        const forward = (chunk: Buffer) => {
          if (options.onOutput) for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onOutput(line);
        };
        child.stdout.on('data', (c: Buffer) => {
          stdout = capped(stdout, c);
          forward(c);
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr = capped(stderr, c);
          forward(c);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
        child.stdin.on('error', () => {}); // the command may exit before reading stdin
        child.stdin.end(runOptions.stdin ?? '');
      });
    },
  };
}
