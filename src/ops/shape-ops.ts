/**
 * Shape arithmetic that PyTorch and TensorFlow exports put in front of Reshape, Pad, Expand...:
 * ONNX Constant, Shape, ConstantOfShape, Range, Gather, Slice and Cast, supported only when they fold
 * to compile-time constants — every shape is static here, so they always do in exported CNNs.
 *
 * IR operators `gather`, `slice` and `cast` have `infer` and `evaluate` but no `lower`: their importers
 * check that every input is a constant (otherwise E_UNSUPPORTED_OP, "Gather is supported only on
 * constant inputs (node 'x')") and GraphBuilder.add then folds them on the spot. Two exceptions run at
 * import without a node: a Cast to the input's own type is an alias, and Shape reads the static shape
 * of any tensor. Constant, Shape, ConstantOfShape and Range produce constants outright and need no IR
 * operator; their importers are registered on `cast` (src/import/onnx.ts collects importers from ops).
 */

import { allocData, fromNumbers, numberAt, toNumbers } from '../ir/dtype.js';
import type { DType, TensorData } from '../ir/dtype.js';
import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import { defineOp } from './op.js';
import type { ImportContext, OnnxNode } from './op.js';
import { constantInput, constantInts, normalizeAxes, normalizeAxis } from '../import/onnx/constants.js';

/** E_UNSUPPORTED_OP unless every given input of `node` is a compile-time constant. */
export function requireConstantInputs(node: OnnxNode, ctx: ImportContext, what = node.opType): void {
  for (const name of node.inputs) {
    if (name !== '' && ctx.constant(name) === undefined) {
      fail('E_UNSUPPORTED_OP', `${what} is supported only on constant inputs (node '${node.name}')`);
    }
  }
}

/** ONNX TensorProto.DataType codes of the element types a constant may have. */
const ONNX_DTYPES: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

/** Converts constant data to `to` with ONNX Cast semantics (truncation toward zero, bool = != 0). */
export function castData(data: TensorData, from: DType, to: DType): TensorData {
  if (from === to) return data.slice();
  if (data instanceof BigInt64Array && to !== 'float32' && to !== 'float64' && to !== 'bool') {
    // Integer to integer: wrap exactly as the target typed array does, without losing int64 precision.
    const out = allocData(to, data.length);
    for (let i = 0; i < data.length; i++) (out as Int32Array)[i] = Number(BigInt.asIntN(32, data[i]));
    return to === 'int32' ? out : fromNumbers(to, toNumbers(out));
  }
  const values = toNumbers(data);
  if (to === 'bool') return fromNumbers(to, values.map((v) => (v !== 0 ? 1 : 0)));
  if (to === 'float32' || to === 'float64') return fromNumbers(to, values);
  return fromNumbers(to, values.map((v) => (Number.isFinite(v) ? Math.trunc(v) : 0)));
}

// ---------------------------------------------------------------------------------------------------
// cast, and the importers that produce constants outright

export interface CastAttrs {
  to: DType;
}

function addNamedConstant(ctx: ImportContext, name: string, dtype: DType, shape: number[], data: TensorData): void {
  const added = ctx.addConstant(name, dtype, shape, data);
  if (added !== name) ctx.alias(name, added);
}

function importCast(node: OnnxNode, ctx: ImportContext): void {
  const code = node.attrs.int('to');
  const to = ONNX_DTYPES[code];
  if (to === undefined) ctx.unsupported(`Cast to ONNX element type ${code}`);
  const x = ctx.tensor(node.inputs[0]);
  if (x.data === undefined && x.dtype === to) {
    ctx.alias(node.outputs[0], node.inputs[0]);
    return;
  }
  requireConstantInputs(node, ctx, `Cast from ${x.dtype} to ${to}`);
  ctx.add('cast', [node.inputs[0]], { to }, node.outputs.slice(0, 1));
}

function importConstant(node: OnnxNode, ctx: ImportContext): void {
  const a = node.attrs;
  const out = node.outputs[0];
  if (a.has('value')) {
    const t = a.tensor('value');
    if (t === undefined || t.data === undefined) ctx.invalid(`the 'value' attribute holds no tensor data`);
    addNamedConstant(ctx, out, t.dtype, t.shape, t.data);
  } else if (a.has('value_float')) {
    addNamedConstant(ctx, out, 'float32', [], fromNumbers('float32', [a.float('value_float')]));
  } else if (a.has('value_floats')) {
    const v = a.floats('value_floats');
    addNamedConstant(ctx, out, 'float32', [v.length], fromNumbers('float32', v));
  } else if (a.has('value_int')) {
    addNamedConstant(ctx, out, 'int64', [], fromNumbers('int64', [a.int('value_int')]));
  } else if (a.has('value_ints')) {
    const v = a.ints('value_ints');
    addNamedConstant(ctx, out, 'int64', [v.length], fromNumbers('int64', v));
  } else {
    const form = ['value_string', 'value_strings', 'sparse_value'].find((f) => a.has(f));
    if (form) ctx.unsupported(`a Constant given by '${form}'`);
    ctx.invalid('Constant has none of the value attributes');
  }
}

function importShape(node: OnnxNode, ctx: ImportContext): void {
  const shape = ctx.tensor(node.inputs[0]).shape;
  const r = shape.length;
  const clampEnd = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clampEnd(node.attrs.int('start', 0));
  const end = clampEnd(node.attrs.int('end', r));
  const dims = shape.slice(start, Math.max(start, end));
  addNamedConstant(ctx, node.outputs[0], 'int64', [dims.length], fromNumbers('int64', dims));
}

function importConstantOfShape(node: OnnxNode, ctx: ImportContext): void {
  const shape = constantInts(node, ctx, 0, 'input');
  if (shape === undefined) ctx.invalid(`the shape input is missing`);
  if (shape.some((d) => d < 0)) ctx.invalid(`negative dim in shape [${shape}]`);
  const value = node.attrs.has('value') ? node.attrs.tensor('value') : undefined;
  const dtype = value?.dtype ?? 'float32';
  if (value !== undefined && value.data?.length !== 1) ctx.invalid(`the 'value' attribute must hold one element`);
  ctx.checkShape(dtype, shape);
  const data = allocData(dtype, elementCount(shape));
  if (value?.data) (data as Float64Array).fill(value.data[0] as number);
  addNamedConstant(ctx, node.outputs[0], dtype, shape, data);
}

function importRange(node: OnnxNode, ctx: ImportContext): void {
  requireConstantInputs(node, ctx);
  const scalar = (i: number, what: string) => {
    const data = constantInput(node, ctx, i, what);
    if (data === undefined || data.length !== 1) ctx.invalid(`input '${what}' must be a scalar`);
    return numberAt(data, 0);
  };
  const [start, limit, delta] = [scalar(0, 'start'), scalar(1, 'limit'), scalar(2, 'delta')];
  if (delta === 0) ctx.invalid('delta is 0');
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  const dtype = ctx.tensor(node.inputs[0]).dtype;
  ctx.checkShape(dtype, [count]);
  const values = Array.from({ length: count }, (_, i) => start + i * delta);
  addNamedConstant(ctx, node.outputs[0], dtype, [count], fromNumbers(dtype, values));
}

export const cast = defineOp<CastAttrs>({
  name: 'cast',
  infer({ attrs, inputs }) {
    return [{ dtype: attrs.to, shape: [...inputs[0]!.shape] }];
  },
  evaluate(attrs, inputs) {
    const x = inputs[0]!;
    return [castData(x.data!, x.dtype, attrs.to)];
  },
  onnx: {
    Cast: importCast,
    Constant: importConstant,
    Shape: importShape,
    ConstantOfShape: importConstantOfShape,
    Range: importRange,
  },
});

// ---------------------------------------------------------------------------------------------------
// gather

export interface GatherAttrs {
  axis: number;
}

export const gather = defineOp<GatherAttrs>({
  name: 'gather',
  infer({ attrs, inputs, node }) {
    const data = inputs[0]!;
    const indices = inputs[1]!;
    const n = data.shape[attrs.axis];
    for (const i of indices.data ? toNumbers(indices.data) : []) {
      if (i < -n || i >= n) fail('E_MODEL_INVALID', `${describeNode(node.source)}: index ${i} is out of range for a dim of ${n}`);
    }
    const shape = [...data.shape.slice(0, attrs.axis), ...indices.shape, ...data.shape.slice(attrs.axis + 1)];
    return [{ dtype: data.dtype, shape, quant: data.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const [data, indices] = [inputs[0]!, inputs[1]!];
    const n = data.shape[attrs.axis];
    const outer = elementCount(data.shape.slice(0, attrs.axis));
    const inner = elementCount(data.shape.slice(attrs.axis + 1));
    const idx = toNumbers(indices.data!).map((i) => (i < 0 ? i + n : i));
    const src = data.data!;
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    let o = 0;
    for (let b = 0; b < outer; b++) {
      for (const i of idx) {
        const from = (b * n + i) * inner;
        (out as Float64Array).set(src.subarray(from, from + inner) as Float64Array, o);
        o += inner;
      }
    }
    return [out];
  },
  onnx: {
    Gather(node, ctx) {
      requireConstantInputs(node, ctx);
      const rank = ctx.tensor(node.inputs[0]).shape.length;
      const axis = normalizeAxis(ctx, node.attrs.int('axis', 0), rank);
      ctx.add('gather', node.inputs.slice(0, 2), { axis }, node.outputs.slice(0, 1));
    },
  },
});

// ---------------------------------------------------------------------------------------------------
// slice

/** Full-rank, already clamped slice: axis d takes starts[d], starts[d] + steps[d], ... before ends[d]. */
export interface SliceAttrs {
  starts: number[];
  ends: number[];
  steps: number[];
}

function sliceCount(start: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - start) / step));
}

export const slice = defineOp<SliceAttrs>({
  name: 'slice',
  infer({ attrs, inputs }) {
    const x = inputs[0]!;
    const shape = x.shape.map((_, d) => sliceCount(attrs.starts[d], attrs.ends[d], attrs.steps[d]));
    return [{ dtype: x.dtype, shape, quant: x.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    const outShape = outputs[0].shape;
    const out = allocData(outputs[0].dtype, elementCount(outShape));
    const strides = x.shape.map((_, d) => elementCount(x.shape.slice(d + 1)));
    const idx = new Array<number>(outShape.length).fill(0);
    const src = x.data! as unknown as number[];
    for (let o = 0; o < out.length; o++) {
      let at = 0;
      for (let d = 0; d < idx.length; d++) at += (attrs.starts[d] + idx[d] * attrs.steps[d]) * strides[d];
      (out as unknown as number[])[o] = src[at];
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  onnx: { Slice: importSlice },
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
  requireConstantInputs(node, ctx);
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
  ctx.add('slice', [node.inputs[0]], attrs, node.outputs.slice(0, 1));
}
