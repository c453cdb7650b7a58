// IAM roles: the SageMaker execution role and the Lambda proxy role, each with a
// trust policy and one least-privilege inline policy (iam-policies.ts). When
// release.yaml names a role ARN under `iam:`, that role is used and nothing is
// created or changed.
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  waitUntilRoleExists,
  type Role,
} from '@aws-sdk/client-iam';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { tagList, type TagMap } from '../tags.js';
import { change, differs, planFields } from './diff.js';
import { BOUNDARY_POLICY_NAME, boundaryArn, roleBoundary } from './iam-boundary.js';
import { lambdaPolicy, sagemakerPolicy, trustPolicy, type PolicyDocument, type TrustPolicy } from './iam-policies.js';
import type { ResourceModule } from './resource.js';

export interface RoleDesired {
  roleName: string;
  /** From release.yaml `iam.*RoleArn`: use as is. */
  givenArn?: string;
  trustPolicy: TrustPolicy;
  policyName: string;
  policy: PolicyDocument;
  tags: TagMap;
  description: string;
  /** The permissions boundary the role must carry (iam-boundary.ts). */
  boundary: string;
}

export interface RoleObserved {
  arn: string;
  trustPolicy?: unknown;
  policy?: unknown;
  tags: Record<string, string>;
  boundary?: string;
}

const FIELDS = ['trustPolicy', 'policy', 'tags', 'boundary'] as const;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** IAM returns policy documents URL-encoded. */
function decodePolicy(text: string | undefined): unknown {
  return text ? JSON.parse(decodeURIComponent(text)) : undefined;
}

async function getRole(ctx: DeployContext, name: string): Promise<Role | undefined> {
  const out = await ctx.clients.iam.send(new GetRoleCommand({ RoleName: name })).catch(ifMissing(undefined));
  return out?.Role;
}

async function observeRole(ctx: DeployContext, d: RoleDesired): Promise<RoleObserved | undefined> {
  const role = await getRole(ctx, d.roleName);
  if (!role) return undefined;
  const inline = await ctx.clients.iam
    .send(new GetRolePolicyCommand({ RoleName: d.roleName, PolicyName: d.policyName }))
    .catch(ifMissing(undefined));
  const tags = Object.fromEntries(
    (role.Tags ?? []).filter((t) => t.Key?.startsWith('model-service:')).map((t) => [t.Key, t.Value]),
  );
  return {
    arn: role.Arn!,
    trustPolicy: decodePolicy(role.AssumeRolePolicyDocument),
    policy: decodePolicy(inline?.PolicyDocument),
    tags,
    boundary: role.PermissionsBoundary?.PermissionsBoundaryArn,
  };
}

/**
 * The boundary policy exists once per account; created on first use, never rewritten
 * (the deployer may not change it: that would widen every role it bounds).
 */
async function ensureBoundary(ctx: DeployContext, arn: string): Promise<void> {
  const found = await ctx.clients.iam.send(new GetPolicyCommand({ PolicyArn: arn })).catch(ifMissing(undefined));
  if (found) return;
  const { partition, accountId } = ctx.account;
  try {
    await ctx.clients.iam.send(
      new CreatePolicyCommand({
        PolicyName: BOUNDARY_POLICY_NAME,
        PolicyDocument: JSON.stringify(roleBoundary(partition, accountId)),
        Description: 'model-service: the most any role model-deploy creates may do',
      }),
    );
  } catch (err) {
    // Another run created it meanwhile.
    if (!hasErrorName(err, 'EntityAlreadyExistsException')) throw err;
  }
}

async function createRole(ctx: DeployContext, d: RoleDesired): Promise<string> {
  try {
    const out = await ctx.clients.iam.send(
      new CreateRoleCommand({
        RoleName: d.roleName,
        AssumeRolePolicyDocument: JSON.stringify(d.trustPolicy),
        Description: d.description,
        PermissionsBoundary: d.boundary,
        Tags: tagList(d.tags),
      }),
    );
    return out.Role!.Arn!;
  } catch (err) {
    // Created by an interrupted run: adopt it; the trust policy is then reconciled below.
    if (!hasErrorName(err, 'EntityAlreadyExistsException')) throw err;
    await ctx.clients.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: d.roleName, PolicyDocument: JSON.stringify(d.trustPolicy) }),
    );
    return (await getRole(ctx, d.roleName))!.Arn!;
  }
}

async function putPolicy(ctx: DeployContext, d: RoleDesired): Promise<void> {
  await ctx.clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: d.roleName,
      PolicyName: d.policyName,
      PolicyDocument: JSON.stringify(d.policy),
    }),
  );
}

async function waitForRole(ctx: DeployContext, name: string): Promise<void> {
  const { maxWaitSeconds, minDelaySeconds, maxDelaySeconds } = ctx.wait;
  await waitUntilRoleExists(
    {
      client: ctx.clients.iam,
      maxWaitTime: Math.min(maxWaitSeconds, 120),
      minDelay: minDelaySeconds,
      maxDelay: maxDelaySeconds,
    },
    { RoleName: name },
  ).catch(() => {
    throw new DeployerError('MS_DEPLOY_WAIT_TIMEOUT', {
      seconds: Math.min(maxWaitSeconds, 120),
      resource: `IAM role ${name}`,
      state: 'visible',
    });
  });
}

function roleModule(
  kind: string,
  outputKey: string,
  build: (ctx: DeployContext, upstream: Record<string, string>) => RoleDesired,
): ResourceModule<RoleDesired, RoleObserved, Record<string, string>> {
  return {
    kind,
    desired: (ctx, upstream) => build(ctx, upstream),

    async observe(ctx, desired) {
      return desired.givenArn ? undefined : observeRole(ctx, desired);
    },

    plan(desired, observed) {
      if (desired.givenArn) return change(kind, desired.givenArn, 'no-change');
      return planFields(kind, desired.roleName, desired, observed, FIELDS);
    },

    async apply(ctx, plan, desired, observed) {
      if (desired.givenArn) return { [outputKey]: desired.givenArn };
      let arn = observed?.arn;
      if (plan.action === 'create') {
        await ensureBoundary(ctx, desired.boundary);
        arn = await createRole(ctx, desired);
        await putPolicy(ctx, desired);
        await waitForRole(ctx, desired.roleName);
      } else if (plan.action === 'update') {
        if (differs(plan, 'trustPolicy')) {
          await ctx.clients.iam.send(
            new UpdateAssumeRolePolicyCommand({
              RoleName: desired.roleName,
              PolicyDocument: JSON.stringify(desired.trustPolicy),
            }),
          );
        }
        if (differs(plan, 'boundary')) {
          await ensureBoundary(ctx, desired.boundary);
          await ctx.clients.iam.send(
            new PutRolePermissionsBoundaryCommand({
              RoleName: desired.roleName,
              PermissionsBoundary: desired.boundary,
            }),
          );
        }
        if (differs(plan, 'policy')) await putPolicy(ctx, desired);
        if (differs(plan, 'tags')) {
          await ctx.clients.iam.send(new TagRoleCommand({ RoleName: desired.roleName, Tags: tagList(desired.tags) }));
        }
      }
      return { [outputKey]: arn! };
    },

    async destroy(ctx, desired) {
      if (desired.givenArn) return; // not ours
      await ctx.clients.iam
        .send(new DeleteRolePolicyCommand({ RoleName: desired.roleName, PolicyName: desired.policyName }))
        .catch(ifMissing(undefined));
      await ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: desired.roleName })).catch(ifMissing(undefined));
    },
  };
}

function givenArn(ctx: DeployContext, field: 'sagemakerRoleArn' | 'lambdaRoleArn'): string | undefined {
  const arn = ctx.release.iam?.[field];
  if (arn !== undefined && !ROLE_ARN.test(arn)) throw new DeployerError('MS_DEPLOY_ROLE_ARN', { field, arn });
  return arn;
}

/** Outputs `sagemakerRoleArn`. */
export const sagemakerRole = roleModule('iam-role-sagemaker', 'sagemakerRoleArn', (ctx, upstream) => ({
  roleName: ctx.names.sagemakerRole,
  givenArn: givenArn(ctx, 'sagemakerRoleArn'),
  trustPolicy: trustPolicy('sagemaker.amazonaws.com', ctx.account.accountId),
  policyName: ctx.names.sagemakerPolicy,
  // Keys of encrypted async topics, as async-topics.ts read them from SNS.
  policy: sagemakerPolicy(ctx, upstream.asyncTopicKeys ? upstream.asyncTopicKeys.split(',') : []),
  tags: ctx.tags,
  description: `model-service: SageMaker execution role of ${ctx.names.endpoint}`,
  boundary: boundaryArn(ctx.account.partition, ctx.account.accountId),
}));

/** Outputs `lambdaRoleArn`. */
export const lambdaRole = roleModule('iam-role-lambda', 'lambdaRoleArn', (ctx) => ({
  roleName: ctx.names.lambdaRole,
  givenArn: givenArn(ctx, 'lambdaRoleArn'),
  trustPolicy: trustPolicy('lambda.amazonaws.com', ctx.account.accountId),
  policyName: ctx.names.lambdaPolicy,
  policy: lambdaPolicy(ctx),
  tags: ctx.tags,
  description: `model-service: Lambda proxy role of ${ctx.names.lambda}`,
  boundary: boundaryArn(ctx.account.partition, ctx.account.accountId),
}));
