// The iris golden set, recorded on the training side: raw request bodies (the API's JSON shape)
// with the answers the trained weights give for them, computed with the training arithmetic
// (predictInto on the model file), never through the service. Replaying it over HTTP then
// proves the service serves these weights with this preprocessing (test/acceptance/iris-golden).
import { LABELS, type IrisRow } from './iris-data.js';
import { predictInto, type LogisticParams } from './logistic-regression.js';

/** Absolute tolerance for probabilities: far below any real change, above libm differences. */
export const GOLDEN_TOLERANCE = 1e-6;

export interface GoldenLine {
  request: { instances: number[][] };
  response: { predictions: Array<{ label: string; probabilities: number[] }> };
  tolerance: number;
}

function answer(params: LogisticParams, instances: number[][]): GoldenLine {
  const predictions = instances.map((x) => {
    const probabilities = [0, 0, 0];
    const k = predictInto(params, x, probabilities);
    return { label: LABELS[k]!, probabilities };
  });
  return { request: { instances }, response: { predictions }, tolerance: GOLDEN_TOLERANCE };
}

/**
 * Every held-out row as its own request, all of them in one request (row order matters), and
 * the schema's extremes (0 and 100 cm), where standardization is furthest from the data.
 */
export function buildGoldenSet(params: LogisticParams, heldOut: IrisRow[]): GoldenLine[] {
  return [
    ...heldOut.map((row) => answer(params, [row.features])),
    answer(params, heldOut.map((row) => row.features)),
    answer(params, [
      [0, 0, 0, 0],
      [100, 100, 100, 100],
    ]),
  ];
}

/** JSON Lines text: one case per line, newline-terminated. */
export function goldenText(lines: GoldenLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
