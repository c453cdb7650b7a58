// The reference tensors Debian's libonnx-testdata ships beside each ONNX node model
// (test_data_set_0/input_<i>.pb, output_<i>.pb), read with onnx-proto as nested JSON values.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type Nested = number | boolean | string | Nested[];

/** A reference TensorProto (.pb) as nested JSON values, decoded with onnx-proto. */
export function readTensor(path: string): Nested {
  const t = onnx.TensorProto.decode(readFileSync(path));
  const dims = t.dims.map(Number);
  const raw = t.rawData && t.rawData.length > 0 ? Buffer.from(t.rawData) : undefined;
  const view = (Ctor: { new (b: ArrayBuffer, o: number, n: number): ArrayLike<unknown>; BYTES_PER_ELEMENT: number }) =>
    Array.from(
      new Ctor(
        raw!.buffer.slice(raw!.byteOffset, raw!.byteOffset + raw!.length),
        0,
        raw!.length / Ctor.BYTES_PER_ELEMENT,
      ),
    );
  let flat: unknown[];
  switch (t.dataType) {
    case 1:
      flat = raw ? view(Float32Array) : t.floatData;
      break;
    case 11:
      flat = raw ? view(Float64Array) : t.doubleData;
      break;
    case 6:
      flat = raw ? view(Int32Array) : t.int32Data;
      break;
    case 7:
      flat = raw ? view(BigInt64Array).map(Number) : t.int64Data.map(Number);
      break;
    case 8:
      flat = t.stringData.map((b) => Buffer.from(b).toString('utf8'));
      break;
    case 9:
      flat = (raw ? Array.from(raw) : t.int32Data).map(Boolean);
      break;
    default:
      throw new Error(`${path}: element type ${t.dataType} not used here`);
  }
  const nest = (d: number[], offset: number): Nested => {
    if (d.length === 0) return flat[offset] as Nested;
    const stride = d.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: d[0]! }, (_, i) => nest(d.slice(1), offset + i * stride));
  };
  return nest(dims, 0);
}
