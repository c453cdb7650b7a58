// The service's health state machine. Every probe (/ping, /health/*) and the invocation
// path read this one state; only the transitions below are possible.
import type { HealthState, ReadinessCheck } from './types.js';

const TRANSITIONS: Record<HealthState, readonly HealthState[]> = {
  starting: ['ready', 'unhealthy', 'stopping'],
  ready: ['unhealthy', 'stopping'],
  unhealthy: ['ready', 'stopping'],
  stopping: [],
};

export interface CheckResult {
  name: string;
  status: 'UP' | 'DOWN';
  error?: string;
}

export interface ReadinessReport {
  status: 'UP' | 'DOWN';
  state: HealthState;
  reason?: string;
  checks: CheckResult[];
}

/** How long one custom readiness check may take before it counts as DOWN. */
const CHECK_TIMEOUT_MS = 2000;

export class Health {
  #state: HealthState = 'starting';
  #reason: string | undefined;
  readonly #checks: readonly ReadinessCheck[];
  readonly #listeners: Array<(state: HealthState, reason: string | undefined) => void> = [];

  constructor(checks: readonly ReadinessCheck[] = []) {
    this.#checks = checks;
  }

  get state(): HealthState {
    return this.#state;
  }

  /** Why the service is unhealthy (or undefined). */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** Moves to `to`; returns false (and stays) when the transition is not allowed. */
  transition(to: HealthState, reason?: string): boolean {
    if (to === this.#state) return true;
    if (!TRANSITIONS[this.#state].includes(to)) return false;
    this.#state = to;
    this.#reason = to === 'unhealthy' ? reason : undefined;
    for (const listener of this.#listeners) listener(to, this.#reason);
    return true;
  }

  onChange(listener: (state: HealthState, reason: string | undefined) => void): void {
    this.#listeners.push(listener);
  }

  /** Runs the custom checks (each bounded in time); ready only when the state is and all pass. */
  async readiness(): Promise<ReadinessReport> {
    const model: CheckResult =
      this.#state === 'ready'
        ? { name: 'model', status: 'UP' }
        : { name: 'model', status: 'DOWN', error: this.#reason ?? `state is ${this.#state}` };
    const custom = await Promise.all(this.#checks.map((c) => runCheck(c)));
    const checks = [model, ...custom];
    const status = checks.every((c) => c.status === 'UP') ? 'UP' : 'DOWN';
    const report: ReadinessReport = { status, state: this.#state, checks };
    if (this.#reason !== undefined) report.reason = this.#reason;
    return report;
  }
}

async function runCheck(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const ok = await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
    return ok === false
      ? { name: check.name, status: 'DOWN', error: 'check returned false' }
      : { name: check.name, status: 'UP' };
  } catch (err) {
    return { name: check.name, status: 'DOWN', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
