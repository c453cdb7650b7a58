// What one instance and one prediction look like (JSON Schemas: the runtime validates every
// request and answer against them and publishes them at /openapi.json), and the pure math
// from features to an answer. Replace the features and the scoring with your model's.
import type { JsonSchema } from '@model-service/runtime';

export const FEATURES = ['tenureMonths', 'monthlyCharges', 'supportCalls', 'contractMonths'] as const;

export interface Instance {
  tenureMonths: number;
  monthlyCharges: number;
  supportCalls: number;
  contractMonths: number;
}

export interface Prediction {
  churnProbability: number;
  label: 'churn' | 'stay';
}

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

export function toFeatureRow(instance: Instance): number[] {
  return FEATURES.map((f) => instance[f]);
}

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
