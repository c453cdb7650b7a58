// Runs one model-deploy command in-process with captured output (stdout also
// readable while the command runs: `(rt.io.stdout as CapturingWriter).text()`).
import type { Command } from 'commander';
import { createProgram, reportError } from '../../src/cli.js';
import type { CliDeps, CliIO, CliRuntime } from '../../src/commands/session.js';

export interface CapturingWriter {
  text(): string;
}

export type Builder = (rt: CliRuntime, exit: (code: number) => void) => Command;

export async function runCommand(
  builders: Builder[],
  argv: string[],
  env: NodeJS.ProcessEnv,
  deps: CliDeps = {},
  cwd = process.cwd(),
) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => ((stdout += s), true), text: () => stdout } as unknown as CliIO['stdout'],
    stderr: { write: (s: string) => ((stderr += s), true) } as CliIO['stderr'],
    env,
    cwd,
    isTTY: false,
  };
  let code = 0;
  const program = createProgram(
    { io, deps },
    (c) => {
      code = c;
    },
    builders,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(err, io, argv.includes('--json'));
  }
  return { code, stdout, stderr };
}
