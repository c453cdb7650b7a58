// A second retry layer above the SDK's own (adaptive, per request): control
// planes like SageMaker allow only a few calls per second, and a throttle that
// outlasts the SDK's attempts should not fail a 10-minute `up`. Installed on
// every client's `send` by createAwsClients, so modules keep bare
// `client.send(new XCommand())` calls and waiters get it too.
import { isRetryable } from './aws-error.js';
import { recordAttempts } from './attempts.js';
import { backoffMs, systemClock, type RetryPolicy } from '../retry-policy.js';

export type { RetryPolicy } from '../retry-policy.js';

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 20_000 };

export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const sleep = policy.sleep ?? systemClock.sleep;
  const budget = policy.totalBudgetMs ?? Infinity;
  const start = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      const delayMs = backoffMs(policy, attempt, (policy.random ?? Math.random)());
      if (!isRetryable(err) || attempt >= policy.attempts || Date.now() - start + delayMs >= budget) {
        recordAttempts(err, attempt);
        throw err;
      }
      await sleep(delayMs);
    }
  }
}

type Sendable = { send: (...args: never[]) => unknown };

/**
 * Wraps `client.send` with `withRetry`. It looks the prototype's `send` up at
 * call time, so aws-sdk-client-mock's `mockClient(XClient)` (which stubs the
 * prototype) still sees every call, retries included.
 */
export function installRetry<C extends Sendable>(client: C, policy: RetryPolicy): C {
  const proto = Object.getPrototypeOf(client) as { send: (...args: unknown[]) => Promise<unknown> };
  const send = (...args: unknown[]) => {
    if (typeof args[args.length - 1] === 'function') return proto.send.apply(client, args); // callback style: untouched
    return withRetry(() => proto.send.apply(client, args), policy);
  };
  Object.defineProperty(client, 'send', { value: send, writable: true, configurable: true, enumerable: false });
  return client;
}
