// `model-deploy status <env>`: what exists for the env and in which state, from
// read calls only: endpoint state + image digest + instances, autoscaling
// bounds, the Lambda proxy, the API stage's last deployment, the user pool.
import { GetRestApisCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { Command } from 'commander';
import { awsFail, notFoundAs } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { apiUrl } from '../resources/api-gateway.js';
import { openSession, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface EnvironmentStatus {
  env: string;
  region: string;
  ecrRepository: { name: string; exists: boolean; uri?: string };
  endpoint: {
    name: string;
    exists: boolean;
    status?: string;
    failureReason?: string;
    endpointConfig?: string;
    lastModified?: string;
    instanceType?: string;
    instanceCount?: number;
    image?: string;
    imageDigest?: string;
    modelName?: string;
  };
  autoscaling: { enabled: boolean; minCapacity?: number; maxCapacity?: number };
  lambda: { name: string; exists: boolean; state?: string; lastUpdateStatus?: string; lastModified?: string };
  api: { name: string; exists: boolean; id?: string; url?: string; lastDeployment?: string };
  userPool: { name: string; exists: boolean; id?: string };
}

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

async function endpointStatus(ctx: DeployContext): Promise<EnvironmentStatus['endpoint']> {
  const sm = ctx.clients.sagemaker;
  const name = ctx.names.endpoint;
  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name })).catch(notFoundAs(undefined, 'DescribeEndpoint', name));
  if (!ep) return { name, exists: false };
  const variant = ep.ProductionVariants?.[0];
  const deployed = variant?.DeployedImages?.[0];
  const result: EnvironmentStatus['endpoint'] = {
    name,
    exists: true,
    status: ep.EndpointStatus,
    failureReason: ep.FailureReason,
    endpointConfig: ep.EndpointConfigName,
    lastModified: iso(ep.LastModifiedTime),
    instanceCount: variant?.CurrentInstanceCount,
    image: deployed?.SpecifiedImage,
    imageDigest: deployed?.ResolvedImage?.split('@')[1],
  };
  if (ep.EndpointConfigName) {
    const cfg = await sm
      .send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }))
      .catch(notFoundAs(undefined, 'DescribeEndpointConfig', ep.EndpointConfigName));
    const v = cfg?.ProductionVariants?.[0];
    result.instanceType = v?.InstanceType;
    result.instanceCount ??= v?.InitialInstanceCount;
    result.modelName = v?.ModelName;
  }
  if (!result.image && result.modelName) {
    const model = await sm.send(new DescribeModelCommand({ ModelName: result.modelName })).catch(notFoundAs(undefined, 'DescribeModel', result.modelName));
    result.image = model?.PrimaryContainer?.Image;
    result.imageDigest ??= result.image?.split('@')[1];
  }
  return result;
}

async function autoscalingStatus(ctx: DeployContext): Promise<EnvironmentStatus['autoscaling']> {
  const out = await ctx.clients.autoScaling
    .send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', ResourceIds: [ctx.names.scalableResourceId], ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' }))
    .catch(awsFail('DescribeScalableTargets', ctx.names.scalableResourceId));
  const target = out.ScalableTargets?.[0];
  return target ? { enabled: true, minCapacity: target.MinCapacity, maxCapacity: target.MaxCapacity } : { enabled: false };
}

async function lambdaStatus(ctx: DeployContext): Promise<EnvironmentStatus['lambda']> {
  const name = ctx.names.lambda;
  const fn = await ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: name })).catch(notFoundAs(undefined, 'GetFunction', name));
  const c = fn?.Configuration;
  return c ? { name, exists: true, state: c.State, lastUpdateStatus: c.LastUpdateStatus, lastModified: iso(c.LastModified) } : { name, exists: false };
}

async function apiStatus(ctx: DeployContext): Promise<EnvironmentStatus['api']> {
  const name = ctx.names.api;
  const apis = await ctx.clients.apiGateway.send(new GetRestApisCommand({ limit: 500 })).catch(awsFail('GetRestApis', name));
  const api = apis.items?.find((a) => a.name === name);
  if (!api?.id) return { name, exists: false };
  const stage = await ctx.clients.apiGateway
    .send(new GetStageCommand({ restApiId: api.id, stageName: ctx.names.stage }))
    .catch(notFoundAs(undefined, 'GetStage', `${name}/${ctx.names.stage}`));
  return {
    name,
    exists: true,
    id: api.id,
    url: stage ? apiUrl(api.id, ctx.region, ctx.names.stage) : undefined,
    lastDeployment: iso(stage?.lastUpdatedDate ?? stage?.createdDate),
  };
}

async function userPoolStatus(ctx: DeployContext): Promise<EnvironmentStatus['userPool']> {
  const name = ctx.names.userPool;
  const pools = await ctx.clients.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 })).catch(awsFail('ListUserPools', name));
  const pool = pools.UserPools?.find((p) => p.Name === name);
  return pool?.Id ? { name, exists: true, id: pool.Id } : { name, exists: false };
}

async function repositoryStatus(ctx: DeployContext): Promise<EnvironmentStatus['ecrRepository']> {
  const name = ctx.names.ecrRepository;
  const out = await ctx.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })).catch(notFoundAs(undefined, 'DescribeRepositories', name));
  const repo = out?.repositories?.[0];
  return repo ? { name, exists: true, uri: repo.repositoryUri } : { name, exists: false };
}

export async function collectStatus(ctx: DeployContext): Promise<EnvironmentStatus> {
  return {
    env: ctx.envName,
    region: ctx.region,
    ecrRepository: await repositoryStatus(ctx),
    endpoint: await endpointStatus(ctx),
    autoscaling: await autoscalingStatus(ctx),
    lambda: await lambdaStatus(ctx),
    api: await apiStatus(ctx),
    userPool: await userPoolStatus(ctx),
  };
}

export function renderStatus(model: string, s: EnvironmentStatus): string {
  const missing = 'not found';
  const e = s.endpoint;
  const lines = [`${model}/${s.env} in ${s.region}`];
  lines.push(`  ecr repository   ${s.ecrRepository.name}  ${s.ecrRepository.exists ? 'exists' : missing}`);
  if (!e.exists) lines.push(`  endpoint         ${e.name}  ${missing}`);
  else {
    lines.push(`  endpoint         ${e.name}  ${e.status ?? '?'}${e.lastModified ? `  (last change ${e.lastModified})` : ''}`);
    if (e.failureReason) lines.push(`    failure        ${e.failureReason}`);
    lines.push(`    config         ${e.endpointConfig ?? '?'}  ${e.instanceType ?? '?'} x ${e.instanceCount ?? '?'}`);
    lines.push(`    image          ${e.image ?? '?'}`);
    if (e.imageDigest) lines.push(`    digest         ${e.imageDigest}`);
  }
  const a = s.autoscaling;
  lines.push(`  autoscaling      ${a.enabled ? `min ${a.minCapacity} / max ${a.maxCapacity}` : 'off'}`);
  const l = s.lambda;
  lines.push(`  lambda           ${l.name}  ${l.exists ? `${l.state ?? '?'} (${l.lastUpdateStatus ?? '?'}, last change ${l.lastModified ?? '?'})` : missing}`);
  const p = s.api;
  lines.push(`  api              ${p.name}  ${p.exists ? `${p.url ?? 'not deployed'}${p.lastDeployment ? `  (last deployment ${p.lastDeployment})` : ''}` : missing}`);
  lines.push(`  user pool        ${s.userPool.name}  ${s.userPool.exists ? s.userPool.id : missing}`);
  return `${lines.join('\n')}\n`;
}

export async function runStatus(rt: CliRuntime, envName: string, opts: CommonOptions): Promise<number> {
  const session = await openSession(rt, envName, opts, true);
  try {
    const status = await collectStatus(session.ctx);
    if (opts.json) writeJson(rt, { ok: true, command: 'status', ...status });
    else rt.io.stdout.write(renderStatus(session.release.model.name, status));
    return 0;
  } finally {
    session.close();
  }
}

export function statusCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('status')
    .description('show what exists for the environment and its state (read calls only)')
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .action(async (env: string, opts: CommonOptions) => exit(await runStatus(rt, env, opts)));
}
