/**
 * reduce_mean: the mean over a set of axes (ONNX ReduceMean, opsets 1–18).
 *
 * Attributes: `axes` (normalised, sorted, non-empty unless the input is a scalar) and `keepdims`
 * (reduced axes stay as size-1 dims). The importer resolves ONNX's defaults: no axes means every axis,
 * or — with `noop_with_empty_axes=1` (opset 18) — the identity, imported as an alias. Axes are an
 * attribute before opset 18 and an input (must be a constant) from 18.
 *
 * Lowering splits the dims into kept and reduced groups, merges adjacent dims of the same group, drops
 * size-1 dims and calls `utvm_reduce_mean_f32` with each group's shape and input strides and
 * scale = 1/count, all computed here; int8 (TFLite's MEAN) calls `utvm_reduce_mean_s8` with TFLite's
 * requantization (src/ops/reduce-mean/s8.ts). The run-time reference of every reduction is ./reference.ts. Across a transpose (keepdims only) the axes are remapped.
 *
 * The axes handling — `reducedShape`, `forEachReduced`, `reduceGroups`, `commuteReduceAxes` and the TFLite
 * importer `importTfliteReducer` — is exported for the other reductions (src/ops/reduce/: REDUCE_MAX,
 * REDUCE_MIN, SUM).
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import type { Node, Tensor } from '../../ir/graph.js';
import { f32 } from '../../ir/c-value.js';
import { defineOp } from '../op.js';
import { lowerReduceMeanS16, lowerReduceMeanS8 } from './s8.js';
import type { ImportContext, OnnxNode } from '../op.js';
import { stridesOf } from '../transpose.js';
import { MAX_RANK, padToMaxRank } from '../../lower/rank.js';
import { constantInts, normalizeAxes } from '../../import/onnx/constants.js';
import { intList, tfliteAxis } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions } from '../../import/tflite-options.js';
import type { Rounding } from '../../ir/quant.js';
import { reduceReference } from './reference.js';

export interface ReduceMeanAttrs extends ReduceAxesAttrs {
  /**
   * int8 only. 'tflite' (default): TFLite's MEAN, 1/count folded into the shift (bit-exact with TFLite
   * Micro). 'onnx': the mean of a quantized ONNX global average pool, requantized by ONNX's float
   * formula in both rounding modes (src/ops/reduce-mean/s8.ts says why).
   */
  requant?: Rounding;
}

export interface Group {
  reduced: boolean;
  size: number;
  stride: number;
}

/** Input dims as alternating kept/reduced groups (size-1 dims dropped, adjacent same-kind dims merged). */
function groupDims(shape: readonly number[], axes: readonly number[]): Group[] {
  const strides = stridesOf(shape);
  const groups: Group[] = [];
  shape.forEach((size, d) => {
    if (size === 1) return;
    const reduced = axes.includes(d);
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced && last.stride === size * strides[d]) {
      last.size *= size;
      last.stride = strides[d];
    } else {
      groups.push({ reduced, size, stride: strides[d] });
    }
  });
  return groups;
}


/** Axes and keepdims: the attributes every reduction over a set of axes shares. */
export interface ReduceAxesAttrs {
  axes: number[];
  keepdims: boolean;
}

/** The output shape of a reduction (E_SHAPE for an axis out of range). */
export function reducedShape(shape: readonly number[], attrs: ReduceAxesAttrs, node: Node<unknown>): number[] {
  for (const a of attrs.axes) {
    if (a < 0 || a >= shape.length) fail('E_SHAPE', `${describeNode(node.source)}: axis ${a} is out of range for rank ${shape.length}`);
  }
  return attrs.keepdims ? shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !attrs.axes.includes(i));
}

/** A reduction across a transpose (keepdims only): axis a of the transposed input is axis perm[a] of the original. */
export function commuteReduceAxes<A extends ReduceAxesAttrs>(node: Node<A>, perm: number[]): { attrs: A; inputs: string[] } | null {
  if (!node.attrs.keepdims) return null;
  const axes = node.attrs.axes.map((a) => perm[a]).sort((a, b) => a - b);
  return { attrs: { ...node.attrs, axes }, inputs: [...node.inputs] };
}

/** Calls f(input index, output index) for every input element, in row-major input order. */
export function forEachReduced(shape: readonly number[], axes: readonly number[], f: (i: number, o: number) => void): void {
  // Output index of each input element: its coordinates with the reduced ones dropped.
  const keptStrides = stridesOf(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  const idx = new Array<number>(shape.length).fill(0);
  const count = elementCount(shape);
  for (let i = 0; i < count; i++) {
    let o = 0;
    for (let d = 0; d < idx.length; d++) if (!axes.includes(d)) o += idx[d] * keptStrides[d];
    f(i, o);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** The kept and reduced groups of a reduction's input as the utvm/reduce.h parameter arrays, and the reduced element count. */
export function reduceGroups(node: Node<ReduceAxesAttrs>, x: Tensor): { shapes: Record<string, number[]>; count: number; kept: Group[]; reduced: Group[] } {
  const groups = groupDims(x.shape, node.attrs.axes);
  const kept = groups.filter((g) => !g.reduced);
  const reduced = groups.filter((g) => g.reduced);
  if (kept.length > MAX_RANK || reduced.length > MAX_RANK) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: more than ${MAX_RANK} separate kept or reduced dims is not supported`);
  }
  const shapes = {
    kept_shape: padToMaxRank(kept.map((g) => g.size), 1),
    kept_strides: padToMaxRank(kept.map((g) => g.stride), 0),
    reduced_shape: padToMaxRank(reduced.map((g) => g.size), 1),
    reduced_strides: padToMaxRank(reduced.map((g) => g.stride), 0),
  };
  return { shapes, count: elementCount(node.attrs.axes.map((a) => x.shape[a])), kept, reduced };
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

/** The importer of a TFLite reducer (MEAN, SUM, REDUCE_MAX, REDUCE_MIN) onto IR operator `op`: axes deduplicated and sorted. */
export function importTfliteReducer(op: string): (c: TfliteOpContext) => void {
  return (c) => {
    const rank = c.inputTensor(0).shape.length;
    const axes = [...new Set(intList(c, 1, 'axes').map((a) => tfliteAxis(c, a, rank)))].sort((p, q) => p - q);
    c.b.add(op, [c.input(0)], { axes, keepdims: c.options.keepDims }, [c.output(0)]);
  };
}

/** TFLite's ReducerOptions table (keep_dims, field 0). */
export const REDUCER_OPTIONS = flatOptions(OptionsType.ReducerOptions, (r, t) => ({ keepDims: r.bool(t, 0) }));

export const reduceMean = defineOp<ReduceMeanAttrs>({
  name: 'reduce_mean',
  infer: ({ attrs, inputs, node }) => [{ dtype: inputs[0]!.dtype, shape: reducedShape(inputs[0]!.shape, attrs, node) }],
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    if (x.quant) fail('E_UNSUPPORTED_ATTR', 'folding a mean of a quantized constant is not supported');
    const data = x.data!;
    const count = elementCount(attrs.axes.map((a) => x.shape[a]));
    const sums = new Float64Array(elementCount(outputs[0].shape));
    forEachReduced(x.shape, attrs.axes, (i, o) => {
      sums[o] += numberAt(data, i);
    });
    const out = allocData(outputs[0].dtype, sums.length);
    const integer = x.dtype !== 'float32' && x.dtype !== 'float64';
    for (let o = 0; o < sums.length; o++) {
      const mean = sums[o] / count;
      const v = integer ? Math.trunc(mean) : mean;
      if (out instanceof BigInt64Array) out[o] = BigInt(v);
      else out[o] = v;
    }
    return [out];
  },
  reference: ({ attrs, node, inputs, outputs }) => [reduceReference('mean', node, attrs.axes, inputs[0]!, outputs[0])],
  lower(ctx) {
    const { node, input, output } = ctx;
    const x = input(0);
    if (x.dtype !== 'float32' && x.dtype !== 'int8' && x.dtype !== 'int16') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: ReduceMean on ${x.dtype} (only float32, int8 and int16 at run time)`);
    }
    const { shapes, count } = reduceGroups(node, x);
    if (x.dtype === 'int16') return lowerReduceMeanS16(ctx, shapes, count);
    if (x.dtype === 'int8') return lowerReduceMeanS8(ctx, shapes, count, node.attrs.requant ?? 'tflite');
    const params = { ...shapes, scale: f32(1 / count) };
    return [
      {
        kernel: 'utvm_reduce_mean_f32',
        header: 'utvm/reduce.h',
        args: [{ params, type: 'utvm_reduce_params_f32' }, { tensor: x.name }, { tensor: output(0).name }],
      },
    ];
  },
  commuteTranspose: commuteReduceAxes,
  onnx: { ReduceMean: importReduceMean },
  tflite: { MEAN: { maxVersion: 3, types: ['float32', 'int8', 'int16'], options: REDUCER_OPTIONS, import: importTfliteReducer('reduce_mean') } },
});

function importReduceMean(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  const keepdims = node.attrs.int('keepdims', 1) !== 0;
  const given = node.opset < 18 ? (node.attrs.has('axes') ? node.attrs.ints('axes') : undefined) : constantInts(node, ctx, 1, 'axes');
  let axes: number[];
  if (given === undefined || given.length === 0) {
    if (node.attrs.int('noop_with_empty_axes', 0) !== 0) {
      ctx.alias(node.outputs[0], node.inputs[0]);
      return;
    }
    axes = [...Array(rank).keys()];
  } else {
    axes = normalizeAxes(ctx, given, rank).sort((a, b) => a - b);
  }
  ctx.add('reduce_mean', [node.inputs[0]], { axes, keepdims }, node.outputs.slice(0, 1));
}
