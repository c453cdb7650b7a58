// The one retry-policy shape: the deployer's AWS clients (aws/retry.ts) and the
// Lambda proxy (lambda-proxy/retry.ts, bundled on its own: this file imports nothing)
// both retry with exponential backoff and full jitter,
// delay = random * min(maxDelayMs, baseDelayMs * 2^(n-1)).
export interface RetryPolicy {
  /** Total tries of one call (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts (and no sleep is taken) past this many ms since the first; unbounded when absent. */
  totalBudgetMs?: number;
  /** Test seams: the system's when absent. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RetryClock {
  now(): number;
  random(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: RetryClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The wait before retry number `retryNumber` (1 = after the first failure); `random` in [0, 1). */
export function backoffMs(
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  retryNumber: number,
  random: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.floor(random * ceiling);
}
