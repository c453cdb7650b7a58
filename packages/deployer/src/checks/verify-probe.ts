// HTTP probes of the deployed API for `verify`: one request with timing, and a
// bounded run of N requests (small fixed concurrency) summarised as p95 latency,
// error rate and cache hit rate. Latency is measured at the client, as users see it.
export interface ProbeResult {
  /** 0 when no HTTP answer came back (network error, timeout). */
  status: number;
  ms: number;
  cache?: string;
  body: string;
  error?: string;
}

export interface LoadSummary {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  cacheHits: number;
  cacheReported: number;
  /** The statuses seen, with counts. */
  statuses: Record<string, number>;
}

export const MAX_VERIFY_REQUESTS = 1000;
const PROBE_TIMEOUT_MS = 30000;

export async function probe(
  url: string,
  init: { method?: string; token?: string; body?: string; contentType?: string; requestId?: string } = {},
): Promise<ProbeResult> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = init.token;
  // The proxy logs it, so verify.logs.requests can find verify's own requests.
  if (init.requestId) headers['x-request-id'] = init.requestId;
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = await res.text();
    return {
      status: res.status,
      ms: performance.now() - started,
      cache: res.headers.get('x-cache') ?? undefined,
      body,
    };
  } catch (err) {
    return { status: 0, ms: performance.now() - started, body: '', error: (err as Error).message };
  }
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(results: readonly ProbeResult[]): LoadSummary {
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const errors = results.filter((r) => r.status < 200 || r.status >= 300).length;
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
  const reported = results.filter((r) => r.cache !== undefined);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: results.length,
    errors,
    errorRate: results.length === 0 ? 0 : errors / results.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted.at(-1) ?? 0),
    cacheHits: reported.filter((r) => r.cache === 'HIT').length,
    cacheReported: reported.length,
    statuses,
  };
}

/** N requests (bounded by MAX_VERIFY_REQUESTS), `concurrency` at a time. */
export async function runLoad(
  send: () => Promise<ProbeResult>,
  requests: number,
  concurrency: number,
): Promise<LoadSummary> {
  const total = Math.max(1, Math.min(requests, MAX_VERIFY_REQUESTS));
  const results: ProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      results.push(await send());
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
  return summarize(results);
}
