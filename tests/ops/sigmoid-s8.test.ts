/**
 * sigmoid on int8 tensors — TensorFlow Lite's LOGISTIC as TFLite Micro runs it (src/ops/unary/sigmoid-s8.ts,
 * a table of the reference integer kernel run by utvm_lut_s8): the compile-time parameters (values
 * TFLM's Prepare gives), the compiled node on every int8 input for a range of input quantizations
 * against the TypeScript transcription of the reference integer kernel, hand-checked values, errors
 * and the Cortex-M7 build. (tests/import/tflite-elementwise.test.ts compares it with tflm-run.)
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logisticS8, logisticS8Params } from '../../src/ir/fixedpoint.js';
import { Graph, Node, Quant } from '../../src/ir/graph.js';
import { errorOf } from '../util/lower.js';
import { mulberry32, randomInts } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1 } from '../util/s8.js';

const OUT = q1(1 / 256, -128);
const ALL_INT8 = Int8Array.from({ length: 256 }, (_, i) => i - 128);

function runAll(quants: Quant[]): { actual: number[]; expected: number[] }[] {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes: Node[] = quants.map((q, i) => {
    inputs[`x${i}`] = int8Input(g, `x${i}`, [256], q, ALL_INT8);
    return addQuantNode(g, 'sigmoid', [`x${i}`], {}, `s${i}`, OUT);
  });
  const runs = runLoweredMany(g, nodes, inputs);
  return quants.map((q, i) => {
    const p = logisticS8Params(q.scale[0], q.zeroPoint[0]);
    return { actual: Array.from(runs[i].outputs[0] as Int8Array), expected: Array.from(ALL_INT8, (v) => logisticS8(v, p)) };
  });
}

test('parameters equal TFLM\'s (frexp of scale · 2^27, CalculateInputRadius(4, shift))', () => {
  // Values printed by TFLM's CalculateArithmeticOpDataLogistic for these float32 scales.
  assert.equal(logisticS8Params(0.25, 68), { inputZeroPoint: 68, inputRangeRadius: 30, inputMultiplier: 1073741824, inputLeftShift: 26 });
  assert.equal(logisticS8Params(Math.fround(0.0269158278), -105), { inputZeroPoint: -105, inputRangeRadius: 480, inputMultiplier: 1849641600, inputLeftShift: 22 });
  assert.equal(logisticS8Params(Math.fround(0.000253666891), -86), { inputZeroPoint: -86, inputRangeRadius: 30720, inputMultiplier: 1115638784, inputLeftShift: 16 });
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [2, 3], quant: q1(0.25, 68) });
  const [call] = lowerNode(g, addQuantNode(g, 'sigmoid', ['x'], {}, 's', OUT));
  assert.is(call.kernel, 'utvm_lut_s8');
  assert.equal(call.args.slice(1), [{ tensor: 'x' }, { tensor: 's_out0' }, { value: 6 }]);
});

test('hand-checked: the zero point gives 1/2 (0), saturation beyond the radius, symmetry', () => {
  // Scale 0.25, zero point 0: radius 30 → x ≤ -30 → -128, x ≥ 30 → 127 (|real| ≥ 7.5).
  const [r] = runAll([q1(0.25, 0)]);
  const at = (v: number) => r.actual[v + 128];
  assert.is(at(0), 0); // logistic(0) = 1/2 → 128/256 − 128
  assert.is(at(-30), -128);
  assert.is(at(-128), -128);
  assert.is(at(30), 127);
  assert.is(at(127), 127);
  // logistic(1) = 0.7311 → 187.2 → 59; logistic(-1) = 0.2689 → 68.8 → -59.
  assert.is(at(4), 59);
  assert.is(at(-4), -59);
  assert.equal(r.actual, r.expected);
});

test('the kernel matches the reference on every int8 input for random quantizations', () => {
  const rng = mulberry32(99);
  const quants = [q1(0.25, 0), q1(1 / 16, -128), q1(0.1, 127), q1(2 ** -10, 5), q1(1.5, -3)];
  for (let i = 0; i < 20; i++) quants.push(q1(2 ** (-12 + 13 * rng()), randomInts(rng, 1, -128, 127)[0]));
  for (const [i, r] of runAll(quants).entries()) assert.equal(r.actual, r.expected, `scale ${quants[i].scale[0]}, zero point ${quants[i].zeroPoint[0]}`);
});

test('errors: output zero point must be -128; default output quantization', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [4], quant: q1(0.1, 0) });
  const plain = addQuantNode(g, 'sigmoid', ['x'], {}, 'a');
  assert.equal(g.tensor(plain.outputs[0]).quant, { scale: [1 / 256], zeroPoint: [-128] });
  const bad = addQuantNode(g, 'sigmoid', ['x'], {}, 'b', q1(1 / 256, 0));
  assert.is(errorOf(() => lowerNode(g, bad)), "node 'b' (sigmoid): int8 logistic needs output zero point -128, got 0");
  const tanh = addQuantNode(g, 'tanh', ['x'], {}, 'c', q1(1 / 128, 0));
  assert.is(lowerNode(g, tanh)[0].kernel, 'utvm_lut_s8', 'int8 tanh is a table too');
});

test('utvm_lut_s8 compiles warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_lut_s8']);
});

test.run();
