// Reads an ONNX file at init with onnx-proto (the ONNX project's protobuf schema, compiled by
// protobufjs): its inputs and outputs, element types, shapes (named or unnamed dynamic axes),
// opset, producer, metadata and, for ai.onnx.ml classifiers, the class labels. Refuses what
// the generic loader cannot serve, naming the problem and the fix, before anything is written.
import onnxProto from 'onnx-proto';
import type { OnnxDim, OnnxElementType, OnnxSignature, OnnxTensorSpec } from '@model-service/runtime';
import { GeneratorError } from './errors.js';
import { notOnnxFormat } from './model-formats.js';

const { onnx } = onnxProto;

/** onnx.proto TensorProto.DataType -> the element types served. */
const ELEMENT_TYPES: Record<number, OnnxElementType> = {
  1: 'float32',
  11: 'float64',
  7: 'int64',
  6: 'int32',
  9: 'bool',
  8: 'string',
};
const TYPE_NAMES: Record<number, string> = {
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  10: 'float16',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** The oldest ai.onnx opset onnxruntime supports (its documented range starts at 7). */
export const MIN_OPSET = 7;

/** ai.onnx.ml classifiers whose class labels name the columns of their probability output. */
const CLASSIFIERS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);

export interface OnnxGraphInfo {
  signature: OnnxSignature;
  metadata: Record<string, string>;
  /** Class labels of the graph's classifier, if it has one. */
  labels?: Array<string | number>;
}

interface ProtoDim {
  dimValue?: number;
  dimParam?: string;
}
interface ProtoValueInfo {
  name: string;
  type?: {
    tensorType?: { elemType?: number; shape?: { dim?: ProtoDim[] } };
    sequenceType?: unknown;
    mapType?: unknown;
  };
}
interface ProtoAttribute {
  name: string;
  ints?: number[];
  strings?: Uint8Array[];
}
interface ProtoNode {
  opType: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: ProtoAttribute[];
}

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function dims(v: ProtoValueInfo): OnnxDim[] {
  const shape = v.type?.tensorType?.shape;
  return (shape?.dim ?? []).map((d) =>
    d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0
      ? Number(d.dimValue)
      : d.dimParam
        ? d.dimParam
        : null,
  );
}

function classLabels(node: ProtoNode): Array<string | number> | undefined {
  const ints = node.attribute?.find((a) => a.name === 'classlabels_ints' || a.name === 'classlabels_int64s');
  if (ints?.ints?.length) return ints.ints.map(Number);
  const strings = node.attribute?.find((a) => a.name === 'classlabels_strings');
  if (strings?.strings?.length) return strings.strings.map(utf8);
  return undefined;
}

function zipMapRefusal(file: string, output: string): GeneratorError {
  return new GeneratorError('MS_GEN_MODEL_ZIPMAP', { file, output });
}

function tensorSpec(file: string, v: ProtoValueInfo, where: 'input' | 'output', nodes: ProtoNode[]): OnnxTensorSpec {
  if (v.type?.sequenceType || v.type?.mapType) {
    if (nodes.some((n) => n.opType === 'ZipMap' && n.output?.includes(v.name))) throw zipMapRefusal(file, v.name);
    throw new GeneratorError('MS_GEN_MODEL_TYPE', {
      file,
      where,
      name: v.name,
      type: v.type.sequenceType ? 'a sequence' : 'a map',
    });
  }
  const elem = v.type?.tensorType?.elemType ?? 0;
  const type = ELEMENT_TYPES[elem];
  if (!type)
    throw new GeneratorError('MS_GEN_MODEL_TYPE', {
      file,
      where,
      name: v.name,
      type: TYPE_NAMES[elem] ?? `type ${elem}`,
    });
  return { name: v.name, type, shape: dims(v) };
}

function metadataFeatures(metadata: Record<string, string>, n: number): string[] | undefined {
  const raw = metadata.feature_names ?? metadata.features;
  if (raw === undefined) return undefined;
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    names = raw.split(',').map((s) => s.trim());
  }
  return Array.isArray(names) && names.length === n && names.every((x) => typeof x === 'string' && x !== '')
    ? (names as string[])
    : undefined;
}

/** The graph's signature; throws MS_GEN_MODEL_FORMAT / _OPSET / _TYPE / _ZIPMAP naming what to do. */
export function readOnnxGraph(bytes: Uint8Array, file: string): OnnxGraphInfo {
  const other = notOnnxFormat(bytes);
  if (other) throw new GeneratorError('MS_GEN_MODEL_FORMAT', { file, detected: other });
  let model: ReturnType<typeof onnx.ModelProto.toObject>;
  try {
    model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: false });
  } catch {
    throw new GeneratorError('MS_GEN_MODEL_FORMAT', { file, detected: 'not an ONNX protobuf' });
  }
  const graph = model.graph as
    | { input?: ProtoValueInfo[]; output?: ProtoValueInfo[]; node?: ProtoNode[]; initializer?: Array<{ name: string }> }
    | undefined;
  if (!model.irVersion || !graph?.output?.length)
    throw new GeneratorError('MS_GEN_MODEL_FORMAT', { file, detected: 'not an ONNX model (no graph outputs)' });

  const opset: Record<string, number> = {};
  for (const o of (model.opsetImport ?? []) as Array<{ domain?: string; version?: number }>)
    opset[o.domain ?? ''] = Number(o.version);
  const core = opset[''] ?? opset['ai.onnx'];
  if (core !== undefined && core < MIN_OPSET)
    throw new GeneratorError('MS_GEN_MODEL_OPSET', {
      file,
      domain: 'ONNX',
      opset: core,
      supported: `opset ${MIN_OPSET} and newer`,
    });

  const nodes = graph.node ?? [];
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  // IR < 4 lists initializers among the inputs; they are weights, not request fields.
  const inputs = (graph.input ?? [])
    .filter((i) => !initializers.has(i.name))
    .map((i) => tensorSpec(file, i, 'input', nodes));
  if (inputs.length === 0)
    throw new GeneratorError('MS_GEN_MODEL_FORMAT', { file, detected: 'an ONNX graph without inputs' });
  const outputs = graph.output.map((o) => tensorSpec(file, o, 'output', nodes));

  const metadata = Object.fromEntries(
    ((model.metadataProps ?? []) as Array<{ key: string; value: string }>).map((p) => [p.key, p.value]),
  );
  const classifier = nodes.find((n) => CLASSIFIERS.has(n.opType));
  const labels = classifier ? classLabels(classifier) : undefined;
  if (labels) {
    for (const o of outputs) {
      const inner = o.shape.slice(1);
      // The probability tensor: float, one column per class (skl2onnx often leaves the column count unnamed).
      if (
        (o.type === 'float32' || o.type === 'float64') &&
        o.shape.length === 2 &&
        (inner[0] === labels.length || typeof inner[0] !== 'number')
      ) {
        o.shape = [o.shape[0]!, labels.length];
        o.labels = labels;
      } else if (o.name === classifier!.output?.[0] && o.shape.length <= 1) {
        o.labels = labels;
      }
    }
  }

  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(' ') || undefined;
  const signature: OnnxSignature = {
    format: 'onnx-signature/v1',
    ...(producer ? { producer } : {}),
    opset,
    inputs,
    outputs,
  };
  const only = inputs.length === 1 ? inputs[0]! : undefined;
  if (only && only.shape.length === 2 && typeof only.shape[1] === 'number') {
    const names = metadataFeatures(metadata, only.shape[1]);
    if (names) signature.features = names;
  }
  return { signature, metadata, ...(labels ? { labels } : {}) };
}
