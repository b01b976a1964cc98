/**
 * The models of tests/import/tflite-reduce-resize.test.ts (REDUCE_MAX, REDUCE_MIN, SUM, ARG_MAX, ARG_MIN,
 * RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, L2_NORMALIZATION: every case in one model per element type)
 * and their seeded random inputs, shared with tests/reference/ (the reference interpreter on the same
 * models).
 */

import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import { OpSpec, TensorSpec, buildTflite, reducerOptions } from './tflite-build.js';

export type Q = { scale: number; zp: number };
export type Type = 'float32' | 'int8';

export interface Input {
  name: string;
  shape: number[];
  q: Q;
  /** Values drawn from a few levels only (ties for arg max / min). */
  few?: boolean;
  /** Row 0 (along the last dim) set to zero (L2 normalization's empty norm). */
  zeroRow?: boolean;
}

export const INPUTS: Input[] = [
  { name: 'a', shape: [2, 3, 5, 7], q: { scale: 0.05, zp: -3 } },
  { name: 'b', shape: [9], q: { scale: 0.031, zp: 12 } },
  { name: 'c', shape: [4, 13], q: { scale: 0.02, zp: 0 } },
  { name: 'd', shape: [3, 5, 11], q: { scale: 0.07, zp: -128 } },
  { name: 'e', shape: [1, 6, 6, 18], q: { scale: 0.04, zp: 5 } },
  { name: 'ties', shape: [3, 4, 6], q: { scale: 0.5, zp: 0 }, few: true },
  { name: 'img', shape: [2, 5, 7, 3], q: { scale: 0.03, zp: -7 } },
  { name: 'l2a', shape: [4, 10], q: { scale: 0.02, zp: 3 }, zeroRow: true },
  { name: 'l2b', shape: [2, 3, 4, 17], q: { scale: 0.05, zp: -20 } },
  { name: 'l2c', shape: [7], q: { scale: 0.009, zp: 0 } },
];

/** Reductions: input, axes as written in the model (negative, duplicated, unsorted), keep_dims. */
export const REDUCTIONS: [string, number[], boolean][] = [
  ['a', [1, 2], true],
  ['a', [3], false],
  ['a', [-1, 0], true],
  ['a', [0, 1, 2, 3], false],
  ['a', [2], true],
  ['a', [3, 1, 3], false],
  ['b', [0], true],
  ['b', [-1], false],
  ['c', [1], false],
  ['c', [0], true],
  ['d', [0, 2], false],
  ['d', [-2], true],
  ['e', [1, 2], true],
  ['e', [3], false],
];

/** Arg max / min: input and axis. */
export const ARGS: [string, number][] = [['ties', 0], ['ties', 1], ['ties', -1], ['a', 3], ['a', -3], ['b', 0], ['d', 2]];

/** Resize output sizes of input img [5, 7]: up with non-integer ratios, down, mixed, 1×1. */
export const SIZES: [number, number][] = [[8, 11], [3, 4], [6, 5], [1, 1]];
export const NEAREST_FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
export const BILINEAR_FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true]];

export interface Built {
  bytes: Uint8Array;
  outputs: number;
  /** Bytes of all outputs of one case. */
  outputBytes: number;
}

export function buildModel(type: Type): Built {
  const tensors: TensorSpec[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const int8 = type === 'int8';
  const tensor = (name: string, shape: number[], q?: Q, t: 'int32' | Type = type): number => {
    tensors.push({ name, shape, type: t, ...(int8 && q && t !== 'int32' ? { quant: { scale: [q.scale], zeroPoint: [q.zp] } } : {}) });
    return tensors.length - 1;
  };
  const constant = (name: string, data: number[]): number => {
    tensors.push({ name, shape: [data.length], type: 'int32', data });
    return tensors.length - 1;
  };
  const byName = new Map(INPUTS.map((x) => [x.name, { ...x, index: tensor(x.name, x.shape, x.q) }]));
  const inputs = INPUTS.map((x) => byName.get(x.name)!.index);
  const output = (name: string, shape: number[], q?: Q, t?: 'int32'): number => {
    const o = tensor(name, shape, q, t);
    outputs.push(o);
    return o;
  };
  const version = int8 ? 2 : 1;

  REDUCTIONS.forEach(([x, axes, keep], i) => {
    const input = byName.get(x)!;
    const rank = input.shape.length;
    const norm = axes.map((a) => (a < 0 ? a + rank : a));
    const shape = keep ? input.shape.map((d, k) => (norm.includes(k) ? 1 : d)) : input.shape.filter((_, k) => !norm.includes(k));
    const count = input.shape.filter((_, k) => norm.includes(k)).reduce((p, q) => p * q, 1);
    const axesTensor = constant(`axes${i}`, axes);
    for (const op of ['REDUCE_MAX', 'REDUCE_MIN', 'SUM']) {
      // SUM's output scale: a quarter of the largest sum's range, so large sums saturate.
      const q = op === 'SUM' ? { scale: input.q.scale * Math.max(1, count / 4), zp: 3 } : input.q;
      operators.push({ op, version, inputs: [input.index, axesTensor], outputs: [output(`${op}_${i}`, shape, q)], options: reducerOptions(keep) });
    }
  });
  ARGS.forEach(([x, axis], i) => {
    const input = byName.get(x)!;
    const a = axis < 0 ? axis + input.shape.length : axis;
    const shape = input.shape.filter((_, k) => k !== a);
    const axisTensor = constant(`arg_axis${i}`, [axis]);
    for (const [op, optionsType] of [['ARG_MAX', 40], ['ARG_MIN', 57]] as const) {
      const options = { type: optionsType, fields: [[0, 'int8', 2]] as [number, 'int8', number][] };
      operators.push({ op, version, inputs: [input.index, axisTensor], outputs: [output(`${op}_${i}`, shape, undefined, 'int32')], options });
    }
  });
  const img = byName.get('img')!;
  SIZES.forEach(([h, w], i) => {
    const size = constant(`size${i}`, [h, w]);
    const shape = [img.shape[0], h, w, img.shape[3]];
    for (const [align, half] of NEAREST_FLAGS) {
      const options = { type: 74, fields: [[0, 'bool', align ? 1 : 0], [1, 'bool', half ? 1 : 0]] as [number, 'bool', number][] };
      operators.push({ op: 'RESIZE_NEAREST_NEIGHBOR', version: 3, inputs: [img.index, size], outputs: [output(`nearest_${i}_${align}_${half}`, shape, img.q)], options });
    }
    for (const [align, half] of BILINEAR_FLAGS) {
      const options = { type: 15, fields: [[2, 'bool', align ? 1 : 0], [3, 'bool', half ? 1 : 0]] as [number, 'bool', number][] };
      operators.push({ op: 'RESIZE_BILINEAR', version: 3, inputs: [img.index, size], outputs: [output(`bilinear_${i}_${align}_${half}`, shape, img.q)], options });
    }
  });
  for (const x of ['l2a', 'l2b', 'l2c']) {
    const input = byName.get(x)!;
    const options = { type: 12, fields: [[0, 'int8', 0]] as [number, 'int8', number][] };
    operators.push({ op: 'L2_NORMALIZATION', version, inputs: [input.index], outputs: [output(`l2_${x}`, input.shape, { scale: 1 / 128, zp: 0 })], options });
  }
  const outputBytes = outputs.reduce((sum, o) => sum + tensors[o].shape.reduce((p, q) => p * q, 1) * (tensors[o].type === 'int8' ? 1 : 4), 0);
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), outputs: outputs.length, outputBytes };
}

export function randomCases(type: Type, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    INPUTS.map((x): TensorValue => {
      const n = x.shape.reduce((p, q) => p * q, 1);
      const depth = x.shape[x.shape.length - 1];
      if (type === 'float32') {
        const data = x.few ? Float32Array.from(randomInts(rng, n, -2, 1), (v) => v / 2) : randomFloats(rng, n, -6, 6);
        if (x.zeroRow) data.fill(0, 0, depth);
        return { dtype: 'float32', shape: x.shape, data };
      }
      const data = Int8Array.from(x.few ? randomInts(rng, n, -2, 1) : randomInts(rng, n, -128, 127));
      if (x.zeroRow) data.fill(x.q.zp, 0, depth);
      return { dtype: 'int8', shape: x.shape, data };
    }),
  );
}

/** ARG_MAX and ARG_MIN of every ARGS case with `index` outputs, inputs as in the big model. */
export function buildArgModel(type: Type, index: 'int32' | 'int64'): Built {
  const tensors: TensorSpec[] = INPUTS.map((x) => ({ name: x.name, shape: x.shape, type, ...(type === 'int8' ? { quant: { scale: [x.q.scale], zeroPoint: [x.q.zp] } } : {}) }));
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  ARGS.forEach(([x, axis], i) => {
    const k = INPUTS.findIndex((t) => t.name === x);
    const a = axis < 0 ? axis + INPUTS[k].shape.length : axis;
    tensors.push({ name: `axis${i}`, shape: [1], type: 'int32', data: [axis] });
    const axisTensor = tensors.length - 1;
    for (const [op, optionsType] of [['ARG_MAX', 40], ['ARG_MIN', 57]] as const) {
      tensors.push({ name: `${op}_${i}`, shape: INPUTS[k].shape.filter((_, d) => d !== a), type: index });
      outputs.push(tensors.length - 1);
      operators.push({ op, version: type === 'int8' ? 2 : 1, inputs: [k, axisTensor], outputs: [tensors.length - 1], options: { type: optionsType, fields: [[0, 'int8', index === 'int64' ? 4 : 2]] } });
    }
  });
  return { bytes: buildTflite({ tensors, inputs: INPUTS.map((_, k) => k), outputs, operators }), outputs: outputs.length, outputBytes: 0 };
}

