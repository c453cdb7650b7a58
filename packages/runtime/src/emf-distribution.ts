// The values one metric saw during one EMF interval, kept as a count per rounded value, so memory
// is bounded by the distinct rounded values (a few thousand at most), not by the request count.
// An EMF metric takes at most 100 values per line and has no per-value counts, so the interval is
// written as up to 100 values at evenly spaced ranks: CloudWatch's percentiles, average, minimum
// and maximum over them match the interval's (to a percent of rank); SampleCount and Sum do not.

/** Most values in one EMF metric array (the specification's limit). */
export const EMF_MAX_VALUES = 100;

/** Rounds to three significant digits (0.5% at worst): latency keys stay few. */
export function threeSignificantDigits(value: number): number {
  if (!(value > 0)) return 0;
  const scale = 10 ** (Math.floor(Math.log10(value)) - 2);
  return Math.round(value / scale) * scale;
}

export class Distribution {
  readonly #round: (value: number) => number;
  #counts = new Map<number, number>();
  #size = 0;

  /** `round` maps each value to its key (identity for small integers such as batch sizes). */
  constructor(round: (value: number) => number = (v) => v) {
    this.#round = round;
  }

  /** Values added since the last take(). */
  get size(): number {
    return this.#size;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const key = this.#round(value);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#size += 1;
  }

  /**
   * Returns at most `limit` values standing for the interval (all of them when fewer: the smallest
   * and largest always among them) and starts a new interval.
   */
  take(limit = EMF_MAX_VALUES): number[] {
    const n = this.#size;
    const entries = [...this.#counts.entries()].sort((a, b) => a[0] - b[0]);
    this.#counts = new Map();
    this.#size = 0;
    if (n === 0) return [];
    const k = Math.min(n, limit);
    const out: number[] = [];
    let entry = 0;
    let seen = entries[0]![1];
    for (let i = 0; i < k; i += 1) {
      const rank = k === 1 ? 0 : Math.round((i * (n - 1)) / (k - 1));
      while (rank >= seen) {
        entry += 1;
        seen += entries[entry]![1];
      }
      // toPrecision: 0.1 * 3 style float noise would make lines longer than they need to be.
      out.push(Number(entries[entry]![0].toPrecision(6)));
    }
    return out;
  }
}
