// The CI verify client against the stateful edge fake (Cognito + Secrets Manager, SDK error
// classes): resource server, domain, client_credentials client and its secret created once,
// converging after an interruption at every mutating call, re-stored when the client is replaced,
// removed by destroy; the secret's value never in a plan or a log line.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeployContext } from '../../src/context.js';
import { cognitoResource } from '../../src/resources/cognito.js';
import {
  machineClientResource,
  SECRET_CLIENT_TAG,
  tokenUrl,
  verifyDomain,
  type VerifyClientSecret,
} from '../../src/resources/cognito-machine-client.js';
import { mockAll, recordingSink, restoreAll, testContext, type LogLines, type Mocks } from '../helpers/aws-context.js';
import { FakeEdgeAws } from '../helpers/fake-edge-aws.js';

const SECRET = 'ms-iris-dev/verify-client';
const SERVER = 'https://ms-iris-dev-api';

let mocks: Mocks;
let edge: FakeEdgeAws;
let log: LogLines;
beforeEach(() => {
  mocks = mockAll();
  edge = new FakeEdgeAws().install(mocks);
  log = recordingSink();
});
afterEach(() => restoreAll(mocks));

async function up(ctx: DeployContext = testContext({ log })) {
  const pd = cognitoResource.desired(ctx, {});
  const pool = await cognitoResource.apply(
    ctx,
    cognitoResource.plan(pd, await cognitoResource.observe(ctx, pd)),
    pd,
    await cognitoResource.observe(ctx, pd),
  );
  const d = machineClientResource.desired(ctx, pool);
  const o = await machineClientResource.observe(ctx, d);
  const plan = machineClientResource.plan(d, o);
  const out = await machineClientResource.apply(ctx, plan, d, o);
  return { plan, out, poolId: pool.userPoolId! };
}

const stored = () => JSON.parse(edge.secrets.secrets.get(SECRET)!.value) as VerifyClientSecret;
const verifyClients = () =>
  [...edge.pools.values()].flatMap((p) => p.clients.filter((c) => c.name === 'ms-iris-dev-verify-client'));

describe('the CI verify client', () => {
  it('creates the resource server, the domain, a client_credentials client and stores its secret', async () => {
    const { plan, out, poolId } = await up();
    expect(plan).toMatchObject({ kind: 'cognito-verify-client', name: 'ms-iris-dev-verify-client', action: 'create' });
    expect(out).toEqual({ verifySecretName: SECRET, verifyScope: `${SERVER}/invoke` });
    const pool = edge.pools.get(poolId)!;
    expect(pool.resourceServers.get(SERVER)).toEqual(['invoke']);
    const domain = verifyDomain(testContext());
    expect(domain).toMatch(/^ms-iris-dev-[0-9a-f]{8}$/);
    expect(edge.domains.get(domain)).toBe(poolId);
    const [client] = verifyClients();
    expect(client).toMatchObject({ oauthFlows: ['client_credentials'], oauthScopes: [`${SERVER}/invoke`] });
    expect(client!.secret).toBeTruthy();
    expect(stored()).toEqual({
      clientId: client!.id,
      clientSecret: client!.secret,
      tokenUrl: tokenUrl(domain, 'eu-west-1'),
      scope: `${SERVER}/invoke`,
    });
    expect(edge.secrets.secrets.get(SECRET)!.tags).toMatchObject({
      [SECRET_CLIENT_TAG]: client!.id,
      'model-service:managed-by': 'model-deploy',
    });
  });

  it('a second run plans no change and makes no mutating call', async () => {
    await up();
    const before = edge.mutations;
    const { plan } = await up();
    expect(plan).toMatchObject({ action: 'no-change', diffs: [] });
    expect(edge.mutations).toBe(before);
  });

  it('the secret value is never in a plan, an output or a log line', async () => {
    const first = await up();
    const value = stored().clientSecret;
    edge.secrets.secrets.get(SECRET)!.tags[SECRET_CLIENT_TAG] = 'someone-else';
    const second = await up();
    expect(second.plan.diffs).toEqual([{ field: 'secret.clientId', from: 'someone-else', to: verifyClients()[0]!.id }]);
    const seen = JSON.stringify([first, second, log.lines]);
    expect(seen).not.toContain(value);
  });

  it.each([1, 2, 3, 4, 5, 6])('an up interrupted at mutating call %i converges on the next run', async (k) => {
    edge.crashAt = k;
    await expect(up()).rejects.toThrow(/simulated crash/);
    edge.crashAt = undefined;
    await up();
    expect(verifyClients()).toHaveLength(1);
    expect(stored().clientId).toBe(verifyClients()[0]!.id);
    expect(stored().clientSecret).toBe(verifyClients()[0]!.secret);
    expect((await up()).plan.action).toBe('no-change');
  });

  it('a client deleted outside model-deploy is replaced and the secret re-stored with the new one', async () => {
    const { poolId } = await up();
    const pool = edge.pools.get(poolId)!;
    pool.clients = pool.clients.filter((c) => c.name !== 'ms-iris-dev-verify-client');
    const { plan } = await up();
    expect(plan.action).toBe('update');
    expect(plan.diffs.map((x) => x.field)).toEqual(['appClient', 'secret.clientId']);
    expect(stored().clientId).toBe(verifyClients()[0]!.id);
    expect(edge.secrets.secrets.get(SECRET)!.tags[SECRET_CLIENT_TAG]).toBe(verifyClients()[0]!.id);
  });

  it('destroy removes the secret without a recovery window, the client, the resource server and the domain; up works again', async () => {
    const { poolId } = await up();
    const ctx = testContext();
    await machineClientResource.destroy!(ctx, machineClientResource.desired(ctx, {}));
    expect(edge.secrets.secrets.size).toBe(0);
    expect(verifyClients()).toEqual([]);
    expect(edge.pools.get(poolId)!.resourceServers.size).toBe(0);
    expect(edge.domains.size).toBe(0);
    await up();
    expect(stored().clientId).toBe(verifyClients()[0]!.id);
  });

  it.each([1, 2, 3, 4])('a destroy interrupted at its mutating call %i finishes on the next run', async (k) => {
    const { poolId } = await up();
    const ctx = testContext();
    const d = machineClientResource.desired(ctx, {});
    edge.crashAt = edge.mutations + k;
    await expect(machineClientResource.destroy!(ctx, d)).rejects.toThrow(/simulated crash/);
    edge.crashAt = undefined;
    await machineClientResource.destroy!(ctx, d);
    expect(edge.secrets.secrets.size).toBe(0);
    expect(verifyClients()).toEqual([]);
    expect(edge.pools.get(poolId)!.resourceServers.size).toBe(0);
    expect(edge.domains.size).toBe(0);
  });

  it('a domain name Cognito would refuse (a reserved word, too long) becomes ms-<hash>', () => {
    const named = (model: string) =>
      verifyDomain({ ...testContext(), names: { ...testContext().names, prefix: `ms-${model}-dev` } });
    expect(named('iris')).toMatch(/^ms-iris-dev-[0-9a-f]{8}$/);
    expect(named('aws-churn')).toMatch(/^ms-[0-9a-f]{16}$/);
    expect(named('x'.repeat(60))).toMatch(/^ms-[0-9a-f]{16}$/);
    expect(named('aws-churn')).not.toBe(named('amazon-churn'));
  });

  it('the pool cannot be deleted while its domain exists: destroy removes the domain first', async () => {
    const { poolId } = await up();
    const ctx = testContext();
    await expect(cognitoResource.destroy!(ctx, cognitoResource.desired(ctx, {}))).rejects.toThrow(/has a domain/);
    await machineClientResource.destroy!(ctx, machineClientResource.desired(ctx, {}));
    await cognitoResource.destroy!(ctx, cognitoResource.desired(ctx, {}));
    expect(edge.pools.has(poolId)).toBe(false);
  });

  it('a domain that belongs to another pool stops the run naming it, and is left alone', async () => {
    edge.domains.set(verifyDomain(testContext()), 'eu-west-1_other');
    await expect(up()).rejects.toThrow(/belongs to user pool eu-west-1_other/);
    expect(edge.domains.get(verifyDomain(testContext()))).toBe('eu-west-1_other');
  });
});
