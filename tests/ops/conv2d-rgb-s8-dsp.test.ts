/**
 * The Cortex-M7 (DSP) first-layer int8 convolution utvm_conv2d_rgb_s8_dsp (in_c < 4) against the
 * portable kernels, bit for bit: the same graphs lowered for `{ dsp: true }` (window rows gathered into
 * int16 columns, 2 pixels x 2 channels per SMLAD pass, the short requantization — built on the host with
 * the portable twins of the DSP instructions) and for the portable target (checked against TFLite's
 * reference in tests/ops/conv2d-s8.test.ts). Shapes: the ic, vww and kws first layers, 1 and 2 input
 * channels, odd output channels, an odd number of output pixels, width 1, stride 2 with padding, a
 * kernel larger than the input, batch 2, no bias, per-tensor weights, and random shapes. Also: the weight
 * byte order, the requantization table, the choice (dilation keeps the general kernel), the M7 build.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { fastRequantTable, pairOrderS8 } from '../../src/ops/conv2d/rgb-s8-dsp.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
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
  { name: 'vww first layer: 3x3 stride 2, relu6', xs: [1, 9, 9, 3], ws: [8, 3, 3, 3], attrs: { strides: [2, 2], pads: [0, 0, 1, 1], clamp: { min: 0, max: 6 } } },
  { name: 'kws first layer: 10x4 stride 2 over 1 channel', xs: [1, 13, 10, 1], ws: [6, 10, 4, 1], attrs: { strides: [2, 2], pads: [4, 1, 5, 2] } },
  { name: '2 channels, 5 outputs (odd), odd pixel count', xs: [1, 5, 3, 2], ws: [5, 3, 3, 2], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'width 1, batch 2', xs: [2, 7, 1, 3], ws: [4, 3, 1, 3], attrs: { pads: [1, 0, 1, 0] } },
  { name: 'stride 2 with padding, 3 outputs', xs: [1, 6, 7, 3], ws: [3, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'kernel larger than the input, relu', xs: [1, 2, 3, 3], ws: [7, 5, 5, 3], attrs: { pads: [2, 2, 2, 2], clamp: { min: 0, max: Infinity } } },
  { name: 'no bias, per-tensor weights, batch 2', xs: [2, 4, 4, 1], ws: [3, 2, 2, 1], attrs: {}, bias: false, perTensor: true },
  { name: 'one output channel, 1x1', xs: [1, 3, 5, 3], ws: [1, 1, 1, 3], attrs: {} },
  { name: 'stride (1, 3), uneven padding', xs: [1, 4, 9, 2], ws: [6, 2, 2, 2], attrs: { strides: [1, 3], pads: [0, 2, 1, 1] } },
  { name: 'single output pixel', xs: [1, 3, 3, 3], ws: [4, 3, 3, 3], attrs: {} },
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

function runBoth(shapes: Shape[], seed: number) {
  const [dsp, portable] = runCases(shapes, seed, addCase, [{ target: { dsp: true } }, {}]);
  return { dsp, portable };
}

function assertSame(shapes: Shape[], seed: number, checkSpread: boolean): void {
  const { dsp, portable } = runBoth(shapes, seed);
  shapes.forEach((s, i) => {
    assert.is(dsp[i].calls[0].kernel, 'utvm_conv2d_rgb_s8_dsp_const', s.name);
    const a = dsp[i].outputs[0] as Int8Array;
    const b = portable[i].outputs[0] as Int8Array;
    assert.is(a.length, b.length);
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${s.name} ${JSON.stringify(s)}: [${k}] dsp ${a[k]} != portable ${b[k]}`);
    if (checkSpread && b.length >= 8) {
      const inside = Array.from(b).filter((v) => v > -128 && v < 127).length;
      assert.ok(inside >= b.length / 4, `${s.name}: ${inside} of ${b.length} outputs inside (-128, 127)`);
    }
  });
}

test('first-layer DSP conv = portable conv, bit for bit, on every shape', () => {
  assertSame(SHAPES, 8111, true);
});

test('first-layer DSP conv = portable conv on 30 random shapes (in_c 1 to 3)', () => {
  const rng = mulberry32(517);
  const pick = (lo: number, hi: number) => randomInts(rng, 1, lo, hi)[0];
  const shapes: Shape[] = Array.from({ length: 30 }, (_, i) => {
    const [kh, kw, sh, sw] = [pick(1, 5), pick(1, 5), pick(1, 3), pick(1, 3)];
    const pads: [number, number, number, number] = [pick(0, kh - 1), pick(0, kw - 1), pick(0, kh - 1), pick(0, kw - 1)];
    const xs = [pick(1, 2), pick(kh, 9), pick(1, 9), pick(1, 3)];
    if (xs[2] + pads[1] + pads[3] < kw) xs[2] = kw;
    return { name: `random ${i}`, xs, ws: [pick(1, 9), kh, kw, xs[3]], attrs: { strides: [sh, sw], pads }, bias: i % 5 !== 0, perTensor: i % 7 === 0 };
  });
  assertSame(shapes, 9090, false);
});

test('dilation and 4 input channels keep the general DSP kernel', () => {
  const shapes: Shape[] = [
    { name: 'dilated', xs: [1, 6, 6, 3], ws: [4, 2, 2, 3], attrs: { dilations: [2, 1] } },
    { name: '4 channels', xs: [1, 4, 4, 4], ws: [4, 3, 3, 4], attrs: { pads: [1, 1, 1, 1] } },
  ];
  const { dsp } = runBoth(shapes, 3);
  assert.equal(dsp.map((r) => r.calls[0].kernel), ['utvm_conv2d_s8_dsp_rec_const', 'utvm_conv2d_s8_dsp_rec_const']);
});

test('weight byte order: each chunk [w0 w1 w2 w3] as [w0 w2 w1 w3], rows padded to K4', () => {
  const w = Int8Array.from([1, 2, 3, 4, 5, -1, -2, -3, -4, -5]);
  assert.equal(Array.from(pairOrderS8(w, 2, 5)), [1, 3, 2, 4, 5, 0, 0, 0, -1, -3, -2, -4, -5, 0, 0, 0]);
});

test('requantization table: (multiplier, left + 1, right, 2^(right-1), sign mask) per channel, even count', () => {
  const t = fastRequantTable([{ multiplier: 1 << 30, shift: -3 }, { multiplier: 1 << 30, shift: 2 }, { multiplier: 0, shift: 0 }], 3);
  assert.equal(Array.from(t), [1 << 30, 1, 3, 4, -1, 1 << 30, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(Array.from(fastRequantTable([{ multiplier: 5, shift: -1 }], 2)), [5, 1, 1, 1, -1, 5, 1, 1, 1, -1]);
});

test('utvm_conv2d_rgb_s8_dsp builds for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_conv2d_rgb_s8_dsp', 'utvm_conv2d_rgb_s8_dsp_const']);
});

test.run();
