// Runs a mutating command (up, promote, rollback, destroy) under the
// environment's deploy lock: taken after the session opened (release.yaml is
// valid, the account is known) and before the first read of the plan, released
// when the command ends however it ends, Ctrl-C and SIGTERM included.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyClient } from '../aws/lazy-context-clients.js';
import { acquireDeployLock, holderOf, type DeployLock } from '../deploy-lock.js';
import type { CliRuntime, Session } from './session.js';

export interface LockOptions {
  breakLock?: boolean;
  /** Minutes. */
  waitForLock?: number;
}

/** Adds the lock options every locked command takes. */
export function withLockOptions(command: Command): Command {
  for (const option of lockOptions()) command.addOption(option);
  return command;
}

const lockOptions = (): Option[] => [
  new Option(
    '--break-lock',
    'take the environment deploy lock even if another run holds it (only when that run is dead)',
  ),
  new Option(
    '--wait-for-lock <minutes>',
    'when another run holds the environment deploy lock, wait up to this long for it instead of refusing',
  ).argParser(parseMinutes),
];

/** Minutes on the command line, checked by commander before anything runs (a usage error, exit 2). */
function parseMinutes(text: string): number {
  const minutes = Number(text);
  if (text.trim() === '' || !Number.isFinite(minutes) || minutes < 0)
    throw new InvalidArgumentError('give minutes, a number >= 0 (e.g. 20).');
  return minutes;
}

/** Exit codes of a run ended by a signal, as a shell reports them (128 + signal number). */
const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

export async function withDeployLock<T>(
  rt: CliRuntime,
  session: Session,
  command: string,
  opts: LockOptions,
  run: () => Promise<T>,
): Promise<T> {
  const { ctx } = session;
  const lock: DeployLock = await acquireDeployLock({
    s3: await lazyClient(ctx, 's3'),
    scope: { ...ctx.account, prefix: ctx.names.prefix },
    holder: holderOf(`${command} ${ctx.envName}`, rt.io.env, session.identity),
    envName: ctx.envName,
    breakLock: opts.breakLock,
    waitMs: opts.waitForLock === undefined ? undefined : opts.waitForLock * 60_000,
    log: ctx.log,
  });
  ctx.log.debug(`holding the deploy lock of ${ctx.envName} until ${lock.lease.expiresAt} (renewed while running)`);
  // Handling a signal replaces Node's default exit: release first, then exit as the signal would have.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    rt.io.stderr.write(`\n${signal}: releasing the deploy lock of ${ctx.envName}\n`);
    void lock.release().finally(() => process.exit(SIGNAL_EXIT[signal]));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock.release();
  }
}
