// Cognito user pool `ms-<name>-<env>-users` + one app client for machine callers.
//
// Design: machine clients are service users of the pool (created by an admin;
// self sign-up is off). They sign in with USER_PASSWORD_AUTH against the app
// client (no client secret, so no secret ever lands in release.yaml or CI logs)
// and send the ID token as `Authorization`; API Gateway's Cognito User Pools
// authorizer verifies it. This needs no hosted domain or resource server (which
// OAuth client_credentials would), works in every region and with cognito-local.
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  paginateListUserPoolClients,
  paginateListUserPools,
  TagResourceCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  type ExplicitAuthFlowsType,
  type PasswordPolicyType,
} from '@aws-sdk/client-cognito-identity-provider';
import { awsFail, ifMissing } from '../aws/aws-error.js';
import type { AwsClients } from '../aws/clients.js';
import { collect, findFirst } from '../aws/pages.js';
import { duplicatesDiff, oldestFirst, type Named } from './same-name.js';
import type { FieldDiff, KnownOutputs, ResourceModule, StatusReport } from './resource.js';

export interface CognitoDesired {
  poolName: string;
  clientName: string;
  passwordPolicy: Required<
    Pick<
      PasswordPolicyType,
      | 'MinimumLength'
      | 'RequireUppercase'
      | 'RequireLowercase'
      | 'RequireNumbers'
      | 'RequireSymbols'
      | 'TemporaryPasswordValidityDays'
    >
  >;
  explicitAuthFlows: ExplicitAuthFlowsType[];
  /** minutes, minutes, days */
  tokenValidity: { access: number; id: number; refreshDays: number };
  tags: Record<string, string>;
}

export interface CognitoObserved {
  poolId: string;
  /** Other pools of the same name (a raced or interrupted create), oldest first; `destroy` deletes them too. */
  duplicates: string[];
  poolArn: string;
  passwordPolicy: PasswordPolicyType;
  tags: Record<string, string>;
  client?: {
    clientId: string;
    explicitAuthFlows: string[];
    tokenValidity: { access?: number; id?: number; refreshDays?: number };
  };
}

/** What `status` shows: the pool's id and its app client's (what a caller signs in with). */
export interface CognitoStatus {
  name: string;
  exists: boolean;
  id?: string;
  clientId?: string;
}

const CLIENT_FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'];

/** Every user pool named `poolName` (paginated), oldest first. */
export async function findPools(cognito: AwsClients['cognito'], poolName: string): Promise<Named[]> {
  const pages = paginateListUserPools({ client: cognito }, { MaxResults: 60 });
  const pools = await collect(pages, (page) => page.UserPools);
  return oldestFirst(
    pools.filter((p) => p.Name === poolName && p.Id).map((p) => ({ id: p.Id!, created: p.CreationDate })),
  );
}

/** The user pool named `poolName` (the oldest, if a race made more); also how `verify` and `status` find it. */
export async function findPoolId(cognito: AwsClients['cognito'], poolName: string): Promise<string | undefined> {
  return (await findPools(cognito, poolName))[0]?.id;
}

export function findClientId(
  cognito: AwsClients['cognito'],
  poolId: string,
  clientName: string,
): Promise<string | undefined> {
  const pages = paginateListUserPoolClients({ client: cognito }, { UserPoolId: poolId, MaxResults: 60 });
  return findFirst(pages, (page) => page.UserPoolClients?.find((c) => c.ClientName === clientName)?.ClientId);
}

function policyDiffs(d: CognitoDesired, o: CognitoObserved): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  for (const [key, to] of Object.entries(d.passwordPolicy)) {
    const from = (o.passwordPolicy as Record<string, unknown>)[key];
    if (from !== to) diffs.push({ field: `passwordPolicy.${key}`, from, to });
  }
  return diffs;
}

function clientDiffs(d: CognitoDesired, o: CognitoObserved): FieldDiff[] {
  if (!o.client) return [{ field: 'appClient', from: undefined, to: d.clientName }];
  const diffs: FieldDiff[] = [];
  const flows = [...o.client.explicitAuthFlows].sort();
  if (flows.join(',') !== [...d.explicitAuthFlows].sort().join(',')) {
    diffs.push({ field: 'appClient.explicitAuthFlows', from: o.client.explicitAuthFlows, to: d.explicitAuthFlows });
  }
  const t = o.client.tokenValidity;
  const want = d.tokenValidity;
  if (t.access !== want.access || t.id !== want.id || t.refreshDays !== want.refreshDays) {
    diffs.push({ field: 'appClient.tokenValidity', from: t, to: want });
  }
  return diffs;
}

function missingTags(d: CognitoDesired, o: CognitoObserved): Record<string, string> {
  return Object.fromEntries(Object.entries(d.tags).filter(([k, v]) => o.tags[k] !== v));
}

function poolInput(d: CognitoDesired) {
  return {
    Policies: { PasswordPolicy: d.passwordPolicy },
    // No self sign-up: only an admin creates machine users.
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    MfaConfiguration: 'OFF' as const,
    AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only' as const, Priority: 1 }] },
    UserPoolTags: d.tags,
  };
}

function clientInput(d: CognitoDesired) {
  return {
    ExplicitAuthFlows: d.explicitAuthFlows,
    AccessTokenValidity: d.tokenValidity.access,
    IdTokenValidity: d.tokenValidity.id,
    RefreshTokenValidity: d.tokenValidity.refreshDays,
    TokenValidityUnits: { AccessToken: 'minutes' as const, IdToken: 'minutes' as const, RefreshToken: 'days' as const },
    PreventUserExistenceErrors: 'ENABLED' as const,
    EnableTokenRevocation: true,
  };
}

export const cognitoResource: ResourceModule<CognitoDesired, CognitoObserved> &
  KnownOutputs<CognitoDesired, CognitoObserved> &
  StatusReport<CognitoDesired, CognitoObserved, CognitoStatus> = {
  kind: 'cognito-user-pool',

  status(d, o) {
    return o
      ? { name: d.poolName, exists: true, id: o.poolId, clientId: o.client?.clientId }
      : { name: d.poolName, exists: false };
  },

  desired(ctx) {
    return {
      poolName: ctx.names.userPool,
      clientName: ctx.names.userPoolClient,
      passwordPolicy: {
        MinimumLength: 16,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 1,
      },
      explicitAuthFlows: CLIENT_FLOWS,
      tokenValidity: { access: 60, id: 60, refreshDays: 30 },
      tags: { ...ctx.tags },
    };
  },

  async observe(ctx, d) {
    const [adopted, ...others] = await findPools(ctx.clients.cognito, d.poolName);
    if (!adopted) return undefined;
    const poolId = adopted.id;
    const pool = await ctx.clients.cognito
      .send(new DescribeUserPoolCommand({ UserPoolId: poolId }))
      .catch(ifMissing(undefined));
    if (!pool?.UserPool) return undefined;
    const observed: CognitoObserved = {
      poolId,
      duplicates: others.map((p) => p.id),
      poolArn: pool.UserPool.Arn ?? '',
      passwordPolicy: pool.UserPool.Policies?.PasswordPolicy ?? {},
      tags: { ...(pool.UserPool.UserPoolTags ?? {}) },
    };
    const clientId = await findClientId(ctx.clients.cognito, poolId, d.clientName);
    if (clientId) {
      const c = await ctx.clients.cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
      );
      const client = c.UserPoolClient;
      observed.client = {
        clientId,
        explicitAuthFlows: [...(client?.ExplicitAuthFlows ?? [])],
        tokenValidity: {
          access: client?.AccessTokenValidity,
          id: client?.IdTokenValidity,
          refreshDays: client?.RefreshTokenValidity,
        },
      };
    }
    return observed;
  },

  plan(d, o) {
    const base = { kind: 'cognito-user-pool', name: d.poolName };
    if (!o) {
      return {
        ...base,
        action: 'create',
        diffs: [
          { field: 'userPool', from: undefined, to: d.poolName },
          { field: 'appClient', from: undefined, to: d.clientName },
        ],
      };
    }
    const diffs = [...policyDiffs(d, o), ...clientDiffs(d, o)];
    if (Object.keys(missingTags(d, o)).length > 0) diffs.push({ field: 'tags', from: o.tags, to: d.tags });
    if (o.duplicates.length > 0) diffs.push(duplicatesDiff(o.poolId, o.duplicates));
    return { ...base, action: diffs.length ? 'update' : 'no-change', diffs };
  },

  knownOutputs(_d, o) {
    // Updates keep the pool; a missing app client gets a new id.
    return o?.client
      ? { userPoolId: o.poolId, userPoolArn: o.poolArn, userPoolClientId: o.client.clientId }
      : undefined;
  },

  async apply(ctx, change, d, o) {
    const cognito = ctx.clients.cognito;
    let poolId = o?.poolId;
    let poolArn = o?.poolArn;
    if (!o) {
      const out = await cognito.send(new CreateUserPoolCommand({ PoolName: d.poolName, ...poolInput(d) }));
      poolId = out.UserPool?.Id;
      poolArn = out.UserPool?.Arn;
      // Another run created one of this name too: the older one wins in both runs, so the newer
      // (ours, still without clients or users) goes and the run continues on the older one.
      const oldest = await findPoolId(cognito, d.poolName);
      if (poolId && oldest && oldest !== poolId) {
        ctx.log.warn(
          `another run created user pool ${d.poolName} (${oldest}) at the same time: using it, deleting ${poolId}`,
        );
        await cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId })).catch(ifMissing(undefined));
        const adopted = await cognitoResource.observe(ctx, d);
        return cognitoResource.apply(ctx, cognitoResource.plan(d, adopted), d, adopted);
      }
    } else if (change.action !== 'no-change') {
      if (o.duplicates.length > 0)
        ctx.log.warn(
          `user pool ${d.poolName} exists ${o.duplicates.length + 1} times; using ${o.poolId}, the oldest, and leaving ${o.duplicates.join(', ')} (they may hold users): \`model-deploy destroy\` deletes all of them`,
        );
      if (policyDiffs(d, o).length > 0) {
        // UpdateUserPool resets omitted settings, so send every setting we manage.
        await cognito.send(new UpdateUserPoolCommand({ UserPoolId: o.poolId, ...poolInput(d) }));
      } else if (Object.keys(missingTags(d, o)).length > 0) {
        await cognito.send(new TagResourceCommand({ ResourceArn: o.poolArn, Tags: d.tags }));
      }
    }
    if (!poolId || !poolArn) throw awsFail('CreateUserPool', d.poolName)(new Error('AWS returned no user pool id'));
    let clientId = o?.client?.clientId;
    if (!clientId) {
      const out = await cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: d.clientName,
          GenerateSecret: false,
          ...clientInput(d),
        }),
      );
      clientId = out.UserPoolClient?.ClientId ?? '';
    } else if (o && clientDiffs(d, o).length > 0) {
      await cognito.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ClientName: d.clientName,
          ...clientInput(d),
        }),
      );
    }
    return { userPoolId: poolId, userPoolArn: poolArn, userPoolClientId: clientId };
  },

  async destroy(ctx, d) {
    // Every pool of the name, not only the one up uses: a raced create leaves no billable leftover.
    // Deleting a pool deletes its app clients and users.
    for (const pool of await findPools(ctx.clients.cognito, d.poolName)) {
      await ctx.clients.cognito.send(new DeleteUserPoolCommand({ UserPoolId: pool.id })).catch(ifMissing(undefined));
    }
  },
};
