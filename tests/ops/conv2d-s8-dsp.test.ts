/**
 * The Cortex-M7 (DSP) int8 convolution utvm_conv2d_s8_dsp against the portable kernels, bit for bit: the
 * same graphs lowered for `{ dsp: true }` (SMLAD kernel, packed weights, im2col scratch — built on the
 * host with the portable twins of the DSP instructions, utvm/dsp.h) and for the portable target (the
 * kernels that tests/ops/conv2d-s8.test.ts checks against TFLite's reference). Randomised shapes include
 * the odd ones: channels not a multiple of 4, odd output channels and pixels, width 1, stride 2 with
 * padding, dilation, batch 2, the kws and vww first layers. Also: the packed layout, the scratch size, the
 * variant choice, and the Cortex-M7 build with the real instructions.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { conv2dS8DspScratchBytes } from '../../src/ops/conv2d/s8.js';
import { pointwiseRecords } from '../../src/ops/conv2d/1x1-s8-dsp.js';
import { packRowsS8 } from '../../src/lower/dsp-layout.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, runCases } from '../util/s8.js';

interface Shape {
  name: string;
  xs: number[];
  ws: number[];
  attrs: Partial<Conv2dAttrs>;
  bias?: boolean;
  perTensor?: boolean;
}

const attrsOf = (over: Partial<Conv2dAttrs>): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });

const SHAPES: Shape[] = [
  { name: 'ic first layer: 3x3 over 3 channels, padding', xs: [1, 8, 7, 3], ws: [16, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'vww first layer: 3x3 stride 2 over 3 channels', xs: [1, 9, 9, 3], ws: [8, 3, 3, 3], attrs: { strides: [2, 2], pads: [0, 0, 1, 1], clamp: { min: 0, max: 6 } } },
  { name: 'kws first layer: 10x4 stride 2 over 1 channel', xs: [1, 13, 10, 1], ws: [6, 10, 4, 1], attrs: { strides: [2, 2], pads: [4, 1, 5, 2] } },
  { name: '3x3, 16 channels, padding', xs: [1, 6, 5, 16], ws: [16, 3, 3, 16], attrs: { pads: [1, 1, 1, 1] } },
  { name: '3x3 stride 2 with padding, 8 → 12', xs: [1, 7, 6, 8], ws: [12, 3, 3, 8], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '1x1, 8 → 16 (vww-like)', xs: [1, 5, 5, 8], ws: [16, 1, 1, 8], attrs: {} },
  { name: '1x1 stride 2, odd pixels', xs: [1, 5, 5, 16], ws: [32, 1, 1, 16], attrs: { strides: [2, 2] } },
  { name: '1x1, 7 channels, 9 outputs (odd both ways)', xs: [1, 4, 5, 7], ws: [9, 1, 1, 7], attrs: {} },
  { name: '1x1, no bias, per-tensor weights', xs: [2, 3, 3, 12], ws: [5, 1, 1, 12], attrs: {}, bias: false, perTensor: true },
  { name: 'width 1, 5 channels, batch 2', xs: [2, 7, 1, 5], ws: [3, 3, 1, 5], attrs: { pads: [1, 0, 1, 0] } },
  { name: 'one output channel', xs: [1, 4, 4, 4], ws: [1, 3, 3, 4], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'dilation 2, uneven padding', xs: [1, 7, 6, 4], ws: [3, 3, 2, 4], attrs: { dilations: [2, 2], pads: [2, 1, 1, 0] } },
  { name: 'dilation (1, 2) over 3 channels', xs: [1, 6, 8, 3], ws: [5, 2, 3, 3], attrs: { dilations: [1, 2], pads: [1, 2, 0, 2] } },
  { name: 'kernel larger than the input, relu', xs: [1, 2, 3, 6], ws: [7, 5, 5, 6], attrs: { pads: [2, 2, 2, 2], clamp: { min: 0, max: Infinity } } },
  { name: 'single pixel out, 2 channels', xs: [1, 3, 3, 2], ws: [4, 3, 3, 2], attrs: {} },
  { name: 'stride (1, 3), 20 channels', xs: [1, 4, 9, 20], ws: [6, 2, 2, 20], attrs: { strides: [1, 3], pads: [0, 0, 1, 1] } },
];

/** A random conv2d node over new tensors `<id>_*` of `g`; returns it and its input values. */
function addCase(g: Graph, rng: Rng, id: string, s: Shape): { node: Node; x: Int8Array } {
  const [o, kh, kw, cg] = s.ws;
  const inScale = 0.01 + 0.1 * rng();
  const wScales = Array.from({ length: s.perTensor ? 1 : o }, () => Math.fround(0.002 + 0.02 * rng()));
  const x = int8Input(g, `${id}_x`, s.xs, q1(inScale, randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(s.xs)));
  g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: s.ws, data: randomInt8(rng, elementCount(s.ws), -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } });
  const inputs = [`${id}_x`, `${id}_w`];
  if (s.bias !== false) {
    g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [o], data: Int32Array.from(randomInts(rng, o, -20000, 20000)) });
    inputs.push(`${id}_b`);
  }
  const outScale = (Math.fround(inScale) * wScales[0] * 20000 * Math.sqrt(kh * kw * cg)) / 128;
  const node = addQuantNode(g, 'conv2d', inputs, attrsOf(s.attrs), id, q1(outScale, randomInts(rng, 1, -128, 127)[0]));
  return { node, x };
}

/** Shapes that the first-layer kernel takes (tests/ops/conv2d-rgb-s8-dsp.test.ts). */
const firstLayer = (s: Shape): boolean => s.xs[3] < 4 && (s.attrs.dilations ?? [1, 1]).every((d) => d === 1);

/** The DSP kernel a shape should get: first layers (C_in < 4) their own; the 1x1 one for unpadded 1x1
    windows over C_in % 4 == 0; else the general one. */
const expectedKernel = (s: Shape): string =>
  firstLayer(s)
    ? 'utvm_conv2d_rgb_s8_dsp_const'
    : s.ws[1] === 1 && s.ws[2] === 1 && s.xs[3] % 4 === 0 && (s.attrs.pads ?? [0, 0, 0, 0]).every((p) => p === 0)
      ? 'utvm_conv2d_1x1_s8_dsp_const'
      : 'utvm_conv2d_s8_dsp_rec_const';

/** Every shape (plus `extra` random ones) in one graph, run for both targets. */
function runBoth(shapes: Shape[], seed: number) {
  const [dsp, portable] = runCases(shapes, seed, addCase, [{ target: { dsp: true } }, {}]);
  return { dsp, portable };
}

test('DSP conv = portable conv, bit for bit, on every shape', () => {
  const { dsp, portable } = runBoth(SHAPES, 7001);
  SHAPES.forEach((s, i) => {
    assert.is(dsp[i].calls.length, 1);
    assert.is(dsp[i].calls[0].kernel, expectedKernel(s), s.name);
    assert.is.not(portable[i].calls[0].kernel, 'utvm_conv2d_s8_dsp');
    const a = dsp[i].outputs[0] as Int8Array;
    const b = portable[i].outputs[0] as Int8Array;
    assert.is(a.length, b.length);
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${s.name}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
    const inside = Array.from(b).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= b.length / 4, `${s.name}: ${inside} of ${b.length} outputs inside (-128, 127)`);
  });
});

test('DSP conv = portable conv on 24 random shapes', () => {
  const rng = mulberry32(99);
  const pick = (lo: number, hi: number) => randomInts(rng, 1, lo, hi)[0];
  const shapes: Shape[] = Array.from({ length: 24 }, (_, i) => {
    const [kh, kw, sh, sw] = [pick(1, 4), pick(1, 4), pick(1, 2), pick(1, 2)];
    const pads: [number, number, number, number] = [pick(0, kh - 1), pick(0, kw - 1), pick(0, kh - 1), pick(0, kw - 1)];
    const xs = [pick(1, 2), pick(kh, 7), pick(1, 6), pick(1, 10)];
    if (xs[2] + pads[1] + pads[3] < kw) xs[2] = kw;
    return { name: `random ${i}`, xs, ws: [pick(1, 9), kh, kw, xs[3]], attrs: { strides: [sh, sw], pads }, bias: i % 5 !== 0, perTensor: i % 7 === 0 };
  });
  const { dsp, portable } = runBoth(shapes, 4242);
  shapes.forEach((s, i) => {
    const a = dsp[i].outputs[0] as Int8Array;
    const b = portable[i].outputs[0] as Int8Array;
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${s.name} ${JSON.stringify(s)}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
  });
});

/** 1x1 shapes for utvm_conv2d_1x1_s8_dsp: odd pixel counts, odd out_c, strides, batch 2, width 1, C_in = 4. */
const POINTWISE: Shape[] = [
  { name: 'kws pointwise 64 → 64, relu', xs: [1, 5, 5, 64], ws: [64, 1, 1, 64], attrs: { clamp: { min: 0, max: Infinity } } },
  { name: 'vww pointwise 8 → 16, relu6', xs: [1, 6, 6, 8], ws: [16, 1, 1, 8], attrs: { clamp: { min: 0, max: 6 } } },
  { name: '4 → 3, odd pixels', xs: [1, 3, 3, 4], ws: [3, 1, 1, 4], attrs: {} },
  { name: '12 → 7, stride 2, odd pixels', xs: [1, 7, 5, 12], ws: [7, 1, 1, 12], attrs: { strides: [2, 2] } },
  { name: 'stride (1, 3), batch 2, no bias', xs: [2, 3, 7, 8], ws: [6, 1, 1, 8], attrs: { strides: [1, 3] }, bias: false },
  { name: 'width 1, one pixel per row, per-tensor', xs: [1, 5, 1, 20], ws: [9, 1, 1, 20], attrs: {}, perTensor: true },
  { name: 'one pixel, one channel', xs: [1, 1, 1, 4], ws: [1, 1, 1, 4], attrs: {} },
  { name: '36 → 10, 3 chunks (odd chunk count)', xs: [1, 2, 3, 36], ws: [10, 1, 1, 36], attrs: {} },
];

test('1x1 DSP kernel = portable conv, bit for bit (odd pixels, odd channels, strides, batch, width 1)', () => {
  const { dsp, portable } = runBoth(POINTWISE, 8123);
  POINTWISE.forEach((s, i) => {
    assert.is(dsp[i].calls[0].kernel, 'utvm_conv2d_1x1_s8_dsp_const', s.name);
    const a = dsp[i].outputs[0] as Int8Array;
    const b = portable[i].outputs[0] as Int8Array;
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${s.name}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
    const inside = Array.from(b).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= b.length / 4, `${s.name}: ${inside} of ${b.length} outputs inside (-128, 127)`);
  });
});

test('1x1 DSP kernel = portable conv on 20 random 1x1 shapes', () => {
  const rng = mulberry32(31337);
  const pick = (lo: number, hi: number) => randomInts(rng, 1, lo, hi)[0];
  const shapes: Shape[] = Array.from({ length: 20 }, (_, i) => ({
    name: `random 1x1 ${i}`, xs: [pick(1, 2), pick(1, 5), pick(1, 5), 4 * pick(1, 12)], ws: [pick(1, 13), 1, 1, 0],
    attrs: { strides: [pick(1, 2), pick(1, 2)], clamp: i % 3 === 0 ? { min: 0, max: 6 } : undefined }, bias: i % 4 !== 0, perTensor: i % 5 === 0,
  }));
  shapes.forEach((s) => { s.ws[3] = s.xs[3]; });
  const { dsp, portable } = runBoth(shapes, 777);
  shapes.forEach((s, i) => {
    assert.is(dsp[i].calls[0].kernel, 'utvm_conv2d_1x1_s8_dsp_const', s.name);
    const a = dsp[i].outputs[0] as Int8Array;
    const b = portable[i].outputs[0] as Int8Array;
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${s.name} ${JSON.stringify(s)}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
  });
});

test('1x1 records: {bias + offset · Σw, multiplier, r, 2^(r-1) + zp · 2^r}; none for a left shift or a huge bias', () => {
  const base = { weights: Int8Array.from([1, -2, 3, 4, -5, 6, 7, -8]), outC: 2, inC: 4, bias: Int32Array.from([100, -7]), inputOffset: 3, multipliers: [1 << 30, 1518500250], shifts: [-1, -9], outputOffset: -5 };
  assert.equal(Array.from(pointwiseRecords(base) ?? []), [100 + 3 * 6, 1 << 30, 1, 1 - 10, -7 + 3 * 0, 1518500250, 9, 256 - 5 * 512]);
  const odd = pointwiseRecords({ ...base, outC: 1, weights: base.weights.subarray(0, 4), bias: base.bias.subarray(0, 1) });
  assert.equal(Array.from(odd ?? []).slice(4), [0, 0, 1, 0]);
  assert.is(pointwiseRecords({ ...base, shifts: [0, -9] }), undefined);
  assert.is(pointwiseRecords({ ...base, shifts: [2, -9] }), undefined);
  assert.is(pointwiseRecords({ ...base, bias: Int32Array.from([2 ** 30, 0]) }), undefined);
  // A dead channel: bias' = -2^30 + 18 ± 1280, times 2^30 / 2^31 / 2^28 → -2 for all of it: constant -2 - 5.
  const dead = pointwiseRecords({ ...base, bias: Int32Array.from([-(2 ** 30), -7]), shifts: [-28, -9] });
  assert.equal(Array.from(dead ?? []).slice(0, 4), [0, 0, 1, 2 * -7 + 1]);
});

test('a 1x1 layer whose records do not qualify (shift 0) keeps utvm_conv2d_s8_dsp, still exact', () => {
  const g = new Graph('t');
  const rng = mulberry32(11);
  const x = int8Input(g, 'z_x', [1, 3, 3, 8], q1(0.5, 3), randomInt8(rng, 72));
  g.addTensor({ name: 'z_w', dtype: 'int8', shape: [4, 1, 1, 8], data: randomInt8(rng, 32, -127, 127), quant: { scale: [0.01], zeroPoint: [0], axis: 0 } });
  // input scale · weight scale / output scale = 0.7 → multiplier in [0.5, 1), shift 0.
  const node = addQuantNode(g, 'conv2d', ['z_x', 'z_w'], attrsOf({}), 'z', q1((0.5 * 0.01) / 0.7, 0));
  const [dsp] = runLoweredMany(g, [node], { z_x: x }, { target: { dsp: true } });
  const [portable] = runLoweredMany(g, [node], { z_x: x });
  assert.is(dsp.calls[0].kernel, 'utvm_conv2d_s8_dsp');
  assert.equal(Array.from(dsp.outputs[0] as Int8Array), Array.from(portable.outputs[0] as Int8Array));
});

test('grouped convolutions keep their portable kernels on a DSP core', () => {
  const g = new Graph('t');
  const { node, x } = addCase(g, mulberry32(5), 'g', { name: 'groups', xs: [1, 4, 4, 4], ws: [4, 3, 3, 2], attrs: { groups: 2, pads: [1, 1, 1, 1] } });
  const [run] = runLoweredMany(g, [node], { g_x: x }, { target: { dsp: true } });
  assert.is(run.calls[0].kernel, 'utvm_conv2d_s8');
  assert.is(run.calls[0].scratchBytes, undefined);
});

test('packed weights: 4 bytes a word, 2 rows interleaved, zero-padded', () => {
  // 3 rows of 5 weights: K4 = 8 (2 words a row), rows padded to 4.
  const w = Int8Array.from([1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 10, 20, 30, 40, 50]);
  const p = packRowsS8(w, 3, 5, 2);
  const word = (b: number[]) => (b[0] & 255) | ((b[1] & 255) << 8) | ((b[2] & 255) << 16) | (b[3] << 24);
  assert.equal(Array.from(p), [
    word([1, 2, 3, 4]), word([-1, -2, -3, -4]), word([5, 0, 0, 0]), word([-5, 0, 0, 0]),
    word([10, 20, 30, 40]), 0, word([50, 0, 0, 0]), 0,
  ]);
});

test('scratch: two int16 columns of K4, plus K4 staging bytes when C_in % 4 != 0', () => {
  assert.is(conv2dS8DspScratchBytes(27, 3), 4 * 28 + 28); // K = 27 → K4 = 28, C_in 3
  assert.is(conv2dS8DspScratchBytes(144, 16), 4 * 144);
});

test('scratch bytes are a field of the kernel call chosen: its header\'s formula on a DSP core, none for the portable kernels', () => {
  const g = new Graph('t');
  const depth4 = (k: number) => Math.ceil(k / 4) * 4;
  const seen = new Set<string>();
  SHAPES.forEach((s, i) => {
    const node = addCase(g, mulberry32(40 + i), `s${i}`, s).node;
    const [call] = lowerNode(g, node, { dsp: true });
    const [, kh, kw, cg] = s.ws;
    const k = kh * kw * cg;
    const expected: Record<string, number> = {
      utvm_conv2d_rgb_s8_dsp_const: 4 * depth4(k),
      utvm_conv2d_1x1_s8_dsp_const: 4 * s.xs[3],
      utvm_conv2d_s8_dsp_rec_const: 4 * depth4(k) + (s.xs[3] % 4 !== 0 ? depth4(k) : 0),
    };
    assert.is(call.scratchBytes, expected[call.kernel], `${s.name}: ${call.kernel}`);
    seen.add(call.kernel);
    for (const portable of lowerNode(g, node)) assert.is(portable.scratchBytes, undefined, `${s.name}: ${portable.kernel}`);
  });
  assert.equal([...seen].sort(), ['utvm_conv2d_1x1_s8_dsp_const', 'utvm_conv2d_rgb_s8_dsp_const', 'utvm_conv2d_s8_dsp_rec_const']);
});

test('utvm_conv2d_s8_dsp and utvm_conv2d_1x1_s8_dsp build for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_conv2d_s8_dsp', 'utvm_conv2d_s8_dsp_rec', 'utvm_conv2d_1x1_s8_dsp', 'utvm_conv2d_1x1_s8_dsp_const']);
});

test.run();
