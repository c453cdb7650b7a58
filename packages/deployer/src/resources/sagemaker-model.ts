// SageMaker Model pinned to the image digest. Its name hashes the image digest,
// role and container environment, so a new image is a new model and the old
// one stays (the previous endpoint config, kept for rollback, still uses it).
import {
  CreateModelCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  paginateListModels,
} from '@aws-sdk/client-sagemaker';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { tagList, type TagMap } from '../tags.js';
import { cacheNames, provisionsCache } from './cache-names.js';
import {
  environmentDiffs,
  sagemakerContainerEnvironment,
  shownEnvironment,
  type ProvisionedCache,
} from './container-environment.js';
import { change, creationDiffs, diffFields } from './diff.js';
import type { ResourceModule, StatusReport } from './resource.js';
import { listOwned, sagemakerModelName, type ModelContent } from './sagemaker-names.js';
import { servingModel, type ServingModel } from './serving-model.js';
import { observedVpcIds, sagemakerVpcConfig, vpcIds, vpcOf, type VpcIds } from './vpc.js';

export interface ModelDesired extends ModelContent {
  name: string;
  tags: TagMap;
}

export interface ModelObserved {
  name: string;
  /** False: the content-hashed model is not there yet, but the endpoint serves `serving`. */
  exists?: false;
  /** Only when the model does not exist: the one it replaces, for the plan's diffs. */
  serving?: ServingModel;
  image?: string;
  vpc?: VpcIds;
  networkIsolation?: boolean;
  environment?: Record<string, string>;
}

/** What `status` shows for the model the endpoint serves. */
export interface ModelStatus {
  name: string;
  exists: boolean;
  image?: string;
  /** The container environment (release.yaml's cache and runtime settings as MS_* variables). */
  environment?: Record<string, string>;
  /** The model's VpcConfig; absent = SageMaker's managed network (no VPC). */
  vpc?: VpcIds & { networkIsolation: boolean };
}

const KIND = 'sagemaker-model';
// IAM is eventually consistent: a role created seconds ago may not be assumable yet.
const ROLE_NOT_READY = /could not (be )?assume|not authorized to assume|unable to assume/i;
const ROLE_READY_TRIES = 6;

/** The model's VPC part of its content (empty without release.yaml vpc). */
export function modelVpcContent(ctx: DeployContext): Pick<ModelContent, 'vpc' | 'networkIsolation'> {
  const vpc = vpcOf(ctx.release, ctx.envName);
  if (!vpc) return {};
  return { vpc: vpcIds(vpc), ...(vpc.networkIsolation ? { networkIsolation: true as const } : {}) };
}

/** CreateModel's VpcConfig / EnableNetworkIsolation for that content. */
export function modelVpcInput(content: Pick<ModelContent, 'vpc' | 'networkIsolation'>): {
  VpcConfig?: { Subnets: string[]; SecurityGroupIds: string[] };
  EnableNetworkIsolation?: boolean;
} {
  return {
    ...(content.vpc ? { VpcConfig: sagemakerVpcConfig(content.vpc) } : {}),
    ...(content.networkIsolation ? { EnableNetworkIsolation: true } : {}),
  };
}

async function createModel(ctx: DeployContext, d: ModelDesired): Promise<void> {
  const input = {
    ModelName: d.name,
    ExecutionRoleArn: d.executionRoleArn,
    PrimaryContainer: {
      Image: d.image,
      Mode: 'SingleModel' as const,
      Environment: d.environment,
      ...(d.modelDataUrl ? { ModelDataUrl: d.modelDataUrl } : {}),
    },
    ...modelVpcInput(d),
    Tags: tagList(d.tags),
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ctx.clients.sagemaker.send(new CreateModelCommand(input));
      return;
    } catch (err) {
      // Same content-hashed name = same model: an interrupted run already made it.
      if (hasErrorName(err, 'ValidationException') && /already exist/i.test((err as Error).message)) return;
      const roleNotReady = hasErrorName(err, 'ValidationException') && ROLE_NOT_READY.test((err as Error).message);
      if (!roleNotReady || attempt >= ROLE_READY_TRIES) throw err;
      ctx.log.debug(`role ${d.executionRoleArn} not assumable yet, retrying CreateModel`);
      await new Promise((r) => setTimeout(r, ctx.wait.minDelaySeconds * 1000 * attempt));
    }
  }
}

/** The provisioned cache's connection settings from upstream (elasticache-serverless, cache-user). */
function provisionedCache(ctx: DeployContext, upstream: Record<string, string>): ProvisionedCache | undefined {
  if (!provisionsCache(ctx)) return undefined;
  const names = cacheNames(ctx.names.prefix);
  return {
    endpoint: upstream.cacheEndpoint ?? '',
    cacheName: upstream.cacheName ?? names.cache,
    userId: upstream.cacheUserId ?? names.user,
  };
}

export const sagemakerModel: ResourceModule<ModelDesired, ModelObserved> &
  StatusReport<ModelDesired, ModelObserved, ModelStatus> = {
  kind: KIND,

  // The model the served endpoint config names (upstream `modelName`), not the one release.yaml would make now.
  statusDesired(ctx, upstream) {
    return { ...sagemakerModel.desired(ctx, upstream), name: upstream.modelName ?? '' };
  },

  status(desired, observed) {
    if (!observed || observed.exists === false) return { name: desired.name, exists: false };
    const vpc = observed.vpc && { ...observed.vpc, networkIsolation: observed.networkIsolation === true };
    const environment = observed.environment && shownEnvironment(observed.environment);
    return { name: desired.name, exists: true, image: observed.image, environment, vpc };
  },

  /** Needs `imageUri` (repo@sha256:...) and `sagemakerRoleArn` upstream; `modelDataUrl` when promote copies one. */
  desired(ctx, upstream) {
    const content: ModelContent = {
      image: upstream.imageUri ?? '',
      ...(upstream.modelDataUrl ? { modelDataUrl: upstream.modelDataUrl } : {}),
      executionRoleArn: upstream.sagemakerRoleArn ?? ctx.arns.sagemakerRole,
      environment: sagemakerContainerEnvironment(ctx.release, ctx.envName, ctx.names, provisionedCache(ctx, upstream)),
      ...modelVpcContent(ctx),
    };
    return { name: sagemakerModelName(ctx.names, content), ...content, tags: ctx.tags };
  },

  async observe(ctx, desired) {
    const out = await ctx.clients.sagemaker
      .send(new DescribeModelCommand({ ModelName: desired.name }))
      .catch(ifMissing(undefined));
    if (!out) {
      // A new model: what the endpoint runs now, so plan shows which variables change.
      const serving = await servingModel(ctx);
      return serving ? { name: desired.name, exists: false, serving } : undefined;
    }
    const vpc = observedVpcIds(out.VpcConfig?.Subnets, out.VpcConfig?.SecurityGroupIds);
    return {
      name: out.ModelName!,
      image: out.PrimaryContainer?.Image,
      ...(out.PrimaryContainer?.Environment ? { environment: out.PrimaryContainer.Environment } : {}),
      ...(vpc ? { vpc } : {}),
      ...(out.EnableNetworkIsolation ? { networkIsolation: true } : {}),
    };
  },

  plan(desired, observed) {
    // The name is a hash of the content: if it exists, it is what we want.
    if (observed && observed.exists !== false) return change(KIND, desired.name, 'no-change');
    const vpcFields = desired.vpc
      ? (['vpc', ...(desired.networkIsolation ? ['networkIsolation' as const] : [])] as const)
      : [];
    const dataFields = desired.modelDataUrl ? (['modelDataUrl'] as const) : [];
    const serving = observed?.serving;
    if (!serving) {
      return change(
        KIND,
        desired.name,
        'create',
        creationDiffs(desired, ['image', ...dataFields, 'executionRoleArn', 'environment', ...vpcFields]),
      );
    }
    // Replacing the served model: what differs from it, each container variable on its own line.
    return change(KIND, desired.name, 'create', [
      { field: 'replaces', from: serving.name, to: desired.name },
      ...diffFields(desired, serving, ['image', 'modelDataUrl', 'executionRoleArn', 'vpc', 'networkIsolation']),
      ...environmentDiffs(serving.environment, desired.environment),
    ]);
  },

  async apply(ctx, plan, desired) {
    if (plan.action === 'create') await createModel(ctx, desired);
    return { modelName: desired.name };
  },

  /** Every model of this environment (current and the ones kept for rollback). */
  async destroy(ctx) {
    const pages = paginateListModels(
      { client: ctx.clients.sagemaker },
      { NameContains: ctx.names.prefix, MaxResults: 100 },
    );
    const names = await listOwned(ctx, pages, (page) => (page.Models ?? []).map((m) => m.ModelName));
    for (const name of names) {
      await ctx.clients.sagemaker.send(new DeleteModelCommand({ ModelName: name })).catch(ifMissing(undefined));
    }
  },
};
