/**
 * TFLite elementwise builtins (src/ops/unary/, src/ops/binary/prelu.ts, squared-difference.ts, DIV):
 * RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, RSQRT, ABS, PRELU, SQUARED_DIFFERENCE on int8 and float32,
 * EXP, LOG, NEG, DIV on float32. One model per type holds every case — odd shapes, broadcasting (PRELU
 * with a constant per-channel alpha and with a run-time alpha broadcast both ways, SQUARED_DIFFERENCE,
 * DIV), every option (LEAKY_RELU's alpha above 1 and negative, DIV's fused NONE/RELU/RELU6) — run on
 * seeded random inputs; every output byte must equal TFLite Micro's (tflm-run).
 *
 * int8: the unary builtins compile to 256-byte tables of TFLM's integer formulas (utvm_lut_s8); their
 * inputs have at least 256 elements and every case feeds each of them all 256 int8 values (in a
 * random order), so every entry of every table is compared. The quantizations give scale ratios above and below 1
 * (both signs of every shift: HARD_SWISH's "reluish" exponent positive and negative), outputs that
 * saturate at −128 and 127, and zero points at −128 and 127. RSQRT inputs have zero point −128 (TFLM
 * stops on an input below the zero point). The int8 model also runs once on the emulated Cortex-M7
 * (qemu-mps2-an500), all cases in one run.
 *
 * float32: the host's libm is the oracle's (glibc), so tanhf, expf, logf and sqrtf agree bit for bit
 * and the comparison is exact (tolerance 0 ULP); LOG and RSQRT get positive inputs, LOGISTIC inputs
 * beyond TFLite's cutoffs (−9, 16.62). Last, a standalone int8 RELU / RELU6 after an int8 ADD fuses into
 * it when its input and output share a quantization (src/passes/fuse-activation.ts), still = TFLM.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, buildTflite } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { runPipeline } from '../../src/passes/index.js';

import { elementwiseModel as buildModel, elementwiseCases as randomCases } from '../util/elementwise-models.js';

for (const type of ['float32', 'int8'] as const) {
  test(`TFLite elementwise builtins on ${type}: every output byte = TFLM`, () => {
    const m = buildModel(type);
    const g = loadGraph(m.bytes, `elementwise_${type}.tflite`, `elementwise_${type}`);
    const ops = new Set(g.nodes.map((n) => n.op));
    const expected = ['relu', 'clip', 'leaky_relu', 'tanh', 'hard_swish', 'rsqrt', 'abs', 'prelu', 'squared_difference'];
    if (type === 'float32') expected.push('exp', 'log', 'neg', 'div');
    for (const op of expected) assert.ok(ops.has(op), `${op} in ${[...ops]}`);
    const cases = randomCases(m, type, type === 'int8' ? 1301 : 1302, 4);
    const ours = runModel(m.bytes, `elementwise_${type}.tflite`, cases, { target: 'host', name: `elementwise_${type}` });
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    const bytes = assertSameBytes(type, ours, theirs);
    assert.ok(bytes > 4 * 1000, `compared ${bytes} bytes`);
    if (type === 'int8') {
      const values = ours.flatMap((outs) => outs.flatMap((o) => [...(o.data as Int8Array)]));
      assert.ok(values.includes(127) && values.includes(-128), 'outputs saturate both ways');
    }
  });
}

test('int8: the unary builtins are table lookups (utvm_lut_s8); the int8 model on qemu-mps2-an500 = TFLM', () => {
  const m = buildModel('int8');
  const result = compile(m.bytes, 'elementwise_int8.tflite', { name: 'elementwise_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_lut_s8', 'utvm_prelu_s8', 'utvm_squared_difference_s8']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  assert.not.ok(files.some((f) => f.endsWith('/utvm_relu_f32.c')), 'no float kernel in the int8 model');
  const cases = randomCases(m, 'int8', 1303, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

test('int8 ADD → RELU / RELU6 with one quantization: fused into the ADD (src/passes/fuse-activation.ts); with two: a table; = TFLM', () => {
  const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp] });
  const shape = [3, 37];
  const t = (name: string, qq: ReturnType<typeof q>): TensorSpec => ({ name, shape, type: 'int8', quant: qq });
  const tensors = [
    t('a', q(0.05, -3)), t('b', q(0.03, 5)),
    t('s1', q(0.06, -7)), t('y1', q(0.06, -7)),
    t('s2', q(0.08, -30)), t('y2', q(0.08, -30)),
    t('s3', q(0.06, -7)), t('y3', q(0.03, -128)),
  ];
  const add = (out: number): OpSpec => ({ op: 'ADD', version: 2, inputs: [0, 1], outputs: [out] });
  const bytes = buildTflite({
    tensors,
    inputs: [0, 1],
    outputs: [3, 5, 7],
    operators: [add(2), { op: 'RELU', version: 2, inputs: [2], outputs: [3] }, add(4), { op: 'RELU6', version: 2, inputs: [4], outputs: [5] }, add(6), { op: 'RELU', version: 2, inputs: [6], outputs: [7] }],
  });
  const g = runPipeline(loadGraph(bytes, 'fuse.tflite', 'fuse'));
  assert.equal(g.nodes.map((n) => n.op), ['add', 'add', 'add', 'relu']);
  assert.equal(g.nodes.map((n) => (n.attrs as { clamp?: object }).clamp), [{ min: 0, max: Infinity }, { min: 0, max: 6 }, undefined, undefined]);
  const rng = mulberry32(1304);
  const cases = Array.from({ length: 3 }, () => [0, 1].map((): TensorValue => ({ dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, 111, -128, 127)) })));
  const ours = runModel(bytes, 'fuse.tflite', cases, { target: 'host', name: 'fuse' });
  assertSameBytes('fused int8', ours, runTflm(bytes, cases.map((c) => c.map(toBytes)), 3));
});

test.run();
