// The EMF aggregate: its lines follow the CloudWatch Embedded Metric Format specification, an
// interval's values survive the 100-values-per-metric limit with their percentiles, counts reset
// per interval, and only metrics the service can produce are declared (each one is billed).
import { describe, expect, it, jest } from '@jest/globals';
import { Distribution, threeSignificantDigits } from '../src/emf-distribution.js';
import { EmfMetrics, type EmfOptions } from '../src/emf-metrics.js';
import { Metrics } from '../src/metrics.js';
import { emfProblems, type EmfDocument } from './helpers/emf-spec.js';

function emf(overrides: Partial<EmfOptions> = {}) {
  const written: string[] = [];
  const metrics = new EmfMetrics({
    service: 'iris',
    environment: 'dev',
    cache: true,
    fallback: true,
    batching: true,
    write: (line) => written.push(line),
    now: () => 1_765_000_000_000,
    ...overrides,
  });
  const docs = () => written.map((l) => JSON.parse(l) as EmfDocument);
  return { metrics, written, docs };
}

describe('EMF lines against the specification', () => {
  it('the checker itself rejects documents that break the specification', () => {
    const good = {
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['Service']], Metrics: [{ Name: 'M', Unit: 'Count' }] }],
      },
      Service: 's',
      M: 1,
    };
    expect(emfProblems(JSON.stringify(good))).toEqual([]);
    expect(emfProblems(`x ${JSON.stringify(good)}`)).not.toEqual([]);
    expect(emfProblems(JSON.stringify({ ...good, M: undefined }))).toEqual([
      'metric M has no numeric (or <= 100 numbers) target member on the root',
    ]);
    expect(emfProblems(JSON.stringify({ ...good, Service: 3 }))).toEqual([
      'dimension Service has no string target member on the root',
    ]);
    expect(emfProblems(JSON.stringify({ ...good, M: Array.from({ length: 101 }, () => 1) }))).not.toEqual([]);
    const tooMany = structuredClone(good);
    tooMany._aws.CloudWatchMetrics[0]!.Dimensions = [Array.from({ length: 31 }, (_, i) => `d${i}`)];
    expect(emfProblems(JSON.stringify(tooMany))).not.toEqual([]);
    const badUnit = structuredClone(good);
    badUnit._aws.CloudWatchMetrics[0]!.Metrics[0]!.Unit = 'ms';
    expect(emfProblems(JSON.stringify(badUnit))).not.toEqual([]);
    const noTimestamp = structuredClone(good) as { _aws: Partial<typeof good._aws> };
    delete noTimestamp._aws.Timestamp;
    expect(emfProblems(JSON.stringify(noTimestamp))).not.toEqual([]);
  });

  it('every line of a busy interval follows it, one line per 4xx code', () => {
    const { metrics, written, docs } = emf();
    for (let i = 1; i <= 500; i += 1) {
      metrics.predictLatency(i / 10);
      metrics.queueWait(i / 1000);
      metrics.batch((i % 8) + 1);
    }
    metrics.cacheHit();
    metrics.cacheMiss();
    metrics.fallbackAnswer();
    metrics.clientError('MS_RUNTIME_INVALID_INPUT');
    metrics.clientError('MS_RUNTIME_INVALID_INPUT');
    metrics.clientError('MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE');
    metrics.flush();
    expect(written).toHaveLength(3);
    for (const line of written) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(emfProblems(line)).toEqual([]);
    }
    const [main, invalid, media] = docs();
    expect(main!._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'ModelService',
      Dimensions: [['Service', 'Environment', 'Variant']],
      Metrics: [
        { Name: 'PredictLatency', Unit: 'Milliseconds' },
        { Name: 'QueueWait', Unit: 'Milliseconds' },
        { Name: 'BatchSize', Unit: 'Count' },
        { Name: 'CacheHits', Unit: 'Count' },
        { Name: 'CacheMisses', Unit: 'Count' },
        { Name: 'FallbackAnswers', Unit: 'Count' },
      ],
    });
    expect(main).toMatchObject({ Service: 'iris', Environment: 'dev', Variant: 'AllTraffic', CacheHits: 1 });
    expect(main!._aws.Timestamp).toBe(1_765_000_000_000);
    expect(invalid!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Service', 'Environment', 'Variant', 'Code']]);
    expect(invalid).toMatchObject({ Code: 'MS_RUNTIME_INVALID_INPUT', ClientErrors: 2 });
    expect(media).toMatchObject({ Code: 'MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE', ClientErrors: 1 });
  });
});

describe('EMF aggregation per interval', () => {
  it('writes an interval of 10,000 latencies as 100 values with its min, max and percentiles', () => {
    const { metrics, docs } = emf();
    for (let i = 1; i <= 10_000; i += 1) metrics.predictLatency(i / 100); // 0.01 .. 100 ms
    metrics.flush();
    const values = docs()[0]!.PredictLatency as number[];
    expect(values).toHaveLength(100);
    expect(values[0]).toBe(0.01);
    expect(values[99]).toBe(100);
    // Within 2% of the true percentile and mean (the 10,000 values are 0.01, 0.02 ... 100).
    const near = (got: number, want: number) => expect(Math.abs(got - want) / want).toBeLessThan(0.02);
    const p = (q: number) => values[Math.round(q * 99)]!;
    near(p(0.5), 50);
    near(p(0.9), 90);
    near(p(0.99), 99);
    near(values.reduce((a, b) => a + b, 0) / values.length, 50);
  });

  it('counts start again after each flush, zero counts are still written, empty distributions are not', () => {
    const { metrics, docs } = emf();
    metrics.cacheHit();
    metrics.predictLatency(2);
    metrics.flush();
    metrics.flush();
    const [first, second] = docs();
    expect(first).toMatchObject({ CacheHits: 1, CacheMisses: 0, FallbackAnswers: 0, PredictLatency: [2] });
    expect(second).toMatchObject({ CacheHits: 0, CacheMisses: 0, FallbackAnswers: 0 });
    expect(second).not.toHaveProperty('PredictLatency');
    expect(second!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual([
      'CacheHits',
      'CacheMisses',
      'FallbackAnswers',
    ]);
  });

  it('declares no cache, fallback or batching metric the service cannot produce, and writes nothing idle', () => {
    const { metrics, written, docs } = emf({ cache: false, fallback: false, batching: false });
    metrics.flush();
    expect(written).toEqual([]);
    metrics.predictLatency(1);
    metrics.queueWait(1);
    metrics.flush();
    expect(docs()[0]!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual(['PredictLatency']);
  });

  it('writes every interval from start(), and once more at stop()', () => {
    jest.useFakeTimers();
    try {
      const { metrics, written } = emf({ intervalMs: 1000 });
      metrics.start();
      metrics.cacheHit();
      jest.advanceTimersByTime(3000);
      expect(written).toHaveLength(3);
      metrics.stop();
      expect(written).toHaveLength(4);
      jest.advanceTimersByTime(3000);
      expect(written).toHaveLength(4);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('Metrics hooks feed Prometheus and EMF alike', () => {
  it('recordFallback, recordCacheHit and recordClientError reach both', async () => {
    const { metrics: sink, docs } = emf();
    const metrics = new Metrics({}, sink);
    metrics.recordFallback(0.001);
    metrics.recordCacheHit();
    metrics.recordClientError('MS_RUNTIME_INVALID_INPUT');
    metrics.recordPredict(0.004);
    metrics.recordBatch(3);
    metrics.recordQueueWait(0.0005);
    sink.flush();
    expect((await metrics.fallbacks.get()).values[0]?.value).toBe(1);
    expect((await metrics.clientErrors.get()).values).toEqual([
      expect.objectContaining({ labels: { code: 'MS_RUNTIME_INVALID_INPUT' }, value: 1 }),
    ]);
    const [main, code] = docs();
    expect(main).toMatchObject({
      FallbackAnswers: 1,
      CacheHits: 1,
      PredictLatency: [4],
      BatchSize: [3],
      QueueWait: [0.5],
    });
    expect(code).toMatchObject({ Code: 'MS_RUNTIME_INVALID_INPUT', ClientErrors: 1 });
  });
});

describe('Distribution', () => {
  it('returns every value when there are at most 100, smallest first', () => {
    const d = new Distribution();
    for (const v of [5, 1, 3, 3]) d.add(v);
    expect(d.take()).toEqual([1, 3, 3, 5]);
    expect(d.size).toBe(0);
    expect(d.take()).toEqual([]);
  });

  it('rounds latencies to three significant digits', () => {
    expect(threeSignificantDigits(1.23456)).toBeCloseTo(1.23, 10);
    expect(threeSignificantDigits(12345)).toBe(12300);
    expect(threeSignificantDigits(0)).toBe(0);
  });
});
