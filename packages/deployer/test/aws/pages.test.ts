import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GetRestApisCommand, APIGatewayClient, paginateGetRestApis } from '@aws-sdk/client-api-gateway';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createAwsClient } from '../../src/aws/clients.js';
import { collect, findFirst, MAX_PAGES } from '../../src/aws/pages.js';

describe('findFirst / collect over the SDK paginator', () => {
  let mock: AwsClientStub<APIGatewayClient>;
  beforeEach(() => {
    mock = mockClient(APIGatewayClient);
  });
  afterEach(() => mock.restore());
  const client = () => createAwsClient('apiGateway', { region: 'eu-west-1', env: {} });

  test('findFirst follows the position token and stops at the first hit', async () => {
    mock
      .on(GetRestApisCommand, { position: undefined })
      .resolves({ items: [{ id: 'a', name: 'other' }], position: 'p2' });
    mock
      .on(GetRestApisCommand, { position: 'p2' })
      .resolves({ items: [{ id: 'b', name: 'ms-iris-dev' }], position: 'p3' });
    mock.on(GetRestApisCommand, { position: 'p3' }).resolves({ items: [{ id: 'c', name: 'late' }] });
    const hit = await findFirst(paginateGetRestApis({ client: client() }, { limit: 500 }), (page) =>
      page.items?.find((a) => a.name === 'ms-iris-dev'),
    );
    expect(hit?.id).toBe('b');
    expect(mock.commandCalls(GetRestApisCommand)).toHaveLength(2);
  });

  test('collect reads every page', async () => {
    mock.on(GetRestApisCommand, { position: undefined }).resolves({ items: [{ id: 'a' }], position: 'p2' });
    mock.on(GetRestApisCommand, { position: 'p2' }).resolves({ items: [{ id: 'b' }] });
    const all = await collect(paginateGetRestApis({ client: client() }, {}), (page) => page.items);
    expect(all.map((a) => a.id)).toEqual(['a', 'b']);
  });

  test('a listing that never ends (the token echoed back) stops after MAX_PAGES pages', async () => {
    mock.on(GetRestApisCommand).resolves({ items: [{ id: 'x', name: 'other' }], position: 'same' });
    expect(
      await findFirst(paginateGetRestApis({ client: client() }, {}), (page) =>
        page.items?.find((a) => a.name === 'missing'),
      ),
    ).toBeUndefined();
    expect(mock.commandCalls(GetRestApisCommand)).toHaveLength(MAX_PAGES);
    mock.resetHistory();
    expect(await collect(paginateGetRestApis({ client: client() }, {}), (page) => page.items)).toHaveLength(MAX_PAGES);
    expect(mock.commandCalls(GetRestApisCommand)).toHaveLength(MAX_PAGES);
  });
});
