// doctor.model.metrics: the model card (model/metrics.json) is there, is filled in, and
// records at least one numeric metric and the data it was measured on, so whoever promotes
// or reviews the model can see how well it scored (checklist item 13). The generator writes
// the starter model's held-out numbers, or a placeholder when the user brings the model.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Check, CheckResult } from './check.js';

export const METRICS_FILE = 'model/metrics.json';

const SHAPE =
  '{"model": "<name>", "dataset": "<what it was evaluated on>", "evaluatedAt": "YYYY-MM-DD", "metrics": {"<name>": <number>}}';

export interface ModelMetrics {
  model: string;
  dataset: string;
  evaluatedAt: string;
  metrics: Record<string, number>;
}

export type LoadedMetrics =
  { kind: 'ok'; card: ModelMetrics } | { kind: 'missing' | 'placeholder' | 'invalid'; reason: string };

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Reads and checks `model/metrics.json` under `dir`. */
export async function loadModelMetrics(dir: string): Promise<LoadedMetrics> {
  let text: string;
  try {
    text = await readFile(join(dir, METRICS_FILE), 'utf8');
  } catch (err) {
    return {
      kind: 'missing',
      reason: `${METRICS_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: `${METRICS_FILE} is not valid JSON (${(err as Error).message})` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    return { kind: 'invalid', reason: `${METRICS_FILE} is not a JSON object` };
  const o = data as Record<string, unknown>;
  if (o.placeholder === true) {
    return {
      kind: 'placeholder',
      reason: `${METRICS_FILE} is still the generator's placeholder${nonEmpty(o.message) ? ` (${o.message.split(':')[0]})` : ''}`,
    };
  }
  const missing = (['model', 'dataset', 'evaluatedAt'] as const).filter((k) => !nonEmpty(o[k]));
  if (missing.length)
    return {
      kind: 'invalid',
      reason: `${METRICS_FILE} has no ${missing.map((k) => `"${k}"`).join(', ')} (a non-empty string)`,
    };
  const evaluatedAt = o.evaluatedAt as string;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(evaluatedAt) || Number.isNaN(Date.parse(`${evaluatedAt}T00:00:00Z`))) {
    return { kind: 'invalid', reason: `${METRICS_FILE} "evaluatedAt" is "${evaluatedAt}", not a YYYY-MM-DD date` };
  }
  if (!o.metrics || typeof o.metrics !== 'object' || Array.isArray(o.metrics))
    return { kind: 'invalid', reason: `${METRICS_FILE} has no "metrics" object` };
  const entries = Object.entries(o.metrics as Record<string, unknown>);
  const bad = entries.filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad.length)
    return {
      kind: 'invalid',
      reason: `${METRICS_FILE} metrics ${bad.map(([k]) => `"${k}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a number`,
    };
  if (entries.length === 0)
    return { kind: 'invalid', reason: `${METRICS_FILE} has no numeric metric ("metrics" is empty)` };
  return {
    kind: 'ok',
    card: {
      model: o.model as string,
      dataset: o.dataset as string,
      evaluatedAt,
      metrics: Object.fromEntries(entries) as Record<string, number>,
    },
  };
}

export const modelMetricsCheck: Check = {
  id: 'doctor.model.metrics',
  title: 'model performance metrics documented',
  description: `${METRICS_FILE} exists, is not the generator's placeholder, and is \`${SHAPE}\` with at least one numeric metric.`,
  async run(ctx): Promise<CheckResult> {
    const loaded = await loadModelMetrics(ctx.dir);
    if (loaded.kind !== 'ok') {
      const fix = {
        missing: `Write ${METRICS_FILE}: ${SHAPE}, with the numbers your model scored on held-out data (the generator writes one for its starter model).`,
        placeholder: `Fill in ${METRICS_FILE} with the numbers your model scored on held-out data, the data set and the date, then delete "placeholder" and "message".`,
        invalid: `Fix ${METRICS_FILE}: ${SHAPE}, with at least one numeric metric.`,
      }[loaded.kind];
      return {
        status: 'fail',
        message: loaded.kind === 'missing' ? `no model metrics: ${loaded.reason}` : loaded.reason,
        fix,
      };
    }
    const { card } = loaded;
    const numbers = Object.entries(card.metrics)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
    return { status: 'pass', message: `${numbers} on ${card.dataset} (${card.model}, evaluated ${card.evaluatedAt})` };
  },
};
