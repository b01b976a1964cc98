/**
 * int8 activations as a 256-byte lookup table: TFLite Micro's (90b983c2) reference integer formula of
 * each builtin, evaluated here at compile time for every int8 input, run by one C kernel,
 * `utvm_lut_s8(table, in, out, count)`: out[i] = table[(uint8_t)in[i]].
 *
 * Bit-exact by construction: an elementwise int8 → int8 function of one input is fully described by its
 * 256 values, so the table is TFLM's arithmetic (multipliers computed as its Prepare computes them, in
 * float32 or double as it does) evaluated once per input value; the tests hold every table against
 * tflm-run. The formulas below follow TFLM's files:
 *   RELU (activations_common.cc, ReluQuantized): zp_out + requantize(x − zp_in, s_in/s_out in float32),
 *        clamped to [max(−128, zp_out), 127];
 *   RELU6 (Relu6Quantized): the input bytes clamped to [zp_in, quantize(6, s_in, zp_in)], no rescaling
 *        (TFLM ignores the output quantization); an IR clip [min, max] generalises it;
 *   LEAKY_RELU (leaky_relu_common.cc): two multipliers, s_in·α/s_out and s_in/s_out (each quotient
 *        in float32), by the sign of x − zp_in; a negative α's multiplier is applied negated;
 *   TANH (tanh.cc, reference_integer_ops::Tanh): x − zp_in rescaled to 4 integer bits, saturated beyond
 *        CalculateInputRadius, gemmlowp's fixed-point tanh, rounded to units of 1/128 (zero point 0);
 *   HARD_SWISH (hard_swish_common.cc, reference_ops::HardSwish): int16 fixed point on the input
 *        × 2^7, a "reluish" multiplier of (s_in/128) / (3/32768) and an output multiplier of
 *        (s_in/128) / s_out, both downscaled to int16;
 *   RSQRT (elementwise.cc, RsqrtEvalQuantized): 1/√(x − zp_in) from GetInvSqrtQuantizedMultiplierExp,
 *        × 1/(√s_in · s_out); 127 for x = zp_in. TFLM stops with an error on x < zp_in: the table
 *        entries for those inputs hold 127 (1/√0 saturated), a value of our choosing;
 *   ABS (elementwise.cc, AbsEvalQuantized): |x − zp_in|, requantized by s_in/s_out when the scales differ.
 */

import { elementCount } from '../../ir/graph.js';
import { invSqrtQuantizedMultiplierExp, tanh as fixedTanh, calculateInputRadius } from '../../ir/fixedpoint.js';
import { frexp, multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero, roundingDivideByPOT, INT32_MAX } from '../../ir/quant.js';
import type { PerTensorQuant } from '../../lower/s8.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';

/** An int8 → int8 function (input and output as integers in [−128, 127]). */
export type S8Fn = (x: number) => number;

const sat8 = (v: number) => (v < -128 ? -128 : v > 127 ? 127 : v);

/** The table of `fn`: entry (x & 255) holds fn(x). */
export function lutTable(fn: S8Fn): Int8Array {
  const t = new Int8Array(256);
  for (let x = -128; x < 128; x++) t[x & 255] = fn(x);
  return t;
}

/** The kernel call of an int8 unary node whose function `make` builds from the input and output quantization. */
export function lowerLutS8(ctx: LowerContext<unknown>, what: string, make: (qx: PerTensorQuant, qy: PerTensorQuant) => S8Fn): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  requireInt8(node.source, what, [x, y]);
  return [lutCall(ctx, make(perTensorQuant(x, node.source), perTensorQuant(y, node.source)))];
}

/** utvm_lut_s8 of `fn` from the node's input 0 to its output 0 (the table added as a constant). */
export function lutCall(ctx: LowerContext<unknown>, fn: S8Fn): KernelCall {
  const x = ctx.input(0);
  const table = ctx.addConstant(`${ctx.node.name}_lut`, 'int8', [256], lutTable(fn));
  return {
    kernel: 'utvm_lut_s8',
    header: 'utvm/unary.h',
    args: [{ tensor: table }, { tensor: x.name }, { tensor: ctx.output(0).name }, { value: elementCount(x.shape) }],
    inPlace: true,
  };
}

/** TFLM's FloatToQuantizedType: round(value / scale) in float32, + zero point, saturated. */
function quantizeValue(value: number, q: PerTensorQuant): number {
  return sat8(roundHalfAwayFromZero(Math.fround(value / q.scale)) + q.zeroPoint);
}

/** RELU. */
export function reluS8(qx: PerTensorQuant, qy: PerTensorQuant): S8Fn {
  const m = quantizeMultiplier(Math.fround(qx.scale / qy.scale));
  const lo = Math.max(-128, qy.zeroPoint);
  return (x) => Math.min(127, Math.max(lo, qy.zeroPoint + multiplyByQuantizedMultiplier(x - qx.zeroPoint, m.multiplier, m.shift)));
}

/** RELU6 and clip: the input bytes clamped to the quantized bounds (input quantization). */
export function clipS8(qx: PerTensorQuant, min: number, max: number): S8Fn {
  const lo = Number.isFinite(min) ? quantizeValue(min, qx) : -128;
  const hi = Number.isFinite(max) ? quantizeValue(max, qx) : 127;
  return (x) => (x > hi ? hi : x < lo ? lo : x);
}

/** LEAKY_RELU with slope `alpha` (a float32 value). */
export function leakyReluS8(qx: PerTensorQuant, qy: PerTensorQuant, alpha: number): S8Fn {
  const ma = quantizeMultiplier(Math.fround(Math.fround(qx.scale * alpha) / qy.scale));
  const mi = quantizeMultiplier(Math.fround(qx.scale / qy.scale));
  const negative = ma.multiplier < 0;
  const safe = Math.abs(ma.multiplier);
  return (x) => {
    const v = x - qx.zeroPoint;
    if (v >= 0) return sat8(qy.zeroPoint + multiplyByQuantizedMultiplier(v, mi.multiplier, mi.shift));
    const scaled = multiplyByQuantizedMultiplier(v, safe, ma.shift);
    return sat8(qy.zeroPoint + (negative ? -scaled : scaled));
  };
}

/** TANH (output in units of 1/128 whatever the output quantization says, as TFLM writes it). */
export function tanhS8(qx: PerTensorQuant): S8Fn {
  const integerBits = 4;
  const { fraction, exponent } = frexp(qx.scale * 2 ** (31 - integerBits));
  const multiplier = Math.min(roundHalfAwayFromZero(fraction * 2 ** 31), INT32_MAX);
  const radius = calculateInputRadius(integerBits, exponent);
  return (q) => {
    const x = q - qx.zeroPoint;
    if (x <= -radius) return -128;
    if (x >= radius) return 127;
    const xQ4 = multiplyByQuantizedMultiplier(x, multiplier, exponent);
    return sat8(roundingDivideByPOT(fixedTanh(xQ4, integerBits), 24));
  };
}

// int16 arithmetic of HARD_SWISH (reference_ops::HardSwish and gemmlowp's int16 specialisations)
const i16 = (v: number) => (v << 16) >> 16;
const sat16 = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
function srdhm16(a: number, b: number): number {
  if (a === b && a === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return i16(Math.trunc((ab + nudge) / 32768));
}
function sdhm16(a: number, b: number): number {
  if (a === b && a === -32768) return 32767;
  return i16(Math.trunc((a * b) / 32768));
}
function rdbp16(x: number, exponent: number): number {
  const mask = i16(2 ** exponent - 1);
  const remainder = i16(x & mask);
  const threshold = i16((mask >> 1) + (x < 0 ? 1 : 0));
  return i16((x >> Math.min(exponent, 31)) + (remainder > threshold ? 1 : 0));
}
function downscaleToInt16(m: number): number {
  if (m >= INT32_MAX - 32768) return 32767;
  return (m + 32768) >> 16;
}

/** HARD_SWISH. */
export function hardSwishS8(qx: PerTensorQuant, qy: PerTensorQuant): S8Fn {
  const hires = Math.fround(Math.fround(1 / 128) * qx.scale);
  const out = quantizeMultiplier(Math.fround(hires / qy.scale));
  const reluish = quantizeMultiplier(Math.fround(hires / Math.fround(3 / 32768)));
  const outM = downscaleToInt16(out.multiplier);
  const reluishM = downscaleToInt16(reluish.multiplier);
  return (q) => {
    const v = i16(q - qx.zeroPoint);
    const hiresValue = i16(v * 128);
    const preshift = srdhm16(hiresValue, outM);
    let r = hiresValue;
    if (reluish.shift > 0) r = sat16(r * 2 ** (reluish.shift - 1));
    r = srdhm16(r, reluishM);
    if (reluish.shift > 0) r = sat16(r * 2);
    if (reluish.shift < 0) r = rdbp16(r, -reluish.shift);
    r = (r + 32768) >> 1;
    const y = rdbp16(sdhm16(r, preshift), -out.shift) + qy.zeroPoint;
    return sat8(i16(y));
  };
}

/** RSQRT. */
export function rsqrtS8(qx: PerTensorQuant, qy: PerTensorQuant): S8Fn {
  // 1 / (sqrtf(s_in) · s_out), the product in float32, the quotient in double
  const m = quantizeMultiplier(1 / Math.fround(Math.fround(Math.sqrt(qx.scale)) * qy.scale));
  const shift = 20;
  return (q) => {
    const v = q - qx.zeroPoint;
    if (v <= 0) return 127;
    const inv = invSqrtQuantizedMultiplierExp(v);
    const data = multiplyByQuantizedMultiplier(1, inv.multiplier, inv.shift + shift);
    return sat8(multiplyByQuantizedMultiplier(data, m.multiplier, m.shift - shift) + qy.zeroPoint);
  };
}

/** ABS. */
export function absS8(qx: PerTensorQuant, qy: PerTensorQuant): S8Fn {
  const rescale = qx.scale !== qy.scale;
  const m = quantizeMultiplier(Math.fround(qx.scale / qy.scale));
  return (q) => {
    const v = Math.abs(q - qx.zeroPoint);
    return sat8((rescale ? multiplyByQuantizedMultiplier(v, m.multiplier, m.shift) : v) + qy.zeroPoint);
  };
}
