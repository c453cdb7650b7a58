// ECR repository `model-service/<repository>`: scan on push, a lifecycle policy
// keeping the last N images, tags. Shared by every environment of the model,
// so `destroy <env>` leaves it (and the images other environments run) alone.
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  TagResourceCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { canonicalJson } from '../naming.js';
import { tagList, type TagMap } from '../tags.js';
import { differs, planFields } from './diff.js';
import type { PlannedChange, ResourceModule, StatusReport } from './resource.js';

export interface EcrDesired {
  name: string;
  scanOnPush: boolean;
  /** Canonical JSON of the lifecycle policy. */
  lifecyclePolicy: string;
  tags: TagMap;
}

export interface EcrObserved extends Partial<EcrDesired> {
  arn: string;
  uri: string;
}

export interface EcrOutputs extends Record<string, string> {
  ecrRepositoryUri: string;
  ecrRepositoryArn: string;
}

/** What `status` shows: the repository and where to push. */
export interface EcrStatus {
  name: string;
  exists: boolean;
  uri?: string;
}

const FIELDS = ['scanOnPush', 'lifecyclePolicy', 'tags'] as const;

export function lifecyclePolicy(keepLast: number): string {
  return canonicalJson({
    rules: [
      {
        rulePriority: 1,
        description: `keep the last ${keepLast} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepLast },
        action: { type: 'expire' },
      },
    ],
  });
}

async function describeRepository(ctx: DeployContext, name: string): Promise<Repository | undefined> {
  const out = await ctx.clients.ecr
    .send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))
    .catch(ifMissing(undefined));
  return out?.repositories?.[0];
}

async function observeDetails(ctx: DeployContext, repo: Repository): Promise<EcrObserved> {
  const name = repo.repositoryName!;
  const policy = await ctx.clients.ecr
    .send(new GetLifecyclePolicyCommand({ repositoryName: name }))
    .catch(ifMissing(undefined));
  const tags = await ctx.clients.ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
  const observedTags = Object.fromEntries((tags.tags ?? []).map((t) => [t.Key, t.Value]));
  return {
    name,
    arn: repo.repositoryArn!,
    uri: repo.repositoryUri!,
    scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false,
    lifecyclePolicy: policy?.lifecyclePolicyText ? canonicalJson(JSON.parse(policy.lifecyclePolicyText)) : undefined,
    // Compare only our tags: others may add their own.
    tags: Object.fromEntries(
      Object.keys(observedTags)
        .filter((k) => k.startsWith('model-service:'))
        .map((k) => [k, observedTags[k]]),
    ),
  };
}

async function createRepository(ctx: DeployContext, d: EcrDesired): Promise<Repository> {
  try {
    const out = await ctx.clients.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: d.name,
        imageScanningConfiguration: { scanOnPush: d.scanOnPush },
        // Mutable: rebuilding the same commit re-pushes the same sha tag; deployments pin digests anyway.
        imageTagMutability: 'MUTABLE',
        tags: tagList(d.tags),
      }),
    );
    return out.repository!;
  } catch (err) {
    // An interrupted `up` may have created it already: converge instead of failing.
    if (!hasErrorName(err, 'RepositoryAlreadyExistsException')) throw err;
    return (await describeRepository(ctx, d.name))!;
  }
}

async function putLifecyclePolicy(ctx: DeployContext, d: EcrDesired): Promise<void> {
  await ctx.clients.ecr.send(
    new PutLifecyclePolicyCommand({ repositoryName: d.name, lifecyclePolicyText: d.lifecyclePolicy }),
  );
}

async function updateRepository(ctx: DeployContext, d: EcrDesired, plan: PlannedChange, arn: string): Promise<void> {
  const ecr = ctx.clients.ecr;
  if (differs(plan, 'scanOnPush')) {
    await ecr.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: d.name,
        imageScanningConfiguration: { scanOnPush: d.scanOnPush },
      }),
    );
  }
  if (differs(plan, 'lifecyclePolicy')) await putLifecyclePolicy(ctx, d);
  if (differs(plan, 'tags')) {
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: tagList(d.tags) }));
  }
}

export const ecrRepository: ResourceModule<EcrDesired, EcrObserved, EcrOutputs> &
  StatusReport<EcrDesired, EcrObserved, EcrStatus> = {
  kind: 'ecr-repository',

  status(desired, observed) {
    return observed ? { name: desired.name, exists: true, uri: observed.uri } : { name: desired.name, exists: false };
  },

  desired(ctx) {
    return {
      name: ctx.names.ecrRepository,
      scanOnPush: true,
      lifecyclePolicy: lifecyclePolicy(ctx.release.image.keepLast),
      tags: ctx.tags,
    };
  },

  async observe(ctx, desired) {
    const repo = await describeRepository(ctx, desired.name);
    return repo ? observeDetails(ctx, repo) : undefined;
  },

  plan(desired, observed) {
    return planFields('ecr-repository', desired.name, desired, observed, FIELDS);
  },

  async apply(ctx, plan, desired, observed) {
    let arn = observed?.arn;
    let uri = observed?.uri;
    if (plan.action === 'create') {
      const repo = await createRepository(ctx, desired);
      arn = repo.repositoryArn;
      uri = repo.repositoryUri;
      await putLifecyclePolicy(ctx, desired);
    } else if (plan.action === 'update') {
      await updateRepository(ctx, desired, plan, arn!);
    }
    return { ecrRepositoryUri: uri!, ecrRepositoryArn: arn! };
  },
};
