// `model-deploy status <env>`: renders what the resource modules observed
// (environment-status.ts): endpoint state + image digest + instances, autoscaling
// bounds, the Lambda proxy, the API stage's last deployment and API key, the user
// pool, the cache, the alarms (threshold + state), the deployment record kept as tags on
// the endpoint, the dashboard and the budget; and what release.yaml asks for that
// is missing. Exit 0 when everything exists, 1 when something is missing.
import { Command } from 'commander';
import { collectStatus, type EnvironmentStatus } from '../environment-status.js';
import type { VpcIds } from '../resources/vpc.js';
import { openSession, writeJson, type CliRuntime, type CommonOptions } from './session.js';

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

/** The provisioned cache as ElastiCache reports it; otherwise what release.yaml's cache kind means. */
function describeCache(s: EnvironmentStatus): string {
  const c = s.cache;
  if (c && !c.exists) return `${c.name}  not found`;
  if (c) return `${c.name}  ${c.status ?? '?'}  ${c.engine ?? '?'}  ${c.endpoint ?? '(no endpoint yet)'}`;
  const url = s.endpoint.environment?.MS_REDIS_URL;
  const kind = s.endpoint.environment?.MS_CACHE;
  if (kind === 'redis') return `existing cache ${url ?? '?'} (release.yaml cache.endpoint)`;
  return kind ? `${kind}${kind === 'memory' ? ' (in each instance)' : ''}` : '-';
}

function describeNetwork(n: VpcIds): string {
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
  const tracking = a.metricName ? `, tracking ${a.metricName} at ${a.targetValue ?? '?'}` : '';
  lines.push(
    `  autoscaling      ${a.enabled ? `min ${a.minCapacity} / max ${a.maxCapacity}${tracking}` : (a.skipped ?? 'off')}`,
  );
  const z = s.scaleFromZero;
  if (z && (z.configured || z.exists)) {
    lines.push(
      `    from zero      ${z.name}  ${z.exists ? (z.alarmState ?? '?') : missing}${z.configured ? '' : '  (minCapacity is no longer 0: up removes it)'}`,
    );
  }
  const l = s.lambda;
  lines.push(
    `  lambda           ${l.name}  ${l.exists ? `${l.state ?? '?'} (${l.lastUpdateStatus ?? '?'}, last change ${l.lastModified ?? '?'})` : missing}`,
  );
  if (l.vpc) lines.push(`    network        ${describeNetwork(l.vpc)}`);
  const p = s.api;
  lines.push(
    `  api              ${p.name}  ${p.exists ? `${p.url ?? 'not deployed'}${p.lastDeployment ? `  (last deployment ${p.lastDeployment})` : ''}` : missing}`,
  );
  const k = s.apiKey;
  if (k.configured || k.exists)
    lines.push(
      `  api key          ${k.name}  ${k.exists ? `${k.id}${k.usagePlan ? ` (usage plan ${k.usagePlan.name})` : ''}` : missing}${k.configured ? '' : '  (release.yaml no longer asks for one: up removes it)'}`,
    );
  lines.push(`  user pool        ${s.userPool.name}  ${s.userPool.exists ? s.userPool.id : missing}`);
  lines.push(`  cache            ${describeCache(s)}`);
  renderOperations(s, lines);
  lines.push(
    s.complete
      ? '  complete: every resource release.yaml asks for exists'
      : `  missing: ${s.missing.join(', ')}  (an interrupted or partial up: model-deploy up ${s.env} creates them)`,
  );
  return `${lines.join('\n')}\n`;
}

export async function runStatus(rt: CliRuntime, envName: string, opts: CommonOptions): Promise<number> {
  const session = await openSession(rt, envName, opts, true);
  try {
    const status = await collectStatus(session.ctx);
    if (opts.json) writeJson(rt, { ok: true, command: 'status', ...status });
    else rt.io.stdout.write(renderStatus(session.release.model.name, status));
    // Read fine, but not all there: CI can tell a half-deployed environment by the exit code.
    return status.complete ? 0 : 1;
  } finally {
    session.close();
  }
}

export function statusCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('status')
    .description(
      'show what exists for the environment and its state (read calls only); exit 1 when something is missing',
    )
    .argument('<env>', 'environment from release.yaml (dev, qa, staging, prod)')
    .action(async (env: string, opts: CommonOptions) => exit(await runStatus(rt, env, opts)));
}
