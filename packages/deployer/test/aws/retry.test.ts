// The AWS clients' outer retry reads the same RetryPolicy as the Lambda proxy:
// attempts, backoff with full jitter, and (when given) a total time budget.
import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { describe, expect, test } from '@jest/globals';
import { attemptsMade } from '../../src/aws/attempts.js';
import { withRetry } from '../../src/aws/retry.js';

const throttled = () =>
  new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

describe('withRetry (AWS clients)', () => {
  test('retries a throttle up to `attempts`, sleeping the jittered backoff', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const err = await withRetry(() => ((calls += 1), Promise.reject(throttled())), {
      attempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 250,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
    }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 125]);
    expect(attemptsMade(err)).toBe(4);
  });

  test('no retry whose wait would pass totalBudgetMs', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const policy = {
      attempts: 10,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      totalBudgetMs: 350,
      random: () => 0.999,
      sleep: async (ms: number) => void sleeps.push(ms),
    };
    const err = await withRetry(() => ((calls += 1), Promise.reject(throttled())), policy).catch((e: unknown) => e);
    // Waits of 99 and 199 fit in 350 ms; the third (399) would not.
    expect({ calls, sleeps, attempts: attemptsMade(err) }).toEqual({ calls: 3, sleeps: [99, 199], attempts: 3 });
  });
});
