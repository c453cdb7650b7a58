// The deadlines of the chain API Gateway -> Lambda proxy -> SageMaker -> runtime nest: the
// runtime's predict deadline ends before the proxy stops waiting for an attempt (so the client
// gets the runtime's 504 with its code, not the proxy's timeout) and before SageMaker's 60 s;
// the SIGTERM drain ends before the SIGKILL that follows 30 s later.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '../../packages/deployer/src/lambda-proxy/config.js';
import { DEFAULTS } from '../../packages/runtime/src/create-service.js';
import { loadConfig } from '../../packages/runtime/src/config.js';

describe('deadlines', () => {
  it("the default predict deadline is below the Lambda proxy attempt timeout and SageMaker's 60 s", () => {
    expect(DEFAULTS.predictTimeoutMs).toBeLessThan(DEFAULT_ATTEMPT_TIMEOUT_MS);
    expect(loadConfig({}).MS_PREDICT_TIMEOUT_MS).toBeLessThan(DEFAULT_ATTEMPT_TIMEOUT_MS);
    expect(DEFAULTS.predictTimeoutMs).toBeLessThan(60_000);
  });

  it('the default drain ends before SIGKILL (30 s after SIGTERM)', () => {
    expect(DEFAULTS.drainTimeoutMs).toBeLessThan(30_000);
    expect(loadConfig({}).MS_DRAIN_TIMEOUT_MS).toBeLessThan(30_000);
  });
});
