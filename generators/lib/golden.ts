// tests/golden.jsonl of a generated project: raw /invocations request bodies and the answers
// the starter model gives them, one JSON object per line:
//   {"request": <body>, "response": <expected body>, "tolerance": <abs. tolerance for numbers>}
// Computed here, at generation time, with the starter model's own math so the project is
// green at once; the generated tests/golden.test.ts replays each line over HTTP through the
// real service. A model the user brings (--model) gets a placeholder line instead, which the
// generated test and `model-deploy doctor` (doctor.golden) report as "replace me".
import type { ModelKind } from './constants.js';

export interface GoldenWeights {
  means: number[];
  scales: number[];
  coefficients: number[];
  intercept: number;
  threshold?: number;
}

export interface GoldenLine {
  request: { instances: Array<Record<string, number>> };
  response: { predictions: Array<{ churnProbability: number; label: 'churn' | 'stay' }> };
  tolerance: number;
}

export interface GoldenPlaceholder {
  placeholder: true;
  artifact: string;
  message: string;
}

export const GOLDEN_FILE = 'tests/golden.jsonl';

/**
 * Absolute tolerance per kind. The TypeScript kind runs the same float64 code as here, so the
 * answers match to the 6 decimals they are rounded to. onnxruntime computes in float32 with
 * its own Sigmoid kernel: a few ulps of float32 around 0.5 can move the 6th decimal.
 */
export const GOLDEN_TOLERANCE: Record<ModelKind, number> = { typescript: 1e-6, onnx: 1e-5 };

/**
 * Request bodies spread over the feature space: clear churn, clear stay, answers between 0.3
 * and 0.9 (where wrong standardisation shows most), each contract length, the schema's lower
 * edge, a large account, and a multi-instance batch.
 * Each one is one line; none lands near the 0.5 threshold (see assertAwayFromThreshold).
 */
export const GOLDEN_REQUESTS: Array<{ instances: Array<Record<string, number>> }> = [
  { instances: [{ tenureMonths: 2, monthlyCharges: 99.5, supportCalls: 6, contractMonths: 1 }] },
  { instances: [{ tenureMonths: 48, monthlyCharges: 35, supportCalls: 0, contractMonths: 24 }] },
  { instances: [{ tenureMonths: 36, monthlyCharges: 69, supportCalls: 3, contractMonths: 12 }] },
  { instances: [{ tenureMonths: 50, monthlyCharges: 60, supportCalls: 3, contractMonths: 12 }] },
  { instances: [{ tenureMonths: 10, monthlyCharges: 40, supportCalls: 2, contractMonths: 24 }] },
  { instances: [{ tenureMonths: 40, monthlyCharges: 80, supportCalls: 4, contractMonths: 24 }] },
  { instances: [{ tenureMonths: 0, monthlyCharges: 0, supportCalls: 0, contractMonths: 1 }] },
  { instances: [{ tenureMonths: 120, monthlyCharges: 150.25, supportCalls: 12, contractMonths: 24 }] },
  {
    instances: [
      { tenureMonths: 1, monthlyCharges: 110, supportCalls: 7, contractMonths: 1 },
      { tenureMonths: 60, monthlyCharges: 25, supportCalls: 0, contractMonths: 24 },
      { tenureMonths: 60, monthlyCharges: 100, supportCalls: 6, contractMonths: 24 },
    ],
  },
];

const FEATURES = ['tenureMonths', 'monthlyCharges', 'supportCalls', 'contractMonths'] as const;

/** The same rounding as the generated `toPrediction` (6 decimals). */
function round6(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

/** float64, exactly as the generated `scoreLogistic` computes it. */
function probabilityTypescript(w: GoldenWeights, row: number[]): number {
  let logit = w.intercept;
  for (let j = 0; j < row.length; j += 1) logit += ((row[j]! - w.means[j]!) / w.scales[j]!) * w.coefficients[j]!;
  return 1 / (1 + Math.exp(-logit));
}

/** float32 at every node of the ONNX graph (Sub -> Div -> MatMul -> Add -> Sigmoid). */
function probabilityOnnx(w: GoldenWeights, row: number[]): number {
  const f = Math.fround;
  let dot = f(0);
  for (let j = 0; j < row.length; j += 1) {
    const standardized = f(f(f(row[j]!) - f(w.means[j]!)) / f(w.scales[j]!));
    dot = f(dot + f(standardized * f(w.coefficients[j]!)));
  }
  const logit = f(dot + f(w.intercept));
  return f(1 / (1 + Math.exp(-logit)));
}

/** The golden lines for the starter model of `kind`. */
export function goldenLines(w: GoldenWeights, kind: ModelKind): GoldenLine[] {
  const probability = kind === 'onnx' ? probabilityOnnx : probabilityTypescript;
  // The ONNX loader calls toPrediction(p) with its default threshold; the TypeScript one passes the weights'.
  const threshold = kind === 'onnx' ? 0.5 : (w.threshold ?? 0.5);
  return GOLDEN_REQUESTS.map((request) => ({
    request: structuredClone(request),
    response: {
      predictions: request.instances.map((instance) => {
        const p = round6(
          probability(
            w,
            FEATURES.map((name) => instance[name]!),
          ),
        );
        assertAwayFromThreshold(p, threshold, instance);
        return { churnProbability: p, label: p >= threshold ? ('churn' as const) : ('stay' as const) };
      }),
    },
    tolerance: GOLDEN_TOLERANCE[kind],
  }));
}

/** A label that flips within the tolerance would make the golden set flaky: refuse it here. */
function assertAwayFromThreshold(p: number, threshold: number, instance: Record<string, number>): void {
  if (Math.abs(p - threshold) < 1e-3) {
    throw new Error(
      `golden request ${JSON.stringify(instance)} scores ${p}, too close to the threshold ${threshold}; pick another input.`,
    );
  }
}

/** The line written when the user brings the model: no answers are known at generation time. */
export function goldenPlaceholder(artifact: string): GoldenPlaceholder {
  return {
    placeholder: true,
    artifact,
    message:
      `replace me: ${GOLDEN_FILE} must hold raw /invocations request bodies with the answers ${artifact} gave for them when it was trained/evaluated, ` +
      'one {"request": {...}, "response": {...}, "tolerance": 1e-6} object per line. Until then tests/golden.test.ts and `model-deploy doctor` (doctor.golden) fail.',
  };
}

/** JSON Lines text: one compact object per line, newline-terminated. */
export function toJsonl(lines: ReadonlyArray<GoldenLine | GoldenPlaceholder>): string {
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}
