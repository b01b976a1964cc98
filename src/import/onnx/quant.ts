/**
 * ONNX importers of the quantization operators: QuantizeLinear and DequantizeLinear (opsets 10–25:
 * per-tensor and per-axis; block_size and types other than int8/uint8/int32 are errors).
 * The QOperator forms (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger and com.microsoft's
 * QLinear*) are in src/import/onnx/qoperator.ts, written as the same QDQ pattern.
 *
 * What they build — the QDQ form, which the `qdq` pass (src/passes/qdq.ts) turns into int8 operators:
 *   QuantizeLinear(x float)   → quantize (float32 → int8, the output's scale and zero point, rounding half to even);
 *   DequantizeLinear(x int8)  → dequantize (int8 → float32), x given the node's scale and zero point;
 *   DequantizeLinear(constant)→ a float32 constant, computed as ONNX does (fround(scale · (q − zp)),
 *                               per axis), that keeps its quantization in `quant` (int8 form; with the axis, which
 *                               the layout transposes of the importers carry along unchanged) and its
 *                               integer values (q − zp) in its `quantizedOrigin`, so the pass recovers the
 *                               exact int8 weights and int32 biases.
 * uint8: every uint8 activation becomes int8 with the zero point moved by −128 (exact: q_s8 = q_u8 − 128);
 * a uint8 tensor of the model (a graph input or output, QuantizeLinear's declared output) stays uint8
 * through a `convert` node, and the pass cancels the uint8 → int8 → uint8 round trips inside the graph.
 */

import type { DType } from '../../ir/dtype.js';
import { numberAt } from '../../ir/dtype.js';
import type { Quant, Tensor } from '../../ir/graph.js';
import { elementCount } from '../../ir/graph.js';
import type { ImportContext, OnnxImporter, OnnxNode } from '../../ops/op.js';

/** TensorProto element type codes of QuantizeLinear's output_dtype attribute. */
const ONNX_TYPES: Record<number, DType | string> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32' };

/** A quantization read from a node's scale and zero-point inputs, with its axis resolved. */
export interface NodeQuant {
  scale: number[];
  zeroPoint: number[];
  /** The element type the zero point declares (int8 / uint8 / int32). */
  dtype: DType;
  /** Axis of a per-axis quantization (resolved to non-negative), undefined when per tensor. */
  axis?: number;
}

function constantNumbers(ctx: ImportContext, name: string, what: string): { values: number[]; t: Tensor } {
  const t = ctx.tensor(name);
  if (t.data === undefined) ctx.unsupported(`a ${what} computed at run time`);
  return { values: Array.from({ length: t.data.length }, (_, i) => numberAt(t.data!, i)), t };
}

/**
 * Reads scale and zero point (inputs 1 and 2 of Q/DQ) for a tensor of `rank` dimensions; a per-axis
 * quantization's axis is the node's `axis` attribute (default 1) unless `axisOverride` is given.
 */
export function readNodeQuant(
  node: OnnxNode, ctx: ImportContext, scaleName: string, zpName: string, rank: number, zpDefault: DType, axisOverride?: number,
): NodeQuant {
  if (node.attrs.int('block_size', 0) !== 0) ctx.unsupported('blocked quantization (block_size)');
  const scale = constantNumbers(ctx, scaleName, 'scale');
  if (scale.t.dtype !== 'float32') ctx.unsupported(`a ${scale.t.dtype} scale (float32 only)`);
  if (scale.values.some((s) => !(s > 0) || !Number.isFinite(s))) ctx.invalid(`scale [${scale.values}] must be positive and finite`);
  const zp = zpName === '' ? undefined : constantNumbers(ctx, zpName, 'zero point');
  const dtype = zp?.t.dtype ?? zpDefault;
  if (dtype !== 'int8' && dtype !== 'uint8' && dtype !== 'int32') ctx.unsupported(`quantization to ${dtype} (int8 and uint8 only)`);
  const zeroPoint = zp?.values ?? new Array<number>(scale.values.length).fill(0);
  if (zeroPoint.length !== scale.values.length) ctx.invalid(`zero point has ${zeroPoint.length} values for ${scale.values.length} scales`);
  const perAxis = scale.t.shape.length === 1 && scale.values.length > 1;
  if (scale.t.shape.length > 1) ctx.unsupported('a scale of rank above 1 (blocked quantization)');
  let axis: number | undefined;
  if (perAxis) {
    const a = axisOverride ?? node.attrs.int('axis', 1);
    axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank) ctx.invalid(`axis ${a} is out of range for rank ${rank}`);
  }
  return { scale: scale.values.map((s) => Math.fround(s)), zeroPoint, dtype, axis };
}

/** The IR quantization of the int8 form: uint8 zero points move by −128. */
export function int8Quant(q: NodeQuant): Quant {
  const shift = q.dtype === 'uint8' ? -128 : 0;
  const uint8 = q.dtype === 'uint8' ? { uint8: true } : {};
  return { scale: [...q.scale], zeroPoint: q.zeroPoint.map((z) => z + shift), ...(q.axis !== undefined ? { axis: q.axis } : {}), ...uint8 };
}

function sameQuant(a: Quant | undefined, b: Quant): boolean {
  return !!a && a.scale.length === b.scale.length && a.scale.every((s, i) => s === b.scale[i]) && a.zeroPoint.every((z, i) => z === b.zeroPoint[i]);
}

/** float32 values of a constant: fround(scale[c] · (q − zp[c])), with its origin recorded. */
export function dequantizeConstant(ctx: ImportContext, x: Tensor, q: NodeQuant, base: string): string {
  const n = elementCount(x.shape);
  const inner = q.axis === undefined ? n : elementCount(x.shape.slice(q.axis + 1));
  const channels = q.axis === undefined ? 1 : x.shape[q.axis];
  if (channels !== q.scale.length) ctx.invalid(`${q.scale.length} scales for ${channels} values along axis ${q.axis ?? 0}`);
  const values = new Int32Array(n);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = q.axis === undefined ? 0 : Math.floor(i / inner) % channels;
    values[i] = numberAt(x.data!, i) - q.zeroPoint[c];
    data[i] = Math.fround(q.scale[c] * values[i]);
  }
  const name = ctx.addConstant(base, 'float32', x.shape, data);
  const quant = int8Quant(q);
  const t = ctx.graph.tensor(name);
  t.quant = quant;
  t.quantizedOrigin = { values, quant };
  return name;
}

/**
 * The int8 form of runtime tensor `x` read with quantization `q`: uint8 goes through a conversion; a
 * tensor without quantization gets `q`; one with another quantization is reinterpreted (a reshape alias
 * carrying `q`: the same bytes, read with the node's parameters, as ONNX does).
 */
export function runtimeInt8(ctx: ImportContext, x: Tensor, q: NodeQuant): string {
  if (q.axis !== undefined) ctx.unsupported('a per-axis quantization of a tensor computed at run time');
  if (x.dtype !== 'int8' && x.dtype !== 'uint8') ctx.unsupported(`dequantizing a ${x.dtype} tensor computed at run time (int8 and uint8 only)`);
  if (x.dtype !== q.dtype) ctx.invalid(`input '${x.name}' is ${x.dtype} but its zero point is ${q.dtype}`);
  const quant = int8Quant(q);
  const shifted = x.dtype === 'uint8' ? { ...quant, zeroPoint: quant.zeroPoint.map((z) => z + 128) } : quant;
  let name = x.name;
  if (!x.quant) x.quant = shifted;
  else if (!sameQuant(x.quant, shifted)) {
    name = ctx.add('reshape', [x.name], { shape: [...x.shape] })[0];
    ctx.graph.tensor(name).quant = shifted;
  }
  return x.dtype === 'uint8' ? ctx.add('convert', [name], { to: 'int8' })[0] : name;
}

/** A constant [C, 1, ..., 1] that broadcasts along `axis` of a rank-`rank` tensor. */
function alongAxis(ctx: ImportContext, base: string, values: number[], axis: number, rank: number): string {
  const shape = [values.length, ...new Array<number>(rank - axis - 1).fill(1)];
  return ctx.addConstant(base, 'float32', shape, Float32Array.from(values));
}

/**
 * Per-axis Q/DQ of a runtime tensor (graph edges: the int8 kernels take per-tensor activations), in
 * float32 as ONNX specifies: DQ = (q − zp[c]) · scale[c] from the exact integers; Q = quantize with
 * scale 1 of x / scale[c] + zp[c] (the zero point added before rounding: the same integer except at
 * exact halves, within 1 LSB).
 */
function perAxis(ctx: ImportContext, kind: 'quantize' | 'dequantize', t: Tensor, q: NodeQuant, output?: string): string {
  const axis = q.axis!;
  const rank = t.shape.length;
  if (t.shape[axis] !== q.scale.length) ctx.invalid(`${q.scale.length} scales for ${t.shape[axis]} values along axis ${axis}`);
  const scale = alongAxis(ctx, `${t.name}_scale`, q.scale, axis, rank);
  const unit: NodeQuant = { scale: [1], zeroPoint: [0], dtype: kind === 'dequantize' ? t.dtype : 'int8' };
  if (kind === 'dequantize') {
    const f = ctx.add('dequantize', [runtimeInt8(ctx, t, unit)], {})[0];
    const centered = ctx.add('sub', [f, alongAxis(ctx, `${t.name}_zero_point`, q.zeroPoint, axis, rank)], {})[0];
    return ctx.add('mul', [centered, scale], {}, output ? [output] : undefined)[0];
  }
  const shifted = int8Quant(q).zeroPoint;
  const ratio = ctx.add('div', [t.name, scale], {})[0];
  const moved = ctx.add('add', [ratio, alongAxis(ctx, `${t.name}_zero_point`, shifted, axis, rank)], {})[0];
  const quant = { scale: [1], zeroPoint: [0] };
  if (q.dtype === 'int8') return ctx.add('quantize', [moved], { dtype: 'int8', quant, roundHalfEven: true }, [output!])[0];
  const s8 = ctx.add('quantize', [moved], { dtype: 'int8', quant, roundHalfEven: true })[0];
  return ctx.add('convert', [s8], { to: 'uint8' }, [output!])[0];
}

/** The float32 form of tensor `x` read with quantization `q` → a tensor name (`output` when given). */
export function dequantizeWith(ctx: ImportContext, x: string, q: NodeQuant, output?: string): string {
  const t = ctx.tensor(x);
  if (t.data !== undefined) {
    const name = dequantizeConstant(ctx, t, q, `${x}_dequantized`);
    if (output) ctx.alias(output, name);
    return name;
  }
  if (t.dtype === 'int32') ctx.unsupported('dequantizing an int32 tensor computed at run time');
  if (q.axis !== undefined) return perAxis(ctx, 'dequantize', t, q, output);
  const x8 = runtimeInt8(ctx, t, q);
  return ctx.add('dequantize', [x8], {}, output ? [output] : undefined)[0];
}

/** DequantizeLinear of tensor `x` with the scale and zero point named (`axis` overrides the attribute). */
export function dequantizeInto(ctx: ImportContext, node: OnnxNode, x: string, scale: string, zp: string, output?: string, axis?: number): string {
  const t = ctx.tensor(x);
  return dequantizeWith(ctx, x, readNodeQuant(node, ctx, scale, zp, t.shape.length, t.dtype, axis), output);
}

/** QuantizeLinear of float tensor `x` into `output` (int8, or uint8 through a conversion). */
export function quantizeInto(ctx: ImportContext, node: OnnxNode, x: string, scale: string, zp: string, output: string, outType?: DType): void {
  const t = ctx.tensor(x);
  if (t.dtype !== 'float32') ctx.unsupported(`quantizing a ${t.dtype} tensor (float32 only)`);
  const q = readNodeQuant(node, ctx, scale, zp, t.shape.length, outType ?? 'uint8');
  if (outType && zp !== '' && q.dtype !== outType) ctx.invalid(`output_dtype ${outType} differs from the zero point's type ${q.dtype}`);
  if (q.dtype === 'int32') ctx.unsupported('quantization to int32');
  if (q.axis !== undefined) {
    perAxis(ctx, 'quantize', t, q, output);
    return;
  }
  const quant = int8Quant(q);
  if (q.dtype === 'int8') {
    ctx.add('quantize', [x], { dtype: 'int8', quant, roundHalfEven: true }, [output]);
    return;
  }
  const [s8] = ctx.add('quantize', [x], { dtype: 'int8', quant, roundHalfEven: true });
  ctx.add('convert', [s8], { to: 'uint8' }, [output]);
}

function importQuantizeLinear(node: OnnxNode, ctx: ImportContext): void {
  const [x, scale, zp = ''] = node.inputs;
  let outType: DType | undefined;
  if (node.attrs.has('output_dtype') && node.attrs.int('output_dtype') !== 0) {
    const code = node.attrs.int('output_dtype');
    const type = ONNX_TYPES[code];
    if (type !== 'int8' && type !== 'uint8') ctx.unsupported(`QuantizeLinear to ${type ?? `type ${code}`} (int8 and uint8 only)`);
    outType = type;
  }
  if (node.attrs.has('saturate') && node.attrs.int('saturate') !== 1) ctx.unsupported('saturate = 0 (a float8 option)');
  quantizeInto(ctx, node, x, scale, zp, node.outputs[0], outType);
}

function importDequantizeLinear(node: OnnxNode, ctx: ImportContext): void {
  const [x, scale, zp = ''] = node.inputs;
  dequantizeInto(ctx, node, x, scale, zp, node.outputs[0]);
}

export const onnxQuantImporters: Record<string, OnnxImporter> = {
  QuantizeLinear: importQuantizeLinear,
  DequantizeLinear: importDequantizeLinear,
};
