// The CloudWatch log groups of the endpoint, of the Lambda proxy and of the API's access log,
// created by `up` with release.yaml's logs.retentionDays before anything writes to them
// (SageMaker and Lambda would otherwise create theirs on first write, keeping events forever)
// and deleted by `destroy`, so no log group outlives its environment.
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

export type LogGroupOwner = 'endpoint' | 'lambda' | 'api-access';

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

const NAME_OF = { endpoint: 'endpointLogGroup', lambda: 'lambdaLogGroup', 'api-access': 'apiAccessLogGroup' } as const;

export function logGroupName(ctx: DeployContext, owner: LogGroupOwner): string {
  return ctx.names[NAME_OF[owner]];
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
  const outputKey = NAME_OF[owner];
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
export const apiAccessLogGroup = createLogGroupResource('api-access');
