// release.yaml `vpc` -> the VpcConfig shapes SageMaker and Lambda take. Ids are
// sorted so that the same set in another order is the same content (no diff,
// same content-hashed model name).
import type { EnvName, ReleaseConfig, VpcConfig } from '../release/types.js';

export interface VpcIds {
  subnetIds: string[];
  securityGroupIds: string[];
}

/** The environment's own `vpc`, else the top-level one, else none. */
export function vpcOf(release: ReleaseConfig, envName: EnvName | string): VpcConfig | undefined {
  return release.environments[envName as EnvName]?.vpc ?? release.vpc;
}

export function vpcIds(vpc: VpcConfig | undefined): VpcIds | undefined {
  if (!vpc) return undefined;
  return { subnetIds: [...vpc.subnetIds].sort(), securityGroupIds: [...vpc.securityGroupIds].sort() };
}

/** Observed ids (AWS returns empty lists, or nothing, for "no VPC"). */
export function observedVpcIds(
  subnetIds: readonly string[] | undefined,
  securityGroupIds: readonly string[] | undefined,
): VpcIds | undefined {
  if (!subnetIds?.length && !securityGroupIds?.length) return undefined;
  return { subnetIds: [...(subnetIds ?? [])].sort(), securityGroupIds: [...(securityGroupIds ?? [])].sort() };
}

/** SageMaker CreateModel `VpcConfig`. */
export function sagemakerVpcConfig(ids: VpcIds): { Subnets: string[]; SecurityGroupIds: string[] } {
  return { Subnets: ids.subnetIds, SecurityGroupIds: ids.securityGroupIds };
}

/** Lambda `VpcConfig`; empty lists detach a function from its VPC. */
export function lambdaVpcConfig(ids: VpcIds | undefined): { SubnetIds: string[]; SecurityGroupIds: string[] } {
  return { SubnetIds: ids?.subnetIds ?? [], SecurityGroupIds: ids?.securityGroupIds ?? [] };
}

/** Every distinct VPC the release uses, with the environments that use it (for doctor). */
export function vpcsInRelease(release: ReleaseConfig): { vpc: VpcConfig; envs: string[] }[] {
  const out: { vpc: VpcConfig; envs: string[]; key: string }[] = [];
  for (const envName of Object.keys(release.environments)) {
    const vpc = vpcOf(release, envName);
    if (!vpc) continue;
    const ids = vpcIds(vpc)!;
    const key = `${ids.subnetIds.join(',')}|${ids.securityGroupIds.join(',')}`;
    const seen = out.find((o) => o.key === key);
    if (seen) seen.envs.push(envName);
    else out.push({ vpc, envs: [envName], key });
  }
  return out.map(({ vpc, envs }) => ({ vpc, envs }));
}
