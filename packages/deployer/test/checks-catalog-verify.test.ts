// Each verify check passing and failing with its id and a fix, through
// runVerifyChecks against a real HTTP API on 127.0.0.1 (an authorizer that wants
// a token, a model that validates input, an X-Cache header) and the real
// SageMaker/Lambda clients answered by aws-sdk-client-mock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeEndpointCommand, SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { runVerifyChecks } from '../src/checks/verify-checks.js';
import type { VerifyReport, VerifyTarget } from '../src/checks/verify-context.js';

const TOKEN = 'good-token';
/** How the fake API behaves in one test. */
const api = {
  invalidStatus: 400,
  predictStatus: 200,
  cache: 'HIT' as string | undefined,
  seen: 0,
  /** The paths predictions were posted to. */
  paths: [] as string[],
  health: { status: 200, body: '{"status":"UP","endpoint":"ms-iris-dev"}' },
};
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      api.seen += 1;
      // GET /health has no authorizer, as `model-deploy up` deploys it.
      if (req.method === 'GET' && req.url === '/dev/health')
        return void res.writeHead(api.health.status, { 'content-type': 'application/json' }).end(api.health.body);
      if (req.url !== '/dev/predict' && req.url !== '/dev/machine-predict')
        return void res.writeHead(404).end('{"message":"Missing Authentication Token"}');
      api.paths.push(req.url);
      if (req.headers.authorization !== TOKEN) return void res.writeHead(401).end('{"message":"Unauthorized"}');
      const parsed = JSON.parse(body) as { instances?: unknown };
      if (!Array.isArray(parsed.instances))
        return void res
          .writeHead(api.invalidStatus, { 'content-type': 'application/json' })
          .end('{"code":"MS_RUNTIME_INVALID_INPUT"}');
      res.writeHead(api.predictStatus, {
        'content-type': 'application/json',
        ...(api.cache ? { 'x-cache': api.cache } : {}),
      });
      res.end('{"predictions":[1]}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const sagemaker = new SageMakerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
const lambda = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
const sm = mockClient(sagemaker);
const lm = mockClient(lambda);

afterEach(() => {
  sm.reset();
  lm.reset();
  Object.assign(api, {
    invalidStatus: 400,
    predictStatus: 200,
    cache: 'HIT',
    health: { status: 200, body: '{"status":"UP","endpoint":"ms-iris-dev"}' },
  });
});

function healthyAws() {
  sm.on(DescribeEndpointCommand).resolves({
    EndpointName: 'ms-iris-dev',
    EndpointArn: 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev',
    EndpointStatus: 'InService',
    EndpointConfigName: 'ms-iris-dev-abc',
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
  });
  lm.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: 'ms-iris-dev-proxy',
    State: 'Active',
    LastUpdateStatus: 'Successful',
  });
}

function target(over: Partial<VerifyTarget> = {}): VerifyTarget {
  return {
    env: 'dev',
    endpointName: 'ms-iris-dev',
    functionName: 'ms-iris-dev-proxy',
    apiUrl: baseUrl,
    token: async () => TOKEN,
    sampleBody: '{"instances":[[1,2,3,4]]}',
    invalidBody: '{"instances":"not-a-list"}',
    requests: 6,
    concurrency: 2,
    slo: { p95LatencyMs: 60_000, errorRate: 0 },
    sagemaker,
    lambda,
    runId: 'catalog-test',
    // The telemetry checks have their own tests; here they skip without a CloudWatch call.
    telemetry: {
      env: 'dev',
      endpointName: 'ms-iris-dev',
      variantName: 'AllTraffic',
      functionName: 'ms-iris-dev-proxy',
      endpointLogGroup: '/aws/sagemaker/Endpoints/ms-iris-dev',
      lambdaLogGroup: '/aws/lambda/ms-iris-dev-proxy',
      limits: { maxCpuUtilization: 80, maxMemoryUtilization: 80 },
      logs: new CloudWatchLogsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } }),
      cloudWatch: new CloudWatchClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      }),
      poll: { timeoutMs: 0, intervalMs: 0 },
      skipReason: 'not read in this test',
    },
    ...over,
  };
}

const COVERED: string[] = [
  'verify.endpoint.in-service',
  'verify.lambda.active',
  'verify.api.reachable',
  'verify.auth.no-token-rejected',
  'verify.api.health',
  'verify.auth.valid-token-accepted',
  'verify.input.invalid-rejected',
  'verify.slo.latency',
  'verify.slo.error-rate',
  'verify.cache.hit-rate',
];

const byId = (r: VerifyReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`${id} not in the report: ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};

describe('verify checks, one by one', () => {
  it('all pass against a healthy deployment', async () => {
    healthyAws();
    const report = await runVerifyChecks(target());
    // The checks this file covers; golden-set and telemetry checks have their own tests.
    expect(
      report.checks.filter((c) => COVERED.includes(c.id) && c.status !== 'pass').map((c) => `${c.id}: ${c.message}`),
    ).toEqual([]);
    expect(COVERED.filter((id) => !report.checks.some((c) => c.id === id))).toEqual([]);
    expect(byId(report, 'verify.api.reachable').message).toMatch(/answered \(HTTP 401/);
    expect(byId(report, 'verify.cache.hit-rate').message).toMatch(/^cache hit rate 1\.00 \(6\/6/);
  });

  it("with the verify client's access token every prediction goes to /machine-predict, the route that checks its scope", async () => {
    healthyAws();
    api.paths = [];
    const report = await runVerifyChecks(target({ predictPath: 'machine-predict' }));
    expect(byId(report, 'verify.auth.valid-token-accepted').status).toBe('pass');
    expect(api.paths.length).toBeGreaterThan(0);
    expect(new Set(api.paths)).toEqual(new Set(['/dev/machine-predict']));
  });

  it('verify.endpoint.in-service fails with the FailureReason, and when the endpoint is missing', async () => {
    healthyAws();
    sm.on(DescribeEndpointCommand).resolves({
      EndpointName: 'ms-iris-dev',
      EndpointArn: 'arn:x',
      EndpointStatus: 'Failed',
      FailureReason: 'The primary container did not pass the ping health check.',
      EndpointConfigName: 'c',
      CreationTime: new Date(),
      LastModifiedTime: new Date(),
    });
    const failed = byId(await runVerifyChecks(target()), 'verify.endpoint.in-service');
    expect(failed).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/ms-iris-dev is Failed: The primary container did not pass/),
    });
    expect(failed.fix).toMatch(/model-deploy status dev/);

    sm.on(DescribeEndpointCommand).rejects(
      new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        message: 'Could not find endpoint "ms-iris-dev".',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const missing = byId(await runVerifyChecks(target()), 'verify.endpoint.in-service');
    expect(missing).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/cannot describe ms-iris-dev: ValidationException: Could not find endpoint/),
    });
    expect(missing.fix).toMatch(/model-deploy up dev/);
  });

  it('verify.lambda.active fails while the function is Pending or its update Failed', async () => {
    healthyAws();
    lm.on(GetFunctionConfigurationCommand).resolves({
      FunctionName: 'ms-iris-dev-proxy',
      State: 'Active',
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReason: 'EniLimitExceeded',
    });
    const c = byId(await runVerifyChecks(target()), 'verify.lambda.active');
    expect(c).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/Active\/Failed: EniLimitExceeded/),
      fix: expect.stringMatching(/model-deploy up dev/),
    });
  });

  it('verify.api.reachable fails when nothing answers, with what to check', async () => {
    healthyAws();
    // A port nothing listens on: the server above, closed for this one call, would race; use port 9 (discard) on loopback.
    const report = await runVerifyChecks(target({ apiUrl: 'http://127.0.0.1:9/dev', requests: 1 }));
    const c = byId(report, 'verify.api.reachable');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/no answer/);
    expect(c.fix).toMatch(/--url/);
    expect(byId(report, 'verify.auth.no-token-rejected').status).toBe('fail');
  });

  it('verify.auth.no-token-rejected fails when the API serves anonymous requests', async () => {
    healthyAws();
    const open = createServer((_req, res) => res.writeHead(200).end('{"predictions":[1]}'));
    await new Promise<void>((done) => open.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(open.address() as AddressInfo).port}/dev`;
      const c = byId(await runVerifyChecks(target({ apiUrl: url, requests: 1 })), 'verify.auth.no-token-rejected');
      expect(c).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/without a token: HTTP 200 .*expected 401\/403/),
        fix: expect.stringMatching(/Cognito authorizer/),
      });
    } finally {
      await new Promise<void>((done) => open.close(() => done()));
    }
  });

  it('verify.api.health fails when /health wants a token, is missing, or says DOWN, naming the status', async () => {
    healthyAws();
    const run = async () => byId(await runVerifyChecks(target({ requests: 1 })), 'verify.api.health');
    expect(await run()).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/dev\/health: HTTP 200, status UP$/),
    });
    api.health = { status: 401, body: '{"message":"Unauthorized"}' };
    expect(await run()).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/HTTP 401 .*Unauthorized/),
      fix: expect.stringMatching(/401\/403 means the route has an authorizer/),
    });
    api.health = { status: 503, body: '{"status":"DOWN","endpointStatus":"Updating"}' };
    expect(await run()).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/HTTP 503 .*"endpointStatus":"Updating"/),
    });
    // A 200 that is not the health answer (an HTML page, another service) is not UP.
    api.health = { status: 200, body: '<html>ok</html>' };
    expect((await run()).status).toBe('fail');
  });

  it('verify.auth.valid-token-accepted fails with a token the API refuses, and without any token', async () => {
    healthyAws();
    const refused = byId(
      await runVerifyChecks(target({ token: async () => 'expired-token', requests: 1 })),
      'verify.auth.valid-token-accepted',
    );
    expect(refused).toMatchObject({ status: 'fail', message: expect.stringMatching(/with a token: HTTP 401/) });
    const none = await runVerifyChecks(
      target({
        token: async () => Promise.reject(new Error('NotAuthorizedException: Incorrect username or password.')),
      }),
    );
    expect(byId(none, 'verify.auth.valid-token-accepted')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/--token/),
    });
    // Without a token nothing is measured: the checks that need one fail, the cache one skips.
    expect(byId(none, 'verify.slo.latency').status).toBe('fail');
    expect(byId(none, 'verify.cache.hit-rate').status).toBe('skip');
    expect(none.ok).toBe(false);
  });

  it('verify.input.invalid-rejected fails when an invalid body gets a 5xx (or a 2xx)', async () => {
    healthyAws();
    api.invalidStatus = 500;
    const c = byId(await runVerifyChecks(target({ requests: 1 })), 'verify.input.invalid-rejected');
    expect(c).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^invalid body: HTTP 500 in \d+ ms \(expected 4xx\)$/),
      fix: expect.stringMatching(/answer 400/),
    });
    api.invalidStatus = 200;
    expect(byId(await runVerifyChecks(target({ requests: 1 })), 'verify.input.invalid-rejected').status).toBe('fail');
  });

  it('verify.slo.latency fails when p95 is above slo.p95LatencyMs', async () => {
    healthyAws();
    // No real request answers in under a microsecond: the limit is unreachable, not a timing race.
    const c = byId(await runVerifyChecks(target({ slo: { p95LatencyMs: 0.001, errorRate: 0 } })), 'verify.slo.latency');
    expect(c).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^p95 [\d.]+ ms > 0\.001 ms over 6 requests/),
      fix: expect.stringMatching(/larger instance type/),
    });
  });

  it('verify.slo.error-rate fails when the run has errors above slo.errorRate, with the statuses', async () => {
    healthyAws();
    api.predictStatus = 503;
    const c = byId(await runVerifyChecks(target()), 'verify.slo.error-rate');
    expect(c).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/error rate 1 > 0 \(6\/6; statuses \{"503":6\}\)/),
    });
  });

  it('verify.cache.hit-rate reports misses and skips (with the reason) when the service reports no cache', async () => {
    healthyAws();
    api.cache = 'MISS';
    expect(byId(await runVerifyChecks(target()), 'verify.cache.hit-rate').message).toMatch(
      /^cache hit rate 0\.00 \(0\/6/,
    );
    api.cache = undefined;
    expect(byId(await runVerifyChecks(target()), 'verify.cache.hit-rate')).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/no X-Cache header/),
    });
  });
});
