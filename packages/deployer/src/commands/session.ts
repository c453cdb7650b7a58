// What every command shares: the CLI's I/O seam (so tests run the real program
// in-process), injectable dependencies (AWS clients, resource graph), and
// opening an environment: release.yaml is loaded and validated before any
// AWS client exists, so a bad file never costs an AWS call.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { createAwsClients, destroyAwsClients, type AwsClients, type ClientOptions } from '../aws/clients.js';
import {
  createDeployContext,
  resolveAccount,
  type CommandRunner,
  type DeployContext,
  type ProgressSink,
} from '../context.js';
import { environmentResources, type AnyResource } from '../deploy-graph.js';
import { loadRelease } from '../release/load-release.js';
import type { ReleaseConfig } from '../release/types.js';
import type { Writer } from '../progress.js';
import type { Builder } from '../resources/image-commands.js';

export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin/stdout are an interactive terminal (prompts, live progress). */
  isTTY: boolean;
  /** Asks one question on the terminal; defaults to readline on stdin. */
  ask?(question: string): Promise<string>;
}

export interface GraphOptions {
  purpose?: 'deploy' | 'destroy';
  /** `up --image`: deploy this already pushed image instead of building. */
  image?: string;
  /** `up --builder`: the container CLI that builds and pushes. */
  builder?: Builder;
}

export interface CliDeps {
  createClients?(options: ClientOptions): AwsClients;
  /** The ordered resource modules of an environment. */
  resources?(ctx: DeployContext, options: GraphOptions): Promise<AnyResource[]>;
  runner?: CommandRunner;
}

export interface CliRuntime {
  io: CliIO;
  deps: CliDeps;
}

export interface CommonOptions {
  dir?: string;
  json?: boolean;
}

export function projectDir(rt: CliRuntime, opts: CommonOptions): string {
  return resolve(rt.io.cwd, opts.dir ?? '.');
}

export function writeJson(rt: CliRuntime, value: unknown): void {
  rt.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function sinkFor(rt: CliRuntime, json: boolean | undefined): ProgressSink {
  const err = rt.io.stderr;
  return {
    info: (m) => {
      if (!json) err.write(`${m}\n`);
    },
    warn: (m) => err.write(`warning: ${m}\n`),
    debug: (m) => {
      if (rt.io.env.MODEL_DEPLOY_DEBUG) err.write(`debug: ${m}\n`);
    },
  };
}

export interface Session {
  release: ReleaseConfig;
  ctx: DeployContext;
  dir: string;
  /** The caller's ARN, from the one STS read (names the holder of a deploy lock). */
  identity?: string;
  close(): void;
}

/**
 * Loads release.yaml (no AWS), runs the command's `beforeAws` check on it, then creates
 * clients and resolves the account (one STS read).
 */
export async function openSession(
  rt: CliRuntime,
  envName: string,
  opts: CommonOptions,
  dryRun: boolean,
  beforeAws?: (release: ReleaseConfig) => void,
): Promise<Session> {
  const dir = projectDir(rt, opts);
  const release = await loadRelease(dir);
  // Fail on an unknown env, or a command's own refusal, before creating any client.
  createDeployContext({ release, envName, clients: {} as AwsClients, accountId: '000000000000' });
  beforeAws?.(release);
  const clients = (rt.deps.createClients ?? createAwsClients)({ region: release.region, env: rt.io.env });
  try {
    const { accountId, partition, arn } = await resolveAccount(clients);
    const ctx = createDeployContext({
      release,
      envName,
      clients,
      accountId,
      partition,
      projectDir: dir,
      dryRun,
      log: sinkFor(rt, opts.json),
      runner: rt.deps.runner,
    });
    return { release, ctx, dir, identity: arn, close: () => destroyAwsClients(clients) };
  } catch (err) {
    destroyAwsClients(clients);
    throw err;
  }
}

export async function ask(rt: CliRuntime, question: string): Promise<string> {
  if (rt.io.ask) return rt.io.ask(question);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** The environment's resource modules, in apply order (injectable for tests). */
export async function resourcesFor(rt: CliRuntime, ctx: DeployContext, options: GraphOptions): Promise<AnyResource[]> {
  return (rt.deps.resources ?? environmentResources)(ctx, {
    image: options.image,
    builder: options.builder,
    purpose: options.purpose,
  });
}
