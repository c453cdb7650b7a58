// The credentials the IAM token is signed with: the environment first, then the container
// credentials endpoint (here a real HTTP server on loopback, answering as the container agent does).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError, defaultCredentialsProvider } from '../../src/cache/aws-credentials.js';

let server: Server;
let base: string;
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let answer: { status: number; body: string } = { status: 200, body: '' };
const dir = mkdtempSync(join(tmpdir(), 'ms-creds-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const ROLE = {
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'secret',
  Token: 'session-token',
  Expiration: '2026-12-04T18:00:00Z',
};

describe('defaultCredentialsProvider', () => {
  it('takes the standard environment variables first, without any request', async () => {
    seen.length = 0;
    const credentials = await defaultCredentialsProvider({
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'tok',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/never`,
    })();
    expect(credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' });
    expect(seen).toHaveLength(0);
  });

  it('then the container credentials endpoint, with its Authorization token (from a file, as EKS/Lambda give it)', async () => {
    seen.length = 0;
    answer = { status: 200, body: JSON.stringify(ROLE) };
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'agent-token\n');
    const credentials = await defaultCredentialsProvider({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/v2/credentials/abc`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    })();
    expect(credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session-token',
      expiration: new Date('2026-12-04T18:00:00Z'),
    });
    expect(seen).toEqual([expect.objectContaining({ url: '/v2/credentials/abc' })]);
    expect(seen[0]!.headers.authorization).toBe('agent-token');
  });

  it('an endpoint that refuses or answers garbage is a CredentialsError saying so', async () => {
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/creds` };
    answer = { status: 403, body: '' };
    await expect(defaultCredentialsProvider(env)()).rejects.toThrow('container credentials endpoint answered 403');
    answer = { status: 200, body: '{"Code":"Success"}' };
    await expect(defaultCredentialsProvider(env)()).rejects.toThrow('without AccessKeyId and SecretAccessKey');
  });

  it('refuses a full URI over plain HTTP to any host but the container agent or loopback', async () => {
    await expect(
      defaultCredentialsProvider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://attacker.example/creds' })(),
    ).rejects.toThrow(CredentialsError);
  });

  it('with no source says which variables it looked for', async () => {
    await expect(defaultCredentialsProvider({})()).rejects.toThrow(
      /no AWS credentials: set AWS_ACCESS_KEY_ID .*AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/,
    );
  });
});
