/**
 * int8 lowering of softmax: TensorFlow Lite's int8 SOFTMAX as TFLite Micro runs it with CMSIS-NN
 * (arm_softmax_s8). Prepare, here at compile time: input_multiplier and input_left_shift from
 * PreprocessSoftmaxScaling(beta, input_scale, 5 integer bits) — beta · input_scale · 2^26 in double,
 * capped at 2^31 − 1, as a multiplier greater than one — and diff_min = −CalculateInputRadius(5, shift).
 * The output must be quantized as TFLite requires: scale exactly 1/256, zero point −128; or, for the
 * int8 → int16 softmax (`utvm_softmax_s8_s16`), scale 1/65536 (within 0.1 %) and zero point −32768.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { softmaxS8Params } from '../../ir/fixedpoint.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';

/** The largest softmax row whose fixed-point sum of exponentials (2^19 per element at most) fits int32. */
export const SOFTMAX_S8_MAX_ROW = 4095;

export function lowerSoftmaxS8(
  ctx: LowerContext<{ axis: number; beta?: number }>,
  view: { outer: number; n: number; inner: number },
): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const x = ctx.input(0);
  const y = ctx.output(0);
  requireInt8(node.source, 'softmax', y.dtype === 'int16' ? [x] : [x, y]);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  if (y.dtype === 'int16') {
    // TFLite Micro's check: zero point −32768, scale within 0.1 % of 1/65536.
    if (qy.zeroPoint !== -32768 || !(Math.abs(qy.scale - 1 / 65536) <= Math.fround(0.001 * Math.fround(1 / 65536)))) {
      fail('E_UNSUPPORTED_ATTR', `${where}: int8 → int16 softmax needs output scale 1/65536 and zero point -32768, got scale ${qy.scale} and zero point ${qy.zeroPoint}`);
    }
  } else if (qy.scale !== 1 / 256 || qy.zeroPoint !== -128) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 softmax needs output scale 1/256 and zero point -128, got scale ${qy.scale} and zero point ${qy.zeroPoint}`);
  }
  if (view.n > SOFTMAX_S8_MAX_ROW) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 softmax over ${view.n} values is not supported (at most ${SOFTMAX_S8_MAX_ROW})`);
  }
  const beta = Math.fround(node.attrs.beta ?? 1);
  const p = softmaxS8Params(beta, qx.scale);
  if (!p || p.inputLeftShift > 30) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 softmax with beta ${beta} and input scale ${qx.scale} is not supported (beta · scale · 2^26 must lie in (1, 2^30))`);
  }
  const params = {
    ...view,
    input_multiplier: p.inputMultiplier,
    input_left_shift: p.inputLeftShift,
    diff_min: p.diffMin,
  };
  return [{
    kernel: y.dtype === 'int16' ? 'utvm_softmax_s8_s16' : 'utvm_softmax_s8',
    header: 'utvm/softmax.h',
    args: [{ params, type: 'utvm_softmax_params_s8' }, { tensor: x.name }, { tensor: y.name }],
  }];
}
