// REST API `ms-<name>-<env>-api`: POST /predict (Cognito User Pools authorizer,
// plus API key when release.yaml asks; the key and usage plan are api-key.ts)
// and GET /health, both Lambda proxy integrations; deployed to a stage named after the env. The deployment's
// description carries a fingerprint of the routes, so a run interrupted after a
// method change but before the deployment still redeploys on the next run.
// The stage's default method settings carry release.yaml's api.throttle, with or
// without an API key (a usage plan only throttles callers that send a key).
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  GetAccountCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetAuthorizersCommand,
  GetDeploymentCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetStageCommand,
  paginateGetRestApis,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UpdateAuthorizerCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { AddPermissionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import type { DeployContext } from '../context.js';
import { hasErrorName, ifMissing, wrapAwsError } from '../aws/aws-error.js';
import type { AwsClients } from '../aws/clients.js';
import { collect } from '../aws/pages.js';
import { known } from '../known-after-apply.js';
import { shortHash } from '../naming.js';
import { hasTags } from '../tags.js';
import {
  applyCorsResponses,
  corsErrorOrigin,
  corsResponseChanges,
  observeCorsResponses,
  type CorsResponseChange,
  type CorsResponseType,
} from './api-gateway-responses.js';
import type { FieldDiff, KnownOutputs, ResourceModule, StatusReport } from './resource.js';
import { INVOKE_SCOPE } from './cognito-machine-client.js';
import { sameValue } from './diff.js';
import { duplicatesDiff, oldestFirst } from './same-name.js';

export const AUTHORIZER_NAME = 'cognito';

export interface Route {
  path: 'predict' | 'machine-predict' | 'health';
  method: 'POST' | 'GET' | 'OPTIONS';
  authorizationType: 'COGNITO_USER_POOLS' | 'NONE';
  apiKeyRequired: boolean;
  /** With scopes, API Gateway's Cognito authorizer takes only access tokens carrying one of them. */
  authorizationScopes?: readonly string[];
}

/**
 * The API's methods; the local chain's API Gateway stand-in authorizes by the same table. With
 * CORS origins, a browser's preflight (which carries no credentials) reaches the proxy, which
 * answers it for the allowed origins; without them there is no OPTIONS method at all.
 */
export function apiRoutes(apiKey: boolean, cors: boolean, machineScope?: string): Route[] {
  return [
    { path: 'predict', method: 'POST', authorizationType: 'COGNITO_USER_POOLS', apiKeyRequired: apiKey },
    // The same prediction for machine clients (CI's verify): an access token with the API's scope.
    // A second route because a method with scopes no longer takes the ID tokens people send.
    ...(machineScope
      ? [
          {
            path: 'machine-predict',
            method: 'POST',
            authorizationType: 'COGNITO_USER_POOLS',
            apiKeyRequired: apiKey,
            authorizationScopes: [machineScope],
          } as const,
        ]
      : []),
    ...(cors
      ? [{ path: 'predict', method: 'OPTIONS', authorizationType: 'NONE', apiKeyRequired: false } as const]
      : []),
    // Monitors and load balancers call it without credentials.
    { path: 'health', method: 'GET', authorizationType: 'NONE', apiKeyRequired: false },
  ];
}

export interface ApiGatewayDesired {
  apiName: string;
  stageName: string;
  region: string;
  accountId: string;
  lambdaArn: string;
  lambdaName: string;
  integrationUri: string;
  userPoolArn: string;
  routes: Route[];
  tags: Record<string, string>;
  /** Hash of everything a deployment snapshots (routes, auth, integration target). */
  fingerprint: string;
  permissionSid: string;
  /** The stage's default throttling (every method): release.yaml api.throttle. */
  throttle: StageThrottle;
  /** Access-Control-Allow-Origin on API Gateway's own 4xx/5xx; absent without CORS origins. */
  corsErrorOrigin?: string;
  /** The stage's access log: one JSON line per request (no body, no token), in its own log group. */
  accessLog: AccessLog;
}

export interface AccessLog {
  destinationArn: string;
  format: string;
}

/** $context fields only: who called (the token's sub, never the token), what, how it went. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  sub: '$context.authorizer.claims.sub',
  requestTime: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  path: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  error: '$context.error.responseType',
});

export interface StageThrottle {
  rateLimit: number;
  burstLimit: number;
}

/** The stage's method settings key for "every resource, every method". */
const ALL_METHODS = '*/*';

export interface ObservedMethod {
  authorizationType?: string;
  authorizerId?: string;
  apiKeyRequired?: boolean;
  authorizationScopes?: string[];
  integrationType?: string;
  integrationUri?: string;
}

export interface ApiGatewayObserved {
  api?: { id: string; rootId: string; tags: Record<string, string> };
  /** Other REST APIs of the same name (a raced or interrupted create), oldest first; `destroy` deletes them too. */
  duplicates?: string[];
  resources: Record<string, string>;
  methods: Record<string, ObservedMethod | undefined>;
  authorizer?: { id: string; providerARNs: string[] };
  permission: boolean;
  /** Allow-Origin of the gateway responses model-deploy sets (undefined: AWS's default). */
  corsResponses?: Partial<Record<CorsResponseType, string | undefined>>;
  stage?: {
    deploymentId?: string;
    fingerprint?: string;
    deployedAt?: string;
    /** The stage's own last change (a deployment or a settings update). */
    updatedAt?: string;
    tags: Record<string, string>;
    throttle?: Partial<StageThrottle>;
    accessLog?: Partial<AccessLog>;
  };
  /** Whether the account's API Gateway settings name a CloudWatch Logs role (access logs need one). */
  accountLogsRole?: boolean;
}

/** What `status` shows for the API: where it answers and when its stage last changed. */
export interface ApiGatewayStatus {
  name: string;
  exists: boolean;
  id?: string;
  /** Absent while the stage has no deployment. */
  url?: string;
  lastDeployment?: string;
}

function routeKey(r: Pick<Route, 'method' | 'path'>): string {
  return `${r.method} /${r.path}`;
}

export function apiUrl(apiId: string, region: string, stage: string): string {
  return `https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`;
}

function fingerprintLine(fingerprint: string): string {
  return `model-deploy ${fingerprint}`;
}

/** Every REST API named `name` (paginated), oldest first. */
export async function findApis(apiGateway: AwsClients['apiGateway'], name: string) {
  const pages = paginateGetRestApis({ client: apiGateway }, { limit: 500 });
  const apis = (await collect(pages, (page) => page.items)).filter((a) => a.name === name && a.id);
  const order = oldestFirst(apis.map((a) => ({ id: a.id!, created: a.createdDate })));
  return order.map((o) => apis.find((a) => a.id === o.id)!);
}

/** The REST API named `name` (the oldest, if a race made more); also how `verify` and `status` find it. */
export async function findApi(apiGateway: AwsClients['apiGateway'], name: string) {
  return (await findApis(apiGateway, name))[0];
}

async function hasPermission(ctx: DeployContext, d: ApiGatewayDesired): Promise<boolean> {
  const out = await ctx.clients.lambda
    .send(new GetPolicyCommand({ FunctionName: d.lambdaName }))
    .catch(ifMissing(undefined));
  if (!out?.Policy) return false;
  const policy = JSON.parse(out.Policy) as { Statement?: { Sid?: string }[] };
  return (policy.Statement ?? []).some((s) => s.Sid === d.permissionSid);
}

function sourceArn(d: ApiGatewayDesired, apiId: string): string {
  return `arn:aws:execute-api:${d.region}:${d.accountId}:${apiId}/*/*/*`;
}

interface Work {
  diffs: FieldDiff[];
  createApi: boolean;
  tagApi: boolean;
  resources: string[];
  authorizer: 'create' | 'update' | undefined;
  methods: { route: Route; put: boolean; patch: PatchOperation[]; integrate: boolean }[];
  permission: boolean;
  deploy: boolean;
  tagStage: boolean;
  /** UpdateStage patch for the stage's default throttling (empty: already right). */
  stageSettings: PatchOperation[];
  /** Gateway responses to put or reset; part of the deployment (the fingerprint has the origin). */
  corsResponses: CorsResponseChange[];
  /** UpdateStage patch for the access log (empty: already right, or the account cannot log). */
  accessLog: PatchOperation[];
}

/** Access logs need the account-wide CloudWatch Logs role of API Gateway (GetAccount). */
async function accountLogsRole(api: AwsClients['apiGateway']): Promise<boolean> {
  const account = await api.send(new GetAccountCommand({}));
  return Boolean(account?.cloudwatchRoleArn);
}

/** Everything that differs, as the pure basis of both plan and apply. */
export function work(d: ApiGatewayDesired, o: ApiGatewayObserved | undefined): Work {
  const obs: ApiGatewayObserved = o ?? { resources: {}, methods: {}, permission: false };
  const diffs: FieldDiff[] = [];
  const w: Work = {
    diffs,
    createApi: !obs.api,
    tagApi: false,
    resources: [],
    authorizer: undefined,
    methods: [],
    permission: false,
    deploy: false,
    tagStage: false,
    stageSettings: [],
    corsResponses: [],
    accessLog: [],
  };
  if (!obs.api) diffs.push({ field: 'restApi', from: undefined, to: d.apiName });
  else if (!hasTags(obs.api.tags, d.tags)) {
    w.tagApi = true;
    diffs.push({ field: 'tags', from: obs.api.tags, to: d.tags });
  }
  for (const route of d.routes) {
    // Two methods (POST, OPTIONS) can share one resource.
    if (!obs.resources[route.path] && !w.resources.includes(route.path)) {
      w.resources.push(route.path);
      diffs.push({ field: `resource /${route.path}`, from: undefined, to: `/${route.path}` });
    }
  }
  if (!obs.authorizer) {
    w.authorizer = 'create';
    diffs.push({ field: 'authorizer', from: undefined, to: d.userPoolArn });
  } else if (obs.authorizer.providerARNs.join(',') !== d.userPoolArn) {
    w.authorizer = 'update';
    diffs.push({ field: 'authorizer.providerARNs', from: obs.authorizer.providerARNs, to: [d.userPoolArn] });
  }
  for (const route of d.routes) {
    const key = routeKey(route);
    const m = obs.methods[key];
    const item = { route, put: !m, patch: [] as PatchOperation[], integrate: false };
    if (!m) diffs.push({ field: `method ${key}`, from: undefined, to: route.authorizationType });
    else {
      if (m.authorizationType !== route.authorizationType) {
        item.patch.push({ op: 'replace', path: '/authorizationType', value: route.authorizationType });
        diffs.push({
          field: `method ${key}.authorizationType`,
          from: m.authorizationType,
          to: route.authorizationType,
        });
      }
      // An authorizer that is still to be created has no id yet: the patch is filled in at apply time.
      const wantsAuthorizer = route.authorizationType === 'COGNITO_USER_POOLS';
      if (wantsAuthorizer && (!obs.authorizer || m.authorizerId !== obs.authorizer.id)) {
        item.patch.push({ op: 'replace', path: '/authorizerId', value: obs.authorizer?.id ?? '' });
        diffs.push({
          field: `method ${key}.authorizerId`,
          from: m.authorizerId,
          to: obs.authorizer?.id ?? '(new authorizer)',
        });
      }
      const want = [...(route.authorizationScopes ?? [])].sort();
      const has = [...(m.authorizationScopes ?? [])].sort();
      if (want.join(' ') !== has.join(' ')) {
        for (const scope of want.filter((x) => !has.includes(x)))
          item.patch.push({ op: 'add', path: '/authorizationScopes', value: scope });
        for (const scope of has.filter((x) => !want.includes(x)))
          item.patch.push({ op: 'remove', path: '/authorizationScopes', value: scope });
        diffs.push({ field: `method ${key}.authorizationScopes`, from: has, to: want });
      }
      if (Boolean(m.apiKeyRequired) !== route.apiKeyRequired) {
        item.patch.push({ op: 'replace', path: '/apiKeyRequired', value: String(route.apiKeyRequired) });
        diffs.push({
          field: `method ${key}.apiKeyRequired`,
          from: Boolean(m.apiKeyRequired),
          to: route.apiKeyRequired,
        });
      }
    }
    if (!m || m.integrationType !== 'AWS_PROXY' || m.integrationUri !== d.integrationUri) {
      item.integrate = true;
      diffs.push({ field: `integration ${key}`, from: m?.integrationUri, to: d.integrationUri });
    }
    if (item.put || item.patch.length || item.integrate) w.methods.push(item);
  }
  w.corsResponses = corsResponseChanges(d.corsErrorOrigin, obs.corsResponses ?? {}, diffs);
  if (!obs.permission) {
    w.permission = true;
    diffs.push({ field: 'lambdaPermission', from: undefined, to: d.permissionSid });
  }
  if (!obs.stage || obs.stage.fingerprint !== d.fingerprint || diffs.length > 0) {
    w.deploy = true;
    diffs.push({ field: `deployment ${d.stageName}`, from: obs.stage?.fingerprint, to: d.fingerprint });
  }
  // The stage is what API Gateway bills requests to: it carries the cost allocation tags too.
  // A deployment creates the stage untagged, so a new stage is tagged right after it.
  // (After the deploy check: a tag change alone must not redeploy.)
  if (!obs.stage || !hasTags(obs.stage.tags, d.tags)) {
    w.tagStage = true;
    if (obs.stage) diffs.push({ field: `stage ${d.stageName}.tags`, from: obs.stage.tags, to: d.tags });
  }
  // Method settings are stage settings, not part of a deployment: a change updates the stage only.
  const has = obs.stage?.throttle;
  if (has?.rateLimit !== d.throttle.rateLimit)
    w.stageSettings.push({
      op: 'replace',
      path: `/${ALL_METHODS}/throttling/rateLimit`,
      value: String(d.throttle.rateLimit),
    });
  if (has?.burstLimit !== d.throttle.burstLimit)
    w.stageSettings.push({
      op: 'replace',
      path: `/${ALL_METHODS}/throttling/burstLimit`,
      value: String(d.throttle.burstLimit),
    });
  if (w.stageSettings.length) diffs.push({ field: `stage ${d.stageName}.throttle`, from: has, to: { ...d.throttle } });
  // Without the account's CloudWatch role API Gateway refuses to log: apply warns, plan stays quiet.
  const logged = obs.stage?.accessLog;
  if (obs.accountLogsRole !== false && !sameValue(logged, d.accessLog)) {
    w.accessLog.push(
      { op: 'replace', path: '/accessLogSettings/destinationArn', value: d.accessLog.destinationArn },
      { op: 'replace', path: '/accessLogSettings/format', value: d.accessLog.format },
    );
    diffs.push({
      field: `stage ${d.stageName}.accessLog`,
      from: logged?.destinationArn,
      to: d.accessLog.destinationArn,
    });
  }
  // Reported, not changed by up (last: it must not trigger a redeploy).
  if (obs.api && obs.duplicates?.length) diffs.push(duplicatesDiff(obs.api.id, obs.duplicates));
  return w;
}

export const apiGatewayResource: ResourceModule<ApiGatewayDesired, ApiGatewayObserved> &
  KnownOutputs<ApiGatewayDesired, ApiGatewayObserved> &
  StatusReport<ApiGatewayDesired, ApiGatewayObserved, ApiGatewayStatus> = {
  kind: 'api-gateway',

  status(d, o) {
    if (!o?.api) return { name: d.apiName, exists: false };
    const url = o.stage ? apiUrl(o.api.id, d.region, d.stageName) : undefined;
    return { name: d.apiName, exists: true, id: o.api.id, url, lastDeployment: o.stage?.updatedAt };
  },

  desired(ctx, upstream) {
    const { names, release, region } = ctx;
    // The function ARN is deterministic; the user pool ARN is not (its id is AWS-made).
    const lambdaArn = known(upstream.lambdaFunctionArn) ?? ctx.arns.lambda;
    const userPoolArn = upstream.userPoolArn ?? '';
    const integrationUri = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambdaArn}/invocations`;
    const routes = apiRoutes(
      release.api.apiKey,
      release.api.cors.allowOrigins.length > 0,
      `${names.apiResourceServer}/${INVOKE_SCOPE}`,
    );
    const corsOrigin = corsErrorOrigin(release.api.cors.allowOrigins);
    return {
      apiName: names.api,
      stageName: names.stage,
      region,
      accountId: ctx.account.accountId,
      lambdaArn,
      lambdaName: names.lambda,
      integrationUri,
      userPoolArn,
      routes,
      tags: { ...ctx.tags },
      // The gateway responses are deployed with the stage: a changed origin is a new deployment.
      fingerprint: shortHash({ routes, integrationUri, userPoolArn, ...(corsOrigin ? { corsOrigin } : {}) }, 12),
      permissionSid: `model-service-apigw-${names.stage}`,
      throttle: { rateLimit: release.api.throttle.rateLimit, burstLimit: release.api.throttle.burstLimit },
      ...(corsOrigin ? { corsErrorOrigin: corsOrigin } : {}),
      accessLog: {
        destinationArn: `arn:${ctx.account.partition}:logs:${region}:${ctx.account.accountId}:log-group:${names.apiAccessLogGroup}`,
        format: ACCESS_LOG_FORMAT,
      },
    };
  },

  async observe(ctx, d) {
    const api = ctx.clients.apiGateway;
    const o: ApiGatewayObserved = { resources: {}, methods: {}, permission: false };
    const [found, ...others] = await findApis(ctx.clients.apiGateway, d.apiName);
    if (others.length) o.duplicates = others.map((a) => a.id!);
    if (found?.id) {
      const apiId = found.id;
      const res = await api.send(new GetResourcesCommand({ restApiId: apiId, limit: 500 }));
      const root = res.items?.find((r) => r.path === '/');
      o.api = { id: apiId, rootId: root?.id ?? '', tags: { ...(found.tags ?? {}) } };
      for (const route of d.routes) {
        const id = res.items?.find((r) => r.path === `/${route.path}`)?.id;
        if (!id) continue;
        o.resources[route.path] = id;
        const m = await api
          .send(new GetMethodCommand({ restApiId: apiId, resourceId: id, httpMethod: route.method }))
          .catch(ifMissing(undefined));
        o.methods[routeKey(route)] = m && {
          authorizationType: m.authorizationType,
          authorizerId: m.authorizerId,
          apiKeyRequired: m.apiKeyRequired,
          authorizationScopes: m.authorizationScopes,
          integrationType: m.methodIntegration?.type,
          integrationUri: m.methodIntegration?.uri,
        };
      }
      const auths = await api.send(new GetAuthorizersCommand({ restApiId: apiId, limit: 500 }));
      const auth = auths.items?.find((a) => a.name === AUTHORIZER_NAME);
      if (auth?.id) o.authorizer = { id: auth.id, providerARNs: [...(auth.providerARNs ?? [])] };
      const stage = await api
        .send(new GetStageCommand({ restApiId: apiId, stageName: d.stageName }))
        .catch(ifMissing(undefined));
      if (stage?.deploymentId) {
        const dep = await api
          .send(new GetDeploymentCommand({ restApiId: apiId, deploymentId: stage.deploymentId }))
          .catch(ifMissing(undefined));
        const fp = /^model-deploy (\S+)/.exec(dep?.description ?? '')?.[1];
        const all = stage.methodSettings?.[ALL_METHODS];
        o.stage = {
          deploymentId: stage.deploymentId,
          fingerprint: fp,
          deployedAt: dep?.createdDate?.toISOString(),
          updatedAt: (stage.lastUpdatedDate ?? stage.createdDate)?.toISOString(),
          tags: { ...(stage.tags ?? {}) },
          ...(all ? { throttle: { rateLimit: all.throttlingRateLimit, burstLimit: all.throttlingBurstLimit } } : {}),
          ...(stage.accessLogSettings?.destinationArn
            ? {
                accessLog: {
                  destinationArn: stage.accessLogSettings.destinationArn,
                  format: stage.accessLogSettings.format,
                },
              }
            : {}),
        };
      }
      o.permission = await hasPermission(ctx, d);
      o.corsResponses = await observeCorsResponses(api, apiId);
      o.accountLogsRole = await accountLogsRole(api);
    }
    return o.api ? o : undefined;
  },

  plan(d, o) {
    const w = work(d, o);
    const action = !o?.api ? 'create' : w.diffs.length ? 'update' : 'no-change';
    return { kind: 'api-gateway', name: d.apiName, action, diffs: w.diffs };
  },

  knownOutputs(d, o) {
    // The API id survives updates.
    if (!o?.api) return undefined;
    return { restApiId: o.api.id, apiUrl: apiUrl(o.api.id, d.region, d.stageName) };
  },

  async apply(ctx, change, d, observed) {
    const api = ctx.clients.apiGateway;
    const o: ApiGatewayObserved = observed ?? { resources: {}, methods: {}, permission: false };
    const w = work(d, o);
    const outputs = (apiId: string): Record<string, string> => ({
      restApiId: apiId,
      apiUrl: apiUrl(apiId, d.region, d.stageName),
    });
    if (change.action === 'no-change' && o.api) return outputs(o.api.id);
    if (o.api && o.duplicates?.length)
      ctx.log.warn(
        `REST API ${d.apiName} exists ${o.duplicates.length + 1} times; using ${o.api.id}, the oldest, and leaving ${o.duplicates.join(', ')} (callers may use them): \`model-deploy destroy\` deletes all of them`,
      );

    let apiId = o.api?.id;
    let rootId = o.api?.rootId;
    if (w.createApi) {
      const out = await api.send(
        new CreateRestApiCommand({
          name: d.apiName,
          endpointConfiguration: { types: ['REGIONAL'] },
          apiKeySource: 'HEADER',
          tags: d.tags,
          description: 'model-service prediction API',
        }),
      );
      apiId = out.id;
      rootId = out.rootResourceId;
      // Another run created one of this name too: the older one wins in both runs, so the newer
      // (ours, still empty) goes and the run continues on the older one.
      const oldest = (await findApi(api, d.apiName))?.id;
      if (apiId && oldest && oldest !== apiId) {
        ctx.log.warn(
          `another run created REST API ${d.apiName} (${oldest}) at the same time: using it, deleting ${apiId}`,
        );
        await api.send(new DeleteRestApiCommand({ restApiId: apiId })).catch(ifMissing(undefined));
        const adopted = await apiGatewayResource.observe(ctx, d);
        return apiGatewayResource.apply(ctx, apiGatewayResource.plan(d, adopted), d, adopted);
      }
    } else if (w.tagApi && apiId) {
      await api.send(
        new TagResourceCommand({ resourceArn: `arn:aws:apigateway:${d.region}::/restapis/${apiId}`, tags: d.tags }),
      );
    }
    if (!apiId || !rootId)
      throw wrapAwsError(new Error('AWS returned no API id'), { action: 'CreateRestApi', resource: d.apiName });

    const resourceIds = { ...o.resources };
    for (const path of w.resources) {
      const out = await api.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: path }));
      resourceIds[path] = out.id ?? '';
    }

    let authorizerId = o.authorizer?.id;
    if (w.authorizer === 'create') {
      const out = await api.send(
        new CreateAuthorizerCommand({
          restApiId: apiId,
          name: AUTHORIZER_NAME,
          type: 'COGNITO_USER_POOLS',
          providerARNs: [d.userPoolArn],
          identitySource: 'method.request.header.Authorization',
        }),
      );
      authorizerId = out.id;
    } else if (w.authorizer === 'update' && authorizerId) {
      // Patch paths escape "/" in the ARN as "~1" (JSON Pointer).
      const esc = (arn: string) => arn.replace(/~/g, '~0').replace(/\//g, '~1');
      const patch: PatchOperation[] = [
        { op: 'add', path: `/providerARNs/${esc(d.userPoolArn)}` },
        ...(o.authorizer?.providerARNs ?? []).map((arn): PatchOperation => ({
          op: 'remove',
          path: `/providerARNs/${esc(arn)}`,
        })),
      ];
      await api.send(new UpdateAuthorizerCommand({ restApiId: apiId, authorizerId, patchOperations: patch }));
    }

    for (const item of w.methods) {
      const { route } = item;
      const resourceId = resourceIds[route.path] ?? '';
      const cognito = route.authorizationType === 'COGNITO_USER_POOLS';
      if (item.put) {
        await api.send(
          new PutMethodCommand({
            restApiId: apiId,
            resourceId,
            httpMethod: route.method,
            authorizationType: route.authorizationType,
            authorizerId: cognito ? authorizerId : undefined,
            apiKeyRequired: route.apiKeyRequired,
            ...(route.authorizationScopes ? { authorizationScopes: [...route.authorizationScopes] } : {}),
          }),
        );
      } else if (item.patch.length) {
        const patch = item.patch.map((p) => (p.path === '/authorizerId' ? { ...p, value: authorizerId } : p));
        await api.send(
          new UpdateMethodCommand({ restApiId: apiId, resourceId, httpMethod: route.method, patchOperations: patch }),
        );
      }
      if (item.integrate) {
        await api.send(
          new PutIntegrationCommand({
            restApiId: apiId,
            resourceId,
            httpMethod: route.method,
            type: 'AWS_PROXY',
            integrationHttpMethod: 'POST',
            uri: d.integrationUri,
          }),
        );
      }
    }

    if (w.permission || w.createApi) {
      await ctx.clients.lambda
        .send(
          new AddPermissionCommand({
            FunctionName: d.lambdaName,
            StatementId: d.permissionSid,
            Action: 'lambda:InvokeFunction',
            Principal: 'apigateway.amazonaws.com',
            SourceArn: sourceArn(d, apiId),
          }),
        )
        .catch((err: unknown) => {
          // Same statement id already there (a previous run got this far): nothing to do.
          if (!hasErrorName(err, 'ResourceConflictException')) throw err;
        });
    }

    await applyCorsResponses(api, apiId!, w.corsResponses);

    if (w.deploy || w.createApi) {
      await api.send(
        new CreateDeploymentCommand({
          restApiId: apiId,
          stageName: d.stageName,
          description: fingerprintLine(d.fingerprint),
        }),
      );
    }
    if (w.tagStage || w.createApi) {
      await api.send(
        new TagResourceCommand({
          resourceArn: `arn:aws:apigateway:${d.region}::/restapis/${apiId}/stages/${d.stageName}`,
          tags: d.tags,
        }),
      );
    }
    // Without the account's CloudWatch role API Gateway refuses the whole UpdateStage: log only with one.
    const canLog = w.accessLog.length > 0 && (o.accountLogsRole ?? (await accountLogsRole(api)));
    if (w.accessLog.length && !canLog) {
      ctx.log.warn(
        `the API's access log is off: this account's API Gateway settings in ${d.region} name no CloudWatch Logs role (set one once per account and region: docs/operations.md, "API access logs"), then run up again`,
      );
    }
    // After the deployment: a new stage exists only once the first deployment made it.
    const stagePatch = [...w.stageSettings, ...(canLog ? w.accessLog : [])];
    if (stagePatch.length) {
      await api.send(new UpdateStageCommand({ restApiId: apiId, stageName: d.stageName, patchOperations: stagePatch }));
    }

    return outputs(apiId);
  },

  async destroy(ctx, d) {
    // Every API of the name, not only the one up uses: a raced create leaves no live, billable leftover.
    for (const found of await findApis(ctx.clients.apiGateway, d.apiName)) {
      await ctx.clients.apiGateway.send(new DeleteRestApiCommand({ restApiId: found.id! })).catch(ifMissing(undefined));
    }
  },
};
