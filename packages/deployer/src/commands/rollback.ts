// `model-deploy rollback <env>`: update the endpoint back to the config it ran
// before. That config is the one named by the endpoint's previous-config tag
// (written by promote and rollback, valid only while the endpoint still runs the
// config it was written for); otherwise the newest config of this env created
// before the current one (names `ms-<model>-<env>-<hash>`, kept by `up`) — never
// a newer one, which is what a failed or rolled-back promote leaves behind.
// Blue/green all-at-once (the old fleet serves until the new one is healthy)
// WITHOUT auto-rollback alarms: the alarm that made you roll back is usually
// still in ALARM, and SageMaker would roll the rollback back. Same waiter as
// up/promote. Exit 0 = rolled back, 1 = nothing to roll back to or it failed, 2 = usage.
import {
  AddTagsCommand,
  DescribeEndpointConfigCommand,
  ListTagsCommand,
  paginateListEndpointConfigs,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { Command } from 'commander';
import { ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { endpointFailure } from '../diagnosis/endpoint-failure.js';
import { DeployerError } from '../errors.js';
import { describeEndpoint, waitInService } from '../resources/sagemaker-endpoint.js';
import { listOwned } from '../resources/sagemaker-names.js';
import { deploymentConfig } from '../resources/deployment-config.js';
import { PREVIOUS_CONFIG_FOR_TAG, PREVIOUS_CONFIG_TAG } from './promote.js';
import { withDeployLock, withLockOptions, type LockOptions } from './locked.js';
import { openSession, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface RollbackOptions extends CommonOptions, LockOptions {
  to?: string;
}

export interface RollbackResult {
  env: string;
  endpoint: string;
  from: string;
  to: string;
  chosenBy: 'option' | 'tag' | 'newest-older-config';
}

async function configCreated(ctx: DeployContext, name: string): Promise<Date | undefined | null> {
  const out = await ctx.clients.sagemaker
    .send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))
    .catch(ifMissing(undefined));
  // null = the config does not exist (deleted), undefined = exists, time unknown.
  return out === undefined ? null : out.CreationTime;
}

/** The config to go back to, and how it was found. */
export async function rollbackTarget(
  ctx: DeployContext,
  endpointArn: string,
  current: string,
  explicit?: string,
): Promise<{ name: string; chosenBy: RollbackResult['chosenBy'] } | undefined> {
  if (explicit) return { name: explicit, chosenBy: 'option' };
  const tags = await ctx.clients.sagemaker.send(new ListTagsCommand({ ResourceArn: endpointArn, MaxResults: 100 }));
  const tag = (key: string) => tags.Tags?.find((t) => t.Key === key)?.Value;
  const tagged = tag(PREVIOUS_CONFIG_TAG);
  // A tag written before a later `up` changed the config is stale: it names the config before last.
  if (
    tagged &&
    tagged !== current &&
    tag(PREVIOUS_CONFIG_FOR_TAG) === current &&
    (await configCreated(ctx, tagged)) !== null
  )
    return { name: tagged, chosenBy: 'tag' };
  const currentCreated = await configCreated(ctx, current);
  const before = currentCreated ?? undefined;
  // Newest first, created before the current config: the one it replaced.
  const pages = paginateListEndpointConfigs(
    { client: ctx.clients.sagemaker },
    {
      NameContains: ctx.names.prefix,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
      ...(before ? { CreationTimeBefore: before } : {}),
    },
  );
  const owned = await listOwned(ctx, pages, (page) =>
    (page.EndpointConfigs ?? [])
      .filter((c) => !before || !c.CreationTime || c.CreationTime < before)
      .map((c) => c.EndpointConfigName),
  );
  const other = owned.find((name) => name !== current);
  return other ? { name: other, chosenBy: 'newest-older-config' } : undefined;
}

export async function rollback(ctx: DeployContext, explicit?: string): Promise<RollbackResult> {
  const name = ctx.names.endpoint;
  const ep = await describeEndpoint(ctx, name);
  if (!ep)
    throw new DeployerError('MS_DEPLOY_ROLLBACK_NO_PREVIOUS', {
      endpoint: name,
      reason: 'the endpoint does not exist',
    });
  if (ep.EndpointStatus === 'Failed') {
    // With the diagnosis: why it failed (reason, log tail, likely cause) before anyone recreates it.
    throw await endpointFailure(
      ctx,
      name,
      `${ep.FailureReason ?? 'Failed'} (a Failed endpoint cannot be updated; \`model-deploy up\` recreates it)`,
      { described: ep },
    );
  }
  const current = ep.EndpointConfigName!;
  const target = await rollbackTarget(ctx, ep.EndpointArn!, current, explicit);
  if (!target)
    throw new DeployerError('MS_DEPLOY_ROLLBACK_NO_PREVIOUS', {
      endpoint: name,
      reason: `${current} is the only endpoint config of ${ctx.envName}`,
    });
  if (target.name === current)
    throw new DeployerError('MS_DEPLOY_ROLLBACK_NO_PREVIOUS', { endpoint: name, reason: `it already runs ${current}` });
  if (ep.EndpointStatus !== 'InService') await waitInService(ctx, name);
  ctx.log.info(`rolling ${name} back: ${current} -> ${target.name} (found by ${target.chosenBy})`);
  const { BlueGreenUpdatePolicy } = deploymentConfig(ctx, 'all-at-once');
  await ctx.clients.sagemaker.send(
    new UpdateEndpointCommand({
      EndpointName: name,
      EndpointConfigName: target.name,
      DeploymentConfig: { BlueGreenUpdatePolicy },
    }),
  );
  await waitInService(ctx, name);
  const after = await describeEndpoint(ctx, name);
  if (after?.EndpointConfigName !== target.name) {
    throw new DeployerError('MS_DEPLOY_ENDPOINT_FAILED', {
      resource: name,
      reason: `the rollback to ${target.name} did not take effect (serving ${after?.EndpointConfigName})`,
      logGroup: ctx.names.endpointLogGroup,
    });
  }
  // A second rollback undoes this one.
  await ctx.clients.sagemaker.send(
    new AddTagsCommand({
      ResourceArn: ep.EndpointArn!,
      Tags: [
        { Key: PREVIOUS_CONFIG_TAG, Value: current },
        { Key: PREVIOUS_CONFIG_FOR_TAG, Value: target.name },
      ],
    }),
  );
  return { env: ctx.envName, endpoint: name, from: current, to: target.name, chosenBy: target.chosenBy };
}

export async function runRollback(rt: CliRuntime, env: string, opts: RollbackOptions): Promise<number> {
  const session = await openSession(rt, env, opts, false);
  try {
    const result = await withDeployLock(rt, session, 'rollback', opts, () => rollback(session.ctx, opts.to));
    if (opts.json) writeJson(rt, { ok: true, ...result });
    else
      rt.io.stdout.write(
        `rolled back ${result.endpoint}: ${result.from} -> ${result.to} (found by ${result.chosenBy})\n`,
      );
    return 0;
  } finally {
    session.close();
  }
}

export function rollbackCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return withLockOptions(new Command('rollback'))
    .description(
      'return the endpoint to the endpoint config it ran before (kept by up/promote), waiting until InService',
    )
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .option('--to <endpoint-config>', 'roll back to this endpoint config instead of the previous one')

    .action(async (env: string, opts: RollbackOptions) => exit(await runRollback(rt, env, opts)));
}
