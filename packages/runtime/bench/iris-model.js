// The iris model for the benchmark: the same multinomial logistic regression as
// examples/iris/src/model.ts, reading the same committed weights. A copy, so the runtime's bench
// never imports the example's code (dependency direction: examples -> runtime).
import { readFileSync } from 'node:fs';

export const MODEL_PATH = new URL('../../../examples/iris/model/iris-model.json', import.meta.url);
const LABELS = ['setosa', 'versicolor', 'virginica'];

export const INSTANCE_SCHEMA = {
  type: 'array',
  minItems: 4,
  maxItems: 4,
  items: { type: 'number', minimum: 0, maximum: 100 },
};

export const PREDICTION_SCHEMA = {
  type: 'object',
  required: ['label', 'probabilities'],
  additionalProperties: false,
  properties: {
    label: { enum: LABELS },
    probabilities: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number', minimum: 0, maximum: 1 } },
  },
};

/** The envelope the runtime validates, for the raw node:http and Express baselines. */
export const REQUEST_SCHEMA = {
  type: 'object',
  required: ['instances'],
  additionalProperties: false,
  properties: { instances: { type: 'array', minItems: 1, maxItems: 64, items: INSTANCE_SCHEMA } },
};

export function readIrisParams() {
  return JSON.parse(readFileSync(MODEL_PATH, 'utf8'));
}

/** Softmax(W * standardized(x) + b) per row. */
export function createPredict(params) {
  const { means, stds, weights, biases } = params;
  return function predict(instances) {
    const out = new Array(instances.length);
    for (let i = 0; i < instances.length; i += 1) {
      const x = instances[i];
      const p = [0, 0, 0];
      let max = -Infinity;
      for (let k = 0; k < 3; k += 1) {
        const w = weights[k];
        let z = biases[k];
        for (let j = 0; j < 4; j += 1) z += w[j] * ((x[j] - means[j]) / stds[j]);
        p[k] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let k = 0; k < 3; k += 1) {
        p[k] = Math.exp(p[k] - max);
        sum += p[k];
      }
      let best = 0;
      for (let k = 0; k < 3; k += 1) {
        p[k] /= sum;
        if (p[k] > p[best]) best = k;
      }
      out[i] = { label: LABELS[best], probabilities: p };
    }
    return out;
  };
}

/** A ModelDefinition for createService. */
export function createBenchIrisModel() {
  const params = readIrisParams();
  return {
    name: 'iris',
    version: params.version,
    instanceSchema: INSTANCE_SCHEMA,
    predictionSchema: PREDICTION_SCHEMA,
    warmup: [[5.0, 3.4, 1.5, 0.2]],
    predict: createPredict(params),
    fromCsvRow: (cells) => cells.map(Number),
  };
}
