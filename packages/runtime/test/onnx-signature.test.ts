// The signature file -> schemas, CSV rows, tensors and predictions, without onnxruntime.
import { describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import {
  csvRowReader,
  instanceSchemaOf,
  parseSignature,
  predictionSchemaOf,
  toFeeds,
  toPredictions,
  warmupInstance,
  type OnnxSignature,
} from '../src/onnx-signature.js';
import { createValidators, type Validators } from '../src/validation.js';

const classifier: OnnxSignature = {
  format: 'onnx-signature/v1',
  opset: { '': 15, 'ai.onnx.ml': 1 },
  inputs: [{ name: 'float_input', type: 'float32', shape: [null, 3] }],
  outputs: [
    { name: 'label', type: 'int64', shape: [null], labels: ['no', 'yes'] },
    { name: 'probabilities', type: 'float32', shape: [null, 2], labels: ['no', 'yes'] },
  ],
  features: ['age', 'income', 'visits'],
};

const twoInputs: OnnxSignature = {
  format: 'onnx-signature/v1',
  opset: { '': 13 },
  inputs: [
    { name: 'input_ids', type: 'int64', shape: ['batch', 'seq'] },
    { name: 'mask', type: 'bool', shape: ['batch', 'seq'] },
  ],
  outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 2] }],
};

function validator(s: OnnxSignature): Validators {
  return createValidators(
    {
      name: 'm',
      version: '1',
      instanceSchema: instanceSchemaOf(s),
      predictionSchema: predictionSchemaOf(s),
      predict: () => [],
    },
    64,
  );
}

function rejection(s: OnnxSignature, instance: unknown): string {
  const v: Validators = validator(s);
  try {
    v.request({ instances: [instance] });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('one 2-D numeric input: rows of features', () => {
  test('an array in feature order and an object keyed by feature name are both valid', () => {
    const v: Validators = validator(classifier);
    expect(() => v.request({ instances: [[1, 2, 3], { age: 1, income: 2, visits: 3 }] })).not.toThrow();
  });

  test('wrong length, wrong type, unknown and missing features name the field', () => {
    expect(rejection(classifier, [1, 2])).toBe('instances[0] must NOT have fewer than 3 items');
    expect(rejection(classifier, [1, 'x', 3])).toBe('instances[0][1] must be number');
    expect(rejection(classifier, { age: 1, income: 2, visits: 3, zip: 4 })).toBe('instances[0].zip is not allowed');
    expect(rejection(classifier, { age: 1, income: 2 })).toBe('instances[0].visits is required');
  });

  test('CSV rows map to arrays; a short row or a non-number names the column', () => {
    const read = csvRowReader(classifier)!;
    expect(read(['1', '2.5', '-3'])).toEqual([1, 2.5, -3]);
    expect(() => read(['1', '2'])).toThrow('has 2 values; the model takes 3 (age, income, visits)');
    expect(() => read(['1', 'abc', '3'])).toThrow('income (column 2) is "abc", not a number');
  });

  test('instances stack into one [n, 3] float32 tensor; outputs split per instance, probabilities per label too', () => {
    const feeds = toFeeds(classifier, [[1, 2, 3], { age: 4, income: 5, visits: 6 }])!;
    expect(feeds.float_input!.dims).toEqual([2, 3]);
    expect(Array.from(feeds.float_input!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const predictions = toPredictions(
      classifier,
      {
        label: { type: 'int64', data: BigInt64Array.from([1n, 0n]), dims: [2] },
        probabilities: { type: 'float32', data: Float32Array.from([0.25, 0.75, 0.5, 0.5]), dims: [2, 2] },
      },
      2,
      true,
    );
    expect(predictions).toEqual([
      { label: 1, probabilities: [0.25, 0.75], probabilitiesByLabel: { no: 0.25, yes: 0.75 } },
      { label: 0, probabilities: [0.5, 0.5], probabilitiesByLabel: { no: 0.5, yes: 0.5 } },
    ]);
    expect(validator(classifier).predictions(predictions, 2)).toBeUndefined();
  });
});

describe('several inputs: objects keyed by input name', () => {
  test('int64 and bool values in the input shapes; a wrong type names the input', () => {
    const v: Validators = validator(twoInputs);
    expect(() => v.request({ instances: [{ input_ids: [1, 2], mask: [true, false] }] })).not.toThrow();
    expect(rejection(twoInputs, { input_ids: [1.5], mask: [true] })).toBe('instances[0].input_ids[0] must be integer');
    expect(rejection(twoInputs, { input_ids: [1] })).toBe('instances[0].mask is required');
    expect(csvRowReader(twoInputs)).toBeUndefined();
  });

  test('same-length sequences batch; different lengths run one by one', () => {
    const same = toFeeds(twoInputs, [
      { input_ids: [1, 2], mask: [true, false] },
      { input_ids: [3, 4], mask: [true, true] },
    ])!;
    expect(same.input_ids!.dims).toEqual([2, 2]);
    expect(Array.from(same.input_ids!.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n]);
    expect(Array.from(same.mask!.data as Uint8Array)).toEqual([1, 0, 1, 1]);
    expect(
      toFeeds(twoInputs, [
        { input_ids: [1], mask: [true] },
        { input_ids: [3, 4], mask: [true, true] },
      ]),
    ).toBeUndefined();
  });

  test('the warm-up instance has the input shapes (one step for a dynamic axis)', () => {
    expect(warmupInstance(twoInputs)).toEqual({ input_ids: [0], mask: [false] });
    expect(warmupInstance(classifier)).toEqual([0, 0, 0]);
  });
});

test('a signature file that is not one is refused, saying how to write it again', () => {
  expect(() => parseSignature({ format: 'x' }, 'model/signature.json')).toThrow(
    /model\/signature.json is not an onnx-signature\/v1 file; re-run `model-service init --model <file>`/,
  );
  expect(() => parseSignature({ ...classifier, inputs: [{ name: 'x', type: 'uint8', shape: [1] }] }, 's.json')).toThrow(
    'has inputs "x" of unsupported type uint8',
  );
  expect(new Ajv({ strict: false }).validateSchema(instanceSchemaOf(twoInputs))).toBe(true);
});
