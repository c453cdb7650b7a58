// The interactive questions, one per flag. Questions whose flag was given are not asked;
// defaults come from an earlier run's answers (.yo-rc.json) or the built-in defaults.
import {
  CACHE_KINDS,
  CI_PROVIDERS,
  DEFAULTS,
  ENV_DEFAULTS,
  ENVIRONMENTS,
  INSTANCE_TYPES,
  MODEL_KINDS,
  type EnvName,
} from './constants.js';
import { defaultMax, defaultRegion, type Answers, type PromptAnswers } from './answers.js';
import { idList, type FlagAnswers } from './options.js';
import { isKnownRegion } from './known-regions.js';
import { AWS_NAME, SECURITY_GROUP_ID, SUBNET_ID, TAG_VALUE } from './constants.js';

export interface Question {
  type: 'input' | 'number' | 'select' | 'checkbox' | 'confirm';
  name: string;
  message: string;
  default?: unknown | ((answers: PromptAnswers) => unknown);
  choices?:
    | Array<string | { name: string; value: string }>
    | ((answers: PromptAnswers) => Array<string | { name: string; value: string; checked?: boolean }>);
  when?: (answers: PromptAnswers) => boolean;
  validate?: (value: unknown, answers?: PromptAnswers) => true | string;
}

const nameRule = (value: unknown): true | string =>
  AWS_NAME.test(String(value)) ||
  'Use 3-40 lowercase letters, digits and dashes, starting with a letter (AWS-name-safe).';

const teamRule = (value: unknown): true | string =>
  TAG_VALUE.test(String(value)) || 'Use 1-256 letters, digits, spaces and _ . : / = + - @ (an AWS tag value).';

const ownerRule = (value: unknown): true | string =>
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  (String(value).trim().length <= 256 && !/[\u0000-\u001f\u007f]/.test(String(value))) ||
  'One line of at most 256 characters, e.g. jane.doe@example.com.';

const intRule =
  (min: number, max: number) =>
  (value: unknown): true | string =>
    (Number.isInteger(Number(value)) && Number(value) >= min && Number(value) <= max) ||
    `Enter a whole number from ${min} to ${max}.`;

/** Environments with autoscaling as far as known: the flag ("all" = every chosen one) or the answer. */
function scaledOf(flags: FlagAnswers, answers: PromptAnswers, stored: Partial<Answers>): string[] {
  const serverless = serverlessOf(flags, answers, stored);
  const scaled =
    flags.autoscaling === 'all'
      ? envsOf(flags, answers, stored)
      : (flags.autoscaling ?? (answers.autoscaling as string[] | undefined) ?? []);
  return scaled.filter((e) => !serverless.includes(e as EnvName));
}

/** Environments answered (or flagged) serverless so far. */
function serverlessOf(flags: FlagAnswers, answers: PromptAnswers, stored: Partial<Answers>): EnvName[] {
  if (flags.serverless) return flags.serverless;
  return ENVIRONMENTS.filter((e) => (answers[`serverless_${e}`] as boolean | undefined) ?? stored.env?.[e]?.serverless);
}

function envsOf(flags: FlagAnswers, answers: PromptAnswers, stored: Partial<Answers>): EnvName[] {
  return (
    flags.environments ??
    (answers.environments as EnvName[] | undefined) ??
    stored.environments ??
    DEFAULTS.environments
  );
}

export function buildQuestions(flags: FlagAnswers, stored: Partial<Answers>): Question[] {
  const q: Question[] = [];
  if (flags.name === undefined)
    q.push({
      type: 'input',
      name: 'name',
      message: 'Model name (lowercase, AWS-name-safe)',
      default: stored.name ?? DEFAULTS.name,
      validate: nameRule,
    });
  if (flags.team === undefined)
    q.push({
      type: 'input',
      name: 'team',
      message: 'Team that owns it (the model-service:team tag)',
      default: stored.team ?? DEFAULTS.team,
      validate: teamRule,
    });
  if (flags.owner === undefined) {
    q.push({
      type: 'input',
      name: 'owner',
      message: 'Owner contact for hand-over and the owner tag (e.g. an email; empty to skip)',
      default: stored.owner ?? '',
      validate: (v) => String(v).trim() === '' || ownerRule(v),
    });
  }
  if (flags.environments === undefined) {
    const chosen = stored.environments ?? DEFAULTS.environments;
    q.push({
      type: 'checkbox',
      name: 'environments',
      message: 'Environments',
      choices: () => ENVIRONMENTS.map((e) => ({ name: e, value: e, checked: chosen.includes(e) })),
      validate: (v) => (Array.isArray(v) && v.length > 0) || 'Pick at least one environment.',
    });
  }
  for (const e of ENVIRONMENTS) {
    const listed = (a: PromptAnswers) => envsOf(flags, a, stored).includes(e);
    const old = stored.env?.[e];
    if (flags.serverless === undefined) {
      q.push({
        type: 'confirm',
        name: `serverless_${e}`,
        message: `${e}: serverless (scale to zero, pay per request; the first request after idle waits for a cold start)?`,
        default: old?.serverless ?? false,
        when: listed,
      });
    }
    // Instance questions only for environments with instances.
    const has = (a: PromptAnswers) => listed(a) && !serverlessOf(flags, a, stored).includes(e);
    if (flags.instanceType?.byEnv[e] === undefined && flags.instanceType?.all === undefined) {
      q.push({
        type: 'select',
        name: `instanceType_${e}`,
        message: `${e}: SageMaker instance type`,
        choices: [...INSTANCE_TYPES],
        default: old?.instanceType ?? ENV_DEFAULTS[e].instanceType,
        when: has,
      });
    }
    if (flags.instanceCount?.byEnv[e] === undefined && flags.instanceCount?.all === undefined) {
      q.push({
        type: 'number',
        name: `instanceCount_${e}`,
        message: `${e}: instance count`,
        default: old?.instanceCount ?? ENV_DEFAULTS[e].instanceCount,
        when: has,
        validate: intRule(1, 100),
      });
    }
  }
  if (flags.autoscaling === undefined) {
    q.push({
      type: 'checkbox',
      name: 'autoscaling',
      message: 'Environments with autoscaling (prod needs 2+ instances)',
      choices: (a) =>
        envsOf(flags, a, stored)
          .filter((e) => !serverlessOf(flags, a, stored).includes(e))
          .map((e) => {
            const count = Number(
              a[`instanceCount_${e}`] ??
                flags.instanceCount?.byEnv[e] ??
                flags.instanceCount?.all ??
                ENV_DEFAULTS[e].instanceCount,
            );
            const on = stored.env
              ? Boolean(stored.env[e]?.autoscaling)
              : (DEFAULTS.autoscaling as string[]).includes(e);
            return { name: e, value: e, checked: on && !(e === 'prod' && count < 2) };
          }),
      validate: (v, a) => {
        const list = Array.isArray(v)
          ? v.map((x) => (typeof x === 'object' && x && 'value' in x ? (x as { value: string }).value : String(x)))
          : [];
        const count = Number(a?.instanceCount_prod ?? flags.instanceCount?.byEnv.prod ?? flags.instanceCount?.all ?? 2);
        return (
          !list.includes('prod') ||
          count >= 2 ||
          'prod autoscaling needs an instance count of at least 2; raise the prod count or untick prod.'
        );
      },
    });
  }
  for (const e of ENVIRONMENTS) {
    const scaled = (a: PromptAnswers) => envsOf(flags, a, stored).includes(e) && scaledOf(flags, a, stored).includes(e);
    const count = (a: PromptAnswers) =>
      Number(
        a[`instanceCount_${e}`] ??
          flags.instanceCount?.byEnv[e] ??
          flags.instanceCount?.all ??
          ENV_DEFAULTS[e].instanceCount,
      );
    if (flags.minCapacity === undefined) {
      q.push({
        type: 'number',
        name: `minCapacity_${e}`,
        message: `${e}: autoscaling minimum`,
        default: (a: PromptAnswers) => stored.env?.[e]?.minCapacity ?? count(a),
        when: scaled,
        validate: intRule(e === 'prod' ? 2 : 1, 100),
      });
    }
    if (flags.maxCapacity === undefined) {
      q.push({
        type: 'number',
        name: `maxCapacity_${e}`,
        message: `${e}: autoscaling maximum`,
        default: (a: PromptAnswers) =>
          stored.env?.[e]?.maxCapacity ?? defaultMax(Number(a[`minCapacity_${e}`] ?? count(a))),
        when: scaled,
        validate: (v, a) =>
          (Number(v) >= Number(a?.[`minCapacity_${e}`] ?? 1) && Number(v) <= 100) ||
          'The maximum must be at least the minimum and at most 100.',
      });
    }
  }
  if (flags.targetInvocations === undefined) {
    q.push({
      type: 'number',
      name: 'targetInvocations',
      message: 'Autoscaling target: invocations per instance per minute',
      default: stored.targetInvocations ?? DEFAULTS.targetInvocations,
      when: (a) => scaledOf(flags, a, stored).length > 0,
      validate: intRule(1, 100000),
    });
  }
  if (flags.cache === undefined)
    q.push({
      type: 'select',
      name: 'cache',
      message: 'Prediction cache',
      choices: [...CACHE_KINDS],
      default: stored.cache ?? DEFAULTS.cache,
    });
  const cacheOn = (a: PromptAnswers) => (flags.cache ?? a.cache ?? stored.cache ?? DEFAULTS.cache) !== 'off';
  if (flags.cacheTtl === undefined)
    q.push({
      type: 'number',
      name: 'cacheTtl',
      message: 'Cache TTL (seconds)',
      default: stored.cacheTtl ?? DEFAULTS.cacheTtl,
      when: cacheOn,
      validate: intRule(1, 604800),
    });
  // Only the in-memory cache has a size bound here; Redis evicts by its own maxmemory policy.
  const memoryCache = (a: PromptAnswers) => (flags.cache ?? a.cache ?? stored.cache ?? DEFAULTS.cache) === 'memory';
  if (flags.cacheMaxEntries === undefined)
    q.push({
      type: 'number',
      name: 'cacheMaxEntries',
      message: 'Cache size (max entries)',
      default: stored.cacheMaxEntries ?? DEFAULTS.cacheMaxEntries,
      when: memoryCache,
      validate: intRule(1, 10000000),
    });
  // The redis cache is an ElastiCache cache in the release's VPC: release.yaml must name that VPC.
  const redisCache = (a: PromptAnswers) => (flags.cache ?? a.cache ?? stored.cache ?? DEFAULTS.cache) === 'redis';
  const idsRule = (flag: string, pattern: RegExp, max: number, example: string) => (v: unknown) => {
    try {
      idList(flag, String(v ?? ''), pattern, max, example);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };
  if (flags.vpcSubnets === undefined)
    q.push({
      type: 'input',
      name: 'vpcSubnets',
      message: 'VPC for the redis cache: private subnets (comma-separated subnet ids)',
      default: stored.vpc?.subnetIds.join(','),
      when: redisCache,
      validate: idsRule('vpc-subnets', SUBNET_ID, 16, 'subnet-0a1b2c3d,subnet-4e5f6a7b'),
    });
  if (flags.vpcSecurityGroups === undefined)
    q.push({
      type: 'input',
      name: 'vpcSecurityGroups',
      message: "VPC for the redis cache: the endpoint's security groups (comma-separated sg ids)",
      default: stored.vpc?.securityGroupIds.join(','),
      when: redisCache,
      validate: idsRule('vpc-security-groups', SECURITY_GROUP_ID, 5, 'sg-0a1b2c3d'),
    });
  if (flags.region === undefined)
    q.push({
      type: 'input',
      name: 'region',
      message: 'AWS region',
      default: stored.region ?? defaultRegion(),
      validate: (v) => isKnownRegion(String(v)) || 'Enter an AWS region such as eu-west-1 (one the AWS SDK knows).',
    });
  if (flags.volumeSize === undefined)
    q.push({
      type: 'number',
      name: 'volumeSize',
      message: 'Volume size per instance (GB)',
      default: stored.volumeSize ?? DEFAULTS.volumeSize,
      validate: intRule(1, 512),
    });
  if (flags.ci === undefined) {
    q.push({
      type: 'select',
      name: 'ci',
      message: 'CI provider',
      choices: CI_PROVIDERS.map((c) => ({
        name: { github: 'GitHub Actions', circleci: 'CircleCI', none: 'none' }[c],
        value: c,
      })),
      default: stored.ci ?? DEFAULTS.ci,
    });
  }
  if (flags.modelKind === undefined) {
    q.push({
      type: 'select',
      name: 'modelKind',
      message: 'Model kind',
      choices: MODEL_KINDS.map((k) => ({
        name: k === 'onnx' ? 'ONNX (onnxruntime-node)' : 'plain TypeScript',
        value: k,
      })),
      default: stored.modelKind ?? DEFAULTS.modelKind,
    });
  }
  return q;
}
