// `model-deploy up <env>`: plan, then apply in order with progress, then print
// the outputs. Idempotent: an unchanged environment makes no mutating call.
import { Command, Option } from 'commander';
import { processRunner } from '../command-runner.js';
import { DeployerError } from '../errors.js';
import type { ReleaseConfig } from '../release/types.js';
import type { DeployContext } from '../context.js';
import { applyGraph, planGraph } from '../deploy-graph.js';
import { createProgress, progressMode } from '../progress.js';
import { gitShortSha } from '../resources/image.js';
import { withGitSha } from '../tags.js';
import { planJson, renderPlan, summarize } from './render-plan.js';
import { withDeployLock, withLockOptions, type LockOptions } from './locked.js';
import { openSession, resourcesFor, writeJson, type CliRuntime, type CommonOptions, type Session } from './session.js';
import type { Builder } from '../resources/image-commands.js';

export interface UpOptions extends CommonOptions, LockOptions {
  image?: string;
  builder?: Builder;
  /** Deploy an environment after the first in promotion.order directly, bypassing promote. */
  force?: boolean;
}

/**
 * Only the first environment of promotion.order is deployed with `up`; the later ones get
 * their image through `promote` (canary, alarms, verify gate). An environment outside the
 * order is not part of the flow and may be deployed directly.
 */
export function refuseOutsidePromotion(rt: CliRuntime, release: ReleaseConfig, env: string, force?: boolean): void {
  const order = release.promotion.order as readonly string[];
  const first = order[0];
  if (first === undefined || env === first || !order.includes(env)) return;
  if (!force) throw new DeployerError('MS_DEPLOY_UP_NOT_FIRST', { env, first, order: order.join(' -> ') });
  rt.io.stderr.write(
    `warning: up ${env} --force bypasses the promotion from ${first}: no verify gate before this deploy (the canary and its rollback alarms still apply)\n`,
  );
}

/** The outputs users need, in a stable order and with stable names. */
export const OUTPUT_KEYS = [
  'apiUrl',
  'userPoolId',
  'userPoolClientId',
  'apiKeyId',
  'endpointName',
  'dashboardUrl',
] as const;

export function pickOutputs(all: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of OUTPUT_KEYS) if (all[key] !== undefined) picked[key] = all[key];
  return picked;
}

/**
 * The context `up` deploys with: the commit's short sha joins the cost allocation
 * tags. Best effort: `--image` may deploy from outside a checkout (then the tag
 * is left out, with a warning); a build without git fails in the image module.
 */
export async function deployContext(rt: CliRuntime, ctx: DeployContext, opts: UpOptions): Promise<DeployContext> {
  const sha = await gitShortSha(ctx, rt.deps.runner ?? processRunner()).catch((err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    if (opts.image) ctx.log.warn(`resources are tagged without model-service:git-sha: ${why}`);
    else ctx.log.debug(`no git sha for the tags: ${why}`);
    return undefined;
  });
  return withGitSha(ctx, sha);
}

export async function runUp(rt: CliRuntime, envName: string, opts: UpOptions): Promise<number> {
  const session = await openSession(rt, envName, opts, false, (release) =>
    refuseOutsidePromotion(rt, release, envName, opts.force),
  );
  try {
    return await withDeployLock(rt, session, 'up', opts, () => upLocked(rt, session, envName, opts));
  } finally {
    session.close();
  }
}

async function upLocked(rt: CliRuntime, session: Session, envName: string, opts: UpOptions): Promise<number> {
  const ctx = await deployContext(rt, session.ctx, opts);
  const modules = await resourcesFor(rt, ctx, opts);
  const planned = await planGraph(ctx, modules);
  const changes = planned.steps.map((s) => s.change);
  const out = rt.io.stdout;
  if (!opts.json) {
    out.write(
      `Deploying ${session.release.model.name}/${envName} (${ctx.region}, account ${ctx.account.accountId}):\n`,
    );
    out.write(renderPlan(changes));
  }
  const mode = progressMode({ isTTY: rt.io.isTTY, env: rt.io.env, json: opts.json });
  const applied = await applyGraph(ctx, planned, createProgress(mode, rt.io.stderr));
  const outputs = pickOutputs(applied.outputs);
  if (opts.json) {
    writeJson(rt, {
      ok: true,
      command: 'up',
      env: envName,
      region: ctx.region,
      changes: planJson(applied.steps.map((s) => s.change)),
      summary: summarize(changes),
      outputs,
    });
  } else {
    out.write('\nOutputs:\n');
    const width = Math.max(...Object.keys(outputs).map((k) => k.length), 0);
    for (const [key, value] of Object.entries(outputs)) out.write(`  ${key.padEnd(width)}  ${value}\n`);
  }
  return 0;
}

export function upCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return withLockOptions(new Command('up'))
    .description('create or update the environment in AWS (plan + apply), then print its outputs')
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .option('--image <ref>', 'deploy this already pushed image (uri@sha256:digest or uri:tag) instead of building')
    .addOption(
      new Option('--builder <cli>', 'container CLI that builds and pushes')
        .choices(['docker', 'buildah', 'podman'])
        .default('docker'),
    )
    .option('--force', 'deploy an environment after the first in promotion.order directly instead of through promote')
    .action(async (env: string, opts: UpOptions) => exit(await runUp(rt, env, opts)));
}
