/**
 * fold-batchnorm (src/passes/fold-batchnorm.ts): conv2d → batchnorm becomes one conv2d with weights w·s
 * and bias b·s + t — with and without a bias, through the reshapes of a 1-D convolution, for a grouped
 * convolution — and computes the same values as before within float32 rounding (evaluated in TypeScript,
 * tests/util/graph-eval.ts); the old weights and batchnorm parameters leave the graph; the input graph and
 * its arrays are not modified. Left alone: a conv with a fused clamp, a conv output read twice or that is
 * a graph output, per-tensor (not per-channel) parameters, weights computed at run time.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { foldBatchnorm } from '../../src/passes/fold-batchnorm.js';
import { addNode, conv2dAttrs, floatConstant, floatInput, graphOutputs, maxRelativeError, opsOf, randomInputs } from '../util/graph-eval.js';
import { mulberry32 } from '../util/random.js';

interface Options {
  bias?: boolean;
  reshape?: boolean;
  groups?: number;
  clamp?: boolean;
  paramShape?: number[];
}

/** x[1,7,6,4] → conv2d 3x3 → (reshape) → batchnorm(s, t) → y, with `o` output channels. */
function convBn(o: Options = {}): Graph {
  const rng = mulberry32(11);
  const g = new Graph('t');
  const groups = o.groups ?? 1;
  const x = floatInput(g, 'x', [1, 7, 6, 4]);
  const inputs = [x, floatConstant(g, rng, 'w', [6, 3, 3, 4 / groups])];
  if (o.bias !== false) inputs.push(floatConstant(g, rng, 'b', [6]));
  const attrs = conv2dAttrs({ pads: [1, 0, 1, 2], strides: [2, 1], groups, clamp: o.clamp ? { min: 0, max: Infinity } : undefined });
  let y = addNode(g, 'conv2d', inputs, attrs, 'conv').outputs[0];
  if (o.reshape) y = addNode(g, 'reshape', [y], { shape: [1, 4 * 6, 6] }, 'view').outputs[0];
  const paramShape = o.paramShape ?? [6];
  const bn = addNode(g, 'batchnorm', [y, floatConstant(g, rng, 's', paramShape, 0.2, 3), floatConstant(g, rng, 't', paramShape, -1, 1)], {}, 'bn');
  g.outputs = [bn.outputs[0]];
  return g;
}

function assertFolded(g: Graph, ops: string[], seed: number): Graph {
  const snapshot = [...g.tensors.values()].map((t) => [t.name, t.data ? Array.from(t.data as Float32Array) : undefined]);
  const folded = foldBatchnorm(g);
  assert.equal(opsOf(folded), ops);
  const conv = folded.nodes[0];
  assert.is(conv.inputs.length, 3, 'the folded conv has a bias');
  assert.ok(conv.inputs.slice(1).every((name) => folded.isConstant(name)));
  assert.equal(folded.nodes.at(-1)!.outputs, ['bn_out0'], 'the node before the batchnorm writes its output');
  for (const gone of ['w', 'b', 's', 't']) assert.not.ok(folded.has(gone), `'${gone}' is no longer in the graph`);
  const inputs = randomInputs(g, mulberry32(seed));
  const [want] = graphOutputs(g, inputs);
  const [got] = graphOutputs(folded, inputs);
  const err = maxRelativeError(got, want);
  assert.ok(err < 1e-5, `max relative error ${err}`);
  const after = [...g.tensors.values()].map((t) => [t.name, t.data ? Array.from(t.data as Float32Array) : undefined]);
  assert.equal(after, snapshot, 'the input graph and its constants are unchanged');
  return folded;
}

test('conv2d with bias → batchnorm: one conv2d, same outputs (≤ 1e-5 relative)', () => {
  const folded = assertFolded(convBn(), ['conv2d'], 1);
  assert.equal(folded.tensor(folded.nodes[0].inputs[1]).shape, [6, 3, 3, 4]);
});

test('conv2d without bias: the fold creates the bias (the shift t)', () => {
  const g = convBn({ bias: false });
  const folded = assertFolded(g, ['conv2d'], 2);
  assert.equal(Array.from(folded.tensor(folded.nodes[0].inputs[2]).data as Float32Array), Array.from(g.tensor('t').data as Float32Array));
});

test('1-D convolution: the fold looks through the reshape between conv2d and batchnorm', () => {
  assertFolded(convBn({ reshape: true }), ['conv2d', 'reshape'], 3);
});

test('grouped convolution (2 groups): each output channel scales its own weights', () => {
  assertFolded(convBn({ groups: 2 }), ['conv2d'], 4);
});

test('left alone: fused clamp, conv output read twice or a graph output, per-tensor parameters, run-time weights', () => {
  assert.equal(opsOf(foldBatchnorm(convBn({ clamp: true }))), ['conv2d', 'batchnorm'], 'clamp before the batchnorm');

  const twice = convBn();
  twice.outputs.push(addNode(twice, 'relu', ['conv_out0'], {}, 'other').outputs[0]);
  assert.equal(opsOf(foldBatchnorm(twice)), ['conv2d', 'batchnorm', 'relu'], 'read twice');

  const output = convBn();
  output.outputs.push('conv_out0');
  assert.equal(opsOf(foldBatchnorm(output)), ['conv2d', 'batchnorm'], 'graph output');

  const runtime = convBn();
  runtime.tensors.set('w', { ...runtime.tensor('w'), data: undefined });
  runtime.inputs.push('w');
  assert.equal(opsOf(foldBatchnorm(runtime)), ['conv2d', 'batchnorm'], 'weights are a graph input');

  // batchnorm's own shape check wants [C]; a per-tensor pair can only appear by editing the graph
  const perTensor = convBn();
  perTensor.tensors.set('s', { ...perTensor.tensor('s'), shape: [1], data: new Float32Array([2]) });
  assert.equal(opsOf(foldBatchnorm(perTensor)), ['conv2d', 'batchnorm'], 'per-tensor scale');
});

test.run();
