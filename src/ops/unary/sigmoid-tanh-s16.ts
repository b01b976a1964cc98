/**
 * int16 lowering of sigmoid and tanh: TensorFlow Lite's 16x8 LOGISTIC and TANH as TFLite Micro prepares
 * and runs them (CalculateArithmeticOpDataLogistic / tanh.cc's CalculateArithmeticOpData, then
 * reference_integer_ops Logistic / Tanh for int16) → utvm_sigmoid_s16 / utvm_tanh_s16 (utvm/sigmoid_s16.h,
 * the table and interpolation the integer LSTM uses too).
 *
 * The input is brought to the table's scale (3 · 2^12 for 1) by an int16 multiplier and a right shift:
 *   - a power-of-two input scale of 2^-12 (LOGISTIC) or 2^-12 / 2^-11 (TANH), as CheckedLog2 judges it
 *     (log2 within 1e-3 of an integer): multiplier 3 << (12 + log2 scale), shift 0;
 *   - any other scale: multiplier = scale · 4096 · 3 doubled while it is at most 32767 / 2 (shift counting
 *     the doublings, at most 31), truncated to an integer — a multiplier above 32767 (input scale above
 *     about 2.67) is what TFLite Micro's DCHECK rejects, E_UNSUPPORTED_ATTR here.
 * Zero points must be 0 and the output scale 2^-15 (CheckedLog2 rounding to −15), as TFLite Micro requires.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { perTensorQuant } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';

/** TFLite's CheckedLog2 in float32: the rounded log2 of x, and whether x is within 1e-3 (in log2) of that power. */
function checkedLog2(x: number): { log2: number; pot: boolean } {
  const l = Math.fround(Math.fround(Math.log(Math.fround(x))) * Math.fround(1 / Math.fround(Math.log(2))));
  const r = Math.sign(l) * Math.round(Math.abs(l)); // TfLiteRound: half away from zero
  return { log2: r, pot: Math.abs(Math.fround(l - r)) < 1e-3 };
}

/** The input multiplier and right shift of int16 LOGISTIC (`tanh` false) or TANH for an input scale. */
export function sigmoidTanhS16Multiplier(scale: number, tanh: boolean): { multiplier: number; shift: number } {
  const { log2, pot } = checkedLog2(scale);
  const leftShift = 12 + log2;
  if (pot && (leftShift === 0 || (tanh && leftShift === 1))) return { multiplier: 3 << leftShift, shift: 0 };
  let m = Math.fround(scale) * 4096 * 3;
  let shift = 0;
  while (m <= 32767 / 2 && shift <= 30) {
    shift++;
    m *= 2;
  }
  return { multiplier: Math.trunc(m), shift };
}

export function lowerSigmoidTanhS16(ctx: LowerContext<unknown>, kind: 'sigmoid' | 'tanh'): KernelCall[] {
  const { source } = ctx.node;
  const where = describeNode(source);
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: int16 ${kind} into ${y.dtype} is not supported`);
  const [qx, qy] = [x, y].map((t) => perTensorQuant(t, source));
  if (qx.zeroPoint !== 0 || qy.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: int16 ${kind} needs zero points 0, got ${qx.zeroPoint} and ${qy.zeroPoint}`);
  const out = checkedLog2(qy.scale);
  if (!out.pot || out.log2 !== -15) fail('E_UNSUPPORTED_ATTR', `${where}: int16 ${kind} needs the output scale 2^-15, got ${qy.scale}`);
  const m = sigmoidTanhS16Multiplier(qx.scale, kind === 'tanh');
  if (m.multiplier > 32767) fail('E_UNSUPPORTED_ATTR', `${where}: int16 ${kind} of an input scale of ${qx.scale} (above 32767 / 12288) is not supported`);
  return [{
    kernel: `utvm_${kind}_s16`,
    header: 'utvm/sigmoid_s16.h',
    args: [{ tensor: x.name }, { tensor: y.name }, { value: elementCount(x.shape) }, { value: m.multiplier }, { value: m.shift }],
  }];
}
