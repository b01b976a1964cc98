/**
 * Run-time reference semantics of the two-input elementwise operators (`OpDef.reference`, for the reference
 * interpreter, src/reference/): add, sub, mul, div, maximum, minimum, prelu, squared_difference, with
 * numpy broadcasting. Written from TFLite Micro's reference kernels (90b983c2), independently of the
 * lowering and the C kernels: every parameter is computed here from the tensors' quantization as the
 * kernel's Prepare computes it, and every element as its Eval does.
 *
 *   float (float32, or float64 in the interpreter's default precision): a + b, a − b, a · b, a / b (ONNX
 *     and TFLite alike), then the fused `clamp` when there is one; max / min; prelu x ≥ 0 ? x : x · α;
 *     squared difference (a − b)².
 *   int8 / int16 ADD, SUB (add_common.cc / sub_common.cc, reference AddElementwise / SubElementwise):
 *     a' = (a − zp_a) · 2^L, L = 20 (int8) or 15 (int16); twice = 2 · max(s_a, s_b); each input
 *     requantized by s / twice, the sum (difference) by twice / (2^L · s_y), + zp_y, clamped to the
 *     fused activation's range. ADD computes the real multipliers in double; SUB in float32 (its
 *     `twice_max_input_scale` is a float), which rounds some multipliers differently.
 *   int8 / int16 MUL (mul_common.cc, MulElementwise): (a − zp_a)(b − zp_b) requantized by s_a·s_b/s_y
 *     (double), + zp_y, clamped to the activation range.
 *   int8 / int16 MAXIMUM, MINIMUM (maximum_minimum.cc): the comparison of the stored values, no rescaling.
 *   int8 PRELU (prelu_common.cc, BroadcastPrelu4DSlow): x' = x − zp_x; x' ≥ 0: requantize(x', s_x/s_y),
 *     else requantize(x' · (α − zp_α), s_x·s_α/s_y), both multipliers in double; + zp_y, saturated.
 *   int8 SQUARED_DIFFERENCE (squared_difference.cc): ADD's rescaling with L = 7, the difference
 *     squared in int32, requantized by twice² / (2^14 · s_y) (QuantizeMultiplier), + zp_y, saturated.
 * Other integer types without quantization (int32, int64 shape arithmetic) follow `evaluate`.
 */

import { allocData } from '../../ir/dtype.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import { elementCount } from '../../ir/graph.js';
import type { Tensor } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import { quantizeMultiplier, quantizedActivationRange, multiplyByQuantizedMultiplierFast as mbqm } from '../../ir/quant.js';
import type { Clamp, ReferenceContext, TensorType } from '../op.js';
import { broadcastOffsets, clampTo } from './fixed.js';

type Num = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array;

const isFloat = (d: DType) => d === 'float32' || d === 'float64';
const RANGES: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], int16: [-32768, 32767] };

/** Scale and zero point of a per-tensor quantized tensor (E_UNSUPPORTED_ATTR otherwise). */
function quantOf(t: { quant?: { scale: number[]; zeroPoint: number[] } }, what: string, ctx: ReferenceContext<unknown>): { s: number; zp: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(ctx.node.source)}: the ${what} needs a per-tensor quantization`);
  return { s: q.scale[0], zp: q.zeroPoint[0] };
}

/** The operands, output and element count of a two-input node. */
function operands(ctx: ReferenceContext<unknown>): { a: Tensor; b: Tensor; out: TensorType; n: number; x: Num; y: Num } {
  const a = ctx.inputs[0]!;
  const b = ctx.inputs[1]!;
  const out = ctx.outputs[0];
  return { a, b, out, n: elementCount(out.shape), x: a.data as Num, y: b.data as Num };
}

function unsupported(ctx: ReferenceContext<unknown>, what: string): never {
  fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: the reference interpreter has no ${what}`);
}

/** Float add/sub/mul/div, then the fused clamp. */
function floatBinary(kind: string, ctx: ReferenceContext<{ clamp?: Clamp }>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  const r = allocData(out.dtype, n) as Float32Array | Float64Array;
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  if (kind === 'add') for (let i = 0; i < n; i++) r[i] = x[ia ? ia[i] : i] + y[ib ? ib[i] : i];
  else if (kind === 'sub') for (let i = 0; i < n; i++) r[i] = x[ia ? ia[i] : i] - y[ib ? ib[i] : i];
  else if (kind === 'mul') for (let i = 0; i < n; i++) r[i] = x[ia ? ia[i] : i] * y[ib ? ib[i] : i];
  else for (let i = 0; i < n; i++) r[i] = x[ia ? ia[i] : i] / y[ib ? ib[i] : i];
  const clamp = ctx.attrs.clamp;
  if (clamp) for (let i = 0; i < n; i++) r[i] = r[i] < clamp.min ? clamp.min : r[i] > clamp.max ? clamp.max : r[i];
  return r;
}

/** int8 / int16 ADD and SUB as TFLite Micro computes them. */
function quantizedAddSub(kind: 'add' | 'sub', ctx: ReferenceContext<{ clamp?: Clamp }>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  const [qmin, qmax] = RANGES[out.dtype]!;
  const qa = quantOf(a, 'input 1', ctx);
  const qb = quantOf(b, 'input 2', ctx);
  const qy = quantOf(out, 'output', ctx);
  const left = out.dtype === 'int16' ? 15 : 20;
  const f = kind === 'sub' ? Math.fround : (v: number) => v;
  const twice = f(2 * Math.max(qa.s, qb.s));
  const m1 = quantizeMultiplier(f(qa.s / twice));
  const m2 = quantizeMultiplier(f(qb.s / twice));
  const mo = quantizeMultiplier(f(twice / f(2 ** left * qy.s)));
  const act = quantizedActivationRange(ctx.attrs.clamp, qy.s, qy.zp, qmin, qmax);
  const sign = kind === 'sub' ? -1 : 1;
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  const r = allocData(out.dtype, n) as Int8Array | Int16Array;
  const scale = 2 ** left;
  for (let i = 0; i < n; i++) {
    const u = mbqm((x[ia ? ia[i] : i] - qa.zp) * scale, m1.multiplier, m1.shift);
    const v = mbqm((y[ib ? ib[i] : i] - qb.zp) * scale, m2.multiplier, m2.shift);
    r[i] = clampTo(mbqm(u + sign * v, mo.multiplier, mo.shift) + qy.zp, act.min, act.max);
  }
  return r;
}

/** int8 / int16 MUL as TFLite Micro computes it. */
function quantizedMul(ctx: ReferenceContext<{ clamp?: Clamp }>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  const [qmin, qmax] = RANGES[out.dtype]!;
  const qa = quantOf(a, 'input 1', ctx);
  const qb = quantOf(b, 'input 2', ctx);
  const qy = quantOf(out, 'output', ctx);
  const m = quantizeMultiplier((qa.s * qb.s) / qy.s);
  const act = quantizedActivationRange(ctx.attrs.clamp, qy.s, qy.zp, qmin, qmax);
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  const r = allocData(out.dtype, n) as Int8Array | Int16Array;
  for (let i = 0; i < n; i++) {
    const p = Math.imul(x[ia ? ia[i] : i] - qa.zp, y[ib ? ib[i] : i] - qb.zp);
    r[i] = clampTo(mbqm(p, m.multiplier, m.shift) + qy.zp, act.min, act.max);
  }
  return r;
}

/** The `reference` of add, sub, mul and div; `evaluate` serves the unquantized integer types. */
export function referenceBinary(kind: 'add' | 'sub' | 'mul' | 'div', ctx: ReferenceContext<{ clamp?: Clamp }>, evaluate: () => TensorData): TensorData {
  const dtype = ctx.inputs[0]!.dtype;
  if (isFloat(dtype)) return floatBinary(kind, ctx);
  if ((dtype === 'int8' || dtype === 'int16') && ctx.inputs[0]!.quant) {
    if (kind === 'div') unsupported(ctx, `quantized ${dtype} div`);
    return kind === 'mul' ? quantizedMul(ctx) : quantizedAddSub(kind, ctx);
  }
  return evaluate();
}

/** maximum / minimum of any element type: the larger (smaller) stored value, as TFLite Micro compares them. */
export function referenceMinMax(kind: 'maximum' | 'minimum', ctx: ReferenceContext<unknown>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  if (out.dtype === 'int64' || out.dtype === 'bool') unsupported(ctx, `${kind} of ${out.dtype}`);
  const r = allocData(out.dtype, n) as Num;
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  const max = kind === 'maximum';
  for (let i = 0; i < n; i++) {
    const u = x[ia ? ia[i] : i];
    const v = y[ib ? ib[i] : i];
    r[i] = max ? (u > v ? u : v) : u < v ? u : v;
  }
  return r;
}

/** prelu: float, and int8 as TFLite Micro's BroadcastPrelu4DSlow. */
export function referencePrelu(ctx: ReferenceContext<unknown>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  if (isFloat(out.dtype)) {
    const r = allocData(out.dtype, n) as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const u = x[ia ? ia[i] : i];
      r[i] = u >= 0 ? u : u * y[ib ? ib[i] : i];
    }
    return r;
  }
  if (out.dtype !== 'int8') unsupported(ctx, `prelu of ${out.dtype}`);
  const qx = quantOf(a, 'input', ctx);
  const qa = quantOf(b, 'alpha', ctx);
  const qy = quantOf(out, 'output', ctx);
  const m1 = quantizeMultiplier(qx.s / qy.s);
  const m2 = quantizeMultiplier((qx.s * qa.s) / qy.s);
  const r = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const u = x[ia ? ia[i] : i] - qx.zp;
    const v = u >= 0 ? mbqm(u, m1.multiplier, m1.shift) : mbqm(u * (y[ib ? ib[i] : i] - qa.zp), m2.multiplier, m2.shift);
    r[i] = clampTo(v + qy.zp, -128, 127);
  }
  return r;
}

/** squared_difference: float, and int8 as TFLite Micro's quantized SquaredDifference. */
export function referenceSquaredDifference(ctx: ReferenceContext<unknown>): TensorData {
  const { a, b, out, n, x, y } = operands(ctx);
  const off = broadcastOffsets(a.shape, b.shape, out.shape);
  const ia = off?.ia;
  const ib = off?.ib;
  if (isFloat(out.dtype)) {
    const r = allocData(out.dtype, n) as Float32Array | Float64Array;
    const f32 = out.dtype === 'float32';
    for (let i = 0; i < n; i++) {
      const d = x[ia ? ia[i] : i] - y[ib ? ib[i] : i];
      r[i] = f32 ? Math.fround(d) * Math.fround(d) : d * d;
    }
    return r;
  }
  if (out.dtype !== 'int8') unsupported(ctx, `squared_difference of ${out.dtype}`);
  const qa = quantOf(a, 'input 1', ctx);
  const qb = quantOf(b, 'input 2', ctx);
  const qy = quantOf(out, 'output', ctx);
  const left = 7;
  const twice = 2 * Math.max(qa.s, qb.s);
  const m1 = quantizeMultiplier(qa.s / twice);
  const m2 = quantizeMultiplier(qb.s / twice);
  const mo = quantizeMultiplier((twice * twice) / Math.fround(2 ** (2 * left) * qy.s));
  const r = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const u = mbqm((x[ia ? ia[i] : i] - qa.zp) * 128, m1.multiplier, m1.shift);
    const v = mbqm((y[ib ? ib[i] : i] - qb.zp) * 128, m2.multiplier, m2.shift);
    const d = u - v;
    r[i] = clampTo(mbqm(d * d, mo.multiplier, mo.shift) + qy.zp, -128, 127);
  }
  return r;
}
