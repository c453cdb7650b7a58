// The files of a project made from your own ONNX model (--model x.onnx): which templates
// replace the starter's, the data files written from the derivation, the values the
// templates print, and the summary of what changed when init re-runs with a new model.
import { featureNames, isFeatureRowModel, type OnnxSignature, type OnnxTensorSpec } from '@model-service/runtime';
import { metricsSummary } from './metrics.js';
import { ANSWERS_FILE, SIGNATURE_FILE, type Derivation } from './onnx-derive.js';

/** Starter template -> the one that reads model/signature.json instead. */
export const DERIVED_TEMPLATES: Record<string, string> = {
  'onnx/src/model_loader.ts.ejs': 'onnx-derived/src/model_loader.ts.ejs',
  'common/src/prediction.ts.ejs': 'onnx-derived/src/prediction.ts.ejs',
  'common/tests/inference.test.ts.ejs': 'onnx-derived/tests/inference.test.ts.ejs',
  'common/tests/invalid-input.test.ts.ejs': 'onnx-derived/tests/invalid-input.test.ts.ejs',
  'onnx/tests/model-loader.test.ts.ejs': 'onnx-derived/tests/model-loader.test.ts.ejs',
};

export function derivedTemplates(files: Array<[string, string]>): Array<[string, string]> {
  return files.map(([from, to]) => [DERIVED_TEMPLATES[from] ?? from, to]);
}

/** What the templates print about the model (README, release.yaml, tests). */
export interface DerivedContext {
  features?: string[];
  inputNames: string[];
  /** One valid instance (the first sample row), in the request shape. */
  example: unknown;
  sampleFile: string;
  producer: string;
  opset: string;
  inputs: string[];
  outputs: string[];
  /** One line of a real response, for the README's curl example. */
  exampleResponse: string;
  csv: boolean;
  /** The model card in one line, when --label-column measured it. */
  metrics?: string;
}

function dims(t: OnnxTensorSpec): string {
  return `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function line(t: OnnxTensorSpec): string {
  const labels = t.labels ? ` (class labels ${t.labels.map((l) => JSON.stringify(l)).join(', ')})` : '';
  return `\`${t.name}\`: ${t.type} \`${dims(t)}\`${labels}`;
}

export function derivedContext(d: Derivation): DerivedContext {
  const s = d.signature;
  const example = d.answers.instances[0] ?? {};
  return {
    ...(isFeatureRowModel(s) ? { features: featureNames(s) } : {}),
    inputNames: s.inputs.map((i) => i.name),
    example,
    sampleFile: d.sample?.file ?? 'rows the generator made up (no --sample)',
    producer: s.producer ?? 'unknown producer',
    opset: Object.entries(s.opset)
      .map(([domain, v]) => `${domain || 'ai.onnx'} ${v}`)
      .join(', '),
    inputs: s.inputs.map(line),
    outputs: s.outputs.map(line),
    exampleResponse: JSON.stringify({ predictions: d.answers.predictions.slice(0, 1) }).slice(0, 300),
    csv: isFeatureRowModel(s),
    ...(d.metrics ? { metrics: metricsSummary(d.metrics) } : {}),
  };
}

/** The request a user tries first: the first two sample rows, keyed by feature name when there are names. */
function sampleRequest(d: Derivation): unknown {
  const s = d.signature;
  const rows = d.answers.instances.slice(0, 2);
  if (!isFeatureRowModel(s)) return { instances: rows };
  const names = featureNames(s);
  return { instances: (rows as number[][]).map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))) };
}

const pretty = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Data files written from the derivation: path -> text. */
export function derivedFiles(d: Derivation): Array<[string, string]> {
  return [
    [SIGNATURE_FILE, pretty(d.signature)],
    [ANSWERS_FILE, pretty(d.answers)],
    ['sample-request.json', pretty(sampleRequest(d))],
  ];
}

function specs(list: OnnxTensorSpec[]): Map<string, string> {
  return new Map(list.map((t) => [t.name, `${t.type} ${dims(t)}${t.labels ? ` labels ${t.labels.join(',')}` : ''}`]));
}

function diff(kind: string, before: OnnxTensorSpec[], after: OnnxTensorSpec[]): string[] {
  const a = specs(before);
  const b = specs(after);
  const out: string[] = [];
  for (const [name, spec] of b) {
    if (!a.has(name)) out.push(`new ${kind} ${name} (${spec})`);
    else if (a.get(name) !== spec) out.push(`${kind} ${name}: ${a.get(name)} -> ${spec}`);
  }
  for (const name of a.keys()) if (!b.has(name)) out.push(`${kind} ${name} removed`);
  return out;
}

/** "What changed" lines when init re-runs with a new --model; empty when nothing did. */
export function describeModelChange(
  before: { signature?: OnnxSignature; sha256?: string },
  after: { signature: OnnxSignature; sha256: string },
): string[] {
  const out: string[] = [];
  if (before.sha256 && before.sha256 !== after.sha256)
    out.push(
      `weights: sha256 ${before.sha256.slice(0, 12)}… -> ${after.sha256.slice(0, 12)}… (the model version, cache keys and /ping change with it)`,
    );
  if (before.signature) {
    out.push(
      ...diff('input', before.signature.inputs, after.signature.inputs),
      ...diff('output', before.signature.outputs, after.signature.outputs),
    );
    const f0 = (before.signature.features ?? []).join(',');
    const f1 = (after.signature.features ?? []).join(',');
    if (f0 !== f1) out.push(`feature names: ${f0 || '(none)'} -> ${f1 || '(none)'}`);
  }
  return out;
}
