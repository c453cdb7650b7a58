// The classifier over FailureReason + log lines, fed with strings as SageMaker
// and the container write them (pino JSON from the runtime, Node's fatal
// errors, SageMaker's own reasons).
import { describe, expect, it } from '@jest/globals';
import { classifyFailure, listeningPorts, slowestPingMs } from '../../src/diagnosis/likely-cause.js';

const PING_REASON =
  'The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/model-service/iris@sha256:' + 'a'.repeat(64);
const pino = (o: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: 1764064800000, pid: 7, hostname: 'ip-10-0-1-23.eu-west-1.compute.internal', ...o });

describe('classifyFailure', () => {
  it('port: the runtime says it listens on 9090 (PORT overridden), SageMaker says ping failed', () => {
    const cause = classifyFailure(PING_REASON, [
      pino({ model: 'iris', msg: 'model loaded' }),
      pino({ port: 9090, host: '0.0.0.0', fastPath: true, msg: 'listening' }),
    ]);
    expect(cause.id).toBe('port');
    expect(cause.summary).toContain('9090');
    expect(cause.summary).toContain('8080');
    expect(cause.evidence).toContain('"port":9090');
    expect(cause.fix).toMatch(/PORT/);
  });

  it('port: a plain-text server log (Express-style) on 3000', () => {
    expect(classifyFailure(PING_REASON, ['Server listening on port 3000']).id).toBe('port');
    expect(classifyFailure(PING_REASON, ['Listening at http://0.0.0.0:5000/']).id).toBe('port');
  });

  it('listening on 8080 is not a port problem', () => {
    const cause = classifyFailure(PING_REASON, [pino({ port: 8080, host: '0.0.0.0', msg: 'listening' })]);
    expect(cause.id).toBe('ping-health-check');
  });

  it('ping-slow: pino-http reports GET /ping at 3150 ms, over the 2 s limit', () => {
    const cause = classifyFailure(PING_REASON, [
      pino({ port: 8080, msg: 'listening' }),
      pino({
        req: { method: 'GET', url: '/ping' },
        res: { statusCode: 200 },
        responseTime: 120.5,
        msg: 'request completed',
      }),
      pino({
        req: { method: 'GET', url: '/ping' },
        res: { statusCode: 200 },
        responseTime: 3150.2,
        msg: 'request completed',
      }),
    ]);
    expect(cause.id).toBe('ping-slow');
    expect(cause.summary).toContain('3150 ms');
    expect(cause.summary).toContain('2 s');
  });

  it('ping-slow from a text access log; a fast ping is not slow', () => {
    expect(classifyFailure(PING_REASON, ['GET /ping 200 2750 ms - 2']).id).toBe('ping-slow');
    expect(classifyFailure(PING_REASON, ['GET /ping 200 12 ms - 2']).id).toBe('ping-health-check');
  });

  it('ping-slow from a reason that says the ping timed out', () => {
    expect(classifyFailure('The ping health check timed out for production variant AllTraffic.', []).id).toBe(
      'ping-slow',
    );
  });

  it('ping-health-check: the generic SageMaker reason with nothing more specific in the logs', () => {
    const cause = classifyFailure(PING_REASON, []);
    expect(cause.id).toBe('ping-health-check');
    expect(cause.summary).toContain('8080');
    expect(cause.evidence).toBe(PING_REASON);
  });

  it("model-load: the runtime's MS_RUNTIME_MODEL_LOAD_FAILED line wins over the ping reason", () => {
    const line = JSON.stringify({
      level: 50,
      code: 'MS_RUNTIME_MODEL_LOAD_FAILED',
      msg: 'Model "churn" failed to load: ENOENT: no such file or directory, open \'/opt/ml/code/model/churn.onnx\'',
    });
    const cause = classifyFailure(PING_REASON, [pino({ port: 8080, msg: 'listening' }), line]);
    expect(cause.id).toBe('model-load');
    expect(cause.evidence).toContain('MS_RUNTIME_MODEL_LOAD_FAILED');
  });

  it("model-load: other servers' wording", () => {
    expect(classifyFailure(PING_REASON, ['Error loading model: invalid magic number']).id).toBe('model-load');
    expect(
      classifyFailure(PING_REASON, ["Error: ENOENT: no such file or directory, open '/opt/ml/model/model.onnx'"]).id,
    ).toBe('model-load');
    expect(
      classifyFailure(PING_REASON, [
        '[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from /opt/ml/model/m.onnx failed:Protobuf parsing failed.',
      ]).id,
    ).toBe('model-load');
  });

  it('out-of-memory: V8 heap exhaustion', () => {
    const cause = classifyFailure(PING_REASON, [
      '<--- Last few GCs --->',
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    ]);
    expect(cause.id).toBe('out-of-memory');
    expect(cause.fix).toMatch(/instance type with more memory/);
  });

  it('out-of-memory beats model-load when loading ran out of memory', () => {
    const cause = classifyFailure(PING_REASON, ['Model "big" failed to load: Cannot allocate memory']);
    expect(cause.id).toBe('out-of-memory');
  });

  it('image-pull: SageMaker cannot read the image from ECR', () => {
    const reason = `The repository for image ${IMAGE} does not exist or the role associated with your model does not have permission to access it.`;
    const cause = classifyFailure(reason, []);
    expect(cause.id).toBe('image-pull');
    expect(cause.fix).toContain('ecr:BatchGetImage');
    expect(classifyFailure(`Requested image ${IMAGE} not found.`, []).id).toBe('image-pull');
    expect(classifyFailure('CannotPullContainerError: pull access denied', []).id).toBe('image-pull');
  });

  it('unknown: keeps the reason as evidence and still says what to do', () => {
    const cause = classifyFailure(
      'Request to service failed. If failure persists after retry, contact customer support.',
      [],
    );
    expect(cause.id).toBe('unknown');
    expect(cause.evidence).toContain('Request to service failed');
    expect(cause.fix.length).toBeGreaterThan(20);
    expect(classifyFailure(undefined, []).id).toBe('unknown');
  });
});

describe('log helpers', () => {
  it('listeningPorts reads pino and text lines, once each', () => {
    expect(
      listeningPorts([
        pino({ port: 9090, msg: 'listening' }),
        'listening on port 9090',
        'listening on :7000',
        'GET /ping',
      ]),
    ).toEqual([9090, 7000]);
  });

  it('slowestPingMs ignores status codes and non-ping lines', () => {
    expect(
      slowestPingMs([
        pino({ req: { url: '/ping' }, res: { statusCode: 200 }, responseTime: 15 }),
        pino({ req: { url: '/invocations' }, responseTime: 9000 }),
      ]),
    ).toMatchObject({ ms: 15 });
    expect(slowestPingMs(['nothing here'])).toBeUndefined();
  });
});
