/**
 * pool2d on int8 tensors (src/ops/pool2d/s8.ts, utvm_avg_pool2d_s8, utvm_max_pool2d_s8): TensorFlow
 * Lite's int8 average (sum ± count/2, divided by the taps inside the input, truncating) and max pooling
 * with the fused activation's clamp, against a TypeScript reference on randomised shapes, hand-checked
 * rounding cases, the quantization checks and the Cortex-M7 build.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCValue } from '../../src/ir/c-value.js';
import type { CValue } from '../../src/ir/c-value.js';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { quantizedActivationRange } from '../../src/ir/quant.js';
import type { Pool2dAttrs } from '../../src/ops/pool2d/index.js';
import type { Clamp, LowerTarget } from '../../src/ops/op.js';
import { AVG_POOL_DSP_MAX_TAPS } from '../../src/ops/pool2d/s8.js';
import { errorOf } from '../util/lower.js';
import { mulberry32, randomInts } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, randomQuant, roundedMean } from '../util/s8.js';

const attrsOf = (kind: 'max' | 'avg', kernel: [number, number], over: Partial<Pool2dAttrs> = {}): Pool2dAttrs => ({
  kind, kernel, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], countIncludePad: false, ...over,
});

/** TFLite's reference int8 AveragePool / MaxPool, transcribed (NHWC, taps outside the input skipped). */
function referencePool(a: Pool2dAttrs, x: Int8Array, [n, h, w, c]: number[], [oh, ow]: number[], range: { min: number; max: number }): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    let count = 0;
    let max = -128;
    for (let ky = 0; ky < a.kernel[0]; ky++) for (let kx = 0; kx < a.kernel[1]; kx++) {
      const y = oy * a.strides[0] - a.pads[0] + ky;
      const xx = ox * a.strides[1] - a.pads[1] + kx;
      if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
      const v = x[((b * h + y) * w + xx) * c + ch];
      sum += v;
      count++;
      max = Math.max(max, v);
    }
    const v = a.kind === 'max' ? max : roundedMean(sum, count);
    out.push(Math.min(range.max, Math.max(range.min, v)));
  }
  return out;
}

/** TFLite's SAME padding: total = max((out − 1)·stride + k − in, 0), the smaller half first. */
function samePads(size: number[], kernel: number[], strides: number[]): [number, number, number, number] {
  const total = size.map((s, i) => Math.max((Math.ceil(s / strides[i]) - 1) * strides[i] + kernel[i] - s, 0));
  return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
}

interface PoolCase {
  attrs: Pool2dAttrs;
  shape: number[];
  quant?: Quant;
  x: Int8Array;
}

/** Runs every case in one program (lowered for `target`); returns [kernel output, reference] per case. */
function runCases(cases: PoolCase[], target?: LowerTarget): { actual: number[]; expected: number[]; node: Node }[] {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes = cases.map((c, i) => {
    inputs[`x${i}`] = int8Input(g, `x${i}`, c.shape, c.quant, c.x);
    return addQuantNode(g, 'pool2d', [`x${i}`], c.attrs, `p${i}`, c.quant);
  });
  const runs = runLoweredMany(g, nodes, inputs, { target });
  return cases.map((c, i) => {
    const y = g.tensor(nodes[i].outputs[0]);
    const range = c.quant ? quantizedActivationRange(c.attrs.clamp, c.quant.scale[0], c.quant.zeroPoint[0]) : { min: -128, max: 127 };
    return { actual: Array.from(runs[i].outputs[0] as Int8Array), expected: referencePool(c.attrs, c.x, c.shape, [y.shape[1], y.shape[2]], range), node: nodes[i] };
  });
}

// ---------------------------------------------------------------------------------------------------
// Lowering

test('lowering: int8 pools pick the s8 kernels; the activation becomes an int8 range', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 4, 4, 3], quant: q1(0.5, -5) });
  const relu6: Clamp = { min: 0, max: 6 };
  const avg = addQuantNode(g, 'pool2d', ['x'], attrsOf('avg', [2, 2], { strides: [2, 2], clamp: relu6 }), 'a', q1(0.5, -5));
  const [call] = lowerNode(g, avg);
  assert.is(call.kernel, 'utvm_avg_pool2d_s8');
  const p = call.args[0] as { params: CValue; type: string };
  assert.is(p.type, 'utvm_pool2d_params_s8');
  // RELU6 at scale 0.5, zero point -5: [-5 + 0, -5 + 12].
  assert.is(
    formatCValue(p.params),
    '{.window = {.batch = 1, .in_h = 4, .in_w = 4, .channels = 3, .out_h = 2, .out_w = 2, .kernel_h = 2, .kernel_w = 2, ' +
      '.stride_h = 2, .stride_w = 2, .dilation_h = 1, .dilation_w = 1, .pad_top = 0, .pad_left = 0, ' +
      '.count_pad_top = 0, .count_pad_left = 0, .count_pad_bottom = 0, .count_pad_right = 0}, .act_min = -5, .act_max = 7}',
  );
  const max = addQuantNode(g, 'pool2d', ['x'], attrsOf('max', [2, 2]), 'm', q1(0.5, -5));
  const [mc] = lowerNode(g, max);
  assert.is(mc.kernel, 'utvm_max_pool2d_s8');
  assert.equal({ min: (mc.args[0] as { params: Record<string, number> }).params.act_min, max: (mc.args[0] as { params: Record<string, number> }).params.act_max }, { min: -128, max: 127 });
});

test('errors: input and output quantizations must agree; an activation needs quantization', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 4, 4, 1], quant: q1(0.5, 3) });
  g.addTensor({ name: 'r', dtype: 'int8', shape: [1, 4, 4, 1] });
  const zp = addQuantNode(g, 'pool2d', ['x'], attrsOf('avg', [2, 2]), 'a', q1(0.5, 4));
  assert.is(
    errorOf(() => lowerNode(g, zp)),
    "node 'a' (pool2d): int8 pooling with input quantization (scale 0.5, zero point 3) different from the output's (scale 0.5, zero point 4) is not supported",
  );
  const scale = addQuantNode(g, 'pool2d', ['x'], attrsOf('max', [2, 2]), 'b', q1(0.25, 3));
  assert.match(errorOf(() => lowerNode(g, scale)), /int8 pooling with input quantization \(scale 0.5, zero point 3\) different from the output's \(scale 0.25/);
  // Within TFLite's 1e-6 tolerance it is the same quantization.
  const near = addQuantNode(g, 'pool2d', ['x'], attrsOf('max', [2, 2]), 'c', q1(0.5000005, 3));
  assert.is(lowerNode(g, near)[0].kernel, 'utvm_max_pool2d_s8');
  const raw = addQuantNode(g, 'pool2d', ['r'], attrsOf('max', [2, 2], { clamp: { min: 0, max: Infinity } }), 'd');
  assert.is(errorOf(() => lowerNode(g, raw)), "node 'd' (pool2d): a fused activation on int8 pooling needs quantization parameters");
});

// ---------------------------------------------------------------------------------------------------
// Hand-checked values

test('average rounds half away from zero: ties, negatives, saturation', () => {
  // 1x2 windows, stride 2: [1,2] → 1.5 → 2; [-1,-2] → -1.5 → -2; [1,-2] → -0.5 → -1; [2,-1] → 0.5 → 1;
  // [127,127] → 127; [-128,-128] → -128; [3,3] → 3; [0,-1] → -0.5 → -1.
  const x = Int8Array.from([1, 2, -1, -2, 1, -2, 2, -1, 127, 127, -128, -128, 3, 3, 0, -1]);
  const [r] = runCases([{ attrs: attrsOf('avg', [1, 2], { strides: [1, 2] }), shape: [1, 1, 16, 1], quant: q1(1, 0), x }]);
  assert.equal(r.actual, [2, -2, -1, 1, 127, -128, 3, -1]);
  assert.equal(r.expected, r.actual);
});

test('average over padding divides by the taps inside the input; counts of 4 round 2/4 up and -2/4 down', () => {
  // 3x3 input, 3x3 window, pads 1: the corner window holds 4 cells, the edge 6, the centre 9.
  const x = Int8Array.from([1, 0, 1, 0, 0, 0, -1, 0, -1]);
  const [r] = runCases([{ attrs: attrsOf('avg', [3, 3], { pads: [1, 1, 1, 1] }), shape: [1, 3, 3, 1], quant: q1(0.1, 0), x }]);
  // top-left: (1+0+0+0)/4 = 0.25 → 0; top-centre: (1+0+1+0+0+0)/6 = 0.33 → 0; top-right 0.25 → 0;
  // middle-left: (1+0+0+0-1+0)/6 = 0; centre 0/9 = 0; bottom-left: -1/4 → 0; bottom-centre -2/6 → 0.
  assert.equal(r.actual, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const y = Int8Array.from([2, 0, 2, 0, 0, 0, -2, 0, -2]);
  const [s] = runCases([{ attrs: attrsOf('avg', [3, 3], { pads: [1, 1, 1, 1] }), shape: [1, 3, 3, 1], quant: q1(0.1, 0), x: y }]);
  // corners: 2/4 = 0.5 → 1 and -2/4 → -1; top-centre 4/6 → 1; middle-left (2 − 2)/6 = 0; bottom-centre -4/6 → -1.
  assert.equal(s.actual, [1, 1, 1, 0, 0, 0, -1, -1, -1]);
});

test('the fused activation clamps both kernels (RELU at zero point -5, RELU6 upper bound)', () => {
  const x = Int8Array.from([-20, -10, 30, 40]);
  const relu = { min: 0, max: Infinity };
  const relu6 = { min: 0, max: 6 };
  const runs = runCases([
    { attrs: attrsOf('avg', [1, 1], { clamp: relu }), shape: [1, 1, 4, 1], quant: q1(0.5, -5), x },
    { attrs: attrsOf('max', [1, 2], { clamp: relu6 }), shape: [1, 1, 4, 1], quant: q1(0.5, -5), x },
  ]);
  assert.equal(runs[0].actual, [-5, -5, 30, 40]);
  // RELU6 upper bound: -5 + 6 / 0.5 = 7; windows [-20,-10] → -10 → -5; [-10,30] → 30 → 7; [30,40] → 40 → 7.
  assert.equal(runs[1].actual, [-5, 7, 7]);
  for (const r of runs) assert.equal(r.expected, r.actual);
});

// ---------------------------------------------------------------------------------------------------
// Randomised

test('both kernels match the reference on randomised shapes (odd and wide channels, strides, SAME padding, activations)', () => {
  const rng = mulberry32(8080);
  const cases: PoolCase[] = [];
  for (let i = 0; i < 24; i++) {
    const [h, w] = randomInts(rng, 2, 1, 9);
    const c = i % 5 === 4 ? randomInts(rng, 1, 33, 70)[0] : randomInts(rng, 1, 1, 7)[0]; // wide: more than one channel block
    const kernel: [number, number] = [randomInts(rng, 1, 1, h)[0], randomInts(rng, 1, 1, w)[0]];
    const strides: [number, number] = [randomInts(rng, 1, 1, 3)[0], randomInts(rng, 1, 1, 3)[0]];
    const same = rng() < 0.5;
    const pads = same ? samePads([h, w], kernel, strides) : ([0, 0, 0, 0] as [number, number, number, number]);
    const clamp = [undefined, { min: 0, max: Infinity }, { min: 0, max: 6 }, { min: -1, max: 1 }][i % 4];
    const shape = [1 + (i % 2), h, w, c];
    cases.push({ attrs: attrsOf(i % 3 === 0 ? 'max' : 'avg', kernel, { strides, pads, clamp }), shape, quant: randomQuant(rng, -6, 0), x: randomInt8(rng, elementCount(shape)) });
  }
  for (const [i, r] of runCases(cases).entries()) assert.equal(r.actual, r.expected, `case ${i} (${cases[i].attrs.kind} [${cases[i].shape}])`);
  // The DSP kernels (four channels per word; built here with the portable twins of SSUB8 / SEL / SXTAB16)
  // on the same cases and on windows at the int16 lanes' limit: 15x17 = 255 taps of ±128, and one more
  // (256 taps, which keeps the portable kernel).
  const extremes = [127, -128].map((v, k): PoolCase => ({ attrs: attrsOf('avg', [15, 17]), shape: [1, 15, 17, 6 + k], quant: q1(0.1, 0), x: new Int8Array(15 * 17 * (6 + k)).fill(v) }));
  assert.is(15 * 17, AVG_POOL_DSP_MAX_TAPS);
  const wide: PoolCase = { attrs: attrsOf('avg', [16, 16]), shape: [1, 16, 16, 4], quant: q1(0.1, 0), x: new Int8Array(16 * 16 * 4).fill(-128) };
  const all = [...cases, ...extremes, wide];
  const dsp = runCases(all, { dsp: true });
  for (const [i, r] of dsp.entries()) assert.equal(r.actual, r.expected, `dsp case ${i} (${all[i].attrs.kind} [${all[i].shape}])`);
  assert.equal(extremes.map((_, k) => dsp[cases.length + k].actual[0]), [127, -128]);
});

test('lowering for a DSP core: max and average pools take the _dsp kernels up to AVG_POOL_DSP_MAX_TAPS taps', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 16, 16, 8], quant: q1(0.5, -5) });
  const kernelOf = (kind: 'max' | 'avg', k: [number, number], name: string) =>
    lowerNode(g, addQuantNode(g, 'pool2d', ['x'], attrsOf(kind, k), name, q1(0.5, -5)), { dsp: true })[0].kernel;
  assert.is(kernelOf('max', [16, 16], 'm'), 'utvm_max_pool2d_s8_dsp');
  assert.is(kernelOf('avg', [15, 16], 'a'), 'utvm_avg_pool2d_s8_dsp_x2', 'channel_words 2 (the default) for 8 channels and more');
  assert.is(AVG_POOL_DSP_MAX_TAPS, 255);
  assert.is(kernelOf('avg', [16, 16], 'b'), 'utvm_avg_pool2d_s8');
});

test('the s8 pooling kernels compile warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_avg_pool2d_s8', 'utvm_max_pool2d_s8', 'utvm_avg_pool2d_s8_dsp', 'utvm_max_pool2d_s8_dsp']);
});

test.run();
