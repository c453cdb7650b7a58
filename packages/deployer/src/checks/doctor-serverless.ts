// doctor.config.serverless: each serverless environment fits what SageMaker
// Serverless Inference offers beyond what release.yaml's schema already holds
// (memory 1024-6144 MB in 1 GB steps, max concurrency 1-200): the memory holds
// the model once loaded, the image is at most 10 GB, and it runs on CPU only
// (no GPU base image or GPU runtime package).
// A serverless endpoint that does not fit fails only at its first cold start.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ENV_ORDER, type ReleaseConfig } from '../release/types.js';
import { mb, sizeOf } from './artifact-files.js';
import { fail, pass, skip, type Check, type CheckResult } from './check.js';

/** SageMaker's ProductionVariantServerlessConfig limits. */
export const SERVERLESS_LIMITS = {
  memoryMb: { min: 1024, max: 6144, step: 1024 },
  maxConcurrency: { min: 1, max: 200 },
  imageMb: 10 * 1024,
} as const;

/** What the loaded model takes in memory, as a multiple of its files (the read buffer and the session's copy). */
export const MODEL_MEMORY_FACTOR = 2;
/** Node, the runtime and its caches before the model (MB). */
export const RUNTIME_BASELINE_MB = 512;
/** The image size doctor.image.size allows when release.yaml sets no image.maxSizeMb. */
const DEFAULT_IMAGE_MB = 2048;

const MB = 1024 * 1024;

/** Smallest memory step that holds the runtime and a model of `modelBytes`. */
export function requiredMemoryMb(modelBytes: number): number {
  const { step, min } = SERVERLESS_LIMITS.memoryMb;
  const needed = RUNTIME_BASELINE_MB + (modelBytes * MODEL_MEMORY_FACTOR) / MB;
  return Math.max(min, Math.ceil(needed / step) * step);
}

// A CUDA base image or a GPU build of a runtime package: serverless has no GPU to run it on.
const GPU_PATTERN = /\bcuda\b|nvidia\/|[-_]gpu\b/i;

async function gpuHints(dir: string): Promise<string[]> {
  const found: string[] = [];
  const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8').catch(() => '');
  for (const line of dockerfile.split('\n'))
    if (/^\s*FROM\s/i.test(line) && GPU_PATTERN.test(line)) found.push(`Dockerfile ${line.trim()}`);
  const pkg = await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}');
  const deps = (() => {
    try {
      const p = JSON.parse(pkg) as { dependencies?: Record<string, string> };
      return Object.keys(p.dependencies ?? {});
    } catch {
      return [];
    }
  })();
  for (const name of deps) if (GPU_PATTERN.test(name)) found.push(`package.json dependency ${name}`);
  return found;
}

function serverlessEnvs(release: ReleaseConfig) {
  return ENV_ORDER.flatMap((name) => {
    const s = release.environments[name]?.serverless;
    return s ? [{ name, serverless: s }] : [];
  });
}

export const serverlessCheck: Check = {
  id: 'doctor.config.serverless',
  title: 'serverless environments fit SageMaker Serverless limits',
  description: `Each environments.<env>.serverless (memoryMb ${SERVERLESS_LIMITS.memoryMb.min}-${SERVERLESS_LIMITS.memoryMb.max} in 1 GB steps, maxConcurrency ${SERVERLESS_LIMITS.maxConcurrency.min}-${SERVERLESS_LIMITS.maxConcurrency.max}, held by release.yaml's schema): memoryMb ≥ ${RUNTIME_BASELINE_MB} MB + model × ${MODEL_MEMORY_FACTOR}, image.maxSizeMb ≤ ${SERVERLESS_LIMITS.imageMb}, and no GPU base image or GPU package (serverless is CPU only); skip without serverless environments.`,
  async run(ctx): Promise<CheckResult> {
    const release = ctx.release;
    if (!release) return skip('release.yaml is not valid (see doctor.release)');
    const envs = serverlessEnvs(release);
    if (envs.length === 0) return skip('no serverless environment');
    const artifact = release.model.artifact ? resolve(ctx.dir, release.model.artifact) : join(ctx.dir, 'model');
    const modelBytes = await sizeOf(artifact).catch(() => 0);
    const memoryNeeded = requiredMemoryMb(modelBytes);
    const { memoryMb: memLimit, imageMb } = SERVERLESS_LIMITS;
    const problems: string[] = [];
    const fixes: string[] = [];
    for (const { name, serverless: s } of envs) {
      const at = `environments.${name}.serverless`;
      // The 1 GB steps and the concurrency range are release.yaml's schema (doctor.release).
      if (memoryNeeded > s.memoryMb) {
        problems.push(
          `${at}.memoryMb is ${s.memoryMb}, the model (${mb(modelBytes)}) needs about ${memoryNeeded} MB loaded`,
        );
        fixes.push(
          memoryNeeded <= memLimit.max
            ? `Set ${at}.memoryMb: ${memoryNeeded}.`
            : `The model does not fit serverless (at most ${memLimit.max} MB): use instances for ${name} (instanceType), or a smaller model.`,
        );
      }
    }
    const imageAllowance = release.image.maxSizeMb ?? DEFAULT_IMAGE_MB;
    if (imageAllowance > imageMb) {
      problems.push(`image.maxSizeMb is ${imageAllowance}, a serverless endpoint takes images up to ${imageMb} MB`);
      fixes.push(`Set image.maxSizeMb to ${imageMb} or less (doctor --image then holds the image to it).`);
    }
    const gpu = await gpuHints(ctx.dir);
    if (gpu.length > 0) {
      problems.push(`serverless is CPU only, but the project uses a GPU build: ${gpu.join('; ')}`);
      fixes.push('Use a CPU base image and CPU packages, or run the GPU environments on GPU instances (instanceType).');
    }
    if (problems.length > 0) return fail(problems.join('; '), fixes.join(' '));
    const each = envs.map(({ name, serverless: s }) => `${name} ${s.memoryMb} MB × ${s.maxConcurrency}`).join(', ');
    return pass(
      `${each}; model ${mb(modelBytes)} needs ~${memoryNeeded} MB; image ≤ ${imageAllowance} MB of ${imageMb}; CPU only`,
    );
  },
};
