// Answers = flags, then prompt answers, then the answers stored in .yo-rc.json by an earlier
// run, then defaults. The cross-field rules of release.yaml are checked here so a bad
// combination stops the run before writing().
import { basename } from 'node:path';
import {
  DEFAULTS,
  ENV_DEFAULTS,
  ENVIRONMENTS,
  SECURITY_GROUP_ID,
  SUBNET_ID,
  type CacheKind,
  type CiProvider,
  type EnvName,
  type InstanceType,
  type ModelKind,
} from './constants.js';
import { GeneratorError } from './errors.js';
import { isKnownRegion, regionFromEnv } from './known-regions.js';
import { idList, type FlagAnswers, type PerEnv } from './options.js';

export interface EnvAnswers {
  /** A SageMaker Serverless endpoint: no instances, so instanceType/count/autoscaling are not written. */
  serverless?: boolean;
  instanceType: InstanceType;
  instanceCount: number;
  autoscaling: boolean;
  minCapacity: number;
  maxCapacity: number;
}

/** release.yaml `vpc`: where the cache (and then the endpoint and the proxy) run. */
export interface VpcAnswers {
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface Answers {
  name: string;
  team: string;
  environments: EnvName[];
  env: Partial<Record<EnvName, EnvAnswers>>;
  targetInvocations: number;
  cache: CacheKind;
  cacheTtl: number;
  cacheMaxEntries: number;
  /** Required with the redis cache (an ElastiCache cache lives in a VPC); undefined: no vpc block. */
  vpc: VpcAnswers | undefined;
  region: string;
  volumeSize: number;
  ci: CiProvider;
  modelKind: ModelKind;
  /** Contact of the owner (README, release.yaml model.owner -> the model-service:owner tag). */
  owner?: string;
  /**
   * File name (in model/) of an artifact the user brought with --model; stored so a re-run keeps
   * it. Undefined: the generator's starter model.
   */
  modelFile?: string;
  /** --model: where to copy the user's artifact from (this run only, not stored). */
  modelSource?: string;
  /** A .tgz or folder of @model-service/runtime to depend on instead of the registry. */
  runtimeSource?: string;
}

/** Flat prompt answers: `instanceType_dev`, `minCapacity_prod`, ... for the per-env ones. */
export type PromptAnswers = Record<string, unknown>;

function pick<T>(perEnv: PerEnv<T> | undefined, env: EnvName): T | undefined {
  return perEnv?.byEnv[env] ?? perEnv?.all;
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** An empty answer means no owner. */
function ownerOf(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** Default autoscaling maximum: twice the minimum, at least one more. */
export function defaultMax(min: number): number {
  return Math.min(100, Math.max(min * 2, min + 1));
}

/** The region when no flag, answer or earlier run gives one: AWS_REGION / AWS_DEFAULT_REGION, else the built-in default. */
export function defaultRegion(env: NodeJS.ProcessEnv = process.env): string {
  const { region, from } = regionFromEnv(env, DEFAULTS.region);
  if (from && !isKnownRegion(region)) {
    throw new GeneratorError('MS_GEN_INVALID_FLAG', {
      flag: 'region',
      value: region,
      problem: `${from} gives it, and it is not an AWS region`,
      allowed: `a real region in ${from} (e.g. eu-west-1), or --region`,
    });
  }
  return region;
}

export function resolveAnswers(
  flags: FlagAnswers,
  prompted: PromptAnswers = {},
  stored: Partial<Answers> = {},
  processEnv: NodeJS.ProcessEnv = process.env,
): Answers {
  const environments =
    flags.environments ??
    (prompted.environments as EnvName[] | undefined) ??
    stored.environments ??
    DEFAULTS.environments;
  const orderedEnvs = ENVIRONMENTS.filter((e) => environments.includes(e));
  const scalingDefault = stored.environments
    ? orderedEnvs.filter((e) => stored.env?.[e]?.autoscaling)
    : DEFAULTS.autoscaling.filter((e) => orderedEnvs.includes(e));
  const flagScaling = flags.autoscaling === 'all' ? orderedEnvs : flags.autoscaling;
  const autoscaled = flagScaling ?? (prompted.autoscaling as EnvName[] | undefined) ?? scalingDefault;
  // A per-environment value for an environment that is not generated is a typo or a mistake: say so.
  const perEnvFlags = {
    'instance-type': flags.instanceType,
    'instance-count': flags.instanceCount,
    'min-capacity': flags.minCapacity,
    'max-capacity': flags.maxCapacity,
  };
  for (const [flag, values] of Object.entries(perEnvFlags)) {
    for (const [e, value] of Object.entries(values?.byEnv ?? {})) {
      if (!orderedEnvs.includes(e as EnvName)) {
        throw new GeneratorError('MS_GEN_INVALID_FLAG', {
          flag,
          value: `${e}=${String(value)}`,
          problem: `${e} is not a generated environment`,
          allowed: `${orderedEnvs.join(', ')} (or add ${e} to --environments)`,
        });
      }
    }
  }
  for (const e of autoscaled) {
    if (!orderedEnvs.includes(e)) {
      throw new GeneratorError('MS_GEN_INVALID_FLAG', {
        flag: 'autoscaling',
        value: e,
        problem: 'that environment is not generated',
        allowed: orderedEnvs.join(', '),
      });
    }
  }

  for (const e of flags.serverless ?? []) {
    if (!orderedEnvs.includes(e))
      throw new GeneratorError('MS_GEN_INVALID_FLAG', {
        flag: 'serverless',
        value: e,
        problem: 'that environment is not generated',
        allowed: `${orderedEnvs.join(', ')} (or add ${e} to --environments)`,
      });
  }

  const env: Partial<Record<EnvName, EnvAnswers>> = {};
  for (const e of orderedEnvs) {
    const old = stored.env?.[e];
    const serverless =
      flags.serverless?.includes(e) ?? (prompted[`serverless_${e}`] as boolean | undefined) ?? old?.serverless ?? false;
    const instanceType =
      pick(flags.instanceType, e) ??
      (prompted[`instanceType_${e}`] as InstanceType | undefined) ??
      old?.instanceType ??
      ENV_DEFAULTS[e].instanceType;
    const instanceCount =
      pick(flags.instanceCount, e) ??
      num(prompted[`instanceCount_${e}`]) ??
      old?.instanceCount ??
      ENV_DEFAULTS[e].instanceCount;
    // A serverless endpoint scales itself: an explicit --autoscaling for it is a contradiction, the default just does not apply.
    if (serverless && flagScaling?.includes(e) && flags.autoscaling !== 'all')
      throw new GeneratorError('MS_GEN_INVALID_FLAG', {
        flag: 'autoscaling',
        value: e,
        problem: `${e} is serverless (--serverless), which SageMaker scales itself`,
        allowed: `environments with instances: ${orderedEnvs.filter((x) => !flags.serverless?.includes(x)).join(', ') || 'none'}`,
      });
    const autoscaling = autoscaled.includes(e) && !serverless;
    const minCapacity =
      pick(flags.minCapacity, e) ?? num(prompted[`minCapacity_${e}`]) ?? old?.minCapacity ?? instanceCount;
    const maxCapacity =
      pick(flags.maxCapacity, e) ?? num(prompted[`maxCapacity_${e}`]) ?? old?.maxCapacity ?? defaultMax(minCapacity);
    if (autoscaling && e === 'prod' && (instanceCount < 2 || minCapacity < 2)) {
      throw new GeneratorError('MS_GEN_PROD_NEEDS_TWO_INSTANCES', { count: Math.min(instanceCount, minCapacity) });
    }
    if (autoscaling && minCapacity > maxCapacity) {
      throw new GeneratorError('MS_GEN_CAPACITY_RANGE', { min: minCapacity, max: maxCapacity, env: e });
    }
    env[e] = {
      ...(serverless ? { serverless } : {}),
      instanceType,
      instanceCount,
      autoscaling,
      minCapacity,
      maxCapacity,
    };
  }

  const cache = flags.cache ?? (prompted.cache as CacheKind | undefined) ?? stored.cache ?? DEFAULTS.cache;
  const vpc = resolveVpc(cache, flags, prompted, stored);
  const serverlessEnvs = orderedEnvs.filter((e) => env[e]!.serverless);
  if (vpc && serverlessEnvs.length > 0)
    throw new GeneratorError('MS_GEN_INVALID_FLAG', {
      flag: 'serverless',
      value: serverlessEnvs.join(','),
      problem: 'a serverless endpoint cannot run in a VPC, and this project has one (the redis cache or --vpc-subnets)',
      allowed: '--serverless none, or the memory cache without a VPC',
    });
  return {
    name: flags.name ?? (prompted.name as string | undefined) ?? stored.name ?? DEFAULTS.name,
    team: flags.team ?? (prompted.team as string | undefined) ?? stored.team ?? DEFAULTS.team,
    environments: orderedEnvs,
    env,
    targetInvocations:
      flags.targetInvocations ??
      num(prompted.targetInvocations) ??
      stored.targetInvocations ??
      DEFAULTS.targetInvocations,
    cache,
    cacheTtl: flags.cacheTtl ?? num(prompted.cacheTtl) ?? stored.cacheTtl ?? DEFAULTS.cacheTtl,
    cacheMaxEntries:
      flags.cacheMaxEntries ?? num(prompted.cacheMaxEntries) ?? stored.cacheMaxEntries ?? DEFAULTS.cacheMaxEntries,
    vpc,
    region: flags.region ?? (prompted.region as string | undefined) ?? stored.region ?? defaultRegion(processEnv),
    volumeSize: flags.volumeSize ?? num(prompted.volumeSize) ?? stored.volumeSize ?? DEFAULTS.volumeSize,
    ci: flags.ci ?? (prompted.ci as CiProvider | undefined) ?? stored.ci ?? DEFAULTS.ci,
    modelKind:
      flags.modelKind ?? (prompted.modelKind as ModelKind | undefined) ?? stored.modelKind ?? DEFAULTS.modelKind,
    owner: ownerOf(flags.owner ?? (prompted.owner as string | undefined) ?? stored.owner),
    modelFile: flags.model !== undefined ? basename(flags.model) : stored.modelFile,
    modelSource: flags.model,
    runtimeSource: flags.runtimeSource,
  };
}

const promptedIds = (value: unknown, flag: string, pattern: RegExp, max: number, example: string) =>
  typeof value === 'string' && value.trim() !== '' ? idList(flag, value, pattern, max, example) : undefined;

function resolveVpc(
  cache: CacheKind,
  flags: FlagAnswers,
  prompted: PromptAnswers,
  stored: Partial<Answers>,
): VpcAnswers | undefined {
  const subnetIds =
    flags.vpcSubnets ??
    promptedIds(prompted.vpcSubnets, 'vpc-subnets', SUBNET_ID, 16, 'subnet-0a1b2c3d') ??
    stored.vpc?.subnetIds;
  const securityGroupIds =
    flags.vpcSecurityGroups ??
    promptedIds(prompted.vpcSecurityGroups, 'vpc-security-groups', SECURITY_GROUP_ID, 5, 'sg-0a1b2c3d') ??
    stored.vpc?.securityGroupIds;
  if (subnetIds && securityGroupIds) return { subnetIds, securityGroupIds };
  if (subnetIds || securityGroupIds) {
    const [given, missing] = subnetIds
      ? ['vpc-subnets', 'vpc-security-groups']
      : ['vpc-security-groups', 'vpc-subnets'];
    throw new GeneratorError('MS_GEN_INVALID_FLAG', {
      flag: given,
      value: (subnetIds ?? securityGroupIds)!.join(','),
      problem: `a VPC needs both its subnets and its security groups, and --${missing} is not given`,
      allowed: `--vpc-subnets <subnet-id,...> together with --vpc-security-groups <sg-id,...>`,
    });
  }
  if (cache === 'redis') {
    throw new GeneratorError('MS_GEN_INVALID_FLAG', {
      flag: 'cache',
      value: cache,
      problem: 'the redis cache is an ElastiCache cache in your VPC (release.yaml needs its vpc), and no VPC was given',
      allowed:
        '--cache redis with --vpc-subnets <private subnet ids> and --vpc-security-groups <endpoint security group ids>, or answer the VPC questions (without --yes)',
    });
  }
  return undefined;
}
