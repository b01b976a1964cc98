/**
 * When the DSP kernels may use the short requantization of runtime-c/include/utvm/dsp_requant.h
 * (SMMULR on x << (left + 1)): it is bit-exact with TFLite's MultiplyByQuantizedMultiplier whenever
 * |acc| · 2^(left + 1) < 2^31, left = max(shift, 0). The weights and the bias are constants, so the
 * compiler bounds every accumulator: |acc[c]| <= |bias[c]| + maxInput · Σ_k |w[c][k]|, with maxInput the
 * largest magnitude a kernel input value can have (128 for raw int8, 255 for int8 plus an offset).
 */

import type { QuantizedMultiplier } from '../ir/quant.js';

/** The bound on |acc| of each of `channels` rows of w (row-major, equal lengths). */
export function accumulatorBounds(w: Int8Array, channels: number, bias: Int32Array | undefined, maxInput: number): number[] {
  const perChannel = w.length / channels;
  const out: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let k = 0; k < perChannel; k++) sum += Math.abs(w[c * perChannel + k]);
    out.push(Math.abs(bias ? bias[c] : 0) + maxInput * sum);
  }
  return out;
}

/** Whether every channel's bound meets the precondition (one multiplier: shared by all channels). */
export function fastRequantHolds(bounds: number[], multipliers: QuantizedMultiplier[]): boolean {
  return bounds.every((b, c) => {
    const { shift } = multipliers.length === 1 ? multipliers[0] : multipliers[c];
    return b * 2 ** (Math.max(shift, 0) + 1) < 2 ** 31;
  });
}
