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
 * requantization (src/ops/reduce-mean/s8.ts). Across a transpose (keepdims only) the axes are remapped.
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { f32 } from '../../ir/c-value.js';
import { defineOp } from '../op.js';
import { lowerReduceMeanS8 } from './s8.js';
import type { ImportContext, OnnxNode } from '../op.js';
import { stridesOf } from '../transpose.js';
import { MAX_RANK, padToMaxRank } from '../../lower/rank.js';
import { constantInts, normalizeAxes } from '../../import/onnx/constants.js';
import { intList, tfliteAxis } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions } from '../../import/tflite-options.js';
import type { Rounding } from '../../ir/quant.js';

export interface ReduceMeanAttrs {
  axes: number[];
  keepdims: boolean;
  /**
   * int8 only. 'tflite' (default): TFLite's MEAN, 1/count folded into the shift (bit-exact with TFLite
   * Micro). 'onnx': the mean of a quantized ONNX global average pool, requantized by ONNX's float
   * formula in both rounding modes (src/ops/reduce-mean/s8.ts says why).
   */
  requant?: Rounding;
}

interface Group {
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


// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteMean(c: TfliteOpContext): void {
  const rank = c.inputTensor(0).shape.length;
  const axes = [...new Set(intList(c, 1, 'axes').map((a) => tfliteAxis(c, a, rank)))].sort((p, q) => p - q);
  c.b.add('reduce_mean', [c.input(0)], { axes, keepdims: c.options.keepDims }, [c.output(0)]);
}

export const reduceMean = defineOp<ReduceMeanAttrs>({
  name: 'reduce_mean',
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    for (const a of attrs.axes) {
      if (a < 0 || a >= x.shape.length) fail('E_SHAPE', `${describeNode(node.source)}: axis ${a} is out of range for rank ${x.shape.length}`);
    }
    const shape = attrs.keepdims
      ? x.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !attrs.axes.includes(i));
    return [{ dtype: x.dtype, shape }];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    if (x.quant) fail('E_UNSUPPORTED_ATTR', 'folding a mean of a quantized constant is not supported');
    const data = x.data!;
    const count = elementCount(attrs.axes.map((a) => x.shape[a]));
    const sums = new Float64Array(elementCount(outputs[0].shape));
    // Output index of each input element: its coordinates with the reduced ones dropped.
    const keptStrides = stridesOf(x.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d)));
    const idx = new Array<number>(x.shape.length).fill(0);
    for (let i = 0; i < data.length; i++) {
      let o = 0;
      for (let d = 0; d < idx.length; d++) if (!attrs.axes.includes(d)) o += idx[d] * keptStrides[d];
      sums[o] += numberAt(data, i);
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
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
  lower(ctx) {
    const { node, input, output } = ctx;
    const x = input(0);
    if (x.dtype !== 'float32' && x.dtype !== 'int8') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: ReduceMean on ${x.dtype} (only float32 and int8 at run time)`);
    }
    const groups = groupDims(x.shape, node.attrs.axes);
    const kept = groups.filter((g) => !g.reduced);
    const reduced = groups.filter((g) => g.reduced);
    if (kept.length > MAX_RANK || reduced.length > MAX_RANK) {
      fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: more than ${MAX_RANK} separate kept or reduced dims is not supported`);
    }
    const count = elementCount(node.attrs.axes.map((a) => x.shape[a]));
    const shapes = {
      kept_shape: padToMaxRank(kept.map((g) => g.size), 1),
      kept_strides: padToMaxRank(kept.map((g) => g.stride), 0),
      reduced_shape: padToMaxRank(reduced.map((g) => g.size), 1),
      reduced_strides: padToMaxRank(reduced.map((g) => g.stride), 0),
    };
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
  commuteTranspose(node, perm) {
    if (!node.attrs.keepdims) return null;
    // Axis a of the transposed input is axis perm[a] of the original.
    const axes = node.attrs.axes.map((a) => perm[a]).sort((a, b) => a - b);
    return { attrs: { ...node.attrs, axes }, inputs: [...node.inputs] };
  },
  onnx: { ReduceMean: importReduceMean },
  tflite: { MEAN: { maxVersion: 2, types: ['float32', 'int8'], options: flatOptions(OptionsType.ReducerOptions, (r, t) => ({ keepDims: r.bool(t, 0) })), import: importTfliteMean } },
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
