// release.yaml `kmsKeyId` (top level or per environment): the customer managed
// KMS key that encrypts the SageMaker endpoint's storage volume. Without one,
// SageMaker encrypts that volume with an AWS managed key.
import type { EnvName, ReleaseConfig } from '../release/types.js';

/** The environment's own `kmsKeyId`, else the top-level one, else none. */
export function kmsKeyIdOf(release: ReleaseConfig, envName: EnvName | string): string | undefined {
  return release.environments[envName as EnvName]?.kmsKeyId ?? release.kmsKeyId;
}

/** `arn:aws:kms:eu-west-1:123456789012:alias/ms-iris` -> `alias/ms-iris`; a key ARN -> undefined. */
export function kmsAliasName(arn: string): string | undefined {
  const m = /^arn:[^:]+:kms:[^:]+:\d{12}:(alias\/.+)$/.exec(arn);
  return m?.[1];
}

/** Key ARNs in the same account and region as an alias ARN (what an alias-based policy names). */
export function kmsKeysNear(aliasArn: string): string {
  return aliasArn.replace(/:alias\/.+$/, ':key/*');
}
