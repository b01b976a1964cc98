/**
 * Quantization arithmetic of TensorFlow Lite's reference kernels (and CMSIS-NN), computed at compile time.
 *
 * Real values are r = scale · (q − zero_point). A real multiplier M (e.g. input_scale · filter_scale /
 * output_scale) becomes a 32-bit fixed-point multiplier m in [2^30, 2^31) and a power-of-two shift with
 * M ≈ m · 2^(shift − 31) (`quantizeMultiplier`, after TFLite's QuantizeMultiplier: frexp, round half away
 * from zero, the 2^31 carry, shifts below −31 flush to zero).
 *
 * At run time the kernels requantize an int32 accumulator x with
 *   multiplyByQuantizedMultiplier(x, m, shift) =
 *     roundingDivideByPOT(saturatingRoundingDoublingHighMul(x · 2^max(shift, 0), m), max(−shift, 0))
 * — two roundings, exactly as TFLite's reference kernels and CMSIS-NN's arm_nn_requantize do. The
 * TypeScript versions here are the reference for tests and constant folding; the C kernels implement
 * the same formulas (runtime-c/include/utvm/quant.h).
 */

/**
 * The requantization of the int8 kernels (compile option `rounding`, CLI --rounding): 'tflite' (default,
 * CMSIS-NN's fixed point, bit-exact with TFLite Micro) or 'onnx' (onnxruntime's float requantization,
 * round half to even: src/lower/onnx-rounding.ts).
 */
export type Rounding = 'tflite' | 'onnx';
export const ROUNDINGS: readonly Rounding[] = ['tflite', 'onnx'];

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export interface QuantizedMultiplier {
  /** In [2^30, 2^31), or 0 for a zero multiplier. */
  multiplier: number;
  /** Power-of-two exponent: positive = left shift. */
  shift: number;
}

/** std::round: half away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** frexp: x = fraction · 2^exponent with |fraction| in [0.5, 1). */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  let exponent = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let fraction = x * Math.pow(2, -exponent);
  // Correct the estimate when log2 rounding put |fraction| outside [0.5, 1).
  while (Math.abs(fraction) < 0.5) {
    fraction *= 2;
    exponent -= 1;
  }
  while (Math.abs(fraction) >= 1) {
    fraction /= 2;
    exponent += 1;
  }
  return { fraction, exponent };
}

/** TFLite's QuantizeMultiplier for a real multiplier (any positive double). */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let qFixed = roundHalfAwayFromZero(fraction * 2147483648);
  if (qFixed > 2147483648) throw new Error(`internal: quantizeMultiplier(${realMultiplier}) overflowed`);
  if (qFixed === 2147483648) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: qFixed, shift };
}

/** gemmlowp's SaturatingRoundingDoublingHighMul on int32 values. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // C++ integer division truncates toward zero; so does BigInt division.
  return Number((ab + nudge) / (1n << 31n));
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent, rounding half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier (double rounding), the requantization of every int8 kernel. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  const shifted = Number(BigInt.asIntN(32, BigInt(x) * (1n << BigInt(leftShift))));
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), rightShift);
}

const TWO31 = 2147483648;

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul of two int32 values, exact: (a · b + nudge) / 2^31 truncated,
 * nudge = 2^30 (a · b ≥ 0) or 1 − 2^30, which is floor((a · b + 2^30) / 2^31) for every product (a negative
 * product's exact half rounds up either way); INT32_MIN² saturates to INT32_MAX.
 */
export function saturatingRoundingDoublingHighMulFast(a: number, b: number): number {
  const p = a * b;
  // below 2^52 the product and p + 2^30 are exact in a double
  if (p < 4503599627370496 && p > -4503599627370496) return Math.floor((p + 1073741824) / TWO31);
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a · b = hi · 2^16 + lo with hi = a · (b >> 16) and lo = a · (b & 0xffff), each exact; hi = q1 · 2^15 + r1
  const hi = a * (b >> 16);
  const q1 = Math.floor(hi / 32768);
  return q1 + Math.floor(((hi - q1 * 32768) * 65536 + a * (b & 0xffff) + 1073741824) / TWO31);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier(x, multiplier, shift) on plain numbers, bit for bit the BigInt
 * `multiplyByQuantizedMultiplier` above (tests/reference/ hold the two equal) and several times faster:
 * the reference interpreter runs it per element. x · 2^max(shift, 0) wraps to int32 as in C.
 */
export function multiplyByQuantizedMultiplierFast(x: number, multiplier: number, shift: number): number {
  if (shift > 0) return saturatingRoundingDoublingHighMulFast(Math.imul(x, 2 ** shift | 0), multiplier);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMulFast(x, multiplier), -shift);
}

/**
 * TFLite's 64-bit MultiplyByQuantizedMultiplier (the 16x8 kernels with an int64 sum, double-rounding
 * build of TFLite Micro): the multiplier rounded to 16 bits, one rounding shift, truncated to int32.
 */
export function multiplyByQuantizedMultiplier64(x: number | bigint, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const totalShift = BigInt(15 - shift);
  const r = (BigInt(x) * BigInt(reduced) + (1n << (totalShift - 1n))) >> totalShift;
  return Number(BigInt.asIntN(32, r));
}

/** The int8 output range of a fused activation given as a real clamp (TFLite's CalculateActivationRangeQuantized). */
export function quantizedActivationRange(
  clamp: { min: number; max: number } | undefined,
  scale: number,
  zeroPoint: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  // TFLite divides in float: the quotient of two float32 values, rounded to float32.
  const quantize = (r: number) => zeroPoint + roundHalfAwayFromZero(Math.fround(r / Math.fround(scale)));
  let min = qmin;
  let max = qmax;
  if (clamp && Number.isFinite(clamp.min)) min = Math.max(qmin, quantize(clamp.min));
  if (clamp && Number.isFinite(clamp.max)) max = Math.min(qmax, quantize(clamp.max));
  return { min, max };
}

/** Saturates to the int8 range. */
export function clampInt8(v: number): number {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}
