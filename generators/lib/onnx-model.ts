// Writes the starter model as a real ONNX file: the same logistic regression as the
// TypeScript kind (standardise -> MatMul -> Add -> Sigmoid), encoded by hand as the
// protobuf messages of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto,
// ValueInfoProto). Small and dependency-free; onnxruntime-node loads it.

export interface LogisticWeights {
  version: string;
  features: string[];
  means: number[];
  scales: number[];
  coefficients: number[];
  intercept: number;
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const IR_VERSION = 8;
const OPSET = 13;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** One protobuf field: wire type 0 (varint) or 2 (length-delimited). */
function field(num: number, value: number | string | Uint8Array): number[] {
  if (typeof value === 'number') return [...varint(num << 3), ...varint(value)];
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
}

const msg = (...fields: number[][]): Uint8Array => Uint8Array.from(fields.flat());

function tensor(name: string, dims: number[], values: number[]): Uint8Array {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return msg(...dims.map((d) => field(1, d)), field(2, FLOAT), field(8, name), field(9, raw));
}

function valueInfo(name: string, dims: Array<number | string>): Uint8Array {
  const shape = msg(...dims.map((d) => field(1, typeof d === 'number' ? msg(field(1, d)) : msg(field(2, d)))));
  const tensorType = msg(field(1, FLOAT), field(2, shape));
  return msg(field(1, name), field(2, msg(field(1, tensorType))));
}

function node(op: string, inputs: string[], output: string): Uint8Array {
  return msg(
    ...inputs.map((i) => field(1, i)),
    field(2, output),
    field(3, `${op.toLowerCase()}_${output}`),
    field(4, op),
  );
}

/** The ONNX bytes of `features[batch, n] -> probability[batch, 1]`. */
export function logisticRegressionOnnx(w: LogisticWeights, graphName = 'model'): Uint8Array {
  const n = w.features.length;
  const graph = msg(
    field(1, node('Sub', ['features', 'means'], 'centered')),
    field(1, node('Div', ['centered', 'scales'], 'standardized')),
    field(1, node('MatMul', ['standardized', 'coefficients'], 'weighted')),
    field(1, node('Add', ['weighted', 'intercept'], 'logit')),
    field(1, node('Sigmoid', ['logit'], 'probability')),
    field(2, graphName),
    field(5, tensor('means', [n], w.means)),
    field(5, tensor('scales', [n], w.scales)),
    field(5, tensor('coefficients', [n, 1], w.coefficients)),
    field(5, tensor('intercept', [1], [w.intercept])),
    field(10, `Logistic regression over ${w.features.join(', ')}`),
    field(11, valueInfo('features', ['batch', n])),
    field(12, valueInfo('probability', ['batch', 1])),
  );
  return msg(
    field(1, IR_VERSION),
    field(2, 'generator-model-service'),
    field(3, w.version),
    field(7, graph),
    field(8, msg(field(1, ''), field(2, OPSET))),
  );
}
