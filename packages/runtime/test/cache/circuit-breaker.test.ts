import { describe, expect, it } from '@jest/globals';
import { createCircuitBreaker } from '../../src/cache/circuit-breaker.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('circuit breaker', () => {
  it('opens after threshold faults in a row, and a success in between resets the count', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ threshold: 3, openMs: 1_000, now: c.now });
    expect(breaker.failure()).toBe(false);
    expect(breaker.failure()).toBe(false);
    breaker.success();
    expect(breaker.failure()).toBe(false);
    expect(breaker.failure()).toBe(false);
    expect(breaker.allow()).toBe(true);
    expect(breaker.failure()).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
  });

  it('lets exactly one probe through after openMs; a failed probe opens it again, a good one closes it', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ threshold: 1, openMs: 1_000, now: c.now });
    breaker.failure();
    c.advance(999);
    expect(breaker.allow()).toBe(false);
    c.advance(1);
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    expect(breaker.failure()).toBe(false);
    expect(breaker.state).toBe('open');
    c.advance(1_000);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(true);
  });
});
