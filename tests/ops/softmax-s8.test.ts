/**
 * softmax on int8 tensors (src/ops/softmax/s8.ts, utvm_softmax_s8, runtime-c/include/utvm/fixedpoint.h):
 * the compile-time parameters on the exact quantizations of the MLPerf Tiny models' last layers (values
 * TFLite's PreprocessSoftmaxScaling / CalculateInputRadius give), the fixed-point functions in C against
 * their TypeScript twins (src/ir/fixedpoint.ts), the kernel against the TypeScript transcription of
 * CMSIS-NN's arm_softmax_s8 on randomised rows, hand-checked rows, errors and the Cortex-M7 build.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expOnNegativeValues, logistic, oneOverOnePlusX, softmaxS8Line, softmaxS8Params } from '../../src/ir/fixedpoint.js';
import { formatCValue } from '../../src/ir/c-value.js';
import type { CValue } from '../../src/ir/c-value.js';
import { Graph, Node, Quant } from '../../src/ir/graph.js';
import { softmaxView } from '../../src/ops/softmax/index.js';
import { errorOf } from '../util/lower.js';
import { Rng, mulberry32, randomInts } from '../util/random.js';
import { RUNTIME_C, lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8 } from '../util/s8.js';

const OUT = q1(1 / 256, -128);

/** The input quantizations of the MLPerf Tiny models' SOFTMAX (from the .tflite files). */
const MLPERF_SOFTMAX_INPUTS: Record<string, { quant: Quant; n: number }> = {
  ic: { quant: q1(0.17185351252555847, 24), n: 10 },
  kws: { quant: q1(0.14469251036643982, 14), n: 12 },
  vww: { quant: q1(0.014636218547821045, -5), n: 2 },
};

/** The reference over an [outer, n, inner] view, line by line. */
function referenceSoftmax(x: Int8Array, shape: number[], axis: number, scale: number, beta = 1): number[] {
  const { outer, n, inner } = softmaxView(shape, axis);
  const p = softmaxS8Params(Math.fround(beta), scale)!;
  const y = new Array<number>(x.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const idx = Array.from({ length: n }, (_, j) => (o * n + j) * inner + i);
    softmaxS8Line(idx.map((k) => x[k]), p).forEach((v, j) => (y[idx[j]] = v));
  }
  return y;
}

interface SoftmaxCase {
  shape: number[];
  axis: number;
  quant: Quant;
  beta?: number;
  x: Int8Array;
}

function runCases(cases: SoftmaxCase[]): { actual: number[]; expected: number[] }[] {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes: Node[] = cases.map((c, i) => {
    inputs[`x${i}`] = int8Input(g, `x${i}`, c.shape, c.quant, c.x);
    return addQuantNode(g, 'softmax', [`x${i}`], { axis: c.axis, ...(c.beta !== undefined ? { beta: c.beta } : {}) }, `s${i}`, OUT);
  });
  const runs = runLoweredMany(g, nodes, inputs);
  return cases.map((c, i) => ({
    actual: Array.from(runs[i].outputs[0] as Int8Array),
    expected: referenceSoftmax(c.x, c.shape, c.axis, c.quant.scale[0], c.beta),
  }));
}

/** Compiles a C main (with the given headers and kernel files) and returns the integers it prints. */
function runIntProgram(headers: string[], kernels: string[], body: string[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-fp-'));
  try {
    const src = ['#include <stdio.h>', ...headers.map((h) => `#include "${h}"`), 'int main(void) {', ...body, 'return 0;', '}'].join('\n');
    writeFileSync(join(dir, 'main.c'), src);
    const sources = kernels.map((k) => join(RUNTIME_C, 'src', `${k}.c`));
    execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${RUNTIME_C}/include`, join(dir, 'main.c'), ...sources, '-o', join(dir, 'main')], { stdio: ['ignore', 'pipe', 'pipe'] });
    return execFileSync(join(dir, 'main'), { maxBuffer: 1 << 26 }).toString().trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows mixing near-maximum values, values just inside and outside diff_min, and saturated ones. */
function randomRow(rng: Rng, n: number, spread: number): Int8Array {
  const top = randomInts(rng, 1, -128 + spread, 127)[0];
  return Int8Array.from(randomInts(rng, n, top - spread, top));
}

// ---------------------------------------------------------------------------------------------------
// Parameters

test('parameters on the MLPerf models\' last-layer quantizations equal TFLite\'s', () => {
  // PreprocessSoftmaxScaling(1, scale, 5) and -CalculateInputRadius(5, shift) as TFLite computes them.
  assert.equal(softmaxS8Params(1, MLPERF_SOFTMAX_INPUTS.ic.quant.scale[0]), { inputMultiplier: 1476210432, inputLeftShift: 24, diffMin: -124 });
  assert.equal(softmaxS8Params(1, MLPERF_SOFTMAX_INPUTS.kws.quant.scale[0]), { inputMultiplier: 1242899200, inputLeftShift: 24, diffMin: -124 });
  assert.equal(softmaxS8Params(1, MLPERF_SOFTMAX_INPUTS.vww.quant.scale[0]), { inputMultiplier: 2011586560, inputLeftShift: 20, diffMin: -1984 });
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 12], quant: MLPERF_SOFTMAX_INPUTS.kws.quant });
  const [call] = lowerNode(g, addQuantNode(g, 'softmax', ['x'], { axis: 1 }, 's', OUT));
  assert.is(call.kernel, 'utvm_softmax_s8');
  assert.equal(call.args[0], {
    params: { outer: 1, n: 12, inner: 1, input_multiplier: 1242899200, input_left_shift: 24, diff_min: -124 },
    type: 'utvm_softmax_params_s8',
  });
});

test('infer gives int8 softmax TFLite\'s output quantization; errors name what is wrong', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [1, 12], quant: q1(0.1, 0) });
  const plain = addQuantNode(g, 'softmax', ['x'], { axis: 1 }, 'a');
  assert.equal(g.tensor(plain.outputs[0]).quant, { scale: [1 / 256], zeroPoint: [-128] });
  const bad = addQuantNode(g, 'softmax', ['x'], { axis: 1 }, 'b', q1(1 / 128, 0));
  assert.is(errorOf(() => lowerNode(g, bad)), "node 'b' (softmax): int8 softmax needs output scale 1/256 and zero point -128, got scale 0.0078125 and zero point 0");
  g.addTensor({ name: 'long', dtype: 'int8', shape: [1, 5000], quant: q1(0.1, 0) });
  const long = addQuantNode(g, 'softmax', ['long'], { axis: 1 }, 'c', OUT);
  assert.is(errorOf(() => lowerNode(g, long)), "node 'c' (softmax): int8 softmax over 5000 values is not supported (at most 4095)");
  g.addTensor({ name: 'tiny', dtype: 'int8', shape: [1, 4], quant: q1(2 ** -27, 0) });
  const tiny = addQuantNode(g, 'softmax', ['tiny'], { axis: 1 }, 'd', OUT);
  assert.match(errorOf(() => lowerNode(g, tiny)), /int8 softmax with beta 1 and input scale 7.45\d*e-9 is not supported/);
});

// ---------------------------------------------------------------------------------------------------
// Fixed point

test('C fixed-point exp, 1/(1+x) and logistic equal their TypeScript twins', () => {
  const rng = mulberry32(77);
  const neg = [0, -1, -2, -(2 ** 24), -(2 ** 24) - 1, -(2 ** 26), -(2 ** 31) + 1, ...randomInts(rng, 200, -(2 ** 31) + 1, 0)];
  const unit = [0, 1, 2 ** 30, 2 ** 31 - 1, ...randomInts(rng, 100, 0, 2 ** 31 - 1)];
  const any = [0, 1, -1, 2 ** 27, -(2 ** 27), ...randomInts(rng, 100, -(2 ** 31) + 1, 2 ** 31 - 1)];
  const arr = (name: string, v: number[]) => `static const int32_t ${name}[] = {${v.join(', ')}};`;
  const out = runIntProgram(['utvm/fixedpoint.h'], [], [
    arr('neg', neg), arr('unit', unit), arr('any', any),
    `for (int i = 0; i < ${neg.length}; i++) printf("%ld\\n%ld\\n", (long)utvm_fp_exp_on_negative_values(neg[i], 5), (long)utvm_fp_exp_on_negative_values(neg[i], 4));`,
    `for (int i = 0; i < ${unit.length}; i++) printf("%ld\\n", (long)utvm_fp_one_over_one_plus_x(unit[i]));`,
    `for (int i = 0; i < ${any.length}; i++) printf("%ld\\n", (long)utvm_fp_logistic(any[i], 4));`,
  ]);
  const want = [
    ...neg.flatMap((v) => [expOnNegativeValues(v, 5), expOnNegativeValues(v, 4)]),
    ...unit.map((v) => oneOverOnePlusX(v)),
    ...any.map((v) => logistic(v, 4)),
  ];
  assert.equal(out, want);
  // exp(0) is the largest Q0.31 value, exp(-1) with 5 integer bits ≈ 0.3679 · 2^31, 1/(1+0) saturates.
  assert.is(expOnNegativeValues(0, 5), 2 ** 31 - 1);
  assert.ok(Math.abs(expOnNegativeValues(-(2 ** 26), 5) / 2 ** 31 - Math.exp(-1)) < 1e-6);
  assert.ok(Math.abs(oneOverOnePlusX(2 ** 30) / 2 ** 31 - 2 / 3) < 1e-6);
});

// ---------------------------------------------------------------------------------------------------
// Hand-checked rows

test('hand-checked rows: one value → 127, equal values share 256 evenly, a far maximum takes all', () => {
  const kws = MLPERF_SOFTMAX_INPUTS.kws.quant;
  const runs = runCases([
    { shape: [1, 1], axis: 1, quant: kws, x: Int8Array.from([5]) },
    { shape: [1, 2], axis: 1, quant: kws, x: Int8Array.from([-7, -7]) },
    { shape: [1, 4], axis: 1, quant: kws, x: Int8Array.from([100, 100, 100, 100]) },
    // Differences below diff_min (-124 at this scale) contribute nothing: -128 exactly.
    { shape: [1, 12], axis: 1, quant: kws, x: Int8Array.from([-128, -128, -120, -128, -128, -128, -128, -128, -128, -128, -128, 127]) },
  ]);
  assert.equal(runs[0].actual, [127]); // 256/1 − 128 saturates
  assert.equal(runs[1].actual, [0, 0]); // 128 − 128
  assert.equal(runs[2].actual, [-64, -64, -64, -64]); // 64 − 128
  assert.equal(runs[3].actual, [-128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, 127]);
  for (const r of runs) assert.equal(r.expected, r.actual);
});

// ---------------------------------------------------------------------------------------------------
// Randomised

test('the kernel matches the reference on the MLPerf quantizations and random rows (strided axis, beta)', () => {
  const rng = mulberry32(1312);
  const cases: SoftmaxCase[] = [];
  for (const { quant, n } of Object.values(MLPERF_SOFTMAX_INPUTS)) {
    for (const spread of [3, 30, 127, 255]) cases.push({ shape: [4, n], axis: 1, quant, x: Int8Array.from(Array.from({ length: 4 }, () => Array.from(randomRow(rng, n, spread))).flat()) });
  }
  cases.push({ shape: [2, 3, 5], axis: 1, quant: q1(0.05, 3), x: randomInt8(rng, 30) }); // inner 5
  cases.push({ shape: [3, 1000], axis: 1, quant: q1(0.02, -1), x: Int8Array.from(Array.from({ length: 3 }, () => Array.from(randomRow(rng, 1000, 40))).flat()) });
  cases.push({ shape: [1, 4095], axis: 1, quant: q1(0.5, 0), x: new Int8Array(4095).fill(9) }); // headroom 1: 4095 equal terms
  cases.push({ shape: [2, 17], axis: 1, quant: q1(0.1, 0), beta: 2.5, x: randomInt8(rng, 34) });
  cases.push({ shape: [2, 17], axis: 1, quant: q1(0.3, 0), beta: 0.25, x: randomInt8(rng, 34) });
  for (const [i, r] of runCases(cases).entries()) assert.equal(r.actual, r.expected, `case ${i} [${cases[i].shape}]`);
});

test('in place: the output may be the input buffer (the planner joins them when the input dies)', () => {
  const rng = mulberry32(5);
  const x = randomInt8(rng, 24);
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'int8', shape: [2, 12], quant: MLPERF_SOFTMAX_INPUTS.kws.quant });
  const [call] = lowerNode(g, addQuantNode(g, 'softmax', ['x'], { axis: 1 }, 's', OUT));
  const p = call.args[0] as { params: CValue; type: string };
  const out = runIntProgram(['utvm/softmax.h'], ['utvm_softmax_s8'], [
    `static int8_t buf[24] = {${Array.from(x).join(', ')}};`,
    `static const ${p.type} p = ${formatCValue(p.params)};`,
    'utvm_softmax_s8(&p, buf, buf);',
    'for (int i = 0; i < 24; i++) printf("%d\\n", buf[i]);',
  ]);
  assert.equal(out, referenceSoftmax(x, [2, 12], 1, MLPERF_SOFTMAX_INPUTS.kws.quant.scale[0]));
});

test('utvm_softmax_s8 compiles warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_softmax_s8']);
});

test.run();
