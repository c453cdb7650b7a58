// What an ONNX graph takes and gives, as data: the signature file (model/signature.json) the
// generator writes at init from the graph, and everything derived from it at start —
// the instance and prediction JSON Schemas, the CSV mapping, and the conversion between
// JSON instances and onnxruntime's tensors. Pure: no onnxruntime import here.

/** Element types served; ONNX's other types are refused at init. */
export type OnnxElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'string';

/** A dimension: a fixed size, a named dynamic axis ("batch", "N"), or an unnamed one (null). */
export type OnnxDim = number | string | null;

export interface OnnxTensorSpec {
  name: string;
  type: OnnxElementType;
  shape: OnnxDim[];
  /** Classifier outputs: the class label of each column (ai.onnx.ml classlabels_*). */
  labels?: Array<string | number>;
}

export interface OnnxSignature {
  format: 'onnx-signature/v1';
  /** producer_name and producer_version of the graph ("skl2onnx 1.16.0", "pytorch 2.1"). */
  producer?: string;
  /** Opset per domain ("" is ai.onnx). */
  opset: Record<string, number>;
  inputs: OnnxTensorSpec[];
  outputs: OnnxTensorSpec[];
  /** One 2-D numeric input: the name of each of its columns (sample header, model metadata, else f0..fn). */
  features?: string[];
}

export type JsonValue = number | string | boolean | JsonValue[];
export type OnnxInstance = number[] | Record<string, JsonValue>;
export type OnnxPrediction = Record<string, JsonValue | Record<string, number>>;

/** A tensor as onnxruntime takes it: element type, flat data, dims. */
export interface TensorData {
  type: OnnxElementType;
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];
  dims: number[];
}

const NUMERIC: ReadonlySet<OnnxElementType> = new Set(['float32', 'float64', 'int64', 'int32']);

/** True when the first axis is dynamic: instances are stacked along it. */
export function isBatched(spec: OnnxTensorSpec): boolean {
  return spec.shape.length > 0 && typeof spec.shape[0] !== 'number';
}

/** The shape of one instance's value: the tensor's shape without the batch axis. */
export function instanceShape(spec: OnnxTensorSpec): OnnxDim[] {
  return isBatched(spec) ? spec.shape.slice(1) : spec.shape;
}

/**
 * One 2-D numeric input with a fixed column count ([batch, n]): instances are rows of
 * features (an array in feature order, an object keyed by feature name, or a CSV row).
 */
export function isFeatureRowModel(s: OnnxSignature): boolean {
  const only = s.inputs.length === 1 ? s.inputs[0]! : undefined;
  return (
    only !== undefined &&
    only.shape.length === 2 &&
    isBatched(only) &&
    typeof only.shape[1] === 'number' &&
    NUMERIC.has(only.type)
  );
}

/** Feature names of a feature-row model: the signature's, else f0..fn. */
export function featureNames(s: OnnxSignature): string[] {
  const n = s.inputs[0]!.shape[1] as number;
  if (s.features?.length === n) return s.features;
  return Array.from({ length: n }, (_, i) => `f${i}`);
}

function elementSchema(type: OnnxElementType): Record<string, unknown> {
  if (type === 'bool') return { type: 'boolean' };
  if (type === 'string') return { type: 'string' };
  if (type === 'int64' || type === 'int32') return { type: 'integer' };
  return { type: 'number' };
}

/** Nested arrays for the dims (fixed sizes as min/maxItems), the element type at the leaves. */
function tensorSchema(type: OnnxElementType, dims: OnnxDim[]): Record<string, unknown> {
  let schema = elementSchema(type);
  for (let i = dims.length - 1; i >= 0; i -= 1) {
    const d = dims[i];
    schema =
      typeof d === 'number'
        ? { type: 'array', minItems: d, maxItems: d, items: schema }
        : { type: 'array', minItems: 1, items: schema };
  }
  return schema;
}

function describe(spec: OnnxTensorSpec): string {
  return `${spec.type} [${spec.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** JSON Schema of one instance. */
export function instanceSchemaOf(s: OnnxSignature): Record<string, unknown> {
  if (isFeatureRowModel(s)) {
    const input = s.inputs[0]!;
    const names = featureNames(s);
    const element = elementSchema(input.type);
    const byName = {
      type: 'object',
      additionalProperties: false,
      required: names,
      properties: Object.fromEntries(names.map((n) => [n, element])),
    };
    const row = { type: 'array', minItems: names.length, maxItems: names.length, items: element };
    // if/then/else rather than oneOf: a bad instance gets the error of the shape it tried.
    return {
      description: `The ${names.length} features of "${input.name}" (${describe(input)}): an array in this order, or an object keyed by name: ${names.join(', ')}.`,
      if: { type: 'array' },
      then: row,
      else: byName,
      examples: [names.map(() => 0)],
    };
  }
  return {
    type: 'object',
    description: `One value per model input, keyed by input name (shapes without the batch axis).`,
    additionalProperties: false,
    required: s.inputs.map((i) => i.name),
    properties: Object.fromEntries(
      s.inputs.map((i) => [i.name, { ...tensorSchema(i.type, instanceShape(i)), description: describe(i) }]),
    ),
  };
}

/** The key of a classifier output given per class label. */
export function byLabelKey(output: OnnxTensorSpec): string {
  return `${output.name}ByLabel`;
}

/** A float output with one column per class label: also answered as {label: value}. */
export function hasPerLabel(output: OnnxTensorSpec): boolean {
  const dims = instanceShape(output);
  return (
    output.labels !== undefined &&
    (output.type === 'float32' || output.type === 'float64') &&
    dims.length === 1 &&
    dims[0] === output.labels.length
  );
}

/** JSON Schema of one prediction: one key per model output (and per-label probabilities). */
export function predictionSchemaOf(s: OnnxSignature): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const o of s.outputs) {
    // Outputs' inner dims are often unknown in the graph (skl2onnx writes [None, k]); do not over-constrain.
    properties[o.name] = {
      ...tensorSchema(
        o.type,
        instanceShape(o).map((d) => (typeof d === 'number' ? d : null)),
      ),
      description: describe(o),
    };
    if (o.labels && instanceShape(o).length === 0)
      properties[o.name] = { ...(properties[o.name] as object), examples: o.labels.slice(0, 3) };
    if (hasPerLabel(o)) {
      properties[byLabelKey(o)] = {
        type: 'object',
        description: `${o.name} per class label`,
        additionalProperties: false,
        required: o.labels!.map(String),
        properties: Object.fromEntries(o.labels!.map((l) => [String(l), { type: 'number' }])),
      };
    }
  }
  return { type: 'object', additionalProperties: false, required: s.outputs.map((o) => o.name), properties };
}

/** `text/csv` rows (no header) of a feature-row model: one number per feature, in feature order. */
export function csvRowReader(s: OnnxSignature): ((cells: string[]) => number[]) | undefined {
  if (!isFeatureRowModel(s)) return undefined;
  const names = featureNames(s);
  return (cells) => {
    if (cells.length !== names.length)
      throw new Error(`has ${cells.length} values; the model takes ${names.length} (${names.join(', ')})`);
    return cells.map((cell, i) => {
      const value = cell.trim() === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value))
        throw new Error(`${names[i]} (column ${i + 1}) is ${JSON.stringify(cell)}, not a number`);
      return value;
    });
  };
}

/**
 * A value of zeros in the instance's shape: the warm-up instance. Strings are "0", not "": a
 * graph that parses its text (Cast string -> float) fails on "" and would never become ready.
 */
function zeros(type: OnnxElementType, dims: OnnxDim[]): JsonValue {
  if (dims.length === 0) return type === 'string' ? '0' : type === 'bool' ? false : 0;
  const n = typeof dims[0] === 'number' ? dims[0] : 1;
  return Array.from({ length: n }, () => zeros(type, dims.slice(1)));
}

export function warmupInstance(s: OnnxSignature): OnnxInstance {
  if (isFeatureRowModel(s)) return featureNames(s).map(() => 0);
  return Object.fromEntries(s.inputs.map((i) => [i.name, zeros(i.type, instanceShape(i))]));
}

/** Each input's value for one (schema-valid) instance. */
export function inputValues(s: OnnxSignature, instance: OnnxInstance): Record<string, JsonValue> {
  if (isFeatureRowModel(s)) {
    const row = Array.isArray(instance) ? instance : featureNames(s).map((n) => instance[n] as number);
    return { [s.inputs[0]!.name]: row };
  }
  return instance as Record<string, JsonValue>;
}

function shapeOf(value: JsonValue): number[] {
  const dims: number[] = [];
  let v: JsonValue = value;
  while (Array.isArray(v)) {
    dims.push(v.length);
    v = v[0] as JsonValue;
  }
  return dims;
}

function flatten(value: JsonValue, out: JsonValue[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value);
}

function typed(type: OnnxElementType, values: JsonValue[]): TensorData['data'] {
  switch (type) {
    case 'float32':
      return Float32Array.from(values as number[]);
    case 'float64':
      return Float64Array.from(values as number[]);
    case 'int64':
      return BigInt64Array.from(values as number[], (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values as number[]);
    case 'bool':
      return Uint8Array.from(values as boolean[], (v) => (v ? 1 : 0));
    default:
      return values.map(String);
  }
}

/**
 * The feeds for a group of instances: stacked along the batch axis when every input is batched
 * and the instances' shapes agree; `undefined` when they must run one at a time.
 */
export function toFeeds(s: OnnxSignature, instances: OnnxInstance[]): Record<string, TensorData> | undefined {
  const values = instances.map((i) => inputValues(s, i));
  if (instances.length > 1 && !s.inputs.every(isBatched)) return undefined;
  const feeds: Record<string, TensorData> = {};
  for (const input of s.inputs) {
    const first = shapeOf(values[0]![input.name]!);
    const flat: JsonValue[] = [];
    for (const v of values) {
      const value = v[input.name]!;
      const dims = shapeOf(value);
      if (dims.length !== first.length || dims.some((d, i) => d !== first[i])) return undefined;
      flatten(value, flat);
    }
    feeds[input.name] = {
      type: input.type,
      data: typed(input.type, flat),
      dims: isBatched(input) ? [instances.length, ...first] : first,
    };
  }
  return feeds;
}

/** A tensor's values as JSON: numbers (int64 as Number), booleans, strings. */
function plain(data: ArrayLike<unknown>, type: string): JsonValue[] {
  const out: JsonValue[] = new Array(data.length);
  for (let i = 0; i < data.length; i += 1) {
    const v = data[i];
    out[i] = typeof v === 'bigint' ? Number(v) : type === 'bool' ? Boolean(v) : (v as number | string);
  }
  return out;
}

function nest(flat: JsonValue[], dims: number[], offset: number): JsonValue {
  if (dims.length === 0) return flat[offset]!;
  const [n, ...rest] = dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n! }, (_, i) => nest(flat, rest, offset + i * stride));
}

export interface OutputTensor {
  type: string;
  data: ArrayLike<unknown>;
  dims: readonly number[];
}

/** Splits the outputs of a run over `count` instances into one prediction per instance. */
export function toPredictions(
  s: OnnxSignature,
  outputs: Record<string, OutputTensor>,
  count: number,
  batched: boolean,
): OnnxPrediction[] {
  const predictions: OnnxPrediction[] = Array.from({ length: count }, () => ({}));
  for (const spec of s.outputs) {
    const tensor = outputs[spec.name]!;
    const flat = plain(tensor.data, tensor.type);
    const perInstance = batched ? tensor.dims.slice(1) : [...tensor.dims];
    const stride = perInstance.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i += 1) {
      const value = nest(flat, perInstance, i * stride);
      predictions[i]![spec.name] = value;
      if (hasPerLabel(spec) && Array.isArray(value) && value.length === spec.labels!.length) {
        predictions[i]![byLabelKey(spec)] = Object.fromEntries(
          spec.labels!.map((l, j) => [String(l), value[j] as number]),
        );
      }
    }
  }
  return predictions;
}

/** Checks a parsed signature file; throws naming the first problem. */
export function parseSignature(value: unknown, source: string): OnnxSignature {
  const s = value as Partial<OnnxSignature> | null;
  const problem = (what: string): never => {
    throw new Error(
      `${source} ${what}; re-run \`model-service init --model <file>\` to write it again from the model.`,
    );
  };
  if (typeof s !== 'object' || s === null || s.format !== 'onnx-signature/v1')
    problem('is not an onnx-signature/v1 file');
  for (const key of ['inputs', 'outputs'] as const) {
    if (!Array.isArray(s![key]) || s![key]!.length === 0) problem(`has no ${key}`);
    for (const t of s![key]!) {
      if (typeof t?.name !== 'string' || !Array.isArray(t.shape))
        problem(`has an entry in ${key} without name and shape`);
      if (!['float32', 'float64', 'int64', 'int32', 'bool', 'string'].includes(t.type))
        problem(`has ${key} "${t.name}" of unsupported type ${String(t.type)}`);
    }
  }
  return s as OnnxSignature;
}
