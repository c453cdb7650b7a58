// A stateful in-memory stand-in for the Lambda, API Gateway and Cognito control
// planes, behind aws-sdk-client-mock: mutating calls change state, reads see it,
// missing things fail with the exception classes the SDK raises. Lets tests run
// a module (or the whole edge) twice and check idempotency and convergence.
import { createHash } from 'node:crypto';
import * as apigw from '@aws-sdk/client-api-gateway';
import * as cip from '@aws-sdk/client-cognito-identity-provider';
import * as lambda from '@aws-sdk/client-lambda';
import type { Mocks } from './aws-context.js';
import { ACCOUNT, REGION } from './aws-context.js';
import { FakeSecretsManager, SECRETS_MUTATING } from './fake-secrets-aws.js';

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-fake', attempts: 1, totalRetryDelay: 0 });

export const EDGE_MUTATING = new Set([
  'PutGatewayResponseCommand',
  'DeleteGatewayResponseCommand',
  'PutFunctionConcurrencyCommand',
  'DeleteFunctionConcurrencyCommand',
  'CreateFunctionCommand',
  'UpdateFunctionCodeCommand',
  'UpdateFunctionConfigurationCommand',
  'DeleteFunctionCommand',
  'AddPermissionCommand',
  'CreateUserPoolCommand',
  'UpdateUserPoolCommand',
  'CreateUserPoolClientCommand',
  'UpdateUserPoolClientCommand',
  'DeleteUserPoolCommand',
  'DeleteUserPoolClientCommand',
  'CreateResourceServerCommand',
  'DeleteResourceServerCommand',
  'CreateUserPoolDomainCommand',
  'DeleteUserPoolDomainCommand',
  ...SECRETS_MUTATING,
  'CreateRestApiCommand',
  'CreateResourceCommand',
  'CreateAuthorizerCommand',
  'UpdateAuthorizerCommand',
  'PutMethodCommand',
  'UpdateMethodCommand',
  'PutIntegrationCommand',
  'CreateDeploymentCommand',
  'UpdateStageCommand',
  'CreateApiKeyCommand',
  'CreateUsagePlanCommand',
  'UpdateUsagePlanCommand',
  'CreateUsagePlanKeyCommand',
  'DeleteUsagePlanCommand',
  'DeleteApiKeyCommand',
  'DeleteRestApiCommand',
  'TagResourceCommand',
]);

interface Fn {
  config: lambda.FunctionConfiguration;
  tags: Record<string, string>;
  /** PutFunctionConcurrency's value; undefined = none reserved. */
  reserved?: number;
  statements: { Sid: string; SourceArn?: string }[];
}
interface Pool {
  id: string;
  name: string;
  arn: string;
  policy: cip.PasswordPolicyType;
  tags: Record<string, string>;
  created: Date;
  clients: {
    id: string;
    name: string;
    flows: string[];
    access?: number;
    idv?: number;
    refresh?: number;
    secret?: string;
    oauthFlows?: string[];
    oauthScopes?: string[];
  }[];
  /** Resource server identifier -> its scope names. */
  resourceServers: Map<string, string[]>;
}
interface Method {
  authorizationType?: string;
  authorizerId?: string;
  apiKeyRequired?: boolean;
  authorizationScopes?: string[];
  integration?: { type?: string; uri?: string };
}
interface Api {
  id: string;
  name: string;
  tags: Record<string, string>;
  created: Date;
  resources: { id: string; path: string }[];
  methods: Map<string, Method>;
  authorizers: { id: string; name: string; providerARNs: string[] }[];
  deployments: { id: string; description?: string; createdDate: Date }[];
  stages: Map<string, Stage>;
  /** Customized gateway responses by type (absent: AWS's default response). */
  gatewayResponses?: Map<string, Record<string, string>>;
}
interface Stage {
  deploymentId: string;
  createdDate: Date;
  lastUpdatedDate: Date;
  tags: Record<string, string>;
  /** As GetStage answers: keyed "<resource path>/<method>", "*\/*" for every method. */
  methodSettings: Record<string, { throttlingRateLimit?: number; throttlingBurstLimit?: number }>;
  accessLogSettings?: { destinationArn?: string; format?: string };
}
interface UsagePlan {
  id: string;
  name: string;
  throttle?: { rateLimit?: number; burstLimit?: number };
  quota?: { limit?: number; period?: string };
  apiStages: { apiId: string; stage: string }[];
  keyIds: string[];
}

type Handler = (input: any) => unknown;

export class FakeEdgeAws {
  functions = new Map<string, Fn>();
  pools = new Map<string, Pool>();
  apis = new Map<string, Api>();
  usagePlans = new Map<string, UsagePlan>();
  apiKeys = new Map<string, { id: string; name: string }>();
  /** The account's API Gateway CloudWatch Logs role (access logs need one); undefined: none set. */
  accountCloudWatchRoleArn: string | undefined = `arn:aws:iam::${ACCOUNT}:role/apigateway-cloudwatch-logs`;
  /** Cognito domain prefix -> the user pool it belongs to (global, like AWS's). */
  domains = new Map<string, string>();
  /** Secrets Manager, wired when the mocks have a `secretsManager` client. */
  secrets = new FakeSecretsManager();
  private seq = 0;
  /** Mutating calls so far (across the three services). */
  mutations = 0;
  /** When set, the mutating call with this 1-based index throws before changing anything. */
  crashAt?: number;
  /**
   * Runs inside CreateUserPool / CreateRestApi before the create: another run's create of the
   * same name landing first (a race without the deploy lock).
   */
  beforeCreate?: (kind: 'user-pool' | 'rest-api', name: string, tags: Record<string, string>) => void;
  /** Creation times: one second apart, in call order. */
  private clock = Date.parse('2026-01-01T00:00:00Z');
  private now(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  /** A pool of this name made by someone else (another run, an older version). */
  addPool(name: string, tags: Record<string, string>): string {
    const id = `${REGION}_${this.id('pool')}`;
    const arn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${id}`;
    this.pools.set(id, {
      id,
      name,
      arn,
      policy: {},
      tags: { ...tags },
      created: this.now(),
      clients: [],
      resourceServers: new Map(),
    });
    return id;
  }

  /** A REST API of this name made by someone else. */
  addApi(name: string, tags: Record<string, string>): { id: string; rootId: string } {
    const id = this.id('api');
    const rootId = this.id('root');
    this.apis.set(id, {
      id,
      name,
      tags: { ...tags },
      created: this.now(),
      resources: [{ id: rootId, path: '/' }],
      methods: new Map(),
      authorizers: [],
      deployments: [],
      stages: new Map(),
    });
    return { id, rootId };
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(36).padStart(4, '0')}`;
  }

  private mutate<T>(fn: () => T): T {
    this.mutations += 1;
    if (this.crashAt !== undefined && this.mutations === this.crashAt)
      throw new Error(`simulated crash at mutating call ${this.mutations}`);
    return fn();
  }

  // ---- Lambda
  private fn(name: string): Fn {
    const f = this.functions.get(name);
    if (!f) {
      throw new lambda.ResourceNotFoundException({
        message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
        $metadata: meta(404),
        Type: 'User',
      });
    }
    return f;
  }

  lambdaHandlers(): [new (input: any) => unknown, Handler, boolean][] {
    const sha = (zip: Uint8Array) => createHash('sha256').update(zip).digest('base64');
    return [
      [
        lambda.GetFunctionCommand,
        (i) => {
          const f = this.fn(i.FunctionName);
          return {
            Configuration: { ...f.config, Environment: { Variables: { ...f.config.Environment?.Variables } } },
            Tags: { ...f.tags },
            ...(f.reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: f.reserved } }),
          };
        },
        false,
      ],
      [
        lambda.PutFunctionConcurrencyCommand,
        (i) => {
          this.fn(i.FunctionName).reserved = i.ReservedConcurrentExecutions;
          return { ReservedConcurrentExecutions: i.ReservedConcurrentExecutions };
        },
        true,
      ],
      [
        lambda.DeleteFunctionConcurrencyCommand,
        (i) => {
          this.fn(i.FunctionName).reserved = undefined;
          return {};
        },
        true,
      ],
      [
        lambda.CreateFunctionCommand,
        (i) => {
          if (this.functions.has(i.FunctionName))
            throw new lambda.ResourceConflictException({
              message: `Function already exist: ${i.FunctionName}`,
              $metadata: meta(409),
            });
          const config: lambda.FunctionConfiguration = {
            FunctionName: i.FunctionName,
            FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${i.FunctionName}`,
            Role: i.Role,
            Runtime: i.Runtime,
            Handler: i.Handler,
            MemorySize: i.MemorySize,
            Timeout: i.Timeout,
            Environment: { Variables: { ...i.Environment?.Variables } },
            CodeSha256: sha(i.Code.ZipFile),
            State: 'Active',
            LastUpdateStatus: 'Successful',
            LastModified: '2026-01-01T00:00:00.000+0000',
          };
          this.functions.set(i.FunctionName, { config, tags: { ...i.Tags }, statements: [] });
          return config;
        },
        true,
      ],
      [
        lambda.UpdateFunctionCodeCommand,
        (i) => {
          const f = this.fn(i.FunctionName);
          f.config.CodeSha256 = sha(i.ZipFile);
          return f.config;
        },
        true,
      ],
      [
        lambda.UpdateFunctionConfigurationCommand,
        (i) => {
          const f = this.fn(i.FunctionName);
          Object.assign(f.config, {
            Role: i.Role,
            Runtime: i.Runtime,
            Handler: i.Handler,
            MemorySize: i.MemorySize,
            Timeout: i.Timeout,
            Environment: { Variables: { ...i.Environment?.Variables } },
          });
          return f.config;
        },
        true,
      ],
      [
        lambda.TagResourceCommand,
        (i) => {
          const f = [...this.functions.values()].find((x) => x.config.FunctionArn === i.Resource);
          if (!f) throw new lambda.ResourceNotFoundException({ message: 'not found', $metadata: meta(404) });
          Object.assign(f.tags, i.Tags);
          return {};
        },
        true,
      ],
      [
        lambda.DeleteFunctionCommand,
        (i) => {
          this.fn(i.FunctionName);
          this.functions.delete(i.FunctionName);
          return {};
        },
        true,
      ],
      [
        lambda.AddPermissionCommand,
        (i) => {
          const f = this.fn(i.FunctionName);
          if (f.statements.some((s) => s.Sid === i.StatementId)) {
            throw new lambda.ResourceConflictException({
              message: `The statement id (${i.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
              $metadata: meta(409),
            });
          }
          f.statements.push({ Sid: i.StatementId, SourceArn: i.SourceArn });
          return { Statement: JSON.stringify({ Sid: i.StatementId }) };
        },
        true,
      ],
      [
        lambda.GetPolicyCommand,
        (i) => {
          const f = this.fn(i.FunctionName);
          if (f.statements.length === 0)
            throw new lambda.ResourceNotFoundException({
              message: 'The resource you requested does not exist.',
              $metadata: meta(404),
            });
          return { Policy: JSON.stringify({ Version: '2012-10-17', Statement: f.statements }) };
        },
        false,
      ],
    ];
  }

  // ---- Cognito
  private pool(id: string): Pool {
    const p = this.pools.get(id);
    if (!p)
      throw new cip.ResourceNotFoundException({ message: `User pool ${id} does not exist.`, $metadata: meta(400) });
    return p;
  }

  cognitoHandlers(): [new (input: any) => unknown, Handler, boolean][] {
    return [
      [
        cip.ListUserPoolsCommand,
        () => ({
          UserPools: [...this.pools.values()].map((p) => ({ Id: p.id, Name: p.name, CreationDate: p.created })),
        }),
        false,
      ],
      [
        cip.DescribeUserPoolCommand,
        (i) => {
          const p = this.pool(i.UserPoolId);
          return {
            UserPool: {
              Id: p.id,
              Name: p.name,
              Arn: p.arn,
              Policies: { PasswordPolicy: { ...p.policy } },
              UserPoolTags: { ...p.tags },
            },
          };
        },
        false,
      ],
      [
        cip.CreateUserPoolCommand,
        (i) => {
          this.beforeCreate?.('user-pool', i.PoolName, i.UserPoolTags ?? {});
          const id = this.addPool(i.PoolName, i.UserPoolTags ?? {});
          const p = this.pools.get(id)!;
          p.policy = { ...i.Policies?.PasswordPolicy };
          return { UserPool: { Id: id, Name: p.name, Arn: p.arn, CreationDate: p.created } };
        },
        true,
      ],
      [
        cip.UpdateUserPoolCommand,
        (i) => {
          const p = this.pool(i.UserPoolId);
          p.policy = { ...i.Policies?.PasswordPolicy };
          p.tags = { ...i.UserPoolTags };
          return {};
        },
        true,
      ],
      [
        cip.TagResourceCommand,
        (i) => {
          const p = [...this.pools.values()].find((x) => x.arn === i.ResourceArn);
          if (!p) throw new cip.ResourceNotFoundException({ message: 'not found', $metadata: meta(400) });
          Object.assign(p.tags, i.Tags);
          return {};
        },
        true,
      ],
      [
        cip.ListUserPoolClientsCommand,
        (i) => ({
          UserPoolClients: this.pool(i.UserPoolId).clients.map((c) => ({
            ClientId: c.id,
            ClientName: c.name,
            UserPoolId: i.UserPoolId,
          })),
        }),
        false,
      ],
      [
        cip.DescribeUserPoolClientCommand,
        (i) => {
          const c = this.pool(i.UserPoolId).clients.find((x) => x.id === i.ClientId);
          if (!c)
            throw new cip.ResourceNotFoundException({
              message: `Client ${i.ClientId} does not exist.`,
              $metadata: meta(400),
            });
          return {
            UserPoolClient: {
              ClientId: c.id,
              ClientName: c.name,
              ExplicitAuthFlows: [...c.flows],
              AccessTokenValidity: c.access,
              IdTokenValidity: c.idv,
              RefreshTokenValidity: c.refresh,
              ClientSecret: c.secret,
              AllowedOAuthFlows: c.oauthFlows,
              AllowedOAuthScopes: c.oauthScopes,
            },
          };
        },
        false,
      ],
      [
        cip.CreateUserPoolClientCommand,
        (i) => {
          const c = {
            id: this.id('client'),
            name: i.ClientName,
            flows: [...(i.ExplicitAuthFlows ?? [])],
            access: i.AccessTokenValidity,
            idv: i.IdTokenValidity,
            refresh: i.RefreshTokenValidity,
            secret: i.GenerateSecret ? `secret-${this.id('s')}-${'x'.repeat(40)}` : undefined,
            oauthFlows: i.AllowedOAuthFlows,
            oauthScopes: i.AllowedOAuthScopes,
          };
          const pool = this.pool(i.UserPoolId);
          for (const scope of c.oauthScopes ?? []) {
            const [server, name] = [scope.slice(0, scope.lastIndexOf('/')), scope.slice(scope.lastIndexOf('/') + 1)];
            if (!pool.resourceServers.get(server)?.includes(name))
              throw new cip.ScopeDoesNotExistException({
                message: `Invalid scope requested: ${scope}`,
                $metadata: meta(400),
              });
          }
          pool.clients.push(c);
          return { UserPoolClient: { ClientId: c.id, ClientName: c.name, ClientSecret: c.secret } };
        },
        true,
      ],
      [
        cip.UpdateUserPoolClientCommand,
        (i) => {
          const c = this.pool(i.UserPoolId).clients.find((x) => x.id === i.ClientId)!;
          Object.assign(c, {
            flows: [...(i.ExplicitAuthFlows ?? [])],
            access: i.AccessTokenValidity,
            idv: i.IdTokenValidity,
            refresh: i.RefreshTokenValidity,
          });
          return {};
        },
        true,
      ],
      [
        cip.DeleteUserPoolCommand,
        (i) => {
          this.pool(i.UserPoolId);
          if ([...this.domains.values()].includes(i.UserPoolId))
            throw new cip.InvalidParameterException({
              message: 'User pool cannot be deleted. It has a domain configured that should be deleted first.',
              $metadata: meta(400),
            });
          this.pools.delete(i.UserPoolId);
          return {};
        },
        true,
      ],
      [
        cip.DeleteUserPoolClientCommand,
        (i) => {
          const pool = this.pool(i.UserPoolId);
          if (!pool.clients.some((c) => c.id === i.ClientId))
            throw new cip.ResourceNotFoundException({
              message: `Client ${i.ClientId} does not exist.`,
              $metadata: meta(400),
            });
          pool.clients = pool.clients.filter((c) => c.id !== i.ClientId);
          return {};
        },
        true,
      ],
      [
        cip.DescribeResourceServerCommand,
        (i) => {
          const scopes = this.pool(i.UserPoolId).resourceServers.get(i.Identifier);
          if (!scopes)
            throw new cip.ResourceNotFoundException({
              message: `Resource server ${i.Identifier} does not exist.`,
              $metadata: meta(400),
            });
          return {
            ResourceServer: {
              UserPoolId: i.UserPoolId,
              Identifier: i.Identifier,
              Scopes: scopes.map((ScopeName) => ({ ScopeName, ScopeDescription: ScopeName })),
            },
          };
        },
        false,
      ],
      [
        cip.CreateResourceServerCommand,
        (i) => {
          const pool = this.pool(i.UserPoolId);
          if (pool.resourceServers.has(i.Identifier))
            throw new cip.InvalidParameterException({
              message: `${i.Identifier} already exists in pool ${i.UserPoolId}.`,
              $metadata: meta(400),
            });
          pool.resourceServers.set(
            i.Identifier,
            (i.Scopes ?? []).map((s: cip.ResourceServerScopeType) => s.ScopeName),
          );
          return { ResourceServer: { UserPoolId: i.UserPoolId, Identifier: i.Identifier, Name: i.Name } };
        },
        true,
      ],
      [
        cip.DeleteResourceServerCommand,
        (i) => {
          if (!this.pool(i.UserPoolId).resourceServers.delete(i.Identifier))
            throw new cip.ResourceNotFoundException({ message: 'Resource server not found.', $metadata: meta(400) });
          return {};
        },
        true,
      ],
      [
        // AWS answers an unknown domain with an empty description, not an error.
        cip.DescribeUserPoolDomainCommand,
        (i) => {
          const poolId = this.domains.get(i.Domain);
          return { DomainDescription: poolId ? { Domain: i.Domain, UserPoolId: poolId, Status: 'ACTIVE' } : {} };
        },
        false,
      ],
      [
        cip.CreateUserPoolDomainCommand,
        (i) => {
          this.pool(i.UserPoolId);
          if (this.domains.has(i.Domain))
            throw new cip.InvalidParameterException({
              message: 'Domain already associated with another user pool.',
              $metadata: meta(400),
            });
          this.domains.set(i.Domain, i.UserPoolId);
          return {};
        },
        true,
      ],
      [
        cip.DeleteUserPoolDomainCommand,
        (i) => {
          if (this.domains.get(i.Domain) !== i.UserPoolId)
            throw new cip.InvalidParameterException({
              message: 'No such domain or user pool exists.',
              $metadata: meta(400),
            });
          this.domains.delete(i.Domain);
          return {};
        },
        true,
      ],
    ];
  }

  // ---- API Gateway
  private api(id: string): Api {
    const a = this.apis.get(id);
    if (!a) throw new apigw.NotFoundException({ message: 'Invalid API identifier specified', $metadata: meta(404) });
    return a;
  }

  private resourcePath(a: Api, resourceId: string): string {
    const r = a.resources.find((x) => x.id === resourceId);
    if (!r)
      throw new apigw.NotFoundException({ message: 'Invalid Resource identifier specified', $metadata: meta(404) });
    return r.path;
  }

  apiGatewayHandlers(): [new (input: any) => unknown, Handler, boolean][] {
    const mkey = (a: Api, i: { resourceId: string; httpMethod: string }) =>
      `${i.httpMethod} ${this.resourcePath(a, i.resourceId)}`;
    return [
      [
        apigw.GetRestApisCommand,
        () => ({
          items: [...this.apis.values()].map((a) => ({
            id: a.id,
            name: a.name,
            tags: { ...a.tags },
            createdDate: a.created,
          })),
        }),
        false,
      ],
      [
        apigw.CreateRestApiCommand,
        (i) => {
          this.beforeCreate?.('rest-api', i.name, i.tags ?? {});
          const { id, rootId } = this.addApi(i.name, i.tags ?? {});
          return { id, name: i.name, rootResourceId: rootId };
        },
        true,
      ],
      [
        apigw.TagResourceCommand,
        (i) => {
          // arn:aws:apigateway:<region>::/restapis/<id>[/stages/<name>]
          const [, id = '', stageName] = /restapis\/([^/]+)(?:\/stages\/([^/]+))?$/.exec(i.resourceArn) ?? [];
          if (stageName === undefined) Object.assign(this.api(id).tags, i.tags);
          else {
            const stage = this.api(id).stages.get(stageName);
            if (!stage)
              throw new apigw.NotFoundException({
                message: 'Invalid stage identifier specified',
                $metadata: meta(404),
              });
            Object.assign(stage.tags, i.tags);
          }
          return {};
        },
        true,
      ],
      [apigw.GetResourcesCommand, (i) => ({ items: this.api(i.restApiId).resources.map((r) => ({ ...r })) }), false],
      [
        apigw.CreateResourceCommand,
        (i) => {
          const a = this.api(i.restApiId);
          const parent = this.resourcePath(a, i.parentId);
          const path = `${parent === '/' ? '' : parent}/${i.pathPart}`;
          if (a.resources.some((r) => r.path === path))
            throw new apigw.ConflictException({
              message: 'Another resource with the same parent already has this name',
              $metadata: meta(409),
            });
          const r = { id: this.id('res'), path };
          a.resources.push(r);
          return r;
        },
        true,
      ],
      [
        apigw.GetMethodCommand,
        (i) => {
          const a = this.api(i.restApiId);
          const m = a.methods.get(mkey(a, i));
          if (!m)
            throw new apigw.NotFoundException({ message: 'Invalid Method identifier specified', $metadata: meta(404) });
          return {
            httpMethod: i.httpMethod,
            authorizationType: m.authorizationType,
            authorizerId: m.authorizerId,
            apiKeyRequired: m.apiKeyRequired,
            ...(m.authorizationScopes?.length ? { authorizationScopes: [...m.authorizationScopes] } : {}),
            methodIntegration: m.integration && { ...m.integration },
          };
        },
        false,
      ],
      [
        apigw.PutMethodCommand,
        (i) => {
          const a = this.api(i.restApiId);
          a.methods.set(mkey(a, i), {
            authorizationType: i.authorizationType,
            authorizerId: i.authorizerId,
            apiKeyRequired: i.apiKeyRequired,
            ...(i.authorizationScopes ? { authorizationScopes: [...i.authorizationScopes] } : {}),
          });
          return {};
        },
        true,
      ],
      [
        apigw.UpdateMethodCommand,
        (i) => {
          const a = this.api(i.restApiId);
          const m = a.methods.get(mkey(a, i));
          if (!m)
            throw new apigw.NotFoundException({ message: 'Invalid Method identifier specified', $metadata: meta(404) });
          for (const op of i.patchOperations ?? []) {
            if (op.path === '/authorizationType') m.authorizationType = op.value;
            if (op.path === '/authorizerId') m.authorizerId = op.value;
            if (op.path === '/apiKeyRequired') m.apiKeyRequired = op.value === 'true';
            if (op.path === '/authorizationScopes' && op.op === 'add')
              m.authorizationScopes = [...(m.authorizationScopes ?? []), op.value];
            if (op.path === '/authorizationScopes' && op.op === 'remove')
              m.authorizationScopes = (m.authorizationScopes ?? []).filter((x) => x !== op.value);
          }
          return {};
        },
        true,
      ],
      [
        apigw.PutIntegrationCommand,
        (i) => {
          const a = this.api(i.restApiId);
          const m = a.methods.get(mkey(a, i));
          if (!m)
            throw new apigw.NotFoundException({ message: 'Invalid Method identifier specified', $metadata: meta(404) });
          m.integration = { type: i.type, uri: i.uri };
          return {};
        },
        true,
      ],
      [
        apigw.GetAuthorizersCommand,
        (i) => ({ items: this.api(i.restApiId).authorizers.map((x) => ({ ...x })) }),
        false,
      ],
      [
        apigw.CreateAuthorizerCommand,
        (i) => {
          const x = { id: this.id('auth'), name: i.name, providerARNs: [...i.providerARNs] };
          this.api(i.restApiId).authorizers.push(x);
          return x;
        },
        true,
      ],
      [
        apigw.UpdateAuthorizerCommand,
        (i) => {
          const x = this.api(i.restApiId).authorizers.find((y) => y.id === i.authorizerId)!;
          for (const op of i.patchOperations ?? []) {
            const arn = op.path.replace('/providerARNs/', '').replace(/~1/g, '/').replace(/~0/g, '~');
            if (op.op === 'add') x.providerARNs.push(arn);
            if (op.op === 'remove') x.providerARNs = x.providerARNs.filter((p) => p !== arn);
          }
          return {};
        },
        true,
      ],
      [
        apigw.GetStageCommand,
        (i) => {
          const s = this.api(i.restApiId).stages.get(i.stageName);
          if (!s)
            throw new apigw.NotFoundException({ message: 'Invalid stage identifier specified', $metadata: meta(404) });
          return { stageName: i.stageName, ...structuredClone(s) };
        },
        false,
      ],
      [
        apigw.UpdateStageCommand,
        (i) => {
          const s = this.api(i.restApiId).stages.get(i.stageName);
          if (!s)
            throw new apigw.NotFoundException({ message: 'Invalid stage identifier specified', $metadata: meta(404) });
          for (const op of i.patchOperations ?? []) {
            const log = /^\/accessLogSettings\/(destinationArn|format)$/.exec(op.path);
            if (log) {
              // As API Gateway: no access log without the account's CloudWatch Logs role.
              if (!this.accountCloudWatchRoleArn)
                throw new apigw.BadRequestException({
                  message: 'CloudWatch Logs role ARN must be set in account settings to enable logging',
                  $metadata: meta(400),
                });
              (s.accessLogSettings ??= {})[log[1] as 'destinationArn' | 'format'] = op.value;
              continue;
            }
            // /{resource path}/{method}/throttling/{rateLimit|burstLimit}; "*" / "*" for every method.
            const m = /^\/(.+)\/([^/]+)\/throttling\/(rateLimit|burstLimit)$/.exec(op.path);
            if (!m || op.op !== 'replace')
              throw new apigw.BadRequestException({
                message: `Invalid patch path '${op.path}' specified for op '${op.op}'`,
                $metadata: meta(400),
              });
            const key = `${m[1]!.replace(/~1/g, '/')}/${m[2]}`;
            const value = Number(op.value);
            if (!Number.isFinite(value))
              throw new apigw.BadRequestException({ message: `Invalid value '${op.value}'`, $metadata: meta(400) });
            const settings = (s.methodSettings[key] ??= {});
            if (m[3] === 'rateLimit') settings.throttlingRateLimit = value;
            else settings.throttlingBurstLimit = value;
          }
          return { stageName: i.stageName, ...structuredClone(s) };
        },
        true,
      ],
      [
        apigw.CreateDeploymentCommand,
        (i) => {
          const a = this.api(i.restApiId);
          const d = { id: this.id('dep'), description: i.description, createdDate: new Date('2026-01-02T00:00:00Z') };
          a.deployments.push(d);
          const prev = a.stages.get(i.stageName);
          // A deployment creates its stage without tags, as API Gateway does.
          a.stages.set(i.stageName, {
            deploymentId: d.id,
            createdDate: prev?.createdDate ?? d.createdDate,
            lastUpdatedDate: d.createdDate,
            tags: prev?.tags ?? {},
            // Stage settings outlive deployments.
            methodSettings: prev?.methodSettings ?? {},
            ...(prev?.accessLogSettings ? { accessLogSettings: prev.accessLogSettings } : {}),
          });
          return d;
        },
        true,
      ],
      [
        apigw.GetDeploymentCommand,
        (i) => {
          const d = this.api(i.restApiId).deployments.find((x) => x.id === i.deploymentId);
          if (!d)
            throw new apigw.NotFoundException({
              message: 'Invalid Deployment identifier specified',
              $metadata: meta(404),
            });
          return { ...d };
        },
        false,
      ],
      [apigw.GetAccountCommand, () => ({ cloudwatchRoleArn: this.accountCloudWatchRoleArn }), false],
      [
        apigw.GetGatewayResponseCommand,
        (i) => {
          const params = this.api(i.restApiId).gatewayResponses?.get(i.responseType);
          // AWS answers every type: the default one (no CORS header) until it is customized.
          return params
            ? { responseType: i.responseType, responseParameters: { ...params }, defaultResponse: false }
            : { responseType: i.responseType, responseParameters: {}, defaultResponse: true };
        },
        false,
      ],
      [
        apigw.PutGatewayResponseCommand,
        (i) => {
          const a = this.api(i.restApiId);
          (a.gatewayResponses ??= new Map()).set(i.responseType, { ...i.responseParameters });
          return { responseType: i.responseType };
        },
        true,
      ],
      [
        apigw.DeleteGatewayResponseCommand,
        (i) => {
          const a = this.api(i.restApiId);
          if (!a.gatewayResponses?.delete(i.responseType))
            throw new apigw.NotFoundException({
              message: 'Invalid Gateway Response type specified',
              $metadata: meta(404),
            });
          return {};
        },
        true,
      ],
      [
        apigw.DeleteRestApiCommand,
        (i) => {
          this.api(i.restApiId);
          this.apis.delete(i.restApiId);
          return {};
        },
        true,
      ],
      [
        apigw.GetUsagePlansCommand,
        () => ({
          items: [...this.usagePlans.values()].map((p) => ({
            id: p.id,
            name: p.name,
            throttle: p.throttle && { ...p.throttle },
            quota: p.quota && { ...p.quota },
            apiStages: p.apiStages.map((s) => ({ ...s })),
          })),
        }),
        false,
      ],
      [
        apigw.CreateUsagePlanCommand,
        (i) => {
          const p: UsagePlan = {
            id: this.id('plan'),
            name: i.name,
            throttle: { ...i.throttle },
            quota: { ...i.quota },
            apiStages: (i.apiStages ?? []).map((s: any) => ({ ...s })),
            keyIds: [],
          };
          this.usagePlans.set(p.id, p);
          return { id: p.id, name: p.name };
        },
        true,
      ],
      [
        apigw.UpdateUsagePlanCommand,
        (i) => {
          const p = this.usagePlans.get(i.usagePlanId);
          if (!p)
            throw new apigw.NotFoundException({ message: 'Invalid Usage Plan ID specified', $metadata: meta(404) });
          for (const op of i.patchOperations ?? []) {
            if (op.path === '/apiStages') {
              const [apiId, stage] = String(op.value).split(':');
              if (op.op === 'add') p.apiStages.push({ apiId: apiId!, stage: stage! });
              else p.apiStages = p.apiStages.filter((s) => `${s.apiId}:${s.stage}` !== op.value);
            }
            const [, group, field] = op.path.split('/');
            if (group === 'throttle') (p.throttle as any)[field!] = Number(op.value);
            if (group === 'quota') (p.quota as any)[field!] = field === 'period' ? op.value : Number(op.value);
          }
          return {};
        },
        true,
      ],
      [
        apigw.DeleteUsagePlanCommand,
        (i) => {
          const p = this.usagePlans.get(i.usagePlanId);
          if (!p)
            throw new apigw.NotFoundException({ message: 'Invalid Usage Plan ID specified', $metadata: meta(404) });
          if (p.apiStages.length)
            throw new apigw.BadRequestException({
              message: 'Cannot delete Usage Plan because there are API Stages associated with it',
              $metadata: meta(400),
            });
          this.usagePlans.delete(i.usagePlanId);
          return {};
        },
        true,
      ],
      [
        apigw.GetUsagePlanKeysCommand,
        (i) => ({ items: (this.usagePlans.get(i.usagePlanId)?.keyIds ?? []).map((id) => ({ id, type: 'API_KEY' })) }),
        false,
      ],
      [
        apigw.CreateUsagePlanKeyCommand,
        (i) => {
          this.usagePlans.get(i.usagePlanId)!.keyIds.push(i.keyId);
          return { id: i.keyId };
        },
        true,
      ],
      [
        apigw.GetApiKeysCommand,
        (i) => ({
          items: [...this.apiKeys.values()]
            .filter((k) => !i.nameQuery || k.name.startsWith(i.nameQuery))
            .map((k) => ({ ...k })),
        }),
        false,
      ],
      [
        apigw.CreateApiKeyCommand,
        (i) => {
          const k = { id: this.id('key'), name: i.name };
          this.apiKeys.set(k.id, k);
          return k;
        },
        true,
      ],
      [
        apigw.DeleteApiKeyCommand,
        (i) => {
          if (!this.apiKeys.delete(i.apiKey))
            throw new apigw.NotFoundException({
              message: 'Invalid API Key identifier specified',
              $metadata: meta(404),
            });
          for (const p of this.usagePlans.values()) p.keyIds = p.keyIds.filter((k) => k !== i.apiKey);
          return {};
        },
        true,
      ],
    ];
  }

  /** Routes the three mocked clients' commands to this fake. */
  install(mocks: Pick<Mocks, 'lambda' | 'cognito' | 'apiGateway'> & Partial<Pick<Mocks, 'secretsManager'>>): this {
    const wire = (mock: Mocks['lambda'], handlers: [new (input: any) => unknown, Handler, boolean][]) => {
      for (const [Cmd, handler, mutating] of handlers) {
        mock
          .on(Cmd as never)
          .callsFake(async (input: unknown) => (mutating ? this.mutate(() => handler(input)) : handler(input)));
      }
    };
    wire(mocks.lambda, this.lambdaHandlers());
    wire(mocks.cognito, this.cognitoHandlers());
    wire(mocks.apiGateway, this.apiGatewayHandlers());
    if (mocks.secretsManager) wire(mocks.secretsManager, this.secrets.handlers());
    return this;
  }

  /** The state without generated ids, to compare two runs. */
  snapshot(): unknown {
    const fns = [...this.functions.values()].map((f) => ({
      ...f.config,
      statements: f.statements.length,
      tags: f.tags,
    }));
    const pools = [...this.pools.values()].map((p) => ({
      name: p.name,
      policy: p.policy,
      tags: p.tags,
      clients: p.clients.map((c) => ({ name: c.name, flows: c.flows, oauthFlows: c.oauthFlows })),
      resourceServers: [...p.resourceServers.entries()],
    }));
    const clientIds = new Set([...this.pools.values()].flatMap((p) => p.clients.map((c) => c.id)));
    const secrets = [...this.secrets.secrets.entries()].map(([name, secret]) => ({
      name,
      tags: Object.keys(secret.tags).sort(),
      // Which client it holds is a generated id: only whether that client exists.
      holdsLiveClient: clientIds.has(JSON.parse(secret.value).clientId),
    }));
    const apis = [...this.apis.values()].map((a) => ({
      name: a.name,
      tags: a.tags,
      paths: a.resources.map((r) => r.path).sort(),
      methods: [...a.methods.entries()]
        .map(([k, m]) => ({
          k,
          type: m.authorizationType,
          auth: Boolean(m.authorizerId),
          key: m.apiKeyRequired,
          scopes: m.authorizationScopes,
          integration: m.integration,
        }))
        .sort((x, y) => x.k.localeCompare(y.k)),
      authorizers: a.authorizers.map((x) => ({ name: x.name, providerARNs: x.providerARNs })),
      stages: [...a.stages.entries()].map(([name, st]) => ({
        name,
        tags: st.tags,
        methodSettings: st.methodSettings,
        accessLogSettings: st.accessLogSettings,
      })),
      deployedFingerprint: a.deployments.find((d) => d.id === [...a.stages.values()][0]?.deploymentId)?.description,
      gatewayResponses: Object.fromEntries(a.gatewayResponses ?? []),
    }));
    const plans = [...this.usagePlans.values()].map((p) => ({
      name: p.name,
      throttle: p.throttle,
      quota: p.quota,
      stages: p.apiStages.length,
      keys: p.keyIds.length,
    }));
    return {
      fns,
      pools,
      apis,
      plans,
      keys: [...this.apiKeys.values()].map((k) => k.name),
      domains: [...this.domains.keys()],
      secrets,
    };
  }
}
