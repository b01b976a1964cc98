/**
 * TensorFlow Lite builtins that cut a tensor into windows, imported onto the IR `slice` operator (one
 * per output) and a `reshape` where axes vanish (shrink_axis_mask, UNPACK) or appear (new_axis_mask):
 *
 * - SLICE (begin, size; size −1 = to the end). Versions 1–5: float32, int8, int16, rank 5.
 * - STRIDED_SLICE (begin, end, strides; masks begin, end, ellipsis, new_axis, shrink_axis; offset).
 *   The sparse specification expands to one window per input axis as TensorFlow does (an ellipsis
 *   covers the axes no other entry names, a missing ellipsis sits at the end, a new axis takes no input
 *   axis), and each axis resolves as TFLite's strided_slice_logic.h StridedSliceStartForAxis /
 *   StridedSliceEndForAxis do: negative indices count from the end, clamping depends on the stride's
 *   sign, a masked begin or end takes the whole direction, `offset` makes end relative to the resolved
 *   begin, a shrunk axis takes one element. Versions 1–8 (6: ellipsis / new axis, 8: offset; 7, uint32,
 *   fails on its type). TFLite Micro's kernel stops at rank 4 and ignores the ellipsis, new-axis masks
 *   and offset; the tests compare those cases with TFLite Micro running the equivalent plain slice.
 * - SPLIT (axis input first, num_splits equal parts; versions 1–4) and SPLIT_V (size_splits with at
 *   most one −1, axis; versions 1–2).
 * - UNPACK (num, axis: output i is index i along the axis, the axis removed; versions 1–4).
 * All indices are constant int32 tensors, as TFLite Micro requires. int8 tensors keep their bytes: the
 * kernels copy them, as TFLite Micro's do (TFLite requires one quantization for input and outputs).
 */

import type { TfliteOpContext, TfliteOpDef } from '../../import/tflite-context.js';
import { intList, tfliteAxis } from '../../import/tflite-context.js';
import type { TfliteOptionsTable } from '../../import/tflite-options.js';

/** Elements a window takes along one axis: the IR slice's count (./index.ts imports it from here). */
export function sliceCount(start: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - start) / step));
}

const TYPES = ['float32', 'int8', 'int32'] as const;

function checkType(c: TfliteOpContext<unknown>, i: number): number[] {
  const x = c.inputTensor(i);
  if (!(TYPES as readonly string[]).includes(x.dtype)) c.unsupported(`${c.opName} of ${x.dtype}`);
  return x.shape;
}

/** A slice of input `x` along every axis (full where not given) into `out`, reshaped to `shape` when given. */
function addWindow(c: TfliteOpContext<unknown>, x: string, starts: number[], ends: number[], steps: number[], out: string, shape?: number[]): void {
  if (shape === undefined) {
    c.b.add('slice', [x], { starts, ends, steps }, [out]);
    return;
  }
  const [y] = c.b.add('slice', [x], { starts, ends, steps });
  c.b.add('reshape', [y], { shape }, [out]);
}

// ---------------------------------------------------------------------------------------------------
// SLICE

function importSlice(c: TfliteOpContext<unknown>): void {
  const shape = checkType(c, 0);
  if (shape.length > 5) c.unsupported(`SLICE of rank ${shape.length} (at most 5)`);
  const begin = intList(c, 1, 'begin');
  const size = intList(c, 2, 'size');
  if (begin.length !== shape.length || size.length !== shape.length) c.invalid(`begin [${begin}] and size [${size}] must have ${shape.length} values`);
  const ends = shape.map((n, d) => (size[d] === -1 ? n : begin[d] + size[d]));
  shape.forEach((n, d) => {
    if (begin[d] < 0 || size[d] < -1 || ends[d] > n) c.invalid(`begin ${begin[d]} and size ${size[d]} leave axis ${d} of [${shape}]`);
  });
  addWindow(c, c.input(0), begin, ends, shape.map(() => 1), c.output(0));
}

// ---------------------------------------------------------------------------------------------------
// STRIDED_SLICE

export interface StridedSliceOptions {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  offset: boolean;
}

/** StridedSliceOptions (BuiltinOptions type 32): the five masks (fields 0–4) and offset (field 5). */
const STRIDED_SLICE_OPTIONS: TfliteOptionsTable<StridedSliceOptions> = {
  type: 32,
  read: (r, t) => ({
    beginMask: r.int32(t, 0),
    endMask: r.int32(t, 1),
    ellipsisMask: r.int32(t, 2),
    newAxisMask: r.int32(t, 3),
    shrinkAxisMask: r.int32(t, 4),
    offset: r.bool(t, 5),
  }),
  defaults: { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false },
};

/** One input axis of a strided slice as the sparse specification gives it. */
interface DenseAxis {
  begin: number;
  end: number;
  stride: number;
  beginMasked: boolean;
  endMasked: boolean;
  shrink: boolean;
}

/** An axis no entry names: the whole axis, forwards. */
const FULL: DenseAxis = { begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false };

/** The first index of an axis (TFLite's StridedSliceStartForAxis). */
function startFor(a: DenseAxis, n: number): number {
  if (a.beginMasked) return a.stride > 0 ? 0 : n - 1;
  const s = a.begin < 0 ? a.begin + n : a.begin;
  return a.stride > 0 ? Math.min(n, Math.max(0, s)) : Math.min(n - 1, Math.max(-1, s));
}

/** The end of an axis (TFLite's StridedSliceEndForAxis). */
function endFor(a: DenseAxis, n: number, start: number, offset: boolean): number {
  if (a.shrink) return start >= n ? start : start + 1;
  if (a.endMasked) return a.stride > 0 ? n : -1;
  let e = offset ? a.end + start : a.end;
  if (e < 0) e += n;
  return a.stride > 0 ? Math.min(n, Math.max(0, e)) : Math.min(n - 1, Math.max(-1, e));
}

/**
 * The sparse specification → one DenseAxis per input axis and the output shape as a list of input axes
 * (−1 for a new axis of size 1).
 */
function expandSpec(c: TfliteOpContext<StridedSliceOptions>, rank: number, begin: number[], end: number[], strides: number[]): { axes: DenseAxis[]; layout: number[] } {
  const o = c.options;
  const bit = (mask: number, i: number) => (mask & (1 << i)) !== 0;
  const sparse = begin.length;
  if ((o.ellipsisMask & (o.ellipsisMask - 1)) !== 0) c.invalid(`ellipsis_mask ${o.ellipsisMask} has more than one ellipsis`);
  const axes: DenseAxis[] = [];
  const layout: number[] = [];
  const full = () => {
    layout.push(axes.length);
    axes.push({ ...FULL });
  };
  for (let i = 0; i < sparse; i++) {
    if (bit(o.ellipsisMask, i)) {
      let after = 0;
      for (let j = i + 1; j < sparse; j++) if (!bit(o.newAxisMask, j)) after++;
      const cover = rank - axes.length - after;
      if (cover < 0) c.invalid(`the slice names more axes than the input's ${rank}`);
      for (let k = 0; k < cover; k++) full();
    } else if (bit(o.newAxisMask, i)) {
      layout.push(-1);
    } else {
      if (axes.length >= rank) c.invalid(`the slice names more axes than the input's ${rank}`);
      const a: DenseAxis = { begin: begin[i], end: end[i], stride: strides[i], beginMasked: bit(o.beginMask, i), endMasked: bit(o.endMask, i), shrink: bit(o.shrinkAxisMask, i) };
      if (a.stride === 0) c.invalid(`stride ${i} is 0`);
      if (a.shrink && a.stride < 0) c.invalid(`axis ${axes.length} is shrunk with a negative stride`);
      if (!a.shrink) layout.push(axes.length);
      axes.push(a);
    }
  }
  while (axes.length < rank) full();
  return { axes, layout };
}

function importStridedSlice(c: TfliteOpContext<StridedSliceOptions>): void {
  const shape = checkType(c, 0);
  const rank = shape.length;
  if (rank > 5) c.unsupported(`STRIDED_SLICE of rank ${rank} (at most 5)`);
  const begin = intList(c, 1, 'begin');
  const end = intList(c, 2, 'end');
  const strides = c.input(3) === '' ? begin.map(() => 1) : intList(c, 3, 'strides');
  if (end.length !== begin.length || strides.length !== begin.length) c.invalid(`begin, end and strides differ in length (${begin.length}, ${end.length}, ${strides.length})`);
  const { axes, layout } = expandSpec(c, rank, begin, end, strides);
  const starts: number[] = [];
  const ends: number[] = [];
  axes.forEach((a, d) => {
    const n = shape[d];
    const s = startFor(a, n);
    if (a.shrink && (s < 0 || s >= n)) c.invalid(`index ${a.begin} of shrunk axis ${d} is out of range for a dim of ${n}`);
    starts.push(s);
    ends.push(endFor(a, n, s, c.options.offset));
  });
  const steps = axes.map((a) => a.stride);
  const counts = axes.map((_, d) => sliceCount(starts[d], ends[d], steps[d]));
  const outShape = layout.map((d) => (d < 0 ? 1 : counts[d]));
  const same = outShape.length === counts.length && outShape.every((n, i) => n === counts[i]);
  addWindow(c, c.input(0), starts, ends, steps, c.output(0), same ? undefined : outShape);
}

// ---------------------------------------------------------------------------------------------------
// SPLIT, SPLIT_V, UNPACK

/** SplitOptions (35), SplitVOptions (79): num_splits, field 0; UnpackOptions (64): num, field 0, axis, field 1. */
const countOptions = (type: number): TfliteOptionsTable<{ count: number; axis: number }> => ({
  type,
  read: (r, t) => ({ count: r.int32(t, 0), axis: type === 64 ? r.int32(t, 1) : 0 }),
  defaults: { count: 0, axis: 0 },
});

function scalarAxis(c: TfliteOpContext<unknown>, i: number, rank: number): number {
  const v = intList(c, i, 'axis');
  if (v.length !== 1) c.invalid(`axis must hold one value, got [${v}]`);
  return tfliteAxis(c, v[0], rank);
}

/** Outputs j = 0..sizes.length-1 take consecutive pieces of `sizes[j]` along `axis` (reshaped to `shapes[j]`). */
function addPieces(c: TfliteOpContext<unknown>, x: number, shape: number[], axis: number, sizes: number[], shapes?: number[][]): void {
  if (sizes.length !== c.outputCount) c.invalid(`${sizes.length} pieces for ${c.outputCount} outputs`);
  let at = 0;
  sizes.forEach((size, j) => {
    const starts = shape.map((_, d) => (d === axis ? at : 0));
    const ends = shape.map((n, d) => (d === axis ? at + size : n));
    addWindow(c, c.input(x), starts, ends, shape.map(() => 1), c.output(j), shapes?.[j]);
    at += size;
  });
}

function importSplit(c: TfliteOpContext<{ count: number; axis: number }>): void {
  const shape = checkType(c, 1);
  const axis = scalarAxis(c, 0, shape.length);
  const k = c.options.count;
  if (!Number.isInteger(k) || k < 1 || shape[axis] % k !== 0) c.invalid(`num_splits ${k} does not divide axis ${axis} of [${shape}]`);
  addPieces(c, 1, shape, axis, new Array<number>(k).fill(shape[axis] / k));
}

function importSplitV(c: TfliteOpContext<{ count: number; axis: number }>): void {
  const shape = checkType(c, 0);
  const axis = scalarAxis(c, 2, shape.length);
  const sizes = intList(c, 1, 'size_splits');
  const unknown = sizes.filter((s) => s === -1).length;
  const known = sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
  if (unknown > 1 || sizes.some((s) => s < -1) || (unknown === 0 ? known !== shape[axis] : known > shape[axis])) {
    c.invalid(`size_splits [${sizes}] do not split axis ${axis} of [${shape}]`);
  }
  addPieces(c, 0, shape, axis, sizes.map((s) => (s === -1 ? shape[axis] - known : s)));
}

function importUnpack(c: TfliteOpContext<{ count: number; axis: number }>): void {
  const shape = checkType(c, 0);
  const axis = tfliteAxis(c, c.options.axis, shape.length);
  if (c.options.count !== shape[axis]) c.invalid(`num ${c.options.count} differs from axis ${axis} of [${shape}]`);
  const rest = shape.filter((_, d) => d !== axis);
  addPieces(c, 0, shape, axis, new Array<number>(shape[axis]).fill(1), new Array<number[]>(shape[axis]).fill(rest));
}

export const sliceTfliteImporters: Record<string, TfliteOpDef<any>> = {
  SLICE: { maxVersion: 5, types: TYPES, import: importSlice },
  STRIDED_SLICE: { maxVersion: 8, options: STRIDED_SLICE_OPTIONS, types: TYPES, import: importStridedSlice },
  SPLIT: { maxVersion: 4, options: countOptions(35), types: TYPES, import: importSplit },
  SPLIT_V: { maxVersion: 2, options: countOptions(79), types: TYPES, import: importSplitV },
  UNPACK: { maxVersion: 4, options: countOptions(64), types: TYPES, import: importUnpack },
};
