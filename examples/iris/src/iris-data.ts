// Fisher's iris data as committed in data/iris.csv, and the deterministic train / held-out split
// that training and the acceptance test share (so "held-out" means the same 30 rows everywhere).
import { readFileSync } from 'node:fs';
import { DATA_PATH } from './paths.js';

export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export const LABELS = ['setosa', 'versicolor', 'virginica'] as const;
export type IrisLabel = (typeof LABELS)[number];
export type IrisFeatures = [number, number, number, number];

export interface IrisRow {
  features: IrisFeatures;
  label: IrisLabel;
}

export const CSV_HEADER = `${FEATURES.join(',')},species`;

/** Parses the committed CSV (header + 150 rows); throws naming the line on anything unexpected. */
export function parseIrisCsv(text: string): IrisRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0] !== CSV_HEADER) throw new Error(`iris.csv: expected header "${CSV_HEADER}", got "${lines[0] ?? ''}"`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const values = cells.slice(0, 4).map(Number);
    const label = cells[4] as IrisLabel;
    if (cells.length !== 5 || values.some((v) => !Number.isFinite(v)) || !LABELS.includes(label)) {
      throw new Error(`iris.csv line ${i + 2}: expected 4 numbers and a species, got "${line}"`);
    }
    return { features: values as IrisFeatures, label };
  });
}

export function readIrisCsv(path: string = DATA_PATH): IrisRow[] {
  return parseIrisCsv(readFileSync(path, 'utf8'));
}

/**
 * Stratified and deterministic: within each species, every 5th row (the 5th, 10th, ...) is held
 * out. 150 rows -> 120 train, 30 held out (10 per species).
 */
export function splitIris(rows: IrisRow[]): { train: IrisRow[]; heldOut: IrisRow[] } {
  const seen = new Map<IrisLabel, number>();
  const train: IrisRow[] = [];
  const heldOut: IrisRow[] = [];
  for (const row of rows) {
    const n = (seen.get(row.label) ?? 0) + 1;
    seen.set(row.label, n);
    (n % 5 === 0 ? heldOut : train).push(row);
  }
  return { train, heldOut };
}
