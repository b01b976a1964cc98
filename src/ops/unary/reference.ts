/**
 * Run-time reference semantics of the one-input elementwise operators (`OpDef.reference`, for the
 * reference interpreter, src/reference/): each element computed as TFLite Micro's (90b983c2) reference
 * kernel computes it, with the parameters its Prepare computes — written here independently of the
 * 256-entry tables the lowering builds (src/ops/unary/lut-s8.ts) and of the C kernels.
 *
 * int8 (`int8Reference`, one function per operator):
 *   relu        activations_common.cc: zp_y + MultiplyByQuantizedMultiplier(x − zp_x, s_x/s_y in float32),
 *               clamped to [max(−128, zp_y), 127];
 *   clip        RELU6 (Relu6Quantized): the stored input clamped to [FloatToQuantizedType(min),
 *               FloatToQuantizedType(max)] in the input's quantization, no rescaling;
 *   leaky_relu  leaky_relu_common.cc: x' = x − zp_x; x' ≥ 0 by s_x/s_y, else by s_x·α/s_y (float32
 *               products and quotients; a negative α's multiplier applied to |·| and negated);
 *   sigmoid     LOGISTIC (reference_integer_ops::Logistic): x' rescaled by frexp(s_x · 2^27) to Q4.27,
 *               saturated beyond CalculateInputRadius(4, shift), gemmlowp's logistic, Q0.31 → units of
 *               1/256, −128;
 *   tanh        TANH (reference_integer_ops::Tanh): as LOGISTIC with gemmlowp's tanh, units of 1/128;
 *   hard_swish  hard_swish_common.cc + reference_ops::HardSwish: int16 fixed point;
 *   rsqrt       elementwise.cc RsqrtEvalQuantized: GetInvSqrtQuantizedMultiplierExp(x − zp_x), then
 *               1/(sqrtf(s_x)·s_y); x = zp_x gives 127. TFLite Micro stops with an error on x < zp_x;
 *               here such an element gives 127 too;
 *   abs         elementwise.cc AbsEvalQuantized: |x − zp_x|, requantized by s_x/s_y when the scales differ.
 * Integer tensors without quantization (ONNX Clip of int8, say): the operator's function on the integers.
 * int16 (sigmoid, tanh: TFLite's 16x8 LOGISTIC / TANH, reference_integer_ops int16 Logistic / Tanh): the
 * input brought to the table scale (3 · 2^12 for 1) by the Prepare's multiplier and shift, then TFLite's
 * 256-entry sigmoid table (computed below from its formula) with linear interpolation.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import { calculateInputRadius, invSqrtQuantizedMultiplierExp, logistic, tanh } from '../../ir/fixedpoint.js';
import { frexp, quantizeMultiplier, roundHalfAwayFromZero, INT32_MAX, multiplyByQuantizedMultiplierFast as mbqm, roundingDivideByPOT as rdbpot } from '../../ir/quant.js';
import type { Tensor } from '../../ir/graph.js';
import type { ReferenceContext, TensorType } from '../op.js';
import { clampTo } from '../binary/fixed.js';

/** Scale and zero point of a tensor's per-tensor quantization. */
export interface Q {
  s: number;
  zp: number;
}

/** An int8 elementwise function over a whole tensor: x → out, with the input and output quantizations and the node's attributes. */
export type Int8Reference<A> = (x: Int8Array, out: Int8Array, qx: Q, qy: Q, attrs: A) => void;

const f = Math.fround;

/** TFLite Micro's FloatToQuantizedType<int8_t>: round(value / scale) (float32 quotient, half away from zero) + zero point, saturated. */
function toInt8(value: number, q: Q): number {
  return clampTo(roundHalfAwayFromZero(f(value / q.s)) + q.zp, -128, 127);
}

export const reluS8: Int8Reference<unknown> = (x, out, qx, qy) => {
  const m = quantizeMultiplier(f(qx.s / qy.s));
  const lo = Math.max(-128, qy.zp);
  for (let i = 0; i < x.length; i++) out[i] = clampTo(qy.zp + mbqm(x[i] - qx.zp, m.multiplier, m.shift), lo, 127);
};

export const clipS8: Int8Reference<{ min: number; max: number }> = (x, out, qx, _qy, a) => {
  const lo = a.min === -Infinity ? -128 : toInt8(a.min, qx);
  const hi = a.max === Infinity ? 127 : toInt8(a.max, qx);
  for (let i = 0; i < x.length; i++) out[i] = x[i] > hi ? hi : x[i] < lo ? lo : x[i];
};

export const leakyReluS8: Int8Reference<{ alpha: number }> = (x, out, qx, qy, a) => {
  const alpha = quantizeMultiplier(f(f(qx.s * f(a.alpha)) / qy.s));
  const identity = quantizeMultiplier(f(qx.s / qy.s));
  const negative = alpha.multiplier < 0;
  const am = Math.abs(alpha.multiplier);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - qx.zp;
    let y: number;
    if (v >= 0) y = mbqm(v, identity.multiplier, identity.shift);
    else {
      const s = mbqm(v, am, alpha.shift);
      y = negative ? -s : s;
    }
    out[i] = clampTo(qy.zp + y, -128, 127);
  }
};

/** TFLite's int8 LOGISTIC / TANH input rescaling: frexp of s_x · 2^27 (4 integer bits) and the saturation radius. */
function q4Params(qx: Q): { multiplier: number; shift: number; radius: number } {
  const { fraction, exponent } = frexp(qx.s * 2 ** 27);
  return { multiplier: Math.min(roundHalfAwayFromZero(fraction * 2 ** 31), INT32_MAX), shift: exponent, radius: calculateInputRadius(4, exponent) };
}

/**
 * LOGISTIC (`isTanh` false) or TANH of int8 values. gemmlowp's fixed-point functions cost some 30 exact
 * 64-bit products per element, so each distinct input value of the call is computed once (`done` marks
 * the values met so far): the same arithmetic per element, at most 256 evaluations per call.
 */
function sigmoidTanhS8(x: Int8Array, out: Int8Array, qx: Q, isTanh: boolean): void {
  const p = q4Params(qx);
  const done = new Int16Array(256).fill(-1);
  for (let i = 0; i < x.length; i++) {
    const key = x[i] & 255;
    if (done[key] >= 0) {
      out[i] = done[key] - 128;
      continue;
    }
    const v = x[i] - qx.zp;
    let y: number;
    if (v <= -p.radius) y = -128;
    else if (v >= p.radius) y = 127;
    else {
      const q4 = mbqm(v, p.multiplier, p.shift);
      y = isTanh ? clampTo(rdbpot(tanh(q4, 4), 24), -128, 127) : clampTo(rdbpot(logistic(q4, 4), 23) - 128, -128, 127);
    }
    done[key] = y + 128;
    out[i] = y;
  }
}

export const sigmoidS8: Int8Reference<unknown> = (x, out, qx) => sigmoidTanhS8(x, out, qx, false);
export const tanhS8: Int8Reference<unknown> = (x, out, qx) => sigmoidTanhS8(x, out, qx, true);

// int16 arithmetic of HARD_SWISH (gemmlowp's int16 forms; C's int16 conversions wrap)
const wrap16 = (v: number) => (v << 16) >> 16;
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return wrap16(Math.trunc((ab + (ab >= 0 ? 16384 : -16383)) / 32768));
}
function rdbpot16(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = wrap16(2 ** exponent - 1);
  const threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));
  return wrap16((x >> exponent) + (wrap16(x & mask) > threshold ? 1 : 0));
}
const saturatingShift16 = (v: number, amount: number) => clampTo(v * 2 ** amount, -32768, 32767);
/** TFLite's DownScaleInt32ToInt16Multiplier. */
const toInt16Multiplier = (m: number) => (m >= INT32_MAX - 32768 ? 32767 : (m + 32768) >> 16);

export const hardSwishS8: Int8Reference<unknown> = (x, out, qx, qy) => {
  const hires = f(f(1 / 128) * qx.s);
  const o = quantizeMultiplier(f(hires / qy.s));
  const r = quantizeMultiplier(f(hires / f(3 / 32768)));
  const om = toInt16Multiplier(o.multiplier);
  const rm = toInt16Multiplier(r.multiplier);
  for (let i = 0; i < x.length; i++) {
    const onHires = wrap16(wrap16(x[i] - qx.zp) * 128);
    const preshift = srdhm16(onHires, om);
    let reluish = onHires;
    if (r.shift > 0) reluish = saturatingShift16(reluish, r.shift - 1);
    reluish = srdhm16(reluish, rm);
    if (r.shift > 0) reluish = saturatingShift16(reluish, 1);
    if (r.shift < 0) reluish = rdbpot16(reluish, -r.shift);
    reluish = wrap16((reluish + 32768) >> 1);
    // SaturatingDoublingHighMul: truncating, not rounding
    const product = reluish === -32768 && preshift === -32768 ? 32767 : wrap16(Math.trunc((reluish * preshift) / 32768));
    const y = wrap16(rdbpot16(product, -o.shift) + qy.zp);
    out[i] = clampTo(y, -128, 127);
  }
};

export const rsqrtS8: Int8Reference<unknown> = (x, out, qx, qy) => {
  const m = quantizeMultiplier(1 / f(f(Math.sqrt(qx.s)) * qy.s));
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - qx.zp;
    if (v <= 0) {
      out[i] = 127;
      continue;
    }
    const inv = invSqrtQuantizedMultiplierExp(v);
    const data = mbqm(1, inv.multiplier, inv.shift + 20);
    out[i] = clampTo(mbqm(data, m.multiplier, m.shift - 20) + qy.zp, -128, 127);
  }
};

export const absS8: Int8Reference<unknown> = (x, out, qx, qy) => {
  const rescale = qx.s !== qy.s;
  const m = quantizeMultiplier(f(qx.s / qy.s));
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i] - qx.zp);
    out[i] = clampTo((rescale ? mbqm(v, m.multiplier, m.shift) : v) + qy.zp, -128, 127);
  }
};

// ---------------------------------------------------------------------------------------------------
// int16 LOGISTIC and TANH

/**
 * TFLite's sigmoid_table_uint16 from its formula: F(k) = 65536 · sigmoid(k / 24), each entry raised by a
 * quarter of the linear interpolation's midpoint errors on its two sides, rounded; the last one 65535.
 */
const SIGMOID_TABLE: Uint32Array = (() => {
  const F = (k: number) => 65536 / (1 + Math.exp(-k / 24));
  const e = (k: number) => F(k + 0.5) - (F(k) + F(k + 1)) / 2;
  const t = new Uint32Array(256);
  for (let k = 0; k < 255; k++) t[k] = Math.round(F(k) + (e(k - 1) + e(k)) / 4);
  t[255] = 65535;
  return t;
})();

/** TFLite's CheckedLog2 (float32): the rounded log2 and whether it is within 1e-3 of an integer. */
function checkedLog2(x: number): { log2: number; pot: boolean } {
  const l = f(f(Math.log(f(x))) * f(1 / f(Math.log(2))));
  const r = roundHalfAwayFromZero(l);
  return { log2: r, pot: Math.abs(f(l - r)) < 1e-3 };
}

/** The int16 LOGISTIC / TANH Prepare: input multiplier and right shift (the power-of-two case resolved as Eval does). */
function s16Params(s: number, isTanh: boolean): { multiplier: number; shift: number } {
  const { log2, pot } = checkedLog2(s);
  const shift = 12 + log2;
  if (pot && (shift === 0 || (isTanh && shift === 1))) return { multiplier: 3 << shift, shift: 0 };
  let m = s * 4096 * 3;
  let k = 0;
  while (m <= 32767 / 2 && k <= 30) {
    k++;
    m *= 2;
  }
  return { multiplier: Math.trunc(m), shift: k };
}

/** int16 LOGISTIC (`isTanh` false) or TANH of a whole tensor. */
export function sigmoidTanhS16(x: Int16Array, out: Int16Array, qx: Q, isTanh: boolean): void {
  const p = s16Params(qx.s, isTanh);
  const round = p.shift > 0 ? 2 ** (p.shift - 1) : 0;
  const t = SIGMOID_TABLE;
  const bits = isTanh ? 8 : 9;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < x.length; i++) {
    const v = (x[i] * p.multiplier + round) >> p.shift;
    const a = Math.abs(v);
    const k = a >> bits;
    let r: number;
    if (isTanh) {
      r = k >= 255 ? 0xffff << 8 : (t[k] << 8) + (a & mask) * (t[k + 1] - t[k]);
      r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
      out[i] = r >> 8;
    } else {
      r = k >= 255 ? 0x7fff << 10 : t[k] * 512 + (a & mask) * (t[k + 1] - t[k]);
      r = v >= 0 ? r + 512 : (1 << 25) - r + 511;
      out[i] = r >>> 10;
    }
  }
}

// ---------------------------------------------------------------------------------------------------

function quantOf(t: { quant?: { scale: number[]; zeroPoint: number[] } }, ctx: ReferenceContext<unknown>): Q {
  const q = t.quant;
  if (!q || q.scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(ctx.node.source)}: the reference needs per-tensor quantized int8/int16 tensors`);
  return { s: q.scale[0], zp: q.zeroPoint[0] };
}

/** The reference of a unary node: float through `fn`, int8 through `int8`, int16 sigmoid / tanh. */
export function referenceUnary<A>(name: string, fn: (x: number, a: A) => number, int8: Int8Reference<A> | undefined, ctx: ReferenceContext<A>): TensorData[] {
  const x = ctx.inputs[0]! as Tensor;
  const out: TensorType = ctx.outputs[0];
  if (x.dtype === 'float32' || x.dtype === 'float64') {
    const data = x.data as Float32Array | Float64Array;
    const r = out.dtype === 'float32' ? new Float32Array(data.length) : new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) r[i] = fn(data[i], ctx.attrs);
    return [r];
  }
  if (!x.quant && x.dtype !== 'int64' && x.dtype !== 'bool') {
    // an unquantized integer tensor (ONNX Clip, Relu, Abs, Neg of int8 ... int32): the function on the integers, stored with C's wrap-around
    const data = x.data as Int8Array | Uint8Array | Int16Array | Int32Array;
    const r = allocData(out.dtype, data.length) as Int8Array | Uint8Array | Int16Array | Int32Array;
    for (let i = 0; i < data.length; i++) r[i] = fn(data[i], ctx.attrs);
    return [r];
  }
  if (x.dtype === 'int8' && int8 && out.dtype === 'int8') {
    const r = new Int8Array(x.data!.length);
    int8(x.data as Int8Array, r, quantOf(x, ctx), quantOf(out, ctx), ctx.attrs);
    return [r];
  }
  if (x.dtype === 'int16' && out.dtype === 'int16' && (name === 'sigmoid' || name === 'tanh')) {
    const r = new Int16Array(x.data!.length);
    sigmoidTanhS16(x.data as Int16Array, r, quantOf(x, ctx), name === 'tanh');
    return [r];
  }
  fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: the reference interpreter has no ${name} of ${x.dtype} tensors`);
}
