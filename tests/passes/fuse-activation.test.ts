/**
 * fuse-activation (src/passes/fuse-activation.ts): a Relu or Clip that is the only reader of a conv2d's or
 * gemm's float output becomes that node's clamp — the activation node and the tensor between disappear,
 * the producer writes the activation's output, stacked activations intersect — and the graph computes
 * the same values before and after (evaluated in TypeScript, tests/util/graph-eval.ts). What must stay
 * stays: a middle tensor that is a graph output or read twice, a producer that is not a conv2d/gemm, an
 * int8 middle tensor, a Clip with min > max. The input graph is not modified.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { fuseActivations } from '../../src/passes/fuse-activation.js';
import { addNode, conv2dAttrs, floatConstant, floatInput, graphOutputs, maxRelativeError, opsOf, randomInputs } from '../util/graph-eval.js';
import { mulberry32 } from '../util/random.js';

/** x[1,6,5,3] → conv2d 3x3 (pad 1, 4 channels) → `act` → y. */
function convThen(act: 'relu' | 'clip', attrs: object = {}): Graph {
  const rng = mulberry32(1);
  const g = new Graph('t');
  const x = floatInput(g, 'x', [1, 6, 5, 3]);
  const conv = addNode(g, 'conv2d', [x, floatConstant(g, rng, 'w', [4, 3, 3, 3]), floatConstant(g, rng, 'b', [4])], conv2dAttrs({ pads: [1, 1, 1, 1] }), 'conv');
  const a = addNode(g, act, conv.outputs, attrs, 'act');
  g.outputs = [a.outputs[0]];
  return g;
}

/** The same outputs (within float32 rounding of one summation order: both sides sum identically). */
function assertSameValues(before: Graph, after: Graph, seed: number, spread = 2): void {
  const inputs = randomInputs(before, mulberry32(seed), -spread, spread);
  const [want, got] = [graphOutputs(before, inputs), graphOutputs(after, inputs)];
  want.forEach((w, i) => assert.is(maxRelativeError(got[i], w), 0, `output ${i}`));
  // the activation really clamps something: otherwise the comparison proves little
  const clamped = want[0].filter((v) => v === 0 || v === 1 || v === -0.5).length;
  assert.ok(clamped > 0 && clamped < want[0].length, `${clamped} of ${want[0].length} outputs at a bound`);
}

test('conv2d → relu: the relu becomes the conv clamp [0, +inf]; same outputs', () => {
  const g = convThen('relu');
  const fused = fuseActivations(g);
  assert.equal(opsOf(fused), ['conv2d']);
  assert.equal(fused.nodes[0].attrs.clamp, { min: 0, max: Infinity });
  assert.equal(fused.nodes[0].outputs, ['act_out0'], 'the conv writes the activation output');
  assert.not.ok(fused.has('conv_out0'), 'the tensor between is gone');
  assertSameValues(g, fused, 2);
  assert.equal(opsOf(g), ['conv2d', 'relu'], 'the input graph is untouched');
  assert.is(g.nodes[0].attrs.clamp, undefined);
});

test('gemm → clip(-0.5, 1) → relu: stacked activations intersect into the clamp [0, 1]', () => {
  const rng = mulberry32(3);
  const g = new Graph('t');
  const x = floatInput(g, 'x', [2, 8]);
  const fc = addNode(g, 'gemm', [x, floatConstant(g, rng, 'w', [8, 5]), floatConstant(g, rng, 'b', [5])], { transA: 0, transB: 0, alpha: 1, beta: 1 }, 'fc');
  const clip = addNode(g, 'clip', fc.outputs, { min: -0.5, max: 1 }, 'clip');
  const relu = addNode(g, 'relu', clip.outputs, {}, 'relu');
  g.outputs = [relu.outputs[0]];
  const fused = fuseActivations(g);
  assert.equal(opsOf(fused), ['gemm']);
  assert.equal(fused.nodes[0].attrs.clamp, { min: 0, max: 1 });
  assertSameValues(g, fused, 4, 3);
});

test('clip on conv2d: the clamp is the clip bounds', () => {
  const g = convThen('clip', { min: -0.5, max: 1 });
  const fused = fuseActivations(g);
  assert.equal(opsOf(fused), ['conv2d']);
  assert.equal(fused.nodes[0].attrs.clamp, { min: -0.5, max: 1 });
  assertSameValues(g, fused, 5);
});

test('left alone: the middle tensor is a graph output or read twice, min > max, a non-fusable producer, int8', () => {
  const output = convThen('relu');
  output.outputs.push('conv_out0');
  assert.equal(opsOf(fuseActivations(output)), ['conv2d', 'relu'], 'graph output');

  const twice = convThen('relu');
  const other = addNode(twice, 'sigmoid', ['conv_out0'], {}, 'other');
  twice.outputs.push(other.outputs[0]);
  assert.equal(opsOf(fuseActivations(twice)), ['conv2d', 'relu', 'sigmoid'], 'read twice');

  assert.equal(opsOf(fuseActivations(convThen('clip', { min: 1, max: 0 }))), ['conv2d', 'clip'], 'min > max');

  const add = new Graph('t');
  const a = addNode(add, 'add', [floatInput(add, 'x', [4]), floatInput(add, 'z', [4])], {}, 'add');
  add.outputs = [addNode(add, 'relu', a.outputs, {}, 'relu').outputs[0]];
  assert.equal(opsOf(fuseActivations(add)), ['add', 'relu'], 'add is not a conv2d or gemm');

  const s8 = convThen('relu');
  s8.tensors.set('conv_out0', { ...s8.tensor('conv_out0'), dtype: 'int8' });
  assert.equal(opsOf(fuseActivations(s8)), ['conv2d', 'relu'], 'int8 (the qdq pass owns int8 clamps)');
});

test.run();
