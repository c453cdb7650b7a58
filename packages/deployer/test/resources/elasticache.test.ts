// The provisioned cache tier (cache kind redis without an endpoint) through the whole environment
// graph against stateful fakes: release.yaml must give a VPC, then up creates the security group,
// the IAM-authenticated user and its group, and the serverless cache, waits for it, hands its
// endpoint to the model's container environment; a second up changes nothing; an up interrupted at
// each cache call converges when run again; destroy removes all of it.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { lazyClient } from '../../src/aws/lazy-context-clients.js';
import type { DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../../src/deploy-graph.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { parseRelease } from '../../src/release/load-release.js';
import { withGitSha } from '../../src/tags.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { FakeCacheAws } from '../helpers/fake-cache-aws.js';
import { FakeCoreAws } from '../helpers/fake-core-aws.js';
import { FakeEdgeAws } from '../helpers/fake-edge-aws.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const SHA = 'abc1234';
const ENDPOINT_SG = 'sg-0123abcd';
const VPC = `vpc: { subnetIds: [subnet-1a2b3c4d, subnet-0a1b2c3d], securityGroupIds: [${ENDPOINT_SG}] }`;
const REDIS = 'cache: { kind: redis, ttlSeconds: 120 }';
const YAML = RELEASE_YAML.replace('environments:', `${REDIS}\n${VPC}\nenvironments:`);

interface World {
  mocks: Mocks & { budgets: AwsStub<any, any, any>; elastiCache: AwsStub<any, any, any> };
  sm: FakeSageMaker;
  cache: FakeCacheAws;
}
let w: World;

function freshWorld(): World {
  const mocks = { ...mockAll(), budgets: mockClient(BudgetsClient), elastiCache: mockClient(ElastiCacheClient) };
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/d/ci` });
  const sm = new FakeSageMaker(mocks.sagemaker);
  new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  const core = new FakeCoreAws().install(mocks);
  new FakeEdgeAws().install(mocks);
  const world = { mocks, sm, cache: new FakeCacheAws().install(mocks) };
  runnerOf = () => core.runner(SHA);
  return world;
}
let runnerOf: () => ReturnType<FakeCoreAws['runner']>;
beforeEach(() => {
  w = freshWorld();
});
afterEach(() => restoreAll(w.mocks));

function context(options: { yaml?: string; dryRun?: boolean } = {}): DeployContext {
  return withGitSha(testContext({ yaml: YAML, ...options, runner: runnerOf() }), SHA);
}

async function up(ctx: DeployContext = context()) {
  return applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
}

/** The k-th mutating call on the cache tier's (lazily created) clients succeeds, then its caller sees a failure. */
async function loseAnswerOf(ctx: DeployContext, k: number): Promise<void> {
  let count = 0;
  for (const client of [await lazyClient(ctx, 'ec2'), await lazyClient(ctx, 'elastiCache')]) {
    const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(client, 'send', {
      configurable: true,
      value: async (...args: unknown[]) => {
        const out = await send(...args);
        if (!/^(Describe|List|Get)/.test((args[0] as object).constructor.name) && ++count === k)
          throw new Error(`lost the answer of cache mutating call ${k}`);
        return out;
      },
    });
  }
}

const CACHE = 'ms-iris-dev-cache';
const USER = 'ms-iris-dev-cache-user';

describe('release.yaml: a provisioned redis cache needs a VPC', () => {
  it('stops before any AWS call, naming the environment without a vpc and what to do', () => {
    const yaml = RELEASE_YAML.replace('environments:', `${REDIS}\nenvironments:`);
    expect(() => parseRelease(yaml)).toThrow(
      expect.objectContaining({ code: 'MS_DEPLOY_RELEASE_CACHE_NEEDS_VPC', message: expect.stringContaining('"dev"') }),
    );
  });

  it('an existing cache.endpoint needs no VPC, and one environment without a vpc is named', () => {
    const existing = 'cache: { kind: redis, endpoint: "rediss://cache.example.internal:6379" }';
    expect(() => parseRelease(RELEASE_YAML.replace('environments:', `${existing}\nenvironments:`))).not.toThrow();
    const devOnly = RELEASE_YAML.replace('volumeSizeGb: 10', `volumeSizeGb: 10\n    ${VPC}`).replace(
      'environments:',
      `${REDIS}\nenvironments:`,
    );
    expect(() => parseRelease(devOnly)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('"prod"') }),
    );
  });
});

describe('the provisioned cache tier', () => {
  it('up creates the security group, IAM user, user group and cache, then the model with its endpoint', async () => {
    const applied = await up();
    const kinds = applied.steps.map((s) => s.module.kind);
    expect(kinds.slice(kinds.indexOf('iam-role-lambda') + 1, kinds.indexOf('sagemaker-model') + 1)).toEqual([
      'cache-security-group',
      'cache-user',
      'elasticache-serverless',
      'cache-alarms',
      'sagemaker-model',
    ]);
    const [group] = [...w.cache.groups.values()];
    // Only the endpoint's security group, only on the cache port.
    expect(group).toMatchObject({ name: CACHE, vpcId: 'vpc-0123abcd', sources: [ENDPOINT_SG] });
    expect(group!.tags['model-service:env']).toBe('dev');
    expect(w.cache.users.get(USER)).toMatchObject({
      UserName: USER,
      Engine: 'valkey',
      Authentication: { Type: 'iam' },
      AccessString: 'on ~* -@all +get +set +ping +info',
    });
    expect(w.cache.userGroups.get('ms-iris-dev-cache-users')).toMatchObject({ UserIds: [USER] });
    const cache = w.cache.caches.get(CACHE)!;
    expect(cache).toMatchObject({
      Status: 'available',
      Engine: 'valkey',
      SubnetIds: ['subnet-0a1b2c3d', 'subnet-1a2b3c4d'],
      SecurityGroupIds: [group!.id],
      UserGroupId: 'ms-iris-dev-cache-users',
    });
    expect([...w.sm.models.values()][0]!.environment).toMatchObject({
      MS_CACHE: 'redis',
      MS_CACHE_TTL: '120',
      MS_REDIS_URL: `rediss://${cache.Endpoint!.Address}:6379`,
      MS_REDIS_AUTH: 'iam',
      MS_REDIS_USER: USER,
      MS_REDIS_IAM_CACHE: CACHE,
      MS_REDIS_IAM_REGION: 'eu-west-1',
    });
    // The execution role may connect to this cache as this user, and nothing else in ElastiCache.
    const policies = w.mocks.iam
      .commandCalls(PutRolePolicyCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.RoleName === 'ms-iris-dev-sagemaker');
    const statements = JSON.parse(policies.at(-1)!.PolicyDocument!).Statement as { Sid: string }[];
    expect(statements.find((s) => s.Sid === 'ConnectToCache')).toEqual({
      Sid: 'ConnectToCache',
      Effect: 'Allow',
      Action: ['elasticache:Connect'],
      Resource: [
        `arn:aws:elasticache:eu-west-1:${ACCOUNT}:serverlesscache:${CACHE}`,
        `arn:aws:elasticache:eu-west-1:${ACCOUNT}:user:${USER}`,
      ],
    });
  });

  it('plan on an empty account shows the cache, its security group and the container environment, and writes nothing', async () => {
    const ctx = context({ dryRun: true });
    const plan = await planGraph(ctx, await environmentResources(ctx, { bundle }));
    const step = (kind: string) => plan.steps.find((s) => s.module.kind === kind)!.change;
    expect(step('cache-security-group')).toMatchObject({ action: 'create', name: CACHE });
    expect(step('elasticache-serverless')).toMatchObject({ action: 'create', name: CACHE });
    const env = step('sagemaker-model').diffs.find((d) => d.field === 'environment')!.to as Record<string, string>;
    expect(env).toMatchObject({ MS_CACHE: 'redis', MS_REDIS_AUTH: 'iam', MS_REDIS_USER: USER });
    expect(env.MS_REDIS_URL).toMatch(/known after apply/i);
    expect(w.cache.mutations).toEqual([]);
  });

  it('a second up makes no cache call that writes', async () => {
    await up();
    const before = w.cache.snapshot();
    w.cache.mutations = [];
    const again = await up();
    // (The Lambda fake keeps no VpcConfig, so only the cache tier and the model are compared here.)
    const ours = ['cache-security-group', 'cache-user', 'elasticache-serverless', 'sagemaker-model'];
    const changed = again.steps.filter((s) => ours.includes(s.module.kind) && s.change.action !== 'no-change');
    expect(changed.map((s) => s.change)).toEqual([]);
    expect(w.cache.mutations).toEqual([]);
    expect(w.cache.snapshot()).toEqual(before);
  });

  it('interrupted at each cache mutating call, a rerun converges to the same cache tier', async () => {
    await up();
    const reference = w.cache.snapshot();
    const total = w.cache.mutations.length;
    expect(total).toBe(5); // group, ingress, user, user group, cache
    for (let k = 1; k <= total; k += 1) {
      restoreAll(w.mocks);
      w = freshWorld();
      w.cache.crashAt(k);
      await expect(up()).rejects.toThrow(`simulated crash at cache mutating call ${k}`);
      await up();
      expect({ k, state: w.cache.snapshot() }).toEqual({ k, state: reference });
    }
  });

  it('when the answer to each cache mutating call is lost (the call took effect), a rerun converges', async () => {
    await up();
    const reference = w.cache.snapshot();
    const total = w.cache.mutations.length;
    for (let k = 1; k <= total; k += 1) {
      restoreAll(w.mocks);
      w = freshWorld();
      const ctx = context();
      await loseAnswerOf(ctx, k);
      await expect(up(ctx)).rejects.toThrow(`lost the answer of cache mutating call ${k}`);
      await up();
      expect({ k, state: w.cache.snapshot() }).toEqual({ k, state: reference });
    }
  });

  it('the endpoint security groups in release.yaml converge: a new one is admitted, a dropped one revoked', async () => {
    await up();
    const other = 'sg-0fedcba9';
    await up(context({ yaml: YAML.replace(`securityGroupIds: [${ENDPOINT_SG}]`, `securityGroupIds: [${other}]`) }));
    expect([...w.cache.groups.values()][0]!.sources).toEqual([other]);
  });

  it('destroy deletes the cache, then its user group and user, then its security group', async () => {
    await up();
    w.cache.mutations = [];
    const ctx = context();
    await destroyGraph(
      ctx,
      await planGraph(ctx, await environmentResources(ctx, { bundle, purpose: 'destroy' })),
      silent,
    );
    expect(w.cache.mutations).toEqual([
      'DeleteServerlessCache',
      'DeleteUserGroup',
      'DeleteUser',
      'DeleteSecurityGroup',
    ]);
    expect(w.cache.snapshot()).toEqual({ caches: [], users: [], userGroups: [], groups: [] });
  });
});
