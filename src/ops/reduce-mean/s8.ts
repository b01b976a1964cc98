/**
 * int8 lowering of reduce_mean: TensorFlow Lite's int8 MEAN as TFLite Micro (90b983c2) runs it, the
 * reference QuantizedMeanOrSum: an int32 sum over the reduced elements, minus zero_point · count, then
 * MultiplyByQuantizedMultiplier with the multiplier of input_scale / output_scale into which the 1/count
 * has been folded — shifted left by s = min(floor(log2 count), 32, 31 + shift) bits, divided by count
 * with truncation, the shift lowered by s — plus the output zero point, saturated to int8 (no fused
 * activation). All of it is computed here; the kernel sums and requantizes.
 *
 * A quantized ONNX global average pool (requant 'onnx', set by the pool2d int8 form, src/ops/pool2d/index.ts) is requantized by
 * ONNX's own formula in both rounding modes (utvm_reduce_mean_s8_onnx: one float32 scale, round half to
 * even — one multiply per output channel). TFLite's MEAN folds 1/count into its shift and can end in a
 * right shift of 1 whose rounding meets exact halves (a sum of 6 over 12 values of the same scale): 1 LSB
 * off onnxruntime on up to a quarter of the pooled values, which the fully connected head behind it
 * amplifies. The mean is not a CMSIS-NN kernel, so nothing faster is given up.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { QuantizedMultiplier, quantizeMultiplier } from '../../ir/quant.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';
import { lowerReduceMeanS8Onnx, onnxRounding } from '../../lower/onnx-rounding.js';
import type { Rounding } from '../../ir/quant.js';

/** TFLite's multiplier and shift of an int8 mean over `count` elements. */
export function meanS8Multiplier(inputScale: number, outputScale: number, count: number): QuantizedMultiplier {
  const m = quantizeMultiplier(inputScale / outputScale);
  let s = Math.floor(Math.log2(count));
  while (2 ** s > count) s--; // guard log2 rounding for large counts
  while (2 ** (s + 1) <= count) s++;
  s = Math.min(s, 32, 31 + m.shift);
  const multiplier = Number((BigInt(m.multiplier) << BigInt(s)) / BigInt(count));
  return { multiplier, shift: m.shift - s };
}

/** `groups`: the kept/reduced shapes and strides of utvm_reduce_params_f32; `count`: reduced elements. */
export function lowerReduceMeanS8(
  ctx: LowerContext<unknown>,
  groups: Record<string, number[]>,
  count: number,
  requant: Rounding,
): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  requireInt8(node.source, 'reduce_mean', [x, y]);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  const m = meanS8Multiplier(qx.scale, qy.scale, count);
  const sumOffset = -qx.zeroPoint * count;
  if (m.shift > 30 || Math.abs(sumOffset) > 2 ** 31 - 1 - 128 * count) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: int8 mean over ${count} elements with scales ${qx.scale} → ${qy.scale} is not supported`);
  }
  const params = { ...groups, sum_offset: sumOffset, multiplier: m.multiplier, shift: m.shift, output_zero_point: qy.zeroPoint };
  if (onnxRounding(ctx) || requant === 'onnx') return lowerReduceMeanS8Onnx(ctx, params, qx.scale, qy.scale, count);
  return [{
    kernel: 'utvm_reduce_mean_s8',
    header: 'utvm/reduce.h',
    args: [{ params, type: 'utvm_reduce_params_s8' }, { tensor: x.name }, { tensor: y.name }],
  }];
}

/**
 * int16 MEAN (TFLite's 16x8 MEAN; TFLite Micro runs the same QuantizedMeanOrSum on int16): the int8
 * arithmetic, any zero points, saturated to int16 → utvm_reduce_mean_s16.
 */
export function lowerReduceMeanS16(ctx: LowerContext<unknown>, groups: Record<string, number[]>, count: number): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: mean of int16 into ${y.dtype} is not supported`);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  const m = meanS8Multiplier(qx.scale, qy.scale, count);
  const sumOffset = -qx.zeroPoint * count;
  if (m.shift > 30 || 32768 * count + Math.abs(sumOffset) > 2 ** 31 - 1) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: int16 mean over ${count} elements with scales ${qx.scale} → ${qy.scale} is not supported`);
  }
  const params = { ...groups, sum_offset: sumOffset, multiplier: m.multiplier, shift: m.shift, output_zero_point: qy.zeroPoint };
  return [{ kernel: 'utvm_reduce_mean_s16', header: 'utvm/reduce.h', args: [{ params, type: 'utvm_reduce_params_s8' }, { tensor: x.name }, { tensor: y.name }] }];
}

/**
 * int8 SUM as TFLite Micro runs it (the same QuantizedMeanOrSum with compute_sum): the int32 sum minus
 * zero_point · count, requantized by input_scale / output_scale alone — the mean's kernel with no 1/count
 * folded into the multiplier.
 */
export function lowerReduceSumS8(ctx: LowerContext<unknown>, groups: Record<string, number[]>, count: number): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  requireInt8(node.source, 'reduce_sum', [x, y]);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  const m = quantizeMultiplier(qx.scale / qy.scale);
  const sumOffset = -qx.zeroPoint * count;
  if (m.shift > 30 || m.shift < -31 || Math.abs(sumOffset) > 2 ** 31 - 1 - 128 * count) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: int8 sum over ${count} elements with scales ${qx.scale} → ${qy.scale} is not supported`);
  }
  const params = { ...groups, sum_offset: sumOffset, multiplier: m.multiplier, shift: m.shift, output_zero_point: qy.zeroPoint };
  return [{
    kernel: 'utvm_reduce_mean_s8',
    header: 'utvm/reduce.h',
    args: [{ params, type: 'utvm_reduce_params_s8' }, { tensor: x.name }, { tensor: y.name }],
  }];
}
