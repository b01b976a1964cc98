/**
 * prelu: x where x ≥ 0, else x · alpha, with alpha broadcast against x (numpy rules; TFLite PRELU, whose
 * alpha is usually a constant of shape [1, 1, C] or [C]).
 *
 * float32: `x >= 0 ? x : x * alpha`, TFLite Micro's BroadcastPrelu4DSlowFloat. int8, TFLite Micro's
 * reference_ops::BroadcastPrelu4DSlow (prelu_common.cc): with x' = x − zp_x,
 *   x' ≥ 0: requantize(x', m1)                      m1 = s_x / s_y
 *   x' < 0: requantize(x' · (alpha − zp_alpha), m2) m2 = s_x · s_alpha / s_y
 * plus zp_y, saturated; both multipliers computed in double from the float32 scales, as its Prepare does.
 * Kernels utvm_prelu_{f32,s8} (utvm/prelu.h), always with broadcast parameters (a flat case is one dim).
 * ONNX PRelu imports onto it (src/ops/binary/onnx-variadic.ts); between DequantizeLinear and QuantizeLinear, with a
 * dequantized constant slope, it runs the int8 kernel.
 * The int8 branch for x' ≥ 0 depends on x alone: the compiler evaluates it for all 256 values into a
 * 256-byte table (entries for x' < 0 unused), so only the x' < 0 half multiplies at run time.
 */

import { allocData, TensorData } from '../../ir/dtype.js';
import { elementCount, Node, Tensor } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../ir/quant.js';
import type { KernelCall, LowerContext, TensorType } from '../op.js';
import { defineOp } from '../op.js';
import { referencePrelu } from './reference.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import { broadcastCallParams, broadcastStrides, commuteElementwiseInputs, forEachBroadcast, inferBroadcast } from './index.js';
import { importPrelu } from './onnx-variadic.js';
import { elementwiseInt8Form } from '../int8-form.js';

/** prelu of constants x and alpha broadcast to `out` (float). */
export function evaluatePrelu(x: Tensor, alpha: Tensor, out: TensorType): TensorData {
  const result = allocData(out.dtype, elementCount(out.shape));
  const a = x.data as Float32Array;
  const b = alpha.data as Float32Array;
  const r = result as Float32Array;
  forEachBroadcast(out.shape, broadcastStrides(x.shape, out.shape), broadcastStrides(alpha.shape, out.shape), (o, ia, ib) => {
    r[o] = a[ia] >= 0 ? a[ia] : a[ia] * b[ib];
  });
  return result;
}

function preluParamsS8(ctx: LowerContext<object>, x: Tensor, alpha: Tensor, y: Tensor): Record<string, number> {
  const { source } = ctx.node;
  const [qx, qa, qy] = [x, alpha, y].map((t) => perTensorQuant(t, source));
  const m1 = quantizeMultiplier(qx.scale / qy.scale);
  const m2 = quantizeMultiplier((qx.scale * qa.scale) / qy.scale);
  if (m1.shift > 30 || m2.shift > 30) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: int8 prelu multipliers of 2^31 or more are not supported`);
  return {
    input_offset: -qx.zeroPoint,
    alpha_offset: -qa.zeroPoint,
    output_offset: qy.zeroPoint,
    multiplier_pos: m1.multiplier,
    shift_pos: m1.shift,
    multiplier_neg: m2.multiplier,
    shift_neg: m2.shift,
  };
}

function lowerPrelu(ctx: LowerContext<object>): KernelCall[] {
  const x = ctx.input(0);
  const alpha = ctx.input(1);
  const y = ctx.output(0);
  const { source } = ctx.node;
  const broadcast = { params: broadcastCallParams(source, x, alpha, y), type: 'utvm_broadcast_params' };
  const tensors = [{ tensor: x.name }, { tensor: alpha.name }, { tensor: y.name }];
  if (x.dtype === 'int8') {
    requireInt8(source, 'prelu', [x, alpha, y]);
    const p = preluParamsS8(ctx, x, alpha, y);
    const positive = new Int8Array(256);
    for (let v = -128; v < 128; v++) {
      const xv = v + p.input_offset;
      positive[v & 255] = xv < 0 ? 0 : Math.min(127, Math.max(-128, multiplyByQuantizedMultiplier(xv, p.multiplier_pos, p.shift_pos) + p.output_offset));
    }
    const table = ctx.addConstant(`${ctx.node.name}_lut_pos`, 'int8', [256], positive);
    const params = { params: p, type: 'utvm_prelu_params_s8' };
    return [{ kernel: 'utvm_prelu_s8', header: 'utvm/prelu.h', args: [params, broadcast, { tensor: table }, ...tensors] }];
  }
  if (x.dtype !== 'float32' || alpha.dtype !== 'float32' || y.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: prelu of ${x.dtype} tensors is not supported at run time (float32 and int8 only)`);
  }
  return [{ kernel: 'utvm_prelu_f32', header: 'utvm/prelu.h', args: [broadcast, ...tensors] }];
}

export const prelu = defineOp<object>({
  name: 'prelu',
  inPlace: true,
  elementwise: true,
  infer: ({ inputs, node }) => inferBroadcast('prelu', inputs, node, ['bool', 'int64', 'int32']),
  evaluate(_attrs, inputs, outputs) {
    if (inputs.some((t) => t?.quant) || outputs[0].dtype !== 'float32') fail('E_UNSUPPORTED_ATTR', 'folding a prelu of non-float32 constants is not supported');
    return [evaluatePrelu(inputs[0]!, inputs[1]!, outputs[0])];
  },
  reference: (ctx) => [referencePrelu(ctx)],
  lower: lowerPrelu,
  commuteTranspose(node, perm, editor) {
    const inputs = commuteElementwiseInputs(node as Node, perm, editor);
    return inputs ? { attrs: node.attrs, inputs } : null;
  },
  tflite: {
    PRELU: { maxVersion: 1, types: ['float32', 'int8'], import: (c) => c.b.add('prelu', [c.input(0), c.input(1)], {}, [c.output(0)]) },
  },
  onnx: { PRelu: importPrelu },
  int8Form: elementwiseInt8Form,
});
