// verify's token with no human secret: the verify client's id and secret read from Secrets
// Manager (the stateful fake behind aws-sdk-client-mock, SDK error classes) and exchanged over a
// real socket at a stand-in for the pool's /oauth2/token endpoint. Nothing secret in the errors.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { ClientTokenError, clientCredentialsToken } from '../../src/commands/verify-client-token.js';
import { FakeSecretsManager } from '../helpers/fake-secrets-aws.js';

const NAME = 'ms-iris-dev/verify-client';
const CLIENT = {
  clientId: 'client0005',
  clientSecret: 's3cr3t-value-never-printed',
  scope: 'https://ms-iris-dev-api/invoke',
};

let server: Server;
let url = '';
let seen: { authorization?: string; body: string }[] = [];
let answer: { status: number; body: unknown } = {
  status: 200,
  body: { access_token: 'eyJ.access.token', token_type: 'Bearer' },
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let mock: AwsStub<any, any, any>;
let fake: FakeSecretsManager;
beforeEach(() => {
  seen = [];
  answer = { status: 200, body: { access_token: 'eyJ.access.token', token_type: 'Bearer' } };
  mock = mockClient(SecretsManagerClient);
  fake = new FakeSecretsManager();
  for (const [Cmd, handler] of fake.handlers()) mock.on(Cmd as never).callsFake(async (i: unknown) => handler(i));
});
afterEach(() => mock.restore());

const store = (value: object) =>
  fake.secrets.set(NAME, {
    arn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${NAME}-AbCdEf`,
    value: JSON.stringify(value),
    tags: {},
  });
const token = () =>
  clientCredentialsToken({ secrets: new SecretsManagerClient({ region: 'eu-west-1' }), secretName: NAME, env: 'dev' });

describe('verify with no --token or --username', () => {
  it('exchanges the stored client credentials for an access token with the API scope', async () => {
    store({ ...CLIENT, tokenUrl: url });
    await expect(token()).resolves.toBe('eyJ.access.token');
    expect(seen).toHaveLength(1);
    const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
    expect(seen[0]!.authorization).toBe(`Basic ${basic}`);
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: CLIENT.scope,
    });
  });

  it('no secret: says that up creates it, or which flags to pass', async () => {
    const err = await token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientTokenError);
    expect((err as Error).message).toBe(
      `no verify client secret ${NAME}: \`model-deploy up dev\` creates it; or pass --token / --username`,
    );
  });

  it('a refused client: the endpoint, status and OAuth error, never the secret', async () => {
    store({ ...CLIENT, tokenUrl: url });
    answer = { status: 400, body: { error: 'invalid_client' } };
    const err = (await token().catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`${url} answered 400 (invalid_client) for client ${CLIENT.clientId}`);
    expect(err.message).not.toContain(CLIENT.clientSecret);
  });

  it('a secret that is not what up stores: named, its text not echoed', async () => {
    fake.secrets.set(NAME, { arn: 'arn:x', value: `not json ${CLIENT.clientSecret}`, tags: {} });
    const err = (await token().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`secret ${NAME} does not hold clientId, clientSecret, tokenUrl and scope`);
    expect(err.message).not.toContain(CLIENT.clientSecret);
  });
});
