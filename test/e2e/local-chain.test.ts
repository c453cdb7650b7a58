// The release chain end to end on loopback: cognito-local issues real JWTs, the
// API Gateway stand-in verifies them, the real Lambda handler runs in process and
// calls the real SageMaker Runtime client pointed at a real runtime server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { createService, type Service } from '@model-service/runtime';
import { startLocalChain, type LocalChain } from '../../packages/deployer/src/local-chain/index.js';

const model = {
  name: 'iris-lite',
  version: '1',
  instanceSchema: { type: 'object', required: ['petal_length'], properties: { petal_length: { type: 'number' } } },
  predictionSchema: { type: 'string' },
  predict: (rows: { petal_length: number }[]) => rows.map((r) => (r.petal_length < 2.5 ? 'setosa' : 'versicolor')),
};

let service: Service;
let chain: LocalChain;
let token: string;
// The handler's log lines, so a failed assertion shows the cause the handler logged.
const handlerLog: Record<string, unknown>[] = [];

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${chain.apiUrl}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
}

beforeAll(async () => {
  service = createService({ model, cache: { kind: 'memory' }, logLevel: 'silent' });
  const { port } = await service.listen(0, '127.0.0.1');
  chain = await startLocalChain({
    runtimeUrl: `http://127.0.0.1:${port}`,
    endpointName: 'ms-iris-lite-dev',
    functionName: 'ms-iris-lite-dev-proxy',
    stage: 'dev',
    poolName: 'ms-iris-lite-dev-users',
    clientName: 'ms-iris-lite-dev-machine-client',
    retryTotalBudgetMs: 600,
    log: (entry) => handlerLog.push(entry),
  });
  token = await chain.token();
}, 60_000);

afterAll(async () => {
  await chain?.close();
  await service?.close();
});

describe('local chain: API Gateway stand-in + Cognito + Lambda handler + runtime', () => {
  it('rejects a request without a token with 401 before the handler runs', async () => {
    const res = await post('{"instances":[{"petal_length":1}]}');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
  });

  it('rejects a token signed by another key with 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ token_use: 'id', aud: chain.pool.clientId })
      .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
      .setIssuer(chain.pool.issuer)
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await post('{"instances":[]}', { authorization: forged })).status).toBe(401);
    expect((await post('{"instances":[]}', { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
  });

  it("rejects an expired token signed with the pool's own key with 401 'expired'", async () => {
    // cognito-local's signing key ships in the package: sign a token that is valid but expired.
    const keyFile = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
    const { jwk } = JSON.parse(readFileSync(keyFile, 'utf8')) as { jwk: JWK & { kid?: string } };
    const key = await importJWK(jwk, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ token_use: 'id', aud: chain.pool.clientId })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'CognitoLocal' })
      .setIssuer(chain.pool.issuer)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(key);
    const res = await post('{"instances":[{"petal_length":1}]}', { authorization: expired });
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('The incoming token has expired');
  });

  it('answers a prediction for a valid Cognito token, with the request id passed through', async () => {
    const res = await post('{"instances":[{"petal_length":1.4},{"petal_length":4.5}]}', {
      authorization: token,
      'x-request-id': 'e2e-1',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ predictions: ['setosa', 'versicolor'] });
    expect(res.headers.get('x-request-id')).toBe('e2e-1');
  });

  it('answers 400 with the stable error body for an invalid body', async () => {
    const res = await post('{"instances":[{"petal_length":"long"}]}', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'MS_PROXY_INVALID_INPUT', requestId: expect.any(String) });
    const broken = await post('{"instances":', { authorization: token });
    expect([broken.status, broken.body.error.code]).toEqual([400, 'MS_PROXY_INVALID_JSON']);
  });

  it('GET /health is UP while the runtime answers /ping, with or without a token (no authorizer, as deployed)', async () => {
    for (const headers of [{ authorization: token }, {}] as Record<string, string>[]) {
      const res = await fetch(`${chain.apiUrl}/health`, { headers });
      expect(res.status).toBe(200);
      // Unauthenticated: the status only; why it is down goes to the function's log.
      expect(await res.json()).toEqual({ status: 'UP' });
    }
    // Only that method is open: POST /health still goes through the authorizer.
    const post = await fetch(`${chain.apiUrl}/health`, { method: 'POST' });
    expect(post.status).toBe(401);
  });

  it('answers 503 (and /health DOWN) once the endpoint is down', async () => {
    await service.close();
    const res = await post('{"instances":[{"petal_length":1}]}', { authorization: token });
    const failure = handlerLog.findLast((entry) => entry.msg === 'request failed');
    expect({ status: res.status, code: res.body.error.code, cause: failure?.cause }).toEqual({
      status: 503,
      code: 'MS_PROXY_ENDPOINT_UNAVAILABLE',
      cause: expect.stringMatching(/ECONNREFUSED|ECONNRESET|socket hang up/),
    });
    const health = await fetch(`${chain.apiUrl}/health`, { headers: { authorization: token } });
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'DOWN' });
  });
});
