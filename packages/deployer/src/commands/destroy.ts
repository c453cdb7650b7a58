// `model-deploy destroy <env>`: deletes what `up` created for the env, last
// resource first. Refuses prod without --force-prod and asks for the env name
// unless --yes; without a terminal and without --yes it refuses (no silent deletes in CI).
import { Command } from 'commander';
import { destroyGraph, planGraph } from '../deploy-graph.js';
import { DeployerError } from '../errors.js';
import { createProgress, progressMode } from '../progress.js';
import { withDeployLock, withLockOptions, type LockOptions } from './locked.js';
import {
  ask,
  openSession,
  resourcesFor,
  writeJson,
  type CliRuntime,
  type CommonOptions,
  type Session,
} from './session.js';

export interface DestroyOptions extends CommonOptions, LockOptions {
  yes?: boolean;
  forceProd?: boolean;
}

export async function runDestroy(rt: CliRuntime, envName: string, opts: DestroyOptions): Promise<number> {
  // Both refusals come before any AWS call.
  if (envName === 'prod' && !opts.forceProd) throw new DeployerError('MS_DEPLOY_PROD_GUARD', { action: 'destroy' });
  if (!opts.yes && !rt.io.isTTY)
    throw new DeployerError('MS_DEPLOY_CONFIRM_REQUIRED', { action: 'destroy', env: envName });
  const session = await openSession(rt, envName, opts, false);
  try {
    return await withDeployLock(rt, session, 'destroy', opts, () => destroyLocked(rt, session, envName, opts));
  } finally {
    session.close();
  }
}

async function destroyLocked(rt: CliRuntime, session: Session, envName: string, opts: DestroyOptions): Promise<number> {
  const modules = await resourcesFor(rt, session.ctx, { purpose: 'destroy' });
  const planned = await planGraph(session.ctx, modules);
  const targets = [...planned.steps].reverse().filter((s) => s.module.destroy !== undefined);
  if (!opts.yes) {
    rt.io.stderr.write(
      `This deletes, in this order:\n${targets.map((s) => `  - ${s.module.kind} ${s.change.name}`).join('\n')}\n`,
    );
    const answer = (await ask(rt, `Type "${envName}" to destroy ${session.release.model.name}/${envName}: `)).trim();
    if (answer !== envName) throw new DeployerError('MS_DEPLOY_ABORTED', { action: 'destroy', env: envName });
  }
  const mode = progressMode({ isTTY: rt.io.isTTY, env: rt.io.env, json: opts.json });
  await destroyGraph(session.ctx, planned, createProgress(mode, rt.io.stderr));
  const deleted = targets.map((s) => ({ kind: s.module.kind, name: s.change.name }));
  if (opts.json) writeJson(rt, { ok: true, command: 'destroy', env: envName, deleted });
  else
    rt.io.stdout.write(
      `Destroyed ${session.release.model.name}/${envName}: ${deleted.length} resources removed (or already absent).\n`,
    );
  return 0;
}

export function destroyCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return withLockOptions(new Command('destroy'))
    .description('delete everything model-deploy created for the environment, in reverse order')
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--force-prod', 'allow destroying prod')

    .action(async (env: string, opts: DestroyOptions) => exit(await runDestroy(rt, env, opts)));
}
