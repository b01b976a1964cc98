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
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { OpSpec, OptionField, TensorSpec, buildTflite } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { runPipeline } from '../../src/passes/index.js';

type Type = 'float32' | 'int8';
type Q = { scale: number; zp: number };
const quant = (q: Q) => ({ scale: [q.scale], zeroPoint: [q.zp] });

// BuiltinOptions union ids and fields of schema.fbs, written out here independently of the importers.
const LEAKY_RELU_OPTIONS = 75;
const DIV_OPTIONS = 29;
const leaky = (alpha: number) => ({ type: LEAKY_RELU_OPTIONS, fields: [[0, 'float32', alpha]] as OptionField[] });
const divAct = (activation: number) => ({ type: DIV_OPTIONS, fields: [[0, 'int8', activation]] as OptionField[] });

interface Unary {
  op: string;
  shape: number[];
  qx: Q;
  qy: Q;
  options?: OpSpec['options'];
  /** int8 version (float32 models use 1). */
  v8: number;
  floatOnly?: boolean;
  /** float32 input range (default [-8, 8]). */
  range?: [number, number];
}

const UNARY: Unary[] = [
  { op: 'RELU', shape: [3, 5, 19], qx: { scale: 0.05, zp: -3 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'RELU', shape: [263], qx: { scale: 0.02, zp: 10 }, qy: { scale: 0.07, zp: 5 }, v8: 2 },
  { op: 'RELU', shape: [2, 9, 15], qx: { scale: 0.03, zp: -20 }, qy: { scale: 0.03, zp: -20 }, v8: 2 },
  { op: 'RELU6', shape: [4, 13, 5], qx: { scale: 0.05, zp: 0 }, qy: { scale: 0.05, zp: 0 }, v8: 2 },
  { op: 'RELU6', shape: [1, 3, 9, 11], qx: { scale: 0.1, zp: -128 }, qy: { scale: 0.03, zp: 7 }, v8: 2 },
  { op: 'LEAKY_RELU', shape: [5, 6, 9], qx: { scale: 0.05, zp: 3 }, qy: { scale: 0.04, zp: -10 }, options: leaky(0.2), v8: 1 },
  { op: 'LEAKY_RELU', shape: [271], qx: { scale: 0.02, zp: 127 }, qy: { scale: 0.05, zp: -128 }, options: leaky(1.7), v8: 1 },
  { op: 'LEAKY_RELU', shape: [2, 2, 67], qx: { scale: 0.03, zp: -7 }, qy: { scale: 0.01, zp: 0 }, options: leaky(-0.5), v8: 1 },
  { op: 'TANH', shape: [3, 7, 13], qx: { scale: 0.05, zp: 5 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'TANH', shape: [257], qx: { scale: 0.003, zp: -128 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'TANH', shape: [2, 5, 27], qx: { scale: 0.2, zp: 0 }, qy: { scale: 1 / 128, zp: 0 }, v8: 2 },
  { op: 'HARD_SWISH', shape: [6, 7, 7], qx: { scale: 0.05, zp: -5 }, qy: { scale: 0.03, zp: -40 }, v8: 1 },
  { op: 'HARD_SWISH', shape: [269], qx: { scale: 0.2, zp: 100 }, qy: { scale: 0.01, zp: 0 }, v8: 1 },
  { op: 'HARD_SWISH', shape: [3, 1, 89], qx: { scale: 0.001, zp: 0 }, qy: { scale: 0.0004, zp: -128 }, v8: 1 },
  { op: 'RSQRT', shape: [4, 9, 8], qx: { scale: 0.05, zp: -128 }, qy: { scale: 0.02, zp: -100 }, v8: 2, range: [0.01, 8] },
  { op: 'RSQRT', shape: [263], qx: { scale: 4, zp: -128 }, qy: { scale: 0.0005, zp: -128 }, v8: 2, range: [0.5, 900] },
  { op: 'ABS', shape: [3, 11, 8], qx: { scale: 0.05, zp: 3 }, qy: { scale: 0.05, zp: -128 }, v8: 2 },
  { op: 'ABS', shape: [7, 2, 19], qx: { scale: 0.05, zp: 0 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'LOGISTIC', shape: [3, 89], qx: { scale: 0.05, zp: -3 }, qy: { scale: 1 / 256, zp: -128 }, v8: 2, range: [-20, 20] },
  { op: 'LOGISTIC', shape: [257], qx: { scale: 0.004, zp: 127 }, qy: { scale: 1 / 256, zp: -128 }, v8: 2 },
  { op: 'EXP', shape: [5, 5], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true, range: [-20, 20] },
  { op: 'LOG', shape: [3, 8], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true, range: [1e-6, 1e6] },
  { op: 'NEG', shape: [9], qx: { scale: 1, zp: 0 }, qy: { scale: 1, zp: 0 }, v8: 1, floatOnly: true },
];

interface Binary {
  op: string;
  as: number[];
  bs: number[];
  qa: Q;
  qb: Q;
  qy: Q;
  v8: number;
  /** Input b is a constant (PRELU's usual alpha). */
  constB?: boolean;
  options?: OpSpec['options'];
  floatOnly?: boolean;
}

const BINARY: Binary[] = [
  { op: 'PRELU', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.01, zp: 2 }, qy: { scale: 0.04, zp: 10 }, v8: 1, constB: true },
  { op: 'PRELU', as: [1, 6, 6, 3], bs: [1, 1, 3], qa: { scale: 0.02, zp: 127 }, qb: { scale: 0.004, zp: -128 }, qy: { scale: 0.05, zp: -128 }, v8: 1, constB: true },
  { op: 'PRELU', as: [3, 1, 4], bs: [2, 1, 4, 1], qa: { scale: 0.03, zp: 7 }, qb: { scale: 0.02, zp: -5 }, qy: { scale: 0.01, zp: 0 }, v8: 1 },
  { op: 'SQUARED_DIFFERENCE', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.013, zp: 7 }, qy: { scale: 0.02, zp: -128 }, v8: 2 },
  { op: 'SQUARED_DIFFERENCE', as: [5, 1, 3], bs: [2, 1, 4, 1], qa: { scale: 0.011, zp: 12 }, qb: { scale: 0.031, zp: -20 }, qy: { scale: 0.3, zp: -100 }, v8: 2 },
  { op: 'SQUARED_DIFFERENCE', as: [1, 33, 35], bs: [1, 33, 35], qa: { scale: 0.023, zp: -128 }, qb: { scale: 0.023, zp: 127 }, qy: { scale: 2.5, zp: -128 }, v8: 2 },
  { op: 'DIV', as: [2, 3, 5, 7], bs: [7], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(0) },
  { op: 'DIV', as: [5, 1, 3], bs: [2, 1, 4, 1], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(1) },
  { op: 'DIV', as: [4, 9], bs: [4, 9], qa: Q1(), qb: Q1(), qy: Q1(), v8: 1, floatOnly: true, options: divAct(3) },
];

function Q1(): Q {
  return { scale: 1, zp: 0 };
}

interface Built {
  bytes: Uint8Array;
  /** `cover`: an int8 input that gets every int8 value (a unary builtin's). */
  inputs: { shape: number[]; range: [number, number]; cover: boolean }[];
  outputs: number;
  ops: string[];
}

function buildModel(type: Type): Built {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const ranges: [number, number][] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const rng = mulberry32(77);
  const tensor = (name: string, shape: number[], q: Q, data?: number[]): number => {
    tensors.push({ name, shape, type, ...(type === 'int8' ? { quant: quant(q) } : {}), ...(data ? { data } : {}) });
    return tensors.length - 1;
  };
  const covers: boolean[] = [];
  const input = (name: string, shape: number[], q: Q, range: [number, number] = [-8, 8], cover = false): number => {
    inputs.push(tensor(name, shape, q));
    ranges.push(range);
    covers.push(cover);
    return inputs[inputs.length - 1];
  };
  const version = (v8: number) => (type === 'int8' ? v8 : 1);
  UNARY.forEach((u, i) => {
    if (type === 'int8' && u.floatOnly) return;
    const x = input(`x${i}`, u.shape, u.qx, u.range, true);
    const y = tensor(`y${i}_${u.op}`, u.shape, u.qy);
    outputs.push(y);
    operators.push({ op: u.op, version: version(u.v8), inputs: [x], outputs: [y], ...(u.options ? { options: u.options } : {}) });
  });
  BINARY.forEach((b, i) => {
    if (type === 'int8' && b.floatOnly) return;
    const a = input(`a${i}`, b.as, b.qa, b.op === 'DIV' ? [0.5, 8] : undefined);
    const n = b.bs.reduce((p, d) => p * d, 1);
    const constant = type === 'int8' ? randomInts(rng, n, -128, 127) : Array.from(randomFloats(rng, n, -1, 1));
    const c = b.constB ? tensor(`alpha${i}`, b.bs, b.qb, constant) : input(`b${i}`, b.bs, b.qb, b.op === 'DIV' ? [-4, 4] : undefined);
    const y = tensor(`z${i}_${b.op}`, broadcastShapes(b.as, b.bs)!, b.qy);
    outputs.push(y);
    operators.push({ op: b.op, version: version(b.v8), inputs: [a, c], outputs: [y], ...(b.options ? { options: b.options } : {}) });
  });
  return {
    bytes: buildTflite({ tensors, inputs, outputs, operators }),
    inputs: inputs.map((t, k) => ({ shape: tensors[t].shape, range: ranges[k], cover: covers[k] })),
    outputs: outputs.length,
    ops: [...new Set(operators.map((o) => String(o.op)))],
  };
}

function randomCases(b: Built, type: Type, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ shape, range, cover }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (type === 'float32') return { dtype: 'float32', shape, data: randomFloats(rng, n, range[0], range[1]) };
      const data = Int8Array.from(randomInts(rng, n, -128, 127));
      if (cover) {
        assert.ok(n >= 256, `a unary input of ${n} elements`);
        const perm = Array.from({ length: 256 }, (_, v) => v - 128);
        for (let k = 255; k > 0; k--) {
          const j = randomInts(rng, 1, 0, k)[0];
          [perm[k], perm[j]] = [perm[j], perm[k]];
        }
        perm.forEach((v, k) => (data[k] = v));
      }
      return { dtype: 'int8', shape, data };
    }),
  );
}

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
