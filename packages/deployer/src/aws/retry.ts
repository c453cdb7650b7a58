// A second retry layer above the SDK's own (adaptive, per request): control
// planes like SageMaker allow only a few calls per second, and a throttle that
// outlasts the SDK's attempts should not fail a 10-minute `up`. Installed on
// every client's `send` by createAwsClients, so modules keep bare
// `client.send(new XCommand())` calls and waiters get it too.
import { isRetryable } from './aws-error.js';
import { recordAttempts } from './attempts.js';

export interface RetryPolicy {
  /** Total tries of one `send` at this layer (1 = no outer retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 20_000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor((policy.random ?? Math.random)() * cap);
}

export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.attempts) {
        recordAttempts(err, attempt);
        throw err;
      }
      await sleep(backoffMs(attempt, policy));
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
