// Retry timing with Jest fake timers: exponential backoff with full jitter,
// bounded by attempts and total time.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { InvokeEndpointCommand, InvokeEndpointCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, type InvokeClient } from '../../src/lambda-proxy/handler.js';
import { systemClock, withRetry, type RetryClock } from '../../src/lambda-proxy/retry.js';
import { backoffMs } from '../../src/retry-policy.js';
import { loadProxyConfig } from '../../src/lambda-proxy/config.js';
import { predictEvent } from './events.js';
import { modelError, throttling, unavailable, validation } from './sdk-errors.js';

const ok = (): InvokeEndpointCommandOutput => ({
  $metadata: {},
  Body: Buffer.from('{"predictions":["setosa"]}') as unknown as InvokeEndpointCommandOutput['Body'],
  ContentType: 'application/json',
});

/** A runtime client that fails with the given errors, then answers. */
function scripted(errors: unknown[]): InvokeClient & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    async send(_command: InvokeEndpointCommand) {
      calls.push(Date.now());
      const next = errors.shift();
      if (next !== undefined) throw next;
      return ok();
    },
  };
}

// random() = 1 gives the largest delay of each step, so the schedule is exact.
const maxJitter: RetryClock = { ...systemClock, random: () => 0.999999 };

function config(env: Record<string, string> = {}) {
  return loadProxyConfig({
    MS_ENDPOINT_NAME: 'ms-iris-dev',
    MS_RETRY_BASE_DELAY_MS: '100',
    MS_RETRY_MAX_DELAY_MS: '400',
    ...env,
  });
}

describe('backoff delays', () => {
  it('doubles the ceiling each retry, caps it, and scales by the random draw', () => {
    const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 400, totalBudgetMs: 10000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n, 0.999999))).toEqual([99, 199, 399, 399]);
    expect(backoffMs(policy, 3, 0)).toBe(0);
    expect(backoffMs(policy, 3, 0.5)).toBe(200);
  });
});

describe('handler retries with fake timers', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('retries throttling on the backoff schedule, then answers', async () => {
    const runtime = scripted([throttling(), unavailable()]);
    const handler = createHandler({ config: config(), runtime, clock: maxJitter, log: () => {} });
    const pending = handler(predictEvent({ instances: [[1, 2, 3, 4]] }));
    await jest.advanceTimersByTimeAsync(0);
    expect(runtime.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(98);
    expect(runtime.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runtime.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(198);
    expect(runtime.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    const result = await pending;
    expect(runtime.calls.map((t) => t - 1_000_000)).toEqual([0, 99, 298]);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ predictions: ['setosa'] });
  });

  it('stops after maxAttempts and answers 429 with the stable error body', async () => {
    const runtime = scripted([throttling(), throttling(), throttling(), throttling(), throttling()]);
    const handler = createHandler({
      config: config({ MS_RETRY_MAX_ATTEMPTS: '3' }),
      runtime,
      clock: maxJitter,
      log: () => {},
    });
    const pending = handler(predictEvent({ instances: [[1]] }));
    await jest.advanceTimersByTimeAsync(10_000);
    const result = await pending;
    expect(runtime.calls).toHaveLength(3);
    expect(result.statusCode).toBe(429);
    expect(result.headers['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'MS_PROXY_THROTTLED', message: expect.stringContaining('3 attempts'), requestId: 'apigw-req-1' },
    });
  });

  it('stops when the next sleep would pass the total time budget', async () => {
    const runtime = scripted(Array.from({ length: 10 }, () => unavailable()));
    const handler = createHandler({
      config: config({ MS_RETRY_MAX_ATTEMPTS: '10', MS_RETRY_TOTAL_BUDGET_MS: '500' }),
      runtime,
      clock: maxJitter,
      log: () => {},
    });
    const pending = handler(predictEvent({ instances: [[1]] }));
    await jest.advanceTimersByTimeAsync(10_000);
    const result = await pending;
    // 0, +99, +199 (=298); the next sleep of 399 would end at 697 > 500.
    expect(runtime.calls.map((t) => t - 1_000_000)).toEqual([0, 99, 298]);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error.code).toBe('MS_PROXY_ENDPOINT_UNAVAILABLE');
  });

  it('never retries validation errors or model 4xx', async () => {
    for (const err of [validation('Input too large'), modelError(400)]) {
      const runtime = scripted([err, err]);
      const handler = createHandler({ config: config(), runtime, clock: maxJitter, log: () => {} });
      const result = await handler(predictEvent({ instances: [[1]] }));
      expect(runtime.calls).toHaveLength(1);
      expect(result.statusCode).toBe(400);
    }
  });

  it('aborts a slow attempt at the attempt timeout and answers 504', async () => {
    const runtime: InvokeClient = {
      send: (_cmd, options) =>
        new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    };
    const handler = createHandler({
      config: config({ MS_ATTEMPT_TIMEOUT_MS: '1000', MS_RETRY_MAX_ATTEMPTS: '2', MS_RETRY_TOTAL_BUDGET_MS: '1500' }),
      runtime,
      clock: maxJitter,
      log: () => {},
    });
    const pending = handler(predictEvent({ instances: [[1]] }));
    await jest.advanceTimersByTimeAsync(5_000);
    const result = await pending;
    expect(result.statusCode).toBe(504);
    expect(JSON.parse(result.body).error.code).toBe('MS_PROXY_TIMEOUT');
  });

  it('withRetry reports why it stopped', async () => {
    const attempt = jest.fn(async () => {
      throw validation('x');
    });
    await expect(
      withRetry(attempt, () => false, { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, totalBudgetMs: 100 }),
    ).rejects.toMatchObject({
      reason: 'not-retryable',
      attempts: 1,
    });
  });
});
