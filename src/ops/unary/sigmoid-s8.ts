/**
 * int8 lowering of sigmoid: TensorFlow Lite's int8 LOGISTIC as TFLite Micro (90b983c2) runs it — the
 * reference integer kernel (there is no CMSIS-NN one): x − zero_point rescaled to fixed point with 4
 * integer bits by input_multiplier / input_left_shift (frexp of input_scale · 2^27, computed here),
 * inputs beyond CalculateInputRadius(4, shift) saturated, gemmlowp's fixed-point logistic, output
 * zero point −128 (TFLite checks it; the kernel writes in units of 1/256).
 *
 * Names: the TypeScript side says sigmoid, as the IR operator does (this file, `lowerSigmoidS8`); the C
 * side keeps TFLite's and CMSIS-NN's name for the same function, logistic (`utvm_logistic_s8`,
 * `utvm_logistic_params_s8`, `logisticS8Params` which mirrors the kernel's fixed point), so a reader
 * can put the kernel beside TFLite Micro's.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { logisticS8Params } from '../../ir/fixedpoint.js';
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
  const params = {
    input_zero_point: p.inputZeroPoint,
    input_range_radius: p.inputRangeRadius,
    input_multiplier: p.inputMultiplier,
    input_left_shift: p.inputLeftShift,
  };
  return [{
    kernel: 'utvm_logistic_s8',
    header: 'utvm/unary.h',
    args: [{ params, type: 'utvm_logistic_params_s8' }, { tensor: x.name }, { tensor: y.name }, { value: elementCount(x.shape) }],
  }];
}
