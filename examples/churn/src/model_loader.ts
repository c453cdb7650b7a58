// Loads the model artifact and wraps it in the runtime's ModelDefinition: load once at
// start, warm up, then `predict` gets batches of validated instances.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ModelDefinition } from '@model-service/runtime';
import {
  fromCsvRow,
  instanceSchema,
  predictionSchema,
  scoreLogistic,
  type Instance,
  type LogisticWeights,
  type Prediction,
} from './prediction.js';

/** Resolved from this file, so it works from src/ (tests) and dist/ (the image) alike. */
export const MODEL_PATH = fileURLToPath(new URL('../model/churn-model.json', import.meta.url));
export const MODEL_VERSION = '1.0.0';

function parseWeights(raw: unknown, path: string): LogisticWeights {
  const w = raw as LogisticWeights;
  const n = w?.features?.length ?? 0;
  if (w?.format !== 'logistic-regression/v1' || n === 0 || [w.means, w.scales, w.coefficients].some((a) => a?.length !== n)) {
    throw new Error(`${path} is not a logistic-regression/v1 weights file with matching feature arrays; regenerate or fix it.`);
  }
  return w;
}

export function createModel(path = MODEL_PATH): ModelDefinition<Instance, Prediction> {
  let weights: LogisticWeights | undefined;
  return {
    name: 'churn',
    version: MODEL_VERSION,
    instanceSchema,
    predictionSchema,
    async load() {
      weights = parseWeights(JSON.parse(await readFile(path, 'utf8')), path);
    },
    predict(instances) {
      if (!weights) throw new Error('predict called before load');
      const w = weights;
      return instances.map((instance) => scoreLogistic(w, instance));
    },
    warmup: [{ tenureMonths: 12, monthlyCharges: 70, supportCalls: 1, contractMonths: 12 }],
    fromCsvRow,
    close() {
      weights = undefined;
    },
  };
}
