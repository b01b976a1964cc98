/**
 * int16 lowering of softmax: TensorFlow Lite's 16x8 SOFTMAX (int16 in, int16 out) as TFLite Micro runs it
 * (softmax_common.cc's Prepare, reference_ops::SoftmaxInt16) → utvm_softmax_s16.
 *
 * Prepare, here at compile time: the input multiplier of input_scale · beta / (10 / 65535) (double,
 * QuantizeMultiplier: x − max of [−65535, 0] spans exp's [−10, 0]), and TFLite's two 513-entry int16
 * tables, written as constants: exp on [−10, 0] and 1 / (1 + x) on [0, 1], both into [−1, 1) with
 * scale 2/65535, by LUTPopulate<int16_t>'s float32 arithmetic — each of the 512 steps sampled at its
 * start, its midpoint and its end, the sample corrected by half the midpoint's interpolation error,
 * rounding half away from zero. float32 is emulated with Math.fround and expf as the correctly rounded
 * float32 of exp: both tables were checked identical, entry for entry, with the C++ formula compiled
 * with gcc and glibc's expf (the library tflm-run links).
 * Zero points must be 0 and the output scale 1/32768 within 0.1 %, as TFLite Micro checks.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { quantizeMultiplier } from '../../ir/quant.js';
import { perTensorQuant } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';

const f = Math.fround;
/** TfLiteRound on float32: half away from zero. */
const roundF = (x: number) => f(Math.sign(x) * Math.round(Math.abs(x)));

/** TFLite's LUTPopulate<int16_t> (float32) of `fn` for the given input and output quantizations: 513 entries. */
export function lutPopulateS16(inScale: number, inZp: number, outScale: number, outZp: number, fn: (x: number) => number): Int16Array {
  const inMin = f(inScale * (-32768 - inZp));
  const inMax = f(inScale * (32767 - inZp));
  const outMin = f(outScale * (-32768 - outZp));
  const outMax = f(outScale * (32767 - outZp));
  const step = f(f(inMax - inMin) / 512);
  const half = f(step / 2);
  const inv = f(65536 / f(outMax - outMin));
  const clamp = (v: number) => Math.min(Math.max(v, -32768), 32767);
  const lut = new Int16Array(513);
  for (let i = 0; i < 512; i++) {
    const x = f(inMin + f(i * step));
    const val = fn(x);
    const mid = fn(f(x + half));
    const next = fn(f(inMin + f((i + 1) * step)));
    const sample = roundF(f(val * inv));
    const midInterp = roundF(f(f(f(next * inv) + sample) / 2));
    const midVal = roundF(f(mid * inv));
    const bias = roundF(f(f(midInterp - midVal) / 2));
    lut[i] = clamp(f(sample - bias));
  }
  lut[512] = clamp(roundF(f(fn(inMax) * inv)));
  return lut;
}

const RANGE = 65535;
/** exp on [−10, 0] (TFLite Micro's exp_lut). */
export const softmaxExpLut = (): Int16Array => lutPopulateS16(f(10 / RANGE), 32767, f(2 / RANGE), 0, (v) => f(Math.exp(v)));
/** 1 / (1 + x) on [0, 1] (TFLite Micro's one_over_one_plus_x_lut). */
export const softmaxRecipLut = (): Int16Array => lutPopulateS16(f(1 / RANGE), -32768, f(2 / RANGE), 0, (v) => f(1 / f(1 + v)));

export function lowerSoftmaxS16(ctx: LowerContext<{ axis: number; beta?: number }>, view: { outer: number; n: number; inner: number }): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: softmax from int16 to ${y.dtype} is not supported (int16 to int16 is)`);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  if (qx.zeroPoint !== 0 || qy.zeroPoint !== 0 || !(Math.abs(qy.scale - 1 / 32768) <= f(0.001 * f(1 / 32768)))) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int16 softmax needs zero points 0 and output scale 1/32768, got zero points ${qx.zeroPoint} and ${qy.zeroPoint}, output scale ${qy.scale}`);
  }
  if (view.n > 65535) fail('E_UNSUPPORTED_ATTR', `${where}: int16 softmax over ${view.n} values is not supported (at most 65535)`);
  const beta = f(node.attrs.beta ?? 1);
  const m = quantizeMultiplier((qx.scale * beta) / (10 / 65535));
  // (x − max) · 2^shift must stay within int32 for differences down to −65535.
  if (!(m.multiplier > 0) || m.shift > 15 || m.shift < -31) fail('E_UNSUPPORTED_ATTR', `${where}: int16 softmax with beta ${beta} and input scale ${qx.scale} is not supported (scale · beta · 6553.5 must lie in [2^-32, 2^15))`);
  const expLut = ctx.addConstant(`${node.name}_exp_lut`, 'int16', [513], softmaxExpLut());
  const recipLut = ctx.addConstant(`${node.name}_recip_lut`, 'int16', [513], softmaxRecipLut());
  const params = { ...view, input_multiplier: m.multiplier, input_shift: m.shift };
  return [{
    kernel: 'utvm_softmax_s16',
    header: 'utvm/softmax.h',
    args: [{ params, type: 'utvm_softmax_params_s16' }, { tensor: expLut }, { tensor: recipLut }, { tensor: x.name }, { tensor: y.name }],
  }];
}
