/**
 * The Cortex-M7 (DSP) 3x3 depthwise convolution utvm_depthwise_conv2d_3x3_s8_dsp against the portable
 * utvm_depthwise_conv2d_s8, bit for bit: the same graphs lowered for `{ dsp: true }` (built on the host
 * with the portable twins of SXTAB16 / SMLABB / SMLATT, utvm/simd_s8.h) and for the portable target.
 * Shapes include the odd ones: channels not a multiple of 4 (2, 3, 5, 6, 13), width 1, height 1, stride 2
 * with padding, uneven padding, per-tensor weights, no bias, batch 2, the kws and vww layers. Also: the
 * packed weight layout, the variant choice (other depthwise shapes keep the portable kernel) and the
 * Cortex-M7 build with the real instructions.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { packBlocks, packDepthwise3x3 } from '../../src/ops/conv2d/depthwise-s8-dsp.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, runCases } from '../util/s8.js';

interface Shape {
  name: string;
  /** Input [N, H, W, C]. */
  xs: number[];
  attrs: Partial<Conv2dAttrs>;
  /** Kernel [KH, KW] (3x3 by default) and depth multiplier (1). */
  kernel?: [number, number];
  multiplier?: number;
  bias?: boolean;
  perTensor?: boolean;
  /** Output scale factor (tiny: multipliers of 1 or more, left shifts). */
  outScale?: number;
}

const SAME: [number, number, number, number] = [1, 1, 1, 1];

const SHAPES: Shape[] = [
  { name: 'kws: 25x5x64, same padding', xs: [1, 25, 5, 64], attrs: { pads: SAME, clamp: { min: 0, max: Infinity } } },
  { name: 'vww: 12x12x32 stride 2, padding bottom/right', xs: [1, 12, 12, 32], attrs: { strides: [2, 2], pads: [0, 0, 1, 1], clamp: { min: 0, max: 6 } } },
  { name: '3 channels, padding', xs: [1, 6, 7, 3], attrs: { pads: SAME } },
  { name: '5 channels (one block + 1), stride 2 with padding', xs: [1, 7, 6, 5], attrs: { strides: [2, 2], pads: SAME } },
  { name: '13 channels, no padding', xs: [1, 5, 5, 13], attrs: {} },
  { name: 'two channels', xs: [1, 4, 4, 2], attrs: { pads: SAME } },
  { name: 'width 1, 6 channels', xs: [1, 5, 1, 6], attrs: { pads: SAME } },
  { name: 'height 1, 8 channels', xs: [1, 1, 6, 8], attrs: { pads: SAME } },
  { name: 'uneven padding, stride (1, 2)', xs: [1, 5, 8, 12], attrs: { strides: [1, 2], pads: [2, 0, 0, 2] } },
  { name: 'batch 2, no bias, per-tensor weights', xs: [2, 4, 4, 8], attrs: { pads: SAME }, bias: false, perTensor: true },
  { name: 'input zero point extremes via random quant, 16 channels', xs: [1, 3, 3, 16], attrs: { pads: SAME } },
];

const attrsOf = (over: Partial<Conv2dAttrs>, groups: number): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups, ...over });

/** A random depthwise conv2d node over new tensors `<id>_*` of `g`; returns it and its input values. */
function addCase(g: Graph, rng: Rng, id: string, s: Shape): { node: Node; x: Int8Array } {
  const c = s.xs[3];
  const [kh, kw] = s.kernel ?? [3, 3];
  const o = c * (s.multiplier ?? 1);
  const ws = [o, kh, kw, 1];
  const inScale = 0.01 + 0.1 * rng();
  const wScales = Array.from({ length: s.perTensor ? 1 : o }, () => Math.fround(0.002 + 0.02 * rng()));
  const x = int8Input(g, `${id}_x`, s.xs, q1(inScale, randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(s.xs)));
  g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: ws, data: randomInt8(rng, elementCount(ws), -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } });
  const inputs = [`${id}_x`, `${id}_w`];
  if (s.bias !== false) {
    g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [o], data: Int32Array.from(randomInts(rng, o, -20000, 20000)) });
    inputs.push(`${id}_b`);
  }
  const outScale = ((Math.fround(inScale) * wScales[0] * 20000 * Math.sqrt(kh * kw)) / 128) * (s.outScale ?? 1);
  const node = addQuantNode(g, 'conv2d', inputs, attrsOf(s.attrs, c), id, q1(outScale, randomInts(rng, 1, -128, 127)[0]));
  return { node, x };
}

function runBoth(shapes: Shape[], seed: number) {
  const [dsp, portable] = runCases(shapes, seed, addCase, [{ target: { dsp: true } }, {}]);
  return { dsp, portable };
}

function assertSame(name: string, a: Int8Array, b: Int8Array): void {
  assert.is(a.length, b.length, name);
  for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${name}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
}

test('DSP 3x3 depthwise = portable depthwise, bit for bit, on every shape', () => {
  const { dsp, portable } = runBoth(SHAPES, 3301);
  SHAPES.forEach((s, i) => {
    assert.is(dsp[i].calls[0].kernel, 'utvm_depthwise_conv2d_3x3_s8_dsp_const', s.name); // the default: specialise 1
    assert.is(portable[i].calls[0].kernel, 'utvm_depthwise_conv2d_s8', s.name);
    const b = portable[i].outputs[0] as Int8Array;
    assertSame(s.name, dsp[i].outputs[0] as Int8Array, b);
    const inside = Array.from(b).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= b.length / 4, `${s.name}: ${inside} of ${b.length} outputs inside (-128, 127)`);
  });
});

test('DSP 3x3 depthwise = portable on 20 random shapes', () => {
  const rng = mulberry32(77);
  const pick = (lo: number, hi: number) => randomInts(rng, 1, lo, hi)[0];
  const shapes: Shape[] = Array.from({ length: 20 }, (_, i) => {
    const pads: [number, number, number, number] = [pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)];
    const xs = [pick(1, 2), pick(3, 8), pick(1, 8), pick(1, 20)];
    if (xs[2] + pads[1] + pads[3] < 3) xs[2] = 3;
    return { name: `random ${i}`, xs, attrs: { strides: [pick(1, 2), pick(1, 2)], pads }, bias: i % 4 !== 0, perTensor: i % 6 === 0 };
  });
  const { dsp, portable } = runBoth(shapes, 9090);
  shapes.forEach((s, i) => assertSame(`${s.name} ${JSON.stringify(s)}`, dsp[i].outputs[0] as Int8Array, portable[i].outputs[0] as Int8Array));
});

test('other depthwise shapes keep the portable kernel on a DSP core', () => {
  const others: Shape[] = [
    { name: '5x5', xs: [1, 6, 6, 4], attrs: { pads: [2, 2, 2, 2] }, kernel: [5, 5] },
    { name: 'depth multiplier 2', xs: [1, 5, 5, 4], attrs: { pads: SAME }, multiplier: 2 },
    { name: 'dilation 2', xs: [1, 7, 7, 4], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } },
    { name: 'a left shift (output scale below input × weight scale)', xs: [1, 4, 4, 4], attrs: { pads: SAME }, outScale: 1e-5 },
  ];
  const { dsp, portable } = runBoth(others, 5);
  others.forEach((s, i) => {
    assert.is(dsp[i].calls[0].kernel, 'utvm_depthwise_conv2d_s8', s.name);
    assertSame(s.name, dsp[i].outputs[0] as Int8Array, portable[i].outputs[0] as Int8Array);
  });
});

test('packed weights: per block of 4 channels and tap, {2w[c], 2w[c+2]} and {2w[c+1], 2w[c+3]}, zero-padded', () => {
  // 5 channels, OHWI [5, 3, 3, 1]: w[c][tap] = 10 * c + tap (c = 4 gives negative values).
  const w = Int8Array.from({ length: 45 }, (_, i) => (Math.floor(i / 9) === 4 ? -(i % 9) - 1 : 10 * Math.floor(i / 9) + (i % 9)));
  const p = packDepthwise3x3(w, 5);
  assert.is(p.length, 2 * 9 * 2);
  const pair = (lo: number, hi: number) => (((2 * hi) << 16) | ((2 * lo) & 0xffff)) | 0;
  assert.is(p[0], pair(0, 20));
  assert.is(p[1], pair(10, 30));
  assert.is(p[2 * 8], pair(8, 28));
  assert.is(p[18], pair(-1, 0));
  assert.is(p[19], 0);
  assert.is(p[18 + 2 * 8], pair(-9, 0));
  assert.is(packDepthwise3x3(Int8Array.from({ length: 9 }, () => -128), 1)[0], pair(-128, 0));
});

test('kernel constant: per block of 4 channels, 18 weight words then 4 records of 4 words, zero-padded', () => {
  // 5 channels: weights word i of block b = 100 b + i, record word j of channel c = 1000 c + j.
  const packed = Int32Array.from({ length: 36 }, (_, i) => 100 * Math.floor(i / 18) + (i % 18));
  const records = Int32Array.from({ length: 20 }, (_, i) => 1000 * Math.floor(i / 4) + (i % 4));
  const b = packBlocks(packed, records, 5);
  assert.is(b.length, 2 * 34);
  assert.equal(Array.from(b.subarray(0, 18)), Array.from(packed.subarray(0, 18)));
  assert.equal(Array.from(b.subarray(18, 34)), Array.from(records.subarray(0, 16)));
  assert.equal(Array.from(b.subarray(34, 52)), Array.from(packed.subarray(18, 36)));
  assert.equal(Array.from(b.subarray(52, 56)), [4000, 4001, 4002, 4003]);
  assert.equal(Array.from(b.subarray(56, 68)), new Array(12).fill(0));
});

test('the DSP depthwise kernel builds for the Cortex-M7 with the real instructions', () => {
  compileForCortexM7(['utvm_depthwise_conv2d_3x3_s8_dsp', 'utvm_depthwise_conv2d_3x3_s8_dsp_const']);
});

test.run();
