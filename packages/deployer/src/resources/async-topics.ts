// The SNS topics of an async environment (release.yaml environments.<env>.async.notifications):
// checked, never created or deleted. SageMaker publishes each result or failure to them as the
// endpoint's role, which is granted sns:Publish on exactly these ARNs; so a topic must exist in
// the deploying account and region, or the endpoint config would name topics nobody hears.
// A topic encrypted with a customer managed key also needs that key for publishing: its
// KmsMasterKeyId is handed on (`asyncTopicKeys`) for the role's policy.
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { hasErrorName, isAwsError } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { change } from './diff.js';
import type { ResourceModule } from './resource.js';

const KIND = 'async-topics';
/** SNS's AWS managed key: its key policy lets any principal of the account publish through SNS. */
const SNS_MANAGED_KEY = 'alias/aws/sns';

export interface AsyncTopic {
  arn: string;
  yamlPath: string;
}

export interface AsyncTopicsDesired {
  topics: AsyncTopic[];
  partition: string;
  region: string;
  accountId: string;
}

export interface AsyncTopicsObserved {
  /** Customer managed keys of the topics, as key or alias ARNs (what IAM names). */
  keys: string[];
}

/** Only environments with async notifications get this module (no SNS call, or permission, otherwise). */
export function hasAsyncTopics(ctx: DeployContext): boolean {
  const n = ctx.env.async?.notifications;
  return n?.successTopic !== undefined || n?.errorTopic !== undefined;
}

export function asyncTopics(ctx: DeployContext): AsyncTopic[] {
  const n = ctx.env.async?.notifications ?? {};
  const base = `environments.${ctx.envName}.async.notifications`;
  return (['successTopic', 'errorTopic'] as const).flatMap((field) => {
    const arn = n[field];
    return arn === undefined ? [] : [{ arn, yamlPath: `${base}.${field}` }];
  });
}

/** `arn:aws:sns:<region>:<account>:<name>` -> region and account. */
function topicPlace(arn: string): { region: string; account: string } {
  const [, , , region, account] = arn.split(':');
  return { region: region!, account: account! };
}

/** KmsMasterKeyId may be a key id, a key ARN, an alias name or an alias ARN; IAM needs an ARN. */
export function topicKeyArn(keyId: string, d: AsyncTopicsDesired, topicRegion: string): string | undefined {
  if (keyId === SNS_MANAGED_KEY || keyId.endsWith(`:${SNS_MANAGED_KEY}`)) return undefined;
  if (keyId.startsWith('arn:')) return keyId;
  const kind = keyId.startsWith('alias/') ? '' : 'key/';
  return `arn:${d.partition}:kms:${topicRegion}:${d.accountId}:${kind}${keyId}`;
}

async function checkTopic(ctx: DeployContext, d: AsyncTopicsDesired, topic: AsyncTopic): Promise<string | undefined> {
  const place = topicPlace(topic.arn);
  if (place.account !== d.accountId || place.region !== d.region) {
    throw new DeployerError('MS_DEPLOY_ASYNC_TOPIC_ELSEWHERE', {
      yamlPath: topic.yamlPath,
      topic: topic.arn,
      where: `account ${place.account}, region ${place.region}`,
      account: d.accountId,
      region: d.region,
    });
  }
  const sns = await lazyClient(ctx, 'sns');
  const out = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn })).catch((err: unknown) => {
    if (hasErrorName(err, 'NotFoundException', 'NotFound')) {
      throw new DeployerError(
        'MS_DEPLOY_ASYNC_TOPIC_MISSING',
        { yamlPath: topic.yamlPath, topic: topic.arn },
        { cause: err },
      );
    }
    if (
      hasErrorName(err, 'AuthorizationErrorException', 'AuthorizationError') ||
      (isAwsError(err) && err.$metadata?.httpStatusCode === 403)
    ) {
      throw new DeployerError(
        'MS_DEPLOY_ASYNC_TOPIC_DENIED',
        { yamlPath: topic.yamlPath, topic: topic.arn },
        { cause: err },
      );
    }
    throw err;
  });
  const keyId = out.Attributes?.KmsMasterKeyId;
  return keyId ? topicKeyArn(keyId, d, place.region) : undefined;
}

export const asyncTopicsCheck: ResourceModule<AsyncTopicsDesired, AsyncTopicsObserved> = {
  kind: KIND,

  desired(ctx) {
    return {
      topics: asyncTopics(ctx),
      partition: ctx.account.partition,
      region: ctx.region,
      accountId: ctx.account.accountId,
    };
  },

  async observe(ctx, d) {
    const keys: string[] = [];
    for (const topic of d.topics) {
      const key = await checkTopic(ctx, d, topic);
      if (key !== undefined && !keys.includes(key)) keys.push(key);
    }
    return { keys };
  },

  plan(d) {
    return change(KIND, d.topics.map((t) => t.arn).join(', '), 'no-change');
  },

  async apply(_ctx, _plan, _d, observed) {
    return { asyncTopicKeys: (observed?.keys ?? []).join(',') };
  },
};
