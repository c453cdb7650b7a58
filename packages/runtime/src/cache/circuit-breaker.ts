// A circuit breaker for the cache tier. A dead Redis fails fast (refused, not connected), but a
// stalled one (overloaded, paused, a network black hole) lets every command run into its
// timeout: without a breaker each request would pay that timeout. After `threshold` faults in a
// row the breaker opens and requests skip the cache at once; after `openMs` one request probes
// (half-open): a success closes it, a fault opens it again.

export interface CircuitBreakerOptions {
  /** Consecutive faults that open the circuit. Default 3. */
  threshold?: number;
  /** How long the circuit stays open before one probe. Default 1000 ms. */
  openMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface CircuitBreaker {
  /** True when a command may be sent now (closed, or the one half-open probe). */
  allow(): boolean;
  success(): void;
  /** Records a fault; true when this fault opened the circuit. */
  failure(): boolean;
  readonly state: 'closed' | 'open' | 'half-open';
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.threshold ?? 3;
  const openMs = options.openMs ?? 1_000;
  const now = options.now ?? Date.now;
  let faults = 0;
  let openedAt: number | undefined;
  let probing = false;

  return {
    get state() {
      if (openedAt === undefined) return 'closed';
      return probing || now() - openedAt >= openMs ? 'half-open' : 'open';
    },
    allow() {
      if (openedAt === undefined) return true;
      if (probing || now() - openedAt < openMs) return false;
      probing = true;
      return true;
    },
    success() {
      faults = 0;
      openedAt = undefined;
      probing = false;
    },
    failure() {
      if (openedAt !== undefined) {
        // The probe failed: stay open for another period.
        openedAt = now();
        probing = false;
        return false;
      }
      faults += 1;
      if (faults < threshold) return false;
      openedAt = now();
      return true;
    },
  };
}
