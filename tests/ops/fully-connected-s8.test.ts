/**
 * gemm on int8 tensors = TFLite FULLY_CONNECTED (src/ops/gemm/s8.ts and utvm_fully_connected_s8):
 * the multiplier arithmetic of TFLite Micro (per-tensor: float32 scale product; per-channel: double),
 * the folded bias, the kernel against a TypeScript transcription of TFLite's reference FullyConnected on
 * randomised shapes, hand-checked rounding cases, errors and the Cortex-M7 build.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CValue } from '../../src/ir/c-value.js';
import { Graph, Node, Quant } from '../../src/ir/graph.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, quantizedActivationRange } from '../../src/ir/quant.js';
import type { GemmAttrs } from '../../src/ops/gemm/index.js';
import { fullyConnectedMultipliers } from '../../src/ops/gemm/s8.js';
import type { Clamp, KernelCall } from '../../src/ops/op.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { addNode, lowerNode, runLowered, RUNTIME_C } from '../util/run-lowered.js';

// ---------------------------------------------------------------------------------------------------
// Helpers

interface FcCase {
  m: number;
  k: number;
  n: number;
  x: Int8Array;
  /** [n, k] when transB (the TFLite layout), else [k, n]. */
  w: Int8Array;
  bias?: Int32Array;
  xq: Quant;
  wq: Quant;
  yq: Quant;
  clamp?: Clamp;
  transB?: boolean;
}

const q1 = (scale: number, zeroPoint: number): Quant => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint] });

function buildGraph(c: FcCase): { g: Graph; node: Node } {
  const transB = c.transB ?? true;
  const g = new Graph('t');
  g.addTensor({ name: 'a', dtype: 'int8', shape: [c.m, c.k], quant: c.xq });
  g.addTensor({ name: 'w', dtype: 'int8', shape: transB ? [c.n, c.k] : [c.k, c.n], data: c.w, quant: c.wq });
  if (c.bias) g.addTensor({ name: 'b', dtype: 'int32', shape: [c.n], data: c.bias });
  const attrs: GemmAttrs = { transA: false, transB, alpha: 1, beta: 1, clamp: c.clamp };
  const node = addNode(g, 'gemm', c.bias ? ['a', 'w', 'b'] : ['a', 'w'], attrs, 'fc');
  g.tensor(node.outputs[0]).quant = c.yq;
  return { g, node };
}

/** TFLite's reference FullyConnected / FullyConnectedPerChannel with TFLite Micro's multipliers. */
function referenceFc(c: FcCase): Int8Array {
  const transB = c.transB ?? true;
  const inScale = c.xq.scale[0];
  const outScale = c.yq.scale[0];
  // CalculateOpDataFullyConnected: per-tensor through GetQuantizedConvolutionMultipler, whose scale
  // product is a float32 product; per-channel in double.
  const mults = c.wq.scale.length === 1
    ? [quantizeMultiplier(Math.fround(inScale * c.wq.scale[0]) / outScale)]
    : c.wq.scale.map((s) => quantizeMultiplier((inScale * s) / outScale));
  const range = quantizedActivationRange(c.clamp, outScale, c.yq.zeroPoint[0]);
  const out = new Int8Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) {
    let acc = 0;
    for (let p = 0; p < c.k; p++) acc += c.w[transB ? j * c.k + p : p * c.n + j] * (c.x[i * c.k + p] - c.xq.zeroPoint[0]);
    if (c.bias) acc += c.bias[j];
    const mq = mults[mults.length === 1 ? 0 : j];
    const v = multiplyByQuantizedMultiplier(acc, mq.multiplier, mq.shift) + c.yq.zeroPoint[0];
    out[i * c.n + j] = Math.min(range.max, Math.max(range.min, v));
  }
  return out;
}

function runCase(c: FcCase): { actual: Int8Array; expected: Int8Array; call: KernelCall; g: Graph } {
  const { g, node } = buildGraph(c);
  const { calls, outputs } = runLowered(g, node, { a: c.x });
  assert.is(calls.length, 1);
  assert.is(calls[0].kernel, 'utvm_fully_connected_s8');
  assert.is(calls[0].header, 'utvm/fully_connected_s8.h');
  return { actual: outputs[0] as Int8Array, expected: referenceFc(c), call: calls[0], g };
}

function paramsOf(call: KernelCall): Record<string, number> {
  return (call.args[0] as { params: CValue }).params as Record<string, number>;
}

function equalInts(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.unreachable(`${what}: [${i}] ${actual[i]} != ${expected[i]} (of ${expected.length})`);
  }
}

/** Random data over the full int8 range (or `small`: near the zero point, multipliers above 1). */
function randomCase(rng: Rng, m: number, k: number, n: number, opts: { perChannel?: boolean; bias?: boolean; small?: boolean; clamp?: Clamp; transB?: boolean } = {}): FcCase {
  const inScale = Math.fround(0.01 + 0.1 * rng());
  const wScales = Array.from({ length: opts.perChannel ? n : 1 }, () => Math.fround(0.002 + 0.02 * rng()));
  const zx = randomInts(rng, 1, -128, 127)[0];
  const x = opts.small
    ? Int8Array.from(randomInts(rng, m * k, -4, 4), (d) => Math.max(-128, Math.min(127, zx + d)))
    : Int8Array.from(randomInts(rng, m * k, -128, 127));
  const w = Int8Array.from(randomInts(rng, n * k, opts.small ? -4 : -127, opts.small ? 4 : 127));
  const bias = opts.bias === false ? undefined : Int32Array.from(randomInts(rng, n, opts.small ? -50 : -20000, opts.small ? 50 : 20000));
  const outScale = opts.small ? (inScale * wScales[0]) / (1.5 + 3 * rng()) : (inScale * wScales[0] * 20000 * Math.sqrt(k)) / 128;
  const transB = opts.transB ?? true;
  return {
    m, k, n, x, w, bias, clamp: opts.clamp, transB,
    xq: q1(inScale, zx),
    wq: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: transB ? 0 : 1 },
    yq: q1(outScale, randomInts(rng, 1, -128, 127)[0]),
  };
}

// ---------------------------------------------------------------------------------------------------
// The multiplier

test('per-tensor multiplier: the float32 scale product of GetQuantizedConvolutionMultipler', () => {
  // Scales whose float32 product differs from the double product by enough to change the multiplier.
  const rng = mulberry32(3);
  let found = 0;
  for (let i = 0; i < 200 && found < 5; i++) {
    const s = [Math.fround(0.001 + rng()), Math.fround(0.001 + rng() * 0.01), Math.fround(0.01 + rng())];
    const single = quantizeMultiplier(Math.fround(s[0] * s[1]) / s[2]);
    const double = quantizeMultiplier((s[0] * s[1]) / s[2]);
    if (single.multiplier === double.multiplier) continue;
    found++;
    assert.equal(fullyConnectedMultipliers(s[0], [s[1]], s[2]), [single]);
    // Per channel, TFLite Micro computes in double (as the convolution does).
    assert.equal(fullyConnectedMultipliers(s[0], [s[1], s[1]], s[2]), [double, double]);
  }
  assert.is(found, 5);
});

test('per-tensor multiplier reaches the kernel: the ad model\'s first layer shape, 640 → 128', () => {
  const c = randomCase(mulberry32(11), 1, 640, 128);
  const { actual, expected, call } = runCase(c);
  equalInts(actual, expected, 'ad-like');
  const p = paramsOf(call);
  const mq = quantizeMultiplier(Math.fround(c.xq.scale[0] * c.wq.scale[0]) / c.yq.scale[0]);
  assert.is(p.multiplier, mq.multiplier);
  assert.is(p.shift, mq.shift);
  assert.equal(call.args[4], { value: 0 });
  assert.equal(call.args[5], { value: 0 });
});

// ---------------------------------------------------------------------------------------------------
// Randomised shapes against the reference

const RANDOM: { name: string; m: number; k: number; n: number; opts?: Parameters<typeof randomCase>[4] }[] = [
  { name: 'per-channel, the kws classifier shape 64 → 12', m: 1, k: 64, n: 12, opts: { perChannel: true } },
  { name: 'per-channel, 3 rows, odd sizes', m: 3, k: 13, n: 5, opts: { perChannel: true } },
  { name: 'per-tensor, 2 rows, no bias', m: 2, k: 31, n: 7, opts: { bias: false } },
  { name: 'per-tensor, relu', m: 1, k: 40, n: 16, opts: { clamp: { min: 0, max: Infinity } } },
  { name: 'per-channel, relu6, multipliers above 1', m: 2, k: 9, n: 6, opts: { perChannel: true, small: true, clamp: { min: 0, max: 6 } } },
  { name: 'per-tensor, multipliers above 1', m: 1, k: 8, n: 9, opts: { small: true } },
  { name: 'per-channel, weights [K, N] (transB = 0)', m: 2, k: 11, n: 4, opts: { perChannel: true, transB: false } },
  { name: 'one input feature', m: 1, k: 1, n: 3, opts: { perChannel: true, small: true } },
];

for (const [i, r] of RANDOM.entries()) {
  test(`random: ${r.name}`, () => {
    const c = randomCase(mulberry32(500 + i), r.m, r.k, r.n, r.opts);
    const { actual, expected } = runCase(c);
    equalInts(actual, expected, r.name);
    const inside = Array.from(expected).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= expected.length / 4, `${r.name}: ${inside} of ${expected.length} outputs inside (-128, 127)`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Hand-checked cases: each expected value is worked out in the comments.

test('hand: ties, negative accumulators and saturation, per-tensor multiplier 0.25', () => {
  // 0.5 · 0.5 = 0.25 exactly in float32; / 1 → multiplier 2^30, shift −1: out = RDBPOT(SRDHM(acc, 2^30), 1).
  // Input zero point 2, weights row 0 = [1, 1], row 1 = [−1, 2], bias [0, −3].
  //   row x = [3, 5]   (x − 2 = [1, 3]):  acc0 = 4 → SRDHM 2 → 1;      acc1 = −1 + 6 − 3 = 2 → 1 → 1
  //   row x = [0, 0]   (−2, −2):           acc0 = −4 → −2 → −1;        acc1 = 2 − 4 − 3 = −5 → −2 → −1
  //   row x = [127, 127] (125, 125):       acc0 = 250 → 125 → 63;      acc1 = −125 + 250 − 3 = 122 → 61 → 31
  // Output zero point 100: 101, 101, 99, 99, 163 → 127 (saturated), 131 → 127.
  const c: FcCase = {
    m: 3, k: 2, n: 2,
    x: Int8Array.from([3, 5, 0, 0, 127, 127]),
    w: Int8Array.from([1, 1, -1, 2]),
    bias: Int32Array.from([0, -3]),
    xq: q1(0.5, 2), wq: { scale: [0.5], zeroPoint: [0], axis: 0 }, yq: q1(1, 100),
  };
  const { actual, expected, call, g } = runCase(c);
  const p = paramsOf(call);
  assert.equal([p.multiplier, p.shift, p.output_offset, p.act_min, p.act_max], [2 ** 30, -1, 100, -128, 127]);
  // Folded bias: bias − 2 · Σ row = [0 − 2·2, −3 − 2·1] = [−4, −5].
  assert.equal(Array.from(g.tensor((call.args[3] as { tensor: string }).tensor).data as Int32Array), [-4, -5]);
  equalInts(actual, [101, 101, 99, 99, 127, 127], 'kernel');
  equalInts(expected, [101, 101, 99, 99, 127, 127], 'reference');
});

test('hand: per-channel shifts on both sides of zero, saturation at −128', () => {
  // Channel 0: 1 · 3 / 1 = 3 → frexp 0.75 · 2^2: multiplier 0.75·2^31, shift 2: out = trunc(3·acc ± 0.5).
  // Channel 1: 1 · 0.375 / 1 → 0.75 · 2^−1: multiplier 0.75·2^31, shift −1:
  //   RDBPOT(SRDHM(acc, 0.75·2^31), 1), SRDHM = trunc(0.75·acc ± 0.5).
  // Input zero point 0, weights [[1], [1]], no bias, output zero point −10.
  //   x = 1:   ch0 trunc(3.5) = 3 → −7;       ch1 SRDHM trunc(1.25) = 1 → RDBPOT(1, 1) = 1 → −9
  //   x = −1:  ch0 trunc(−3.5 + ε) = −3 → −13; ch1 trunc(−1.25 + ε) = −1 → RDBPOT(−1, 1) = −1 → −11
  //   x = 2:   ch0 6 → −4;                    ch1 trunc(2.0) = 2 → 1 → −9
  //   x = −50: ch0 −150 → −160 → −128;         ch1 trunc(−38 + ε) = −37 → RDBPOT(−37, 1) = −19 → −29
  const c: FcCase = {
    m: 4, k: 1, n: 2,
    x: Int8Array.from([1, -1, 2, -50]),
    w: Int8Array.from([1, 1]),
    xq: q1(1, 0), wq: { scale: [3, 0.375], zeroPoint: [0, 0], axis: 0 }, yq: q1(1, -10),
  };
  const { actual, expected, call, g } = runCase(c);
  const mult = g.tensor((call.args[4] as { tensor: string }).tensor).data as Int32Array;
  const shift = g.tensor((call.args[5] as { tensor: string }).tensor).data as Int32Array;
  assert.equal([...mult, ...shift], [1610612736, 1610612736, 2, -1]);
  equalInts(actual, [-7, -9, -13, -11, -4, -9, -128, -29], 'kernel');
  equalInts(expected, [-7, -9, -13, -11, -4, -9, -128, -29], 'reference');
});

// ---------------------------------------------------------------------------------------------------
// Errors and build

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return assert.unreachable('expected an error') as never;
}

test('errors: transposed A, alpha ≠ 1, per-channel scales along the wrong axis', () => {
  const c = randomCase(mulberry32(21), 2, 3, 3, { perChannel: true });
  let { g, node } = buildGraph(c);
  node.attrs = { ...node.attrs, alpha: 2 };
  assert.match(errorOf(() => lowerNode(g, node)), /int8 gemm needs alpha = 1 and beta = 1 \(got 2 and 1\)/);
  ({ g, node } = buildGraph(c));
  node.attrs = { ...node.attrs, transA: true };
  assert.match(errorOf(() => lowerNode(g, node)), /int8 gemm with a transposed A is not supported/);
  ({ g, node } = buildGraph({ ...c, wq: { ...c.wq, axis: 1 } }));
  assert.match(errorOf(() => lowerNode(g, node)), /weights 'w' are quantized along axis 1; expected the output-channel axis 0/);
});

test('utvm_fully_connected_s8 compiles warning-free for the Cortex-M7 (arm-none-eabi-gcc -Werror)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-fc-s8-arm-'));
  try {
    execFileSync('arm-none-eabi-gcc', [
      '-std=c99', '-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-sp-d16', '-mfloat-abi=hard', '-O2', '-Wall', '-Wextra', '-Werror',
      `-I${RUNTIME_C}/include`, '-c', join(RUNTIME_C, 'src', 'utvm_fully_connected_s8.c'), '-o', join(dir, 'fc.o'),
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
