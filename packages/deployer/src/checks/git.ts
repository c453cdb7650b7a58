// Bounded, non-interactive git for the source checks: no shell, no credential
// prompt (a prompt would wait forever on a terminal), killed after a timeout.
import { spawn } from 'node:child_process';

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

export function git(cwd: string, args: readonly string[], timeoutMs = GIT_TIMEOUT_MS, env: NodeJS.ProcessEnv = process.env): Promise<GitResult> {
  return new Promise((done) => {
    const child = spawn('git', [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...NON_INTERACTIVE_GIT_ENV, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-256_000)));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16_000)));
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ exitCode: -1, stdout: '', stderr: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ exitCode: code ?? -1, stdout, stderr: timedOut ? `git ${args[0]} did not finish within ${timeoutMs / 1000} s` : stderr });
    });
  });
}

/** First line of stderr, for messages. */
export function gitReason(result: GitResult): string {
  return result.stderr.trim().split('\n')[0] || `git exited ${result.exitCode}`;
}
