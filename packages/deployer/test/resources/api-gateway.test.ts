import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { apiGatewayResource, apiRoutes, apiUrl, findApi, work } from '../../src/resources/api-gateway.js';
import { mockAll, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
});
afterEach(() => restoreAll(mocks));

const UPSTREAM = {
  lambdaFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ms-iris-dev-proxy',
  userPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc',
};

describe('api-gateway resource', () => {
  it('findApi reads the pages until the API with that name', async () => {
    mocks.apiGateway
      .on(GetRestApisCommand, { position: undefined })
      .resolves({ items: [{ id: 'x1', name: 'other' }], position: 'p2' });
    mocks.apiGateway
      .on(GetRestApisCommand, { position: 'p2' })
      .resolves({ items: [{ id: 'a7', name: 'ms-iris-dev-api' }] });
    const ctx = testContext();
    expect((await findApi(ctx.clients.apiGateway, 'ms-iris-dev-api'))?.id).toBe('a7');
  });

  it('a missing API plans the API, both routes, the authorizer, the permission and a deployment', () => {
    const d = apiGatewayResource.desired(testContext(), UPSTREAM);
    const w = work(d, undefined);
    expect(w.createApi).toBe(true);
    expect(w.resources).toEqual(['predict', 'machine-predict', 'health']);
    expect(w.authorizer).toBe('create');
    expect(w.methods.map((m) => m.route.path)).toEqual(['predict', 'machine-predict', 'health']);
    expect(w.permission && w.deploy).toBe(true);
    expect(apiGatewayResource.plan(d, undefined).action).toBe('create');
  });

  it('/predict requires the key only when release.yaml asks for one; /health never', () => {
    expect(apiRoutes(true, false).map((r) => [r.path, r.apiKeyRequired])).toEqual([
      ['predict', true],
      ['health', false],
    ]);
    expect(apiRoutes(false, false).every((r) => !r.apiKeyRequired)).toBe(true);
    // The preflight carries no credentials: never an authorizer or a key.
    expect(apiRoutes(true, true).find((r) => r.method === 'OPTIONS')).toEqual({
      path: 'predict',
      method: 'OPTIONS',
      authorizationType: 'NONE',
      apiKeyRequired: false,
    });
  });

  it('the URL is the regional execute-api URL of the stage', () => {
    expect(apiUrl('a7', 'eu-west-1', 'dev')).toBe('https://a7.execute-api.eu-west-1.amazonaws.com/dev');
  });
});
