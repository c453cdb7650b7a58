/**
 * @jest-environment ./templates/onnx/tests/onnx-environment.js
 */
// Models the ONNX project wrote (Debian's libonnx-testdata, data/node/*), read the way init
// reads them and served over HTTP by the runtime's generic loader: each answer equals the
// reference output tensor shipped beside the model. The opset-6 PyTorch exports
// (data/pytorch-converted), which onnxruntime only guarantees from opset 7, are refused at init.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { createService, onnxModel, type Service } from '@model-service/runtime';
import { readOnnxGraph } from '../../generators/lib/onnx-graph.js';
import { ONNX_TESTDATA } from '../support/exporter-models.js';
import { readTensor, type Nested } from '../support/onnx-testdata.js';

/** Float, double, int32/int64, bool, string and broadcast/multi-input graphs from opsets 7-17. */
const NODE_TESTS = [
  'test_abs',
  'test_add',
  'test_mul_bcast',
  'test_matmul_2d',
  'test_gemm_default_no_bias',
  'test_gemm_all_attributes',
  'test_relu',
  'test_sigmoid',
  'test_tanh',
  'test_softmax_axis_1',
  'test_hardmax_example',
  'test_argmax_default_axis_example',
  'test_and2d',
  'test_equal',
  'test_less',
  'test_where_example',
  'test_cast_FLOAT_to_DOUBLE',
  'test_concat_2d_axis_0',
  'test_reduce_mean_default_axes_keepdims_example',
  'test_flatten_axis1',
  'test_transpose_default',
  'test_gather_0',
  'test_clip_example',
];

function expectClose(actual: Nested, expected: Nested, path: string): void {
  if (Array.isArray(expected)) {
    expect((actual as Nested[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as Nested[])[i]!, e, `${path}[${i}]`));
  } else if (typeof expected === 'number') {
    if (Math.abs((actual as number) - expected) > 1e-5 * Math.max(1, Math.abs(expected)))
      throw new Error(`${path}: served ${String(actual)}, reference ${expected}`);
  } else expect(actual).toBe(expected);
}

const running: Service[] = [];
afterAll(async () => {
  for (const s of running) await s.close();
});

describe('libonnx-testdata node models served by the generic loader', () => {
  test.each(NODE_TESTS)('%s answers its reference output', async (name) => {
    const dir = join(ONNX_TESTDATA, 'node', name);
    const path = join(dir, 'model.onnx');
    const { signature } = readOnnxGraph(readFileSync(path), 'model.onnx');
    const service = createService({ model: onnxModel({ path, signature }), logLevel: 'silent' });
    running.push(service);
    const { port } = await service.listen(0, '127.0.0.1');
    const instance = Object.fromEntries(
      signature.inputs.map((input, i) => [input.name, readTensor(join(dir, 'test_data_set_0', `input_${i}.pb`))]),
    );
    const res = await request(`http://127.0.0.1:${port}`)
      .post('/invocations')
      .send({ instances: [instance] });
    expect(res.status).toBe(200);
    signature.outputs.forEach((output, i) => {
      expectClose(
        res.body.predictions[0][output.name] as Nested,
        readTensor(join(dir, 'test_data_set_0', `output_${i}.pb`)),
        output.name,
      );
    });
    await service.close();
  });
});

test('a string input (test_cast_STRING_to_FLOAT): ready after its warm-up, answers the parsed numbers', async () => {
  const dir = join(ONNX_TESTDATA, 'node', 'test_cast_STRING_to_FLOAT');
  const path = join(dir, 'model.onnx');
  const { signature } = readOnnxGraph(readFileSync(path), 'model.onnx');
  expect(signature.inputs).toEqual([{ name: 'input', type: 'string', shape: [3, 4] }]);
  const service = createService({ model: onnxModel({ path, signature }), logLevel: 'silent' });
  running.push(service);
  const { port } = await service.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  await request(url).get('/health/ready').expect(200);
  // The reference's first two rows; its third (NaN, INF) has no JSON number, so one of our own.
  const input = readTensor(join(dir, 'test_data_set_0', 'input_0.pb')) as string[][];
  const output = readTensor(join(dir, 'test_data_set_0', 'output_0.pb')) as number[][];
  const res = await request(url)
    .post('/invocations')
    .send({ instances: [{ input: [input[0]!, input[1]!, ['1', '-2.5', '1e3', '0']] }] });
  expect(res.status).toBe(200);
  expectClose(res.body.predictions[0].output as Nested, [output[0]!, output[1]!, [1, -2.5, 1000, 0]], 'output');
  // NaN and infinities have no JSON number: the answer is withheld, not sent as null.
  const nonFinite = await request(url)
    .post('/invocations')
    .send({ instances: [{ input }] });
  expect(nonFinite.status).toBe(422);
  expect(nonFinite.body.error.code).toBe('MS_RUNTIME_INVALID_OUTPUT');
});

describe('libonnx-testdata pytorch-converted (opset 6)', () => {
  test.each(['test_AvgPool2d', 'test_Conv2d', 'test_Linear'])(
    '%s is refused at init naming the opset and the fix',
    (name) => {
      const path = join(ONNX_TESTDATA, 'pytorch-converted', name, 'model.onnx');
      expect(() => readOnnxGraph(readFileSync(path), 'model.onnx')).toThrow(
        expect.objectContaining({ code: 'MS_GEN_MODEL_OPSET', message: expect.stringContaining('opset 6') }) as never,
      );
      expect(() => readOnnxGraph(readFileSync(path), 'model.onnx')).toThrow(/opset_version=17|convert_version/);
    },
  );
});
