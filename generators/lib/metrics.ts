// model/metrics.json of a generated project: the model card, kept this small:
//   {"model": "<name>", "dataset": "<what it was evaluated on>", "evaluatedAt": "YYYY-MM-DD", "metrics": {"<name>": <number>}}
// The starter model's numbers are the ones its training script measured
// (generators/scripts/train-stub-model.mjs writes heldOutAccuracy into templates/model/model.json).
// A model the user brings (--model) gets a placeholder instead, which `model-deploy doctor`
// (doctor.model.metrics) reports as "fill me in", like the golden set's placeholder.

export const METRICS_FILE = 'model/metrics.json';

/**
 * When the starter model's held-out accuracy was measured (templates/model/model.json was
 * trained and committed). Fixed, so regenerating a project does not change the file.
 */
export const STARTER_EVALUATED_AT = '2026-11-25';

/** The held-out split of generators/scripts/train-stub-model.mjs: rows 3000-3999 of 4000 drawn from seed 42. */
export const STARTER_DATASET = '1000 held-out synthetic churn accounts (seed 42, not used in training)';

export interface ModelMetrics {
  model: string;
  dataset: string;
  evaluatedAt: string;
  metrics: Record<string, number>;
}

export interface MetricsPlaceholder extends ModelMetrics {
  placeholder: true;
  message: string;
}

/** The starter model's card, from its weights file (which records the held-out accuracy). */
export function starterMetrics(weights: { version?: string; heldOutAccuracy?: number }): ModelMetrics {
  if (typeof weights.heldOutAccuracy !== 'number')
    throw new Error(
      'templates/model/model.json has no heldOutAccuracy: re-run generators/scripts/train-stub-model.mjs',
    );
  return {
    model: `starter churn logistic regression ${weights.version ?? '1.0.0'}`,
    dataset: STARTER_DATASET,
    evaluatedAt: STARTER_EVALUATED_AT,
    metrics: { accuracy: weights.heldOutAccuracy },
  };
}

/** The card written when the user brings the model: its numbers are not known at generation time. */
export function metricsPlaceholder(artifact: string): MetricsPlaceholder {
  return {
    placeholder: true,
    model: artifact,
    dataset: '<the held-out data you evaluated it on>',
    evaluatedAt: '<YYYY-MM-DD>',
    metrics: {},
    message:
      `fill me in: put the numbers ${artifact} scored when you evaluated it (e.g. "accuracy": 0.93, "auc": 0.97) in "metrics", ` +
      'say what data they were measured on in "dataset" and when in "evaluatedAt", then delete "placeholder" and "message". ' +
      'Until then `model-deploy doctor` (doctor.model.metrics) fails.',
  };
}

/** The file's text: pretty JSON, newline-terminated. */
export function toMetricsJson(card: ModelMetrics | MetricsPlaceholder): string {
  return `${JSON.stringify(card, null, 2)}\n`;
}

/** One line for the README: "accuracy 0.917 on <dataset>, evaluated YYYY-MM-DD". */
export function metricsSummary(card: ModelMetrics): string {
  const numbers = Object.entries(card.metrics)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return `${numbers} on ${card.dataset}, evaluated ${card.evaluatedAt}`;
}
