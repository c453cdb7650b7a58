// Multinomial logistic regression on standardized features: the whole model, in plain
// TypeScript. Training (scripts/train.ts) and serving (model.ts) share this arithmetic, so the
// served probabilities are exactly the ones training measured.
import { createHash } from 'node:crypto';

export interface LogisticParams {
  labels: string[];
  features: string[];
  means: number[];
  stds: number[];
  /** weights[class][feature], on standardized features. */
  weights: number[][];
  biases: number[];
}

/** What model/iris-model.json holds. */
export interface IrisModelFile extends LogisticParams {
  format: typeof MODEL_FORMAT;
  name: string;
  /** sha256 (hex) of the parameters; the runtime puts it in cache keys and /ping. */
  version: string;
  training: TrainingReport;
}

export interface TrainingReport {
  algorithm: string;
  data: string;
  split: string;
  trainRows: number;
  heldOutRows: number;
  epochs: number;
  learningRate: number;
  l2: number;
  trainLoss: number;
  trainAccuracy: number;
  heldOutAccuracy: number;
}

export const MODEL_FORMAT = 'model-service/logistic-regression@1';

/** Writes class probabilities for one row into `out` (length = classes); returns the argmax. */
export function predictInto(params: LogisticParams, x: ArrayLike<number>, out: number[] | Float64Array): number {
  const { means, stds, weights, biases } = params;
  const classes = biases.length;
  let max = -Infinity;
  for (let k = 0; k < classes; k += 1) {
    const w = weights[k]!;
    let z = biases[k]!;
    for (let j = 0; j < w.length; j += 1) z += w[j]! * ((x[j]! - means[j]!) / stds[j]!);
    out[k] = z;
    if (z > max) max = z;
  }
  // Subtract the max before exp so large logits cannot overflow to Infinity / NaN.
  let sum = 0;
  for (let k = 0; k < classes; k += 1) {
    const e = Math.exp(out[k]! - max);
    out[k] = e;
    sum += e;
  }
  let best = 0;
  for (let k = 0; k < classes; k += 1) {
    out[k] = out[k]! / sum;
    if (out[k]! > out[best]!) best = k;
  }
  return best;
}

/** sha256 of the parameters in a fixed key order: equal weights give an equal version. */
export function paramsVersion(params: LogisticParams): string {
  const { labels, features, means, stds, weights, biases } = params;
  return createHash('sha256').update(JSON.stringify({ labels, features, means, stds, weights, biases })).digest('hex');
}

/** Checks a parsed model file's shape; throws one message naming the first problem. */
export function checkModelFile(value: unknown, source: string): IrisModelFile {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}; retrain with \`npm run train\` in examples/iris.`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const m = value as Partial<IrisModelFile>;
  if (m.format !== MODEL_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`);
  const finite = (a: unknown, n: number): boolean =>
    Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  const classes = Array.isArray(m.labels) ? m.labels.length : 0;
  const features = Array.isArray(m.features) ? m.features.length : 0;
  if (classes < 2 || features < 1) fail('labels and features must be non-empty lists');
  if (!finite(m.means, features)) fail(`means must be ${features} finite numbers`);
  if (!finite(m.stds, features) || m.stds!.some((s) => s <= 0)) fail(`stds must be ${features} positive numbers`);
  if (!finite(m.biases, classes)) fail(`biases must be ${classes} finite numbers`);
  if (!Array.isArray(m.weights) || m.weights.length !== classes || !m.weights.every((w) => finite(w, features))) {
    fail(`weights must be ${classes} rows of ${features} finite numbers`);
  }
  const version = paramsVersion(m as LogisticParams);
  if (m.version !== version) fail(`version ${String(m.version)} does not match the weights (sha256 ${version})`);
  return m as IrisModelFile;
}
