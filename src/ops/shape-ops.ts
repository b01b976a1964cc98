/**
 * Shape arithmetic that PyTorch and TensorFlow exports put in front of Reshape, Pad, Expand...:
 * ONNX Constant, Shape, ConstantOfShape, Range and Cast, supported only when they fold to compile-time
 * constants — every shape is static here, so they always do in exported CNNs. (Gather and Slice, in
 * src/ops/gather.ts and src/ops/slice/, also run on run-time data, and fold on constant data.)
 *
 * IR operator `cast` has `infer` and `evaluate` but no `lower`; the Cast importer checks that its input
 * is a constant (otherwise E_UNSUPPORTED_OP, "Cast from float32 to int32 is supported only on constant
 * inputs (node 'x')") and GraphBuilder.add then folds it on the spot. Two exceptions run at
 * import without a node: a Cast to the input's own type is an alias, and Shape reads the static shape
 * of any tensor. Constant, Shape, ConstantOfShape and Range produce constants outright and need no IR
 * operator; their importers are registered on `cast` (src/import/onnx.ts collects importers from ops).
 */

import { allocData, fromNumbers, numberAt, toNumbers } from '../ir/dtype.js';
import type { DType, TensorData } from '../ir/dtype.js';
import { fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import { defineOp } from './op.js';
import type { ImportContext, OnnxNode } from './op.js';
import { constantInput, constantInts } from '../import/onnx/constants.js';

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
