// doctor.config.volume: each environment's EBS volume (volumeSizeGb) holds the
// model and the image with a margin, and is not set at all for instance types
// with local instance storage, where SageMaker rejects VolumeSizeInGB (the
// endpoint-config module leaves it out there; this says so before anyone wonders).
import { join, resolve } from 'node:path';
import { ENV_ORDER } from '../release/types.js';
import { hasInstanceStorage } from '../resources/sagemaker-endpoint-config.js';
import { sizeOf } from './artifact-files.js';
import type { Check, CheckResult } from './check.js';

const GB = 1024 ** 3;
/** The image size `doctor --image` allows by default (release.yaml image.maxSizeMb, 2048): the volume must hold an image that large. */
export const IMAGE_ALLOWANCE_BYTES = 2 * GB;
/** Headroom over model + image: extracted archives, logs, temp files. */
export const VOLUME_MARGIN = 1.25;

/** Smallest volume (whole GB) that holds `modelBytes` + the image allowance with the margin. */
export function requiredVolumeGb(modelBytes: number, imageBytes = IMAGE_ALLOWANCE_BYTES): number {
  return Math.ceil(((modelBytes + imageBytes) * VOLUME_MARGIN) / GB);
}

const gb = (bytes: number) => `${(bytes / GB).toFixed(2)} GB`;

export const volumeCheck: Check = {
  id: 'doctor.config.volume',
  title: 'endpoint volume fits model + image, and is unset for instance-storage types',
  description: `environments.<env>.volumeSizeGb ≥ (model + image.maxSizeMb, default ${IMAGE_ALLOWANCE_BYTES / GB} GB) × ${VOLUME_MARGIN}, and absent for instance types with NVMe instance storage (m5d, c5d, r5d, g4dn, g5, ...), where SageMaker rejects VolumeSizeInGB.`,
  async run(ctx): Promise<CheckResult> {
    const release = ctx.release;
    if (!release) return { status: 'skip', message: 'release.yaml is not valid (see doctor.release)' };
    const artifact = release.model.artifact ? resolve(ctx.dir, release.model.artifact) : join(ctx.dir, 'model');
    const modelBytes = await sizeOf(artifact).catch(() => 0);
    // doctor.image.size keeps the image under image.maxSizeMb, so that is what the volume must hold.
    const imageBytes =
      release.image.maxSizeMb !== undefined ? release.image.maxSizeMb * 1024 * 1024 : IMAGE_ALLOWANCE_BYTES;
    const needed = requiredVolumeGb(modelBytes, imageBytes);
    const problems: string[] = [];
    const fixes = new Set<string>();
    const notes: string[] = [];
    for (const name of ENV_ORDER) {
      const env = release.environments[name];
      if (!env) continue;
      if (env.instanceType === undefined) {
        notes.push(`${name}: serverless (no volume)`);
        continue;
      }
      if (hasInstanceStorage(env.instanceType)) {
        if (env.volumeSizeGb !== undefined) {
          problems.push(
            `environments.${name}.volumeSizeGb is ${env.volumeSizeGb} but ${env.instanceType} has instance storage: SageMaker rejects VolumeSizeInGB for it`,
          );
          fixes.add(
            `Remove volumeSizeGb from environments.${name} (the instance's own NVMe storage holds the model), or choose an EBS-backed type (ml.m5, ml.c5, ml.r5 families) if you need a sized volume.`,
          );
        } else {
          notes.push(`${name}: ${env.instanceType} instance storage`);
        }
        continue;
      }
      if (env.volumeSizeGb === undefined) {
        notes.push(`${name}: SageMaker's default volume`);
        continue;
      }
      if (env.volumeSizeGb < needed) {
        problems.push(
          `environments.${name}.volumeSizeGb is ${env.volumeSizeGb} GB, model (${gb(modelBytes)}) + image allowance (${gb(imageBytes)}) with ${Math.round((VOLUME_MARGIN - 1) * 100)}% margin needs ${needed} GB`,
        );
        fixes.add(`Set volumeSizeGb: ${needed} (or more) for ${name} in release.yaml.`);
        continue;
      }
      notes.push(`${name}: ${env.volumeSizeGb} GB ≥ ${needed} GB`);
    }
    if (problems.length > 0) return { status: 'fail', message: problems.join('; '), fix: [...fixes].join(' ') };
    return { status: 'pass', message: `model ${gb(modelBytes)}; ${notes.join('; ')}` };
  },
};
