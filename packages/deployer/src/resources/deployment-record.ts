// The deployment record, kept as tags on the SageMaker endpoint: git sha, image
// digest, time, deploying identity and config hash (the last verify result sits
// beside it, written by `verify`). Last in the graph: it is written only once
// everything before it applied, and only when what is deployed changed (sha,
// digest or config hash), so an unchanged `up` makes no call.
import { AddTagsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { KNOWN_AFTER_APPLY } from '../known-after-apply.js';
import {
  configHash,
  deploymentRecordTags,
  parseDeploymentRecord,
  TAG_GIT_SHA,
  type DeploymentRecord,
} from '../tags.js';
import { change } from './diff.js';
import type { FieldDiff, ResourceModule } from './resource.js';

const KIND = 'deployment-record';
/** What makes a new record; time and identity only describe it. */
const COMPARED = ['gitSha', 'imageDigest', 'configHash'] as const;

export interface RecordDesired {
  endpointName: string;
  endpointArn: string;
  gitSha?: string;
  imageDigest?: string;
  configHash: string;
}

export type RecordObserved = DeploymentRecord;

const known = (value: string | undefined) => (value === KNOWN_AFTER_APPLY ? undefined : value);

/** Who is deploying: the caller's ARN (read-only STS call). */
export async function callerArn(ctx: DeployContext): Promise<string | undefined> {
  const who = await ctx.clients.sts.send(new GetCallerIdentityCommand({}));
  return who?.Arn;
}

export const deploymentRecord: ResourceModule<RecordDesired, RecordObserved> = {
  kind: KIND,

  /** Needs `endpointArn` and `imageDigest` (and `imageTag` when the sha is not in the tags) upstream. */
  desired(ctx, upstream) {
    return {
      endpointName: ctx.names.endpoint,
      // The ARN is deterministic: plan can read the current record before the endpoint module applies.
      endpointArn: known(upstream.endpointArn) ?? ctx.arns.endpoint,
      gitSha: ctx.tags[TAG_GIT_SHA] ?? upstream.imageTag,
      imageDigest: upstream.imageDigest,
      configHash: configHash(ctx.release, ctx.envName),
    };
  },

  async observe(ctx, d) {
    const out = await ctx.clients.sagemaker
      .send(new ListTagsCommand({ ResourceArn: d.endpointArn, MaxResults: 100 }))
      // SageMaker answers tags of an endpoint that does not exist (yet) with a ValidationException.
      .catch((err: unknown) => (hasErrorName(err, 'ValidationException') ? undefined : ifMissing(undefined)(err)));
    return parseDeploymentRecord(out?.Tags);
  },

  plan(d, o) {
    const diffs: FieldDiff[] = COMPARED.filter((f) => d[f] !== undefined && o?.[f] !== d[f]).map((field) => ({
      field,
      from: o?.[field],
      to: d[field],
    }));
    if (!o) return change(KIND, d.endpointName, 'create', diffs);
    return change(KIND, d.endpointName, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d, o) {
    if (plan.action === 'no-change') return { deployedAt: o?.deployedAt ?? '' };
    const record: DeploymentRecord = {
      gitSha: d.gitSha,
      imageDigest: d.imageDigest,
      configHash: d.configHash,
      deployedAt: new Date().toISOString(),
      deployedBy: await callerArn(ctx),
    };
    await ctx.clients.sagemaker.send(
      new AddTagsCommand({ ResourceArn: d.endpointArn, Tags: deploymentRecordTags(record) }),
    );
    return { deployedAt: record.deployedAt! };
  },
};
