/**
 * Run-time helpers of the elementwise operators' reference semantics (`reference` of src/ops/binary/ and
 * src/ops/unary/, run by the reference interpreter, src/reference/):
 *   - exact twins of src/ir/quant.ts's requantization primitives on plain numbers (no BigInt), fast
 *     enough to run per element: `srdhm` (gemmlowp's SaturatingRoundingDoublingHighMul), `mbqm`
 *     (TFLite's MultiplyByQuantizedMultiplier, double rounding; the input shifted left with int32
 *     wrap-around as C does); tests/reference/elementwise.test.ts holds them to the BigInt originals;
 *   - `broadcastOffsets`: for each output element, the element of each input it reads (numpy
 *     broadcasting), computed once per call so that the loops of the operators index typed arrays only.
 */

import { elementCount } from '../../ir/graph.js';
import { INT32_MAX, INT32_MIN } from '../../ir/quant.js';

const TWO31 = 2147483648;

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul of two int32 values, exact: (a · b + nudge) / 2^31 truncated,
 * nudge = 2^30 (a · b ≥ 0) or 1 − 2^30, which is floor((a · b + 2^30) / 2^31) for every product (a negative
 * product's exact half rounds up either way); INT32_MIN² saturates to INT32_MAX.
 */
export function srdhm(a: number, b: number): number {
  const p = a * b;
  // below 2^52 the product and p + 2^30 are exact in a double
  if (p < 4503599627370496 && p > -4503599627370496) return Math.floor((p + 1073741824) / TWO31);
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a · b = hi · 2^16 + lo with hi = a · (b >> 16) and lo = a · (b & 0xffff), each exact; hi = q1 · 2^15 + r1
  const hi = a * (b >> 16);
  const q1 = Math.floor(hi / 32768);
  return q1 + Math.floor(((hi - q1 * 32768) * 65536 + a * (b & 0xffff) + 1073741824) / TWO31);
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent (0..31), rounded half away from zero. */
export function rdbpot(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier(x, multiplier, shift): x · 2^max(shift, 0) (int32, wrapping), high mul, rounding shift right. */
export function mbqm(x: number, multiplier: number, shift: number): number {
  if (shift > 0) return srdhm(Math.imul(x, 2 ** shift | 0), multiplier);
  return rdbpot(srdhm(x, multiplier), -shift);
}

/** Saturates v to [lo, hi]. */
export function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The element each output element reads from two inputs broadcast to `out` (numpy rules); undefined when both have the output's element count. */
export function broadcastOffsets(a: readonly number[], b: readonly number[], out: readonly number[]): { ia: Int32Array; ib: Int32Array } | undefined {
  const count = elementCount(out);
  if (elementCount(a) === count && elementCount(b) === count) return undefined;
  const rank = out.length;
  const strides = (shape: readonly number[]): number[] => {
    const s = new Array<number>(rank).fill(0);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1) s[rank - shape.length + i] = step;
      step *= shape[i];
    }
    return s;
  };
  const sa = strides(a);
  const sb = strides(b);
  const ia = new Int32Array(count);
  const ib = new Int32Array(count);
  const idx = new Array<number>(rank).fill(0);
  let pa = 0;
  let pb = 0;
  for (let o = 0; o < count; o++) {
    ia[o] = pa;
    ib[o] = pb;
    for (let d = rank - 1; d >= 0; d--) {
      pa += sa[d];
      pb += sb[d];
      if (++idx[d] < out[d]) break;
      pa -= sa[d] * out[d];
      pb -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
  return { ia, ib };
}
