/**
 * TFLite's 16x8 quantization (int16 activations) for the operators TFLite Micro runs in int16 beyond
 * tests/import/tflite-int16.test.ts: MUL and SUB (broadcasting, fused RELU / RELU6, saturation both
 * ways, both larger input scales), MAXIMUM and MINIMUM (one quantization for all three tensors);
 * AVERAGE_POOL_2D, MAX_POOL_2D (padding, strides, fused activations) and MEAN (axes, keep_dims, zero points);
 * LOGISTIC and TANH (the input scales TFLite Micro treats apart: powers of two, general, large, tiny);
 * SOFTMAX int16 → int16 (betas, input scales, row lengths).
 * One model per family holds every case; every output byte must equal TFLite Micro's (tflm-run) on seeded
 * random inputs on the host; one model with every family runs once on the emulated Cortex-M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { DType } from '../../src/ir/dtype.js';
import { mulberry32, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, activationOptions, buildTflite, poolOptions, reducerOptions, softmaxOptions } from '../util/tflite-build.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

/** A model under construction: tensors, graph inputs and outputs, operators. */
class Model {
  tensors: TensorSpec[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  operators: OpSpec[] = [];
  /** An int16 tensor quantized (scale, zero point); a graph input or output when `edge` says so. */
  t16(name: string, shape: number[], scale: number, zp = 0, edge?: 'in' | 'out'): number {
    const i = this.tensors.push({ name, shape, type: 'int16', quant: { scale: [scale], zeroPoint: [zp] } }) - 1;
    if (edge === 'in') this.inputs.push(i);
    if (edge === 'out') this.outputs.push(i);
    return i;
  }
  build(): Built {
    const bytes = buildTflite({ tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, operators: this.operators });
    return { bytes, inputs: this.inputs.map((t) => ({ dtype: 'int16' as DType, shape: this.tensors[t].shape })), outputs: this.outputs.length };
  }
}

interface Built {
  bytes: Uint8Array;
  inputs: { dtype: DType; shape: number[] }[];
  outputs: number;
}

// ---------------------------------------------------------------------------------------------------
// MUL, SUB, MAXIMUM, MINIMUM

interface Binary16 {
  op: 'MUL' | 'SUB' | 'MAXIMUM' | 'MINIMUM';
  as: number[];
  bs: number[];
  sa: number;
  sb: number;
  sy: number;
  activation?: number;
}

const BINARY16: Binary16[] = [
  { op: 'MUL', as: [2, 3, 5], bs: [2, 3, 5], sa: 0.0003, sb: 0.0002, sy: 0.0008 },
  { op: 'MUL', as: [4, 7], bs: [7], sa: 0.001, sb: 0.0005, sy: 0.008, activation: 1 },
  { op: 'MUL', as: [1, 3, 1], bs: [2, 1, 6], sa: 0.0002, sb: 0.002, sy: 0.00025, activation: 3 },
  { op: 'MUL', as: [1], bs: [3, 11], sa: 0.01, sb: 0.01, sy: 2 },
  { op: 'MUL', as: [3, 7], bs: [3, 7], sa: 0.0007, sb: 0.0004, sy: 0.002, activation: 1 },
  { op: 'SUB', as: [2, 3, 5], bs: [2, 3, 5], sa: 0.0003, sb: 0.0002, sy: 0.0002 },
  { op: 'SUB', as: [4, 7], bs: [7], sa: 0.0001, sb: 0.0005, sy: 0.0003, activation: 1 },
  { op: 'SUB', as: [1, 3, 1], bs: [2, 1, 6], sa: 0.0002, sb: 0.0002, sy: 0.0001, activation: 3 },
  { op: 'SUB', as: [3, 11], bs: [1], sa: 0.00007, sb: 0.001, sy: 0.00013 },
  { op: 'MAXIMUM', as: [2, 3, 5], bs: [2, 3, 5], sa: 0.0004, sb: 0.0004, sy: 0.0004 },
  { op: 'MAXIMUM', as: [1, 3, 1], bs: [2, 1, 6], sa: 0.0004, sb: 0.0004, sy: 0.0004 },
  { op: 'MINIMUM', as: [4, 7], bs: [7], sa: 0.0004, sb: 0.0004, sy: 0.0004 },
  { op: 'MINIMUM', as: [1], bs: [3, 11], sa: 0.0004, sb: 0.0004, sy: 0.0004 },
];

const BINARY_VERSION = { MUL: 4, SUB: 3, MAXIMUM: 2, MINIMUM: 2 };

function addBinary16(m: Model): void {
  BINARY16.forEach((c, i) => {
    const a = m.t16(`bin_a${i}`, c.as, c.sa, 0, 'in');
    const b = m.t16(`bin_b${i}`, c.bs, c.sb, 0, 'in');
    const y = m.t16(`bin_y${i}`, broadcastShapes(c.as, c.bs)!, c.sy, 0, 'out');
    const options =
      c.op === 'MUL' ? activationOptions(OptionsType.MulOptions, c.activation ?? 0)
      : c.op === 'SUB' ? activationOptions(OptionsType.SubOptions, c.activation ?? 0)
      : undefined;
    m.operators.push({ op: c.op, version: BINARY_VERSION[c.op], inputs: [a, b], outputs: [y], ...(options ? { options } : {}) });
  });
}

// ---------------------------------------------------------------------------------------------------
// AVERAGE_POOL_2D, MAX_POOL_2D, MEAN

interface Pool16 {
  op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';
  x: number[];
  filter: [number, number];
  stride: [number, number];
  padding: 'SAME' | 'VALID';
  activation?: number;
  scale: number;
  zp?: number;
}

const POOL16: Pool16[] = [
  { op: 'AVERAGE_POOL_2D', x: [1, 7, 6, 3], filter: [3, 3], stride: [2, 2], padding: 'SAME', activation: 1, scale: 0.0003 },
  { op: 'AVERAGE_POOL_2D', x: [2, 5, 5, 4], filter: [2, 2], stride: [2, 2], padding: 'VALID', scale: 0.0003 },
  { op: 'AVERAGE_POOL_2D', x: [1, 8, 7, 2], filter: [3, 2], stride: [1, 2], padding: 'SAME', activation: 3, scale: 0.0005 },
  { op: 'MAX_POOL_2D', x: [1, 7, 6, 3], filter: [3, 3], stride: [2, 2], padding: 'SAME', scale: 0.0003 },
  { op: 'MAX_POOL_2D', x: [2, 5, 5, 4], filter: [2, 3], stride: [1, 2], padding: 'VALID', activation: 3, scale: 0.0001 },
  { op: 'MAX_POOL_2D', x: [1, 9, 4, 5], filter: [4, 1], stride: [3, 1], padding: 'SAME', activation: 1, scale: 0.0002, zp: -7 },
];

interface Mean16 {
  x: number[];
  axes: number[];
  keep: boolean;
  sx: number;
  sy: number;
  zx?: number;
  zy?: number;
}

const MEAN16: Mean16[] = [
  { x: [2, 5, 7, 3], axes: [1, 2], keep: true, sx: 0.0004, sy: 0.0004 },
  { x: [3, 11], axes: [1], keep: false, sx: 0.0004, sy: 0.00002 },
  { x: [2, 3, 4, 5], axes: [0, 3], keep: true, sx: 0.0003, sy: 0.0001, zx: 11, zy: -5 },
  { x: [4, 6], axes: [-1, 0], keep: false, sx: 0.001, sy: 0.003 },
];

function addPool16(m: Model): void {
  POOL16.forEach((c, i) => {
    const x = m.t16(`pool_x${i}`, c.x, c.scale, c.zp ?? 0, 'in');
    const size = (d: number, k: number, s: number) => (c.padding === 'SAME' ? Math.ceil(d / s) : Math.floor((d - k) / s) + 1);
    const shape = [c.x[0], size(c.x[1], c.filter[0], c.stride[0]), size(c.x[2], c.filter[1], c.stride[1]), c.x[3]];
    const y = m.t16(`pool_y${i}`, shape, c.scale, c.zp ?? 0, 'out');
    m.operators.push({ op: c.op, version: 3, inputs: [x], outputs: [y], options: poolOptions({ padding: c.padding, stride: c.stride, filter: c.filter, activation: c.activation }) });
  });
  MEAN16.forEach((c, i) => {
    const x = m.t16(`mean_x${i}`, c.x, c.sx, c.zx ?? 0, 'in');
    const axes = m.tensors.push({ name: `mean_axes${i}`, shape: [c.axes.length], type: 'int32', data: c.axes }) - 1;
    const reduced = new Set(c.axes.map((a) => (a < 0 ? a + c.x.length : a)));
    const shape = c.x.flatMap((d, j) => (reduced.has(j) ? (c.keep ? [1] : []) : [d]));
    const y = m.t16(`mean_y${i}`, shape, c.sy, c.zy ?? 0, 'out');
    m.operators.push({ op: 'MEAN', version: 3, inputs: [x, axes], outputs: [y], options: reducerOptions(c.keep) });
  });
}

// ---------------------------------------------------------------------------------------------------
// LOGISTIC, TANH

/** Input scales: the power-of-two ones TFLite Micro special-cases (and one within its 1e-3 log2 tolerance), general ones, large and tiny. */
const ACT_SCALES = [2 ** -12, 2 ** -11, 2 ** -12 * 1.0004, 0.0003, 1 / 3000, 0.001, 2, 3e-6];

function addActivations16(m: Model): void {
  for (const op of ['LOGISTIC', 'TANH'] as const) {
    ACT_SCALES.forEach((scale, i) => {
      const shape = [[2, 9], [17], [1, 3, 5]][i % 3];
      const x = m.t16(`${op}_x${i}`, shape, scale, 0, 'in');
      const y = m.t16(`${op}_y${i}`, shape, 1 / 32768, 0, 'out');
      m.operators.push({ op, version: 3, inputs: [x], outputs: [y] });
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// SOFTMAX int16 → int16

const SOFTMAX16: { shape: number[]; scale: number; beta: number }[] = [
  { shape: [1, 19], scale: 0.0003, beta: 1 },
  { shape: [2, 3, 5], scale: 0.00005, beta: 1 },
  { shape: [3, 1], scale: 0.001, beta: 0.5 },
  { shape: [2, 40], scale: 1 / 4096, beta: 2 },
  { shape: [5, 7], scale: 0.00001, beta: 1 },
];

function addSoftmax16(m: Model): void {
  SOFTMAX16.forEach((c, i) => {
    const x = m.t16(`sm_x${i}`, c.shape, c.scale, 0, 'in');
    const y = m.t16(`sm_y${i}`, c.shape, 1 / 32768, 0, 'out');
    m.operators.push({ op: 'SOFTMAX', version: 3, inputs: [x], outputs: [y], options: softmaxOptions(c.beta) });
  });
}

// ---------------------------------------------------------------------------------------------------

const FAMILIES = { binary: addBinary16, pool: addPool16, activations: addActivations16, softmax: addSoftmax16 };

function buildFamilies(...names: (keyof typeof FAMILIES)[]): Built {
  const m = new Model();
  for (const n of names) FAMILIES[n](m);
  return m.build();
}

function randomCases(b: Built, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ dtype, shape }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      return { dtype, shape, data: Int16Array.from(randomInts(rng, n, -32768, 32767)) };
    }),
  );
}

/** Runs `b` on the host and with TFLM, compares every byte, returns our outputs' values per output index. */
function hostSame(b: Built, name: string, seed: number): number[][] {
  const cases = randomCases(b, seed, 2);
  const ours = runModel(b.bytes, `${name}.tflite`, cases, { target: 'host', name });
  const theirs = runTflm(b.bytes, cases.map((c) => c.map(toBytes)), b.outputs);
  assertSameBytes('host', ours, theirs);
  return Array.from({ length: b.outputs }, (_, i) => ours.flatMap((outs) => [...outs[i].data].map(Number)));
}

function assertVariedAndSaturated(values: number[], what: string, saturates = true): void {
  assert.ok(new Set(values).size > values.length / 4, `${what}: outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  if (saturates) assert.ok(values.includes(32767) && values.includes(-32768), `${what}: saturates both ways`);
}

test('16x8 MUL, SUB (broadcasting, a scalar, RELU, RELU6), MAXIMUM, MINIMUM: host = TFLM bit for bit', () => {
  const m = buildFamilies('binary');
  const g = loadGraph(m.bytes, 'bin16.tflite', 'bin16');
  assert.equal(g.nodes.map((n) => n.op), ['mul', 'mul', 'mul', 'mul', 'mul', 'sub', 'sub', 'sub', 'sub', 'maximum', 'maximum', 'minimum', 'minimum']);
  const values = hostSame(m, 'bin16', 1701);
  const of = (op: string) => BINARY16.flatMap((c, i) => (c.op === op ? values[i] : []));
  assertVariedAndSaturated(of('MUL'), 'MUL');
  assertVariedAndSaturated(of('SUB'), 'SUB');
  assertVariedAndSaturated([...of('MAXIMUM'), ...of('MINIMUM')], 'MAXIMUM/MINIMUM', false);
});

test('16x8 AVERAGE_POOL_2D, MAX_POOL_2D (SAME/VALID, strides, RELU, RELU6, a zero point) and MEAN (axes, keep_dims, zero points, scale changes): host = TFLM bit for bit', () => {
  const m = buildFamilies('pool');
  const values = hostSame(m, 'pool16', 1711);
  const pools = values.slice(0, POOL16.length).flat();
  assert.ok(new Set(pools).size > pools.length / 4, `pool outputs vary: ${new Set(pools).size} distinct of ${pools.length}`);
  assert.ok(values[2].every((v) => v >= 0 && v <= Math.round(6 / 0.0005)), 'RELU6 average pool within [0, 6]');
  const means = values.slice(POOL16.length).flat();
  assert.ok(means.includes(32767) && means.includes(-32768), 'MEAN saturates both ways');
});

test('16x8 LOGISTIC and TANH (power-of-two, near power-of-two, general, large and tiny input scales): host = TFLM bit for bit', () => {
  const m = buildFamilies('activations');
  const values = hostSame(m, 'act16', 1721);
  const n = ACT_SCALES.length;
  const sig = values.slice(0, n).flat();
  const tanh = values.slice(n).flat();
  assert.ok(new Set(sig).size > sig.length / 3 && new Set(tanh).size > tanh.length / 3, 'outputs vary');
  assert.ok(sig.includes(32767) && sig.every((v) => v >= 0), 'LOGISTIC reaches 32767 and stays >= 0');
  assert.ok(tanh.includes(32767) && tanh.some((v) => v <= -32767), 'TANH reaches both ends');
});

test("16x8 SOFTMAX int16 → int16 (TFLite Micro's exp and 1 / (1 + x) tables rebuilt by formula; betas, scales, rows of 1 to 40): host = TFLM bit for bit", () => {
  const m = buildFamilies('softmax');
  const values = hostSame(m, 'sm16', 1731);
  const all = values.flat();
  assert.ok(new Set(all).size > all.length / 4, `outputs vary: ${new Set(all).size} distinct of ${all.length}`);
  assert.ok(values[2].every((v) => v === 32767), 'a row of one is 1');
  assert.ok(all.every((v) => v >= 0), 'never negative');
});

function expectError(spec: Parameters<typeof buildTflite>[0], code: string, message: string): void {
  try {
    runModel(buildTflite(spec), 'bad.tflite', [], { target: 'host', name: 'bad' });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, code);
    assert.match((e as UtvmError).message, message);
  }
}

test('int16 MUL with an output zero point (TFLite Micro refuses it) and int16 SUB with an input zero point → E_UNSUPPORTED_ATTR', () => {
  const q = (zp: number) => ({ scale: [0.001], zeroPoint: [zp] });
  const tensors = (zpIn: number, zpOut: number): TensorSpec[] => [
    { name: 'a', shape: [4], type: 'int16', quant: q(zpIn) },
    { name: 'b', shape: [4], type: 'int16', quant: q(0) },
    { name: 'y', shape: [4], type: 'int16', quant: q(zpOut) },
  ];
  expectError({ tensors: tensors(0, 3), inputs: [0, 1], outputs: [2], operators: [{ op: 'MUL', version: 4, inputs: [0, 1], outputs: [2], options: activationOptions(OptionsType.MulOptions, 0) }] }, 'E_UNSUPPORTED_ATTR', 'int16 mul needs the output zero point 0, got 3');
  expectError({ tensors: tensors(-2, 0), inputs: [0, 1], outputs: [2], operators: [{ op: 'SUB', version: 3, inputs: [0, 1], outputs: [2], options: activationOptions(OptionsType.SubOptions, 0) }] }, 'E_UNSUPPORTED_ATTR', 'int16 sub needs input zero points 0, got -2 and 0');
});

test('int16 LOGISTIC and SOFTMAX with an output scale TFLite Micro refuses, TANH of an input scale above 32767 / 12288 → E_UNSUPPORTED_ATTR', () => {
  const spec = (op: string, sx: number, sy: number) => ({
    tensors: [
      { name: 'x', shape: [4], type: 'int16' as const, quant: { scale: [sx], zeroPoint: [0] } },
      { name: 'y', shape: [4], type: 'int16' as const, quant: { scale: [sy], zeroPoint: [0] } },
    ],
    inputs: [0],
    outputs: [1],
    operators: [{ op, version: 3, inputs: [0], outputs: [1], ...(op === 'SOFTMAX' ? { options: softmaxOptions(1) } : {}) }],
  });
  expectError(spec('LOGISTIC', 0.001, 1 / 16384), 'E_UNSUPPORTED_ATTR', 'int16 sigmoid needs the output scale 2^-15, got 0.000061');
  expectError(spec('TANH', 4, 1 / 32768), 'E_UNSUPPORTED_ATTR', 'int16 tanh of an input scale of 4 (above 32767 / 12288) is not supported');
  expectError(spec('SOFTMAX', 0.001, 1 / 65536), 'E_UNSUPPORTED_ATTR', 'int16 softmax needs zero points 0 and output scale 1/32768, got zero points 0 and 0, output scale 0.0000152587890625');
});

test('every int16 family in one model on qemu-mps2-an500 = TFLM', () => {
  const m = buildFamilies(...(Object.keys(FAMILIES) as (keyof typeof FAMILIES)[]));
  const result = compile(m.bytes, 'int16ops.tflite', { name: 'int16ops', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  assert.ok(files.some((f) => f.endsWith('/utvm_mul_s16_dsp.c')), 'the flat MULs take the DSP kernel');
  const cases = randomCases(m, 1790, 2);
  assertSameBytes('qemu', runCompiled(result, cases), runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs));
});

test.run();
