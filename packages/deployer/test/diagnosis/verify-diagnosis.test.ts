// `model-deploy verify` on a Failed endpoint: besides its failing checks it
// prints the diagnosis (reason, log tail, likely cause, local reproduction),
// puts it under `diagnosis` in --json, and exits 1. AWS through
// aws-sdk-client-mock with the SDK's shapes; the API URL is a closed loopback port.
import { createServer } from 'node:net';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createAwsClients } from '../../src/aws/clients.js';
import type { CliRuntime } from '../../src/commands/session.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { ACCOUNT, mockAll, restoreAll, type Mocks } from '../helpers/aws-context.js';
import { tempProject } from '../helpers/cli-harness.js';
import { runCommand } from '../release-flow/cli-io.js';

const ENDPOINT = 'ms-iris-dev';
const OOM = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
const REASON =
  'The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.';
const project = tempProject({
  'release.yaml': `apiVersion: model-service/v1
model: { name: iris, team: data-science }
region: eu-west-1
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`,
  'sample-request.json': '{"instances":[[5.1,3.5,1.4,0.2]]}',
});
afterAll(() => project.cleanup());

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointName: ENDPOINT,
    EndpointArn: `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/${ENDPOINT}`,
    EndpointConfigName: 'ms-iris-dev-1a2b3c4d',
    EndpointStatus: 'Failed',
    FailureReason: REASON,
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
    $metadata: {},
  });
  mocks.lambda
    .on(GetFunctionConfigurationCommand)
    .resolves({ FunctionName: 'ms-iris-dev-proxy', State: 'Active', LastUpdateStatus: 'Successful', $metadata: {} });
  mocks.logs
    .on(DescribeLogStreamsCommand)
    .resolves({ logStreams: [{ logStreamName: 'AllTraffic/i-0123456789abcdef0' }], $metadata: {} });
  mocks.logs.on(GetLogEventsCommand).resolves({
    events: [
      { timestamp: Date.UTC(2026, 10, 25, 9), message: '<--- Last few GCs --->' },
      { timestamp: Date.UTC(2026, 10, 25, 9, 0, 1), message: OOM },
    ],
    $metadata: {},
  });
});
afterEach(() => restoreAll(mocks));

// verify's CloudWatch telemetry checks wait for verify's own traffic to show up: bound them to 1 s here.
const rt = {
  io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', isTTY: false },
  deps: {},
} as unknown as CliRuntime;
const bounded = verifyCommand(rt, () => {}).options.some((o) => o.long === '--telemetry-timeout')
  ? ['--telemetry-timeout', '1']
  : [];
const argv = async (...extra: string[]) => [
  'verify',
  'dev',
  '--dir',
  project.dir,
  '--url',
  `http://127.0.0.1:${await closedPort()}/dev`,
  '--token',
  'not-a-real-token',
  '--skip-golden',
  '--requests',
  '1',
  '--concurrency',
  '1',
  '--no-record',
  ...bounded,
  ...extra,
];

// The caller has credentials (verify checks them before it starts); the control planes are mocked.
const withCredentials = {
  createClients: (o: Parameters<typeof createAwsClients>[0]) =>
    createAwsClients({ ...o, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
};

describe('model-deploy verify on a Failed endpoint', () => {
  it('prints the failing check, then the diagnosis with the likely cause; exits 1', async () => {
    const { code, stdout, stderr } = await runCommand([verifyCommand], await argv(), {}, withCredentials);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL {2}verify\.endpoint\.in-service +ms-iris-dev is Failed/);
    expect(stdout).toContain(`failure reason: ${REASON}`);
    expect(stdout).toContain(OOM);
    expect(stdout).toMatch(/likely cause \(out-of-memory\): The container ran out of memory/);
    expect(stdout).toContain('reproduce locally: model-deploy doctor --image');
    expect(stderr).toContain('MS_DEPLOY_VERIFY_FAILED');
  }, 60_000);

  it('--json: the report carries a diagnosis object', async () => {
    const { code, stdout } = await runCommand([verifyCommand], await argv('--json'), {}, withCredentials);
    expect(code).toBe(1);
    const body = JSON.parse(stdout) as {
      ok: boolean;
      diagnosis: {
        status: string;
        failureReason: string;
        cause: { id: string };
        logs: { lines: Array<{ message: string }> };
      };
    };
    expect(body.ok).toBe(false);
    expect(body.diagnosis).toMatchObject({ status: 'Failed', failureReason: REASON, cause: { id: 'out-of-memory' } });
    expect(body.diagnosis.logs.lines.map((l) => l.message)).toEqual(['<--- Last few GCs --->', OOM]);
  }, 60_000);

  it('an InService endpoint gets no diagnosis', async () => {
    mocks.sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName: 'c', $metadata: {} });
    const { stdout } = await runCommand([verifyCommand], await argv('--json'), {}, withCredentials);
    expect(JSON.parse(stdout)).not.toHaveProperty('diagnosis');
    expect(mocks.logs.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  }, 60_000);
});
