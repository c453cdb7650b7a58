// `model-deploy status <env>`: what exists for the env and in which state, from
// read calls only: endpoint state + image digest + instances, autoscaling
// bounds, the Lambda proxy, the API stage's last deployment, the user pool,
// the SLO alarms (threshold + state), the deployment record kept as tags on
// the endpoint (sha, digest, time, identity, config hash, last verify), the
// dashboard and the budget.
import { GetStageCommand } from '@aws-sdk/client-api-gateway';
import { DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import { Command } from 'commander';
import { hasErrorName, ifMissing } from '../aws/aws-error.js';
import { parseVerifiedTag, type VerifiedTag } from '../checks/verify-tag.js';
import type { DeployContext } from '../context.js';
import { observeStatus } from '../resource-status.js';
import { apiUrl, findApi } from '../resources/api-gateway.js';
import { autoscaling, type ScalingStatus } from '../resources/autoscaling.js';
import { budgetConfig, budgetName } from '../resources/budget.js';
import { findPoolId } from '../resources/cognito.js';
import { dashboardName } from '../resources/dashboard.js';
import { ecrRepository, type EcrStatus } from '../resources/ecr.js';
import { configHash, parseDeploymentRecord, RECORD_VERIFIED, type DeploymentRecord } from '../tags.js';
import { openSession, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface EnvironmentStatus {
  env: string;
  region: string;
  ecrRepository: EcrStatus;
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
    /** The model's container environment (release.yaml's cache and runtime settings as MS_* variables). */
    environment?: Record<string, string>;
    /** The model's VpcConfig; absent = SageMaker's managed network (no VPC). */
    vpc?: NetworkStatus & { networkIsolation: boolean };
    /** The endpoint config's KmsKeyId; absent = an AWS managed key (or instance storage). */
    kmsKeyId?: string;
  };
  autoscaling: ScalingStatus;
  lambda: {
    name: string;
    exists: boolean;
    state?: string;
    lastUpdateStatus?: string;
    lastModified?: string;
    vpc?: NetworkStatus;
  };
  api: { name: string; exists: boolean; id?: string; url?: string; lastDeployment?: string };
  userPool: { name: string; exists: boolean; id?: string };
  alarms: AlarmStatus[];
  /** From the endpoint's tags; undefined when the endpoint is missing or `up` never wrote one. */
  deployment?: DeploymentStatus;
  dashboard: { name: string; exists: boolean; url?: string };
  /** Only read when release.yaml has a budget (Budgets needs its own permissions). */
  budget: {
    name: string;
    configured: boolean;
    exists?: boolean;
    limitUsd?: number;
    actualUsd?: number;
    forecastUsd?: number;
  };
}

/** Where a resource's network interfaces are (release.yaml `vpc`, as deployed). */
export interface NetworkStatus {
  subnetIds: string[];
  securityGroupIds: string[];
}

/** A VpcConfig as SageMaker or Lambda report it; undefined when there are no subnets (not in a VPC). */
function networkOf(subnets: string[] | undefined, groups: string[] | undefined): NetworkStatus | undefined {
  return subnets?.length ? { subnetIds: [...subnets].sort(), securityGroupIds: [...(groups ?? [])].sort() } : undefined;
}

export interface AlarmStatus {
  name: string;
  exists: boolean;
  /** OK | ALARM | INSUFFICIENT_DATA */
  state?: string;
  stateReason?: string;
  stateUpdated?: string;
  /** As CloudWatch holds it (ModelLatency in microseconds). */
  threshold?: number;
  comparison?: string;
  /** The threshold in release.yaml's terms, e.g. "> 500 ms p95 ModelLatency". */
  condition?: string;
}

export interface DeploymentStatus extends DeploymentRecord {
  /** True when the record's config hash matches release.yaml now (false: release.yaml changed since). */
  configCurrent?: boolean;
  /** The last `verify` (written by verify); `current` = it verified the config the endpoint runs now. */
  verify?: VerifiedTag & { current: boolean };
}

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

async function endpointStatus(ctx: DeployContext): Promise<EnvironmentStatus['endpoint'] & { arn?: string }> {
  const sm = ctx.clients.sagemaker;
  const name = ctx.names.endpoint;
  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name })).catch(ifMissing(undefined));
  if (!ep) return { name, exists: false };
  const variant = ep.ProductionVariants?.[0];
  const deployed = variant?.DeployedImages?.[0];
  const result: EnvironmentStatus['endpoint'] & { arn?: string } = {
    name,
    exists: true,
    arn: ep.EndpointArn,
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
      .catch(ifMissing(undefined));
    const v = cfg?.ProductionVariants?.[0];
    result.instanceType = v?.InstanceType;
    result.instanceCount ??= v?.InitialInstanceCount;
    result.modelName = v?.ModelName;
    if (cfg?.KmsKeyId) result.kmsKeyId = cfg.KmsKeyId;
  }
  if (result.modelName) {
    const model = await sm.send(new DescribeModelCommand({ ModelName: result.modelName })).catch(ifMissing(undefined));
    result.image ??= model?.PrimaryContainer?.Image;
    result.imageDigest ??= result.image?.split('@')[1];
    if (model?.PrimaryContainer?.Environment) result.environment = model.PrimaryContainer.Environment;
    const network = networkOf(model?.VpcConfig?.Subnets, model?.VpcConfig?.SecurityGroupIds);
    if (network) result.vpc = { ...network, networkIsolation: model?.EnableNetworkIsolation === true };
  }
  return result;
}

async function lambdaStatus(ctx: DeployContext): Promise<EnvironmentStatus['lambda']> {
  const name = ctx.names.lambda;
  const fn = await ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: name })).catch(ifMissing(undefined));
  const c = fn?.Configuration;
  if (!c) return { name, exists: false };
  // AWS reports empty lists (not an absent VpcConfig) for a function outside any VPC.
  const vpc = networkOf(c.VpcConfig?.SubnetIds, c.VpcConfig?.SecurityGroupIds);
  return {
    name,
    exists: true,
    state: c.State,
    lastUpdateStatus: c.LastUpdateStatus,
    lastModified: iso(c.LastModified),
    ...(vpc ? { vpc } : {}),
  };
}

async function apiStatus(ctx: DeployContext): Promise<EnvironmentStatus['api']> {
  const name = ctx.names.api;
  const api = await findApi(ctx.clients.apiGateway, name);
  if (!api?.id) return { name, exists: false };
  const stage = await ctx.clients.apiGateway
    .send(new GetStageCommand({ restApiId: api.id, stageName: ctx.names.stage }))
    .catch(ifMissing(undefined));
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
  const id = await findPoolId(ctx.clients.cognito, name);
  return id ? { name, exists: true, id } : { name, exists: false };
}

const PER_ALARM: Record<string, (threshold: number, op: string) => string> = {
  errorRate: (t, op) => `${op} ${t} 5xx error rate`,
  latency: (t, op) => `${op} ${t / 1000} ms p95 ModelLatency`,
};
const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

async function alarmsStatus(ctx: DeployContext): Promise<AlarmStatus[]> {
  const wanted: [string, string][] = [
    [ctx.names.errorRateAlarm, 'errorRate'],
    [ctx.names.latencyAlarm, 'latency'],
  ];
  const out = await ctx.clients.cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: wanted.map(([n]) => n), AlarmTypes: ['MetricAlarm'] }),
  );
  const found = new Map((out?.MetricAlarms ?? []).map((a) => [a.AlarmName, a]));
  return wanted.map(([name, kind]) => {
    const a = found.get(name);
    if (!a) return { name, exists: false };
    const op = OPERATORS[a.ComparisonOperator ?? ''] ?? a.ComparisonOperator ?? '?';
    return {
      name,
      exists: true,
      state: a.StateValue,
      stateReason: a.StateReason,
      stateUpdated: iso(a.StateUpdatedTimestamp),
      threshold: a.Threshold,
      comparison: a.ComparisonOperator,
      condition: a.Threshold === undefined ? undefined : PER_ALARM[kind]!(a.Threshold, op),
    };
  });
}

async function deploymentStatus(
  ctx: DeployContext,
  endpoint: EnvironmentStatus['endpoint'] & { arn?: string },
): Promise<DeploymentStatus | undefined> {
  if (!endpoint.exists) return undefined;
  const arn = endpoint.arn ?? ctx.arns.endpoint;
  const out = await ctx.clients.sagemaker
    .send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 }))
    .catch(ifMissing(undefined));
  const record = parseDeploymentRecord(out?.Tags);
  const verified = parseVerifiedTag(out?.Tags?.find((t) => t.Key === RECORD_VERIFIED)?.Value);
  if (!record && !verified) return undefined;
  const status: DeploymentStatus = { ...record };
  if (record?.configHash) status.configCurrent = record.configHash === configHash(ctx.release, ctx.envName);
  if (verified) status.verify = { ...verified, current: verified.configName === endpoint.endpointConfig };
  return status;
}

async function dashboardStatus(ctx: DeployContext): Promise<EnvironmentStatus['dashboard']> {
  const name = dashboardName(ctx);
  const out = await ctx.clients.cloudWatch
    .send(new GetDashboardCommand({ DashboardName: name }))
    .catch((err: unknown) => {
      if (hasErrorName(err, 'DashboardNotFoundError')) return undefined;
      return ifMissing(undefined)(err);
    });
  if (!out?.DashboardBody) return { name, exists: false };
  return {
    name,
    exists: true,
    url: `https://${ctx.region}.console.aws.amazon.com/cloudwatch/home?region=${ctx.region}#dashboards/dashboard/${name}`,
  };
}

async function budgetStatus(ctx: DeployContext): Promise<EnvironmentStatus['budget']> {
  const name = budgetName(ctx);
  if (!budgetConfig(ctx)) return { name, configured: false };
  const out = await ctx.clients.budgets
    .send(new DescribeBudgetCommand({ AccountId: ctx.account.accountId, BudgetName: name }))
    .catch(ifMissing(undefined));
  const b = out?.Budget;
  if (!b) return { name, configured: true, exists: false };
  const usd = (amount: string | undefined) => (amount === undefined ? undefined : Number(amount));
  return {
    name,
    configured: true,
    exists: true,
    limitUsd: usd(b.BudgetLimit?.Amount),
    actualUsd: usd(b.CalculatedSpend?.ActualSpend?.Amount),
    forecastUsd: usd(b.CalculatedSpend?.ForecastedSpend?.Amount),
  };
}

export async function collectStatus(ctx: DeployContext): Promise<EnvironmentStatus> {
  const { arn, ...endpoint } = await endpointStatus(ctx);
  return {
    env: ctx.envName,
    region: ctx.region,
    ecrRepository: await observeStatus(ctx, ecrRepository),
    endpoint,
    autoscaling: await observeStatus(ctx, autoscaling),
    lambda: await lambdaStatus(ctx),
    api: await apiStatus(ctx),
    userPool: await userPoolStatus(ctx),
    alarms: await alarmsStatus(ctx),
    deployment: await deploymentStatus(ctx, { ...endpoint, arn }),
    dashboard: await dashboardStatus(ctx),
    budget: await budgetStatus(ctx),
  };
}

function renderOperations(s: EnvironmentStatus, lines: string[]): void {
  const missing = 'not found';
  lines.push('  alarms');
  for (const a of s.alarms) {
    if (!a.exists) lines.push(`    ${a.name}  ${missing}`);
    else
      lines.push(
        `    ${a.name}  ${a.state ?? '?'}  (alarm when ${a.condition ?? '?'}${a.stateUpdated ? `; state since ${a.stateUpdated}` : ''})`,
      );
  }
  const d = s.deployment;
  if (!d)
    lines.push(
      `  last deployment  ${s.endpoint.exists ? 'no record (deployed before model-deploy kept one, or by hand)' : '-'}`,
    );
  else {
    lines.push(`  last deployment  ${d.deployedAt ?? '?'}${d.deployedBy ? ` by ${d.deployedBy}` : ''}`);
    if (d.gitSha) lines.push(`    git sha        ${d.gitSha}`);
    if (d.imageDigest) lines.push(`    image digest   ${d.imageDigest}`);
    if (d.configHash)
      lines.push(
        `    config hash    ${d.configHash}${d.configCurrent === false ? '  (release.yaml changed since: run plan)' : ''}`,
      );
    const v = d.verify;
    lines.push(
      `    last verify    ${v ? `${v.result} at ${v.at}${v.current ? '' : ` (on ${v.configName}, not the config running now)`}` : 'never'}`,
    );
  }
  lines.push(`  dashboard        ${s.dashboard.name}  ${s.dashboard.exists ? s.dashboard.url : missing}`);
  const b = s.budget;
  if (!b.configured) lines.push('  budget           none (release.yaml has no budget)');
  else if (!b.exists) lines.push(`  budget           ${b.name}  ${missing}`);
  else {
    const forecast = b.forecastUsd === undefined ? '' : `, forecast ${b.forecastUsd} USD`;
    lines.push(`  budget           ${b.name}  ${b.actualUsd ?? '?'} of ${b.limitUsd ?? '?'} USD this month${forecast}`);
  }
}

function describeNetwork(n: NetworkStatus): string {
  return `VPC subnets ${n.subnetIds.join(', ')}; security groups ${n.securityGroupIds.join(', ')}`;
}

export function renderStatus(model: string, s: EnvironmentStatus): string {
  const missing = 'not found';
  const e = s.endpoint;
  const lines = [`${model}/${s.env} in ${s.region}`];
  lines.push(`  ecr repository   ${s.ecrRepository.name}  ${s.ecrRepository.exists ? 'exists' : missing}`);
  if (!e.exists) lines.push(`  endpoint         ${e.name}  ${missing}`);
  else {
    lines.push(
      `  endpoint         ${e.name}  ${e.status ?? '?'}${e.lastModified ? `  (last change ${e.lastModified})` : ''}`,
    );
    if (e.failureReason) lines.push(`    failure        ${e.failureReason}`);
    lines.push(`    config         ${e.endpointConfig ?? '?'}  ${e.instanceType ?? '?'} x ${e.instanceCount ?? '?'}`);
    lines.push(`    image          ${e.image ?? '?'}`);
    if (e.imageDigest) lines.push(`    digest         ${e.imageDigest}`);
    if (e.environment) {
      const vars = Object.entries(e.environment).sort(([a], [b]) => a.localeCompare(b));
      lines.push(`    environment    ${vars.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    lines.push(
      `    network        ${e.vpc ? `${describeNetwork(e.vpc)}; network isolation ${e.vpc.networkIsolation ? 'on' : 'off'}` : 'no VPC (SageMaker-managed network)'}`,
    );
    lines.push(
      `    volume key     ${e.kmsKeyId ?? "AWS managed key (or the instance's hardware for instance storage)"}`,
    );
  }
  const a = s.autoscaling;
  lines.push(`  autoscaling      ${a.enabled ? `min ${a.minCapacity} / max ${a.maxCapacity}` : 'off'}`);
  const l = s.lambda;
  lines.push(
    `  lambda           ${l.name}  ${l.exists ? `${l.state ?? '?'} (${l.lastUpdateStatus ?? '?'}, last change ${l.lastModified ?? '?'})` : missing}`,
  );
  if (l.vpc) lines.push(`    network        ${describeNetwork(l.vpc)}`);
  const p = s.api;
  lines.push(
    `  api              ${p.name}  ${p.exists ? `${p.url ?? 'not deployed'}${p.lastDeployment ? `  (last deployment ${p.lastDeployment})` : ''}` : missing}`,
  );
  lines.push(`  user pool        ${s.userPool.name}  ${s.userPool.exists ? s.userPool.id : missing}`);
  renderOperations(s, lines);
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
