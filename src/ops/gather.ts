/**
 * gather: slices of `data` along `axis` picked by an index tensor (ONNX Gather, TFLite GATHER).
 *
 * Attributes: `axis` (normalised) and `batchDims` (TFLite's batch_dims, 0 for ONNX): the first
 * batchDims dims of data and indices are shared, and the output shape is data[:axis] ++
 * indices[batchDims:] ++ data[axis+1:]. Negative constant indices count from the end (ONNX); TFLite
 * indices must lie in [0, n). Lowering is one `utvm_gather` for any element type (the kernel copies
 * rows of bytes) with the indices as an int32 tensor — a constant or a run-time input alike; an
 * out-of-range run-time index writes a zero row instead of reading outside the input. The operator
 * moves values (`movesValues: 'layout'`); int8 data keeps its bytes, as TFLite Micro's kernel does.
 *
 * ONNX Gather (opsets 1–13: `axis`, default 0, negative from the end) takes run-time or constant data
 * (folded) and constant int32 / int64 indices, negative ones counting from the end: the importer makes
 * them an int32 constant in [0, n) (a scalar index removes the axis); run-time indices are refused.
 * TFLite GATHER (versions 1–5:
 * float32, int8, batch_dims; int32 positions, as TFLite Micro takes) runs on run-time data and indices
 * (its `types` name int32 for the positions; int32 data is refused by the importer, as TFLite Micro does).
 */

import { allocData, toNumbers } from '../ir/dtype.js';
import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import { bytesOf } from '../ir/dtype.js';
import { defineOp } from './op.js';
import type { OpDef } from './op.js';
import { constantInput, normalizeAxis } from '../import/onnx/constants.js';
import type { ImportContext, OnnxNode } from './op.js';
import { tfliteAxis } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';

export interface GatherAttrs {
  axis: number;
  batchDims?: number;
}

/** batches (shared dims), outer (dims from batchDims to axis), n (the axis), inner, coords per batch. */
function sizes(data: readonly number[], indices: readonly number[], axis: number, batchDims: number) {
  return {
    batches: elementCount(data.slice(0, batchDims)),
    outer: elementCount(data.slice(batchDims, axis)),
    n: data[axis],
    inner: elementCount(data.slice(axis + 1)),
    coords: elementCount(indices.slice(batchDims)),
  };
}

export const gather: OpDef<GatherAttrs> = defineOp<GatherAttrs>({
  name: 'gather',
  movesValues: () => 'layout',
  infer({ attrs, inputs, node }) {
    const data = inputs[0]!;
    const indices = inputs[1]!;
    const b = attrs.batchDims ?? 0;
    const n = data.shape[attrs.axis];
    const where = describeNode(node.source);
    if (b > attrs.axis || b > indices.shape.length || data.shape.slice(0, b).some((d, i) => d !== indices.shape[i])) {
      fail('E_MODEL_INVALID', `${where}: batch_dims ${b} does not fit data [${data.shape}], indices [${indices.shape}] and axis ${attrs.axis}`);
    }
    for (const i of indices.data ? toNumbers(indices.data) : []) {
      if (i < -n || i >= n) fail('E_MODEL_INVALID', `${where}: index ${i} is out of range for a dim of ${n}`);
    }
    const shape = [...data.shape.slice(0, attrs.axis), ...indices.shape.slice(b), ...data.shape.slice(attrs.axis + 1)];
    return [{ dtype: data.dtype, shape, quant: data.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const [data, indices] = [inputs[0]!, inputs[1]!];
    const { batches, outer, n, inner, coords } = sizes(data.shape, indices.shape, attrs.axis, attrs.batchDims ?? 0);
    const idx = toNumbers(indices.data!).map((i) => (i < 0 ? i + n : i));
    const src = data.data!;
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    let o = 0;
    for (let b = 0; b < batches; b++) {
      for (let k = 0; k < outer; k++) {
        for (let c = 0; c < coords; c++) {
          const from = ((b * outer + k) * n + idx[b * coords + c]) * inner;
          (out as Float64Array).set(src.subarray(from, from + inner) as Float64Array, o);
          o += inner;
        }
      }
    }
    return [out];
  },
  // Run time (TFLite GATHER): positions must lie in [0, n), as TFLite Micro's kernel requires (it fails
  // the run otherwise; the C kernel writes a zero row instead of reading outside the input).
  reference({ attrs, inputs, outputs, node }) {
    const n = inputs[0]!.shape[attrs.axis];
    const bad = toNumbers(inputs[1]!.data!).find((i) => !(i >= 0 && i < n));
    if (bad !== undefined) fail('E_INPUT_FILE', `${describeNode(node.source)}: gather position ${bad} is outside [0, ${n})`);
    return gather.evaluate!(attrs, inputs, outputs);
  },
  lower({ node, input, output, addConstant }) {
    const [data, indices, y] = [input(0), input(1), output(0)];
    if (elementCount(y.shape) === 0) return [];
    const { batches, outer, n, inner, coords } = sizes(data.shape, indices.shape, node.attrs.axis, node.attrs.batchDims ?? 0);
    let index = indices.name;
    if (indices.data !== undefined) {
      const values = toNumbers(indices.data).map((i) => (i < 0 ? i + n : i));
      index = addConstant(`${node.name}_indices`, 'int32', [values.length], Int32Array.from(values));
    } else if (indices.dtype !== 'int32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: run-time ${indices.dtype} gather indices are not supported (int32 are)`);
    }
    const params = { batches, outer, axis_size: n, coords, inner_bytes: inner * bytesOf(data.dtype) };
    return [{ kernel: 'utvm_gather', header: 'utvm/copy.h', args: [{ params, type: 'utvm_gather_params' }, { tensor: data.name }, { tensor: index }, { tensor: y.name }] }];
  },
  onnx: {
    Gather: importOnnxGather,
  },
  tflite: {
    GATHER: { maxVersion: 5, options: gatherOptions(), types: ['float32', 'int8', 'int32'], import: importTfliteGather },
  },
});

/** GatherOptions (BuiltinOptions type 23): axis, field 0; batch_dims, field 1. */
function gatherOptions(): TfliteOptionsTable<{ axis: number; batchDims: number }> {
  return { type: 23, read: (r, t) => ({ axis: r.int32(t, 0), batchDims: r.int32(t, 1) }), defaults: { axis: 0, batchDims: 0 } };
}

function importTfliteGather(c: TfliteOpContext<{ axis: number; batchDims: number }>): void {
  const data = c.inputTensor(0);
  const indices = c.inputTensor(1);
  if (data.dtype !== 'float32' && data.dtype !== 'int8') c.unsupported(`GATHER of ${data.dtype}`);
  if (indices.dtype !== 'int32') c.unsupported(`GATHER with ${indices.dtype} positions`);
  const axis = tfliteAxis(c, c.options.axis, data.shape.length);
  const batchDims = c.options.batchDims < 0 ? c.options.batchDims + indices.shape.length : c.options.batchDims;
  if (batchDims < 0 || batchDims > axis || batchDims > indices.shape.length) c.invalid(`batch_dims ${c.options.batchDims} must lie in [0, min(axis ${axis}, index rank ${indices.shape.length})]`);
  const n = data.shape[axis];
  if (indices.data !== undefined && toNumbers(indices.data).some((i) => i < 0 || i >= n)) c.invalid(`an index is outside [0, ${n})`);
  c.b.add('gather', [c.input(0), c.input(1)], { axis, batchDims }, [c.output(0)]);
}

/** ONNX Gather: constant indices, resolved to int32 positions in [0, n). */
function importOnnxGather(node: OnnxNode, ctx: ImportContext): void {
  const data = ctx.tensor(node.inputs[0]);
  const axis = normalizeAxis(ctx, node.attrs.int('axis', 0), data.shape.length);
  const values = constantInput(node, ctx, 1, 'indices');
  if (values === undefined) ctx.invalid(`the 'indices' input is missing`);
  const indices = ctx.tensor(node.inputs[1]);
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') ctx.invalid(`indices must be int32 or int64, not ${indices.dtype}`);
  const n = data.shape[axis];
  const positions = toNumbers(values).map((i) => {
    if (!(i >= -n && i < n)) ctx.invalid(`index ${i} is out of range for a dim of ${n}`);
    return i < 0 ? i + n : i;
  });
  const index = ctx.addConstant(`${node.outputs[0]}_indices`, 'int32', [...indices.shape], Int32Array.from(positions));
  ctx.add('gather', [node.inputs[0], index], { axis }, node.outputs.slice(0, 1));
}
