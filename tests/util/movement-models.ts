/**
 * The models of tests/import/tflite-movement-ops.test.ts (STRIDED_SLICE, SLICE, SPLIT, SPLIT_V, PACK,
 * UNPACK, GATHER, TILE, DEPTH_TO_SPACE, SPACE_TO_DEPTH, MIRROR_PAD, PADV2: every case in one model per
 * element type, with the twin TFLite Micro runs where its kernels cannot run a case as written) and their
 * seeded random inputs, shared with tests/reference/.
 */

import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import { OpSpec, OptionField, TensorSpec, buildTflite, concatOptions } from './tflite-build.js';

export type Type = 'float32' | 'int8' | 'int32';
export const Q = { scale: [0.043], zeroPoint: [-7] };

/** One model under construction: the tensors of a case are made through it. */
export class Model {
  tensors: TensorSpec[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  operators: OpSpec[] = [];
  /** Per graph input: its shape and, for int32 index inputs, the exclusive bound of its values. */
  inputSpecs: { shape: number[]; bound?: number }[] = [];
  constructor(readonly type: Type) {}
  private add(t: TensorSpec): number {
    return this.tensors.push(t) - 1;
  }
  /** An activation tensor of the model's type (int8: quantized Q). */
  act(shape: number[], data?: number[]): number {
    return this.add({ name: `t${this.tensors.length}`, shape, type: this.type, ...(this.type === 'int8' ? { quant: Q } : {}), ...(data ? { data } : {}) });
  }
  ints(values: number[], shape = [values.length]): number {
    return this.add({ name: `c${this.tensors.length}`, shape, type: 'int32', data: values });
  }
  input(shape: number[], bound?: number): number {
    const t = bound === undefined ? this.act(shape) : this.add({ name: `i${this.tensors.length}`, shape, type: 'int32' });
    this.inputs.push(t);
    this.inputSpecs.push({ shape, bound });
    return t;
  }
  output(shape: number[]): number {
    const t = this.act(shape);
    this.outputs.push(t);
    return t;
  }
  op(op: string, inputs: number[], outputs: number[], options?: { type: number; fields: OptionField[] }, version?: number): void {
    this.operators.push({ op, inputs, outputs, version: version ?? (this.type === 'int8' ? 2 : 1), ...(options ? { options } : {}) });
  }
  bytes(): Uint8Array {
    return buildTflite({ tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, operators: this.operators });
  }
}

/** A constant activation tensor: values 0, 1, 2, ... (int8: wrapped into range; float: scaled). */
export function constant(m: Model, shape: number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  return m.act(shape, Array.from({ length: n }, (_, i) => (m.type === 'float32' ? i * 0.25 - 3 : ((i * 37) % 256) - 128)));
}

export interface SliceSpec {
  begin: number[];
  end: number[];
  strides: number[];
  masks?: { begin?: number; end?: number; ellipsis?: number; newAxis?: number; shrink?: number; offset?: boolean };
}

export function stridedSlice(m: Model, x: number, y: number, s: SliceSpec, version?: number): void {
  const k = s.masks ?? {};
  const fields: OptionField[] = [[0, 'int32', k.begin ?? 0], [1, 'int32', k.end ?? 0], [2, 'int32', k.ellipsis ?? 0], [3, 'int32', k.newAxis ?? 0], [4, 'int32', k.shrink ?? 0], [5, 'bool', k.offset ? 1 : 0]];
  m.op('STRIDED_SLICE', [x, m.ints(s.begin), m.ints(s.end), m.ints(s.strides)], [y], { type: 32, fields }, version);
}

export function reshape(m: Model, x: number, y: number, shape: number[]): void {
  m.op('RESHAPE', [x, m.ints(shape)], [y], undefined, 1);
}

/** One case: its graph inputs (an index input has a bound), its outputs, the ops, and TFLM's twin ops. */
export interface Case {
  name: string;
  inputs: { shape: number[]; bound?: number }[];
  outputs: number[][];
  ops(m: Model, x: number[], y: number[]): void;
  twin?(m: Model, x: number[], y: number[]): void;
  /** The outputs fold to constants at compile time. */
  folds?: boolean;
}

export const one = (shape: number[]) => [{ shape }];

/** TILE of `shape` by `multiples`; TFLM's twin concatenates copies along each tiled axis in turn. */
export function tileCase(shape: number[], multiples: number[]): Case {
  const out = shape.map((n, d) => n * multiples[d]);
  return {
    name: `tile [${shape}] by [${multiples}]`,
    inputs: one(shape),
    outputs: [out],
    ops: (m, [x], [y]) => m.op('TILE', [x, m.ints(multiples)], [y], undefined, m.type === 'int8' ? 3 : 1),
    twin(m, [x], [y]) {
      const axes = multiples.flatMap((k, d) => (k > 1 ? [d] : []));
      const now = [...shape];
      axes.reduce((from, d, i) => {
        now[d] *= multiples[d];
        const to = i === axes.length - 1 ? y : m.act([...now]);
        m.op('CONCATENATION', new Array<number>(multiples[d]).fill(from), [to], concatOptions(d));
        return to;
      }, x);
    },
  };
}

export const CASES: Case[] = [
  // STRIDED_SLICE
  { name: 'ss negative stride', inputs: one([2, 5, 7, 3]), outputs: [[2, 2, 5, 3]], ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0, 1, -2, 0], end: [2, -1, 0, 3], strides: [1, 2, -1, 1] }) },
  { name: 'ss begin/end masks', inputs: one([3, 4, 6]), outputs: [[3, 2, 3]], ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [1, 2, 5], end: [0, 0, -7], strides: [1, 1, -2], masks: { begin: 0b001, end: 0b011 } }) },
  { name: 'ss shrink', inputs: one([4, 3, 5]), outputs: [[3]], ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [-1, 0, 2], end: [0, 3, 4], strides: [1, 1, 1], masks: { shrink: 0b101 } }) },
  { name: 'ss rank 1 reversed', inputs: one([9]), outputs: [[9]], ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0], end: [0], strides: [-1], masks: { begin: 1, end: 1 } }) },
  { name: 'ss clamped', inputs: one([2, 7, 5]), outputs: [[2, 2, 3]], ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [-10, 3, 1], end: [10, 100, -1], strides: [1, 3, 1] }) },
  {
    name: 'ss rank 5',
    inputs: one([2, 3, 4, 5, 3]),
    outputs: [[2, 3, 2, 2, 3]],
    ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0, 0, 1, 4, 0], end: [2, 3, 4, 0, 3], strides: [1, 1, 2, -2, 1] }, 4),
    twin(m, [x], [y]) {
      const [a, b] = [m.act([6, 4, 5, 3]), m.act([6, 2, 2, 3])];
      reshape(m, x, a, [6, 4, 5, 3]);
      stridedSlice(m, a, b, { begin: [0, 1, 4, 0], end: [6, 4, 0, 3], strides: [1, 2, -2, 1] });
      reshape(m, b, y, [2, 3, 2, 2, 3]);
    },
  },
  {
    name: 'ss new axis + ellipsis',
    inputs: one([3, 4, 5, 6]),
    outputs: [[1, 2, 4, 5, 3]],
    ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0, 1, 0, 0], end: [0, 3, 0, 0], strides: [1, 1, 1, -2], masks: { newAxis: 0b0001, ellipsis: 0b0100, begin: 0b1000, end: 0b1000 } }, 6),
    twin(m, [x], [y]) {
      const a = m.act([2, 4, 5, 3]);
      stridedSlice(m, x, a, { begin: [1, 0, 0, 0], end: [3, 4, 5, 0], strides: [1, 1, 1, -2], masks: { begin: 0b1000, end: 0b1000 } });
      reshape(m, a, y, [1, 2, 4, 5, 3]);
    },
  },
  {
    name: 'ss leading ellipsis + shrink',
    inputs: one([5, 4, 3]),
    outputs: [[5, 4]],
    ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0, 2], end: [0, 3], strides: [1, 1], masks: { ellipsis: 0b01, shrink: 0b10 } }, 6),
    twin: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [0, 0, 2], end: [5, 4, 3], strides: [1, 1, 1], masks: { shrink: 0b100 } }),
  },
  {
    name: 'ss offset',
    inputs: one([6, 7]),
    outputs: [[3, 2]],
    ops: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [-4, 1], end: [3, 4], strides: [1, 2], masks: { offset: true } }, 8),
    twin: (m, [x], [y]) => stridedSlice(m, x, y, { begin: [-4, 1], end: [5, 5], strides: [1, 2] }),
  },
  {
    name: 'ss of a constant (folds)',
    inputs: [],
    outputs: [[2, 3]],
    folds: true,
    ops: (m, _x, [y]) => stridedSlice(m, constant(m, [4, 6]), y, { begin: [3, 0], end: [0, 6], strides: [-2, 2] }),
  },
  // SLICE
  { name: 'slice', inputs: one([3, 7, 5, 2]), outputs: [[2, 5, 3, 1]], ops: (m, [x], [y]) => m.op('SLICE', [x, m.ints([1, 2, 0, 1]), m.ints([2, -1, 3, 1])], [y]) },
  { name: 'slice rank 5', inputs: one([2, 3, 4, 3, 5]), outputs: [[2, 2, 2, 3, 3]], ops: (m, [x], [y]) => m.op('SLICE', [x, m.ints([0, 1, 1, 0, 2]), m.ints([-1, 2, 2, 3, 3])], [y], undefined, 5) },
  { name: 'slice rank 1', inputs: one([11]), outputs: [[5]], ops: (m, [x], [y]) => m.op('SLICE', [x, m.ints([3]), m.ints([5])], [y]) },
  // SPLIT, SPLIT_V, UNPACK
  { name: 'split axis 1', inputs: one([4, 6, 5]), outputs: [[4, 2, 5], [4, 2, 5], [4, 2, 5]], ops: (m, [x], ys) => m.op('SPLIT', [m.ints([1], []), x], ys, { type: 35, fields: [[0, 'int32', 3]] }) },
  { name: 'split axis -1', inputs: one([6, 9]), outputs: [[6, 3], [6, 3], [6, 3]], ops: (m, [x], ys) => m.op('SPLIT', [m.ints([-1], []), x], ys, { type: 35, fields: [[0, 'int32', 3]] }) },
  { name: 'split_v with -1', inputs: one([5, 10]), outputs: [[5, 3], [5, 5], [5, 2]], ops: (m, [x], ys) => m.op('SPLIT_V', [x, m.ints([3, -1, 2]), m.ints([1], [])], ys, { type: 79, fields: [[0, 'int32', 3]] }) },
  { name: 'split_v axis 0', inputs: one([7, 3, 2]), outputs: [[4, 3, 2], [3, 3, 2]], ops: (m, [x], ys) => m.op('SPLIT_V', [x, m.ints([4, 3]), m.ints([0], [])], ys, { type: 79, fields: [[0, 'int32', 2]] }) },
  { name: 'unpack axis 1', inputs: one([3, 4, 5]), outputs: [[3, 5], [3, 5], [3, 5], [3, 5]], ops: (m, [x], ys) => m.op('UNPACK', [x], ys, { type: 64, fields: [[0, 'int32', 4], [1, 'int32', 1]] }) },
  { name: 'unpack axis -1', inputs: one([2, 3]), outputs: [[2], [2], [2]], ops: (m, [x], ys) => m.op('UNPACK', [x], ys, { type: 64, fields: [[0, 'int32', 3], [1, 'int32', -1]] }) },
  // PACK
  { name: 'pack axis 1', inputs: [{ shape: [4, 5] }, { shape: [4, 5] }, { shape: [4, 5] }], outputs: [[4, 3, 5]], ops: (m, xs, [y]) => m.op('PACK', xs, [y], { type: 59, fields: [[0, 'int32', 3], [1, 'int32', 1]] }) },
  { name: 'pack axis 0', inputs: [{ shape: [3] }, { shape: [3] }], outputs: [[2, 3]], ops: (m, xs, [y]) => m.op('PACK', xs, [y], { type: 59, fields: [[0, 'int32', 2], [1, 'int32', 0]] }) },
  { name: 'pack axis -1', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }], outputs: [[2, 3, 4, 2]], ops: (m, xs, [y]) => m.op('PACK', xs, [y], { type: 59, fields: [[0, 'int32', 2], [1, 'int32', -1]] }) },
  {
    name: 'pack of constants (folds)',
    inputs: [],
    outputs: [[2, 3, 2]],
    folds: true,
    ops: (m, _x, [y]) => m.op('PACK', [constant(m, [2, 3]), constant(m, [2, 3])], [y], { type: 59, fields: [[0, 'int32', 2], [1, 'int32', 2]] }),
  },
  // GATHER
  { name: 'gather constant indices', inputs: one([3, 6, 4]), outputs: [[3, 5, 4]], ops: (m, [x], [y]) => m.op('GATHER', [x, m.ints([4, 0, 2, 4, 1])], [y], { type: 23, fields: [[0, 'int32', 1]] }) },
  { name: 'gather run-time indices', inputs: [{ shape: [7, 5] }, { shape: [2, 3], bound: 7 }], outputs: [[2, 3, 5]], ops: (m, [x, i], [y]) => m.op('GATHER', [x, i], [y], { type: 23, fields: [[0, 'int32', 0]] }) },
  { name: 'gather batch_dims 1', inputs: [{ shape: [3, 5, 4] }, { shape: [3, 2], bound: 5 }], outputs: [[3, 2, 4]], ops: (m, [x, i], [y]) => m.op('GATHER', [x, i], [y], { type: 23, fields: [[0, 'int32', 1], [1, 'int32', 1]] }, 5) },
  { name: 'gather axis -1, 2-D indices', inputs: one([2, 3]), outputs: [[2, 2, 2]], ops: (m, [x], [y]) => m.op('GATHER', [x, m.ints([1, 0, 2, 2], [2, 2])], [y], { type: 23, fields: [[0, 'int32', -1]] }) },
  { name: 'gather batch_dims 1, axis 2', inputs: one([2, 3, 4, 2]), outputs: [[2, 3, 3, 2]], ops: (m, [x], [y]) => m.op('GATHER', [x, m.ints([3, 0, 1, 2, 2, 0], [2, 3])], [y], { type: 23, fields: [[0, 'int32', 2], [1, 'int32', 1]] }, 5) },
  {
    name: 'gather of a constant (folds)',
    inputs: [],
    outputs: [[2, 4]],
    folds: true,
    ops: (m, _x, [y]) => m.op('GATHER', [constant(m, [5, 4]), m.ints([4, 1])], [y], { type: 23, fields: [[0, 'int32', 0]] }),
  },
  // TILE (TFLite Micro has none: its twin concatenates)
  tileCase([2, 3], [2, 3]),
  tileCase([3, 1, 2], [1, 4, 2]),
  tileCase([3, 2, 5], [2, 3, 1]),
  // DEPTH_TO_SPACE, SPACE_TO_DEPTH
  { name: 'depth_to_space 2', inputs: one([1, 2, 3, 8]), outputs: [[1, 4, 6, 2]], ops: (m, [x], [y]) => m.op('DEPTH_TO_SPACE', [x], [y], { type: 94, fields: [[0, 'int32', 2]] }) },
  { name: 'depth_to_space 3', inputs: one([2, 3, 2, 9]), outputs: [[2, 9, 6, 1]], ops: (m, [x], [y]) => m.op('DEPTH_TO_SPACE', [x], [y], { type: 94, fields: [[0, 'int32', 3]] }) },
  { name: 'space_to_depth 2', inputs: one([1, 4, 6, 3]), outputs: [[1, 2, 3, 12]], ops: (m, [x], [y]) => m.op('SPACE_TO_DEPTH', [x], [y], { type: 19, fields: [[0, 'int32', 2]] }) },
  { name: 'space_to_depth 3', inputs: one([2, 6, 3, 2]), outputs: [[2, 2, 1, 18]], ops: (m, [x], [y]) => m.op('SPACE_TO_DEPTH', [x], [y], { type: 19, fields: [[0, 'int32', 3]] }) },
  // MIRROR_PAD
  { name: 'mirror_pad REFLECT', inputs: one([3, 4, 5]), outputs: [[6, 7, 8]], ops: (m, [x], [y]) => m.op('MIRROR_PAD', [x, m.ints([1, 2, 0, 3, 2, 1], [3, 2])], [y], { type: 77, fields: [[0, 'int8', 0]] }) },
  { name: 'mirror_pad SYMMETRIC', inputs: one([2, 3, 4]), outputs: [[5, 6, 9]], ops: (m, [x], [y]) => m.op('MIRROR_PAD', [x, m.ints([2, 1, 3, 0, 1, 4], [3, 2])], [y], { type: 77, fields: [[0, 'int8', 1]] }) },
  { name: 'mirror_pad REFLECT of whole rows', inputs: one([4, 3, 5]), outputs: [[7, 6, 5]], ops: (m, [x], [y]) => m.op('MIRROR_PAD', [x, m.ints([2, 1, 1, 2, 0, 0], [3, 2])], [y], { type: 77, fields: [[0, 'int8', 0]] }) },
  { name: 'mirror_pad REFLECT rank 1', inputs: one([5]), outputs: [[13]], ops: (m, [x], [y]) => m.op('MIRROR_PAD', [x, m.ints([4, 4], [1, 2])], [y], { type: 77, fields: [[0, 'int8', 0]] }) },
  {
    name: 'mirror_pad SYMMETRIC rank 5',
    inputs: one([2, 1, 3, 2, 2]),
    outputs: [[3, 3, 5, 4, 3]],
    ops: (m, [x], [y]) => m.op('MIRROR_PAD', [x, m.ints([1, 0, 1, 1, 0, 2, 2, 0, 0, 1], [5, 2])], [y], { type: 77, fields: [[0, 'int8', 1]] }),
  },
  // PADV2
  {
    name: 'padv2',
    inputs: one([2, 3, 4]),
    outputs: [[3, 5, 8]],
    ops: (m, [x], [y]) => m.op('PADV2', [x, m.ints([1, 0, 0, 2, 3, 1], [3, 2]), m.act([], [m.type === 'float32' ? 2.5 : 37])], [y]),
  },
  {
    name: 'padv2 rank 5',
    inputs: one([1, 2, 3, 2, 1]),
    outputs: [[2, 3, 3, 5, 3]],
    ops: (m, [x], [y]) => m.op('PADV2', [x, m.ints([0, 1, 1, 0, 0, 0, 2, 1, 1, 1], [5, 2]), m.act([], [m.type === 'float32' ? -1.75 : -128])], [y], undefined, 4),
  },
];

export interface Built {
  ours: Model;
  twin: Model;
  folded: string[];
}

export function build(type: Type, cases: Case[] = CASES): Built {
  const [ours, twin] = [new Model(type), new Model(type)];
  const folded: string[] = [];
  for (const c of cases) {
    for (const m of [ours, twin]) {
      const xs = c.inputs.map((i) => m.input(i.shape, i.bound));
      const ys = c.outputs.map((s) => m.output(s));
      (m === twin && c.twin ? c.twin : c.ops)(m, xs, ys);
      if (m === ours && c.folds) folded.push(...ys.map((y) => m.tensors[y].name));
    }
  }
  return { ours, twin, folded };
}

export function randomCases(m: Model, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    m.inputSpecs.map(({ shape, bound }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (bound !== undefined) return { dtype: 'int32', shape, data: Int32Array.from(randomInts(rng, n, 0, bound - 1)) };
      if (m.type === 'int32') return { dtype: 'int32', shape, data: Int32Array.from(randomInts(rng, n, -2e9, 2e9)) };
      return m.type === 'float32' ? { dtype: 'float32', shape, data: randomFloats(rng, n, -8, 8) } : { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) };
    }),
  );
}

