// The Lambda proxy function `ms-<name>-<env>-proxy`: API Gateway -> this function
// -> SageMaker Runtime InvokeEndpoint. Code is compared by CodeSha256 (the bundle
// is byte-deterministic), configuration field by field; unchanged = no call.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import type { DeployContext } from '../context.js';
import { awsFail, hasErrorName, ifMissing } from '../aws/aws-error.js';
import type { LambdaBundle } from '../lambda-bundle.js';
import { known } from '../known-after-apply.js';
import { PROXY_ENV } from '../lambda-proxy/config.js';
import type { FieldDiff, KnownOutputs, PlannedChange, ResourceModule, StatusReport } from './resource.js';
import { sameValue } from './diff.js';
import { lambdaVpcConfig, observedVpcIds, vpcIds, vpcOf, type VpcIds } from './vpc.js';

export const LAMBDA_RUNTIME = 'nodejs22.x';

export interface LambdaProxyDesired {
  functionName: string;
  roleArn: string;
  runtime: string;
  handler: string;
  memorySize: number;
  /** Seconds; below API Gateway's 29 s integration limit so the proxy answers first. */
  timeout: number;
  environment: Record<string, string>;
  tags: Record<string, string>;
  codeSha256: string;
  /** release.yaml vpc (the function gets ENIs in these subnets); absent = no VPC. */
  vpc?: VpcIds;
  /** release.yaml api.reservedConcurrency; absent = none reserved. */
  reservedConcurrency?: number;
}

export interface LambdaProxyObserved {
  arn: string;
  roleArn?: string;
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  environment: Record<string, string>;
  tags: Record<string, string>;
  codeSha256?: string;
  vpc?: VpcIds;
  reservedConcurrency?: number;
  state?: string;
  lastUpdateStatus?: string;
  lastModified?: string;
}

/** What `status` shows for the proxy function. */
export interface LambdaProxyStatus {
  name: string;
  exists: boolean;
  state?: string;
  lastUpdateStatus?: string;
  lastModified?: string;
  /** Absent: not in a VPC. */
  vpc?: VpcIds;
}

export interface LambdaProxyOptions {
  /** Built once per command (esbuild + zip); its sha256 decides whether code is uploaded. */
  bundle: LambdaBundle;
  /** Max seconds to wait for Active/Updated. */
  maxWaitSeconds?: number;
  /** Tries of CreateFunction while a fresh IAM role is not yet assumable by Lambda. */
  rolePropagationAttempts?: number;
  /** JSON fallback rules for the handler (MS_FALLBACK_RULES), when the project has them. */
  fallbackRules?: string;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The variables the handler reads (names from src/lambda-proxy/config.ts). Only
 * non-empty values are set, so an unchanged release.yaml gives an identical map.
 */
export function proxyEnvironment(
  ctx: DeployContext,
  endpointName: string,
  fallbackRules?: string,
): Record<string, string> {
  const vars: Record<string, string> = { [PROXY_ENV.endpointName]: endpointName };
  const origins = ctx.release.api.cors.allowOrigins;
  if (origins.length > 0) vars[PROXY_ENV.corsAllowOrigins] = JSON.stringify(origins);
  if (fallbackRules) vars[PROXY_ENV.fallbackRules] = fallbackRules;
  return vars;
}

function observedFrom(
  config: FunctionConfiguration,
  tags: Record<string, string> | undefined,
  reservedConcurrency: number | undefined,
): LambdaProxyObserved {
  return {
    arn: config.FunctionArn ?? '',
    roleArn: config.Role,
    runtime: config.Runtime,
    handler: config.Handler,
    memorySize: config.MemorySize,
    timeout: config.Timeout,
    environment: { ...(config.Environment?.Variables ?? {}) },
    tags: { ...(tags ?? {}) },
    codeSha256: config.CodeSha256,
    ...vpcField(observedVpcIds(config.VpcConfig?.SubnetIds, config.VpcConfig?.SecurityGroupIds)),
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    state: config.State,
    lastUpdateStatus: config.LastUpdateStatus,
    lastModified: config.LastModified,
  };
}

const vpcField = (vpc: VpcIds | undefined): { vpc?: VpcIds } => (vpc ? { vpc } : {});

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Tags present in desired but missing/different in AWS (extra AWS tags are left alone). */
function missingTags(desired: Record<string, string>, actual: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => actual[k] !== v));
}

function configDiffs(d: LambdaProxyDesired, o: LambdaProxyObserved): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const scalar = (field: string, from: unknown, to: unknown) => {
    if (from !== to) diffs.push({ field, from, to });
  };
  scalar('role', o.roleArn, d.roleArn);
  scalar('runtime', o.runtime, d.runtime);
  scalar('handler', o.handler, d.handler);
  scalar('memorySize', o.memorySize, d.memorySize);
  scalar('timeout', o.timeout, d.timeout);
  if (!sameMap(o.environment, d.environment))
    diffs.push({ field: 'environment', from: o.environment, to: d.environment });
  if (!sameValue(o.vpc, d.vpc)) diffs.push({ field: 'vpc', from: o.vpc, to: d.vpc });
  return diffs;
}

/** Puts release.yaml's reservation, or releases one it no longer asks for. */
async function reserveConcurrency(ctx: DeployContext, d: LambdaProxyDesired, has: number | undefined): Promise<void> {
  if (d.reservedConcurrency === has) return;
  if (d.reservedConcurrency === undefined) {
    await ctx.clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: d.functionName }));
    return;
  }
  await ctx.clients.lambda.send(
    new PutFunctionConcurrencyCommand({
      FunctionName: d.functionName,
      ReservedConcurrentExecutions: d.reservedConcurrency,
    }),
  );
}

export type LambdaProxyResource = ResourceModule<LambdaProxyDesired, LambdaProxyObserved> &
  KnownOutputs<LambdaProxyDesired, LambdaProxyObserved> &
  StatusReport<LambdaProxyDesired, LambdaProxyObserved, LambdaProxyStatus>;

export function createLambdaProxyResource(options: LambdaProxyOptions): LambdaProxyResource {
  const maxWaitTime = options.maxWaitSeconds ?? 300;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const roleTries = options.rolePropagationAttempts ?? 6;

  async function waitUpdated(ctx: DeployContext, name: string): Promise<void> {
    await waitUntilFunctionUpdatedV2({ client: ctx.clients.lambda, maxWaitTime }, { FunctionName: name }).catch(
      awsFail('wait for function update', name),
    );
  }

  // A role created seconds ago is often not yet assumable by Lambda: AWS answers
  // InvalidParameterValueException "cannot be assumed"; retry a bounded number of times.
  async function createFunction(ctx: DeployContext, d: LambdaProxyDesired): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const out = await ctx.clients.lambda.send(
          new CreateFunctionCommand({
            FunctionName: d.functionName,
            Role: d.roleArn,
            Runtime: d.runtime as never,
            Handler: d.handler,
            MemorySize: d.memorySize,
            Timeout: d.timeout,
            Code: { ZipFile: options.bundle.zip },
            Environment: { Variables: d.environment },
            ...(d.vpc ? { VpcConfig: lambdaVpcConfig(d.vpc) } : {}),
            Architectures: ['x86_64'],
            Description: 'model-service proxy: API Gateway -> SageMaker endpoint',
            Tags: d.tags,
          }),
        );
        return out.FunctionArn ?? '';
      } catch (err) {
        // Also a VPC function whose role just got its ENI permissions ("...permissions to call CreateNetworkInterface on EC2").
        const propagating =
          hasErrorName(err, 'InvalidParameterValueException') &&
          /assume|CreateNetworkInterface/i.test((err as Error).message);
        if (!propagating || attempt >= roleTries) throw err;
        await sleep(2000 * attempt);
      }
    }
  }

  return {
    kind: 'lambda-function',

    status(d, o) {
      if (!o) return { name: d.functionName, exists: false };
      const lastModified = o.lastModified && new Date(o.lastModified).toISOString();
      const { state, lastUpdateStatus, vpc } = o;
      return { name: d.functionName, exists: true, state, lastUpdateStatus, lastModified, vpc };
    },

    desired(ctx, upstream) {
      return {
        functionName: ctx.names.lambda,
        roleArn: known(upstream.lambdaRoleArn) ?? ctx.release.iam?.lambdaRoleArn ?? ctx.arns.lambdaRole,
        runtime: LAMBDA_RUNTIME,
        handler: options.bundle.handler,
        memorySize: 256,
        timeout: 28,
        // The endpoint name is deterministic: known even while the endpoint is being updated.
        environment: proxyEnvironment(ctx, known(upstream.endpointName) ?? ctx.names.endpoint, options.fallbackRules),
        tags: { ...ctx.tags },
        codeSha256: options.bundle.sha256,
        ...vpcField(vpcIds(vpcOf(ctx.release, ctx.envName))),
        ...(ctx.release.api.reservedConcurrency === undefined
          ? {}
          : { reservedConcurrency: ctx.release.api.reservedConcurrency }),
      };
    },

    async observe(ctx, d) {
      const out = await ctx.clients.lambda
        .send(new GetFunctionCommand({ FunctionName: d.functionName }))
        .catch(ifMissing(undefined));
      if (!out?.Configuration) return undefined;
      // GetFunction answers the reservation too: no extra call (or permission) to read it.
      return observedFrom(out.Configuration, out.Tags, out.Concurrency?.ReservedConcurrentExecutions);
    },

    plan(d, o) {
      const base = { kind: 'lambda-function', name: d.functionName };
      if (!o) {
        return { ...base, action: 'create', diffs: [{ field: 'function', from: undefined, to: d.functionName }] };
      }
      const diffs = configDiffs(d, o);
      if (o.codeSha256 !== d.codeSha256) diffs.push({ field: 'codeSha256', from: o.codeSha256, to: d.codeSha256 });
      if (o.reservedConcurrency !== d.reservedConcurrency)
        diffs.push({ field: 'reservedConcurrency', from: o.reservedConcurrency, to: d.reservedConcurrency });
      const tags = missingTags(d.tags, o.tags);
      if (Object.keys(tags).length > 0) diffs.push({ field: 'tags', from: o.tags, to: d.tags });
      return { ...base, action: diffs.length ? 'update' : 'no-change', diffs };
    },

    knownOutputs(d, o) {
      // An update keeps the function's ARN.
      return o ? { lambdaFunctionArn: o.arn, lambdaFunctionName: d.functionName } : undefined;
    },

    async apply(ctx, change: PlannedChange, d, o) {
      if (change.action === 'no-change' && o) return { lambdaFunctionArn: o.arn, lambdaFunctionName: d.functionName };
      if (!o) {
        const arn = await createFunction(ctx, d);
        await waitUntilFunctionActiveV2(
          { client: ctx.clients.lambda, maxWaitTime },
          { FunctionName: d.functionName },
        ).catch(awsFail('wait for function active', d.functionName));
        await reserveConcurrency(ctx, d, undefined);
        return { lambdaFunctionArn: arn, lambdaFunctionName: d.functionName };
      }
      // A previous run may have left an update in progress: a second update would conflict.
      if (o.lastUpdateStatus === 'InProgress') await waitUpdated(ctx, d.functionName);
      if (o.codeSha256 !== d.codeSha256) {
        await ctx.clients.lambda.send(
          new UpdateFunctionCodeCommand({ FunctionName: d.functionName, ZipFile: options.bundle.zip }),
        );
        await waitUpdated(ctx, d.functionName);
      }
      if (configDiffs(d, o).length > 0) {
        await ctx.clients.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: d.functionName,
            Role: d.roleArn,
            Runtime: d.runtime as never,
            Handler: d.handler,
            MemorySize: d.memorySize,
            Timeout: d.timeout,
            Environment: { Variables: d.environment },
            // Sent only when a VPC is involved; empty lists detach the function from one.
            ...(d.vpc || o.vpc ? { VpcConfig: lambdaVpcConfig(d.vpc) } : {}),
          }),
        );
        await waitUpdated(ctx, d.functionName);
      }
      const tags = missingTags(d.tags, o.tags);
      if (Object.keys(tags).length > 0) {
        await ctx.clients.lambda.send(new TagResourceCommand({ Resource: o.arn, Tags: tags }));
      }
      await reserveConcurrency(ctx, d, o.reservedConcurrency);
      return { lambdaFunctionArn: o.arn, lambdaFunctionName: d.functionName };
    },

    async destroy(ctx, d) {
      await ctx.clients.lambda
        .send(new DeleteFunctionCommand({ FunctionName: d.functionName }))
        .catch(ifMissing(undefined));
    },
  };
}

/**
 * The proxy module as `status` uses it: desired (for the name), observe, status. Status never
 * plans or applies, so the code bundle is not needed (no esbuild run on a read-only command).
 */
export const lambdaProxyForStatus: StatusReport<LambdaProxyDesired, LambdaProxyObserved, LambdaProxyStatus> &
  Pick<LambdaProxyResource, 'desired' | 'observe'> = createLambdaProxyResource({
  bundle: { zip: new Uint8Array(), sha256: '', handler: '', entry: '' },
});
