// Every question has a flag. This file declares them and turns raw flag values (strings
// from a command line, or typed values from yeoman-test) into checked partial answers,
// throwing MS_GEN_INVALID_FLAG before any file is written.
import {
  AWS_NAME,
  CACHE_KINDS,
  CI_PROVIDERS,
  ENVIRONMENTS,
  INSTANCE_TYPES,
  MODEL_KINDS,
  PACKAGE_SOURCES,
  SECURITY_GROUP_ID,
  SUBNET_ID,
  TAG_VALUE,
  type CacheKind,
  type CiProvider,
  type EnvName,
  type InstanceType,
  type ModelKind,
  type PackageSource,
} from './constants.js';
import { GeneratorError } from './errors.js';
import { isKnownRegion } from './known-regions.js';

export interface FlagSpec {
  name: string;
  type: typeof String | typeof Boolean;
  description: string;
}

export const FLAGS: FlagSpec[] = [
  {
    name: 'model-name',
    type: String,
    description: 'Model name (same as the positional [name]); lowercase, AWS-name-safe, 3-40 chars',
  },
  {
    name: 'team',
    type: String,
    description: 'Owning team, the model-service:team tag: 1-256 letters, digits, spaces and _ . : / = + - @',
  },
  { name: 'environments', type: String, description: `Comma-separated environments: ${ENVIRONMENTS.join(', ')}` },
  {
    name: 'serverless',
    type: String,
    description:
      'Environments that run SageMaker Serverless Inference (scale to zero, billed per request; cold starts): comma-separated or "none" (default: none)',
  },
  {
    name: 'instance-type',
    type: String,
    description: 'SageMaker instance type for all environments, or per env: dev=ml.t2.medium,prod=ml.m5.large',
  },
  {
    name: 'instance-count',
    type: String,
    description: 'Instance count for all environments, or per env: dev=1,prod=2',
  },
  {
    name: 'autoscaling',
    type: String,
    description: 'Environments with autoscaling: comma-separated, "none" or "all" (default: prod)',
  },
  {
    name: 'min-capacity',
    type: String,
    description: 'Autoscaling minimum (default: the instance count); number or per env',
  },
  {
    name: 'max-capacity',
    type: String,
    description: 'Autoscaling maximum (default: twice the minimum); number or per env',
  },
  {
    name: 'target-invocations',
    type: String,
    description: 'Autoscaling target invocations per instance per minute (default 100)',
  },
  { name: 'cache', type: String, description: `Prediction cache: ${CACHE_KINDS.join(' | ')}` },
  { name: 'cache-ttl', type: String, description: 'Cache entry lifetime in seconds' },
  { name: 'cache-max-entries', type: String, description: 'Cache size bound (entries)' },
  {
    name: 'vpc-subnets',
    type: String,
    description:
      'redis cache: private subnets of the VPC the cache and endpoint run in, e.g. subnet-0a1b2c3d,subnet-4e5f6a7b',
  },
  {
    name: 'vpc-security-groups',
    type: String,
    description: "redis cache: the endpoint's security groups in that VPC, e.g. sg-0a1b2c3d",
  },
  { name: 'region', type: String, description: 'AWS region, e.g. eu-west-1' },
  {
    name: 'volume-size',
    type: String,
    description: 'EBS volume per instance in GB (1-512); ignored for types with instance storage',
  },
  { name: 'ci', type: String, description: `CI provider: ${CI_PROVIDERS.join(' | ')}` },
  { name: 'model-kind', type: String, description: `Model kind: ${MODEL_KINDS.join(' | ')}` },
  {
    name: 'model',
    type: String,
    description:
      'Your trained model artifact (a file): copied into model/, its sha256 recorded in release.yaml; .onnx implies --model-kind onnx',
  },
  {
    name: 'sample',
    type: String,
    description:
      'Rows to run your ONNX model on at init (data.csv with a header, or data.jsonl): they name the features and become the inference tests and golden set',
  },
  {
    name: 'label-column',
    type: String,
    description: 'The --sample column holding the true value: fills model/metrics.json (accuracy, or RMSE/MAE/R²)',
  },
  {
    name: 'owner',
    type: String,
    description: 'Contact of the owner (e.g. an email): in README.md and release.yaml (tag model-service:owner)',
  },
  {
    name: 'packages',
    type: String,
    description:
      'Where @model-service/runtime and deployer come from: checkout (packed from this repo into vendor/; the default when run from a checkout) | registry',
  },
  {
    name: 'runtime-source',
    type: String,
    description:
      'Use this @model-service/runtime instead: an `npm pack` .tgz (copied into vendor/) or a package folder',
  },
  { name: 'yes', type: Boolean, description: 'Take defaults for every question not given by a flag (non-interactive)' },
];

export type PerEnv<T> = { all?: T; byEnv: Partial<Record<EnvName, T>> };

/** What the flags said; undefined = not given. */
export interface FlagAnswers {
  name?: string;
  team?: string;
  environments?: EnvName[];
  /** --serverless: environments with a serverless endpoint instead of instances ([] = none). */
  serverless?: EnvName[];
  instanceType?: PerEnv<InstanceType>;
  instanceCount?: PerEnv<number>;
  /** "all": every generated environment, whichever --environments (or the default) gives. */
  autoscaling?: EnvName[] | 'all';
  minCapacity?: PerEnv<number>;
  maxCapacity?: PerEnv<number>;
  targetInvocations?: number;
  cache?: CacheKind;
  cacheTtl?: number;
  cacheMaxEntries?: number;
  vpcSubnets?: string[];
  vpcSecurityGroups?: string[];
  region?: string;
  volumeSize?: number;
  ci?: CiProvider;
  modelKind?: ModelKind;
  /** --model: path of the user's artifact, checked to be a readable file in the generator. */
  model?: string;
  owner?: string;
  /** --packages: checkout = pack @model-service/* from the repo the generator runs from; registry = semver ranges. */
  packages?: PackageSource;
  runtimeSource?: string;
  /** --sample: rows the ONNX model is run on at init; --label-column: their true values. */
  sample?: string;
  labelColumn?: string;
  yes: boolean;
}

function camel(flag: string): string {
  return flag.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** Reads a flag under its kebab or camelCase key; Yeoman and yeoman-test pass either. */
function raw(options: Record<string, unknown>, flag: string): string | undefined {
  const value = options[flag] ?? options[camel(flag)];
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

function invalid(flag: string, value: string, problem: string, allowed: string): never {
  throw new GeneratorError('MS_GEN_INVALID_FLAG', { flag, value, problem, allowed });
}

/** A comma-separated list of AWS ids, each matching `pattern`, no repeats, at most `max`. */
export function idList(flag: string, value: string, pattern: RegExp, max: number, example: string): string[] {
  const ids = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const bad = ids.find((id) => !pattern.test(id));
  if (ids.length === 0 || bad !== undefined)
    invalid(flag, value, bad ? `${bad} is not such an id` : 'it lists no id', `comma-separated ids, e.g. ${example}`);
  if (new Set(ids).size !== ids.length) invalid(flag, value, 'it lists an id twice', `each id once, e.g. ${example}`);
  if (ids.length > max) invalid(flag, value, `it lists ${ids.length} ids`, `at most ${max}`);
  return ids;
}

/** An AWS tag value (the team is only a tag): 1-256 letters, digits, spaces and _ . : / = + - @. */
export function checkTeam(flag: string, value: string): string {
  if (!TAG_VALUE.test(value))
    invalid(
      flag,
      value,
      'it must be 1-256 letters, digits, spaces and _ . : / = + - @ (what AWS allows in a tag value), without leading or trailing spaces',
      'e.g. ml, data-science, "Risk Models"',
    );
  return value;
}

export function checkName(flag: string, value: string): string {
  if (!AWS_NAME.test(value)) {
    invalid(
      flag,
      value,
      'it must be lowercase letters, digits and dashes, start with a letter, end with a letter or digit, 3-40 characters',
      'e.g. churn, fraud-score',
    );
  }
  return value;
}

/** A contact: one line, 1-256 characters (the release schema's model.owner). */
export function checkOwner(flag: string, value: string): string {
  const v = value.trim();
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (v.length === 0 || v.length > 256 || /[\u0000-\u001f\u007f]/.test(v)) {
    invalid(
      flag,
      value,
      'it must be one line of 1-256 characters',
      'e.g. jane.doe@example.com or "#risk-models (Slack)"',
    );
  }
  return v;
}

export function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    invalid(flag, value, 'it is not a whole number in range', `${min}..${max}`);
  }
  return n;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) invalid(flag, value, 'unknown value', allowed.join(', '));
  return value as T;
}

function envList(flag: string, value: string, allowed: readonly EnvName[]): EnvName[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) invalid(flag, value, 'no environment named', allowed.join(', '));
  for (const item of items) oneOf(flag, item, allowed);
  // Keep the canonical dev -> qa -> staging -> prod order whatever order was typed.
  return ENVIRONMENTS.filter((e) => items.includes(e));
}

/** "v" applies to all environments; "dev=v1,prod=v2" sets some. */
function perEnv<T>(flag: string, value: string, parse: (v: string) => T): PerEnv<T> {
  if (!value.includes('=')) return { all: parse(value.trim()), byEnv: {} };
  const byEnv: Partial<Record<EnvName, T>> = {};
  for (const pair of value.split(',')) {
    const [env, v] = pair.split('=').map((s) => s.trim());
    if (!env || v === undefined || v === '')
      invalid(flag, value, `"${pair}" is not env=value`, 'a single value, or env=value pairs like dev=1,prod=2');
    byEnv[oneOf(flag, env, ENVIRONMENTS)] = parse(v);
  }
  return { byEnv };
}

/** Parses and checks every flag; throws on the first invalid one. */
export function parseFlags(options: Record<string, unknown>, positionalName?: string): FlagAnswers {
  const out: FlagAnswers = { yes: Boolean(options.yes) };
  const name = raw(options, 'model-name') ?? positionalName;
  // The positional [name] is the same answer as --model-name: errors name the flag that exists.
  if (name !== undefined) out.name = checkName('model-name', name);
  const team = raw(options, 'team');
  if (team !== undefined) out.team = checkTeam('team', team);
  const envs = raw(options, 'environments');
  if (envs !== undefined) out.environments = envList('environments', envs, ENVIRONMENTS);
  const serverless = raw(options, 'serverless');
  if (serverless !== undefined)
    out.serverless = serverless === 'none' ? [] : envList('serverless', serverless, out.environments ?? ENVIRONMENTS);
  const type = raw(options, 'instance-type');
  if (type !== undefined)
    out.instanceType = perEnv('instance-type', type, (v) => oneOf('instance-type', v, INSTANCE_TYPES));
  const count = raw(options, 'instance-count');
  if (count !== undefined)
    out.instanceCount = perEnv('instance-count', count, (v) => parseInteger('instance-count', v, 1, 100));
  const scaling = raw(options, 'autoscaling');
  if (scaling !== undefined) {
    if (scaling === 'none' || scaling === 'false') out.autoscaling = [];
    // Resolved against the generated environments once they are known (answers.ts).
    else if (scaling === 'all') out.autoscaling = 'all';
    else out.autoscaling = envList('autoscaling', scaling, out.environments ?? ENVIRONMENTS);
  }
  const min = raw(options, 'min-capacity');
  if (min !== undefined) out.minCapacity = perEnv('min-capacity', min, (v) => parseInteger('min-capacity', v, 1, 100));
  const max = raw(options, 'max-capacity');
  if (max !== undefined) out.maxCapacity = perEnv('max-capacity', max, (v) => parseInteger('max-capacity', v, 1, 100));
  const target = raw(options, 'target-invocations');
  if (target !== undefined) out.targetInvocations = parseInteger('target-invocations', target, 1, 100000);
  const cache = raw(options, 'cache');
  if (cache !== undefined) out.cache = oneOf('cache', cache, CACHE_KINDS);
  const ttl = raw(options, 'cache-ttl');
  if (ttl !== undefined) out.cacheTtl = parseInteger('cache-ttl', ttl, 1, 604800);
  const entries = raw(options, 'cache-max-entries');
  if (entries !== undefined) out.cacheMaxEntries = parseInteger('cache-max-entries', entries, 1, 10000000);
  const subnets = raw(options, 'vpc-subnets');
  if (subnets !== undefined)
    out.vpcSubnets = idList('vpc-subnets', subnets, SUBNET_ID, 16, 'subnet-0a1b2c3d,subnet-4e5f6a7b');
  const groups = raw(options, 'vpc-security-groups');
  if (groups !== undefined)
    out.vpcSecurityGroups = idList('vpc-security-groups', groups, SECURITY_GROUP_ID, 5, 'sg-0a1b2c3d');
  const region = raw(options, 'region');
  if (region !== undefined) {
    if (!isKnownRegion(region))
      invalid(
        'region',
        region,
        "it is not an AWS region (the AWS SDK's region table does not have it)",
        'e.g. eu-west-1, us-east-1, us-gov-west-1',
      );
    out.region = region;
  }
  const volume = raw(options, 'volume-size');
  if (volume !== undefined) out.volumeSize = parseInteger('volume-size', volume, 1, 512);
  const ci = raw(options, 'ci');
  if (ci !== undefined) out.ci = oneOf('ci', ci, CI_PROVIDERS);
  const kind = raw(options, 'model-kind');
  if (kind !== undefined) out.modelKind = oneOf('model-kind', kind, MODEL_KINDS);
  const model = raw(options, 'model');
  if (model !== undefined) {
    out.model = model;
    // An .onnx file is an ONNX model; anything else runs through the TypeScript loader.
    const implied: ModelKind = model.toLowerCase().endsWith('.onnx') ? 'onnx' : 'typescript';
    if (out.modelKind === undefined) out.modelKind = implied;
    else if (implied === 'onnx' && out.modelKind !== 'onnx')
      invalid('model-kind', out.modelKind, `--model ${model} is an ONNX file`, 'onnx (or leave --model-kind out)');
  }
  const owner = raw(options, 'owner');
  if (owner !== undefined) out.owner = checkOwner('owner', owner);
  const packages = raw(options, 'packages');
  if (packages !== undefined) out.packages = oneOf('packages', packages, PACKAGE_SOURCES);
  const source = raw(options, 'runtime-source');
  if (source !== undefined) out.runtimeSource = source;
  const sample = raw(options, 'sample');
  if (sample !== undefined) out.sample = sample;
  const labelColumn = raw(options, 'label-column');
  if (labelColumn !== undefined) {
    if (sample === undefined)
      invalid(
        'label-column',
        labelColumn,
        'it names a column of --sample, which is not given',
        '--sample data.csv --label-column <column>',
      );
    out.labelColumn = labelColumn;
  }
  return out;
}
