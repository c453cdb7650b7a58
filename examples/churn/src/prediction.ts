// What one instance and one prediction look like (JSON Schemas: the runtime validates every
// request and answer against them and publishes them at /openapi.json), and the pure math
// from features to an answer. Replace the features and the scoring with your model's.
import type { JsonSchema } from '@model-service/runtime';

/** Feature order: the columns of a `text/csv` row and of the model's input vector. */
export const FEATURES = ['tenureMonths', 'monthlyCharges', 'supportCalls', 'contractMonths'] as const;

/** One account to score: an element of the request's `instances`. */
export interface Instance {
  tenureMonths: number;
  monthlyCharges: number;
  supportCalls: number;
  contractMonths: number;
}

/** One answer: an element of the response's `predictions`. */
export interface Prediction {
  churnProbability: number;
  label: 'churn' | 'stay';
}

/** JSON Schema of one instance; requests that do not match get a 400 naming the field. */
export const instanceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...FEATURES],
  properties: {
    tenureMonths: { type: 'number', minimum: 0, maximum: 600, description: 'Months as a customer' },
    monthlyCharges: { type: 'number', minimum: 0, maximum: 10000, description: 'Monthly bill' },
    supportCalls: { type: 'integer', minimum: 0, maximum: 1000, description: 'Support calls in the last 90 days' },
    contractMonths: { type: 'integer', enum: [1, 12, 24], description: 'Contract length' },
  },
  examples: [{ tenureMonths: 2, monthlyCharges: 99.5, supportCalls: 6, contractMonths: 1 }],
};

/** JSON Schema of one prediction; an answer that does not match is withheld (422). */
export const predictionSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['churnProbability', 'label'],
  properties: {
    churnProbability: { type: 'number', minimum: 0, maximum: 1 },
    label: { enum: ['churn', 'stay'] },
  },
};

/** The plain-TypeScript logistic regression: standardisation + coefficients. */
export interface LogisticWeights {
  format: 'logistic-regression/v1';
  version: string;
  features: string[];
  means: number[];
  scales: number[];
  coefficients: number[];
  intercept: number;
  threshold: number;
}

/** The instance as the model's input vector, in FEATURES order. */
export function toFeatureRow(instance: Instance): number[] {
  return FEATURES.map((f) => instance[f]);
}

/**
 * A probability as the answer: rounded to 6 decimals (stable answers, cache-friendly) and
 * labelled against the threshold.
 */
export function toPrediction(probability: number, threshold = 0.5): Prediction {
  const p = Math.round(probability * 1e6) / 1e6;
  return { churnProbability: p, label: p >= threshold ? 'churn' : 'stay' };
}

/** Standardise, weigh, squash: the whole model. */
export function scoreLogistic(w: LogisticWeights, instance: Instance): Prediction {
  const row = toFeatureRow(instance);
  let logit = w.intercept;
  for (let j = 0; j < row.length; j += 1) logit += ((row[j]! - w.means[j]!) / w.scales[j]!) * w.coefficients[j]!;
  return toPrediction(1 / (1 + Math.exp(-logit)), w.threshold);
}

/** `text/csv` rows: tenureMonths,monthlyCharges,supportCalls,contractMonths. */
export function fromCsvRow(cells: string[]): Instance {
  const [tenureMonths, monthlyCharges, supportCalls, contractMonths] = cells.map(Number);
  return { tenureMonths: tenureMonths!, monthlyCharges: monthlyCharges!, supportCalls: supportCalls!, contractMonths: contractMonths! };
}
