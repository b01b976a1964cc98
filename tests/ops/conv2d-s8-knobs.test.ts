/**
 * Every value of every int8 convolution knob (src/ops/conv2d/knobs.ts: variant, requant, specialise; issue
 * 17) gives the same output bytes: the layer shapes of the MLPerf Tiny ic, kws and vww models (first layers,
 * 3×3 with and without stride, 1×1 with stride, depthwise 3×3 with and without stride) and odd ones
 * (channels not a multiple of 4, odd channel counts, dilation), each schedule built for the Cortex-M7
 * kernels on the host (their portable twins of the DSP instructions) in one C program, against the portable
 * kernels — which tests/ops/conv2d-s8.test.ts holds to TensorFlow Lite Micro's reference. Each schedule
 * must also pick the kernel it names, so that no value is silently the same code. The defaults run on the
 * emulated Cortex-M7 in tests/mlperf/ (every layer's hash against TensorFlow Lite Micro + CMSIS-NN).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { conv2d } from '../../src/ops/conv2d/index.js';
import type { Schedule } from '../../src/ops/op.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, runCases } from '../util/s8.js';

interface Shape {
  name: string;
  xs: number[];
  ws: number[];
  attrs: Partial<Conv2dAttrs>;
}

const attrsOf = (over: Partial<Conv2dAttrs>): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });
const relu = { clamp: { min: 0, max: Infinity } };

const SHAPES: Shape[] = [
  { name: 'ic first layer', xs: [1, 32, 32, 3], ws: [16, 3, 3, 3], attrs: { pads: [1, 1, 1, 1], ...relu } },
  { name: 'ic 3x3 16 → 16', xs: [1, 32, 32, 16], ws: [16, 3, 3, 16], attrs: { pads: [1, 1, 1, 1], ...relu } },
  { name: 'ic 3x3 stride 2, 16 → 32', xs: [1, 32, 32, 16], ws: [32, 3, 3, 16], attrs: { strides: [2, 2], pads: [0, 0, 1, 1], ...relu } },
  { name: 'ic 1x1 stride 2, 16 → 32', xs: [1, 32, 32, 16], ws: [32, 1, 1, 16], attrs: { strides: [2, 2] } },
  { name: 'ic 3x3 64 → 64', xs: [1, 8, 8, 64], ws: [64, 3, 3, 64], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'kws first layer', xs: [1, 49, 10, 1], ws: [64, 10, 4, 1], attrs: { strides: [2, 2], pads: [4, 1, 5, 2], ...relu } },
  { name: 'kws depthwise', xs: [1, 25, 5, 64], ws: [64, 3, 3, 1], attrs: { groups: 64, pads: [1, 1, 1, 1], ...relu } },
  { name: 'kws 1x1 64 → 64', xs: [1, 25, 5, 64], ws: [64, 1, 1, 64], attrs: relu },
  { name: 'vww first layer', xs: [1, 96, 96, 3], ws: [8, 3, 3, 3], attrs: { strides: [2, 2], pads: [0, 0, 1, 1], clamp: { min: 0, max: 6 } } },
  { name: 'vww depthwise stride 2', xs: [1, 48, 48, 16], ws: [16, 3, 3, 1], attrs: { groups: 16, strides: [2, 2], pads: [0, 0, 1, 1], clamp: { min: 0, max: 6 } } },
  { name: 'vww 1x1 8 → 16', xs: [1, 48, 48, 8], ws: [16, 1, 1, 8], attrs: { clamp: { min: 0, max: 6 } } },
  { name: 'vww 1x1 128 → 128', xs: [1, 6, 6, 128], ws: [128, 1, 1, 128], attrs: { clamp: { min: 0, max: 6 } } },
  { name: 'vww depthwise 256, 3x3 image', xs: [1, 3, 3, 256], ws: [256, 3, 3, 1], attrs: { groups: 256, pads: [1, 1, 1, 1] } },
  { name: 'odd: 1x1 12 → 9, batch 2', xs: [2, 3, 5, 12], ws: [9, 1, 1, 12], attrs: {} },
  { name: 'odd: depthwise 6 channels', xs: [1, 5, 4, 6], ws: [6, 3, 3, 1], attrs: { groups: 6, pads: [1, 1, 1, 1] } },
  { name: 'odd: 3x3 over 5 channels, 7 out', xs: [1, 6, 5, 5], ws: [7, 3, 3, 5], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'odd: dilation 2, 8 channels', xs: [1, 7, 7, 8], ws: [3, 3, 3, 8], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } },
];

function addCase(g: Graph, rng: Rng, id: string, s: Shape): { node: Node; x: Int8Array } {
  const [o, kh, kw, cg] = s.ws;
  const inScale = 0.01 + 0.1 * rng();
  const wScales = Array.from({ length: o }, () => Math.fround(0.002 + 0.02 * rng()));
  const x = int8Input(g, `${id}_x`, s.xs, q1(inScale, randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(s.xs)));
  g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: s.ws, data: randomInt8(rng, elementCount(s.ws), -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } });
  g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [o], data: Int32Array.from(randomInts(rng, o, -20000, 20000)) });
  const outScale = (Math.fround(inScale) * wScales[0] * 20000 * Math.sqrt(kh * kw * cg)) / 128;
  const node = addQuantNode(g, 'conv2d', [`${id}_x`, `${id}_w`, `${id}_b`], attrsOf(s.attrs), id, q1(outScale, randomInts(rng, 1, -128, 127)[0]));
  return { node, x };
}

/**
 * The schedules: the defaults; the 64-bit output stage; the library kernels; all library and general; int8
 * weights everywhere; the im2col kernel with int16 weights everywhere (large layers included).
 */
const SCHEDULES: Schedule[] = [
  {}, { requant: 'generic' }, { specialise: 0 }, { variant: 'general', requant: 'generic', specialise: 0 },
  { weights: 'int8' }, { variant: 'general', weights: 'int16' },
];

test('every knob value = the portable kernels, bit for bit, on the MLPerf layer shapes and odd ones', () => {
  const runs = runCases(SHAPES, 1717, addCase, [{}, ...SCHEDULES.map((schedule) => ({ target: { dsp: true }, schedule }))]);
  const [portable, ...scheduled] = runs;
  const kernels = scheduled.map((run) => run.map((r) => r.calls.map((c) => c.kernel).join('+')));
  SHAPES.forEach((s, i) => {
    const want = Array.from(portable[i].outputs[0] as Int8Array);
    scheduled.forEach((run, j) => {
      assert.equal(Array.from(run[i].outputs[0] as Int8Array), want, `${s.name}, schedule ${JSON.stringify(SCHEDULES[j])} (${kernels[j][i]})`);
    });
  });
  // Each knob switches kernels where it applies.
  const at = (name: string) => SHAPES.findIndex((s) => s.name === name);
  const of = (j: number, name: string) => kernels[j][at(name)];
  assert.is(of(0, 'ic 3x3 16 → 16'), 'utvm_conv2d_s8_dsp_rec_const');
  assert.is(of(1, 'ic 3x3 16 → 16'), 'utvm_conv2d_s8_dsp');
  assert.is(of(2, 'ic 3x3 16 → 16'), 'utvm_conv2d_s8_dsp_rec');
  assert.is(of(0, 'ic first layer'), 'utvm_conv2d_rgb_s8_dsp_const');
  assert.is(of(2, 'ic first layer'), 'utvm_conv2d_rgb_s8_dsp');
  assert.is(of(5, 'ic first layer'), 'utvm_conv2d_s8_dsp_rec_const');
  assert.is(of(0, 'kws 1x1 64 → 64'), 'utvm_conv2d_1x1_s8_dsp_const');
  assert.is(of(2, 'kws 1x1 64 → 64'), 'utvm_conv2d_1x1_s8_dsp');
  assert.is(of(3, 'kws 1x1 64 → 64'), 'utvm_conv2d_s8_dsp');
  assert.is(of(5, 'kws 1x1 64 → 64'), 'utvm_conv2d_s8_dsp_rec_const');
  assert.is(of(0, 'kws depthwise'), 'utvm_depthwise_conv2d_3x3_s8_dsp_const');
  assert.is(of(2, 'kws depthwise'), 'utvm_depthwise_conv2d_3x3_s8_dsp');
  // weights: int16 by default up to WEIGHTS16_MAX weights (ic 3x3 16 → 16: 2304), int8 above (ic 3x3 64 → 64: 36864).
  const w16 = (j: number, name: string) => (runs[j + 1][at(name)].calls[0].args.at(-1) as { value: number }).value;
  assert.is(w16(0, 'ic 3x3 16 → 16'), 1);
  assert.is(w16(4, 'ic 3x3 16 → 16'), 0);
  assert.is(w16(0, 'ic 3x3 64 → 64'), 0);
  assert.is(w16(5, 'ic 3x3 64 → 64'), 1);
  assert.is(w16(5, 'vww 1x1 128 → 128'), 1);
  assert.is(w16(0, 'kws first layer'), 1);
  assert.is(w16(4, 'kws first layer'), 0);
});

test('knobs: declared per node (none off the DSP path), defaults first-class values, bad values refused', () => {
  const g = new Graph('t');
  const rng = mulberry32(3);
  const nodes = SHAPES.map((s, i) => addCase(g, rng, `k${i}`, s).node);
  const ctx = (node: Node, dsp: boolean, schedule?: Schedule) => ({
    node: node as unknown as Node<Conv2dAttrs>, graph: g, input: (i: number) => g.tensor(node.inputs[i]),
    optionalInput: (i: number) => (node.inputs[i] ? g.tensor(node.inputs[i]) : undefined), output: (i: number) => g.tensor(node.outputs[i]),
    addConstant: () => 'unused', target: { dsp }, ...(schedule ? { schedule } : {}),
  });
  const names = (i: number) => conv2d.knobs!(ctx(nodes[i], true)).map((k) => k.name).join();
  assert.is(names(SHAPES.findIndex((s) => s.name === 'ic 3x3 16 → 16')), 'requant,specialise,weights');
  assert.is(names(SHAPES.findIndex((s) => s.name === 'ic first layer')), 'variant,requant,specialise,weights');
  assert.is(names(SHAPES.findIndex((s) => s.name === 'kws 1x1 64 → 64')), 'variant,requant,specialise,weights');
  assert.is(names(SHAPES.findIndex((s) => s.name === 'kws depthwise')), 'specialise');
  assert.equal(conv2d.knobs!(ctx(nodes[0], false)), []);
  for (const node of nodes) for (const k of conv2d.knobs!(ctx(node, true))) assert.ok(k.values.includes(k.default), k.name);
  assert.throws(() => conv2d.lower!(ctx(nodes[1], true, { requant: 'fast' })), /schedule value "fast" for knob 'requant' is not one of "records", "generic"/);
});

test('the specialised and record kernels build for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_conv2d_s8_dsp_rec', 'utvm_conv2d_1x1_s8_dsp_const', 'utvm_depthwise_conv2d_3x3_s8_dsp_const', 'utvm_conv2d_rgb_s8_dsp_const', 'utvm_conv2d_s8_dsp_rec_const']);
});

test.run();
