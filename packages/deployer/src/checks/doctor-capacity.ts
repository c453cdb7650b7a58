// doctor.capacity: is each environment's instance type offered for SageMaker
// endpoints in the region, and does the account's quota ("<type> for endpoint
// usage", Service Quotas, service code sagemaker) cover the most instances the
// environment can run? A too-small quota is the most common reason a first
// deploy fails after minutes of waiting (ResourceLimitExceeded on the endpoint).
// Types only: the Service Quotas package loads when the check runs (aws/clients.ts createLazyAwsClient).
import type { ServiceQuota, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { hasErrorName } from '../aws/aws-error.js';
import { findFirst } from '../aws/pages.js';
import { ENV_ORDER, type EnvironmentConfig, type ReleaseConfig } from '../release/types.js';
import { isServerless, NO_INSTANCES, SERVERLESS_SKIP } from '../resources/serverless.js';
import { withAws } from './aws-check.js';
import { fail, pass, skip, type Check } from './check.js';

export const SERVICE_CODE = 'sagemaker';

export const endpointQuotaName = (instanceType: string): string => `${instanceType} for endpoint usage`;

/** The most instances an environment can run: its count, or autoscaling's max when that is on. */
export function maxInstances(env: EnvironmentConfig): number {
  return env.autoscaling.enabled ? Math.max(env.instanceCount, env.autoscaling.maxCapacity) : env.instanceCount;
}

interface Need {
  instanceType: string;
  /** Per environment: [env, max instances]. */
  envs: [string, number][];
}

function needs(release: ReleaseConfig): Need[] {
  const byType = new Map<string, Need>();
  for (const name of ENV_ORDER) {
    const env = release.environments[name];
    // Serverless environments take no instance quota.
    if (!env?.instanceType) continue;
    const need = byType.get(env.instanceType) ?? { instanceType: env.instanceType, envs: [] };
    need.envs.push([name, maxInstances(env)]);
    byType.set(env.instanceType, need);
  }
  return [...byType.values()];
}

/** Reads a quota listing until every wanted name is found (bounded). */
async function findByName(
  wanted: Set<string>,
  pages: AsyncIterable<{ Quotas?: ServiceQuota[] }>,
): Promise<Map<string, ServiceQuota>> {
  const found = new Map<string, ServiceQuota>();
  if (wanted.size === 0) return found;
  await findFirst(pages, (page) => {
    for (const q of page.Quotas ?? [])
      if (q.QuotaName && wanted.has(q.QuotaName) && !found.has(q.QuotaName)) found.set(q.QuotaName, q);
    return found.size >= wanted.size ? found : undefined;
  });
  return found;
}

/** The account's value of each wanted quota; absent = the type is not offered for endpoints in this region. */
async function endpointQuotas(sq: ServiceQuotasClient, names: string[]): Promise<Map<string, ServiceQuota>> {
  const { GetServiceQuotaCommand, paginateListAWSDefaultServiceQuotas, paginateListServiceQuotas } =
    await import('@aws-sdk/client-service-quotas');
  const wanted = new Set(names);
  // Applied values first; quotas never changed may only be listed with their defaults.
  const found = await findByName(
    wanted,
    paginateListServiceQuotas({ client: sq }, { ServiceCode: SERVICE_CODE, MaxResults: 100 }),
  );
  const rest = new Set(names.filter((n) => !found.has(n)));
  if (rest.size > 0) {
    const defaults = await findByName(
      rest,
      paginateListAWSDefaultServiceQuotas({ client: sq }, { ServiceCode: SERVICE_CODE, MaxResults: 100 }),
    );
    for (const [name, q] of defaults) found.set(name, q);
  }
  // The authoritative applied value by code (an increase granted since the listing shows here).
  for (const [name, q] of found) {
    if (!q.QuotaCode) continue;
    const applied = await sq
      .send(new GetServiceQuotaCommand({ ServiceCode: SERVICE_CODE, QuotaCode: q.QuotaCode }))
      .catch((err: unknown) => {
        if (hasErrorName(err, 'NoSuchResourceException')) return undefined;
        throw err;
      });
    if (applied?.Quota?.Value !== undefined) found.set(name, { ...q, Value: applied.Quota.Value });
  }
  return found;
}

/** The environments that take no instance quota. */
function serverlessEnvs(release: ReleaseConfig): string[] {
  return ENV_ORDER.filter((name) => {
    const env = release.environments[name];
    return env !== undefined && isServerless(env);
  });
}

export const capacityCheck: Check = {
  id: 'doctor.capacity',
  title: 'instance types offered for endpoints and within the account quota',
  description:
    'Service Quotas (sagemaker, "<type> for endpoint usage"): every environment\'s instance type exists in the region and its quota covers the environment\'s max instances (count, or autoscaling.maxCapacity); serverless environments are named as skipped (no instances).',
  run: (ctx) =>
    // No quota to read (and no credentials needed) when no environment has instances.
    ctx.release && needs(ctx.release).length === 0
      ? Promise.resolve(skip(`every environment is a ${NO_INSTANCES}`))
      : withAws(ctx, 'ListServiceQuotas', async ({ lazy, release }) => {
          const all = needs(release);
          const serverless = serverlessEnvs(release).map((name) => `${name}: ${SERVERLESS_SKIP}`);
          const quotas = await endpointQuotas(
            await lazy('serviceQuotas'),
            all.map((n) => endpointQuotaName(n.instanceType)),
          );
          const problems: string[] = [];
          const fixes = new Set<string>();
          const fine: string[] = [];
          for (const need of all) {
            const quota = quotas.get(endpointQuotaName(need.instanceType));
            const envList = need.envs.map(([e, n]) => `${e} ${n}`).join(', ');
            if (!quota) {
              problems.push(
                `${need.instanceType} is not offered for SageMaker endpoints in ${release.region} (no "${endpointQuotaName(need.instanceType)}" quota)`,
              );
              fixes.add(
                `Pick an instance type offered in ${release.region} (Service Quotas console -> Amazon SageMaker lists "<type> for endpoint usage"), or deploy to another region.`,
              );
              continue;
            }
            const value = quota.Value ?? 0;
            const short = need.envs.filter(([, n]) => n > value);
            if (short.length > 0) {
              problems.push(
                `quota "${quota.QuotaName}" is ${value} in ${release.region}, ${short.map(([e, n]) => `${e} needs up to ${n}`).join(', ')}`,
              );
              const desired = Math.max(...need.envs.map(([, n]) => n));
              fixes.add(
                `Request more: aws service-quotas request-service-quota-increase --service-code ${SERVICE_CODE} --quota-code ${quota.QuotaCode ?? '<code>'} --desired-value ${desired} --region ${release.region}` +
                  ' (or lower instanceCount / autoscaling.maxCapacity).',
              );
              continue;
            }
            const total = need.envs.reduce((sum, [, n]) => sum + n, 0);
            const shared =
              need.envs.length > 1 && total > value
                ? ` (together ${total}: more than the quota if they share this account)`
                : '';
            fine.push(`${need.instanceType} quota ${value} ≥ ${envList}${shared}`);
          }
          if (problems.length > 0) return fail(problems.join('; '), [...fixes].join(' '));
          return pass([...fine, ...serverless].join('; '));
        }),
};
