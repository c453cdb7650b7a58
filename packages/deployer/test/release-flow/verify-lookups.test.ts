// verify finds the API (and the user pool) through the resource modules: every
// page read, and an AWS refusal is a user-facing AWS error, not "a bug".
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, APIGatewayServiceException, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../src/aws/clients.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { runCommand } from './cli-io.js';

const RELEASE = `apiVersion: model-service/v1
model: { name: irisv, team: data-science }
region: eu-west-1
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`;
const deps = {
  createClients: (o: Parameters<typeof createAwsClients>[0]) =>
    createAwsClients({
      ...o,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
    }),
};

let dir: string;
let api: AwsClientStub<APIGatewayClient>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-verify-lookups-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE);
  await writeFile(join(dir, 'sample-request.json'), '{"instances":[[1,2]]}');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
beforeEach(() => {
  api = mockClient(APIGatewayClient);
});
afterEach(() => api.restore());

const verify = () => runCommand([verifyCommand], ['verify', 'dev', '--dir', dir, '--skip-golden'], {}, deps);

describe('verify without AWS credentials', () => {
  it('is MS_DEPLOY_AWS_CREDENTIALS (exit 1) before any lookup or token, not a bug (exit 70)', async () => {
    const noCredentials = {
      createClients: (o: Parameters<typeof createAwsClients>[0]) =>
        createAwsClients({
          ...o,
          credentials: async () => {
            // What the SDK's default chain throws with nothing configured.
            throw Object.assign(new Error('Could not load credentials from any providers'), {
              name: 'CredentialsProviderError',
            });
          },
          retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
        }),
    };
    const { code, stderr } = await runCommand(
      [verifyCommand],
      ['verify', 'dev', '--dir', dir, '--skip-golden'],
      {},
      noCredentials,
    );
    expect(stderr).toContain('MS_DEPLOY_AWS_CREDENTIALS');
    expect(stderr).not.toContain('this is a bug');
    expect(code).toBe(1);
    expect(api.calls()).toHaveLength(0);
  });
});

describe('verify looks the API up through the api-gateway module', () => {
  it('reads every page before saying the API is not there', async () => {
    api
      .on(GetRestApisCommand, { position: undefined })
      .resolves({ items: [{ id: 'a1', name: 'someone-else' }], position: 'p2' });
    api.on(GetRestApisCommand, { position: 'p2' }).resolves({ items: [{ id: 'a2', name: 'another' }] });
    const { code, stderr } = await verify();
    expect(code).toBe(1);
    expect(stderr).toContain('MS_DEPLOY_VERIFY_INPUT');
    expect(stderr).toContain('API ms-irisv-dev-api not found');
    expect(api.commandCalls(GetRestApisCommand)).toHaveLength(2);
  });

  it('an AccessDenied is an AWS error naming the call and what to do (exit 1), not a bug (exit 70)', async () => {
    api.on(GetRestApisCommand).rejects(
      new APIGatewayServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'User is not authorized to perform: apigateway:GET',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { code, stderr } = await verify();
    expect(code).toBe(1);
    expect(stderr).toContain('MS_DEPLOY_AWS_ACCESS_DENIED: GetRestApis on API Gateway was denied');
    expect(stderr).not.toContain('this is a bug');
  });
});
