/**
 * conv2d on int8 tensors (src/ops/conv2d/s8.ts and the three C kernels): kernel choice, compile-time
 * parameters, each kernel against a TypeScript transcription of TensorFlow Lite's reference
 * ConvPerChannel on randomised shapes, hand-checked cases where the rounding matters, errors, and the
 * Cortex-M7 build.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CValue } from '../../src/ir/c-value.js';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, quantizedActivationRange } from '../../src/ir/quant.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import type { Clamp, KernelCall } from '../../src/ops/op.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { addNode, lowerNode, runLowered, RUNTIME_C } from '../util/run-lowered.js';

// ---------------------------------------------------------------------------------------------------
// Helpers

interface ConvCase {
  xs: number[];
  ws: number[];
  attrs: Conv2dAttrs;
  x: Int8Array;
  w: Int8Array;
  bias?: Int32Array;
  xq: Quant;
  wq: Quant;
  yq: Quant;
}

const attrsOf = (over: Partial<Conv2dAttrs> = {}): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });
const q1 = (scale: number, zeroPoint: number): Quant => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint] });

/** One conv2d node over the case's tensors (output quantization set as the importer sets it). */
function buildGraph(c: ConvCase): { g: Graph; node: Node } {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: c.xs, quant: c.xq });
  g.addTensor({ name: 'w', dtype: 'int8', shape: c.ws, data: c.w, quant: c.wq });
  if (c.bias) g.addTensor({ name: 'b', dtype: 'int32', shape: [c.ws[0]], data: c.bias });
  const node = addNode(g, 'conv2d', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], c.attrs, 'conv');
  g.tensor(node.outputs[0]).quant = c.yq;
  return { g, node };
}

/** TFLite's reference ConvPerChannel, transcribed: NHWC input, OHWI weights, groups, padding skipped. */
function referenceConv(c: ConvCase, outShape: number[]): Int8Array {
  const [n, h, wd, cin] = c.xs;
  const [o, kh, kw, cg] = c.ws;
  const [, oh, ow] = outShape;
  const { strides, dilations, pads, groups, clamp } = c.attrs;
  const inScale = c.xq.scale[0];
  const inOffset = -c.xq.zeroPoint[0];
  const outScale = c.yq.scale[0];
  const outZp = c.yq.zeroPoint[0];
  // PopulateConvolutionQuantizationParams: double(input_scale) * double(filter_scale) / double(output_scale).
  const mults = Array.from({ length: o }, (_, oc) => quantizeMultiplier((inScale * c.wq.scale[c.wq.scale.length === 1 ? 0 : oc]) / outScale));
  const range = quantizedActivationRange(clamp, outScale, outZp);
  const out = new Int8Array(n * oh * ow * o);
  let at = 0;
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let oc = 0; oc < o; oc++) {
    const g = Math.floor(oc / (o / groups));
    let acc = 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = y * strides[0] - pads[0] + ky * dilations[0];
      const ix = x * strides[1] - pads[1] + kx * dilations[1];
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      for (let ci = 0; ci < cg; ci++) {
        acc += c.w[((oc * kh + ky) * kw + kx) * cg + ci] * (c.x[((b * h + iy) * wd + ix) * cin + g * cg + ci] + inOffset);
      }
    }
    if (c.bias) acc += c.bias[oc];
    let v = multiplyByQuantizedMultiplier(acc, mults[oc].multiplier, mults[oc].shift) + outZp;
    v = Math.min(range.max, Math.max(range.min, v));
    out[at++] = v;
  }
  return out;
}

/** Lowers and runs the case; checks the kernel chosen and returns [kernel output, reference output]. */
function runCase(c: ConvCase, expectKernel: string): { actual: Int8Array; expected: Int8Array; call: KernelCall } {
  const { g, node } = buildGraph(c);
  const { calls, outputs } = runLowered(g, node, { x: c.x });
  assert.is(calls.length, 1);
  assert.is(calls[0].kernel, expectKernel);
  return { actual: outputs[0] as Int8Array, expected: referenceConv(c, g.tensor(node.outputs[0]).shape), call: calls[0] };
}

/** The `requant` fields of a lowered convolution call's parameter struct. */
function requantOf(call: KernelCall): Record<string, number> {
  return ((call.args[0] as { params: CValue }).params as { requant: Record<string, number> }).requant;
}

function equalInts(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.unreachable(`${what}: [${i}] ${actual[i]} != ${expected[i]} (of ${expected.length})`);
  }
}

/**
 * A random case: random per-channel scales and zero points; int8 data over the full range, or (`small`)
 * values a few steps from the zero point with multipliers above 1 (positive shifts).
 */
function randomCase(rng: Rng, xs: number[], ws: number[], attrs: Conv2dAttrs, opts: { bias?: boolean; perTensor?: boolean; small?: boolean } = {}): ConvCase {
  const [o, kh, kw, cg] = ws;
  const inScale = Math.fround(0.01 + 0.1 * rng());
  const wScales = Array.from({ length: opts.perTensor ? 1 : o }, () => Math.fround(0.002 + 0.02 * rng()));
  const zx = randomInts(rng, 1, -128, 127)[0];
  const count = elementCount(xs);
  const x = opts.small
    ? Int8Array.from(randomInts(rng, count, -4, 4), (d) => Math.max(-128, Math.min(127, zx + d)))
    : Int8Array.from(randomInts(rng, count, -128, 127));
  const w = Int8Array.from(randomInts(rng, elementCount(ws), opts.small ? -4 : -127, opts.small ? 4 : 127));
  const bias = opts.bias === false ? undefined : Int32Array.from(randomInts(rng, o, opts.small ? -50 : -20000, opts.small ? 50 : 20000));
  // Output scale: accumulators spread over about ±(7300·√K) for full-range data, so this keeps most outputs
  // off the rails (multipliers well below 1); small data gets multipliers of 1.5 to 4.5 (× the channel's scale ratio).
  const outScale = opts.small ? (inScale * wScales[0]) / (1.5 + 3 * rng()) : (inScale * wScales[0] * 20000 * Math.sqrt(kh * kw * cg)) / 128;
  return {
    xs, ws, attrs, x, w, bias,
    xq: q1(inScale, zx),
    wq: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 },
    yq: q1(outScale, randomInts(rng, 1, -128, 127)[0]),
  };
}

// ---------------------------------------------------------------------------------------------------
// Randomised shapes against the reference

const RANDOM: { name: string; xs: number[]; ws: number[]; attrs: Conv2dAttrs; kernel: string; opts?: Parameters<typeof randomCase>[4] }[] = [
  { name: 'general, stride 2 with padding', xs: [1, 5, 7, 3], ws: [5, 3, 3, 3], attrs: attrsOf({ strides: [2, 2], pads: [1, 1, 1, 1] }), kernel: 'utvm_conv2d_s8' },
  { name: 'general, dilation and uneven padding', xs: [1, 7, 6, 4], ws: [3, 3, 2, 4], attrs: attrsOf({ dilations: [2, 1], pads: [2, 1, 1, 0] }), kernel: 'utvm_conv2d_s8' },
  { name: 'general, 2 groups', xs: [1, 6, 5, 4], ws: [6, 3, 3, 2], attrs: attrsOf({ groups: 2, pads: [1, 1, 1, 1] }), kernel: 'utvm_conv2d_s8' },
  { name: 'general, 2 groups of 6 output channels (blocks of 4 and remainders)', xs: [1, 5, 5, 6], ws: [12, 3, 3, 3], attrs: attrsOf({ groups: 2, strides: [1, 2], pads: [1, 1, 1, 1] }), kernel: 'utvm_conv2d_s8' },
  { name: 'general, width 1, batch 2, no bias', xs: [2, 7, 1, 5], ws: [3, 3, 1, 5], attrs: attrsOf({ pads: [1, 0, 1, 0] }), kernel: 'utvm_conv2d_s8', opts: { bias: false } },
  { name: 'kws-like 10x4 stride 2 over 1 input channel (groups 1 = C_in: the depthwise kernel)', xs: [1, 13, 10, 1], ws: [6, 10, 4, 1], attrs: attrsOf({ strides: [2, 2], pads: [4, 1, 5, 2], groups: 1 }), kernel: 'utvm_depthwise_conv2d_s8' },
  { name: 'general, per-tensor weights, multipliers above 1', xs: [1, 4, 4, 3], ws: [4, 2, 2, 3], attrs: attrsOf({ pads: [0, 0, 1, 1] }), kernel: 'utvm_conv2d_s8', opts: { perTensor: true, small: true } },
  { name: '1x1, 7 channels', xs: [1, 4, 5, 7], ws: [9, 1, 1, 7], attrs: attrsOf(), kernel: 'utvm_conv2d_1x1_s8' },
  { name: '1x1, stride 2, batch 2', xs: [2, 5, 5, 6], ws: [4, 1, 1, 6], attrs: attrsOf({ strides: [2, 2] }), kernel: 'utvm_conv2d_1x1_s8' },
  { name: '1x1, stride (1, 3), no bias, multipliers above 1', xs: [1, 3, 7, 5], ws: [3, 1, 1, 5], attrs: attrsOf({ strides: [1, 3] }), kernel: 'utvm_conv2d_1x1_s8', opts: { bias: false, small: true } },
  { name: '1x1 with padding goes to the general kernel', xs: [1, 3, 3, 5], ws: [4, 1, 1, 5], attrs: attrsOf({ pads: [1, 1, 1, 1] }), kernel: 'utvm_conv2d_s8' },
  { name: 'depthwise 3x3, padding', xs: [1, 6, 5, 3], ws: [3, 3, 3, 1], attrs: attrsOf({ groups: 3, pads: [1, 1, 1, 1] }), kernel: 'utvm_depthwise_conv2d_s8' },
  { name: 'depthwise, depth multiplier 2, stride 2', xs: [1, 7, 6, 3], ws: [6, 3, 3, 1], attrs: attrsOf({ groups: 3, strides: [2, 2], pads: [1, 1, 1, 1] }), kernel: 'utvm_depthwise_conv2d_s8' },
  { name: 'depthwise, depth multiplier 3 (blocks of 4 across input channels)', xs: [2, 4, 5, 4], ws: [12, 2, 3, 1], attrs: attrsOf({ groups: 4, pads: [0, 1, 1, 1] }), kernel: 'utvm_depthwise_conv2d_s8' },
  { name: 'depthwise, multipliers above 1', xs: [1, 5, 4, 4], ws: [8, 3, 2, 1], attrs: attrsOf({ groups: 4, pads: [1, 0, 1, 1] }), kernel: 'utvm_depthwise_conv2d_s8', opts: { small: true } },
  { name: 'depthwise, dilation 2, relu6', xs: [1, 8, 8, 5], ws: [5, 3, 3, 1], attrs: attrsOf({ groups: 5, dilations: [2, 2], pads: [2, 2, 2, 2], clamp: { min: 0, max: 6 } }), kernel: 'utvm_depthwise_conv2d_s8' },
  { name: 'depthwise, width 1, per-tensor weights, relu', xs: [1, 6, 1, 4], ws: [4, 3, 3, 1], attrs: attrsOf({ groups: 4, pads: [1, 1, 1, 1], clamp: { min: 0, max: Infinity } }), kernel: 'utvm_depthwise_conv2d_s8', opts: { perTensor: true } },
  { name: 'general, 3 groups of 2 to 1 channels each, stride 2, relu_n1_to_1', xs: [1, 5, 5, 6], ws: [3, 3, 3, 2], attrs: attrsOf({ groups: 3, strides: [2, 2], pads: [1, 1, 1, 1], clamp: { min: -1, max: 1 } }), kernel: 'utvm_conv2d_s8' },
];

for (const [i, r] of RANDOM.entries()) {
  test(`random: ${r.name}`, () => {
    const c = randomCase(mulberry32(1000 + i), r.xs, r.ws, r.attrs, r.opts);
    const { actual, expected } = runCase(c, r.kernel);
    equalInts(actual, expected, r.name);
    // The case exercises requantization, not only the rails.
    const inside = Array.from(expected).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= expected.length / 4, `${r.name}: ${inside} of ${expected.length} outputs inside (-128, 127)`);
  });
}

test('random cases cover shifts on both sides of zero', () => {
  const shifts = new Set<number>();
  for (const [i, r] of RANDOM.entries()) {
    const c = randomCase(mulberry32(1000 + i), r.xs, r.ws, r.attrs, r.opts);
    for (const s of c.wq.scale) shifts.add(Math.sign(quantizeMultiplier((c.xq.scale[0] * s) / c.yq.scale[0]).shift));
  }
  assert.ok(shifts.has(1) && shifts.has(-1), `shift signs seen: ${[...shifts]}`);
});

// ---------------------------------------------------------------------------------------------------
// Hand-checked cases: every expected value below is worked out by hand in the comment next to it.

/** A 1x1 conv over one channel: acc = w · (x − zx) + bias per pixel; every pixel is one probe. */
function probe(x: number[], zx: number, w: number, bias: number, scales: { x: number; w: number; y: number }, zy: number, clamp?: Clamp): ConvCase {
  return {
    xs: [1, 1, x.length, 1], ws: [1, 1, 1, 1], attrs: attrsOf({ clamp }),
    x: Int8Array.from(x), w: Int8Array.from([w]), bias: Int32Array.from([bias]),
    xq: q1(scales.x, zx), wq: { scale: [scales.w], zeroPoint: [0], axis: 0 }, yq: q1(scales.y, zy),
  };
}

test('hand: multiplier 0.25 (2^30, shift −1): two roundings, ties', () => {
  // M = 0.5 · 0.5 / 1 = 0.25 → multiplier 2^30, shift −1: out = RDBPOT(SRDHM(acc, 2^30), 1).
  // acc = x − 3. SRDHM(a, 2^30) = trunc((a·2^30 ± 2^30) / 2^31) (nudge 1 − 2^30 when negative).
  //   acc  1: SRDHM 1   → RDBPOT(1, 1)  =  1   (0.25 rounds to 1: double rounding)
  //   acc  2: SRDHM 1   → 1                    (0.5 → 1)
  //   acc −2: SRDHM −1  → −1                   (−0.5 → −1)
  //   acc  6: SRDHM 3   → 2                    (1.5 → 2)
  //   acc −6: SRDHM −3  → −2                   (−1.5 → −2)
  //   acc  4: SRDHM 2   → 1;  acc −1: SRDHM 0 → 0;  acc −4: SRDHM −2 → −1;  acc 0 → 0
  const c = probe([4, 5, 1, 9, -3, 7, 2, -1, 3], 3, 1, 0, { x: 0.5, w: 0.5, y: 1 }, 0);
  const { actual, expected, call } = runCase(c, 'utvm_conv2d_1x1_s8');
  assert.equal(requantOf(call), { output_offset: 0, multiplier: 2 ** 30, shift: -1, act_min: -128, act_max: 127 });
  equalInts(actual, [1, 1, -1, 2, -2, 1, 0, -1, 0], 'kernel');
  equalInts(expected, [1, 1, -1, 2, -2, 1, 0, -1, 0], 'reference');
});

test('hand: multiplier 1.5 (0.75·2^31, shift +1): left shift, asymmetric ties, saturation at −128/127', () => {
  // M = 1 · 1.5 / 1 → multiplier 1610612736, shift 1: out = SRDHM(2·acc, 0.75·2^31) = trunc(1.5·acc ± 0.5).
  //   acc 1 → trunc(2.0) = 2;  acc −1 → trunc(−2 + 2^−31) = −1;  acc 2 → 3;  acc −2 → −3;
  //   acc 3 → trunc(5.0) = 5;  acc −3 → −4;  acc 100 → 150 → 127;  acc −100 → −150 → −128.
  // Then + output zero point 0. acc = x − 0 with bias 0.
  const c = probe([1, -1, 2, -2, 3, -3, 100, -100], 0, 1, 0, { x: 1, w: 1.5, y: 1 }, 0);
  const { actual, expected, call } = runCase(c, 'utvm_conv2d_1x1_s8');
  assert.is(requantOf(call).multiplier, 1610612736);
  assert.is(requantOf(call).shift, 1);
  equalInts(actual, [2, -1, 3, -3, 5, -4, 127, -128], 'kernel');
  equalInts(expected, [2, -1, 3, -3, 5, -4, 127, -128], 'reference');
});

test('hand: bias, negative accumulators, output zero point and relu range', () => {
  // M = 0.5 (multiplier 2^30, shift 0): out = SRDHM(acc, 2^30) = trunc((acc ± 1) / 2) roughly:
  //   acc = 2·(x − (−10)) − 25 = 2x − 5.  x = 0: acc −5 → trunc(−2.5 − 0.5 + 2^−31) = −2 → +(−20) = −22,
  //   relu with scale 1, zero point −20 clamps below at −20 → −20.
  //   x = 10: acc 15 → trunc(7.5 + 0.5) = 8 → −12.   x = 3: acc 1 → trunc(1.0) = 1 → −19.
  //   x = 2: acc −1 → trunc(−0.99) = 0 → −20.        x = 100: acc 195 → 98 → 78.
  //   x = 127: acc 249 → 125 → 105.
  const c = probe([0, 10, 3, 2, 100, 127], -10, 2, -25, { x: 0.25, w: 2, y: 1 }, -20, { min: 0, max: Infinity });
  const { actual, expected } = runCase(c, 'utvm_conv2d_1x1_s8');
  equalInts(actual, [-20, -12, -19, -20, 78, 105], 'kernel');
  equalInts(expected, [-20, -12, -19, -20, 78, 105], 'reference');
});

/** A 3x3 window over a 1x1 input with padding 1: only the centre tap is inside the input. */
function paddedCase(): ConvCase {
  return {
    xs: [1, 1, 1, 1], ws: [1, 3, 3, 1], attrs: attrsOf({ pads: [1, 1, 1, 1] }),
    x: Int8Array.from([12]), w: Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), bias: Int32Array.from([0]),
    xq: q1(1, 10), wq: { scale: [0.5], zeroPoint: [0], axis: 0 }, yq: q1(1, 0),
  };
}

test('hand: padded cells count as the zero point (general and depthwise kernels)', () => {
  // acc = 5 · (12 − 10) = 10 (the centre tap only); M = 0.5: SRDHM(10, 2^30) = trunc(5.5) = 5.
  // Were padding read as the value 0 instead, acc would be 10 + (45 − 5) · (0 − 10) = −390 → −128.
  // groups 1 == C_in 1 picks the depthwise kernel; two input channels in one group pick the general one.
  equalInts(runCase(paddedCase(), 'utvm_depthwise_conv2d_s8').actual, [5], 'depthwise');
  const two: ConvCase = {
    ...paddedCase(),
    xs: [1, 1, 1, 2], ws: [1, 3, 3, 2],
    x: Int8Array.from([12, 10]),
    w: Int8Array.from([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]),
  };
  // acc = 5 · (12 − 10) + 5 · (10 − 10) = 10 → 5.
  equalInts(runCase(two, 'utvm_conv2d_s8').actual, [5], 'general');
});

// ---------------------------------------------------------------------------------------------------
// Compile-time parameters

test('lowering: per-channel multiplier/shift arrays, folded 1x1 bias, depthwise re-layout', () => {
  const rng = mulberry32(7);
  const c = randomCase(rng, [1, 2, 2, 3], [2, 1, 1, 3], attrsOf());
  const { g, node } = buildGraph(c);
  const [call] = lowerNode(g, node);
  assert.is(call.kernel, 'utvm_conv2d_1x1_s8');
  assert.is(call.header, 'utvm/conv2d_s8.h');
  const [, , , bias, mult, shift] = call.args as { tensor: string }[];
  const zx = c.xq.zeroPoint[0];
  const expectBias = [0, 1].map((oc) => c.bias![oc] - zx * (c.w[oc * 3] + c.w[oc * 3 + 1] + c.w[oc * 3 + 2]));
  assert.equal(Array.from(g.tensor(bias.tensor).data as Int32Array), expectBias);
  const expectM = c.wq.scale.map((s) => quantizeMultiplier((c.xq.scale[0] * s) / c.yq.scale[0]));
  assert.equal(Array.from(g.tensor(mult.tensor).data as Int32Array), expectM.map((m) => m.multiplier));
  assert.equal(Array.from(g.tensor(shift.tensor).data as Int32Array), expectM.map((m) => m.shift));
  assert.is(g.tensor(mult.tensor).dtype, 'int32');

  const d = randomCase(rng, [1, 3, 3, 2], [4, 2, 2, 1], attrsOf({ groups: 2 }));
  const dg = buildGraph(d);
  const [dcall] = lowerNode(dg.g, dg.node);
  assert.is(dcall.kernel, 'utvm_depthwise_conv2d_s8');
  const p = (dcall.args[0] as { params: Record<string, CValue> }).params;
  assert.is(p.depth_multiplier, 2);
  assert.is(p.input_offset, -d.xq.zeroPoint[0]);
  const dw = dg.g.tensor((dcall.args[2] as { tensor: string }).tensor);
  assert.equal(dw.shape, [2, 2, 4]);
  // OHWI [oc=3, ky=1, kx=0, 0] lands at [ky=1, kx=0, oc=3].
  assert.is((dw.data as Int8Array)[(1 * 2 + 0) * 4 + 3], d.w[(3 * 2 + 1) * 2 + 0]);
});

test('lowering: per-tensor weights pass NULL arrays and the scalar multiplier', () => {
  const c = randomCase(mulberry32(8), [1, 4, 4, 2], [3, 3, 3, 2], attrsOf({ pads: [1, 1, 1, 1] }), { perTensor: true });
  const { g, node } = buildGraph(c);
  const [call] = lowerNode(g, node);
  assert.equal(call.args[4], { value: 0 });
  assert.equal(call.args[5], { value: 0 });
  const m = quantizeMultiplier((c.xq.scale[0] * c.wq.scale[0]) / c.yq.scale[0]);
  const requant = requantOf(call);
  assert.is(requant.multiplier, m.multiplier);
  assert.is(requant.shift, m.shift);
});

// ---------------------------------------------------------------------------------------------------
// Errors

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return assert.unreachable('expected an error') as never;
}

test('errors: missing output quantization, asymmetric weights, runtime weights, float bias', () => {
  const c = randomCase(mulberry32(9), [1, 3, 3, 2], [2, 3, 3, 2], attrsOf());
  let { g, node } = buildGraph(c);
  delete g.tensor(node.outputs[0]).quant;
  assert.match(errorOf(() => lowerNode(g, node)), /int8 tensor 'conv_out0' has no quantization parameters/);

  ({ g, node } = buildGraph({ ...c, wq: { scale: c.wq.scale, zeroPoint: [0, 3], axis: 0 } }));
  assert.match(errorOf(() => lowerNode(g, node)), /weights 'w' have a non-zero zero point/);

  ({ g, node } = buildGraph(c));
  delete g.tensor('w').data;
  assert.match(errorOf(() => lowerNode(g, node)), /int8 layers need constant weights; 'w' is computed at run time/);

  const g2 = new Graph('t');
  g2.addTensor({ name: 'x', dtype: 'int8', shape: [1, 3, 3, 2], quant: c.xq });
  g2.addTensor({ name: 'w', dtype: 'int8', shape: [2, 3, 3, 2], data: c.w, quant: c.wq });
  g2.addTensor({ name: 'b', dtype: 'float32', shape: [2], data: new Float32Array(2) });
  assert.match(errorOf(() => addNode(g2, 'conv2d', ['x', 'w', 'b'], attrsOf())), /int8 conv2d needs int32 bias, 'b' is float32/);
});

// ---------------------------------------------------------------------------------------------------
// Cortex-M7 build

test('the three kernels compile warning-free for the Cortex-M7 (arm-none-eabi-gcc -Werror)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-conv-s8-arm-'));
  try {
    for (const k of ['utvm_conv2d_s8', 'utvm_conv2d_1x1_s8', 'utvm_depthwise_conv2d_s8']) {
      execFileSync('arm-none-eabi-gcc', [
        '-std=c99', '-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-sp-d16', '-mfloat-abi=hard', '-O2', '-Wall', '-Wextra', '-Werror',
        `-I${RUNTIME_C}/include`, '-c', join(RUNTIME_C, 'src', `${k}.c`), '-o', join(dir, `${k}.o`),
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
