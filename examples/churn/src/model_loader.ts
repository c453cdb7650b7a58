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
/**
 * SHA-256 of the artifact this service was built and tested with; it is also the model's
 * version (cache keys, /ping, metrics), so new weights never share old answers. release.yaml
 * `model.sha256` holds the same value; tests/model-artifact.test.ts keeps them in step. After
 * replacing the artifact: re-run `model-service init --model <file>`, or `sha256sum model/churn-model.json`
 * and update both.
 */
export const MODEL_SHA256 = '2d23c6f2bb1177dfe75fddc2f86bc697ce8109805d1c779618d91df952c8db0f';

function parseWeights(raw: unknown, path: string): LogisticWeights {
  const w = raw as LogisticWeights;
  const n = w?.features?.length ?? 0;
  if (w?.format !== 'logistic-regression/v1' || n === 0 || [w.means, w.scales, w.coefficients].some((a) => a?.length !== n)) {
    throw new Error(`${path} is not a logistic-regression/v1 weights file with matching feature arrays; regenerate or fix it.`);
  }
  return w;
}

/**
 * The model as the runtime runs it: `load` reads and checks the weights file once, `predict`
 * scores a batch of validated instances (one prediction per instance, in order).
 * @param path the weights file (default: the artifact in model/)
 */
export function createModel(path = MODEL_PATH): ModelDefinition<Instance, Prediction> {
  let weights: LogisticWeights | undefined;
  return {
    name: 'churn',
    version: MODEL_SHA256,
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
