// The CommandRunner seam (docker/buildah/podman, npm test) over the one capture helper.
import type { CommandRunner } from './context.js';
import { capture } from './subprocess.js';

export interface ProcessRunnerOptions {
  /** Streams output lines as they come (e.g. to the progress sink). */
  onOutput?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Kills a command that runs longer (doctor's `npm test` is bounded so doctor always ends). */
  timeoutMs?: number;
  /** Characters of each stream's tail kept (default 256 KiB: a docker build log). */
  maxCapture?: number;
}

/** `npm test` in the project is bounded so doctor always ends. */
export const TEST_TIMEOUT_MS = 10 * 60 * 1000;

export function processRunner(options: ProcessRunnerOptions = {}): CommandRunner {
  const { onOutput, env, timeoutMs, maxCapture } = options;
  return {
    async run(command, args, runOptions = {}) {
      const r = await capture(command, args, {
        cwd: runOptions.cwd,
        env,
        stdin: runOptions.stdin ?? '',
        timeoutMs,
        maxStdout: maxCapture,
        maxStderr: maxCapture,
        onOutput,
      });
      return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** doctor's runner: no streaming, a bounded run and a smaller tail. */
export function spawnRunner(timeoutMs = TEST_TIMEOUT_MS): CommandRunner {
  return processRunner({ timeoutMs, maxCapture: 64_000 });
}
