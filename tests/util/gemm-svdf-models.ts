/**
 * TFLite test models of the dense family, shared by the C tests (tests/import/tflite-svdf.test.ts,
 * tflite-int16.test.ts, tflite-matmul-tconv.test.ts) and the reference interpreter's
 * (tests/reference/gemm-svdf.test.ts), so both check the same cases:
 *   buildSvdf             SVDF, every case its own input, output and variable state (SvdfCase)
 *   buildFc16             16x8 FULLY_CONNECTED (int64, int32 and no bias; per-tensor and per-channel)
 *   addBatchMatmuls       the BATCH_MATMUL cases (adj_x / adj_y, broadcasting, rank 2–5, constant B)
 *   buildFullyConnected   FULLY_CONNECTED float32 / int8 (per-tensor and per-channel, every fused
 *                         activation, no bias, keep_num_dims, multipliers above 1, extreme zero points)
 * Each builder draws its constants from a seeded generator, so a seed gives the same model everywhere.
 */

import type { DType } from '../../src/ir/dtype.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import type { Rng } from './random.js';
import { OpSpec, TensorSpec, batchMatmulOptions, buildTflite, fullyConnectedOptions } from './tflite-build.js';
import * as assert from 'uvu/assert';

export const [NONE, RELU, RELU_N1_TO_1, RELU6, TANH] = [0, 1, 2, 3, 4];

/** A built model: its bytes, its inputs' types (graph order) and how many outputs it has. */
export interface BuiltModel {
  bytes: Uint8Array;
  inputs: { dtype: DType; shape: number[] }[];
  outputs: number;
}

/** Seeded cases over each input's range (int8: all of it; int16: all of it; float32: [lo, hi)). */
export function randomModelCases(b: BuiltModel, seed: number, count: number, float: [number, number] = [-2, 2]): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ dtype, shape }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (dtype === 'float32') return { dtype, shape, data: randomFloats(rng, n, float[0], float[1]) };
      if (dtype === 'int16') return { dtype, shape, data: Int16Array.from(randomInts(rng, n, -32768, 32767)) };
      return { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// SVDF

export interface SvdfCase {
  batch: number;
  inputSize: number;
  units: number;
  rank: number;
  memory: number;
  activation: number;
  /** int8 models: the state (and time weights) type. */
  state?: 'int8' | 'int16';
  stateZp?: number;
  inputZp?: number;
  bias?: boolean;
  /** int8 models: the output zero point (default −7 / 4 alternately) and scales (default per state type). */
  outputZp?: number;
  scales?: { x: number; f: number; s: number; t: number; y: number };
}

export const SVDF_INT8_CASES: SvdfCase[] = [
  { batch: 1, inputSize: 13, units: 7, rank: 1, memory: 5, activation: NONE, state: 'int16', inputZp: -3, bias: true },
  { batch: 2, inputSize: 9, units: 3, rank: 2, memory: 4, activation: RELU, state: 'int16', inputZp: 11, bias: true },
  { batch: 1, inputSize: 10, units: 5, rank: 1, memory: 3, activation: NONE, state: 'int8', stateZp: -5, inputZp: 0, bias: true },
  { batch: 3, inputSize: 7, units: 4, rank: 2, memory: 6, activation: NONE, state: 'int8', stateZp: 9, inputZp: -128, bias: true },
];

export const SVDF_FLOAT_CASES: SvdfCase[] = [
  { batch: 1, inputSize: 13, units: 7, rank: 1, memory: 5, activation: NONE, bias: true },
  { batch: 2, inputSize: 9, units: 3, rank: 2, memory: 4, activation: RELU, bias: true },
  { batch: 1, inputSize: 6, units: 5, rank: 1, memory: 3, activation: RELU6, bias: true },
  { batch: 1, inputSize: 5, units: 4, rank: 3, memory: 2, activation: RELU_N1_TO_1, bias: true },
  { batch: 2, inputSize: 8, units: 3, rank: 1, memory: 7, activation: TANH, bias: true },
];

export const svdfOptions = (rank: number, activation: number) => ({ type: 6, fields: [[0, 'int32', rank], [1, 'int8', activation]] as [number, 'int32' | 'int8', number][] });

export function buildSvdf(type: 'float32' | 'int8', cases: SvdfCase[], seed: number): BuiltModel {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const f = Math.fround;
  cases.forEach((c, i) => {
    const filters = c.units * c.rank;
    const wide = c.state === 'int16';
    const sx = c.scales?.x ?? 0.02;
    const sf = c.scales?.f ?? 0.01;
    const ss = f(c.scales?.s ?? (wide ? 0.004 : 0.2));
    const st = f(c.scales?.t ?? (wide ? 0.0005 : 0.01));
    const sy = f(c.scales?.y ?? (wide ? 0.4 : 0.2));
    const q = (scale: number, zp = 0) => (type === 'int8' ? { quant: { scale: [scale], zeroPoint: [zp] } } : {});
    const stateType = type === 'int8' ? c.state! : 'float32';
    const x = add({ name: `x${i}`, shape: [c.batch, c.inputSize], type, ...q(sx, c.inputZp ?? 0) });
    inputs.push(x);
    const wf = add({ name: `wf${i}`, shape: [filters, c.inputSize], type, ...q(sf), data: type === 'int8' ? randomInts(rng, filters * c.inputSize, -127, 127) : [...randomFloats(rng, filters * c.inputSize, -1, 1)] });
    const wtData = type === 'float32' ? [...randomFloats(rng, filters * c.memory, -1, 1)] : randomInts(rng, filters * c.memory, wide ? -3000 : -127, wide ? 3000 : 127);
    const wt = add({ name: `wt${i}`, shape: [filters, c.memory], type: stateType, ...q(st), data: wtData });
    const bias = c.bias
      ? add({ name: `b${i}`, shape: [c.units], type: type === 'int8' ? 'int32' : 'float32', ...q(f(ss * st)), data: type === 'int8' ? randomInts(rng, c.units, -20000, 20000) : [...randomFloats(rng, c.units, -1, 1)] })
      : -1;
    const state = add({ name: `state${i}`, shape: [c.batch, filters * c.memory], type: stateType, ...q(ss, c.stateZp ?? 0), variable: true });
    const y = add({ name: `y${i}`, shape: [c.batch, c.units], type, ...q(sy, type === 'int8' ? (c.outputZp ?? (i % 2 === 0 ? -7 : 4)) : 0) });
    outputs.push(y);
    operators.push({ op: 'SVDF', version: type === 'int8' ? 3 : 1, inputs: [x, wf, wt, bias, state], outputs: [y], options: svdfOptions(c.rank, c.activation) });
  });
  const bytes = buildTflite({ tensors, inputs, outputs, operators });
  return { bytes, inputs: inputs.map((t) => ({ dtype: type as DType, shape: tensors[t].shape })), outputs: outputs.length };
}

// ---------------------------------------------------------------------------------------------------
// 16x8 FULLY_CONNECTED

export interface Fc16 {
  batch: number;
  k: number;
  n: number;
  bias: 'int64' | 'int32' | 'none';
  perChannel: boolean;
  activation: number;
  sy: number;
}

export const FC16: Fc16[] = [
  { batch: 1, k: 13, n: 7, bias: 'int64', perChannel: false, activation: 0, sy: 0.002 },
  { batch: 3, k: 9, n: 5, bias: 'int64', perChannel: true, activation: 1, sy: 0.001 },
  { batch: 2, k: 17, n: 6, bias: 'int32', perChannel: false, activation: 3, sy: 0.0005 },
  { batch: 1, k: 5, n: 3, bias: 'none', perChannel: true, activation: 0, sy: 0.0001 },
];

export function buildFc16(seed: number, cases: Fc16[] = FC16): BuiltModel {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const sx = 0.0004;
  cases.forEach((c, i) => {
    const ws = c.perChannel ? Array.from({ length: c.n }, (_, j) => 0.004 + 0.001 * j) : [0.005];
    const x = add({ name: `fc_x${i}`, shape: [c.batch, c.k], type: 'int16', quant: { scale: [sx], zeroPoint: [0] } });
    const w = add({ name: `fc_w${i}`, shape: [c.n, c.k], type: 'int8', quant: { scale: ws, zeroPoint: ws.map(() => 0), axis: 0 }, data: randomInts(rng, c.n * c.k, -127, 127) });
    const bs = ws.map((s) => Math.fround(sx * s));
    const b = c.bias === 'none' ? -1 : add({ name: `fc_b${i}`, shape: [c.n], type: c.bias, quant: { scale: bs, zeroPoint: bs.map(() => 0) }, data: randomInts(rng, c.n, -3000000, 3000000) });
    const y = add({ name: `fc_y${i}`, shape: [c.batch, c.n], type: 'int16', quant: { scale: [c.sy], zeroPoint: [0] } });
    inputs.push(x);
    outputs.push(y);
    operators.push({ op: 'FULLY_CONNECTED', version: 7, inputs: [x, w, b], outputs: [y], options: fullyConnectedOptions({ activation: c.activation }) });
  });
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputs: inputs.map((t) => ({ dtype: 'int16' as DType, shape: tensors[t].shape })), outputs: outputs.length };
}

// ---------------------------------------------------------------------------------------------------
// BATCH_MATMUL

type Q = { scale: number; zp: number };

export interface MatMulCase {
  a: number[];
  b: number[];
  adjX: boolean;
  adjY: boolean;
  /** B is a constant of the model. */
  constB?: boolean;
  qa: Q;
  qb: Q;
  qy: Q;
}

export const MATMULS: MatMulCase[] = [
  // rank 4 · rank 2 (B broadcast over both batch dims), K = 7
  { a: [2, 3, 5, 7], b: [7, 4], adjX: false, adjY: false, qa: { scale: 0.05, zp: -3 }, qb: { scale: 0.04, zp: 9 }, qy: { scale: 0.3, zp: 4 } },
  // adj_x: A stored [.., K, M]
  { a: [3, 9, 6], b: [3, 9, 5], adjX: true, adjY: false, qa: { scale: 0.02, zp: 17 }, qb: { scale: 0.03, zp: -11 }, qy: { scale: 0.09, zp: -7 } },
  // adj_y, A's batch 1 broadcast against B's 2, K = 11
  { a: [1, 4, 11], b: [2, 13, 11], adjX: false, adjY: true, qa: { scale: 0.06, zp: 0 }, qb: { scale: 0.01, zp: -128 }, qy: { scale: 0.11, zp: 2 } },
  // both adj, batches broadcast both ways: multiplier 2.5 (left shift): saturates both ways
  { a: [2, 1, 8, 3], b: [1, 3, 10, 8], adjX: true, adjY: true, qa: { scale: 0.5, zp: 5 }, qb: { scale: 0.25, zp: -6 }, qy: { scale: 0.05, zp: -20 } },
  // constant B [K, N], rank 3 · 2
  { a: [5, 6, 17], b: [17, 9], adjX: false, adjY: false, constB: true, qa: { scale: 0.03, zp: -40 }, qb: { scale: 0.007, zp: 3 }, qy: { scale: 0.07, zp: 10 } },
  // constant B with adj_y, 16-deep (no tail)
  { a: [2, 5, 16], b: [2, 7, 16], adjX: false, adjY: true, constB: true, qa: { scale: 0.04, zp: 1 }, qb: { scale: 0.02, zp: 0 }, qy: { scale: 0.2, zp: -1 } },
  // rank 5
  { a: [2, 1, 2, 3, 5], b: [1, 3, 1, 5, 6], adjX: false, adjY: false, qa: { scale: 0.1, zp: 12 }, qb: { scale: 0.08, zp: -2 }, qy: { scale: 0.45, zp: 0 } },
];

/** A model under construction (tensor indices into `tensors`). */
export interface ModelParts {
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  operators: OpSpec[];
}

/** Adds every BATCH_MATMUL case (graph inputs A, and B unless constant; one output each), drawing constants from `rng`. */
export function addBatchMatmuls(p: ModelParts, type: 'float32' | 'int8', rng: Rng, cases: MatMulCase[] = MATMULS): void {
  const int8 = type === 'int8';
  const tensor = (name: string, shape: number[], q: Q, data?: number[]): number =>
    p.tensors.push({ name, shape, type, ...(int8 ? { quant: { scale: [q.scale], zeroPoint: [q.zp] } } : {}), ...(data ? { data } : {}) }) - 1;
  const count = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const values = (n: number) => (int8 ? randomInts(rng, n, -127, 127) : Array.from(randomFloats(rng, n, -1, 1)));
  cases.forEach((c, i) => {
    const a = tensor(`a${i}`, c.a, c.qa);
    p.inputs.push(a);
    const b = tensor(`b${i}`, c.b, c.qb, c.constB ? values(count(c.b)) : undefined);
    if (!c.constB) p.inputs.push(b);
    const ra = c.a.length, rb = c.b.length;
    const [m, k] = c.adjX ? [c.a[ra - 1], c.a[ra - 2]] : [c.a[ra - 2], c.a[ra - 1]];
    const n = c.adjY ? c.b[rb - 2] : c.b[rb - 1];
    assert.is(c.adjY ? c.b[rb - 1] : c.b[rb - 2], k, `case ${i} depth`);
    const rank = Math.max(ra, rb);
    const pa = [...Array(rank - ra).fill(1), ...c.a.slice(0, -2)];
    const pb = [...Array(rank - rb).fill(1), ...c.b.slice(0, -2)];
    const ys = [...pa.map((d, j) => Math.max(d, pb[j])), m, n];
    const y = tensor(`bmm${i}`, ys, c.qy);
    p.outputs.push(y);
    p.operators.push({ op: 'BATCH_MATMUL', version: int8 ? 2 : 1, inputs: [a, b], outputs: [y], options: batchMatmulOptions(c.adjX, c.adjY) });
  });
}

/** The BATCH_MATMUL cases alone as a model. */
export function buildBatchMatmuls(type: 'float32' | 'int8', seed: number, cases: MatMulCase[] = MATMULS): BuiltModel {
  const p: ModelParts = { tensors: [], inputs: [], outputs: [], operators: [] };
  addBatchMatmuls(p, type, mulberry32(seed), cases);
  const bytes = buildTflite(p);
  return { bytes, inputs: p.inputs.map((t) => ({ dtype: type as DType, shape: p.tensors[t].shape })), outputs: p.outputs.length };
}

// ---------------------------------------------------------------------------------------------------
// FULLY_CONNECTED float32 / int8

export interface FcCase {
  /** The input's shape (flattened to rows of k when it has another rank). */
  x: number[];
  k: number;
  n: number;
  activation: number;
  bias: boolean;
  /** Per-channel weight scales (int8): one per output feature, else one for the tensor. */
  perChannel?: boolean;
  keepNumDims?: boolean;
  xq: Q;
  /** Weight scale (per channel: the first, the others spread around it). */
  ws: number;
  yq: Q;
}

export const FCS: FcCase[] = [
  // the ad01 layer shape, per tensor, RELU
  { x: [1, 64], k: 64, n: 24, activation: RELU, bias: true, xq: { scale: 0.05, zp: 89 }, ws: 0.01, yq: { scale: 0.3, zp: -128 } },
  // per channel, 3 rows, odd sizes, no activation
  { x: [3, 13], k: 13, n: 5, activation: NONE, bias: true, perChannel: true, xq: { scale: 0.02, zp: -7 }, ws: 0.01, yq: { scale: 0.05, zp: 3 } },
  // no bias, RELU6, input zero point at the top of the range
  { x: [2, 31], k: 31, n: 7, activation: RELU6, bias: false, xq: { scale: 0.03, zp: 127 }, ws: 0.02, yq: { scale: 0.04, zp: -100 } },
  // RELU_N1_TO_1, input zero point at the bottom
  { x: [1, 40], k: 40, n: 16, activation: RELU_N1_TO_1, bias: true, perChannel: true, xq: { scale: 0.01, zp: -128 }, ws: 0.003, yq: { scale: 0.01, zp: 0 } },
  // a multiplier above 1 (left shift): saturates both ways
  { x: [2, 9], k: 9, n: 6, activation: NONE, bias: true, xq: { scale: 0.5, zp: 5 }, ws: 0.25, yq: { scale: 0.05, zp: -20 } },
  // a 4-D input flattened to rows of k (batch 2 · 3 · 1 rows of 5)
  { x: [2, 3, 1, 5], k: 5, n: 4, activation: NONE, bias: true, perChannel: true, xq: { scale: 0.04, zp: 10 }, ws: 0.05, yq: { scale: 0.1, zp: -3 } },
  // keep_num_dims: [2, 3, 11] → [2, 3, 9]
  { x: [2, 3, 11], k: 11, n: 9, activation: RELU, bias: true, keepNumDims: true, xq: { scale: 0.02, zp: -1 }, ws: 0.02, yq: { scale: 0.06, zp: -50 } },
  // one input feature
  { x: [4, 1], k: 1, n: 3, activation: NONE, bias: false, perChannel: true, xq: { scale: 0.1, zp: 0 }, ws: 0.7, yq: { scale: 0.2, zp: 1 } },
];

export function buildFullyConnected(type: 'float32' | 'int8', seed: number, cases: FcCase[] = FCS): BuiltModel {
  const rng = mulberry32(seed);
  const int8 = type === 'int8';
  const p: ModelParts = { tensors: [], inputs: [], outputs: [], operators: [] };
  const add = (t: TensorSpec) => p.tensors.push(t) - 1;
  const q = (s: number[], zp: number, axis?: number) => (int8 ? { quant: { scale: s, zeroPoint: s.map(() => zp), ...(axis !== undefined ? { axis } : {}) } } : {});
  cases.forEach((c, i) => {
    const ws = c.perChannel ? Array.from({ length: c.n }, (_, j) => Math.fround(c.ws * (0.5 + ((j * 7) % 11) / 10))) : [c.ws];
    const x = add({ name: `x${i}`, shape: c.x, type, ...q([c.xq.scale], c.xq.zp) });
    p.inputs.push(x);
    const w = add({ name: `w${i}`, shape: [c.n, c.k], type, ...q(ws, 0, 0), data: int8 ? randomInts(rng, c.n * c.k, -127, 127) : Array.from(randomFloats(rng, c.n * c.k, -1, 1)) });
    const bs = ws.map((s) => Math.fround(c.xq.scale * s));
    const b = c.bias ? add({ name: `b${i}`, shape: [c.n], type: int8 ? 'int32' : 'float32', ...q(bs, 0), data: int8 ? randomInts(rng, c.n, -5000, 5000) : Array.from(randomFloats(rng, c.n, -1, 1)) }) : -1;
    const rows = c.x.reduce((u, v) => u * v, 1) / c.k;
    const ys = c.keepNumDims ? [...c.x.slice(0, -1), c.n] : [rows, c.n];
    const y = add({ name: `y${i}`, shape: ys, type, ...q([c.yq.scale], c.yq.zp) });
    p.outputs.push(y);
    p.operators.push({ op: 'FULLY_CONNECTED', version: int8 ? (c.keepNumDims ? 5 : 4) : 1, inputs: [x, w, b], outputs: [y], options: fullyConnectedOptions({ activation: c.activation, keepNumDims: c.keepNumDims }) });
  });
  const bytes = buildTflite(p);
  return { bytes, inputs: p.inputs.map((t) => ({ dtype: type as DType, shape: p.tensors[t].shape })), outputs: p.outputs.length };
}
