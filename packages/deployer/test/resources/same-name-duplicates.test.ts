// User pools and REST APIs are named, not keyed, by their name: two runs that
// raced through the create (no lock: an older model-deploy) or a run that died
// right after its create leave two of the same name. Every module then uses the
// oldest, plan says there are more, up leaves them (they may hold users or
// callers), destroy deletes every one; and a create that finds, right after,
// an older one of its name deletes its own and carries on with the older one.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeployContext } from '../../src/context.js';
import { applyGraph, destroyGraph, planGraph, type AnyResource } from '../../src/deploy-graph.js';
import { codeSha256 } from '../../src/lambda-bundle.js';
import { createProgress } from '../../src/progress.js';
import { apiGatewayResource, findApi } from '../../src/resources/api-gateway.js';
import { apiKeyResource } from '../../src/resources/api-key.js';
import { cognitoResource, findPoolId } from '../../src/resources/cognito.js';
import { createLambdaProxyResource } from '../../src/resources/lambda-proxy.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { ACCOUNT, mockAll, recordingSink, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { EDGE_MUTATING, FakeEdgeAws } from '../helpers/fake-edge-aws.js';

const upstreamStub: ResourceModule<null, null> = {
  kind: 'upstream-stub',
  desired: () => null,
  observe: async () => null,
  plan: () => ({ kind: 'upstream-stub', name: 'stub', action: 'no-change', diffs: [] }),
  apply: async () => ({
    lambdaRoleArn: `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`,
    endpointName: 'ms-iris-dev',
  }),
};
const zip = Uint8Array.from([7, 7, 7]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const edge = (): AnyResource[] => [
  upstreamStub,
  createLambdaProxyResource({ bundle, sleep: async () => {} }),
  cognitoResource,
  apiGatewayResource,
  apiKeyResource,
];
const silent = createProgress('silent', { write: () => true });
const POOL = 'ms-iris-dev-users';
const API = 'ms-iris-dev-api';

let mocks: Mocks;
let fake: FakeEdgeAws;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  fake = new FakeEdgeAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const mutating = () =>
  [mocks.lambda, mocks.cognito, mocks.apiGateway]
    .flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name))
    .filter((n) => EDGE_MUTATING.has(n));
const resetHistory = () => [mocks.lambda, mocks.cognito, mocks.apiGateway].forEach((m) => m.resetHistory());

async function up(ctx: DeployContext = testContext()) {
  return applyGraph(ctx, await planGraph(ctx, edge()), silent);
}
async function destroy(ctx: DeployContext = testContext()) {
  await destroyGraph(ctx, await planGraph(ctx, edge()), silent);
}
const named = <T extends { name: string }>(items: Map<string, T>, name: string) =>
  [...items.values()].filter((x) => x.name === name);

describe('two user pools / REST APIs of one name', () => {
  it('up uses the oldest of each, plan says so, nothing is deleted by up, destroy deletes every one', async () => {
    const applied = await up();
    const pool = applied.outputs.userPoolId!;
    const api = applied.outputs.restApiId!;
    const tags = named(fake.pools, POOL)[0]!.tags;
    // What a second, lock-less run made afterwards (or a run that died right after its creates).
    const extraPool = fake.addPool(POOL, tags);
    const extraApi = fake.addApi(API, tags).id;
    resetHistory();

    const log = recordingSink();
    const ctx = testContext({ log });
    const planned = await planGraph(ctx, edge());
    const byKind = Object.fromEntries(planned.steps.map((s) => [s.module.kind, s.change]));
    expect(byKind['cognito-user-pool']).toMatchObject({
      action: 'update',
      diffs: [{ field: 'duplicates', from: [extraPool], to: expect.stringContaining(`kept: ${pool}`) }],
    });
    expect(byKind['api-gateway']).toMatchObject({
      action: 'update',
      diffs: [{ field: 'duplicates', from: [extraApi], to: expect.stringContaining(`kept: ${api}`) }],
    });
    const again = await applyGraph(ctx, planned, silent);
    expect(again.outputs).toMatchObject({ userPoolId: pool, restApiId: api });
    expect(mutating()).toEqual([]);
    expect(log.lines.join('\n')).toContain(`user pool ${POOL} exists 2 times; using ${pool}, the oldest`);
    expect(log.lines.join('\n')).toContain(`REST API ${API} exists 2 times; using ${api}, the oldest`);
    // verify and status find the same ones.
    expect(await findPoolId(ctx.clients.cognito, POOL)).toBe(pool);
    expect((await findApi(ctx.clients.apiGateway, API))?.id).toBe(api);

    await destroy();
    expect(named(fake.pools, POOL)).toEqual([]);
    expect(named(fake.apis, API)).toEqual([]);
  });

  it('a create that another run beat by a moment: its own (empty) pool and API are deleted, the older ones finished and used', async () => {
    let other: { pool?: string; api?: string } = {};
    fake.beforeCreate = (kind, name, tags) => {
      if (kind === 'user-pool') other.pool = fake.addPool(name, tags);
      else other.api = fake.addApi(name, tags).id;
    };
    const log = recordingSink();
    const applied = await up(testContext({ log }));
    fake.beforeCreate = undefined;
    expect(applied.outputs).toMatchObject({ userPoolId: other.pool, restApiId: other.api });
    expect(named(fake.pools, POOL).map((p) => p.id)).toEqual([other.pool]);
    expect(named(fake.apis, API).map((a) => a.id)).toEqual([other.api]);
    // The older ones are complete: the app client, both routes, the authorizer, the stage.
    expect(fake.pools.get(other.pool!)!.clients).toHaveLength(1);
    expect(fake.apis.get(other.api!)!.stages.has('dev')).toBe(true);
    expect(log.lines.join('\n')).toContain(`another run created user pool ${POOL}`);
    resetHistory();
    await up();
    expect(mutating()).toEqual([]);
    other = {};
  });

  it.each([
    ['user-pool', 'DeleteUserPoolCommand'],
    ['rest-api', 'DeleteRestApiCommand'],
  ])(
    'interrupted at the %s delete of its own duplicate: the rerun uses the older one, and destroy deletes both',
    async (kind, deleteCommand) => {
      fake.beforeCreate = (k, name, tags) => {
        if (k !== kind) return;
        if (k === 'user-pool') fake.addPool(name, tags);
        else fake.addApi(name, tags);
        // Inside our create's mutating call: the next one is the delete of our own duplicate.
        fake.crashAt = fake.mutations + 1;
      };
      await expect(up()).rejects.toThrow(/simulated crash/);
      const deletes = [mocks.cognito, mocks.apiGateway]
        .flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name))
        .filter((n) => n === deleteCommand);
      expect(deletes).toHaveLength(1); // the crash was at that delete
      fake.crashAt = undefined;
      fake.beforeCreate = undefined;

      const applied = await up();
      const name = kind === 'user-pool' ? POOL : API;
      const items = kind === 'user-pool' ? named(fake.pools, name) : named(fake.apis, name);
      expect(items).toHaveLength(2);
      const oldest = items.sort((a, b) => a.created.getTime() - b.created.getTime())[0]!.id;
      expect(kind === 'user-pool' ? applied.outputs.userPoolId : applied.outputs.restApiId).toBe(oldest);

      await destroy();
      expect(named(fake.pools, POOL)).toEqual([]);
      expect(named(fake.apis, API)).toEqual([]);
    },
  );
});
