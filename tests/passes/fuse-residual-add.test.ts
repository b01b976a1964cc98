/**
 * fuse-residual-add (src/passes/fuse-residual-add.ts) and the conv2d_add node it makes
 * (src/ops/conv2d/add-s8.ts): the fused node gives the bytes of the convolution followed by the ADD,
 * bit for bit, for the portable and the Cortex-M7 (DSP) kernels — bands of several rows with a partial
 * last band, one row per band, stride 2 with and without padding, a depthwise convolution, the
 * convolution's output as either ADD operand, fused activations on both. The pass leaves alone what it
 * must (a convolution output read twice, add(conv(x), x), debug builds); the fused output overwrites the
 * other operand in the memory plan; and on MLPerf Tiny's ResNet-8 the arena drops below 0.75 × TFLite
 * Micro's 54,996 bytes, within 10 % of its lower bound.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import type { Conv2dAddAttrs } from '../../src/ops/conv2d/add-s8.js';
import type { Clamp } from '../../src/ops/op.js';
import { CHUNK_BYTES, fuseResidualAdds } from '../../src/passes/fuse-residual-add.js';
import { PIPELINE, runPipeline } from '../../src/passes/index.js';
import { computeBuffers } from '../../src/plan/index.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, int8Input, q1, randomInt8 } from '../util/s8.js';
import { readModel } from '../util/mlperf.js';

interface Case {
  name: string;
  /** Convolution input [1, H, W, C] and weights OHWI. */
  xs: number[];
  ws: number[];
  attrs: Partial<Conv2dAttrs>;
  /** The convolution's output is ADD input `convInput`. */
  convInput: 0 | 1;
  addClamp?: Clamp;
}

const attrsOf = (over: Partial<Conv2dAttrs>): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });
const RELU: Clamp = { min: 0, max: Infinity };

const CASES: Case[] = [
  { name: '3x3 same, 2-row bands, partial last band', xs: [1, 9, 16, 24], ws: [48, 3, 3, 24], attrs: { pads: [1, 1, 1, 1], clamp: RELU }, convInput: 0, addClamp: RELU },
  { name: '1x1 stride 2, one row per band, conv is ADD input 1', xs: [1, 14, 22, 8], ws: [96, 1, 1, 8], attrs: { strides: [2, 2] }, convInput: 1 },
  { name: '3x3 stride 2, padding bottom/right', xs: [1, 13, 12, 5], ws: [120, 3, 3, 5], attrs: { strides: [2, 2], pads: [0, 0, 1, 1] }, convInput: 0, addClamp: { min: 0, max: 6 } },
  { name: 'depthwise 3x3, 3-row bands', xs: [1, 11, 10, 64], ws: [64, 3, 3, 1], attrs: { pads: [1, 1, 1, 1], groups: 64 }, convInput: 1, addClamp: RELU },
];

/** conv(x) + other → y in a graph of its own; returns it with the input values. */
function caseGraph(rng: Rng, c: Case): { g: Graph; inputs: Record<string, Int8Array> } {
  const g = new Graph('t');
  const [o, kh, kw, cg] = c.ws;
  const inScale = 0.01 + 0.1 * rng();
  const wScales = Array.from({ length: o }, () => Math.fround(0.002 + 0.02 * rng()));
  const x = int8Input(g, 'x', c.xs, q1(inScale, randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(c.xs)));
  g.addTensor({ name: 'w', dtype: 'int8', shape: c.ws, data: randomInt8(rng, elementCount(c.ws), -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } });
  g.addTensor({ name: 'b', dtype: 'int32', shape: [o], data: Int32Array.from(randomInts(rng, o, -20000, 20000)) });
  const convScale = (Math.fround(inScale) * wScales[0] * 20000 * Math.sqrt(kh * kw * cg)) / 128;
  const conv = addQuantNode(g, 'conv2d', ['x', 'w', 'b'], attrsOf(c.attrs), 'conv', q1(convScale, randomInts(rng, 1, -128, 127)[0]));
  const ys = g.tensor(conv.outputs[0]).shape;
  const other = int8Input(g, 'other', ys, q1(convScale * (0.5 + rng()), randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(ys)));
  const operands = c.convInput === 0 ? [conv.outputs[0], 'other'] : ['other', conv.outputs[0]];
  const add = addQuantNode(g, 'add', operands, c.addClamp ? { clamp: c.addClamp } : {}, 'add', q1(convScale * (1 + rng()), randomInts(rng, 1, -128, 127)[0]));
  g.inputs = ['x', 'other'];
  g.outputs = [add.outputs[0]];
  return { g, inputs: { x, other } };
}

for (const target of [undefined, { dsp: true }]) {
  test(`conv2d_add = conv2d then add, bit for bit (${target ? 'Cortex-M7 kernels' : 'portable kernels'})`, () => {
    const rng = mulberry32(target ? 61 : 60);
    for (const c of CASES) {
      const { g, inputs } = caseGraph(rng, c);
      const [reference] = runLoweredMany(g, g.nodes, inputs, { target }).slice(-1);
      const fused = fuseResidualAdds(g);
      assert.equal(fused.nodes.map((n) => n.op), ['conv2d_add'], c.name);
      const node = fused.nodes[0] as unknown as Node<Conv2dAddAttrs>;
      const [, , outW, outC] = fused.tensor(node.outputs[0]).shape;
      assert.is(node.attrs.chunkRows, Math.max(1, Math.floor(CHUNK_BYTES / (outW * outC))), c.name);
      assert.is(node.attrs.convInput, c.convInput);
      const [run] = runLoweredMany(fused, [node as unknown as Node], inputs, { target });
      const bands = run.calls.filter((k) => /add/.test(k.kernel)).length;
      assert.is(bands, Math.ceil(fused.tensor(node.outputs[0]).shape[1] / node.attrs.chunkRows), `${c.name}: one ADD per band`);
      const want = reference.outputs[0] as Int8Array;
      const got = run.outputs[0] as Int8Array;
      assert.is(got.length, want.length);
      for (let k = 0; k < want.length; k++) if (got[k] !== want[k]) assert.unreachable(`${c.name}: [${k}] fused ${got[k]} != ${want[k]}`);
      const inside = Array.from(want).filter((v) => v > -128 && v < 127).length;
      assert.ok(inside >= want.length / 4, `${c.name}: ${inside} of ${want.length} outputs inside (-128, 127)`);
    }
  });
}

test('the fused output overwrites the other operand when it dies there', () => {
  const { g } = caseGraph(mulberry32(3), CASES[0]);
  const fused = fuseResidualAdds(g);
  const y = fused.nodes[0].outputs[0];
  const buffers = computeBuffers(fused);
  assert.equal(buffers.find((b) => b.tensors.includes('other'))?.tensors, ['other', y]);
});

test('left alone: a convolution output read twice, add(conv(x), x), and debug builds (keepTensors)', () => {
  const twice = caseGraph(mulberry32(4), CASES[0]).g;
  const convOut = twice.nodes[0].outputs[0];
  addQuantNode(twice, 'add', [convOut, convOut], {}, 'again', twice.tensor(convOut).quant);
  twice.outputs.push(twice.nodes[2].outputs[0]);
  assert.equal(fuseResidualAdds(twice).nodes.map((n) => n.op), ['conv2d', 'add', 'add']);
  const self = caseGraph(mulberry32(5), { ...CASES[0], ws: [24, 3, 3, 24] }).g;
  self.nodes[1].inputs[1] = 'x';
  self.inputs = ['x'];
  assert.equal(fuseResidualAdds(self).nodes.map((n) => n.op), ['conv2d', 'add']);
  const { g } = caseGraph(mulberry32(6), CASES[1]);
  assert.ok(PIPELINE.find((p) => p.name === 'fuse-residual-add')?.dropsTensors);
  assert.equal(runPipeline(g, { keepTensors: true }).nodes.map((n) => n.op), ['conv2d', 'add']);
  assert.equal(runPipeline(g).nodes.map((n) => n.op), ['conv2d_add']);
});

test('MLPerf Tiny ResNet-8: three fused blocks, arena ≤ 0.75 × TFLM (54,996 B) and within 10 % of its lower bound', () => {
  const m = readModel('ic', 'int8');
  const r = compile(m.bytes, m.fileName, { name: 'ic', board: 'qemu-mps2-an500' });
  assert.is(r.graph.nodes.filter((n) => n.op === 'conv2d_add').length, 3);
  assert.ok(r.plan.arenaBytes <= Math.floor(0.75 * 54996), `arena ${r.plan.arenaBytes}`);
  assert.ok(r.plan.arenaBytes <= 1.1 * r.plan.lowerBound, `arena ${r.plan.arenaBytes}, lower bound ${r.plan.lowerBound}`);
  const debug = compile(m.bytes, m.fileName, { name: 'ic', board: 'host', debugTensors: true });
  assert.is(debug.graph.nodes.filter((n) => n.op === 'conv2d_add').length, 0);
});

test.run();
