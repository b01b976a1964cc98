/**
 * sink-transposes (src/passes/sink-transposes.ts), the layout pass: the NCHW→NHWC / NHWC→NCHW pairs
 * the importers put around layout-sensitive operators meet across layout-agnostic ones and cancel —
 * elementwise with a per-channel constant (rewritten for the new layout), a concat on the channel axis,
 * a residual branch whose input also feeds another transpose. Two transposes merge into one; a
 * transpose that moves only size-1 dims becomes a reshape; an identity transpose from a graph input to a
 * graph output stays (a copy is needed); an operator that cannot commute keeps its transposes. Every
 * rewritten graph computes the same values (evaluated in TypeScript, tests/util/graph-eval.ts) and keeps
 * the names of its inputs and outputs.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { sinkTransposes } from '../../src/passes/sink-transposes.js';
import { addNode, floatConstant, floatInput, graphOutputs, opsOf, randomInputs } from '../util/graph-eval.js';
import { mulberry32 } from '../util/random.js';

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** The pass's graph, checked to give exactly the outputs of `g` (pure data movement: bit for bit). */
function sunk(g: Graph, seed = 1): Graph {
  const out = sinkTransposes(g);
  assert.equal(out.inputs, g.inputs);
  assert.equal(out.outputs, g.outputs);
  const inputs = randomInputs(g, mulberry32(seed));
  const [want, got] = [graphOutputs(g, inputs), graphOutputs(out, inputs)];
  want.forEach((w, i) => assert.equal(Array.from(got[i]), Array.from(w), `output ${i}`));
  return out;
}

/** NCHW x → to NHWC → body(nhwc) → to NCHW → y: the shape of an imported convolution's neighbourhood. */
function sandwich(shape: number[], body: (g: Graph, nhwc: string) => string): Graph {
  const g = new Graph('t');
  const t1 = addNode(g, 'transpose', [floatInput(g, 'x', shape)], { perm: TO_NHWC }, 'to_nhwc');
  const t2 = addNode(g, 'transpose', [body(g, t1.outputs[0])], { perm: TO_NCHW }, 'to_nchw');
  g.outputs = [t2.outputs[0]];
  return g;
}

test('transpose → relu → inverse transpose: the pair cancels, relu writes the output', () => {
  const g = sandwich([1, 3, 4, 5], (g, x) => addNode(g, 'relu', [x], {}, 'relu').outputs[0]);
  const out = sunk(g);
  assert.equal(opsOf(out), ['relu']);
  assert.equal(out.nodes[0].inputs, ['x']);
  assert.equal(out.nodes[0].outputs, ['to_nchw_out0']);
});

test('add with a per-channel constant: the constant is rewritten for the other layout', () => {
  const rng = mulberry32(2);
  const g = sandwich([1, 3, 4, 5], (g, x) => addNode(g, 'add', [x, floatConstant(g, rng, 'bias', [1, 1, 1, 3])], {}, 'add').outputs[0]);
  const out = sunk(g);
  assert.equal(opsOf(out), ['add']);
  const c = out.tensor(out.nodes[0].inputs.find((i) => out.isConstant(i))!);
  assert.equal(c.shape.filter((d) => d !== 1), [3]);
  assert.is(c.shape.indexOf(3), 1, 'the channel axis is axis 1 in NCHW');
});

test('concat of two branches on the channel axis: its axis is remapped, all transposes cancel', () => {
  const g = new Graph('t');
  const a = addNode(g, 'transpose', [floatInput(g, 'a', [1, 2, 3, 4])], { perm: TO_NHWC }, 'ta');
  const b = addNode(g, 'transpose', [floatInput(g, 'b', [1, 5, 3, 4])], { perm: TO_NHWC }, 'tb');
  const c = addNode(g, 'concat', [a.outputs[0], b.outputs[0]], { axis: 3 }, 'cat');
  g.outputs = [addNode(g, 'transpose', c.outputs, { perm: TO_NCHW }, 'back').outputs[0]];
  const out = sunk(g);
  assert.equal(opsOf(out), ['concat']);
  assert.is(out.nodes[0].attrs.axis, 1);
});

test('residual branch: x feeds both an NHWC path and the add; the add still commutes', () => {
  // y = to_nchw(relu(to_nhwc(x)) + to_nhwc(x)): the second operand is another transpose of the same x
  const g = new Graph('t');
  const x = floatInput(g, 'x', [1, 3, 2, 4]);
  const t = addNode(g, 'transpose', [x], { perm: TO_NHWC }, 't');
  const r = addNode(g, 'relu', t.outputs, {}, 'relu');
  const add = addNode(g, 'add', [r.outputs[0], t.outputs[0]], {}, 'add');
  g.outputs = [addNode(g, 'transpose', add.outputs, { perm: TO_NCHW }, 'back').outputs[0]];
  assert.equal(opsOf(sunk(g)), ['relu', 'add']);
});

test('two transposes merge into one with the composed perm; a size-1 move becomes a reshape', () => {
  const g = new Graph('t');
  const a = addNode(g, 'transpose', [floatInput(g, 'x', [2, 3, 4])], { perm: [1, 0, 2] }, 'a');
  g.outputs = [addNode(g, 'transpose', a.outputs, { perm: [0, 2, 1] }, 'b').outputs[0]];
  const out = sunk(g);
  assert.equal(opsOf(out), ['transpose']);
  assert.equal(out.nodes[0].attrs.perm, [1, 2, 0]);

  const ones = new Graph('t');
  ones.outputs = [addNode(ones, 'transpose', [floatInput(ones, 'x', [1, 1, 4, 5])], { perm: [1, 0, 2, 3] }, 'swap').outputs[0]];
  assert.equal(opsOf(sunk(ones)), ['reshape']);
});

test('left alone: an identity transpose from input to output (a copy), an operator that cannot commute', () => {
  const copy = new Graph('t');
  copy.outputs = [addNode(copy, 'transpose', [floatInput(copy, 'x', [2, 3])], { perm: [0, 1] }, 'id').outputs[0]];
  assert.equal(opsOf(sunk(copy)), ['transpose']);

  const g = sandwich([1, 3, 4, 5], (g, x) => addNode(g, 'reshape', [x], { shape: [1, 4, 5, 3] }, 'view').outputs[0]);
  const out = sunk(g);
  assert.equal(opsOf(out), ['transpose', 'reshape', 'transpose']);
});

test.run();
