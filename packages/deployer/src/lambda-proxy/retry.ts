// Exponential backoff with full jitter (delay = random * min(cap, base * 2^n)),
// bounded by attempts AND by a total time budget, so a throttled endpoint can
// never hold a Lambda (and API Gateway's 29 s limit) hostage. Clock, random and
// sleep are injectable so tests drive the timing with fake timers.
import { backoffMs, systemClock, type RetryClock, type RetryPolicy } from '../retry-policy.js';

export { systemClock, type RetryClock } from '../retry-policy.js';

/** The proxy always has a time budget (API Gateway gives up at 29 s). */
export type BudgetedRetryPolicy = RetryPolicy & { totalBudgetMs: number };

export type StopReason = 'not-retryable' | 'attempts' | 'budget';

/** The last error plus why retrying stopped. */
export class RetryStopped extends Error {
  override readonly name = 'RetryStopped';
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly reason: StopReason,
    readonly elapsedMs: number,
  ) {
    super(`stopped after ${attempts} attempt(s): ${reason}`, { cause: lastError });
  }
}

export async function withRetry<T>(
  attempt: (attemptNumber: number, remainingMs: number) => Promise<T>,
  isRetryable: (err: unknown) => boolean,
  policy: BudgetedRetryPolicy,
  clock: RetryClock = systemClock,
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void,
): Promise<{ value: T; attempts: number }> {
  const start = clock.now();
  for (let n = 1; ; n++) {
    const remaining = policy.totalBudgetMs - (clock.now() - start);
    try {
      return { value: await attempt(n, remaining), attempts: n };
    } catch (err) {
      const elapsed = clock.now() - start;
      if (!isRetryable(err)) throw new RetryStopped(err, n, 'not-retryable', elapsed);
      if (n >= policy.attempts) throw new RetryStopped(err, n, 'attempts', elapsed);
      const delayMs = backoffMs(policy, n, clock.random());
      if (elapsed + delayMs >= policy.totalBudgetMs) throw new RetryStopped(err, n, 'budget', elapsed);
      onRetry?.({ attempt: n, delayMs, error: err });
      await clock.sleep(delayMs);
    }
  }
}
