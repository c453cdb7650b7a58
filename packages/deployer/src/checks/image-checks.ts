// `model-deploy doctor --image <ref>`: the image, checked before it leaves the
// machine and before any AWS call. One container run per doctor run is shared
// by doctor.image.contract (port 8080, /ping in time, /invocations answers the
// sample) and doctor.image.logs (JSON lines on stdout on a request);
// doctor.image.size reads the image config. The run is cached per CheckContext.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadRelease } from '../release/load-release.js';
import { checkContract, type ContractResult } from './image-contract.js';
import {
  inspectImage,
  startContainer,
  workingContainers,
  type Builder,
  type ContainerOptions,
  type ImageConfig,
  type WorkingContainers,
} from './image-container.js';
import type { Check, CheckContext, CheckResult } from './check.js';

/** Where a generated project keeps its sample request (same order as `verify`). */
export const SAMPLE_FILES = [
  'sample-request.json',
  'samples/request.json',
  'tests/fixtures/sample-request.json',
  'test/fixtures/sample-request.json',
];
export const DEFAULT_MAX_IMAGE_MB = 2048;

interface ImageRun {
  contract?: ContractResult;
  /** Container stdout written from the /invocations request on. */
  outputAfterRequest?: string;
  /** Everything the container printed (for failures). */
  output: string;
  error?: string;
}

const runs = new WeakMap<CheckContext, Promise<ImageRun>>();
const configs = new WeakMap<CheckContext, Promise<ImageConfig>>();
const working = new WeakMap<CheckContext, WorkingContainers>();

/** How the image checks of one doctor run reach the builder (one shared working container). */
export function containerOptions(ctx: CheckContext): ContainerOptions {
  let containers = working.get(ctx);
  if (!containers) {
    containers = workingContainers();
    working.set(ctx, containers);
  }
  return {
    builder: ctx.builder as Builder,
    runner: ctx.runner,
    globalArgs: ctx.imageOptions?.globalArgs ?? [],
    env: ctx.imageOptions?.env,
    containers,
  };
}

/** After the checks: removes a working container no check ran (e.g. doctor.image.contract skipped). */
export async function releaseImageResources(ctx: CheckContext): Promise<void> {
  await working.get(ctx)?.release(containerOptions(ctx));
}

export function imageConfig(ctx: CheckContext): Promise<ImageConfig> {
  let found = configs.get(ctx);
  if (!found) {
    found = inspectImage(ctx.image!, containerOptions(ctx));
    configs.set(ctx, found);
  }
  return found;
}

async function sampleRequest(ctx: CheckContext): Promise<{ body: string; file: string } | { error: string }> {
  const given = ctx.imageOptions?.sample;
  const file = given ? resolve(ctx.dir, given) : SAMPLE_FILES.map((f) => join(ctx.dir, f)).find((f) => existsSync(f));
  if (!file) return { error: `no sample request in ${ctx.dir} (looked for ${SAMPLE_FILES.join(', ')})` };
  const body = await readFile(file, 'utf8').catch(() => undefined);
  if (body === undefined) return { error: `cannot read ${file}` };
  return { body, file };
}

async function runImage(ctx: CheckContext): Promise<ImageRun> {
  const sample = await sampleRequest(ctx);
  if ('error' in sample) return { output: '', error: sample.error };
  let container;
  try {
    container = await startContainer(ctx.image!, containerOptions(ctx));
  } catch (err) {
    return { output: '', error: `cannot run ${ctx.image} with ${ctx.builder}: ${(err as Error).message}` };
  }
  let mark = 0;
  try {
    const contract = await checkContract(container.target, {
      sample: sample.body,
      startupTimeoutMs: ctx.imageOptions?.startupTimeoutMs,
      listeningPorts: container.listeningPorts?.bind(container),
      exited: () => container.exited(),
      beforeInvoke: () => {
        mark = container.stdout().length;
      },
    });
    // Let the log line of the request reach stdout (pino writes asynchronously).
    if (contract.invocation) await new Promise((r) => setTimeout(r, 500));
    // What the container said before we stopped it (stopping adds the builder's own noise).
    const before = `${container.stdout()}${container.stderr()}`;
    await container.stop();
    const stdout = container.stdout();
    return {
      contract,
      output: before || `${stdout}${container.stderr()}`,
      ...(contract.invocation ? { outputAfterRequest: stdout.slice(mark) } : {}),
    };
  } catch (err) {
    await container.stop();
    return { output: `${container.stdout()}${container.stderr()}`, error: (err as Error).message };
  }
}

function sharedRun(ctx: CheckContext): Promise<ImageRun> {
  let run = runs.get(ctx);
  if (!run) {
    run = runImage(ctx);
    runs.set(ctx, run);
  }
  return run;
}

const tail = (output: string, n = 5) => output.trim().split('\n').filter(Boolean).slice(-n).join(' | ');
const noImage = (): CheckResult => ({ status: 'skip', message: 'no --image given' });

export const imageContractCheck: Check = {
  id: 'doctor.image.contract',
  title: 'image honours the SageMaker container contract (8080, /ping in 2 s, /invocations answers the sample)',
  async run(ctx) {
    if (!ctx.image) return noImage();
    const run = await sharedRun(ctx);
    if (run.error || !run.contract) {
      return {
        status: 'fail',
        message: run.error ?? 'the container did not run',
        fix: `Check that the image exists locally for ${ctx.builder} and that the project has a sample-request.json (or pass --sample).`,
      };
    }
    const c = run.contract;
    if (!c.ok) {
      const out = tail(run.output);
      return {
        status: 'fail',
        message: `${c.failure!.message}${out ? `; container output: ${out}` : ''}`,
        fix: c.failure!.fix,
      };
    }
    return {
      status: 'pass',
      message: `listens on 8080; /ping 200 after ${c.startupMs} ms (then ${c.pingMs.join('/')} ms); /invocations HTTP ${c.invocation!.status} in ${c.invocation!.ms} ms`,
    };
  },
};

/** JSON object lines among `output`. */
export function jsonLines(output: string): number {
  let n = 0;
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === 'object' && !Array.isArray(v)) n++;
    } catch {
      // not JSON
    }
  }
  return n;
}

export const imageLogsCheck: Check = {
  id: 'doctor.image.logs',
  title: 'container writes JSON log lines to stdout on a request',
  async run(ctx) {
    if (!ctx.image) return noImage();
    const run = await sharedRun(ctx);
    if (run.outputAfterRequest === undefined)
      return { status: 'skip', message: 'no request reached the container (see doctor.image.contract)' };
    const lines = run.outputAfterRequest.split('\n').filter((l) => l.trim());
    const n = jsonLines(run.outputAfterRequest);
    if (n > 0) return { status: 'pass', message: `${n} JSON line(s) on stdout for POST /invocations` };
    return {
      status: 'fail',
      message: lines.length
        ? `no JSON log line on stdout for POST /invocations (got ${lines.length} plain line(s), e.g. "${lines[0]!.slice(0, 120)}")`
        : 'nothing on stdout for POST /invocations',
      fix: "Log one JSON line per request to stdout (the runtime's pino logger does; do not set LOG_LEVEL=silent), so CloudWatch Logs can be searched by field.",
    };
  },
};

/** release.yaml image.maxSizeMb (loaded here when doctor.release did not run); default 2 GB. */
async function maxSizeMb(ctx: CheckContext): Promise<number> {
  const fromRelease = ctx.release?.image.maxSizeMb;
  if (typeof fromRelease === 'number') return fromRelease;
  if (!ctx.release) {
    const loaded = await loadRelease(ctx.dir).catch(() => undefined);
    const v = loaded?.image.maxSizeMb;
    if (typeof v === 'number') return v;
  }
  return DEFAULT_MAX_IMAGE_MB;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const imageSizeCheck: Check = {
  id: 'doctor.image.size',
  title: 'image size under the limit (release.yaml image.maxSizeMb, default 2048)',
  async run(ctx) {
    if (!ctx.image) return noImage();
    const limit = await maxSizeMb(ctx);
    let config: ImageConfig;
    try {
      config = await imageConfig(ctx);
    } catch (err) {
      return {
        status: 'fail',
        message: `cannot inspect ${ctx.image}: ${(err as Error).message}`,
        fix: `Build the image first, or check the reference (it must exist locally for ${ctx.builder}).`,
      };
    }
    if (config.sizeBytes === undefined)
      return { status: 'skip', message: `${ctx.builder} did not report the image size` };
    if (config.sizeBytes > limit * 1024 * 1024) {
      return {
        status: 'fail',
        message: `${ctx.image} is ${mb(config.sizeBytes)}, over the ${limit} MB limit`,
        fix: 'Use a slim base image, a multi-stage build that copies only dist/ and production node_modules (npm prune --omit=dev), a .dockerignore, and load large models from S3 (model data) instead of baking them in; or raise image.maxSizeMb in release.yaml.',
      };
    }
    return { status: 'pass', message: `${mb(config.sizeBytes)} (limit ${limit} MB)` };
  },
};
