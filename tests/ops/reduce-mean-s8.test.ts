/**
 * reduce_mean on int8 tensors — TensorFlow Lite's MEAN as TFLite Micro runs it (the reference
 * QuantizedMeanOrSum; src/ops/reduce-mean/s8.ts, utvm_reduce_mean_s8): the multiplier with the count
 * folded in (values TFLM computes), the kernel against a TypeScript transcription on randomised shapes,
 * axes and quantizations, hand-checked rounding, and the Cortex-M7 build.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { clampInt8, multiplyByQuantizedMultiplier } from '../../src/ir/quant.js';
import { meanS8Multiplier } from '../../src/ops/reduce-mean/s8.js';
import { stridesOf } from '../../src/ops/transpose.js';
import { mulberry32, randomInts } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, randomQuant } from '../util/s8.js';

/** QuantizedMeanOrSum, transcribed: int32 sums, minus zp · count, the folded multiplier, + zp, saturate. */
function referenceMean(x: Int8Array, shape: number[], axes: number[], qx: Quant, qy: Quant): number[] {
  const count = elementCount(axes.map((a) => shape[a]));
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const sums = new Array<number>(elementCount(keptShape)).fill(0);
  const ks = stridesOf(keptShape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    sums[idx.reduce((o, v, d) => o + (axes.includes(d) ? 0 : v * ks[d]), 0)] += x[i];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  const m = meanS8Multiplier(qx.scale[0], qy.scale[0], count);
  return sums.map((s) => clampInt8(multiplyByQuantizedMultiplier(s - qx.zeroPoint[0] * count, m.multiplier, m.shift) + qy.zeroPoint[0]));
}

interface MeanCase {
  shape: number[];
  axes: number[];
  keepdims: boolean;
  qx: Quant;
  qy: Quant;
  x: Int8Array;
}

function runCases(cases: MeanCase[]): { actual: number[]; expected: number[] }[] {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes: Node[] = cases.map((c, i) => {
    inputs[`x${i}`] = int8Input(g, `x${i}`, c.shape, c.qx, c.x);
    return addQuantNode(g, 'reduce_mean', [`x${i}`], { axes: c.axes, keepdims: c.keepdims }, `m${i}`, c.qy);
  });
  const runs = runLoweredMany(g, nodes, inputs);
  return cases.map((c, i) => ({ actual: Array.from(runs[i].outputs[0] as Int8Array), expected: referenceMean(c.x, c.shape, c.axes, c.qx, c.qy) }));
}

test('the count is folded into the multiplier as TFLM does (shift by floor(log2 count), truncating division)', () => {
  // Values TFLM's QuantizedMeanOrSum derives for these float32 scales and counts.
  assert.equal(meanS8Multiplier(Math.fround(0.171853513), Math.fround(0.298085809), 3668), { multiplier: 691269830, shift: -11 });
  assert.equal(meanS8Multiplier(Math.fround(0.14469251), Math.fround(0.0340169407), 2982), { multiplier: 784174994, shift: -8 });
  assert.equal(meanS8Multiplier(Math.fround(0.0146362185), Math.fround(0.000151674816), 2690), { multiplier: 1232573927, shift: -4 });
  // Equal scales (multiplier 2^30, shift 1), count 4: 2^30 · 4 / 4, shift 1 − 2; count 9: 2^33 / 9, shift 1 − 3.
  assert.equal(meanS8Multiplier(0.5, 0.5, 4), { multiplier: 2 ** 30, shift: -1 });
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 3, 3, 8], quant: q1(0.5, 10) });
  const [call] = lowerNode(g, addQuantNode(g, 'reduce_mean', ['x'], { axes: [1, 2], keepdims: true }, 'm', q1(0.5, 10)));
  assert.equal(call.args[0], {
    params: {
      kept_shape: [1, 1, 1, 1, 1, 8], kept_strides: [0, 0, 0, 0, 0, 1],
      reduced_shape: [1, 1, 1, 1, 1, 9], reduced_strides: [0, 0, 0, 0, 0, 8],
      sum_offset: -90, multiplier: 954437176, shift: -2, output_zero_point: 10,
    },
    type: 'utvm_reduce_params_s8',
  });
});

test('hand-checked: a mean of pairs at equal scales rounds as the doubling high multiply does', () => {
  // Scales equal (multiplier 2^30, shift 1), count 2 folded in: multiplier 2^30, shift 0 — sum / 2 by the
  // doubling high multiply alone, which rounds 1.5 → 2 but -1.5 → -1 and -0.5 → 0.
  const x = Int8Array.from([1, 2, -1, -2, 127, 127, -128, -128, 0, 1, 0, -1]);
  const [r] = runCases([{ shape: [6, 2], axes: [1], keepdims: false, qx: q1(1, 0), qy: q1(1, 0), x }]);
  // 3/2 → 2; -3/2 → -1; 254/2 → 127; -256/2 → -128; 1/2 → 1; -1/2 → 0.
  assert.equal(r.actual, [2, -1, 127, -128, 1, 0]);
  assert.equal(r.expected, r.actual);
});

test('the kernel matches the reference on randomised shapes, axes and quantizations', () => {
  const rng = mulberry32(2718);
  const cases: MeanCase[] = [];
  const axesChoices = [[1, 2], [3], [0, 3], [2], [1], [0, 1, 2, 3]];
  for (let i = 0; i < 18; i++) {
    const shape = [1 + (i % 2), ...randomInts(rng, 3, 1, 7)];
    const qx = randomQuant(rng, -6, 0);
    const qy = q1(qx.scale[0] * 2 ** (-1.5 + 3 * rng()), randomInts(rng, 1, -128, 127)[0]);
    cases.push({ shape, axes: axesChoices[i % axesChoices.length], keepdims: i % 3 !== 0, qx, qy, x: randomInt8(rng, elementCount(shape)) });
  }
  for (const [i, r] of runCases(cases).entries()) assert.equal(r.actual, r.expected, `case ${i} [${cases[i].shape}] axes [${cases[i].axes}]`);
});

test('utvm_reduce_mean_s8 compiles warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_reduce_mean_s8']);
});

test.run();
