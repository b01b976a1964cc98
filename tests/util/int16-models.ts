/**
 * TFLite models of the int16 (16x8) tests, built here (tests/util/tflite-build.ts) so that the compiler's
 * tests (tests/import/tflite-int16.test.ts, tflite-int16-ops.test.ts) and the reference interpreter's
 * (tests/reference/) hold the same cases to TFLite Micro:
 *   int16EdgeModel  QUANTIZE between every pair TFLite Micro runs, DEQUANTIZE int16, int8 → int16 SOFTMAX;
 *   add16Model      16x8 ADD (broadcasting, a scalar, RELU, RELU6);
 *   int16OpsModel   families: binary (MUL, SUB, MAXIMUM, MINIMUM), pool (AVERAGE/MAX_POOL_2D, MEAN),
 *                   activations (LOGISTIC, TANH), softmax (int16 → int16).
 * The cases' comments are in those test files.
 */

import type { TensorValue } from '../../src/io/tensor-value.js';
import type { DType } from '../../src/ir/dtype.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import { OpSpec, TensorSpec, TfliteType, activationOptions, buildTflite, poolOptions, reducerOptions, softmaxOptions } from './tflite-build.js';

type Q = { scale: number; zp: number };
type Edge = { type: TfliteType; q?: Q };

/** QUANTIZE cases: input, output. */
const QUANTIZES: [Edge, Edge][] = [
  [{ type: 'float32' }, { type: 'int16', q: { scale: 0.0003, zp: 0 } }],
  [{ type: 'float32' }, { type: 'int16', q: { scale: 0.00007, zp: -1200 } }],
  [{ type: 'int16', q: { scale: 0.000625, zp: 0 } }, { type: 'int8', q: { scale: 0.0592083, zp: -128 } }],
  [{ type: 'int16', q: { scale: 0.001, zp: 37 } }, { type: 'int8', q: { scale: 0.1, zp: 5 } }],
  [{ type: 'int16', q: { scale: 0.001, zp: -5 } }, { type: 'int16', q: { scale: 0.0007, zp: 100 } }],
  [{ type: 'int16', q: { scale: 1 / 65536, zp: -32768 } }, { type: 'int32', q: { scale: 1 / 32767, zp: 0 } }],
  [{ type: 'int16', q: { scale: 0.01, zp: 3 } }, { type: 'int32', q: { scale: 0.00001, zp: -7 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: -3 } }, { type: 'int8', q: { scale: 0.02, zp: 10 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: -3 } }, { type: 'int16', q: { scale: 0.0001, zp: 0 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: 7 } }, { type: 'int32', q: { scale: 0.001, zp: 11 } }],
  [{ type: 'int32', q: { scale: 0.0001, zp: 2 } }, { type: 'int8', q: { scale: 0.05, zp: -1 } }],
  [{ type: 'int32', q: { scale: 0.00002, zp: -9 } }, { type: 'int16', q: { scale: 0.001, zp: 0 } }],
];

/** DEQUANTIZE cases: input (→ float32). */
const DEQUANTIZES: Edge[] = [
  { type: 'int16', q: { scale: 0.000625, zp: 0 } },
  { type: 'int16', q: { scale: 0.0123, zp: -321 } },
];

const SOFTMAX_IN: Q = { scale: 0.0699627, zp: 2 };
const SHAPES = [[1, 19], [2, 3, 5], [7]];

export interface Int16Model {
  bytes: Uint8Array;
  inputs: { dtype: DType; shape: number[] }[];
  outputs: number;
}

/** Every QUANTIZE and DEQUANTIZE case, and (unless `softmax` is false) an int8 → int16 SOFTMAX. */
export function int16EdgeModel(softmax = true): Int16Model {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (name: string, shape: number[], e: Edge, extra: Partial<TensorSpec> = {}) =>
    tensors.push({ name, shape, type: e.type, ...(e.q ? { quant: { scale: [e.q.scale], zeroPoint: [e.q.zp] } } : {}), ...extra }) - 1;
  QUANTIZES.forEach(([from, to], i) => {
    const shape = SHAPES[i % SHAPES.length];
    // a −1 batch in the signature of the first case's tensors
    const sig = i === 0 ? { shapeSignature: [-1, ...shape.slice(1)] } : {};
    const x = add(`q_in${i}`, shape, from, sig);
    const y = add(`q_out${i}`, shape, to, sig);
    inputs.push(x);
    outputs.push(y);
    operators.push({ op: 'QUANTIZE', version: 2, inputs: [x], outputs: [y] });
  });
  DEQUANTIZES.forEach((from, i) => {
    const x = add(`dq_in${i}`, [3, 11], from);
    const y = add(`dq_out${i}`, [3, 11], { type: 'float32' });
    inputs.push(x);
    outputs.push(y);
    operators.push({ op: 'DEQUANTIZE', version: 3, inputs: [x], outputs: [y] });
  });
  if (softmax) {
  const sx = add('sm_in', [3, 10], { type: 'int8', q: SOFTMAX_IN });
  const sy = add('sm_out', [3, 10], { type: 'int16', q: { scale: 1 / 65536, zp: -32768 } });
  inputs.push(sx);
  outputs.push(sy);
  operators.push({ op: 'SOFTMAX', version: 2, inputs: [sx], outputs: [sy], options: softmaxOptions(1) });
  }
  const dtypeOf = (t: TfliteType): DType => t as DType;
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputs: inputs.map((t) => ({ dtype: dtypeOf(tensors[t].type ?? 'float32'), shape: tensors[t].shape })), outputs: outputs.length };
}

const RANGES: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 22), 2 ** 22] };

export function int16EdgeCases(b: Int16Model, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ dtype, shape }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (dtype === 'float32') return { dtype, shape, data: randomFloats(rng, n, -12, 12) };
      const [lo, hi] = RANGES[dtype];
      const data = dtype === 'int8' ? Int8Array.from(randomInts(rng, n, lo, hi)) : dtype === 'int16' ? Int16Array.from(randomInts(rng, n, lo, hi)) : Int32Array.from(randomInts(rng, n, lo, hi));
      return { dtype, shape, data };
    }),
  );
}

interface Add16 {
  as: number[];
  bs: number[];
  sa: number;
  sb: number;
  sy: number;
  activation: number;
}

const ADD16: Add16[] = [
  { as: [2, 3, 5], bs: [2, 3, 5], sa: 0.0003, sb: 0.0002, sy: 0.0004, activation: 0 },
  { as: [4, 7], bs: [7], sa: 0.0001, sb: 0.0005, sy: 0.0003, activation: 1 },
  { as: [1, 3, 1], bs: [2, 1, 6], sa: 0.0002, sb: 0.0002, sy: 0.0001, activation: 3 },
  { as: [1], bs: [3, 11], sa: 0.001, sb: 0.00007, sy: 0.0002, activation: 0 },
];

export function add16Model(): Int16Model {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (name: string, shape: number[], scale: number) => tensors.push({ name, shape, type: 'int16', quant: { scale: [scale], zeroPoint: [0] } }) - 1;
  ADD16.forEach((c, i) => {
    const a = add(`add_a${i}`, c.as, c.sa);
    const b = add(`add_b${i}`, c.bs, c.sb);
    const shape = broadcastShapes(c.as, c.bs)!;
    const y = add(`add_y${i}`, shape, c.sy);
    inputs.push(a, b);
    outputs.push(y);
    operators.push({ op: 'ADD', version: 3, inputs: [a, b], outputs: [y], options: activationOptions(OptionsType.AddOptions, c.activation) });
  });
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputs: inputs.map((t) => ({ dtype: 'int16' as DType, shape: tensors[t].shape })), outputs: outputs.length };
}

// ---------------------------------------------------------------------------------------------------
// tests/import/tflite-int16-ops.test.ts

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
  build(): Int16Model {
    const bytes = buildTflite({ tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, operators: this.operators });
    return { bytes, inputs: this.inputs.map((t) => ({ dtype: 'int16' as DType, shape: this.tensors[t].shape })), outputs: this.outputs.length };
  }
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

export const BINARY16: Binary16[] = [
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

export const POOL16: Pool16[] = [
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
export const ACT_SCALES = [2 ** -12, 2 ** -11, 2 ** -12 * 1.0004, 0.0003, 1 / 3000, 0.001, 2, 3e-6];

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

export const FAMILIES = { binary: addBinary16, pool: addPool16, activations: addActivations16, softmax: addSoftmax16 };

export function int16OpsModel(...names: (keyof typeof FAMILIES)[]): Int16Model {
  const m = new Model();
  for (const n of names) FAMILIES[n](m);
  return m.build();
}

export function int16OpsCases(b: Int16Model, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ dtype, shape }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      return { dtype, shape, data: Int16Array.from(randomInts(rng, n, -32768, 32767)) };
    }),
  );
}
