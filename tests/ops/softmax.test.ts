/**
 * softmax: ONNX import across the opset 13 semantic change (2-D coercion before, one axis after),
 * reference values, lowering to the [outer, n, inner] view, commuting with a transpose, the C kernel
 * on hand-checked values, and end-to-end runs against ONNX Runtime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { f32 } from '../../src/ir/c-value.js';
import { Node, Tensor } from '../../src/ir/graph.js';
import { softmax, softmaxView } from '../../src/ops/softmax/index.js';
import { transpose } from '../../src/ops/transpose.js';
import { cFloats, printFloats, runCKernel } from '../util/c-kernel.js';
import { checkAgainstOrt } from '../util/model-check.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { errorOf, importModel, lowerNode, nodeOf } from '../util/lower.js';
import { mulberry32, randomFloats } from '../util/random.js';

function softmaxModel(shape: number[], opset: number, axis?: number) {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', shape);
  const [y] = m.node('Softmax', [x], axis === undefined ? {} : { axis }, { name: 'n', outputs: ['y'] });
  m.output(y, 'float32', shape);
  return m;
}

function evalSoftmax(shape: number[], data: number[], axis: number): number[] {
  const x: Tensor = { name: 'x', dtype: 'float32', shape, data: Float32Array.from(data) };
  const [y] = softmax.evaluate!({ axis }, [x], [{ dtype: 'float32', shape }]);
  return Array.from(y as Float32Array);
}

// ---------------------------------------------------------------------------------------------------
// Import

test('opset 13: one axis, default -1, negative axes normalised', () => {
  assert.equal(nodeOf(importModel(softmaxModel([2, 3, 4], 13)), 'softmax').attrs, { axis: 2 });
  assert.equal(nodeOf(importModel(softmaxModel([2, 3, 4], 13, -3)), 'softmax').attrs, { axis: 0 });
  assert.equal(nodeOf(importModel(softmaxModel([2, 3, 4], 13, 1)), 'softmax').attrs, { axis: 1 });
});

test('opset < 13: the trailing block from axis (default 1) is flattened through reshapes', () => {
  const g = importModel(softmaxModel([2, 3, 4], 11));
  assert.equal(g.nodes.map((n) => n.op), ['reshape', 'softmax', 'reshape']);
  assert.equal(g.nodes[0].attrs, { shape: [2, 12] });
  assert.equal(nodeOf(g, 'softmax').attrs, { axis: 1 });
  assert.equal(g.nodes[2].attrs, { shape: [2, 3, 4] });
  assert.equal(g.tensor('y').shape, [2, 3, 4]);
  // When the block is a single axis (the last one, or followed by 1s), no reshape is needed.
  assert.equal(importModel(softmaxModel([10, 20], 6)).nodes.map((n) => n.op), ['softmax']);
  assert.equal(importModel(softmaxModel([2, 3, 1], 11, -2)).nodes.map((n) => n.op), ['softmax']);
});

test('an out-of-range axis is an error', () => {
  assert.is(errorOf(() => importModel(softmaxModel([2, 3], 13, 2))), "m.onnx: node 'n' (Softmax): axis 2 is out of range for rank 2");
});

// ---------------------------------------------------------------------------------------------------
// Semantics, lowering, layout

test('evaluate: hand-checked values, stable on large inputs, any axis', () => {
  const e = [1, Math.E, Math.E * Math.E];
  const s = e[0] + e[1] + e[2];
  evalSoftmax([3], [0, 1, 2], 0).forEach((v, i) => assert.ok(Math.abs(v - e[i] / s) < 1e-7));
  assert.equal(evalSoftmax([2], [1000, 1000], 0), [0.5, 0.5]);
  // Axis 0 of [2, 2]: columns are normalised.
  assert.equal(evalSoftmax([2, 2], [3, 0, 3, 0], 0), [0.5, 0.5, 0.5, 0.5]);
});

test('lowering passes the [outer, n, inner] view', () => {
  assert.equal(softmaxView([2, 3, 4], 1), { outer: 2, n: 3, inner: 4 });
  const g = importModel(softmaxModel([2, 3, 4], 13, 0));
  assert.equal(lowerNode(g, nodeOf(g, 'softmax')), [
    {
      kernel: 'utvm_softmax_f32',
      header: 'utvm/softmax.h',
      args: [{ params: { outer: 1, n: 2, inner: 12, beta: f32(1) }, type: 'utvm_softmax_params_f32' }, { tensor: 'x' }, { tensor: 'y' }],
    },
  ]);
});

test('commuteTranspose remaps the axis so that the result is the same', () => {
  const perm = [0, 2, 3, 1];
  const x: Tensor = { name: 'x', dtype: 'float32', shape: [1, 3, 2, 2], data: randomFloats(mulberry32(2), 12, -2, 2) };
  const tShape = perm.map((p) => x.shape[p]);
  const [t] = transpose.evaluate!({ perm }, [x], [{ dtype: 'float32', shape: tShape }]);
  const node = { name: 'n', op: 'softmax', inputs: ['t'], outputs: ['y'], attrs: { axis: 3 }, source: { op: 'Softmax', name: 'n' } };
  const r = softmax.commuteTranspose!(node as Node<{ axis: number }>, perm, undefined as never)!;
  assert.equal(r.attrs, { axis: 1 });
  const direct = evalSoftmax(tShape, Array.from(t as Float32Array), 3);
  const [inner] = softmax.evaluate!(r.attrs, [x], [{ dtype: 'float32', shape: x.shape }]);
  const [moved] = transpose.evaluate!({ perm }, [{ ...x, data: inner }], [{ dtype: 'float32', shape: tShape }]);
  assert.equal(Array.from(moved as Float32Array), direct);
});

// ---------------------------------------------------------------------------------------------------
// C kernel

test('C: softmax over a strided axis, in place, with large values', () => {
  // [2, 3, 2] over axis 1 (inner stride 2); the second outer block holds large values.
  const x = [0, 1, 1, 2, 2, 3, 1000, -5, 1001, -5, 1002, -5];
  const out = runCKernel({
    headers: ['utvm/softmax.h'],
    kernels: ['utvm_softmax_f32'],
    globals: [cFloats('x', x), 'static const utvm_softmax_params_f32 p = {.outer = 2, .n = 3, .inner = 2, .beta = 1.0f};'],
    body: ['float y[12];', 'for (int i = 0; i < 12; i++) y[i] = x[i];', 'utvm_softmax_f32(&p, y, y);', printFloats('y', 12)],
  });
  const want = evalSoftmax([2, 3, 2], x, 1);
  out.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-6, `y[${i}] = ${v}, expected ${want[i]}`));
  assert.ok(Math.abs(out[7] - 1 / 3) < 1e-6, 'equal inputs give equal shares');
});

// ---------------------------------------------------------------------------------------------------
// End to end

test('e2e: opset 11 (flattened block) and opset 13 (middle axis) match ONNX Runtime', async () => {
  const data = randomFloats(mulberry32(4), 24, -5, 5);
  const input = [{ name: 'x', dtype: 'float32' as const, shape: [2, 3, 4], data }];
  assert.equal(await checkAgainstOrt(softmaxModel([2, 3, 4], 11, 1).encode(), input), ['utvm_softmax_f32']);
  assert.equal(await checkAgainstOrt(softmaxModel([2, 3, 4], 13, 1).encode(), input), ['utvm_softmax_f32']);
});

test.run();
