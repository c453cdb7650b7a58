// `model-deploy promote <env>`: deploy the exact image digest and model data
// that the previous environment runs (release.yaml promotion.order, --from
// overrides) with the target env's own instance type, count and autoscaling,
// through SageMaker's blue/green update (canary / linear / all-at-once) with
// auto-rollback on the env's alarms. Refuses unless the source's last `verify`
// passed on the config it runs now. Exit 0 = promoted (or already there),
// 1 = refused or failed, 2 = usage.
import {
  AddTagsCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import { Command } from 'commander';
import { parseVerifiedTag, VERIFIED_TAG } from '../checks/verify-tag.js';
import { createDeployContext, type DeployContext } from '../context.js';
import { applyGraph, planGraph, type AnyResource, type GraphPlan } from '../deploy-graph.js';
import { DeployerError } from '../errors.js';
import { silentProgress } from '../progress.js';
import { ENV_ORDER, type EnvName } from '../release/types.js';
import { alarms } from '../resources/alarms.js';
import { autoscaling } from '../resources/autoscaling.js';
import { sagemakerModel } from '../resources/sagemaker-model.js';
import {
  createSagemakerEndpointResource,
  describeEndpoint,
  type EndpointDeployment,
  type EndpointObserved,
} from '../resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../resources/sagemaker-endpoint-config.js';
import { deploymentConfig } from '../resources/deployment-config.js';
import { withDeployLock, withLockOptions, type LockOptions } from './locked.js';
import { openSession, writeJson, type CliRuntime, type CommonOptions } from './session.js';

/** Kept on the endpoint by promote/rollback: the config it ran before, for `rollback`. */
export const PREVIOUS_CONFIG_TAG = 'model-service:previous-config';
/** The config the endpoint ran when PREVIOUS_CONFIG_TAG was written; any other means the tag is stale. */
export const PREVIOUS_CONFIG_FOR_TAG = 'model-service:previous-config-for';
/** Where a promoted endpoint's build came from: `<env>/<endpoint config>`. */
export const PROMOTED_FROM_TAG = 'model-service:promoted-from';

const DIGEST_REF = /@sha256:[0-9a-f]{64}$/;

export interface PromoteOptions extends CommonOptions, LockOptions {
  from?: string;
}

export interface PromoteResult {
  from: string;
  to: string;
  image: string;
  modelDataUrl?: string;
  model: string;
  endpointConfig: string;
  previousConfig?: string;
  action: 'create' | 'update' | 'no-change';
  strategy: string;
  alarms: string[];
}

/** The env before `target` in promotion.order. */
export function sourceEnv(order: readonly string[], target: string): string | undefined {
  const i = order.indexOf(target);
  return i > 0 ? order[i - 1] : undefined;
}

async function tagsOf(ctx: DeployContext, arn: string): Promise<Record<string, string>> {
  const out = await ctx.clients.sagemaker.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** What the source runs: the digest-pinned image and model data, checked to be verified. */
async function readSource(source: DeployContext, to: string) {
  const from = source.envName;
  const ep = await describeEndpoint(source, source.names.endpoint);
  if (!ep)
    throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
      from,
      to,
      reason: `endpoint ${source.names.endpoint} does not exist`,
    });
  if (ep.EndpointStatus !== 'InService') {
    throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
      from,
      to,
      reason: `endpoint ${source.names.endpoint} is ${ep.EndpointStatus}, not InService`,
    });
  }
  const tag = parseVerifiedTag((await tagsOf(source, ep.EndpointArn!))[VERIFIED_TAG]);
  if (!tag)
    throw new DeployerError('MS_DEPLOY_PROMOTE_UNVERIFIED', {
      from,
      to,
      reason: `${from} has never been verified (no ${VERIFIED_TAG} tag on ${source.names.endpoint})`,
    });
  if (tag.result === 'partial')
    throw new DeployerError('MS_DEPLOY_PROMOTE_UNVERIFIED', {
      from,
      to,
      reason: `the last verify of ${from} (${tag.at}) skipped the golden set (--skip-golden); verify it with its tests/golden.jsonl`,
    });
  if (tag.result !== 'pass')
    throw new DeployerError('MS_DEPLOY_PROMOTE_UNVERIFIED', {
      from,
      to,
      reason: `the last verify of ${from} (${tag.at}) failed`,
    });
  if (tag.configName !== ep.EndpointConfigName) {
    throw new DeployerError('MS_DEPLOY_PROMOTE_UNVERIFIED', {
      from,
      to,
      reason: `verify passed on ${tag.configName}, but ${from} now runs ${ep.EndpointConfigName}`,
    });
  }
  const cfg = await source.clients.sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }),
  );
  const modelName = cfg.ProductionVariants?.[0]?.ModelName;
  if (!modelName)
    throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
      from,
      to,
      reason: `endpoint config ${ep.EndpointConfigName} has no model`,
    });
  const model = await source.clients.sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
  const container = model.PrimaryContainer ?? model.Containers?.[0];
  // The digest SageMaker resolved at deploy time wins over a tag-only reference.
  const resolved = ep.ProductionVariants?.[0]?.DeployedImages?.[0]?.ResolvedImage;
  const image = container?.Image && DIGEST_REF.test(container.Image) ? container.Image : resolved;
  if (!image || !DIGEST_REF.test(image)) {
    throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
      from,
      to,
      reason: `model ${modelName} is not pinned to an image digest (${container?.Image ?? 'no image'})`,
    });
  }
  return { endpoint: ep, configName: ep.EndpointConfigName!, image, modelDataUrl: container?.ModelDataUrl };
}

/**
 * What a promotion changes, in apply order: the model (pinned image), its
 * endpoint config (the target's sizing), the alarms the blue/green update rolls
 * back on (so they exist first), the endpoint, then its scaling. The same
 * modules as `up`, so each field has one way to AWS.
 */
export function promoteResources(deployment: EndpointDeployment): AnyResource[] {
  return [
    sagemakerModel,
    sagemakerEndpointConfig,
    alarms,
    createSagemakerEndpointResource(deployment),
    autoscaling,
  ] as AnyResource[];
}

function endpointStep(plan: GraphPlan) {
  return plan.steps.find((step) => step.module.kind === 'sagemaker-endpoint')!;
}

export async function promote(source: DeployContext, target: DeployContext): Promise<PromoteResult> {
  const from = source.envName;
  const to = target.envName;
  const src = await readSource(source, to);
  target.log.info(
    `promoting ${from} -> ${to}: ${src.image}${src.modelDataUrl ? ` + ${src.modelDataUrl}` : ''} (verified on ${src.configName})`,
  );

  // What it creates says where its build came from; everything else is the target env's own (role, env vars, sizing, VPC, KMS key).
  const promoting: DeployContext = Object.freeze({
    ...target,
    tags: { ...target.tags, [PROMOTED_FROM_TAG]: `${from}/${src.configName}` },
  });
  const config = deploymentConfig(target);
  const pinned = {
    imageUri: src.image,
    sagemakerRoleArn: target.release.iam?.sagemakerRoleArn ?? target.arns.sagemakerRole,
    ...(src.modelDataUrl ? { modelDataUrl: src.modelDataUrl } : {}),
  };
  const planned = await planGraph(promoting, promoteResources({ config, image: src.image }), pinned);
  const current = endpointStep(planned).observed as EndpointObserved | undefined;
  const applied = await applyGraph(promoting, planned, silentProgress);

  const action = endpointStep(applied).change.action as PromoteResult['action'];
  const endpointConfig = applied.outputs.endpointConfigName!;
  // A Failed endpoint is recreated, not updated: there is no serving config to go back to.
  const previousConfig = action === 'update' && current?.status !== 'Failed' ? current?.endpointConfigName : undefined;
  if (previousConfig) {
    await target.clients.sagemaker.send(
      new AddTagsCommand({
        ResourceArn: applied.outputs.endpointArn ?? target.arns.endpoint,
        Tags: [
          { Key: PREVIOUS_CONFIG_TAG, Value: previousConfig },
          { Key: PREVIOUS_CONFIG_FOR_TAG, Value: endpointConfig },
          { Key: PROMOTED_FROM_TAG, Value: `${from}/${src.configName}` },
        ],
      }),
    );
  }
  const routing = config.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration!;
  return {
    from,
    to,
    image: src.image,
    modelDataUrl: src.modelDataUrl,
    model: applied.outputs.modelName!,
    endpointConfig,
    previousConfig,
    action,
    strategy: `${routing.Type}${routing.CanarySize ? ` ${routing.CanarySize.Value}%` : routing.LinearStepSize ? ` ${routing.LinearStepSize.Value}%` : ''} every ${routing.WaitIntervalInSeconds}s`,
    alarms: config.AutoRollbackConfiguration!.Alarms!.map((a) => a.AlarmName!),
  };
}

export async function runPromote(rt: CliRuntime, to: string, opts: PromoteOptions): Promise<number> {
  const session = await openSession(rt, to, opts, false);
  try {
    const { release, ctx } = session;
    const from = opts.from ?? sourceEnv(release.promotion.order, to);
    if (!from) {
      throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
        from: '(none)',
        to,
        reason: `${to} is first in promotion.order [${release.promotion.order.join(', ')}]; nothing comes before it`,
      });
    }
    if (from === to)
      throw new DeployerError('MS_DEPLOY_PROMOTE_SOURCE', {
        from,
        to,
        reason: 'source and target are the same environment',
      });
    if (!ENV_ORDER.includes(from as EnvName))
      throw new DeployerError('MS_DEPLOY_UNKNOWN_ENV', {
        env: from,
        known: Object.keys(release.environments).join(', '),
      });
    const source = createDeployContext({
      release,
      envName: from,
      clients: ctx.clients,
      accountId: ctx.account.accountId,
      partition: ctx.account.partition,
      projectDir: session.dir,
      log: ctx.log,
      wait: ctx.wait,
    });
    const result = await withDeployLock(rt, session, 'promote', opts, () => promote(source, ctx));
    if (opts.json) writeJson(rt, { ok: true, ...result });
    else {
      rt.io.stdout.write(
        `promoted ${result.from} -> ${result.to} (${result.action})\n  image      ${result.image}\n${result.modelDataUrl ? `  model data ${result.modelDataUrl}\n` : ''}` +
          `  config     ${result.endpointConfig}${result.previousConfig ? ` (was ${result.previousConfig}; \`model-deploy rollback ${to}\` goes back)` : ''}\n` +
          `  traffic    ${result.strategy}, auto-rollback on ${result.alarms.join(', ')}\n`,
      );
    }
    return 0;
  } finally {
    session.close();
  }
}

export function promoteCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return withLockOptions(new Command('promote'))
    .description(
      'deploy the image digest the previous environment runs (and passed verify) to <env>, blue/green with auto-rollback',
    )
    .argument('<env>', 'target environment (dev, qa, staging, prod)')
    .option('--from <env>', 'source environment (default: the one before <env> in promotion.order)')

    .action(async (env: string, opts: PromoteOptions) => exit(await runPromote(rt, env, opts)));
}
