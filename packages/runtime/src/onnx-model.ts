// A generic ONNX model definition: any graph described by a signature file runs through
// onnxruntime-node with no model-specific code. A generated project holds the .onnx file and
// model/signature.json; `onnxModel({ path, signature })` turns them into a ModelDefinition.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  csvRowReader,
  instanceSchemaOf,
  isBatched,
  parseSignature,
  predictionSchemaOf,
  toFeeds,
  toPredictions,
  warmupInstance,
  type OnnxInstance,
  type OnnxPrediction,
  type OnnxSignature,
  type TensorData,
} from './onnx-signature.js';
import type { ModelDefinition } from './types.js';

export interface OnnxModelOptions {
  /** The .onnx file. */
  path: string;
  /** The signature, or the path of the signature JSON file the generator wrote. */
  signature: OnnxSignature | string;
  /** Model name (default: the file name without .onnx). */
  name?: string;
}

type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node is an optional peer: only ONNX projects install it (about 290 MB). */
async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    throw new Error(
      'onnxModel needs onnxruntime-node: `npm install onnxruntime-node` (with onnxruntime-node-install=skip in .npmrc for the CPU build).',
      { cause: err },
    );
  }
}

function readSignature(signature: OnnxSignature | string): OnnxSignature {
  if (typeof signature !== 'string') return parseSignature(signature, 'the signature');
  let text: string;
  try {
    text = readFileSync(signature, 'utf8');
  } catch (err) {
    throw new Error(
      `${signature} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); it describes the model's inputs and outputs.`,
      { cause: err },
    );
  }
  return parseSignature(JSON.parse(text), signature);
}

/** The ModelDefinition of an ONNX file: schemas from its signature, version = the file's sha256. */
export function onnxModel(options: OnnxModelOptions): ModelDefinition<OnnxInstance, OnnxPrediction> {
  const signature = readSignature(options.signature);
  // The artifact's own hash is the version: cache keys, /ping and metrics change with the weights.
  const version = createHash('sha256').update(readFileSync(options.path)).digest('hex');
  let ort: Ort | undefined;
  let session: InferenceSession | undefined;
  const outputNames = signature.outputs.map((o) => o.name);
  const batched = signature.inputs.every(isBatched);

  const run = async (instances: OnnxInstance[], feeds: Record<string, TensorData>): Promise<OnnxPrediction[]> => {
    const tensors: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort!.Tensor(t.type, t.data, t.dims);
    const out = await session!.run(tensors, outputNames);
    return toPredictions(signature, out as never, instances.length, batched);
  };

  const fromCsv = csvRowReader(signature);
  return {
    name: options.name ?? options.path.replace(/^.*[\\/]/, '').replace(/\.onnx$/, ''),
    version,
    instanceSchema: instanceSchemaOf(signature),
    predictionSchema: predictionSchemaOf(signature),
    async load() {
      ort = await loadOrt();
      session = await ort.InferenceSession.create(options.path);
      const missing = [
        ...signature.inputs.map((i) => i.name).filter((n) => !session!.inputNames.includes(n)),
        ...outputNames.filter((n) => !session!.outputNames.includes(n)),
      ];
      if (missing.length > 0) {
        throw new Error(
          `${options.path} has no ${missing.join(', ')} (it has ${session.inputNames.join(', ')} -> ${session.outputNames.join(', ')}); the signature file belongs to another model: re-run init with --model.`,
        );
      }
    },
    async predict(instances) {
      if (!session || !ort) throw new Error('predict called before load');
      if (instances.length === 0) return [];
      const feeds = toFeeds(signature, instances);
      if (feeds) return run(instances, feeds);
      // Shapes differ between instances (dynamic inner axes) or the graph has no batch axis: one run each.
      const answers: OnnxPrediction[] = [];
      for (const instance of instances) answers.push(...(await run([instance], toFeeds(signature, [instance])!)));
      return answers;
    },
    warmup: [warmupInstance(signature)],
    ...(fromCsv ? { fromCsvRow: fromCsv } : {}),
    async close() {
      await session?.release();
      session = undefined;
    },
  };
}
