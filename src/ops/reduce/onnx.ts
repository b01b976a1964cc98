/**
 * ONNX ReduceMax, ReduceMin and ReduceSum onto reduce_max / reduce_min / reduce_sum (./index.ts).
 *
 * Every opset from 1: `keepdims` (default 1); the axes are the `axes` attribute before the opset where
 * they became an input (ReduceSum 13, ReduceMax and ReduceMin 18), then an optional input that must be
 * a constant. No axes (or an empty list) reduces every axis, unless `noop_with_empty_axes=1` (the same
 * opsets as the axes input), which makes the node an identity (imported as an alias). Axes may be
 * negative; a repeated axis is E_MODEL_INVALID. ReduceMax / ReduceMin 20 only add bool and 8-bit
 * element types, which run where the operator's kernels take them (float32, and int8 through QDQ).
 */

import type { ImportContext, OnnxImporter, OnnxNode } from '../op.js';
import { constantInts, normalizeAxes } from '../../import/onnx/constants.js';

/** The ONNX importer of a reduction onto IR operator `op`; its axes are an input from opset `axesInput`. */
export function importOnnxReducer(op: string, axesInput: number): OnnxImporter {
  return (node: OnnxNode, ctx: ImportContext) => {
    const x = ctx.tensor(node.inputs[0]);
    const rank = x.shape.length;
    const keepdims = node.attrs.int('keepdims', 1) !== 0;
    const asInput = node.opset >= axesInput;
    const given = asInput ? constantInts(node, ctx, 1, 'axes') : node.attrs.has('axes') ? node.attrs.ints('axes') : undefined;
    if (given === undefined || given.length === 0) {
      if (asInput && node.attrs.int('noop_with_empty_axes', 0) !== 0) {
        ctx.alias(node.outputs[0], node.inputs[0]);
        return;
      }
      ctx.add(op, [node.inputs[0]], { axes: [...Array(rank).keys()], keepdims }, node.outputs.slice(0, 1));
      return;
    }
    const axes = normalizeAxes(ctx, given, rank).sort((a, b) => a - b);
    ctx.add(op, [node.inputs[0]], { axes, keepdims }, node.outputs.slice(0, 1));
  };
}
