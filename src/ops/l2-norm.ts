/**
 * l2_norm: each vector along the last dim divided by its L2 norm (TFLite L2_NORMALIZATION).
 *
 * As TFLite Micro's reference kernels (l2norm.cc at 90b983c2): float32 divides by
 * max(sqrt(Σx²), 1e-6f) with the sum in order; int8 takes the input's zero point off, finds 1/sqrt(Σ)
 * in gemmlowp's fixed point and writes in units of 1/128 (TFLite's converter gives the output scale
 * 1/128 and zero point 0; TFLite Micro does not read them, so neither does the kernel). No fused
 * activation (TFLite Micro refuses one). Kernels utvm_l2_norm_{s8,f32} (utvm/l2_norm.h).
 * `reference` (src/reference/) computes both from those formulas (float in double), not from the kernels.
 */

import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import { defineOp } from './op.js';
import { perTensorQuant } from '../lower/s8.js';
import { allocData } from '../ir/dtype.js';
import type { TensorData } from '../ir/dtype.js';
import { invSqrtQuantizedMultiplierExp } from '../ir/fixedpoint.js';
import { multiplyByQuantizedMultiplier } from '../ir/quant.js';
import { flatOptions } from '../import/tflite-options.js';
import type { TfliteOpContext } from '../import/tflite-context.js';

function importTfliteL2Norm(c: TfliteOpContext): void {
  if (c.options.activation !== 0) c.unsupported('a fused activation on L2_NORMALIZATION (TensorFlow Lite Micro runs none)');
  if (c.inputTensor(0).shape.length > 4) c.invalid(`input must be at most 4-D, got [${c.inputTensor(0).shape}]`);
  c.b.add('l2_norm', [c.input(0)], {}, [c.output(0)]);
}

export const l2Norm = defineOp<object>({
  name: 'l2_norm',
  inPlace: true,
  infer: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: [...inputs[0]!.shape] }],
  reference({ inputs, outputs, node }) {
    const x = inputs[0]!;
    const where = describeNode(node.source);
    if (x.shape.length === 0) fail('E_SHAPE', `${where}: L2 normalization of a scalar`);
    const depth = x.shape[x.shape.length - 1];
    const outer = depth === 0 ? 0 : x.data!.length / depth;
    if (x.dtype === 'int8') return [l2NormS8(x.data as Int8Array, outer, depth, x.quant?.zeroPoint[0] ?? 0)];
    if (x.dtype !== 'float32' && x.dtype !== 'float64') fail('E_UNSUPPORTED_TYPE', `${where}: L2 normalization of ${x.dtype} (float32 or int8 only)`);
    return [l2NormFloat(x.data as Float64Array, outer, depth, allocData(outputs[0].dtype, x.data!.length) as Float64Array)];
  },
  lower(ctx) {
    const x = ctx.input(0);
    const y = ctx.output(0);
    const where = describeNode(ctx.node.source);
    if (x.shape.length === 0) fail('E_SHAPE', `${where}: L2 normalization of a scalar`);
    const depth = x.shape[x.shape.length - 1];
    const outer = elementCount(x.shape) / depth;
    if (x.dtype === 'float32' && y.dtype === 'float32') {
      const params = { outer, depth, input_zero_point: 0 };
      return [{ kernel: 'utvm_l2_norm_f32', header: 'utvm/l2_norm.h', args: [{ params, type: 'utvm_l2_norm_params' }, { tensor: x.name }, { tensor: y.name }] }];
    }
    if (x.dtype !== 'int8' || y.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: L2 normalization of ${x.dtype} to ${y.dtype} (float32 or int8 only)`);
    if (depth > 65536) fail('E_UNSUPPORTED_ATTR', `${where}: int8 L2 normalization over ${depth} elements (at most 65536: an int32 sum of squares)`);
    const params = { outer, depth, input_zero_point: perTensorQuant(x, ctx.node.source).zeroPoint };
    return [{ kernel: 'utvm_l2_norm_s8', header: 'utvm/l2_norm.h', args: [{ params, type: 'utvm_l2_norm_params' }, { tensor: x.name }, { tensor: y.name }] }];
  },
  macs: (node, graph) => 2 * elementCount(graph.tensor(node.inputs[0]).shape),
  tflite: {
    L2_NORMALIZATION: {
      maxVersion: 2,
      // L2NormOptions (type 12): fused_activation_function, field 0.
      options: flatOptions(12, (r, t) => ({ activation: r.int8(t, 0) })),
      types: ['float32', 'int8'],
      import: importTfliteL2Norm,
    },
  },
});

/** TFLite's float L2_NORMALIZATION: x / max(sqrt(Σx²), 1e-6f) per row, in double. */
function l2NormFloat(x: Float32Array | Float64Array, outer: number, depth: number, y: Float32Array | Float64Array): TensorData {
  const epsilon = Math.fround(1e-6);
  for (let o = 0; o < outer; o++) {
    let sum = 0;
    for (let c = 0; c < depth; c++) sum += x[o * depth + c] * x[o * depth + c];
    const norm = Math.max(Math.sqrt(sum), epsilon);
    for (let c = 0; c < depth; c++) y[o * depth + c] = x[o * depth + c] / norm;
  }
  return y;
}

/**
 * TFLite's int8 L2_NORMALIZATION (reference_integer_ops::L2Normalization): Σ(x − zp)² in int32, its
 * inverse square root as a multiplier and shift (GetInvSqrtQuantizedMultiplierExp, reverse shift), each
 * (x − zp) multiplied with the shift raised by 7 (output in units of 1/128), saturated to int8.
 */
function l2NormS8(x: Int8Array, outer: number, depth: number, zeroPoint: number): Int8Array {
  const y = new Int8Array(x.length);
  for (let o = 0; o < outer; o++) {
    let acc = 0;
    for (let c = 0; c < depth; c++) {
      const v = x[o * depth + c] - zeroPoint;
      acc = (acc + v * v) | 0;
    }
    const m = invSqrtQuantizedMultiplierExp(acc);
    for (let c = 0; c < depth; c++) {
      const v = multiplyByQuantizedMultiplier(x[o * depth + c] - zeroPoint, m.multiplier, m.shift + 7);
      y[o * depth + c] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  }
  return y;
}
