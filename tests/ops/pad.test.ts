/**
 * pad: the four modes and crops by hand in TypeScript (evaluate) and in C (utvm_pad) on the same cases,
 * shape inference, ONNX Pad import across opsets 2 / 11 / 18 (attributes, constant inputs, axes) with
 * its errors, and moving across a transpose.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import type { DType, TensorData } from '../../src/ir/dtype.js';
import { Graph, elementCount } from '../../src/ir/graph.js';
import { PadAttrs, PadMode, pad } from '../../src/ops/pad.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { addNode, runLowered } from '../util/run-lowered.js';

function evaluate(shape: number[], data: number[], attrs: PadAttrs, dtype: DType = 'float32'): { shape: number[]; values: number[] } {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype, shape, data: dtype === 'int32' ? new Int32Array(data) : new Float32Array(data) });
  const node = addNode(g, 'pad', ['x'], attrs);
  const out = g.tensor(node.outputs[0]);
  const [values] = pad.evaluate!(attrs, [g.tensor('x')], [out]);
  return { shape: out.shape, values: Array.from(values as ArrayLike<number>) };
}

function runC(shape: number[], data: TensorData, attrs: PadAttrs, dtype: DType = 'float32'): number[] {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype, shape });
  const node = addNode(g, 'pad', ['x'], attrs);
  const { calls, outputs } = runLowered(g, node, { x: data });
  assert.is(calls.length, 1);
  assert.is(calls[0].kernel, 'utvm_pad');
  return Array.from(outputs[0] as ArrayLike<number>);
}

const HAND: [PadMode, number[], number[]][] = [
  ['constant', [2, 2], [9, 9, 1, 2, 3, 9, 9]],
  ['reflect', [2, 2], [3, 2, 1, 2, 3, 2, 1]],
  ['reflect', [5, 1], [2, 1, 2, 3, 2, 1, 2, 3, 2]],
  ['edge', [2, 2], [1, 1, 1, 2, 3, 3, 3]],
  ['wrap', [2, 2], [2, 3, 1, 2, 3, 1, 2]],
  ['wrap', [4, 0], [3, 1, 2, 3, 1, 2, 3]],
  ['constant', [-1, 1], [2, 3, 9]],
  // Crops apply first: reflect/edge/wrap repeat the cropped tensor [2, 3].
  ['reflect', [-1, 2], [2, 3, 2, 3]],
  ['edge', [2, -1], [1, 1, 1, 2]],
  ['wrap', [-1, 3], [2, 3, 2, 3, 2]],
];

test('1-D hand-checked cases, TypeScript and C', () => {
  for (const [mode, pads, expected] of HAND) {
    const attrs = { mode, pads, value: 9 };
    assert.equal(evaluate([3], [1, 2, 3], attrs).values, expected, `${mode} ${pads} (evaluate)`);
    assert.equal(runC([3], new Float32Array([1, 2, 3]), attrs), expected, `${mode} ${pads} (C)`);
  }
});

test('2-D reflect pads rows and columns (ONNX reflect example)', () => {
  const attrs: PadAttrs = { mode: 'reflect', pads: [0, 2, 0, 0], value: 0 };
  const expected = [1, 1.2, 1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7];
  const r = evaluate([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7], attrs);
  assert.equal(r.shape, [3, 4]);
  r.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
  runC([3, 2], new Float32Array([1, 1.2, 2.3, 3.4, 4.5, 5.7]), attrs).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
});

test('C matches evaluate on random 4-D cases in every mode, int32 and float32', () => {
  const rng = mulberry32(42);
  const shape = [1, 3, 4, 5];
  const x = randomFloats(rng, elementCount(shape), -5, 5).map(Math.round);
  const cases: number[][] = [
    [0, 0, 1, 2, 0, 0, 3, 0],
    [0, 1, -1, 3, 0, 1, 2, -2],
    [0, 0, 7, 9, 0, 0, 6, 8],
  ];
  for (const mode of ['constant', 'reflect', 'edge', 'wrap'] as PadMode[]) {
    for (const pads of cases) {
      for (const dtype of ['float32', 'int32'] as DType[]) {
        const attrs = { mode, pads, value: -7.5 };
        const data = dtype === 'int32' ? new Int32Array(x) : new Float32Array(x);
        const expected = evaluate(shape, Array.from(x), attrs, dtype).values;
        assert.equal(runC(shape, data, attrs, dtype), expected, `${mode} [${pads}] ${dtype}`);
      }
    }
  }
});

test('lowering merges unpadded dims and offsets the input for crops', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [2, 3, 4, 5] });
  const node = addNode(g, 'pad', ['x'], { mode: 'edge', pads: [0, 0, -1, 0, 0, 0, 0, 2], value: 0 });
  const { calls } = runLowered(g, node, { x: new Float32Array(120) });
  const [params, input, fill] = calls[0].args;
  assert.equal(params, {
    type: 'utvm_pad_params',
    params: {
      out_shape: [1, 1, 1, 6, 3, 7],
      in_shape: [1, 1, 1, 6, 3, 5],
      pad_begin: [0, 0, 0, 0, 0, 0],
      in_strides: [0, 0, 0, 20, 5, 1],
      element_bytes: 4,
      mode: 2,
    },
  });
  assert.equal(input, { tensor: 'x', elementOffset: 5 });
  assert.equal(fill, { value: 0 });
});

test('shape inference and its errors', () => {
  assert.equal(evaluate([3], [1, 2, 3], { mode: 'constant', pads: [-3, 0], value: 0 }).shape, [0]);
  assert.throws(() => evaluate([3], [1, 2, 3], { mode: 'constant', pads: [-3, -1], value: 0 }), /crop more than axis 0 of \[3\] holds/);
  assert.throws(() => evaluate([3], [1, 2, 3], { mode: 'edge', pads: [-3, 1], value: 0 }), /edge padding of an empty axis 0/);
  assert.throws(() => evaluate([3], [1, 2, 3], { mode: 'edge', pads: [1], value: 0 }), /1 pads for a rank-1 tensor/);
});

function padModel(opset: number, attrs: Record<string, number | number[] | string>, inputs: (m: OnnxModelBuilder) => string[] = () => []) {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', [1, 2, 3, 4]);
  const [y] = m.node('Pad', [x, ...inputs(m)], attrs, { name: 'p', outputs: ['y'] });
  m.output(y, 'float32');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  return { g, attrs: g.nodes[0].attrs as unknown as PadAttrs };
}

test('ONNX Pad import: opset 2 attributes, opset 11 inputs, opset 18 axes', () => {
  const a = padModel(7, { pads: [0, 0, 1, 2, 0, 0, 3, 4], mode: 'reflect' }).attrs;
  assert.equal(a, { mode: 'reflect', pads: [0, 0, 1, 2, 0, 0, 3, 4], value: 0 });
  assert.equal(padModel(9, { pads: [0, 0, 1, 1, 0, 0, 1, 1], value: 2.5 }).attrs.value, 2.5);
  const b = padModel(13, {}, (m) => [m.initializer('pads', 'int64', [8], [0, 0, 1, 1, 0, 0, 1, -1]), m.initializer('v', 'float32', [], [1.5])]);
  assert.equal(b.attrs, { mode: 'constant', pads: [0, 0, 1, 1, 0, 0, 1, -1], value: 1.5 });
  assert.equal(b.g.tensor('y').shape, [1, 2, 5, 4]);
  const c = padModel(19, { mode: 'wrap' }, (m) => [m.initializer('pads', 'int64', [4], [1, 2, 3, 4]), '', m.initializer('axes', 'int64', [2], [-1, 1])]);
  assert.equal(c.attrs, { mode: 'wrap', pads: [0, 2, 0, 1, 0, 4, 0, 3], value: 0 });
});

test('ONNX Pad import errors', () => {
  const runtimePads = () => {
    const m = new OnnxModelBuilder({ opset: 13 });
    const x = m.input('x', 'float32', [1, 4]);
    const p = m.input('pads', 'int64', [4]);
    m.node('Pad', [x, p], {}, { name: 'p', outputs: ['y'] });
    m.output('y', 'float32');
    return importOnnx(m.encode(), 'm.onnx', 'm');
  };
  assert.throws(runtimePads, /^m\.onnx: node 'p' \(Pad\): the 'pads' input must be a constant, but 'pads' is computed at run time$/);
  assert.throws(() => padModel(11, { mode: 'symmetric' }, (m) => [m.initializer('pads', 'int64', [8], [0, 0, 0, 0, 0, 0, 0, 0])]), /^m\.onnx: node 'p' \(Pad\): mode='symmetric' is not supported$/);
  assert.throws(() => padModel(11, {}, (m) => [m.initializer('pads', 'int64', [2], [1, 1])]), /2 pads for a rank-4 input \(need 8\)/);
});

test('commuteTranspose permutes the pads', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [1, 3, 4, 2] });
  // The node sees NCHW = transpose(NHWC x, [0, 3, 1, 2]) and pads H by 1/2 and W by 3/4.
  const node = addNode(g, 'pad', ['x'], { mode: 'constant', pads: [0, 0, 1, 3, 0, 0, 2, 4], value: 0 });
  const r = pad.commuteTranspose!(node as never, [0, 3, 1, 2], { graph: g } as never)!;
  assert.equal(r.attrs.pads, [0, 1, 3, 0, 0, 2, 4, 0]);
});

test.run();
