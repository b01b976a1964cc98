/**
 * The ONNX rounding mode (compile option `rounding: 'onnx'`): int8 kernels whose output stage is
 * onnxruntime's float requantization instead of TFLite/CMSIS-NN's fixed point, so that quantized ONNX
 * models give onnxruntime's bits (runtime-c/include/utvm/onnx_s8.h has the formulas and the kernels).
 *
 * The default rounding ('tflite') requantizes with a 32-bit fixed-point multiplier and two roundings half
 * away from zero: bit-exact with TFLite Micro + CMSIS-NN, and within 1 LSB of onnxruntime on almost every
 * element (the last bit differs near ties). A quantized ONNX global average pool uses the onnx kernel in
 * both modes (src/ops/reduce-mean/s8.ts says why). In the onnx mode the scales are float32, computed here
 * as onnxruntime computes them (each operation rounded to float32, in its order):
 *   conv2d, gemm       scale[c] = (x_scale · w_scale[c]) / y_scale     (QLinearConv, QLinearMatMul, QGemm)
 *   reduce_mean        x_scale / (y_scale · count)                     (QLinearGlobalAveragePool)
 *   add                ratio = a_scale / y_scale, b_scale / y_scale, fixed part from the stored zero
 *                      points (uint8 tensors are read as uint8, as onnxruntime reads them)      (QLinearAdd)
 * The kernels are portable C (no DSP variant): on the Cortex-M7 the onnx mode runs the portable kernels.
 * Operators not listed (mul, pooling, sigmoid, softmax, requantize, broadcasting add) keep the default
 * fixed-point kernels in both modes.
 */

import { f32 } from '../ir/c-value.js';
import type { Quant, Tensor } from '../ir/graph.js';
import type { CArg, KernelCall, LowerContext } from '../ops/op.js';

const f = Math.fround;

/** True when the node is lowered in the onnx rounding mode. */
export function onnxRounding<A>(ctx: LowerContext<A>): boolean {
  return ctx.target?.rounding === 'onnx';
}

/** onnxruntime's output scales of a conv / dense layer: float32 (x_scale · w_scale[c]) / y_scale, one per channel. */
export function onnxOutputScales(inputScale: number, weightScales: number[], outputScale: number, channels: number): Float32Array {
  return Float32Array.from({ length: channels }, (_, c) => f(f(f(inputScale) * f(weightScales[weightScales.length === 1 ? 0 : c])) / f(outputScale)));
}

/** The conv2d parts the onnx kernel takes (prepared by src/ops/conv2d/s8.ts). */
export interface ConvOnnx {
  x: Tensor;
  w: Tensor;
  bias?: Tensor;
  y: Tensor;
  /** The utvm_conv2d_params_s8 fields (its requant multiplier / shift are unused). */
  params: Record<string, unknown>;
  scales: Float32Array;
}

/** Any conv2d (groups 1, depthwise, grouped) → utvm_conv2d_s8_onnx, weights OHWI as stored. */
export function lowerConv2dS8Onnx<A>(ctx: LowerContext<A>, c: ConvOnnx): KernelCall[] {
  const scales = ctx.addConstant(`${ctx.node.name}_scales`, 'float32', [c.scales.length], c.scales);
  const args: CArg[] = [
    { params: c.params as never, type: 'utvm_conv2d_params_s8' }, { tensor: c.x.name }, { tensor: c.w.name },
    c.bias ? { tensor: c.bias.name } : { value: 0 }, { tensor: scales }, { tensor: c.y.name },
  ];
  return [{ kernel: 'utvm_conv2d_s8_onnx', header: 'utvm/onnx_s8.h', args }];
}

/** The gemm parts the onnx kernel takes (prepared by src/ops/gemm/s8.ts). */
export interface DenseOnnx {
  a: Tensor;
  y: Tensor;
  /** The utvm_fully_connected_params_s8 fields. */
  params: Record<string, unknown>;
  /** int8 [N, K] weights and the folded int32 bias (undefined when zero). */
  weights: Int8Array;
  bias?: Int32Array;
  scales: Float32Array;
  /** Base name of the constants. */
  base: string;
}

export function lowerGemmS8Onnx<A>(ctx: LowerContext<A>, d: DenseOnnx): KernelCall[] {
  const name = ctx.node.name;
  const [n, k] = [d.scales.length, d.weights.length / d.scales.length];
  const w = ctx.addConstant(`${d.base}_nk`, 'int8', [n, k], d.weights);
  const bias: CArg = d.bias ? { tensor: ctx.addConstant(`${name}_bias`, 'int32', [n], d.bias) } : { value: 0 };
  const scales = ctx.addConstant(`${name}_scales`, 'float32', [n], d.scales);
  const args: CArg[] = [
    { params: d.params as never, type: 'utvm_fully_connected_params_s8' }, { tensor: d.a.name }, { tensor: w }, bias,
    { tensor: scales }, { tensor: d.y.name },
  ];
  return [{ kernel: 'utvm_fully_connected_s8_onnx', header: 'utvm/onnx_s8.h', args }];
}

/** reduce_mean → utvm_reduce_mean_s8_onnx: `reduce` holds the utvm_reduce_params_s8 fields. */
export function lowerReduceMeanS8Onnx<A>(ctx: LowerContext<A>, reduce: Record<string, unknown>, inputScale: number, outputScale: number, count: number): KernelCall[] {
  const scale = f(f(inputScale) / f(f(outputScale) * f(count)));
  const params = { reduce, scale: f32(scale) };
  const x = ctx.input(0);
  const y = ctx.output(0);
  return [{
    kernel: 'utvm_reduce_mean_s8_onnx',
    header: 'utvm/onnx_s8.h',
    args: [{ params: params as never, type: 'utvm_reduce_mean_params_s8_onnx' }, { tensor: x.name }, { tensor: y.name }],
  }];
}

/** The storage offset of a tensor onnxruntime reads as uint8 (+128), else 0 (see Quant.uint8). */
function storageOffset(q: Quant | undefined): number {
  return q?.uint8 ? 128 : 0;
}

/**
 * A flat int8 add → utvm_add_s8_onnx. The zero points are those of the stored values (uint8 ones for
 * tensors the model keeps in uint8), since MLAS computes its fixed part from them.
 */
export function lowerAddS8Onnx<A>(ctx: LowerContext<A>, act: { act_min: number; act_max: number }, count: number): KernelCall[] {
  const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  const [oa, ob, oy] = [storageOffset(a.quant), storageOffset(b.quant), storageOffset(y.quant)];
  const scale = (t: Tensor) => f(t.quant!.scale[0]);
  const zp = (t: Tensor, offset: number) => t.quant!.zeroPoint[0] + offset;
  const ratio1 = f(scale(a) / scale(y));
  const ratio2 = f(scale(b) / scale(y));
  const fixed = f(zp(y, oy) - f(f(ratio1 * zp(a, oa)) + f(ratio2 * zp(b, ob))));
  const params = {
    input1_offset: oa, input2_offset: ob, ratio1: f32(ratio1), ratio2: f32(ratio2), fixed: f32(fixed),
    output_offset: -oy, act_min: act.act_min, act_max: act.act_max,
  };
  return [{
    kernel: 'utvm_add_s8_onnx',
    header: 'utvm/onnx_s8.h',
    args: [{ params: params as never, type: 'utvm_add_params_s8_onnx' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }],
  }];
}
