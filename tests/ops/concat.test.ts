/**
 * concat: ONNX Concat import (negative axis, errors), shape inference, constant folding of int64 shape
 * vectors, the per-input `utvm_copy_strided` lowering run in C, and moving across a transpose — also
 * end to end with Pad and ReduceMean between two NCHW convolutions, against onnxruntime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph } from '../../src/ir/graph.js';
import { concat } from '../../src/ops/concat.js';
import { runModel } from '../../src/run/index.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { addNode, runLowered } from '../util/run-lowered.js';

function concatModel(shapes: number[][], axis: number | undefined, opset = 13) {
  const m = new OnnxModelBuilder({ opset });
  const xs = shapes.map((s, i) => m.input(`x${i}`, 'float32', s));
  const [y] = m.node('Concat', xs, axis === undefined ? {} : { axis }, { name: 'cat', outputs: ['y'] });
  m.output(y, 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

test('Concat imports with a normalised axis and infers the joined shape', () => {
  const g = concatModel([[2, 3, 4], [2, 5, 4]], -2);
  assert.equal(g.nodes.map((n) => [n.op, n.attrs]), [['concat', { axis: 1 }]]);
  assert.equal(g.tensor('y').shape, [2, 8, 4]);
});

test('Concat import errors', () => {
  assert.throws(() => concatModel([[2, 3], [3, 3]], 1), /^m\.onnx: node 'cat' \(Concat\): cannot concatenate \[2,3\] and \[3,3\] on axis 1$/);
  assert.throws(() => concatModel([[2, 3], [2, 3]], 2), /^m\.onnx: node 'cat' \(Concat\): axis 2 is out of range for rank 2$/);
  assert.throws(() => concatModel([[2, 3], [2, 3]], undefined), /axis/);
});

test('a constant Concat of int64 shape vectors folds', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 6]);
  const a = m.initializer('a', 'int64', [1], [2n]);
  const b = m.initializer('b', 'int64', [1], [-1n]);
  const [s] = m.node('Concat', [a, b], { axis: 0 }, { outputs: ['s'] });
  const [y] = m.node('Relu', [x], {}, { outputs: ['y'] });
  m.output(y, 'float32');
  m.output(s, 'int64');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  const t = g.tensor('s_value');
  assert.equal(Array.from(t.data as BigInt64Array), [2n, -1n]);
});

test('evaluate joins blocks along an inner axis', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'a', dtype: 'int32', shape: [2, 1], data: new Int32Array([1, 2]) });
  g.addTensor({ name: 'b', dtype: 'int32', shape: [2, 2], data: new Int32Array([3, 4, 5, 6]) });
  const [out] = concat.evaluate!({ axis: 1 }, [g.tensor('a'), g.tensor('b')], [{ dtype: 'int32', shape: [2, 3] }]);
  assert.equal(Array.from(out as Int32Array), [1, 3, 4, 2, 5, 6]);
});

test('lowering: one utvm_copy_strided per non-empty input, run in C (float32 and int8)', () => {
  for (const dtype of ['float32', 'int8'] as const) {
    const g = new Graph('t');
    g.addTensor({ name: 'a', dtype, shape: [2, 1, 2] });
    g.addTensor({ name: 'e', dtype, shape: [2, 0, 2] });
    g.addTensor({ name: 'b', dtype, shape: [2, 2, 2] });
    const node = addNode(g, 'concat', ['a', 'e', 'b'], { axis: 1 });
    const { calls, outputs } = runLowered(g, node, {
      a: dtype === 'float32' ? new Float32Array([1, 2, 3, 4]) : new Int8Array([1, 2, 3, 4]),
      b: dtype === 'float32' ? new Float32Array([5, 6, 7, 8, 9, 10, 11, 12]) : new Int8Array([5, 6, 7, 8, 9, 10, 11, 12]),
    });
    const size = dtype === 'float32' ? 4 : 1;
    assert.equal(calls.map((c) => c.kernel), ['utvm_copy_strided', 'utvm_copy_strided']);
    assert.equal(calls[1].args[0], { type: 'utvm_copy_strided_params', params: { outer: 2, block_bytes: 4 * size, dst_stride_bytes: 6 * size } });
    assert.equal(calls[1].args[2], { tensor: node.outputs[0], elementOffset: 2 });
    assert.equal(Array.from(outputs[0] as ArrayLike<number>), [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
  }
});

test('commuteTranspose remaps the axis and pre-transposes constant inputs', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [1, 2, 3] });
  g.addTensor({ name: 'c', dtype: 'float32', shape: [1, 2, 1], data: new Float32Array([7, 8]) });
  const node = addNode(g, 'concat', ['x', 'c'], { axis: 2 });
  const editor = {
    graph: g,
    addConstant: (base: string, dtype: 'float32', shape: number[], data: Float32Array) =>
      g.addTensor({ name: g.freshName(base), dtype, shape, data }).name,
  };
  // The node sees transpose(x', [0, 2, 1]): its axis 2 is axis 1 of x'.
  const r = concat.commuteTranspose!(node as never, [0, 2, 1], editor as never)!;
  assert.equal(r.attrs, { axis: 1 });
  assert.is(r.inputs[0], 'x');
  assert.equal(g.tensor(r.inputs[1]).shape, [1, 1, 2]);
  assert.equal(Array.from(g.tensor(r.inputs[1]).data as Float32Array), [7, 8]);
});

test('end to end: Conv → Pad → Conv → Concat(constant) → ReduceMean → Flatten matches onnxruntime', async () => {
  const rng = mulberry32(3);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 3, 6, 6]);
  const [c] = m.node('Conv', [x, m.initializer('w', 'float32', [4, 3, 3, 3], randomFloats(rng, 108, -1, 1))], { pads: [1, 1, 1, 1] });
  const [p] = m.node('Pad', [c, m.initializer('pads', 'int64', [8], [0, 0, 1, 2, 0, 0, 2, 1])], { mode: 'reflect' });
  const [c2] = m.node('Conv', [p, m.initializer('w2', 'float32', [2, 4, 1, 1], randomFloats(rng, 8, -1, 1))]);
  const [cat] = m.node('Concat', [c2, m.initializer('k', 'float32', [1, 1, 9, 9], randomFloats(rng, 81, -1, 1))], { axis: 1 });
  const [red] = m.node('ReduceMean', [cat], { axes: [2, 3], keepdims: 1 });
  const [fl] = m.node('Flatten', [red]);
  m.output(fl, 'float32');
  m.output(cat, 'float32');
  const bytes = m.encode();
  const data = randomFloats(rng, 108, -1, 1);
  const expected = await runOnnxRuntime(bytes, [{ name: 'x', dtype: 'float32', shape: [1, 3, 6, 6], data }]);
  const [actual] = runModel(bytes, 'e.onnx', [[{ dtype: 'float32', shape: [1, 3, 6, 6], data }]], { target: 'host' });
  actual.forEach((o, k) => {
    assert.equal(o.shape, expected[k].shape);
    (o.data as Float32Array).forEach((v, i) => {
      const e = (expected[k].data as Float32Array)[i];
      assert.ok(Math.abs(v - e) <= 1e-5 + 1e-4 * Math.abs(e), `output ${k} [${i}] ${v} vs ${e}`);
    });
  });
});

test.run();
