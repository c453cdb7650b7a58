// `model-deploy plan <env>`: what `up` would change, from read calls only.
import { Command, Option } from 'commander';
import { planGraph } from '../deploy-graph.js';
import { planJson, renderPlan, summarize } from './render-plan.js';
import { deployContext } from './up.js';
import { openSession, resourcesFor, writeJson, type CliRuntime, type CommonOptions } from './session.js';
import type { Builder } from '../resources/image-commands.js';

export interface PlanOptions extends CommonOptions {
  image?: string;
  builder?: Builder;
}

export async function runPlan(rt: CliRuntime, envName: string, opts: PlanOptions): Promise<number> {
  const session = await openSession(rt, envName, opts, true);
  try {
    // The same tags `up` would write (git sha included), so plan shows what up does.
    const ctx = await deployContext(rt, session.ctx, opts);
    const modules = await resourcesFor(rt, ctx, opts);
    const plan = await planGraph(ctx, modules);
    const changes = plan.steps.map((s) => s.change);
    if (opts.json) {
      writeJson(rt, {
        ok: true,
        command: 'plan',
        env: envName,
        region: session.ctx.region,
        changes: planJson(changes),
        summary: summarize(changes),
      });
    } else {
      rt.io.stdout.write(
        `Plan for ${session.release.model.name}/${envName} (${session.ctx.region}, account ${session.ctx.account.accountId}):\n`,
      );
      rt.io.stdout.write(renderPlan(changes));
    }
    return 0;
  } finally {
    session.close();
  }
}

export function planCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('plan')
    .description('show what `up` would create or change in AWS; makes read calls only')
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .option('--image <ref>', 'plan with this already pushed image (uri@sha256:digest or uri:tag)')
    .addOption(
      new Option('--builder <cli>', 'container CLI that would build')
        .choices(['docker', 'buildah', 'podman'])
        .default('docker'),
    )
    .action(async (env: string, opts: PlanOptions) => exit(await runPlan(rt, env, opts)));
}
