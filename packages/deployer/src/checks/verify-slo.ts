// The service level checks: a bounded run of authenticated requests (run once,
// judged three ways), and the target rate held under `verify --load`.
import { judgeThroughput, runRateLoad } from './verify-throughput.js';
import { withToken, type VerifyCheck } from './verify-context.js';

const notMeasured = { status: 'skip', message: 'not measured without a token' } as const;

export const latencyCheck: VerifyCheck = {
  id: 'verify.slo.latency',
  title: 'p95 latency within the SLO',
  description:
    'p95 over a bounded run of authenticated requests is within slo.p95LatencyMs; for a serverless endpoint the run\'s first request is reported apart as "first (may be cold)" and the SLO judges the warm p95 of the rest.',
  run: (ctx) =>
    withToken(ctx, async (token) => {
      const load = await ctx.load(token);
      const { p95LatencyMs } = ctx.target.slo;
      const first = ctx.target.serverless ? ctx.firstRequest : undefined;
      if (first) {
        ctx.report.coldStart = {
          firstMs: round(first.ms),
          firstStatus: first.status,
          warmP95Ms: load.p95Ms,
          warmRequests: load.requests,
        };
      }
      const cold = first ? `first (may be cold) ${round(first.ms)} ms; warm ` : '';
      return load.p95Ms <= p95LatencyMs
        ? {
            status: 'pass',
            message: `${cold}p95 ${load.p95Ms} ms <= ${p95LatencyMs} ms over ${load.requests} requests`,
          }
        : {
            status: 'fail',
            message: `${cold}p95 ${load.p95Ms} ms > ${p95LatencyMs} ms over ${load.requests} requests`,
            fix: first
              ? 'Raise serverless.memoryMb (more memory is more CPU), turn the cache on, or revisit slo.p95LatencyMs.'
              : 'Use a larger instance type or more instances, turn the cache on, or revisit slo.p95LatencyMs.',
          };
    }),
};

const round = (ms: number) => Math.round(ms * 10) / 10;

export const errorRateCheck: VerifyCheck = {
  id: 'verify.slo.error-rate',
  title: 'error rate within the SLO',
  description: 'the error rate of that run is within slo.errorRate.',
  run: (ctx) =>
    withToken(ctx, async (token) => {
      const load = await ctx.load(token);
      const { errorRate } = ctx.target.slo;
      return load.errorRate <= errorRate
        ? { status: 'pass', message: `error rate ${load.errorRate} <= ${errorRate} (${load.errors}/${load.requests})` }
        : {
            status: 'fail',
            message: `error rate ${load.errorRate} > ${errorRate} (${load.errors}/${load.requests}; statuses ${JSON.stringify(load.statuses)})`,
            fix: 'Read the Lambda and endpoint logs for the failing requests.',
          };
    }),
};

export const cacheHitRateCheck: VerifyCheck = {
  id: 'verify.cache.hit-rate',
  title: 'cache hit rate (reported)',
  description: 'the X-Cache hit rate of the repeated request (skipped when the service reports no cache).',
  run: (ctx) =>
    withToken(
      ctx,
      async (token) => {
        const load = await ctx.load(token);
        return load.cacheReported > 0
          ? {
              status: 'pass',
              message: `cache hit rate ${(load.cacheHits / load.cacheReported).toFixed(2)} (${load.cacheHits}/${load.cacheReported}, same request repeated)`,
            }
          : { status: 'skip', message: 'the service reports no X-Cache header (cache off or not passed through)' };
      },
      notMeasured,
    ),
};

export const throughputCheck: VerifyCheck = {
  id: 'verify.slo.throughput',
  title: 'target rate held within p95/p99 and error-rate gates (--load)',
  description:
    '`verify --load` holds slo.targetRps for slo.loadSeconds (bounded: 300 s, 20000 requests, 256 in flight) with p95, p99 and error-rate gates; skip without --load.',
  async run(ctx) {
    const gates = ctx.target.load;
    // Only when asked: it is real load on the endpoint.
    return withToken(
      ctx,
      async (token) => {
        if (!gates)
          return {
            status: 'skip',
            message: `not run: \`model-deploy verify ${ctx.target.env} --load\` holds slo.targetRps for slo.loadSeconds`,
          };
        const throughput = await runRateLoad(
          () => ctx.authorized(token, ctx.target.sampleBody, false),
          gates,
          ctx.target.loadClock,
        );
        ctx.report.throughput = throughput;
        return judgeThroughput(throughput, gates);
      },
      gates ? undefined : notMeasured,
    );
  },
};
