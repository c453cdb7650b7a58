// When an endpoint goes Failed, `up` (and anything behind the endpoint waiter)
// prints SageMaker's FailureReason, the last CloudWatch log lines and the likely
// cause with the local reproduction, exits 1 with MS_DEPLOY_ENDPOINT_FAILED, and
// puts it all under `diagnosis` in --json. AWS answers are shaped as the SDK
// returns them (aws-sdk-client-mock, the services' own exception classes).
import {
  AccessDeniedException,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEndpointCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { CliDeps } from '../../src/commands/session.js';
import type { AnyResource } from '../../src/deploy-graph.js';
import { diagnoseEndpoint, reproduceCommand } from '../../src/diagnosis/diagnose-endpoint.js';
import { DiagnosedError, endpointFailure } from '../../src/diagnosis/endpoint-failure.js';
import { fetchLogTail } from '../../src/diagnosis/endpoint-logs.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { ACCOUNT, mockAll, restoreAll, sagemakerNotFound, testContext, type Mocks } from '../helpers/aws-context.js';
import { cli, tempProject } from '../helpers/cli-harness.js';
import { FakeLockS3 } from '../helpers/fake-lock-s3.js';
import type { AwsStub } from 'aws-sdk-client-mock';

const ENDPOINT = 'ms-iris-dev';
const LOG_GROUP = `/aws/sagemaker/Endpoints/${ENDPOINT}`;
const CONFIG = 'ms-iris-dev-0a1b2c3d';
const IMAGE = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/model-service/iris@sha256:${'c'.repeat(64)}`;
const REASON =
  'The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.';
const STREAM = 'AllTraffic/i-0a1b2c3d4e5f67890';
const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const LINES = [
  '{"level":30,"time":1764064800000,"pid":1,"hostname":"ip-10-0-1-23","model":"iris","ms":41,"msg":"model loaded"}',
  '{"level":30,"time":1764064800050,"pid":1,"hostname":"ip-10-0-1-23","port":9090,"host":"0.0.0.0","fastPath":true,"msg":"listening"}',
];
const metadata = {
  httpStatusCode: 400,
  requestId: 'c0ffee00-1111-2222-3333-444455556666',
  attempts: 1,
  totalRetryDelay: 0,
};

const failed: DescribeEndpointCommandOutput = {
  EndpointName: ENDPOINT,
  EndpointArn: `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/${ENDPOINT}`,
  EndpointConfigName: CONFIG,
  EndpointStatus: 'Failed',
  FailureReason: REASON,
  ProductionVariants: [
    { VariantName: 'AllTraffic', DeployedImages: [{ SpecifiedImage: IMAGE, ResolvedImage: IMAGE }] },
  ],
  CreationTime: new Date(T0),
  LastModifiedTime: new Date(T0 + 600_000),
  $metadata: {},
};

function logsHaveLines(mocks: Mocks, lines = LINES): void {
  mocks.logs.on(DescribeLogStreamsCommand).resolves({
    logStreams: [{ logStreamName: STREAM, lastEventTimestamp: T0 + 50, storedBytes: 0 }],
    $metadata: {},
  });
  mocks.logs.on(GetLogEventsCommand).resolves({
    events: lines.map((message, i) => ({
      timestamp: T0 + i * 50,
      message: `${message}\n`,
      ingestionTime: T0 + i * 50 + 900,
    })),
    nextForwardToken: 'f/3853',
    nextBackwardToken: 'b/3851',
    $metadata: {},
  });
}

function logGroupMissing(mocks: Mocks): void {
  mocks.logs
    .on(DescribeLogStreamsCommand)
    .rejects(
      new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: metadata }),
    );
}

/** `up` with just the endpoint module: an upstream stub hands it the endpoint config. */
const upstream: ResourceModule<null, null> = {
  kind: 'upstream-stub',
  desired: () => null,
  observe: async () => null,
  plan: () => ({ kind: 'upstream-stub', name: 'stub', action: 'no-change', diffs: [] }),
  apply: async () => ({ endpointConfigName: CONFIG }),
};
const deps: CliDeps = {
  resources: async (): Promise<AnyResource[]> => [upstream, sagemakerEndpoint as unknown as AnyResource],
};

const project = tempProject();
afterAll(() => project.cleanup());

let mocks: Mocks;
let lockStub: AwsStub<any, any, any>;
beforeEach(() => {
  mocks = mockAll();
  // up / promote / rollback take the environment's deploy lock (S3).
  lockStub = new FakeLockS3().install();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  // Not there yet, then the waiter's first poll sees it Failed.
  mocks.sagemaker
    .on(DescribeEndpointCommand)
    .rejectsOnce(sagemakerNotFound(`endpoint "${ENDPOINT}"`))
    .resolves(failed);
  mocks.sagemaker.on(CreateEndpointCommand).resolves({ EndpointArn: failed.EndpointArn, $metadata: {} });
});
afterEach(() => {
  restoreAll(mocks);
  lockStub.restore();
});

describe('model-deploy up: a Failed endpoint is explained', () => {
  it('prints the FailureReason, the log lines and the likely cause with the reproduce command; exits 1', async () => {
    logsHaveLines(mocks);
    const run = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(run.code).toBe(1);
    const out = run.stderr;
    expect(out).toContain(`failure reason: ${REASON}`);
    for (const line of LINES) expect(out).toContain(line);
    expect(out).toContain(`last 2 log line(s) from ${LOG_GROUP}`);
    expect(out).toMatch(
      /likely cause \(port\): The server listens on port 9090, but SageMaker sends \/ping and \/invocations to port 8080/,
    );
    expect(out).toContain(`reproduce locally: model-deploy doctor --image ${IMAGE}`);
    expect(out).toContain('MS_DEPLOY_ENDPOINT_FAILED: SageMaker endpoint ms-iris-dev failed');
    // Bounded, newest-first reads of the endpoint's own log group.
    expect(mocks.logs.commandCalls(DescribeLogStreamsCommand)[0]!.args[0].input).toEqual({
      logGroupName: LOG_GROUP,
      orderBy: 'LastEventTime',
      descending: true,
      limit: 3,
    });
    expect(mocks.logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toEqual({
      logGroupName: LOG_GROUP,
      logStreamName: STREAM,
      startFromHead: false,
      limit: 40,
    });
  });

  it('--json: the error code plus a diagnosis object', async () => {
    logsHaveLines(mocks);
    const run = await cli(['up', 'dev', '--dir', project.dir, '--json'], { deps });
    expect(run.code).toBe(1);
    const body = run.json<{ ok: boolean; error: { code: string }; diagnosis: Record<string, any> }>();
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('MS_DEPLOY_ENDPOINT_FAILED');
    expect(body.diagnosis).toMatchObject({
      endpoint: ENDPOINT,
      status: 'Failed',
      failureReason: REASON,
      image: IMAGE,
      cause: { id: 'port' },
      reproduce: `model-deploy doctor --image ${IMAGE}`,
      logs: { logGroup: LOG_GROUP, streams: [STREAM] },
    });
    expect(body.diagnosis.logs.lines).toEqual(
      LINES.map((message, i) => ({ stream: STREAM, timestamp: new Date(T0 + i * 50).toISOString(), message })),
    );
  });

  it('no log group (ResourceNotFoundException): still prints the reason and the cause', async () => {
    logGroupMissing(mocks);
    const run = await cli(['up', 'dev', '--dir', project.dir], { deps });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`failure reason: ${REASON}`);
    expect(run.stderr).toContain(`log group ${LOG_GROUP} does not exist`);
    expect(run.stderr).toMatch(
      /likely cause \(ping-health-check\): The container did not answer GET \/ping on port 8080/,
    );
    expect(run.stderr).toContain('reproduce locally: model-deploy doctor --image');
    expect(run.stderr).toContain('MS_DEPLOY_ENDPOINT_FAILED');
    expect(mocks.logs.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  });

  it('logs not readable (AccessDeniedException): says so, and the failure is still reported', async () => {
    mocks.logs.on(DescribeLogStreamsCommand).rejects(
      new AccessDeniedException({
        message: `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: logs:DescribeLogStreams`,
        $metadata: metadata,
      }),
    );
    const run = await cli(['up', 'dev', '--dir', project.dir, '--json'], { deps });
    expect(run.code).toBe(1);
    const body = run.json<{ diagnosis: { logs: { error: string }; cause: { id: string } } }>();
    expect(body.diagnosis.logs.error).toMatch(/^AccessDeniedException: .*logs:DescribeLogStreams/);
    expect(body.diagnosis.cause.id).toBe('ping-health-check');
  });
});

describe('model-deploy rollback on a Failed endpoint', () => {
  it('refuses (it cannot be updated) and says why it failed', async () => {
    logsHaveLines(mocks, [
      '{"level":50,"code":"MS_RUNTIME_MODEL_LOAD_FAILED","msg":"Model \\"iris\\" failed to load: ENOENT: no such file or directory, open \'/opt/ml/code/model/iris.onnx\'"}',
    ]);
    mocks.sagemaker.on(DescribeEndpointCommand).resolves(failed);
    const run = await cli(['rollback', 'dev', '--dir', project.dir, '--json']);
    expect(run.code).toBe(1);
    const body = run.json<{
      error: { code: string; message: string };
      diagnosis: { cause: { id: string }; failureReason: string };
    }>();
    expect(body.error.code).toBe('MS_DEPLOY_ENDPOINT_FAILED');
    expect(body.error.message).toContain('a Failed endpoint cannot be updated');
    expect(body.diagnosis).toMatchObject({ failureReason: REASON, cause: { id: 'model-load' } });
    expect(mocks.sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });
});

describe('diagnosis building blocks', () => {
  it('merges the newest streams by time and keeps only the last N lines', async () => {
    mocks.logs.on(DescribeLogStreamsCommand).resolves({
      logStreams: [{ logStreamName: 'AllTraffic/i-b' }, { logStreamName: 'AllTraffic/i-a' }],
      $metadata: {},
    });
    mocks.logs.on(GetLogEventsCommand, { logStreamName: 'AllTraffic/i-b' }).resolves({
      events: [
        { timestamp: T0 + 2, message: 'b2' },
        { timestamp: T0 + 4, message: 'b4' },
      ],
      $metadata: {},
    });
    mocks.logs.on(GetLogEventsCommand, { logStreamName: 'AllTraffic/i-a' }).resolves({
      events: [
        { timestamp: T0 + 1, message: 'a1' },
        { timestamp: T0 + 3, message: 'a3' },
      ],
      $metadata: {},
    });
    const ctx = testContext();
    const tail = await fetchLogTail(ctx.clients.logs, LOG_GROUP, { maxLines: 3 });
    expect(tail.lines.map((l) => `${l.stream}:${l.message}`)).toEqual([
      'AllTraffic/i-b:b2',
      'AllTraffic/i-a:a3',
      'AllTraffic/i-b:b4',
    ]);
    expect(mocks.logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.limit)).toEqual([3, 3]);
  });

  it('image-pull: the reproduce command asks ECR whether it has that digest', async () => {
    logGroupMissing(mocks);
    const ctx = testContext();
    const reason = `The repository for image ${IMAGE} does not exist or the role associated with your model does not have permission to access it.`;
    const d = await diagnoseEndpoint({ sagemaker: ctx.clients.sagemaker, logs: ctx.clients.logs }, ENDPOINT, {
      described: { ...failed, FailureReason: reason },
    });
    expect(d.cause.id).toBe('image-pull');
    expect(d.reproduce).toBe(
      `aws ecr describe-images --region eu-west-1 --repository-name model-service/iris --image-ids imageDigest=sha256:${'c'.repeat(64)}`,
    );
    expect(
      reproduceCommand(
        `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/model-service/iris:abc1234`,
        'buildah',
        'image-pull',
      ),
    ).toBe(
      'aws ecr describe-images --region us-east-1 --repository-name model-service/iris --image-ids imageTag=abc1234',
    );
    expect(reproduceCommand('localhost/iris:dev', 'buildah', 'port')).toBe(
      'model-deploy doctor --image localhost/iris:dev --builder buildah',
    );
  });

  it('a rolled back update names the new image, not the one still serving', async () => {
    logsHaveLines(mocks, ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory']);
    const ctx = testContext();
    const rolledBack: DescribeEndpointCommandOutput = {
      ...failed,
      EndpointStatus: 'InService',
      FailureReason: undefined,
    };
    const err = await endpointFailure(ctx, ENDPOINT, 'the blue/green update to ms-iris-dev-new was rolled back', {
      described: rolledBack,
      image: IMAGE.replace('c'.repeat(64), 'd'.repeat(64)),
    });
    expect(err).toBeInstanceOf(DiagnosedError);
    expect(err.code).toBe('MS_DEPLOY_ENDPOINT_FAILED');
    expect(err.diagnosis.cause.id).toBe('out-of-memory');
    expect(err.diagnosis.reproduce).toContain('d'.repeat(64));
    expect(err.toUserString()).toContain('rolled back');
    // Without the image given, the old image is not offered as the culprit.
    const unknown = await diagnoseEndpoint({ sagemaker: ctx.clients.sagemaker, logs: ctx.clients.logs }, ENDPOINT, {
      described: rolledBack,
    });
    expect(unknown.image).toBeUndefined();
    expect(unknown.reproduce).toBe('model-deploy doctor --image <the image uri>');
  });
});
