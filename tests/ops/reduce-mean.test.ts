/**
 * reduce_mean: ONNX ReduceMean import across opsets (axes attribute / input, defaults, keepdims,
 * noop_with_empty_axes), shape inference, evaluate by hand, the kernel's grouped-dims parameters and
 * `utvm_reduce_mean_f32` in C against evaluate, and moving across a transpose.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph, elementCount } from '../../src/ir/graph.js';
import { ReduceMeanAttrs, reduceMean } from '../../src/ops/reduce-mean/index.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { addNode, runLowered } from '../util/run-lowered.js';

function reduceModel(opset: number, attrs: Record<string, number | number[]>, axesInput?: number[]) {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', [2, 3, 4]);
  const inputs = [x];
  if (axesInput) inputs.push(m.initializer('axes', 'int64', [axesInput.length], axesInput));
  m.node('ReduceMean', inputs, attrs, { name: 'r', outputs: ['y'] });
  m.output('y', 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

test('ONNX ReduceMean import: attribute axes before 18, input from 18, defaults', () => {
  let g = reduceModel(13, { axes: [-1, 0] });
  assert.equal(g.nodes[0].attrs, { axes: [0, 2], keepdims: true });
  assert.equal(g.tensor('y').shape, [1, 3, 1]);
  g = reduceModel(11, { axes: [1], keepdims: 0 });
  assert.equal(g.tensor('y').shape, [2, 4]);
  g = reduceModel(13, {});
  assert.equal(g.nodes[0].attrs, { axes: [0, 1, 2], keepdims: true });
  g = reduceModel(18, { keepdims: 0 }, [-2]);
  assert.equal(g.nodes[0].attrs, { axes: [1], keepdims: false });
  g = reduceModel(18, {}, []);
  assert.equal(g.nodes[0].attrs, { axes: [0, 1, 2], keepdims: true });
  g = reduceModel(18, { noop_with_empty_axes: 1 });
  assert.equal(g.nodes.map((n) => n.op), ['copy'], 'the identity: the output aliases the input (copied as a graph output)');
});

test('ONNX ReduceMean import errors', () => {
  assert.throws(() => reduceModel(13, { axes: [3] }), /^m\.onnx: node 'r' \(ReduceMean\): axis 3 is out of range for rank 3$/);
  assert.throws(() => reduceModel(13, { axes: [1, -2] }), /axes \[1,-2\] repeat an axis/);
});

function evaluate(shape: number[], data: Float32Array, attrs: ReduceMeanAttrs): { shape: number[]; values: number[] } {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape, data });
  const node = addNode(g, 'reduce_mean', ['x'], attrs);
  const out = g.tensor(node.outputs[0]);
  const [values] = reduceMean.evaluate!(attrs, [g.tensor('x')], [out]);
  return { shape: out.shape, values: Array.from(values as Float32Array) };
}

test('evaluate by hand', () => {
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.equal(evaluate([2, 3], x, { axes: [1], keepdims: false }), { shape: [2], values: [2, 5] });
  assert.equal(evaluate([2, 3], x, { axes: [0], keepdims: true }), { shape: [1, 3], values: [2.5, 3.5, 4.5] });
  assert.equal(evaluate([2, 3], x, { axes: [0, 1], keepdims: false }), { shape: [], values: [3.5] });
});

test('lowering groups kept and reduced dims', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [2, 3, 1, 4, 5] });
  const node = addNode(g, 'reduce_mean', ['x'], { axes: [1, 2, 3], keepdims: true });
  const { calls } = runLowered(g, node, { x: new Float32Array(120) });
  const p = (calls[0].args[0] as { params: Record<string, unknown> }).params;
  assert.equal(p.kept_shape, [1, 1, 1, 1, 2, 5]);
  assert.equal(p.kept_strides, [0, 0, 0, 0, 60, 1]);
  assert.equal(p.reduced_shape, [1, 1, 1, 1, 1, 12]);
  assert.equal(p.reduced_strides, [0, 0, 0, 0, 0, 5]);
  assert.equal((p.scale as { value: number }).value, 1 / 12);
});

test('utvm_reduce_mean_f32 matches evaluate', () => {
  const rng = mulberry32(7);
  const shape = [2, 3, 4, 5];
  const x = randomFloats(rng, elementCount(shape), -1, 1);
  for (const axes of [[3], [2, 3], [1], [0, 2], [0, 1, 2, 3], [1, 3]]) {
    for (const keepdims of [true, false]) {
      const g = new Graph('t');
      g.addTensor({ name: 'x', dtype: 'float32', shape });
      const node = addNode(g, 'reduce_mean', ['x'], { axes, keepdims });
      const { outputs } = runLowered(g, node, { x });
      const expected = evaluate(shape, x, { axes, keepdims }).values;
      Array.from(outputs[0] as Float32Array).forEach((v, i) =>
        assert.ok(Math.abs(v - expected[i]) <= 1e-6 + 1e-5 * Math.abs(expected[i]), `axes [${axes}] [${i}] ${v} vs ${expected[i]}`),
      );
    }
  }
});

test('commuteTranspose remaps axes with keepdims only', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [1, 3, 4, 5] });
  const node = addNode(g, 'reduce_mean', ['x'], { axes: [2, 3], keepdims: true });
  const r = reduceMean.commuteTranspose!(node as never, [0, 3, 1, 2], { graph: g } as never)!;
  assert.equal(r.attrs, { axes: [1, 2], keepdims: true });
  const n2 = addNode(g, 'reduce_mean', ['x'], { axes: [2, 3], keepdims: false }, 'n2');
  assert.is(reduceMean.commuteTranspose!(n2 as never, [0, 3, 1, 2], { graph: g } as never), null);
});

test('a runtime int32 input is rejected at lowering', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int32', shape: [2, 3] });
  const node = addNode(g, 'reduce_mean', ['x'], { axes: [1], keepdims: true });
  assert.throws(() => runLowered(g, node, {}), /^node 'n' \(reduce_mean\): ReduceMean on int32 \(only float32, int8 and int16 at run time\)$/);
});

test.run();
