/**
 * slice: a strided window of a tensor. Attributes are full-rank and already resolved: along axis d the
 * output takes input indices starts[d], starts[d] + steps[d], … while they stay before ends[d] (after it
 * for a negative step), ceil((ends[d] − starts[d]) / steps[d]) of them (at least 0). Input and output
 * share the dtype and quantization: the operator moves values, so conversions move across it
 * (`movesValues: 'layout'`).
 *
 * Lowering is one `utvm_copy_nd` (src/ops/transpose.ts `copyNdCall`): the input pointer offset to the
 * first element, strides steps[d] · stride[d] (negative steps walk backwards), contiguous runs merged
 * into one memcpy. Constant inputs fold through `evaluate`.
 *
 * Importers: ONNX Slice (opsets 1–9: starts, ends, axes attributes; 10+: starts, ends, axes, steps
 * inputs, which must be constants; negative indices count from the end and clamp as ONNX says, by the
 * step's sign) on run-time or constant data (folded), ONNX Split (./onnx.ts), and TensorFlow Lite's SLICE, STRIDED_SLICE, SPLIT, SPLIT_V and UNPACK (./tflite.ts), which map onto
 * one slice per output plus a reshape where axes appear or vanish.
 */

import { elementCount } from '../../ir/graph.js';
import { defineOp } from '../op.js';
import { describeNode } from '../../diagnostics.js';
import type { ImportContext, OnnxNode } from '../op.js';
import { copyNd, copyNdCall, stridesOf } from '../transpose.js';
import { constantInts, normalizeAxes } from '../../import/onnx/constants.js';
import { sliceCount, sliceTfliteImporters } from './tflite.js';
import { importSplit } from './onnx.js';

/** Full-rank, already clamped slice: axis d takes starts[d], starts[d] + steps[d], ... before ends[d]. */
export interface SliceAttrs {
  starts: number[];
  ends: number[];
  steps: number[];
}

export const slice = defineOp<SliceAttrs>({
  name: 'slice',
  movesValues: () => 'layout',
  infer({ attrs, inputs }) {
    const x = inputs[0]!;
    const shape = x.shape.map((_, d) => sliceCount(attrs.starts[d], attrs.ends[d], attrs.steps[d]));
    return [{ dtype: x.dtype, shape, quant: x.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    const strides = stridesOf(x.shape);
    const offset = attrs.starts.reduce((acc, st, d) => acc + st * strides[d], 0);
    return [copyNd(x.data!, outputs[0].dtype, offset, outputs[0].shape, strides.map((st, d) => st * attrs.steps[d]))];
  },
  lower({ node, input, output }) {
    const x = input(0);
    const y = output(0);
    if (elementCount(y.shape) === 0) return [];
    const strides = stridesOf(x.shape);
    const { starts, steps } = node.attrs;
    const offset = starts.reduce((acc, s, d) => acc + s * strides[d], 0);
    return [copyNdCall(x.name, x.dtype, offset, y.shape, strides.map((s, d) => s * steps[d]), y.name, describeNode(node.source))];
  },
  onnx: { Slice: importSlice, Split: importSplit },
  tflite: sliceTfliteImporters,
});

/** ONNX's clamping of one axis's start/end (negative = from the end; direction-dependent bounds). */
function clampSlice(start: number, end: number, step: number, n: number): [number, number] {
  const s = start < 0 ? start + n : start;
  const e = end < 0 ? end + n : end;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return step > 0 ? [clamp(s, 0, n), clamp(e, 0, n)] : [clamp(s, 0, n - 1), clamp(e, -1, n - 1)];
}

/** Slice: starts/ends/axes attributes before opset 10; inputs starts, ends, axes?, steps? from 10. */
function importSlice(node: OnnxNode, ctx: ImportContext): void {
  const shape = ctx.tensor(node.inputs[0]).shape;
  const a = node.attrs;
  const old = node.opset < 10;
  const starts = old ? a.ints('starts') : constantInts(node, ctx, 1, 'starts');
  const ends = old ? a.ints('ends') : constantInts(node, ctx, 2, 'ends');
  if (starts === undefined || ends === undefined) ctx.invalid(`the 'starts' and 'ends' inputs are required`);
  const given = old ? (a.has('axes') ? a.ints('axes') : undefined) : constantInts(node, ctx, 3, 'axes');
  const axes = normalizeAxes(ctx, given ?? [...starts.keys()], shape.length);
  const steps = (old ? undefined : constantInts(node, ctx, 4, 'steps')) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.invalid(`starts, ends, axes and steps differ in length`);
  }
  const attrs: SliceAttrs = { starts: shape.map(() => 0), ends: [...shape], steps: shape.map(() => 1) };
  axes.forEach((axis, i) => {
    if (steps[i] === 0) ctx.invalid('a step is 0');
    [attrs.starts[axis], attrs.ends[axis]] = clampSlice(starts[i], ends[i], steps[i], shape[axis]);
    attrs.steps[axis] = steps[i];
  });
  const empty = shape.findIndex((_, d) => sliceCount(attrs.starts[d], attrs.ends[d], attrs.steps[d]) === 0);
  if (empty >= 0) ctx.unsupported(`a slice that leaves axis ${empty} empty (an empty tensor)`);
  ctx.add('slice', [node.inputs[0]], attrs, node.outputs.slice(0, 1));
}
