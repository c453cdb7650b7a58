// verify's CloudWatch checks wired end to end: real traffic through the local
// chain (cognito-local, API stand-in, real handler, real runtime), with
// CloudWatch Logs and CloudWatch mocked (aws-sdk-client-mock) as if the chain
// ran in AWS: the Lambda log group serves the proxy's REAL log lines captured
// from the handler. So verify.logs.requests passes only if the X-Request-Ids
// verify sent really went through the proxy, and fails when the proxy does not log them.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createService, type Service } from '@model-service/runtime';
import { createAwsClients } from '../../src/aws/clients.js';
import { ERROR_JSON_PATTERN } from '../../src/checks/verify-telemetry.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { LOCAL_CHAIN_ENV, startLocalChain, type LocalChain } from '../../src/local-chain/index.js';
import { runCommand } from './cli-io.js';

const RELEASE = `apiVersion: model-service/v1
model: { name: irisl, team: data-science }
region: eu-west-1
slo: { p95LatencyMs: 5000, errorRate: 0.05 }
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`;
const FN_GROUP = '/aws/lambda/ms-irisl-dev-proxy';
const EP_GROUP = '/aws/sagemaker/Endpoints/ms-irisl-dev';

const model = {
  name: 'irisl',
  version: '1',
  instanceSchema: { type: 'array', items: { type: 'number' } },
  predictionSchema: { type: 'integer' },
  predict: (rows: number[][]) => rows.map((r) => (r[0]! > 2 ? 1 : 0)),
};

let service: Service;
let chain: LocalChain;
let dir: string;
/** The proxy's log lines as Lambda would ship them to CloudWatch. */
const proxyLines: { timestamp: number; message: string }[] = [];
let proxyLogs = true;
let logs: AwsStub<any, any, any>;
let cw: AwsStub<any, any, any>;

const deps = {
  createClients: (o: Parameters<typeof createAwsClients>[0]) =>
    createAwsClients({ ...o, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
};

function verify(extra: string[] = []) {
  // As in AWS: no local-chain marker, so the CloudWatch checks run.
  const { [LOCAL_CHAIN_ENV]: _local, ...awsEnv } = chain.awsEnv;
  const env = { ...awsEnv, MODEL_DEPLOY_PASSWORD: chain.pool.password };
  const argv = [
    'verify',
    'dev',
    '--dir',
    dir,
    '--url',
    chain.apiUrl,
    '--username',
    chain.pool.username,
    '--client-id',
    chain.pool.clientId,
    '--requests',
    '8',
    '--no-record',
    '--json',
    ...extra,
  ];
  return runCommand([verifyCommand], argv, env, deps);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-verify-cw-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE);
  await writeFile(join(dir, 'sample-request.json'), '{"instances":[[1,2],[3,4]]}');
  await mkdir(join(dir, 'tests'));
  await writeFile(
    join(dir, 'tests', 'golden.jsonl'),
    '{"request":{"instances":[[3,0]]},"response":{"predictions":[1]}}\n',
  );
  service = createService({ model, cache: { kind: 'memory' }, logLevel: 'silent' });
  const { port } = await service.listen(0, '127.0.0.1');
  chain = await startLocalChain({
    runtimeUrl: `http://127.0.0.1:${port}`,
    endpointName: 'ms-irisl-dev',
    functionName: 'ms-irisl-dev-proxy',
    stage: 'dev',
    poolName: 'ms-irisl-dev-users',
    clientName: 'ms-irisl-dev-machine-client',
    retryTotalBudgetMs: 300,
    log: (entry) => {
      if (proxyLogs) proxyLines.push({ timestamp: Date.now(), message: JSON.stringify(entry) });
    },
  });
}, 60_000);

afterAll(async () => {
  await chain?.close();
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  proxyLines.length = 0;
  proxyLogs = true;
  logs = mockClient(CloudWatchLogsClient);
  cw = mockClient(CloudWatchClient);
  logs.on(DescribeLogStreamsCommand).callsFake(() => ({
    logStreams: [{ logStreamName: '2026/11/25/[$LATEST]0a1b', lastEventTimestamp: Date.now(), arn: 'arn:x' }],
  }));
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
    if (input.logGroupName !== FN_GROUP) return { events: [], searchedLogStreams: [] };
    // A tiny CloudWatch: the `?"term"` alternatives of the pattern, over the captured lines.
    const terms = [...(input.filterPattern ?? '').matchAll(/\?"([^"]+)"/g)].map((m) => m[1]!);
    const events = proxyLines.filter(
      (l) => l.timestamp >= (input.startTime ?? 0) && terms.some((t) => l.message.includes(t)),
    );
    return {
      events: events.map((e, i) => ({
        ...e,
        logStreamName: '2026/11/25/[$LATEST]0a1b',
        eventId: String(i),
        ingestionTime: e.timestamp,
      })),
      searchedLogStreams: [],
    };
  });
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => ({
      Id: q.Id,
      StatusCode: 'Complete',
      Timestamps: [new Date()],
      Values: [{ invocations: 12, latency: 900, lambdaErrors: 0, cpu: 12, memory: 30 }[q.Id!]!],
    })),
  }));
});
afterEach(() => {
  logs.restore();
  cw.restore();
});

describe('verify reads CloudWatch after its own traffic (local chain + mocked CloudWatch)', () => {
  it("passes: verify's request ids are in the proxy's real log lines, metrics and utilization within limits", async () => {
    const before = Date.now();
    const { code, stdout } = await verify();
    const report = JSON.parse(stdout);
    const byId = Object.fromEntries(report.checks.map((c: { id: string }) => [c.id, c]));
    for (const id of [
      'verify.logs.exist',
      'verify.logs.errors',
      'verify.logs.requests',
      'verify.metrics',
      'verify.utilization',
    ])
      expect({ id, status: byId[id].status }).toEqual({ id, status: 'pass' });
    // The latency gates depend on this shared machine's load (a CI run beside other jobs missed
    // one): only they may fail here, and the exit code follows the report.
    const failed = report.checks
      .filter((c: { status: string }) => c.status === 'fail')
      .map((c: { id: string }) => c.id);
    expect(failed.filter((id: string) => !id.startsWith('verify.slo.'))).toEqual([]);
    expect(code).toBe(failed.length ? 1 : 0);
    // The ids verify looked for are ones the proxy logged for requests that reached the model.
    const pattern = logs
      .commandCalls(FilterLogEventsCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.filterPattern!.includes('verify-'))!.filterPattern!;
    const ids = [...pattern.matchAll(/\?"([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(5);
    for (const id of ids) {
      expect(id).toMatch(/^verify-[0-9a-f]{8}-\d+$/);
      expect(
        proxyLines.some((l) => JSON.parse(l.message).requestId === id && JSON.parse(l.message).status === 200),
      ).toBe(true);
    }
    // Errors are searched from the endpoint's last deploy (the stand-in's LastModifiedTime), not from verify's start.
    const searches = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(searches.find((i) => i.filterPattern!.includes('$.level'))!.startTime).toBeLessThan(before);
    expect(searches.find((i) => i.filterPattern!.includes('verify-'))!.startTime).toBeGreaterThanOrEqual(before);
    expect(cw.commandCalls(GetMetricDataCommand).length).toBeGreaterThanOrEqual(2);
  });

  it("fails verify.logs.requests (exit 1) when the proxy's log does not carry verify's requests", async () => {
    proxyLogs = false;
    const { code, stdout } = await verify(['--telemetry-timeout', '1']);
    const report = JSON.parse(stdout);
    const check = report.checks.find((c: { id: string }) => c.id === 'verify.logs.requests');
    expect(check).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /^after \d+ s, 5\/5 of verify's request ids are not in \/aws\/lambda\/ms-irisl-dev-proxy/,
      ),
      fix: expect.stringContaining('requestId'),
    });
    expect(code).toBe(1);
  });

  it('fails verify.logs.errors when an error-level line was logged since the deploy', async () => {
    logs.on(FilterLogEventsCommand, { logGroupName: EP_GROUP, filterPattern: ERROR_JSON_PATTERN }).resolves({
      events: [
        {
          logStreamName: 'AllTraffic/i-1',
          timestamp: Date.now(),
          message: '{"level":50,"msg":"predict failed: out of memory"}',
          eventId: '1',
        },
      ],
    });
    const { code, stdout } = await verify(['--telemetry-timeout', '1']);
    const check = JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'verify.logs.errors');
    expect(check).toMatchObject({ status: 'fail', message: expect.stringContaining('predict failed: out of memory') });
    expect(code).toBe(1);
  });
});
