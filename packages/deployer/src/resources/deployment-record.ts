// The deployment record, kept as tags on the SageMaker endpoint: git sha, image
// digest, time, deploying identity and config hash (the last verify result sits
// beside it, written by `verify`). Last in the graph: it is written only once
// everything before it applied, and only when what is deployed changed (sha,
// digest or config hash), so an unchanged `up` makes no call.
import { AddTagsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import { parseVerifiedTag, VERIFIED_TAG, type VerifiedTag } from '../checks/verify-tag.js';
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
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';

const KIND = 'deployment-record';
/** What makes a new record; time and identity only describe it. */
const COMPARED = ['gitSha', 'imageDigest', 'configHash'] as const;

export interface RecordDesired {
  endpointName: string;
  endpointArn: string;
  gitSha?: string;
  imageDigest?: string;
  configHash: string;
  /** Only for `status`: the config the endpoint serves, to tell whether the last verify ran on it. */
  servingEndpointConfigName?: string;
}

export interface RecordObserved {
  record?: DeploymentRecord;
  /** The last `verify`, written by verify beside the record. */
  verified?: VerifiedTag;
}

/** What `status` shows: the record, whether release.yaml changed since, and the last verify. */
export interface DeploymentStatus extends DeploymentRecord {
  /** True when the record's config hash matches release.yaml now (false: release.yaml changed since). */
  configCurrent?: boolean;
  /** The last `verify`; `current` = it verified the config the endpoint runs now. */
  verify?: VerifiedTag & { current: boolean };
}

const known = (value: string | undefined) => (value === KNOWN_AFTER_APPLY ? undefined : value);

/** Who is deploying: the caller's ARN (read-only STS call). */
export async function callerArn(ctx: DeployContext): Promise<string | undefined> {
  const who = await ctx.clients.sts.send(new GetCallerIdentityCommand({}));
  return who?.Arn;
}

export const deploymentRecord: ResourceModule<RecordDesired, RecordObserved> &
  StatusReport<RecordDesired, RecordObserved, DeploymentStatus | undefined> = {
  kind: KIND,

  statusDesired(ctx, upstream) {
    return { ...deploymentRecord.desired(ctx, upstream), servingEndpointConfigName: upstream.endpointConfigName };
  },

  // Undefined when the endpoint carries neither (deployed before model-deploy kept a record, or by hand).
  status(d, o) {
    if (!o) return undefined;
    const { record, verified } = o;
    const status: DeploymentStatus = { ...record };
    if (record?.configHash) status.configCurrent = record.configHash === d.configHash;
    if (verified) status.verify = { ...verified, current: verified.configName === d.servingEndpointConfigName };
    return status;
  },

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
    const record = parseDeploymentRecord(out?.Tags);
    const verified = parseVerifiedTag(out?.Tags?.find((t) => t.Key === VERIFIED_TAG)?.Value);
    if (!record && !verified) return undefined;
    return { ...(record ? { record } : {}), ...(verified ? { verified } : {}) };
  },

  plan(d, observed) {
    const o = observed?.record;
    const diffs: FieldDiff[] = COMPARED.filter((f) => d[f] !== undefined && o?.[f] !== d[f]).map((field) => ({
      field,
      from: o?.[field],
      to: d[field],
    }));
    if (!o) return change(KIND, d.endpointName, 'create', diffs);
    return change(KIND, d.endpointName, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d, o) {
    if (plan.action === 'no-change') return { deployedAt: o?.record?.deployedAt ?? '' };
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
