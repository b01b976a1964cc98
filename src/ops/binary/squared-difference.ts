/**
 * squared_difference: (a − b)², numpy broadcasting (TFLite SQUARED_DIFFERENCE).
 *
 * float32: d = a − b; d · d, in float32. int8, TFLite Micro's squared_difference.cc (90b983c2): both
 * inputs brought to a common scale with left_shift = 7 as its ADD does (multipliers s / (2 · max(s_a,
 * s_b)) with QuantizeMultiplierSmallerThanOneExp), the difference squared in int32 (at most 2^30), then
 * requantized by (2 · max(s_a, s_b))² / (2^14 · s_y) — 2^14 · s_y multiplied in float32, the rest in
 * double — plus zp_y, saturated. Kernels utvm_squared_difference_{f32,s8} (utvm/squared_difference.h),
 * always with broadcast parameters (a flat case is one dim).
 *
 * Each input's rescaling requantize((v − zp) · 2^7, m, s) depends on one int8 value, and its magnitude
 * is at most 255 · 2^7 / 2: the compiler evaluates it for all 256 values into two int16 tables (512
 * bytes each), so the kernel looks both up and requantizes only the square — exact, TFLM's arithmetic
 * evaluated ahead of time.
 */

import { allocData, TensorData } from '../../ir/dtype.js';
import { elementCount, Node, Tensor } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../ir/quant.js';
import type { KernelCall, LowerContext, TensorType } from '../op.js';
import { defineOp } from '../op.js';
import { referenceSquaredDifference } from './reference.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import { broadcastCallParams, broadcastStrides, commuteElementwiseInputs, forEachBroadcast, inferBroadcast } from './index.js';

/** TFLite's left shift of int8 SQUARED_DIFFERENCE inputs. */
export const SQUARED_DIFFERENCE_LEFT_SHIFT = 7;

/** (a − b)² of float constants broadcast to `out`. */
export function evaluateSquaredDifference(a: Tensor, b: Tensor, out: TensorType): TensorData {
  const result = allocData(out.dtype, elementCount(out.shape));
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  const r = result as Float32Array;
  forEachBroadcast(out.shape, broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape), (o, ia, ib) => {
    const d = Math.fround(x[ia] - y[ib]);
    r[o] = d * d;
  });
  return result;
}

/** table[v & 255] = requantize((v + offset) · 2^7, multiplier, shift) for every int8 v (|entry| < 2^15). */
export function rescaleTable(offset: number, multiplier: number, shift: number): Int16Array {
  const t = new Int16Array(256);
  for (let v = -128; v < 128; v++) t[v & 255] = multiplyByQuantizedMultiplier((v + offset) * 2 ** SQUARED_DIFFERENCE_LEFT_SHIFT, multiplier, shift);
  return t;
}

function paramsS8(ctx: LowerContext<object>, a: Tensor, b: Tensor, y: Tensor): Record<string, number> {
  const { source } = ctx.node;
  const [qa, qb, qy] = [a, b, y].map((t) => perTensorQuant(t, source));
  const twiceMax = 2 * Math.max(qa.scale, qb.scale);
  const ma = quantizeMultiplier(qa.scale / twiceMax);
  const mb = quantizeMultiplier(qb.scale / twiceMax);
  const mo = quantizeMultiplier((twiceMax * twiceMax) / Math.fround(2 ** (2 * SQUARED_DIFFERENCE_LEFT_SHIFT) * qy.scale));
  if (mo.shift > 30) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: the int8 squared_difference output multiplier is 2^31 or more`);
  return {
    input1_offset: -qa.zeroPoint,
    input1_multiplier: ma.multiplier,
    input1_shift: ma.shift,
    input2_offset: -qb.zeroPoint,
    input2_multiplier: mb.multiplier,
    input2_shift: mb.shift,
    left_shift: SQUARED_DIFFERENCE_LEFT_SHIFT,
    output_multiplier: mo.multiplier,
    output_shift: mo.shift,
    output_offset: qy.zeroPoint,
  };
}

function lowerSquaredDifference(ctx: LowerContext<object>): KernelCall[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  const { source } = ctx.node;
  const broadcast = { params: broadcastCallParams(source, a, b, y), type: 'utvm_broadcast_params' };
  const tensors = [{ tensor: a.name }, { tensor: b.name }, { tensor: y.name }];
  const header = 'utvm/squared_difference.h';
  if (a.dtype === 'int8') {
    requireInt8(source, 'squared_difference', [a, b, y]);
    const p = paramsS8(ctx, a, b, y);
    const name = ctx.node.name;
    const lutA = ctx.addConstant(`${name}_lut_a`, 'int16', [256], rescaleTable(p.input1_offset, p.input1_multiplier, p.input1_shift));
    const lutB = ctx.addConstant(`${name}_lut_b`, 'int16', [256], rescaleTable(p.input2_offset, p.input2_multiplier, p.input2_shift));
    const params = { params: { output_multiplier: p.output_multiplier, output_shift: p.output_shift, output_offset: p.output_offset }, type: 'utvm_squared_difference_params_s8' };
    return [{ kernel: 'utvm_squared_difference_s8', header, args: [params, broadcast, { tensor: lutA }, { tensor: lutB }, ...tensors] }];
  }
  if (a.dtype !== 'float32' || y.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: squared_difference of ${a.dtype} tensors is not supported at run time (float32 and int8 only)`);
  }
  return [{ kernel: 'utvm_squared_difference_f32', header, args: [broadcast, ...tensors] }];
}

export const squaredDifference = defineOp<object>({
  name: 'squared_difference',
  inPlace: true,
  elementwise: true,
  infer: ({ inputs, node }) => inferBroadcast('squared_difference', inputs, node, ['bool', 'int64', 'int32']),
  evaluate(_attrs, inputs, outputs) {
    if (inputs.some((t) => t?.quant) || outputs[0].dtype !== 'float32') fail('E_UNSUPPORTED_ATTR', 'folding a squared_difference of non-float32 constants is not supported');
    return [evaluateSquaredDifference(inputs[0]!, inputs[1]!, outputs[0])];
  },
  reference: (ctx) => [referenceSquaredDifference(ctx)],
  lower: lowerSquaredDifference,
  commuteTranspose(node, perm, editor) {
    const inputs = commuteElementwiseInputs(node as Node, perm, editor);
    return inputs ? { attrs: node.attrs, inputs } : null;
  },
  tflite: {
    SQUARED_DIFFERENCE: {
      maxVersion: 2,
      types: ['float32', 'int8'],
      import: (c) => c.b.add('squared_difference', [c.input(0), c.input(1)], {}, [c.output(0)]),
    },
  },
});
