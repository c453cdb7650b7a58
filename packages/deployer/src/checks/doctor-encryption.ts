// doctor.encryption: which key encrypts each environment's endpoint storage at
// rest, from release.yaml alone (no AWS call). The endpoint-config module passes
// kmsKeyId as CreateEndpointConfig KmsKeyId for EBS-backed types; without one
// SageMaker encrypts the volume with an AWS managed key; instance-storage types
// are encrypted by the instance's hardware and SageMaker refuses a KmsKeyId there.
import { ENV_ORDER } from '../release/types.js';
import { kmsKeyIdOf } from '../resources/kms.js';
import { hasInstanceStorage } from '../resources/sagemaker-endpoint-config.js';
import type { Check, CheckResult } from './check.js';

export const encryptionCheck: Check = {
  id: 'doctor.encryption',
  title: "each environment's endpoint storage is encrypted at rest, and by which key",
  description:
    "per environment, which key encrypts the endpoint's storage volume: kmsKeyId (environments.<env>.kmsKeyId, else the top-level one), else an AWS managed key; instance-storage types (m5d, c5d, r5d, g4dn, g5, ...) by the instance's hardware, so an environments.<env>.kmsKeyId there fails (SageMaker refuses KmsKeyId for them).",
  async run(ctx): Promise<CheckResult> {
    const release = ctx.release;
    if (!release) return { status: 'skip', message: 'release.yaml is not valid (see doctor.release)' };
    const problems: string[] = [];
    const fixes: string[] = [];
    const notes: string[] = [];
    for (const name of ENV_ORDER) {
      const env = release.environments[name];
      if (!env) continue;
      if (env.instanceType === undefined) {
        notes.push(`${name}: serverless, storage managed and encrypted by SageMaker (it refuses a KmsKeyId)`);
        continue;
      }
      if (hasInstanceStorage(env.instanceType)) {
        if (env.kmsKeyId !== undefined) {
          problems.push(
            `environments.${name}.kmsKeyId is set but ${env.instanceType} has instance storage: SageMaker refuses KmsKeyId for it (the instance's hardware encrypts that storage)`,
          );
          fixes.push(
            `Remove kmsKeyId from environments.${name} (its storage is encrypted by the instance's hardware), or choose an EBS-backed type (ml.m5, ml.c5, ml.r5 families) to encrypt the volume with your key.`,
          );
        } else {
          const inherited = release.kmsKeyId === undefined ? '' : ' (the top-level kmsKeyId does not apply)';
          notes.push(`${name}: ${env.instanceType} instance storage, encrypted by the instance's hardware${inherited}`);
        }
        continue;
      }
      const key = kmsKeyIdOf(release, name);
      notes.push(
        key === undefined
          ? `${name}: volume encrypted with an AWS managed key (set kmsKeyId to use your own)`
          : `${name}: volume encrypted with ${key}`,
      );
    }
    if (problems.length > 0) return { status: 'fail', message: problems.join('; '), fix: fixes.join(' ') };
    return { status: 'pass', message: notes.join('; ') };
  },
};
