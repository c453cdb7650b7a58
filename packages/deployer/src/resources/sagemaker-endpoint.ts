// SageMaker Endpoint: create, or update to the new endpoint config, then wait
// for InService with the SDK waiter. A Failed endpoint cannot be updated, so it
// is deleted and created again, and so is one that switches between instances
// and serverless (SageMaker cannot convert one into the other); a failed update
// (SageMaker rolls back to the old config) is reported with its FailureReason.
import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  waitUntilEndpointDeleted,
  waitUntilEndpointInService,
  type DeploymentConfig,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import {
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { endpointFailure } from '../diagnosis/endpoint-failure.js';
import { DeployerError } from '../errors.js';
import { tagList, type TagMap } from '../tags.js';
import { deploymentConfig } from './deployment-config.js';
import { change } from './diff.js';
import type { FieldDiff, PlannedChange, ResourceModule, StatusReport } from './resource.js';

export interface EndpointDesired {
  name: string;
  endpointConfigName: string;
  /** Absent for a serverless environment. */
  instanceType?: string;
  serverless: boolean;
  tags: TagMap;
}

export interface EndpointObserved {
  name: string;
  arn: string;
  status: string;
  endpointConfigName: string;
  failureReason?: string;
  lastModified?: Date;
  /** The production variant as it runs: instances now, the image as given and as resolved to a digest. */
  instanceCount?: number;
  image?: string;
  imageDigest?: string;
}

/** What `status` shows for the endpoint (the config and model it serves come from their own modules). */
export interface EndpointStatus {
  name: string;
  exists: boolean;
  status?: string;
  failureReason?: string;
  endpointConfig?: string;
  lastModified?: string;
  instanceCount?: number;
  image?: string;
  imageDigest?: string;
}

const KIND = 'sagemaker-endpoint';
const BUSY = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'UpdateRollbackFailed']);
export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount' as const;

export async function describeEndpoint(
  ctx: DeployContext,
  name: string,
): Promise<DescribeEndpointCommandOutput | undefined> {
  return ctx.clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })).catch(ifMissing(undefined));
}

function waiterParams(ctx: DeployContext) {
  const { maxWaitSeconds, minDelaySeconds, maxDelaySeconds } = ctx.wait;
  return {
    client: ctx.clients.sagemaker,
    maxWaitTime: maxWaitSeconds,
    minDelay: minDelaySeconds,
    maxDelay: maxDelaySeconds,
  };
}

async function failure(ctx: DeployContext, name: string, fallback: string, cause?: unknown): Promise<DeployerError> {
  const now = await describeEndpoint(ctx, name);
  const reason = now?.FailureReason ?? fallback;
  // With the diagnosis: FailureReason, the log tail and the likely cause.
  return endpointFailure(ctx, name, reason, { cause, described: now });
}

/** Waits for InService; Failed -> MS_DEPLOY_ENDPOINT_FAILED with the FailureReason, too slow -> MS_DEPLOY_WAIT_TIMEOUT. */
export async function waitInService(ctx: DeployContext, name: string): Promise<void> {
  ctx.log.info(`waiting for endpoint ${name} to be InService (up to ${ctx.wait.maxWaitSeconds}s)`);
  try {
    await waitUntilEndpointInService(waiterParams(ctx), { EndpointName: name });
  } catch (err) {
    if (hasErrorName(err, 'TimeoutError')) {
      throw new DeployerError(
        'MS_DEPLOY_WAIT_TIMEOUT',
        { seconds: ctx.wait.maxWaitSeconds, resource: `endpoint ${name}`, state: 'InService' },
        { cause: err },
      );
    }
    throw await failure(ctx, name, 'the endpoint entered the Failed state', err);
  }
}

async function createEndpoint(ctx: DeployContext, d: EndpointDesired): Promise<void> {
  await ctx.clients.sagemaker
    .send(
      new CreateEndpointCommand({
        EndpointName: d.name,
        EndpointConfigName: d.endpointConfigName,
        Tags: tagList(d.tags),
      }),
    )
    .catch((err: unknown) => {
      if (hasErrorName(err, 'ValidationException') && /already exist/i.test((err as Error).message)) return;
      throw err;
    });
  await waitInService(ctx, d.name);
}

async function recreate(ctx: DeployContext, d: EndpointDesired, why: string): Promise<void> {
  ctx.log.warn(`endpoint ${d.name} ${why}: deleting and creating it again`);
  await ctx.clients.sagemaker.send(new DeleteEndpointCommand({ EndpointName: d.name })).catch(ifMissing(undefined));
  await waitUntilEndpointDeleted(waiterParams(ctx), { EndpointName: d.name }).catch((err: unknown) => {
    throw new DeployerError(
      'MS_DEPLOY_WAIT_TIMEOUT',
      { seconds: ctx.wait.maxWaitSeconds, resource: `endpoint ${d.name}`, state: 'deleted' },
      { cause: err },
    );
  });
  await createEndpoint(ctx, d);
}

/**
 * Application Auto Scaling refuses an update that changes the instance type of
 * a scaling target: deregister first (the autoscaling module registers again).
 */
async function releaseScalingForTypeChange(
  ctx: DeployContext,
  d: EndpointDesired,
  currentType: string | undefined,
): Promise<void> {
  if (!currentType || currentType === d.instanceType) return;
  const target = {
    ServiceNamespace: 'sagemaker' as const,
    ResourceId: ctx.names.scalableResourceId,
    ScalableDimension: SCALABLE_DIMENSION,
  };
  const found = await ctx.clients.autoScaling.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: 'sagemaker',
      ResourceIds: [target.ResourceId],
      ScalableDimension: SCALABLE_DIMENSION,
    }),
  );
  if (!found.ScalableTargets?.length) return;
  ctx.log.info(
    `instance type ${currentType} -> ${d.instanceType ?? 'serverless'}: deregistering the scaling target during the update`,
  );
  await ctx.clients.autoScaling.send(new DeregisterScalableTargetCommand(target)).catch(ifMissing(undefined));
}

/** How an update reaches the endpoint: always blue/green with auto-rollback alarms (`up` and `promote` alike). */
export interface EndpointDeployment {
  /** UpdateEndpoint's DeploymentConfig; absent = release.yaml promotion's (deployment-config.ts). */
  readonly config?: DeploymentConfig;
  /** The image being rolled out, for the diagnosis of a rolled-back update. */
  readonly image?: string;
}

async function updateEndpoint(
  ctx: DeployContext,
  d: EndpointDesired,
  observed: EndpointObserved,
  deployment: EndpointDeployment,
): Promise<void> {
  if (BUSY.has(observed.status)) {
    ctx.log.info(`endpoint ${d.name} is ${observed.status}: waiting for that to finish before updating`);
    await waitInService(ctx, d.name);
  }
  const current = await ctx.clients.sagemaker
    .send(new DescribeEndpointConfigCommand({ EndpointConfigName: observed.endpointConfigName }))
    .catch(ifMissing(undefined));
  const variant = current?.ProductionVariants?.[0];
  await releaseScalingForTypeChange(ctx, d, variant?.InstanceType);
  if (variant && (variant.ServerlessConfig !== undefined) !== d.serverless) {
    const to = d.serverless ? 'serverless' : 'instances';
    await recreate(ctx, d, `switches to ${to}, which SageMaker cannot do in place`);
    return;
  }
  // The previous config stays: `rollback` updates the endpoint back to it.
  // No update without the canary and the alarms: an `up` of prod is gated like a promote.
  // Serverless has no fleets to shift traffic between: SageMaker's own update, no DeploymentConfig.
  await ctx.clients.sagemaker.send(
    new UpdateEndpointCommand({
      EndpointName: d.name,
      EndpointConfigName: d.endpointConfigName,
      ...(d.serverless ? {} : { DeploymentConfig: deployment.config ?? deploymentConfig(ctx) }),
    }),
  );
  await waitInService(ctx, d.name);
  // A failed update rolls back to the old config and ends InService: check which config serves.
  const after = await describeEndpoint(ctx, d.name);
  if (after?.EndpointConfigName === d.endpointConfigName) return;
  // Diagnosed: FailureReason, the new fleet's log tail, the likely cause.
  throw await endpointFailure(
    ctx,
    d.name,
    `the blue/green update to ${d.endpointConfigName} was rolled back (an alarm fired or the new fleet failed); still serving ${after?.EndpointConfigName}${after?.FailureReason ? `: ${after.FailureReason}` : ''}`,
    { ...(after ? { described: after } : {}), ...(deployment.image ? { image: deployment.image } : {}) },
  );
}

export function planEndpoint(desired: EndpointDesired, observed: EndpointObserved | undefined): PlannedChange {
  if (!observed) {
    return change(KIND, desired.name, 'create', [
      { field: 'endpointConfigName', from: undefined, to: desired.endpointConfigName },
    ]);
  }
  const diffs: FieldDiff[] = [];
  if (observed.status === 'Failed') diffs.push({ field: 'status', from: 'Failed', to: 'InService' });
  if (observed.endpointConfigName !== desired.endpointConfigName) {
    diffs.push({ field: 'endpointConfigName', from: observed.endpointConfigName, to: desired.endpointConfigName });
  }
  return change(KIND, desired.name, diffs.length ? 'update' : 'no-change', diffs);
}

/** The endpoint module; `deployment` overrides how an update is rolled out (default: release.yaml promotion). */
export function createSagemakerEndpointResource(
  deployment: EndpointDeployment = {},
): ResourceModule<EndpointDesired, EndpointObserved> & StatusReport<EndpointDesired, EndpointObserved, EndpointStatus> {
  return {
    kind: KIND,

    status(desired, observed) {
      if (!observed) return { name: desired.name, exists: false };
      return {
        name: desired.name,
        exists: true,
        status: observed.status,
        failureReason: observed.failureReason,
        endpointConfig: observed.endpointConfigName,
        lastModified: observed.lastModified && new Date(observed.lastModified).toISOString(),
        instanceCount: observed.instanceCount,
        image: observed.image,
        imageDigest: observed.imageDigest,
      };
    },

    /** Needs `endpointConfigName` upstream. */
    desired(ctx, upstream) {
      return {
        name: ctx.names.endpoint,
        endpointConfigName: upstream.endpointConfigName ?? '',
        ...(ctx.env.instanceType === undefined ? {} : { instanceType: ctx.env.instanceType }),
        serverless: ctx.env.serverless !== undefined,
        tags: ctx.tags,
      };
    },

    async observe(ctx, desired) {
      const out = await describeEndpoint(ctx, desired.name);
      const variant = out?.ProductionVariants?.[0];
      const deployed = variant?.DeployedImages?.[0];
      return (
        out && {
          name: out.EndpointName!,
          arn: out.EndpointArn!,
          status: out.EndpointStatus!,
          endpointConfigName: out.EndpointConfigName!,
          failureReason: out.FailureReason,
          lastModified: out.LastModifiedTime,
          instanceCount: variant?.CurrentInstanceCount,
          image: deployed?.SpecifiedImage,
          imageDigest: deployed?.ResolvedImage?.split('@')[1],
        }
      );
    },

    plan: planEndpoint,

    async apply(ctx, plan, desired, observed) {
      if (plan.action === 'create') await createEndpoint(ctx, desired);
      else if (plan.action === 'update' && observed?.status === 'Failed')
        await recreate(ctx, desired, 'is Failed and cannot be updated');
      else if (plan.action === 'update') await updateEndpoint(ctx, desired, observed!, deployment);
      // An interrupted run left it Creating/Updating to the right config: just wait (read-only).
      else if (observed && BUSY.has(observed.status) && !ctx.dryRun) await waitInService(ctx, desired.name);
      return {
        endpointName: desired.name,
        endpointArn: observed?.arn ?? ctx.arns.endpoint,
        endpointConfigName: desired.endpointConfigName,
      };
    },

    async destroy(ctx, desired) {
      const gone = await ctx.clients.sagemaker
        .send(new DeleteEndpointCommand({ EndpointName: desired.name }))
        .then(() => false)
        .catch(ifMissing(true));
      if (gone) return;
      await waitUntilEndpointDeleted(waiterParams(ctx), { EndpointName: desired.name }).catch((err: unknown) => {
        throw new DeployerError(
          'MS_DEPLOY_WAIT_TIMEOUT',
          { seconds: ctx.wait.maxWaitSeconds, resource: `endpoint ${desired.name}`, state: 'deleted' },
          { cause: err },
        );
      });
    },
  };
}

export const sagemakerEndpoint = createSagemakerEndpointResource();
