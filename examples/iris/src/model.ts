// The served iris model: a ModelDefinition for @model-service/runtime. The runtime owns HTTP,
// validation, caching and metrics; this file owns the weights, the schemas of one instance and
// one prediction, CSV rows, and the rule used when the model is unavailable.
import { readFileSync } from 'node:fs';
import type { ModelDefinition } from '@model-service/runtime';
import { FEATURES, LABELS, type IrisLabel } from './iris-data.js';
import { checkModelFile, predictInto, type IrisModelFile } from './logistic-regression.js';
import { MODEL_PATH } from './paths.js';

/** [sepal_length, sepal_width, petal_length, petal_width] in centimetres. */
export type IrisInstance = [number, number, number, number];

export interface IrisPrediction {
  label: IrisLabel;
  /** P(setosa), P(versicolor), P(virginica); sums to 1. */
  probabilities: [number, number, number];
}

/** Largest accepted measurement: real flowers are < 10 cm; 100 leaves room for odd units, rejects nonsense. */
export const MAX_CM = 100;

export const INSTANCE_SCHEMA = {
  type: 'array',
  description: `${FEATURES.join(', ')} in cm`,
  minItems: FEATURES.length,
  maxItems: FEATURES.length,
  items: { type: 'number', minimum: 0, maximum: MAX_CM },
  examples: [[5.1, 3.5, 1.4, 0.2]],
};

export const PREDICTION_SCHEMA = {
  type: 'object',
  required: ['label', 'probabilities'],
  additionalProperties: false,
  properties: {
    label: { enum: [...LABELS] },
    probabilities: {
      type: 'array',
      description: `probabilities of ${LABELS.join(', ')}`,
      minItems: LABELS.length,
      maxItems: LABELS.length,
      items: { type: 'number', minimum: 0, maximum: 1 },
    },
  },
};

/** One typical flower of each species: run once after load, before the service reports ready. */
export const WARMUP: IrisInstance[] = [
  [5.0, 3.4, 1.5, 0.2],
  [5.9, 2.8, 4.3, 1.3],
  [6.6, 3.0, 5.6, 2.0],
];

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A text/csv row: 4 decimal numbers; anything else throws a message naming the column. */
export function fromCsvRow(cells: string[]): IrisInstance {
  if (cells.length !== FEATURES.length) {
    throw new Error(`expected ${FEATURES.length} columns (${FEATURES.join(',')}), got ${cells.length}`);
  }
  const out = new Array<number>(FEATURES.length);
  for (let j = 0; j < FEATURES.length; j += 1) {
    const cell = cells[j]!.trim();
    const value = NUMBER.test(cell) ? Number(cell) : Number.NaN;
    if (!Number.isFinite(value)) throw new Error(`${FEATURES[j]} "${cell.slice(0, 32)}" is not a finite number`);
    out[j] = value;
  }
  return out as IrisInstance;
}

/**
 * Petal length alone separates the species well (setosa < 2.45 cm, virginica >= 4.75 cm);
 * answers flagged source "fallback" by the runtime, with one-hot probabilities because a rule
 * has no calibrated confidence.
 */
export function fallbackRule(instances: IrisInstance[]): IrisPrediction[] {
  return instances.map((x) => {
    const k = x[2] < 2.45 ? 0 : x[2] < 4.75 ? 1 : 2;
    const probabilities: [number, number, number] = [0, 0, 0];
    probabilities[k] = 1;
    return { label: LABELS[k]!, probabilities };
  });
}

export interface IrisModelOptions {
  /** Defaults to model/iris-model.json in this example. */
  modelPath?: string;
}

/**
 * Reads and checks the model file now, because its version is part of every cache key and must be
 * known before the service starts. A missing or corrupt file does not crash the process: `load`
 * throws it (naming the path), the runtime reports the service unhealthy (/ping 503, the error in
 * the logs) and answers from the petal-length rule, flagged `source: "fallback"`.
 */
export function createIrisModel(options: IrisModelOptions = {}): ModelDefinition<IrisInstance, IrisPrediction> {
  const path = options.modelPath ?? MODEL_PATH;
  let file: IrisModelFile | undefined;
  let unavailable: Error | undefined;
  try {
    file = checkModelFile(JSON.parse(readFileSync(path, 'utf8')), path);
    if (file.labels.join() !== LABELS.join() || file.features.join() !== FEATURES.join()) {
      throw new Error(`labels/features differ from ${LABELS.join(',')} / ${FEATURES.join(',')}; retrain it`);
    }
  } catch (err) {
    file = undefined;
    unavailable = new Error(`Cannot load the iris model from ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  let params: IrisModelFile | undefined;
  return {
    name: 'iris',
    version: file?.version ?? 'unavailable',
    instanceSchema: INSTANCE_SCHEMA,
    predictionSchema: PREDICTION_SCHEMA,
    warmup: WARMUP,
    load() {
      if (unavailable) throw unavailable;
      params = file;
    },
    predict(instances) {
      if (!params) throw new Error('iris model used before load()');
      const out = new Array<IrisPrediction>(instances.length);
      for (let i = 0; i < instances.length; i += 1) {
        const probabilities: [number, number, number] = [0, 0, 0];
        const k = predictInto(params, instances[i]!, probabilities);
        out[i] = { label: LABELS[k]!, probabilities };
      }
      return out;
    },
    fromCsvRow,
    fallback: fallbackRule,
    close() {
      params = undefined;
    },
  };
}
