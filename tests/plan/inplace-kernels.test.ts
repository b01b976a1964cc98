/**
 * In-place kernels in the memory plan (src/plan/liveness.ts rules 3 and 3', `inPlaceKernels`): a node
 * whose lowered call may write output 0 over input 0 joins input 0's buffer only when input 0 dies
 * there, is not a graph output, shares its buffer with no other input and output 0 is no larger; a
 * larger output gets input 0 anchored at its tail (placed together, no chains). The lower bound then
 * counts the step's one footprint. Fake operators for the rule; the real lowering for which nodes
 * qualify (src/lower/index.ts `inPlaceNodes`) and for a whole compile on both kinds of board.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { inPlaceNodes, lowerGraph } from '../../src/lower/index.js';
import { checkPlan, computeBuffers, lowerBound, planMemory } from '../../src/plan/index.js';
import type { OpInfo } from '../../src/plan/index.js';
import { mulberry32, randomInts } from '../util/random.js';
import { addQuantNode, int8Input, q1, randomInt8 } from '../util/s8.js';

const FAKE_OPS: Record<string, OpInfo> = { fake_op: {}, fake_alias: { alias: true } };
const fakeOp = (name: string): OpInfo => FAKE_OPS[name];

function node(g: Graph, name: string, op: string, inputs: string[], outputs: string[]): void {
  g.nodes.push({ name, op, inputs, outputs, attrs: {}, source: { op: 'X', name } });
}

/** in[800] -> a -> k (in-place kernel candidate, output `bytes`) -> b -> c[cBytes] -> out. */
function chain(bytes: number, extra: (g: Graph) => void = () => {}, cBytes = 800): Graph {
  const g = new Graph('chain');
  for (const [name, n] of [['in', 800], ['a', 800], ['b', bytes], ['c', cBytes], ['out', 800]] as const) g.addTensor({ name, dtype: 'int8', shape: [n] });
  g.inputs = ['in'];
  g.outputs = ['out'];
  node(g, 'n0', 'fake_op', ['in'], ['a']);
  node(g, 'k', 'fake_op', ['a'], ['b']);
  node(g, 'n2', 'fake_op', ['b'], ['c']);
  node(g, 'n3', 'fake_op', ['c'], ['out']);
  extra(g);
  return g;
}

const K = new Set(['k']);
const bufferOf = (g: Graph, t: string, set = K) => computeBuffers(g, fakeOp, set).find((b) => b.tensors.includes(t))!;

test('an in-place kernel joins its dying input: one buffer at its step, a smaller output allowed', () => {
  assert.equal(bufferOf(chain(800), 'b').tensors, ['a', 'b']);
  assert.equal(bufferOf(chain(400), 'b').tensors, ['a', 'b']);
  assert.equal(bufferOf(chain(400), 'b').bytes, 800);
  assert.equal(bufferOf(chain(800), 'b', new Set()).tensors, ['b'], 'not named: a buffer of its own');
  const plan = planMemory(chain(800), fakeOp, { inPlaceKernels: K });
  assert.is(plan.lowerBound, 1600);
  assert.is(plan.arenaBytes, 1600);
  assert.is(plan.offsetOf('a'), plan.offsetOf('b'));
  assert.is(planMemory(chain(800), fakeOp).lowerBound, 1600, 'the peak is at n0 / n2 here');
});

test('a larger output: input 0 anchored at its tail, the pair overlapping at that one step, counted once', () => {
  const g = chain(1600, undefined, 16);
  const a = bufferOf(g, 'a');
  assert.equal(a.tensors, ['a'], 'no join');
  assert.equal(a.anchor, { id: 'b', offset: 800 });
  const plan = planMemory(g, fakeOp, { inPlaceKernels: K });
  assert.is(plan.offsetOf('a'), plan.offsetOf('b') + 800);
  assert.is(plan.lowerBound, 1616, 'step n2: b + c; step k: b only');
  assert.is(plan.arenaBytes, 1616);
  assert.is(planMemory(g, fakeOp).lowerBound, 2400, 'without: a + b at step k');
  assert.is(bufferOf(chain(1608), 'a').anchor, undefined, 'offset 808 is not a multiple of 16');
});

test('checkPlan and placement keep an anchored pair together; lowerBound sees no overlap elsewhere', () => {
  const buffers = computeBuffers(chain(1600, undefined, 16), fakeOp, K);
  const plan = planMemory(chain(1600, undefined, 16), fakeOp, { inPlaceKernels: K });
  const offsets = new Map(plan.buffers.map((b) => [b.id, b.offset]));
  assert.equal(checkPlan(buffers, offsets), []);
  offsets.set('a', offsets.get('a')! + 16);
  assert.equal(checkPlan(buffers, offsets).map((c) => c.message).slice(0, 1), [`buffer 'a' is not at offset 800 of 'b'`]);
  assert.is(lowerBound(buffers), 1616);
  assert.is(lowerBound(computeBuffers(chain(1600, undefined, 16), fakeOp)), 2400);
});

test('an in-place kernel is refused: input read later, input a graph output, another input in the buffer, chains', () => {
  const readLater = chain(800, (g) => node(g, 'n4', 'fake_op', ['a'], ['']));
  assert.equal(bufferOf(readLater, 'b').tensors, ['b'], 'a read after k');
  const output = chain(800, (g) => g.outputs.push('a'));
  assert.equal(bufferOf(output, 'b').tensors, ['b'], 'a is a graph output');
  const twice = chain(800, (g) => { g.nodes[1].inputs = ['a', 'a']; });
  assert.equal(bufferOf(twice, 'b').tensors, ['b'], 'a is input 1 too');
  const aliased = chain(800, (g) => {
    g.addTensor({ name: 'r', dtype: 'int8', shape: [8, 100] });
    g.nodes.splice(1, 0, { name: 'rs', op: 'fake_alias', inputs: ['a'], outputs: ['r'], attrs: {}, source: { op: 'X', name: 'rs' } });
    g.nodes[2].inputs = ['a', 'r'];
  });
  assert.equal(bufferOf(aliased, 'b').tensors, ['b'], 'a reshape of a is input 1');
  assert.is(bufferOf(readLater, 'a').anchor, undefined);
  const chained = chain(1600, (g) => {
    g.addTensor({ name: 'd', dtype: 'int8', shape: [3200] });
    g.nodes[2] = { ...g.nodes[2], outputs: ['d'] };
    g.nodes[3].inputs = ['d'];
  });
  const twoSteps = computeBuffers(chained, fakeOp, new Set(['k', 'n2']));
  assert.equal(twoSteps.find((b) => b.id === 'a')!.anchor, { id: 'b', offset: 800 });
  assert.is(twoSteps.find((b) => b.id === 'b')!.anchor, undefined, 'b is an anchor already: no chain');
});

test('debug plans (reuse false) ignore in-place kernels', () => {
  const plan = planMemory(chain(800), fakeOp, { reuse: false, inPlaceKernels: K });
  assert.is.not(plan.offsetOf('a'), plan.offsetOf('b'));
});

/** x [1, 4, 4, inC] -> 1x1 conv -> y [.., outC] -> 1x1 conv -> z: real int8 layers. */
function convChain(inC: number, outC: number, strides: [number, number] = [1, 1]): Graph {
  const rng = mulberry32(11);
  const g = new Graph('t');
  int8Input(g, 'x', [1, 4, 4, inC], q1(0.05, -3), randomInt8(rng, 16 * inC));
  const layer = (x: string, name: string, cin: number, cout: number, s: [number, number]) => {
    g.addTensor({ name: `${name}_w`, dtype: 'int8', shape: [cout, 1, 1, cin], data: randomInt8(rng, cout * cin, -127, 127), quant: { scale: [0.01], zeroPoint: [0], axis: 0 } });
    g.addTensor({ name: `${name}_b`, dtype: 'int32', shape: [cout], data: Int32Array.from(randomInts(rng, cout, -500, 500)) });
    const attrs: Conv2dAttrs = { strides: s, dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1 };
    return addQuantNode(g, 'conv2d', [x, `${name}_w`, `${name}_b`], attrs, name, q1(0.1, 2)).outputs[0];
  };
  const y = layer('x', 'c1', inC, outC, strides);
  g.outputs = [layer(y, 'c2', outC, 8, [1, 1])];
  g.inputs = ['x'];
  return g;
}

test('inPlaceNodes: the DSP 1x1 over the same pixels (stride 1); never on the portable target', () => {
  assert.equal([...inPlaceNodes(lowerGraph(convChain(16, 16), { dsp: true }))], ['c1', 'c2'], '16 -> 16, then 16 -> 8');
  assert.equal([...inPlaceNodes(lowerGraph(convChain(8, 16), { dsp: true }))], ['c1', 'c2']);
  assert.equal([...inPlaceNodes(lowerGraph(convChain(16, 16, [2, 2]), { dsp: true }))], ['c2']);
  assert.equal([...inPlaceNodes(lowerGraph(convChain(16, 16)))], []);
});

test('a DSP plan runs the 1x1 in place when its input dies there (graph inputs may be overwritten)', () => {
  const g = convChain(16, 12);
  const dsp = planMemory(g, undefined, { inPlaceKernels: inPlaceNodes(lowerGraph(g, { dsp: true })) });
  const host = planMemory(g, undefined, { inPlaceKernels: inPlaceNodes(lowerGraph(g)) });
  assert.is(dsp.offsetOf('x'), dsp.offsetOf('c1_out0'));
  assert.is.not(host.offsetOf('x'), host.offsetOf('c1_out0'));
  assert.ok(dsp.lowerBound < host.lowerBound, `${dsp.lowerBound} < ${host.lowerBound}`);
  const up = convChain(8, 16);
  const tail = planMemory(up, undefined, { inPlaceKernels: inPlaceNodes(lowerGraph(up, { dsp: true })) });
  assert.is(tail.offsetOf('x'), tail.offsetOf('c1_out0') + 128, 'x [1, 4, 4, 8] ends where c1 [1, 4, 4, 16] ends');
});

test.run();
