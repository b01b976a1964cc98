/**
 * Which ONNX conformance tests are in scope, and why the others are not.
 *
 * Float: every operator in the float32 set of the compiler foundation (plus Constant, which only folds),
 * every tensor float32 — or int64 when it feeds a parameter slot that is bound at compile time (a Reshape's
 * shape, a Pad's pads...).
 * Quantized (issue 5): QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger and
 * MatMulInteger with int8/uint8 data, int32 biases and results, float32 scales; their integer outputs are
 * compared within 1 LSB (tests/conformance/harness.ts). Out of scope with their reasons: float16 scales,
 * blocked quantization (block_size), and the 16-, 4- and 2-bit integer and 8/4-bit float element types.
 * Everything else is listed with its reason.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConformanceEntry, ONNX_NODE_DIR } from './harness.js';

export const FLOAT_OPERATORS = new Set([
  'Conv', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh',
  'HardSigmoid', 'HardSwish', 'Softmax', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization',
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Concat', 'Pad', 'ReduceMean', 'Identity',
  'Dropout', 'Constant',
  // issue 15
  'ConvTranspose', 'DepthToSpace', 'SpaceToDepth', 'LSTM', 'GRU', 'RNN', 'Resize', 'Upsample',
  'Slice', 'Split', 'Gather', 'Tile', 'Expand', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ArgMax', 'ArgMin',
  'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Reciprocal', 'Pow', 'Erf', 'Softplus', 'Elu', 'Selu', 'Gelu', 'Min', 'Max', 'PRelu',
]);

/** The quantized operators of issue 5, in scope with int8/uint8 data (QUANT_TYPES). */
export const QUANT_OPERATORS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);
const QUANT_TYPES = new Set(['float32', 'int8', 'uint8', 'int32']);

/** Why a quantized test's element types are out of scope (the first type that matches decides). */
const QUANT_TYPE_REASONS: [RegExp, string][] = [
  [/^float16$/, 'float16 scales or data (the compiler computes in float32 and int8)'],
  [/^f8|^f4/, '8- and 4-bit float element types (float8 e4m3/e5m2, float4 e2m1)'],
  [/^u?int(4|2)$/, '4- and 2-bit integer element types'],
  [/^u?int16$/, '16-bit quantization (the int8 kernels take int8/uint8 data)'],
];

/** Tests whose operators and types are in the set but which use a feature outside it. */
export const FEATURE_EXCLUSIONS: Record<string, string> = {
  test_batchnorm_epsilon_training_mode: 'BatchNormalization training_mode=1 (training statistics, not inference)',
  test_batchnorm_example_training_mode: 'BatchNormalization training_mode=1 (training statistics, not inference)',
  test_maxpool_with_argmax_2d_precomputed_pads: 'MaxPool with its second output (Indices)',
  test_maxpool_with_argmax_2d_precomputed_strides: 'MaxPool with its second output (Indices)',
  test_reshape_allowzero_reordered: 'an empty tensor (a dimension of size 0) as input',
  test_resize_downsample_scales_cubic_antialias: 'Resize antialias=1 (the anti-aliasing filter is not implemented)',
  test_resize_downsample_scales_linear_antialias: 'Resize antialias=1 (the anti-aliasing filter is not implemented)',
  test_resize_downsample_sizes_cubic_antialias: 'Resize antialias=1 (the anti-aliasing filter is not implemented)',
  test_resize_downsample_sizes_linear_antialias: 'Resize antialias=1 (the anti-aliasing filter is not implemented)',
  test_slice_start_out_of_bounds: 'an empty tensor (a dimension of size 0) as output',
};

function typesOf(column: string): string[] {
  return [...column.matchAll(/:(\w+)\[/g)].map((m) => m[1]);
}

export type Scope = { inScope: true; quantized?: boolean } | { inScope: false; reason: string };

function quantizedScope(e: ConformanceEntry): Scope {
  if (/blocked/.test(e.name)) return { inScope: false, reason: 'blocked quantization (block_size): scales per block of an axis' };
  const types = [...typesOf(e.inputs), ...typesOf(e.outputs)].filter((t) => !QUANT_TYPES.has(t));
  for (const [pattern, reason] of QUANT_TYPE_REASONS) if (types.some((t) => pattern.test(t))) return { inScope: false, reason };
  if (types.length > 0) return { inScope: false, reason: `tensor type(s) outside the quantized set: ${[...new Set(types)].join(', ')}` };
  return { inScope: true, quantized: true };
}

export function scopeOf(e: ConformanceEntry): Scope {
  if (!existsSync(join(ONNX_NODE_DIR, e.name)) && !existsSync(join(ONNX_NODE_DIR, e.dir))) {
    return { inScope: false, reason: 'folder not shipped in ../shared/models/onnx-node' };
  }
  if (e.ops.length > 0 && e.ops.every((op) => QUANT_OPERATORS.has(op))) return quantizedScope(e);
  const outside = e.ops.filter((op) => !FLOAT_OPERATORS.has(op));
  if (outside.length > 0) return { inScope: false, reason: `operator(s) outside the float32 set: ${[...new Set(outside)].join(', ')}` };
  const types = [...typesOf(e.inputs), ...typesOf(e.outputs)].filter((t) => t !== 'float32' && t !== 'int64');
  if (types.length > 0) return { inScope: false, reason: `tensor type(s) outside float32: ${[...new Set(types)].join(', ')}` };
  if (/pool_3d|conv\w*_3d/.test(e.name)) return { inScope: false, reason: '3-D spatial operator (the compiler handles 1-D and 2-D)' };
  const feature = FEATURE_EXCLUSIONS[e.name];
  if (feature) return { inScope: false, reason: feature };
  return { inScope: true };
}
