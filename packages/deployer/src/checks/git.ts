// Bounded, non-interactive git for the source checks: no shell, no credential
// prompt (a prompt would wait forever on a terminal), killed after a timeout.
import { capture } from '../subprocess.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const GIT_TIMEOUT_MS = 15_000;

/** Never asks for a password or a host key: fails instead, so doctor always ends. */
export const NON_INTERACTIVE_GIT_ENV: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: 'echo',
  SSH_ASKPASS: 'echo',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=10',
};

export async function git(
  cwd: string,
  args: readonly string[],
  timeoutMs = GIT_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GitResult> {
  try {
    const r = await capture('git', args, {
      cwd,
      stdin: false,
      timeoutMs,
      maxStdout: 256_000,
      maxStderr: 16_000,
      env: { ...env, ...NON_INTERACTIVE_GIT_ENV, LC_ALL: 'C' },
    });
    return {
      exitCode: r.exitCode ?? -1,
      stdout: r.stdout,
      stderr: r.timedOut ? `git ${args[0]} did not finish within ${timeoutMs / 1000} s` : r.stderr,
    };
  } catch (err) {
    return {
      exitCode: -1,
      stdout: '',
      stderr: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : (err as Error).message,
    };
  }
}

/** First line of stderr, for messages. */
export function gitReason(result: GitResult): string {
  return result.stderr.trim().split('\n')[0] || `git exited ${result.exitCode}`;
}
