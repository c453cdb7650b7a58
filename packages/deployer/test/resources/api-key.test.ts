import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { apiKeyResource, work, type ApiKeyDesired, type ApiKeyObserved } from '../../src/resources/api-key.js';
import { mockAll, RELEASE_YAML, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';

const WITH_KEY = RELEASE_YAML.replace(
  'region: eu-west-1',
  'region: eu-west-1\napi: { apiKey: true, throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000, period: DAY } }',
);
const UPSTREAM = { restApiId: 'api123' };

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.apiGateway.on(GetUsagePlansCommand).resolves({ items: [] });
  mocks.apiGateway.on(GetApiKeysCommand).resolves({ items: [] });
});
afterEach(() => restoreAll(mocks));

const desiredFor = (yaml: string): ApiKeyDesired => apiKeyResource.desired(testContext({ yaml }), UPSTREAM);
const inPlace = (d: ApiKeyDesired): ApiKeyObserved => ({
  usagePlan: {
    id: 'plan1',
    throttle: { ...d.limits!.throttle },
    quota: { ...d.limits!.quota },
    stages: ['api123:dev'],
    keyIds: ['key1'],
  },
  apiKeyId: 'key1',
});

describe('api-key resource', () => {
  it('without api.apiKey and nothing in AWS: no change, no key calls beyond the lookups', async () => {
    const ctx = testContext();
    const d = apiKeyResource.desired(ctx, UPSTREAM);
    const observed = await apiKeyResource.observe(ctx, d);
    expect(apiKeyResource.plan(d, observed).action).toBe('no-change');
    expect(await apiKeyResource.apply(ctx, apiKeyResource.plan(d, observed), d, observed)).toEqual({});
    expect(mocks.apiGateway.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  });

  it('creates the key and a usage plan on the API stage with release.yaml throttle and quota, and puts the key in the plan', async () => {
    const ctx = testContext({ yaml: WITH_KEY });
    mocks.apiGateway.on(CreateApiKeyCommand).resolves({ id: 'key9' });
    mocks.apiGateway.on(CreateUsagePlanCommand).resolves({ id: 'plan9' });
    mocks.apiGateway.on(CreateUsagePlanKeyCommand).resolves({});
    const d = apiKeyResource.desired(ctx, UPSTREAM);
    const observed = await apiKeyResource.observe(ctx, d);
    const plan = apiKeyResource.plan(d, observed);
    expect(plan).toMatchObject({ kind: 'api-key', name: 'ms-iris-dev-key', action: 'create' });
    expect(await apiKeyResource.apply(ctx, plan, d, observed)).toEqual({ apiKeyId: 'key9' });
    expect(mocks.apiGateway.commandCalls(CreateUsagePlanCommand)[0]!.args[0].input).toMatchObject({
      name: 'ms-iris-dev-usage-plan',
      apiStages: [{ apiId: 'api123', stage: 'dev' }],
      throttle: { rateLimit: 5, burstLimit: 10 },
      quota: { limit: 1000, period: 'DAY' },
    });
    expect(mocks.apiGateway.commandCalls(CreateUsagePlanKeyCommand)[0]!.args[0].input).toEqual({
      usagePlanId: 'plan9',
      keyId: 'key9',
      keyType: 'API_KEY',
    });
  });

  it('finds what exists through observe: a plan and key in place plan no change', async () => {
    const ctx = testContext({ yaml: WITH_KEY });
    const d = apiKeyResource.desired(ctx, UPSTREAM);
    mocks.apiGateway.on(GetUsagePlansCommand).resolves({
      items: [
        {
          id: 'plan1',
          name: 'ms-iris-dev-usage-plan',
          throttle: { rateLimit: 5, burstLimit: 10 },
          quota: { limit: 1000, period: 'DAY' },
          apiStages: [{ apiId: 'api123', stage: 'dev' }],
        },
      ],
    });
    mocks.apiGateway.on(GetUsagePlanKeysCommand).resolves({ items: [{ id: 'key1' }] });
    mocks.apiGateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'key1', name: 'ms-iris-dev-key' }] });
    const observed = await apiKeyResource.observe(ctx, d);
    expect(observed).toEqual(inPlace(d));
    expect(apiKeyResource.plan(d, observed).action).toBe('no-change');
  });

  it('a changed limit is one UpdateUsagePlan with the patch, nothing re-created', () => {
    const d = desiredFor(WITH_KEY.replace('rateLimit: 5', 'rateLimit: 7'));
    const w = work(d, {
      ...inPlace(d),
      usagePlan: { ...inPlace(d).usagePlan!, throttle: { rateLimit: 5, burstLimit: 10 } },
    });
    expect(w.action).toBe('update');
    expect(w.createKey).toBe(false);
    expect(w.planPatch).toEqual([{ op: 'replace', path: '/throttle/rateLimit', value: '7' }]);
  });

  it('turning api.apiKey off deletes: detaches the stage, deletes the plan, then the key', async () => {
    const ctx = testContext();
    mocks.apiGateway.on(UpdateUsagePlanCommand).resolves({});
    mocks.apiGateway.on(DeleteUsagePlanCommand).resolves({});
    mocks.apiGateway.on(DeleteApiKeyCommand).resolves({});
    const d = apiKeyResource.desired(ctx, UPSTREAM);
    const observed = inPlace(desiredFor(WITH_KEY));
    const plan = apiKeyResource.plan(d, observed);
    expect(plan.action).toBe('delete');
    await apiKeyResource.apply(ctx, plan, d, observed);
    const names = mocks.apiGateway.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(names).toEqual(['UpdateUsagePlanCommand', 'DeleteUsagePlanCommand', 'DeleteApiKeyCommand']);
    expect(mocks.apiGateway.commandCalls(UpdateUsagePlanCommand)[0]!.args[0].input.patchOperations).toEqual([
      { op: 'remove', path: '/apiStages', value: 'api123:dev' },
    ]);
  });
});
