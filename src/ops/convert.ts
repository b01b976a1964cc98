/**
 * convert: element-type conversions that change no real value, for quantized ONNX models.
 *
 *   uint8 → int8    q_s8 = q_u8 − 128, zero point − 128 (the same real values: r = s · (q − zp));
 *   int8 → uint8    q_u8 = q_s8 + 128, zero point + 128;
 *   float32 → int32 a float that holds an integer (ConvInteger / MatMulInteger accumulators computed in
 *                   float32, exact below 2^24, which the importer checks) → that integer.
 * The int8 kernels run on int8 only: an ONNX model's uint8 activations become int8 with the zero point
 * moved by 128 (exact), and a uint8 graph input or output keeps its type at the API boundary through one
 * of these conversions (`utvm_convert_u8_s8` / `utvm_convert_s8_u8`, one pass over the bytes, in place).
 * The QDQ pass removes conversions that cancel (uint8 → int8 → uint8 inside the graph).
 *
 * The ONNX quantization operators that produce it are read by src/import/onnx/quant.ts.
 */

import { describeNode, fail } from '../diagnostics.js';
import { allocData, numberAt } from '../ir/dtype.js';
import type { DType } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { Quant } from '../ir/graph.js';
import type { KernelCall, ReferenceContext } from './op.js';
import type { TensorData } from '../ir/dtype.js';
import { defineOp } from './op.js';

export interface ConvertAttrs {
  /** Output element type. */
  to: DType;
}

const KERNELS: Record<string, string> = {
  'uint8>int8': 'utvm_convert_u8_s8',
  'int8>uint8': 'utvm_convert_s8_u8',
  'float32>int32': 'utvm_convert_f32_s32',
};

/** The zero-point shift of a conversion: −128 (uint8 → int8), +128 (int8 → uint8), else 0. */
function zeroPointShift(from: DType, to: DType): number {
  if (from === 'uint8' && to === 'int8') return -128;
  if (from === 'int8' && to === 'uint8') return 128;
  return 0;
}

function shiftedQuant(q: Quant | undefined, shift: number): Quant | undefined {
  if (!q) return undefined;
  return { ...q, scale: [...q.scale], zeroPoint: q.zeroPoint.map((z) => z + shift) };
}

export const convert = defineOp<ConvertAttrs>({
  name: 'convert',
  inPlace: true,
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    if (!KERNELS[`${x.dtype}>${attrs.to}`]) {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: conversion from ${x.dtype} to ${attrs.to} is not supported`);
    }
    return [{ dtype: attrs.to, shape: [...x.shape], quant: shiftedQuant(x.quant, zeroPointShift(x.dtype, attrs.to)) }];
  },
  evaluate(attrs, inputs) {
    const x = inputs[0]!;
    const shift = zeroPointShift(x.dtype, attrs.to);
    const out = allocData(attrs.to, elementCount(x.shape));
    for (let i = 0; i < out.length; i++) out[i] = numberAt(x.data!, i) + shift;
    return [out];
  },
  // Run-time reference: the same integer shift; float → int32 truncates, as C's conversion (the importer
  // checks the values are whole numbers).
  reference(ctx: ReferenceContext<ConvertAttrs>): TensorData[] {
    const x = ctx.inputs[0]!;
    const data = x.data as Exclude<TensorData, BigInt64Array>;
    const shift = zeroPointShift(x.dtype, ctx.attrs.to);
    const out = allocData(ctx.attrs.to, data.length) as Exclude<TensorData, BigInt64Array>;
    for (let i = 0; i < out.length; i++) out[i] = Math.trunc(data[i]) + shift;
    return [out];
  },
  lower({ node, input, output }): KernelCall[] {
    const x = input(0);
    return [{
      kernel: KERNELS[`${x.dtype}>${node.attrs.to}`],
      header: 'utvm/convert.h',
      args: [{ tensor: x.name }, { tensor: output(0).name }, { value: elementCount(x.shape) }],
    }];
  },
  commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
});
