// The credential CI's `verify` uses, so promotion needs no human secret: on the environment's user
// pool, a resource server for the API with an `invoke` scope, a hosted domain (where the
// /oauth2/token endpoint lives) and an app client with the OAuth client_credentials grant and a
// generated secret. `up` stores the client's id and secret in Secrets Manager; `verify` reads them
// under the deploy role and exchanges them for a short-lived access token.
//
// The secret value is only ever in the CreateSecret/PutSecretValue request: plan and status read
// the secret's description and tags (which client it holds), never its value.
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolDomainCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsFail, ifMissing } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { known } from '../known-after-apply.js';
import { shortHash } from '../naming.js';
import { findClientId, findPools } from './cognito.js';
import type { FieldDiff, ResourceModule } from './resource.js';

/** The one scope of the API's resource server; the predict route requires it of access tokens. */
export const INVOKE_SCOPE = 'invoke';

/** Tag on the secret naming the app client it holds (not secret), so plan sees a stale secret without reading it. */
export const SECRET_CLIENT_TAG = 'model-service:client-id';

export interface MachineClientDesired {
  poolName: string;
  /** From the user pool module; undefined while the pool is still to be created. */
  userPoolId?: string;
  resourceServer: string;
  /** `<resource server>/invoke` */
  scope: string;
  /** Globally unique prefix of `<domain>.auth.<region>.amazoncognito.com`. */
  domain: string;
  clientName: string;
  secretName: string;
  /** minutes */
  accessTokenValidity: number;
  tags: Record<string, string>;
}

export interface MachineClientObserved {
  resourceServer: boolean;
  /** The pool the domain belongs to, when the domain exists. */
  domainPoolId?: string;
  clientId?: string;
  /** The secret exists; which client id its tag says it holds. */
  secret?: { arn: string; clientId?: string };
}

/** The contents of the secret (JSON), everything `verify` needs to get a token. */
export interface VerifyClientSecret {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  scope: string;
}

/** Cognito refuses domain prefixes with these words in them. */
const RESERVED_IN_DOMAINS = /aws|amazon|cognito/;
const MAX_DOMAIN_LENGTH = 63;

/**
 * `ms-<model>-<env>-<hash>`: domain prefixes are global across accounts, so the hash of account and
 * region keeps two accounts deploying the same model apart. Cognito wants lower case, at most 63
 * characters and none of its reserved words: such a name becomes `ms-<hash of it too>`.
 */
export function verifyDomain(ctx: Pick<DeployContext, 'names' | 'account'>): string {
  const { partition, region, accountId } = ctx.account;
  const prefix = ctx.names.prefix.toLowerCase();
  const named = `${prefix}-${shortHash({ partition, region, accountId })}`;
  if (named.length <= MAX_DOMAIN_LENGTH && !RESERVED_IN_DOMAINS.test(named)) return named;
  return `ms-${shortHash({ partition, region, accountId, prefix }, 16)}`;
}

export function tokenUrl(domain: string, region: string): string {
  return `https://${domain}.auth.${region}.amazoncognito.com/oauth2/token`;
}

function secretValue(d: MachineClientDesired, region: string, clientId: string, clientSecret: string): string {
  const value: VerifyClientSecret = { clientId, clientSecret, tokenUrl: tokenUrl(d.domain, region), scope: d.scope };
  return JSON.stringify(value);
}

export const machineClientResource: ResourceModule<MachineClientDesired, MachineClientObserved> = {
  kind: 'cognito-verify-client',

  desired(ctx, upstream) {
    const resourceServer = ctx.names.apiResourceServer;
    return {
      poolName: ctx.names.userPool,
      userPoolId: known(upstream.userPoolId),
      resourceServer,
      scope: `${resourceServer}/${INVOKE_SCOPE}`,
      domain: verifyDomain(ctx),
      clientName: ctx.names.verifyClient,
      secretName: ctx.names.verifySecret,
      accessTokenValidity: 60,
      tags: { ...ctx.tags },
    };
  },

  async observe(ctx, d) {
    const secrets = await lazyClient(ctx, 'secretsManager');
    const secret = await secrets
      .send(new DescribeSecretCommand({ SecretId: d.secretName }))
      .catch(ifMissing(undefined));
    const observed: MachineClientObserved = { resourceServer: false };
    if (secret?.ARN && !secret.DeletedDate) {
      const clientTag = secret.Tags?.find((t) => t.Key === SECRET_CLIENT_TAG)?.Value;
      observed.secret = { arn: secret.ARN, clientId: clientTag };
    }
    const cognito = ctx.clients.cognito;
    const domain = await cognito.send(new DescribeUserPoolDomainCommand({ Domain: d.domain }));
    observed.domainPoolId = domain.DomainDescription?.UserPoolId || undefined;
    if (!d.userPoolId) return observed;
    const server = await cognito
      .send(new DescribeResourceServerCommand({ UserPoolId: d.userPoolId, Identifier: d.resourceServer }))
      .catch(ifMissing(undefined));
    observed.resourceServer = server?.ResourceServer !== undefined;
    observed.clientId = await findClientId(cognito, d.userPoolId, d.clientName);
    return observed;
  },

  plan(d, o) {
    const base = { kind: 'cognito-verify-client', name: d.clientName };
    const diffs: FieldDiff[] = [];
    if (!o?.resourceServer) diffs.push({ field: 'resourceServer', from: undefined, to: d.scope });
    if (o?.domainPoolId === undefined) diffs.push({ field: 'domain', from: undefined, to: d.domain });
    else if (d.userPoolId && o.domainPoolId !== d.userPoolId)
      diffs.push({ field: 'domain.userPool', from: o.domainPoolId, to: d.userPoolId });
    if (!o?.clientId) diffs.push({ field: 'appClient', from: undefined, to: d.clientName });
    // Only names and ids: the secret's value never appears in a plan.
    if (!o?.secret) diffs.push({ field: 'secret', from: undefined, to: d.secretName });
    else if (!o.clientId || o.secret.clientId !== o.clientId)
      diffs.push({ field: 'secret.clientId', from: o.secret.clientId, to: o.clientId ?? '(new client)' });
    const nothing = !o || (!o.resourceServer && !o.clientId && !o.secret && o.domainPoolId === undefined);
    return { ...base, action: nothing ? 'create' : diffs.length ? 'update' : 'no-change', diffs };
  },

  async apply(ctx, change, d, o) {
    const outputs = { verifySecretName: d.secretName, verifyScope: d.scope };
    if (change.action === 'no-change') return outputs;
    const poolId = d.userPoolId;
    if (!poolId) throw awsFail('CreateResourceServer', d.resourceServer)(new Error('the user pool has no id yet'));
    const cognito = ctx.clients.cognito;
    if (!o?.resourceServer) {
      await cognito.send(
        new CreateResourceServerCommand({
          UserPoolId: poolId,
          Identifier: d.resourceServer,
          Name: ctx.names.api,
          Scopes: [{ ScopeName: INVOKE_SCOPE, ScopeDescription: 'Call the prediction API' }],
        }),
      );
    }
    if (o?.domainPoolId === undefined) {
      await cognito.send(new CreateUserPoolDomainCommand({ Domain: d.domain, UserPoolId: poolId }));
    } else if (o.domainPoolId !== poolId) {
      // A domain left on a pool destroyed outside model-deploy, or a hash collision: say so, do not steal it.
      throw awsFail(
        'CreateUserPoolDomain',
        d.domain,
      )(new Error(`the Cognito domain ${d.domain} belongs to user pool ${o.domainPoolId}, not ${poolId}`));
    }
    let clientId = o?.clientId;
    let clientSecret: string | undefined;
    if (!clientId) {
      const out = await cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: d.clientName,
          GenerateSecret: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthScopes: [d.scope],
          SupportedIdentityProviders: ['COGNITO'],
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
          AccessTokenValidity: d.accessTokenValidity,
          TokenValidityUnits: { AccessToken: 'minutes' },
          PreventUserExistenceErrors: 'ENABLED',
          EnableTokenRevocation: true,
        }),
      );
      clientId = out.UserPoolClient?.ClientId;
      clientSecret = out.UserPoolClient?.ClientSecret;
      if (!clientId) throw awsFail('CreateUserPoolClient', d.clientName)(new Error('AWS returned no client id'));
    }
    if (o?.secret && o.secret.clientId === clientId) return outputs;
    // A run interrupted after the client but before the secret: the client's secret is read back.
    if (!clientSecret) {
      const described = await cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
      );
      clientSecret = described.UserPoolClient?.ClientSecret;
    }
    if (!clientSecret)
      throw awsFail('DescribeUserPoolClient', d.clientName)(new Error('AWS returned no client secret'));
    const secrets = await lazyClient(ctx, 'secretsManager');
    const value = secretValue(d, ctx.region, clientId, clientSecret);
    const tags = Object.entries({ ...d.tags, [SECRET_CLIENT_TAG]: clientId }).map(([Key, Value]) => ({ Key, Value }));
    if (!o?.secret) {
      await secrets.send(
        new CreateSecretCommand({
          Name: d.secretName,
          Description: `OAuth client credentials model-deploy verify uses for ${ctx.names.api}`,
          SecretString: value,
          Tags: tags,
        }),
      );
    } else {
      await secrets.send(new PutSecretValueCommand({ SecretId: d.secretName, SecretString: value }));
      await secrets.send(new TagResourceCommand({ SecretId: d.secretName, Tags: tags }));
    }
    return outputs;
  },

  async destroy(ctx, d) {
    // Without a recovery window: a later `up` of the same environment must be able to create the name again.
    const secrets = await lazyClient(ctx, 'secretsManager');
    await secrets
      .send(new DeleteSecretCommand({ SecretId: d.secretName, ForceDeleteWithoutRecovery: true }))
      .catch(ifMissing(undefined));
    const cognito = ctx.clients.cognito;
    // Every pool of the name (see cognito.ts): a pool with a domain cannot be deleted.
    const pools = await findPools(cognito, d.poolName);
    for (const pool of pools) {
      const clientId = await findClientId(cognito, pool.id, d.clientName);
      if (clientId)
        await cognito
          .send(new DeleteUserPoolClientCommand({ UserPoolId: pool.id, ClientId: clientId }))
          .catch(ifMissing(undefined));
      await cognito
        .send(new DeleteResourceServerCommand({ UserPoolId: pool.id, Identifier: d.resourceServer }))
        .catch(ifMissing(undefined));
    }
    const domain = await cognito.send(new DescribeUserPoolDomainCommand({ Domain: d.domain }));
    const owner = domain.DomainDescription?.UserPoolId;
    if (owner && pools.some((p) => p.id === owner)) {
      await cognito
        .send(new DeleteUserPoolDomainCommand({ Domain: d.domain, UserPoolId: owner }))
        .catch(ifMissing(undefined));
    }
  },
};
