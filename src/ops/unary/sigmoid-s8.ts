/**
 * int8 lowering of sigmoid: TensorFlow Lite's int8 LOGISTIC as TFLite Micro (90b983c2) runs it — the
 * reference integer kernel (there is no CMSIS-NN one): x − zero_point rescaled to fixed point with 4
 * integer bits by input_multiplier / input_left_shift (frexp of input_scale · 2^27, computed here),
 * inputs beyond CalculateInputRadius(4, shift) saturated, gemmlowp's fixed-point logistic, output
 * zero point −128 (TFLite checks it; the kernel writes in units of 1/256). That function
 * (`logisticS8`, src/ir/fixedpoint.ts, TFLite's name for sigmoid) is evaluated here for every int8 input
 * into a 256-byte table run by utvm_lut_s8 (src/ops/unary/lut-s8.ts): one lookup per element instead of
 * about 350 instructions of fixed-point arithmetic on the Cortex-M7.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { logisticS8, logisticS8Params } from '../../ir/fixedpoint.js';
import { lutCall } from './lut-s8.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { KernelCall, LowerContext } from '../op.js';

export function lowerSigmoidS8(ctx: LowerContext<unknown>): KernelCall[] {
  const { node } = ctx;
  const where = describeNode(node.source);
  const x = ctx.input(0);
  const y = ctx.output(0);
  requireInt8(node.source, 'sigmoid', [x, y]);
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  if (qy.zeroPoint !== -128) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 logistic needs output zero point -128, got ${qy.zeroPoint}`);
  }
  const p = logisticS8Params(qx.scale, qx.zeroPoint);
  if (p.inputLeftShift < 0 || p.inputLeftShift > 30) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 logistic of input scale ${qx.scale} is not supported`);
  }
  return [lutCall(ctx, (v) => logisticS8(v, p))];
}
