// --sample data.csv | data.jsonl: rows the model is run on at init. Their answers become the
// project's inference tests and golden set; the CSV header names the features; with
// --label-column the true values fill in the model card.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  featureNames,
  isFeatureRowModel,
  parseCsv,
  type OnnxInstance,
  type OnnxSignature,
} from '@model-service/runtime';
import { GeneratorError } from './errors.js';

export interface Sample {
  file: string;
  /** Feature names from the CSV header or the JSONL keys (feature-row models only). */
  features?: string[];
  /** One instance per row, in the request shape (arrays in feature order for feature-row models). */
  instances: OnnxInstance[];
  /** The label column's value per row, when --label-column was given. */
  labels?: Array<string | number>;
  labelColumn?: string;
}

function fail(file: string, problem: string): never {
  throw new GeneratorError('MS_GEN_SAMPLE', { file, problem });
}

function toNumber(file: string, cell: string, row: number, column: string): number {
  const n = cell.trim() === '' ? Number.NaN : Number(cell);
  if (!Number.isFinite(n))
    fail(file, `row ${row} column "${column}" is ${JSON.stringify(cell)}, not a number (the model takes numbers)`);
  return n;
}

/** A label as read: a number when it looks like one (class 0/1, a regression target), else the string. */
function labelValue(cell: string): string | number {
  const n = Number(cell);
  return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
}

function readCsv(file: string, text: string, s: OnnxSignature, labelColumn: string | undefined): Sample {
  if (!isFeatureRowModel(s))
    fail(
      file,
      `is CSV, but the model takes ${s.inputs.map((i) => `"${i.name}"`).join(', ')} (not one [batch, n] numeric input); give the rows as JSON Lines keyed by input name`,
    );
  const [header, ...rows] = parseCsv(text, (cells) => cells).instances as string[][];
  if (!header || rows.length === 0) fail(file, 'needs a header row and at least one data row');
  const labelAt = labelColumn === undefined ? -1 : header.indexOf(labelColumn);
  if (labelColumn !== undefined && labelAt === -1)
    fail(file, `has no column "${labelColumn}" (--label-column); its columns are ${header.join(', ')}`);
  const features = header.filter((_, i) => i !== labelAt);
  const n = s.inputs[0]!.shape[1] as number;
  if (features.length !== n) {
    fail(
      file,
      `has ${features.length} feature columns (${features.join(', ')}) but the model's input "${s.inputs[0]!.name}" takes ${n}${labelColumn === undefined ? '; name the label column with --label-column' : ''}`,
    );
  }
  const instances: number[][] = [];
  const labels: Array<string | number> = [];
  rows.forEach((cells, r) => {
    if (cells.length !== header.length)
      fail(file, `row ${r + 2} has ${cells.length} values; the header has ${header.length}`);
    instances.push(cells.filter((_, i) => i !== labelAt).map((c, i) => toNumber(file, c, r + 2, features[i]!)));
    if (labelAt !== -1) labels.push(labelValue(cells[labelAt]!));
  });
  return { file, features, instances, ...(labelAt !== -1 ? { labels, labelColumn } : {}) };
}

function readJsonl(file: string, text: string, s: OnnxSignature, labelColumn: string | undefined): Sample {
  const instances: OnnxInstance[] = [];
  const labels: Array<string | number> = [];
  let features: string[] | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      fail(file, `line ${i + 1} is not JSON`);
    }
    if (Array.isArray(row)) {
      instances.push(row as number[]);
      return;
    }
    if (typeof row !== 'object' || row === null) fail(file, `line ${i + 1} is neither an object nor an array`);
    const object = { ...(row as Record<string, unknown>) };
    if (labelColumn !== undefined) {
      if (!(labelColumn in object)) fail(file, `line ${i + 1} has no "${labelColumn}" (--label-column)`);
      labels.push(object[labelColumn] as string | number);
      delete object[labelColumn];
    }
    if (isFeatureRowModel(s)) {
      features ??= Object.keys(object);
      const names = s.features ?? features;
      if (names.length !== featureNames(s).length)
        fail(
          file,
          `line ${i + 1} has ${names.length} features (${names.join(', ')}); the model takes ${featureNames(s).length}`,
        );
      instances.push(names.map((n) => object[n] as number));
    } else instances.push(object as OnnxInstance);
  });
  if (instances.length === 0) fail(file, 'has no rows');
  return {
    file,
    ...(features && !s.features ? { features } : {}),
    instances,
    ...(labelColumn !== undefined ? { labels, labelColumn } : {}),
  };
}

/** Reads the sample for this signature; throws MS_GEN_SAMPLE naming the row and column at fault. */
export function readSample(path: string, s: OnnxSignature, labelColumn?: string): Sample {
  const file = basename(path);
  const text = readFileSync(path, 'utf8');
  if (/\.jsonl?$/i.test(path) || text.trimStart().startsWith('{') || text.trimStart().startsWith('['))
    return readJsonl(file, text, s, labelColumn);
  return readCsv(file, text, s, labelColumn);
}
