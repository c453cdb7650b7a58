// Everything init derives from your ONNX model: its signature (model/signature.json), the
// answers onnxruntime gives to the sample rows (tests/model-answers.json, the golden set),
// and, with a label column, the model card's numbers. The answers come from the runtime's own
// generic loader, so the generated tests assert what the service will answer.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  featureNames,
  isFeatureRowModel,
  onnxModel,
  type OnnxInstance,
  type OnnxPrediction,
  type OnnxSignature,
} from '@model-service/runtime';
import { GeneratorError } from './errors.js';
import type { GoldenLine } from './golden.js';
import type { ModelMetrics } from './metrics.js';
import { readOnnxGraph } from './onnx-graph.js';
import { readSample, type Sample } from './sample-data.js';

export const SIGNATURE_FILE = 'model/signature.json';
export const ANSWERS_FILE = 'tests/model-answers.json';
/** Rows of the sample that become tests and golden lines (the card uses all of them). */
const TEST_ROWS = 12;

export interface ModelAnswers {
  instances: OnnxInstance[];
  predictions: OnnxPrediction[];
  /** Absolute; float32 answers read back as JSON numbers. */
  tolerance: number;
}

export interface Derivation {
  signature: OnnxSignature;
  answers: ModelAnswers;
  golden: GoldenLine[];
  metrics?: ModelMetrics;
  sample?: Sample;
  /** A re-run kept the answers recorded before (no new --model or --sample). */
  reused?: boolean;
}

/**
 * Rows to run when there is no sample: zeros, ones and a ramp for a feature-row model; for
 * other graphs the loader's warm-up instance (zeros in each input's shape).
 */
function syntheticInstances(s: OnnxSignature, warmup: OnnxInstance[]): OnnxInstance[] {
  if (!isFeatureRowModel(s)) return warmup.slice(0, 1);
  const n = featureNames(s).length;
  const int = s.inputs[0]!.type.startsWith('int');
  return [
    Array(n).fill(0),
    Array(n).fill(1),
    Array.from({ length: n }, (_, i) => (int ? i : Math.round(((i + 1) / n) * 1000) / 1000)),
  ];
}

function maxAbs(value: unknown): number {
  if (typeof value === 'number') return Math.abs(value);
  if (Array.isArray(value)) return value.reduce((m: number, v) => Math.max(m, maxAbs(v)), 0);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).reduce((m: number, v) => Math.max(m, maxAbs(v)), 0);
  return 0;
}

/** float32 keeps ~7 significant digits: allow a few ulps of the largest answer. */
function tolerance(predictions: unknown): number {
  const scale = Math.max(1, maxAbs(predictions));
  return Number((1e-5 * scale).toPrecision(2));
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Accuracy for a classifier (label output), else RMSE / MAE / R² for the first numeric output. */
function cardFrom(
  s: OnnxSignature,
  sample: Sample,
  predictions: OnnxPrediction[],
  artifact: string,
): ModelMetrics | undefined {
  const truth = sample.labels;
  if (!truth) return undefined;
  const dataset = `${sample.file}: ${truth.length} rows, true values in column "${sample.labelColumn}"`;
  const evaluatedAt = new Date().toISOString().slice(0, 10);
  const label =
    s.outputs.find((o) => o.labels && o.shape.length <= 1) ??
    s.outputs.find((o) => o.type === 'int64' || o.type === 'string');
  if (label) {
    const hits = predictions.filter((p, i) => String(p[label.name]) === String(truth[i])).length;
    return { model: artifact, dataset, evaluatedAt, metrics: { accuracy: round6(hits / truth.length) } };
  }
  const out = s.outputs.find((o) => o.type === 'float32' || o.type === 'float64');
  if (!out) return undefined;
  const y = truth.map(Number);
  const yhat = predictions.map((p) => {
    let v: unknown = p[out.name];
    while (Array.isArray(v)) v = v[0];
    return Number(v);
  });
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let se = 0;
  let ae = 0;
  let tot = 0;
  y.forEach((v, i) => {
    se += (v - yhat[i]!) ** 2;
    ae += Math.abs(v - yhat[i]!);
    tot += (v - mean) ** 2;
  });
  return {
    model: artifact,
    dataset,
    evaluatedAt,
    metrics: {
      rmse: round6(Math.sqrt(se / y.length)),
      mae: round6(ae / y.length),
      r2: round6(tot === 0 ? 0 : 1 - se / tot),
    },
  };
}

/** onnxruntime's load error, as the refusal the user can act on. */
function loadRefusal(file: string, err: unknown): GeneratorError {
  // Without the C++ source location and signature onnxruntime puts first.
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/\s+/g, ' ')
    .replace(/\/onnxruntime_src\/\S+ (?:[\w:<>~ ]+\([^)]*\) )?/, '');
  // "Opset 30 is under development ... Current official support for domain ai.onnx is till opset 26."
  const tooNew = /Opset (\d+) is under development.*?support for domain (\S+) is till opset (\d+)/.exec(message);
  if (tooNew) {
    const domain = tooNew[2] === 'ai.onnx' ? 'ONNX' : tooNew[2]!;
    return new GeneratorError(
      'MS_GEN_MODEL_OPSET',
      { file, domain, opset: tooNew[1]!, supported: `up to opset ${tooNew[3]!}` },
      { cause: err },
    );
  }
  return new GeneratorError('MS_GEN_MODEL_LOAD', { file, detail: message.slice(0, 400) }, { cause: err });
}

/** Reads the graph, loads it in onnxruntime and runs the sample rows through the generic loader. */
export async function deriveOnnx(
  modelPath: string,
  options: { sample?: string; labelColumn?: string; artifact: string },
): Promise<Derivation> {
  const file = basename(modelPath);
  const graph = readOnnxGraph(readFileSync(modelPath), file);
  const signature = graph.signature;
  const sample = options.sample === undefined ? undefined : readSample(options.sample, signature, options.labelColumn);
  if (sample?.features && !signature.features) signature.features = sample.features;

  const model = onnxModel({ path: modelPath, signature });
  try {
    await model.load!();
  } catch (err) {
    throw loadRefusal(file, err);
  }
  try {
    const all = sample?.instances ?? syntheticInstances(signature, model.warmup ?? []);
    const predictions: OnnxPrediction[] = [];
    for (let i = 0; i < all.length; i += 64) {
      try {
        predictions.push(...(await model.predict(all.slice(i, i + 64))));
      } catch (err) {
        if (!sample) throw loadRefusal(file, err);
        throw new GeneratorError(
          'MS_GEN_SAMPLE',
          {
            file: sample.file,
            problem: `rows ${i + 1}-${Math.min(i + 64, all.length)} do not run through the model (${(err as Error).message.slice(0, 300)})`,
          },
          { cause: err },
        );
      }
    }
    const instances = all.slice(0, TEST_ROWS);
    const answers: ModelAnswers = {
      instances,
      predictions: predictions.slice(0, TEST_ROWS),
      tolerance: tolerance(predictions.slice(0, TEST_ROWS)),
    };
    const golden: GoldenLine[] = instances.map((instance, i) => ({
      request: { instances: [instance] },
      response: { predictions: [answers.predictions[i]!] },
      tolerance: tolerance(answers.predictions[i]),
    })) as unknown as GoldenLine[];
    if (instances.length > 1) {
      golden.push({
        request: { instances: instances.slice(0, 3) },
        response: { predictions: answers.predictions.slice(0, 3) },
        tolerance: answers.tolerance,
      } as unknown as GoldenLine);
    }
    const metrics = sample ? cardFrom(signature, sample, predictions, options.artifact) : undefined;
    return { signature, answers, golden, ...(metrics ? { metrics } : {}), ...(sample ? { sample } : {}) };
  } finally {
    await model.close?.();
  }
}
