/**
 * add and mul on int8 tensors (src/ops/binary/s8.ts; utvm_{add,mul}_s8 and their broadcast variants):
 * the compile-time parameters against values TensorFlow Lite's Prepare computes, the kernels against a
 * TypeScript transcription of TFLite's AddFunc / MulElementwise on randomised shapes and quantizations
 * (flat and broadcast), hand-checked rounding cases, errors and the Cortex-M7 build.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { multiplyByQuantizedMultiplier } from '../../src/ir/quant.js';
import { addParamsS8, mulParamsS8 } from '../../src/ops/binary/s8.js';
import { broadcastShapes, broadcastStrides, forEachBroadcast } from '../../src/ops/binary/index.js';
import type { Clamp, LowerTarget } from '../../src/ops/op.js';
import { errorOf } from '../util/lower.js';
import { mulberry32, randomInts } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, randomQuant } from '../util/s8.js';

const SRC = { op: 'ADD', name: 't' };
const pq = (q: Quant) => ({ scale: q.scale[0], zeroPoint: q.zeroPoint[0] });

/** TFLite's AddFunc (integer_ops/add.h) on one pair, from the params struct fields. */
function addElement(p: Record<string, number>, a: number, b: number): number {
  const sa = multiplyByQuantizedMultiplier((a + p.input1_offset) * 2 ** p.left_shift, p.input1_multiplier, p.input1_shift);
  const sb = multiplyByQuantizedMultiplier((b + p.input2_offset) * 2 ** p.left_shift, p.input2_multiplier, p.input2_shift);
  const y = multiplyByQuantizedMultiplier(sa + sb, p.output_multiplier, p.output_shift) + p.output_offset;
  return Math.min(p.act_max, Math.max(p.act_min, y));
}

/** TFLite's MulElementwise on one pair. */
function mulElement(p: Record<string, number>, a: number, b: number): number {
  const y = multiplyByQuantizedMultiplier((a + p.input1_offset) * (b + p.input2_offset), p.output_multiplier, p.output_shift) + p.output_offset;
  return Math.min(p.act_max, Math.max(p.act_min, y));
}

interface BinCase {
  op: 'add' | 'mul';
  as: number[];
  bs: number[];
  qa: Quant;
  qb: Quant;
  qy: Quant;
  clamp?: Clamp;
  a: Int8Array;
  b: Int8Array;
}

function runCases(cases: BinCase[], target?: LowerTarget): { actual: number[]; expected: number[]; kernel: string }[] {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes: Node[] = cases.map((c, i) => {
    inputs[`a${i}`] = int8Input(g, `a${i}`, c.as, c.qa, c.a);
    inputs[`b${i}`] = int8Input(g, `b${i}`, c.bs, c.qb, c.b);
    return addQuantNode(g, c.op, [`a${i}`, `b${i}`], c.clamp ? { clamp: c.clamp } : {}, `n${i}`, c.qy);
  });
  const runs = runLoweredMany(g, nodes, inputs, { target });
  return cases.map((c, i) => {
    const p = (c.op === 'add' ? addParamsS8 : mulParamsS8)(pq(c.qa), pq(c.qb), pq(c.qy), c.clamp, SRC);
    const shape = broadcastShapes(c.as, c.bs)!;
    const expected: number[] = [];
    forEachBroadcast(shape, broadcastStrides(c.as, shape), broadcastStrides(c.bs, shape), (_o, ia, ib) => {
      expected.push((c.op === 'add' ? addElement : mulElement)(p, c.a[ia], c.b[ib]));
    });
    return { actual: Array.from(runs[i].outputs[0] as Int8Array), expected, kernel: runs[i].calls[0].kernel };
  });
}

// ---------------------------------------------------------------------------------------------------
// Compile-time parameters

test('ADD parameters equal those of TFLite Prepare (double arithmetic, left shift 20)', () => {
  // Values printed by TFLite's QuantizeMultiplierSmallerThanOneExp for these float32 scales.
  const p = addParamsS8({ scale: Math.fround(0.171853513), zeroPoint: 3 }, { scale: Math.fround(0.000268670236), zeroPoint: -7 }, { scale: Math.fround(0.298085809), zeroPoint: -128 }, undefined, SRC);
  assert.equal(p, {
    input1_offset: -3, input1_multiplier: 1073741824, input1_shift: 0,
    input2_offset: 7, input2_multiplier: 1718940996, input2_shift: -10,
    left_shift: 20, output_multiplier: 1238075068, output_shift: -19, output_offset: -128,
    act_min: -128, act_max: 127,
  });
  const q = addParamsS8({ scale: Math.fround(0.0146362185), zeroPoint: 0 }, { scale: Math.fround(2.36132836), zeroPoint: 0 }, { scale: Math.fround(0.000151674816), zeroPoint: 0 }, { min: 0, max: Infinity }, SRC);
  assert.equal([q.input1_multiplier, q.input1_shift, q.input2_multiplier, q.input2_shift, q.output_multiplier, q.output_shift], [1703775376, -8, 1073741824, 0, 2040576274, -5]);
  assert.equal([q.act_min, q.act_max], [0, 127]);
});

test('MUL parameters equal those of TFLite Prepare', () => {
  const p = mulParamsS8({ scale: Math.fround(0.171853513), zeroPoint: 0 }, { scale: Math.fround(0.000268670236), zeroPoint: 1 }, { scale: Math.fround(0.298085809), zeroPoint: 5 }, { min: -1, max: 1 }, SRC);
  assert.equal([p.output_multiplier, p.output_shift], [1362468537, -12]);
  assert.equal([p.input1_offset, p.input2_offset, p.output_offset], [0, -1, 5]);
  // RELU_N1_TO_1 at scale 0.298085809, zero point 5: 5 + round(±1 / 0.298) = 5 ± 3.
  assert.equal([p.act_min, p.act_max], [2, 8]);
  const q = mulParamsS8({ scale: Math.fround(0.0146362185), zeroPoint: 0 }, { scale: Math.fround(2.36132836), zeroPoint: 0 }, { scale: Math.fround(0.000151674816), zeroPoint: 0 }, undefined, SRC);
  assert.equal([q.output_multiplier, q.output_shift], [1911444500, 8]);
});

test('errors: an ADD output multiplier of 1 or more, int8 div, missing quantization', () => {
  assert.is(
    errorOf(() => addParamsS8({ scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }, { scale: 2 ** -21, zeroPoint: 0 }, undefined, SRC)),
    "node 't' (ADD): the output multiplier 4 is not in (0, 1), which int8 ADD requires",
  );
  const g = new Graph('t');
  g.addTensor({ name: 'a', dtype: 'int8', shape: [4], quant: q1(1, 0) });
  g.addTensor({ name: 'r', dtype: 'int8', shape: [4] });
  const div = addQuantNode(g, 'div', ['a', 'a'], {}, 's', q1(1, 0));
  assert.is(errorOf(() => lowerNode(g, div)), "node 's' (div): div of int8 tensors is not supported (int8 add, sub and mul only)");
  const raw = addQuantNode(g, 'add', ['r', 'r'], {}, 'n');
  assert.is(errorOf(() => lowerNode(g, raw)), "node 'n' (add): int8 tensor 'r' has no quantization parameters");
});

// ---------------------------------------------------------------------------------------------------
// Hand-checked values

test('MUL rounding: ties of the doubling high multiply and of the rounding shift', () => {
  // Scales 1 · 1 / 2 → multiplier 2^30, shift 0: the product times 1/2 through the doubling high multiply,
  // which rounds 1.5 → 2 but -1.5 → -1 (its nudge for negatives is 1 − 2^30). Scales 1 · 1 / 4 → shift -1:
  // the rounding shift rounds half away from zero, so 1.5 → 2 and -1.5 → -2, 0.5 → 1 and -0.5 → -1.
  const a = Int8Array.from([3, -3, 1, -1, 127, -128]);
  const b = Int8Array.from([1, 1, 1, 1, 127, -128]);
  const [half, quarter] = runCases([
    { op: 'mul', as: [6], bs: [6], qa: q1(1, 0), qb: q1(1, 0), qy: q1(2, 0), a, b },
    { op: 'mul', as: [6], bs: [6], qa: q1(1, 0), qb: q1(1, 0), qy: q1(4, 0), a: Int8Array.from([6, -6, 2, -2, 127, -128]), b },
  ]);
  // 3/2 → 2, -3/2 → -1, 1/2 → 1, -1/2 → 0, 16129/2 → 127 (saturated), 16384/2 → 127.
  assert.equal(half.actual, [2, -1, 1, 0, 127, 127]);
  // 6/4 → 2, -6/4 → -2, 2/4 → 1, -2/4 → -1, saturated.
  assert.equal(quarter.actual, [2, -2, 1, -1, 127, 127]);
  assert.equal(half.expected, half.actual);
  assert.equal(quarter.expected, quarter.actual);
});

test('ADD of equal scales: (a − zp_a) + (b − zp_b) requantized, saturating at both ends', () => {
  // Both inputs scale 0.5, output scale 1: y = round((a + b) / 2) + zp_y.
  const a = Int8Array.from([1, 2, -1, 100, -100, 127, -128, 0]);
  const b = Int8Array.from([0, 1, -2, 100, -100, 127, -128, 0]);
  const [r] = runCases([{ op: 'add', as: [8], bs: [8], qa: q1(0.5, 0), qb: q1(0.5, 0), qy: q1(1, 0), a, b }]);
  assert.equal(r.actual, [1, 2, -2, 100, -100, 127, -128, 0]);
  const [s] = runCases([{ op: 'add', as: [8], bs: [8], qa: q1(0.5, 0), qb: q1(0.5, 0), qy: q1(0.5, 0), a, b }]);
  assert.equal(s.actual, [1, 3, -3, 127, -128, 127, -128, 0]);
  assert.equal(r.expected, r.actual);
  assert.equal(s.expected, s.actual);
});

// ---------------------------------------------------------------------------------------------------
// Randomised

test('ADD and MUL match TFLite on randomised quantizations, flat and broadcast, with activations', () => {
  const rng = mulberry32(4242);
  const shapes: [number[], number[]][] = [
    [[37], [37]],
    [[2, 5, 3, 7], [2, 5, 3, 7]],
    [[1, 4, 4, 3], [3]],
    [[3], [2, 1, 3]],
    [[2, 1, 5], [1, 4, 1]],
    [[1], [9]],
    [[6, 1], [1, 1]],
  ];
  const clamps = [undefined, { min: 0, max: Infinity }, { min: 0, max: 6 }, { min: -1, max: 1 }];
  const cases: BinCase[] = [];
  for (let i = 0; i < 28; i++) {
    const [as, bs] = shapes[i % shapes.length];
    const qa = randomQuant(rng, -7, 0);
    const qb = rng() < 0.3 ? qa : randomQuant(rng, -7, 0);
    const op = i % 2 === 0 ? 'add' : 'mul';
    // Keep the ADD output multiplier below 1 (TFLite's own requirement): output scale ≥ inputs' / 2^19.
    const qy = op === 'add' ? q1(Math.max(qa.scale[0], qb.scale[0]) * 2 ** (-3 + 6 * rng()), randomInts(rng, 1, -128, 127)[0]) : randomQuant(rng, -9, 1);
    cases.push({ op, as, bs, qa, qb, qy, clamp: clamps[i % 4], a: randomInt8(rng, elementCount(as)), b: randomInt8(rng, elementCount(bs)) });
  }
  for (const [i, r] of runCases(cases).entries()) {
    const c = cases[i];
    const flat = elementCount(c.as) === elementCount(c.bs);
    assert.is(r.kernel, flat ? `utvm_${c.op}_s8` : `utvm_${c.op}_broadcast_s8`, `case ${i}`);
    assert.equal(r.actual, r.expected, `case ${i}: ${c.op} [${c.as}] [${c.bs}]`);
  }
});

test('flat MUL on a DSP core: utvm_mul_s8_dsp (4 elements a word; portable twins here) = TFLite on random quantizations, odd counts, ties and saturation', () => {
  const rng = mulberry32(4343);
  const clamps = [undefined, { min: 0, max: Infinity }, { min: 0, max: 6 }, { min: -1, max: 1 }];
  const cases: BinCase[] = [];
  for (let i = 0; i < 16; i++) {
    const n = [1, 3, 4, 5, 37, 64, 131, 7][i % 8];
    const qa = randomQuant(rng, -7, 0);
    const qb = randomQuant(rng, -7, 0);
    cases.push({ op: 'mul', as: [n], bs: [n], qa, qb, qy: randomQuant(rng, -9, 1), clamp: clamps[i % 4], a: randomInt8(rng, n), b: randomInt8(rng, n) });
  }
  // offsets at both ends of [-127, 128]: (127 + 128) · (−128 − 127) and the rounding ties of the test above
  cases.push({ op: 'mul', as: [8], bs: [8], qa: q1(0.02, -128), qb: q1(0.03, 127), qy: q1(0.5, 3), a: Int8Array.from([127, -128, 0, 1, 127, -128, 5, -5]), b: Int8Array.from([-128, 127, 0, -1, 127, -128, -5, 5]) });
  cases.push({ op: 'mul', as: [6], bs: [6], qa: q1(1, 0), qb: q1(1, 0), qy: q1(2, 0), a: Int8Array.from([3, -3, 1, -1, 127, -128]), b: Int8Array.from([1, 1, 1, 1, 127, -128]) });
  for (const [i, r] of runCases(cases, { dsp: true }).entries()) {
    assert.is(r.kernel, 'utvm_mul_s8_dsp', `case ${i}`);
    assert.equal(r.actual, r.expected, `case ${i}: mul [${cases[i].as}]`);
  }
});

test('the int8 add/mul kernels compile warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_add_s8', 'utvm_add_broadcast_s8', 'utvm_mul_s8', 'utvm_mul_broadcast_s8', 'utvm_mul_s8_dsp']);
});

test.run();
