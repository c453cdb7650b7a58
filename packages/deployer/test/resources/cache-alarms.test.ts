// The provisioned cache's alarms (AWS/ElastiCache, clusterId = the serverless cache) through the
// whole environment graph against the stateful fakes: made with the cache, never rollback alarms,
// unchanged on a second up, converging after an up interrupted at (or losing the answer of) each
// of their PutMetricAlarm calls, and removed by destroy, also once release.yaml stopped
// provisioning a cache.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { renderStatus } from '../../src/commands/status.js';
import type { DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, environmentResources, planGraph } from '../../src/deploy-graph.js';
import { collectStatus } from '../../src/environment-status.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { rollbackAlarmNames } from '../../src/resources/deployment-config.js';
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
const VPC = 'vpc: { subnetIds: [subnet-1a2b3c4d, subnet-0a1b2c3d], securityGroupIds: [sg-0123abcd] }';
const YAML = RELEASE_YAML.replace('environments:', `cache: { kind: redis }\n${VPC}\nenvironments:`);
const MEMORY_YAML = RELEASE_YAML.replace('environments:', `cache: { kind: memory }\n${VPC}\nenvironments:`);
const CACHE = 'ms-iris-dev-cache';
const CACHE_ALARMS = [
  'ms-iris-dev-cache-memory',
  'ms-iris-dev-cache-evictions',
  'ms-iris-dev-cache-throttled',
  'ms-iris-dev-cache-ecpu',
];
const isCacheAlarm = (name: unknown) => CACHE_ALARMS.includes(String(name));

interface World {
  mocks: Mocks & { budgets: AwsStub<any, any, any>; elastiCache: AwsStub<any, any, any> };
  core: FakeCoreAws;
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
  new FakeCacheAws().install(mocks);
  return { mocks, core };
}
beforeEach(() => {
  w = freshWorld();
});
afterEach(() => restoreAll(w.mocks));

function context(yaml = YAML): DeployContext {
  return withGitSha(testContext({ yaml, runner: w.core.runner(SHA) }), SHA);
}

async function up(ctx: DeployContext = context()) {
  return applyGraph(ctx, await planGraph(ctx, await environmentResources(ctx, { bundle })), silent);
}

async function destroy(ctx: DeployContext) {
  await destroyGraph(
    ctx,
    await planGraph(ctx, await environmentResources(ctx, { bundle, purpose: 'destroy' })),
    silent,
  );
}

const cacheAlarmState = () =>
  Object.fromEntries([...w.core.alarms].filter(([name]) => isCacheAlarm(name)).sort(([a], [b]) => a.localeCompare(b)));
const cachePuts = () =>
  w.mocks.cloudWatch
    .commandCalls(PutMetricAlarmCommand)
    .map((c) => c.args[0].input.AlarmName)
    .filter(isCacheAlarm);

/** The k-th PutMetricAlarm of a cache alarm fails: before it reaches AWS (crash) or after (answer lost). */
function failCachePut(ctx: DeployContext, k: number, when: 'before' | 'after'): void {
  const client = ctx.clients.cloudWatch;
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let count = 0;
  Object.defineProperty(client, 'send', {
    configurable: true,
    value: async (...args: unknown[]) => {
      const command = args[0] as { input?: { AlarmName?: string } };
      const hit = command instanceof PutMetricAlarmCommand && isCacheAlarm(command.input?.AlarmName) && ++count === k;
      if (hit && when === 'before') throw new Error(`simulated crash at cache alarm put ${k}`);
      const out = await send(...args);
      if (hit) throw new Error(`lost the answer of cache alarm put ${k}`);
      return out;
    },
  });
}

describe('the provisioned cache alarms', () => {
  it('up makes one alarm per cache metric, on the serverless cache, tagged, none of them a rollback alarm', async () => {
    const applied = await up();
    const kinds = applied.steps.map((s) => s.module.kind);
    expect(kinds.indexOf('cache-alarms')).toBe(kinds.indexOf('elasticache-serverless') + 1);
    const put = w.mocks.cloudWatch
      .commandCalls(PutMetricAlarmCommand)
      .map((c) => c.args[0].input)
      .filter((i) => isCacheAlarm(i.AlarmName));
    expect(put.map((i) => [i.AlarmName, i.MetricName])).toEqual([
      ['ms-iris-dev-cache-memory', 'BytesUsedForCache'],
      ['ms-iris-dev-cache-evictions', 'Evictions'],
      ['ms-iris-dev-cache-throttled', 'ThrottledCmds'],
      ['ms-iris-dev-cache-ecpu', 'ElastiCacheProcessingUnits'],
    ]);
    for (const i of put) {
      expect(i).toMatchObject({
        Namespace: 'AWS/ElastiCache',
        Dimensions: [{ Name: 'clusterId', Value: CACHE }],
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(i.Tags).toContainEqual({ Key: 'model-service:env', Value: 'dev' });
    }
    expect(put[0]).toMatchObject({ Statistic: 'Maximum', Threshold: 1024 ** 3, Period: 300 });
    expect(put[1]).toMatchObject({ Statistic: 'Sum', Threshold: 0, Period: 60, DatapointsToAlarm: 2 });
    const ctx = context();
    for (const strategy of ['all-at-once', 'canary', 'linear'] as const)
      expect(rollbackAlarmNames(ctx, strategy).filter(isCacheAlarm)).toEqual([]);
  });

  it('a second up plans no change for them and puts none', async () => {
    await up();
    w.mocks.cloudWatch.resetHistory();
    const again = await up();
    expect(again.steps.find((s) => s.module.kind === 'cache-alarms')!.change.action).toBe('no-change');
    expect(cachePuts()).toEqual([]);
  });

  it('a release without a provisioned cache makes no cache alarm call', async () => {
    await up(context(MEMORY_YAML));
    const touched = w.mocks.cloudWatch
      .commandCalls(DescribeAlarmsCommand)
      .flatMap((c) => c.args[0].input.AlarmNames ?? []);
    expect(touched.filter(isCacheAlarm)).toEqual([]);
    expect(cachePuts()).toEqual([]);
  });

  for (const when of ['before', 'after'] as const) {
    it(`interrupted at each of their PutMetricAlarm calls (${when === 'before' ? 'crash' : 'answer lost'}), a rerun converges and puts only what is missing`, async () => {
      await up();
      const reference = cacheAlarmState();
      expect(Object.keys(reference)).toHaveLength(4);
      for (let k = 1; k <= CACHE_ALARMS.length; k += 1) {
        restoreAll(w.mocks);
        w = freshWorld();
        const ctx = context();
        failCachePut(ctx, k, when);
        await expect(up(ctx)).rejects.toThrow(`cache alarm put ${k}`);
        const made = Object.keys(cacheAlarmState()).length;
        expect({ k, made }).toEqual({ k, made: when === 'before' ? k - 1 : k });
        w.mocks.cloudWatch.resetHistory();
        await up();
        expect({ k, state: cacheAlarmState() }).toEqual({ k, state: reference });
        expect({ k, puts: cachePuts() }).toEqual({ k, puts: CACHE_ALARMS.slice(made) });
      }
    });
  }

  it('destroy deletes them', async () => {
    await up();
    await destroy(context());
    expect(cacheAlarmState()).toEqual({});
  });

  it('destroy deletes them also after release.yaml stopped provisioning the cache', async () => {
    await up();
    w.mocks.cloudWatch.resetHistory();
    await destroy(context(MEMORY_YAML));
    const deleted = w.mocks.cloudWatch.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames);
    expect(deleted).toEqual(expect.arrayContaining(CACHE_ALARMS));
    expect(cacheAlarmState()).toEqual({});
  });

  it('status shows the cache (name, state, engine, endpoint) and its alarms; missing ones make it incomplete', async () => {
    await up();
    const status = await collectStatus(context());
    expect(status.cache).toEqual({
      name: CACHE,
      exists: true,
      status: 'available',
      engine: 'valkey 8',
      endpoint: expect.stringMatching(/^rediss:\/\/.+:6379$/),
    });
    expect(status.alarms.map((a) => a.name).filter(isCacheAlarm)).toEqual(CACHE_ALARMS);
    const text = renderStatus('iris', status);
    expect(text).toMatch(new RegExp(`cache {12}${CACHE}  available  valkey 8  rediss://`));
    expect(text).toContain('ms-iris-dev-cache-memory  ?  (alarm when > 1 GiB BytesUsedForCache');
    expect(text).toContain('ms-iris-dev-cache-evictions  ?  (alarm when > 0 Evictions (sum over 60 s)');
    w.core.alarms.delete('ms-iris-dev-cache-ecpu');
    const partial = await collectStatus(context());
    expect(partial.missing).toEqual(['alarm ms-iris-dev-cache-ecpu']);
  });

  it('status of a release without a provisioned cache reads no cache and says what the cache is', async () => {
    await up(context(MEMORY_YAML));
    w.mocks.elastiCache.resetHistory();
    const status = await collectStatus(context(MEMORY_YAML));
    expect(status.cache).toBeUndefined();
    expect(w.mocks.elastiCache.calls()).toEqual([]);
    expect(renderStatus('iris', status)).toContain('  cache            memory (in each instance)');
  });
});
