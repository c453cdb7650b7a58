// Jest's "node" environment with the host's typed-array constructors. Jest runs each test
// file in its own VM context, so a Float32Array made there is not an `instanceof` the host's
// Float32Array that onnxruntime-node checks when it wraps the native outputs ("A float32
// tensor's data must be type of function Float32Array()"). Sharing the constructors makes
// both sides agree; nothing else of the sandbox changes.
import NodeEnvironment from 'jest-environment-node';

const TYPED_ARRAYS = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
  'ArrayBuffer',
];

export default class OnnxEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
