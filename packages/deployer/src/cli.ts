// Wires the commands into one commander program and owns the single top-level
// catch: user and AWS errors print one paragraph (code, what is wrong, what to
// do) and exit 1; usage errors exit 2; anything else is a bug: stack, exit 70.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { destroyCommand } from './commands/destroy.js';
import { doctorCommand } from './commands/doctor.js';
import { localCommand } from './commands/local.js';
import { planCommand } from './commands/plan.js';
import { policyCommand } from './commands/policy.js';
import { promoteCommand } from './commands/promote.js';
import { rollbackCommand } from './commands/rollback.js';
import type { CliDeps, CliIO, CliRuntime } from './commands/session.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { verifyCommand } from './commands/verify.js';
import { diagnosisOf } from './diagnosis/endpoint-failure.js';
import { DeployerError } from './errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 70 } as const;

type CommandBuilder = (rt: CliRuntime, exit: (code: number) => void) => Command;

/** Every command: the builders above plus the options all of them share. */
const BUILDERS: CommandBuilder[] = [
  planCommand,
  upCommand,
  statusCommand,
  destroyCommand,
  doctorCommand,
  verifyCommand,
  promoteCommand,
  rollbackCommand,
  policyCommand,
  (rt, exit) => localCommand(rt, exit),
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function createProgram(
  rt: CliRuntime,
  exit: (code: number) => void,
  builders: CommandBuilder[] = BUILDERS,
): Command {
  const program = new Command('model-deploy')
    .description(
      'Deploy a model-service project to AWS: plan, up, status, destroy, doctor, verify, promote, rollback, policy, local.',
    )
    .version(version())
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => rt.io.stdout.write(s), writeErr: (s) => rt.io.stderr.write(s) });
  for (const build of builders) {
    const cmd = build(rt, exit)
      .option('--dir <path>', 'the generated project (where release.yaml is)', '.')
      .option('--json', 'machine-readable output on stdout');
    cmd.copyInheritedSettings(program);
    program.addCommand(cmd);
  }
  return program;
}

function errorJson(code: string, message: string, hint: string, fault: string, extra: Record<string, unknown> = {}) {
  return `${JSON.stringify({ ok: false, error: { code, message, hint, fault }, ...extra }, null, 2)}\n`;
}

/** The one place errors become output and an exit code. */
export function reportError(err: unknown, io: CliIO, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return EXIT.ok; // --help, --version
    // commander already printed its message to stderr.
    if (json)
      io.stdout.write(
        errorJson('MS_DEPLOY_USAGE', err.message.replace(/^error: /, ''), 'Run `model-deploy --help`.', 'user'),
      );
    return EXIT.usage;
  }
  if (err instanceof DeployerError && err.fault !== 'bug') {
    // A failed endpoint carries its diagnosis (reason, log tail, likely cause).
    const diagnosis = diagnosisOf(err);
    if (json) io.stdout.write(errorJson(err.code, err.message, err.hint, err.fault, diagnosis ? { diagnosis } : {}));
    else io.stderr.write(`${err.toUserString()}\n`);
    return EXIT.failed;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = err instanceof DeployerError ? err.code : 'MS_DEPLOY_INTERNAL';
  const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : '';
  io.stderr.write(
    `${code}: model-deploy hit a bug (this is a bug, not something you did): ${e.message}\n${e.stack ?? ''}${cause}\nPlease report it with the command you ran.\n`,
  );
  if (json) io.stdout.write(errorJson(code, e.message, 'This is a bug in model-deploy; please report it.', 'bug'));
  return EXIT.bug;
}

/** Runs one command line in-process and resolves with its exit code. */
export async function runCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram({ io, deps }, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err, io, argv.includes('--json'));
  }
}

/** The bin's entry: real process I/O. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
  };
  return runCli(argv, io);
}
