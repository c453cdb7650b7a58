import { describe, expect, it } from '@jest/globals';
import { Histogram, Registry } from 'prom-client';
import { LabelledHistogram } from '../src/histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['route', 'method', 'status_code'] as const;

function pair() {
  const theirsRegistry = new Registry();
  const oursRegistry = new Registry();
  for (const r of [theirsRegistry, oursRegistry]) r.setDefaultLabels({ service: 'iris' });
  const options = { name: 'http_request_duration_seconds', help: 'HTTP request duration', buckets: BUCKETS };
  const theirs = new Histogram({ ...options, labelNames: [...LABELS], registers: [theirsRegistry] });
  const ours = new LabelledHistogram({ ...options, labelNames: LABELS, registers: [oursRegistry] });
  return { theirs, ours, theirsRegistry, oursRegistry };
}

describe('LabelledHistogram', () => {
  it('renders exactly what prom-client’s Histogram renders for the same observations', async () => {
    const { theirs, ours, theirsRegistry, oursRegistry } = pair();
    const series = [
      ['/invocations', 'POST', '200'],
      ['/ping', 'GET', '200'],
      ['/invocations', 'POST', '400'],
    ] as const;
    // Values on, between and beyond the bounds, and a zero.
    const values = [0, 0.0005, 0.0007, 0.001, 0.003, 0.01, 0.2, 1, 9.99, 10, 11, 300];
    values.forEach((v, i) => {
      const labels = series[i % series.length]!;
      theirs.labels(...labels).observe(v);
      ours.labels(...labels).observe(v);
    });
    const text = await oursRegistry.metrics();
    expect(text).toBe(await theirsRegistry.metrics());
    expect(text).toContain(
      'http_request_duration_seconds_count{service="iris",route="/invocations",method="POST",status_code="200"} 4',
    );
    // get() (registry.getMetricsAsJSON) too, exemplars aside (the runtime records none).
    const theirsData = await theirs.get();
    expect(await ours.get()).toEqual({
      ...theirsData,
      values: theirsData.values.map(({ labels, value, metricName }) => ({ labels, value, metricName })),
    });

    ours.reset();
    theirs.reset();
    expect(await oursRegistry.metrics()).toBe(await theirsRegistry.metrics());
  });

  it('refuses values that are not finite numbers and label lists of the wrong length', () => {
    const { ours } = pair();
    expect(() => ours.labels('/ping', 'GET', '200').observe(Number.NaN)).toThrow(TypeError);
    expect(() => ours.labels('/ping')).toThrow(/expected 3 label values/);
  });
});
