// The CloudWatch log groups of the endpoint and of the Lambda proxy, created by `up` with
// release.yaml's logs.retentionDays before SageMaker or Lambda write to them (either service
// would otherwise create its group on first write, keeping events forever) and deleted by
// `destroy`, so no log group outlives its environment.
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import type { TagMap } from '../tags.js';
import { differs, planFields } from './diff.js';
import type { KnownOutputs, ResourceModule } from './resource.js';

export type LogGroupOwner = 'endpoint' | 'lambda';

export interface LogGroupDesired {
  name: string;
  retentionDays: number;
  tags: TagMap;
}

export interface LogGroupObserved {
  /** Undefined: the group keeps events forever (CloudWatch's default). */
  retentionDays?: number;
}

const KIND = 'log-group';

export function logGroupName(ctx: DeployContext, owner: LogGroupOwner): string {
  return owner === 'endpoint' ? ctx.names.endpointLogGroup : ctx.names.lambdaLogGroup;
}

/** DescribeLogGroups matches by prefix: the exact name among the first page. */
async function describeLogGroup(ctx: DeployContext, name: string) {
  const out = await ctx.clients.logs
    .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }))
    .catch(ifMissing(undefined));
  return out?.logGroups?.find((g) => g.logGroupName === name);
}

export function createLogGroupResource(
  owner: LogGroupOwner,
): ResourceModule<LogGroupDesired, LogGroupObserved> & KnownOutputs<LogGroupDesired, LogGroupObserved> {
  const outputKey = owner === 'endpoint' ? 'endpointLogGroup' : 'lambdaLogGroup';
  return {
    kind: KIND,

    desired(ctx) {
      return { name: logGroupName(ctx, owner), retentionDays: ctx.release.logs.retentionDays, tags: ctx.tags };
    },

    async observe(ctx, desired) {
      const group = await describeLogGroup(ctx, desired.name);
      if (!group) return undefined;
      return group.retentionInDays === undefined ? {} : { retentionDays: group.retentionInDays };
    },

    plan(desired, observed) {
      return planFields(KIND, desired.name, desired, observed, ['retentionDays']);
    },

    async apply(ctx, plan, desired) {
      if (plan.action === 'create') {
        await ctx.clients.logs
          .send(new CreateLogGroupCommand({ logGroupName: desired.name, tags: { ...desired.tags } }))
          .catch((err: unknown) => {
            // The service wrote first, or an interrupted run created it: retention is set below.
            if (!hasErrorName(err, 'ResourceAlreadyExistsException')) throw err;
          });
      }
      if (differs(plan, 'retentionDays')) {
        await ctx.clients.logs.send(
          new PutRetentionPolicyCommand({ logGroupName: desired.name, retentionInDays: desired.retentionDays }),
        );
      }
      return { [outputKey]: desired.name };
    },

    knownOutputs(desired) {
      return { [outputKey]: desired.name };
    },

    async destroy(ctx, desired) {
      await ctx.clients.logs
        .send(new DeleteLogGroupCommand({ logGroupName: desired.name }))
        .catch(ifMissing(undefined));
    },
  };
}

export const endpointLogGroup = createLogGroupResource('endpoint');
export const lambdaLogGroup = createLogGroupResource('lambda');
