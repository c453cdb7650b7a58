// How many tries the outer retry layer made before it gave up with an error:
// retry.ts records it, aws-error.ts reads it into the message.
const attemptsByError = new WeakMap<object, number>();

export function recordAttempts(err: unknown, attempts: number): void {
  if (typeof err === 'object' && err !== null) attemptsByError.set(err, attempts);
}

/** How many tries `withRetry` made before giving up with this error. */
export function attemptsMade(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? attemptsByError.get(err) : undefined;
}
