// Everything a resource module needs for one environment, built once per
// command: the frozen release config, the env, AWS clients, names, tags, where
// progress goes, and whether this is a dry run.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from './aws/clients.js';
import { resourceArns, resourceNames, type AccountScope, type ResourceArns, type ResourceNames } from './naming.js';
import { environmentOf } from './release/load-release.js';
import type { EnvironmentConfig, EnvName, ReleaseConfig } from './release/types.js';
import { resourceTags, type TagMap } from './tags.js';

/** Where modules report progress; the CLI renders it (listr2 or plain lines). */
export interface ProgressSink {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentSink: ProgressSink = { info() {}, warn() {}, debug() {} };

export const stderrSink: ProgressSink = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  debug: (m) => {
    if (process.env.MODEL_DEPLOY_DEBUG) process.stderr.write(`debug: ${m}\n`);
  },
};

export interface WaitOptions {
  /** Upper bound for SDK waiters (e.g. endpoint InService). */
  readonly maxWaitSeconds: number;
  readonly minDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

export const DEFAULT_WAIT: WaitOptions = { maxWaitSeconds: 3600, minDelaySeconds: 15, maxDelaySeconds: 60 };

/** Runs external commands (docker/buildah/podman, git); injectable for tests. */
export interface CommandRunner {
  /** Resolves with stdout; rejects (or returns non-zero exitCode) on failure. `stdin` is piped, never logged. */
  run(
    command: string,
    args: readonly string[],
    options?: { stdin?: string; cwd?: string },
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

export interface DeployContext {
  readonly release: ReleaseConfig;
  readonly envName: EnvName;
  readonly env: EnvironmentConfig;
  readonly region: string;
  readonly account: AccountScope;
  readonly clients: AwsClients;
  readonly names: ResourceNames;
  readonly arns: ResourceArns;
  readonly tags: TagMap;
  readonly log: ProgressSink;
  /** plan: modules must make read calls only. */
  readonly dryRun: boolean;
  /** The generated project (Dockerfile, model artifacts). */
  readonly projectDir: string;
  readonly wait: WaitOptions;
  readonly runner?: CommandRunner;
}

export interface ContextOptions {
  release: ReleaseConfig;
  envName: string;
  clients: AwsClients;
  accountId: string;
  partition?: string;
  projectDir?: string;
  log?: ProgressSink;
  dryRun?: boolean;
  wait?: Partial<WaitOptions>;
  runner?: CommandRunner;
}

export function createDeployContext(options: ContextOptions): DeployContext {
  const { release } = options;
  const env = environmentOf(release, options.envName);
  const envName = options.envName as EnvName;
  const account: AccountScope = {
    partition: options.partition ?? 'aws',
    region: release.region,
    accountId: options.accountId,
  };
  const names = resourceNames(release, envName);
  return Object.freeze({
    release,
    envName,
    env,
    region: release.region,
    account,
    clients: options.clients,
    names,
    arns: resourceArns(names, account),
    tags: resourceTags(release, envName),
    log: options.log ?? silentSink,
    dryRun: options.dryRun ?? false,
    projectDir: options.projectDir ?? process.cwd(),
    wait: { ...DEFAULT_WAIT, ...options.wait },
    runner: options.runner,
  });
}

/** Account id and partition of the calling identity (read-only STS call). */
export async function resolveAccount(
  clients: AwsClients,
): Promise<{ accountId: string; partition: string; arn?: string }> {
  const who = await clients.sts.send(new GetCallerIdentityCommand({}));
  const partition = who.Arn?.split(':')[1] ?? 'aws';
  return { accountId: who.Account ?? '', partition, ...(who.Arn ? { arn: who.Arn } : {}) };
}
