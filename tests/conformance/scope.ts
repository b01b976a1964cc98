/**
 * Which ONNX conformance tests are in scope for the float32 compiler, and why the others are not.
 *
 * In scope: every operator in the float32 set of the compiler foundation (plus Constant, which only folds),
 * every tensor float32 — or int64 when it feeds a parameter slot that is bound at compile time (a Reshape's
 * shape, a Pad's pads...). Everything else is listed with its reason.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConformanceEntry, ONNX_NODE_DIR } from './harness.js';

export const FLOAT_OPERATORS = new Set([
  'Conv', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'Tanh',
  'HardSigmoid', 'HardSwish', 'Softmax', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization',
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Concat', 'Pad', 'ReduceMean', 'Identity',
  'Dropout', 'Constant',
]);

/** Tests whose operators and types are in the set but which use a feature outside it. */
export const FEATURE_EXCLUSIONS: Record<string, string> = {
  test_batchnorm_epsilon_training_mode: 'BatchNormalization training_mode=1 (training statistics, not inference)',
  test_batchnorm_example_training_mode: 'BatchNormalization training_mode=1 (training statistics, not inference)',
  test_maxpool_with_argmax_2d_precomputed_pads: 'MaxPool with its second output (Indices)',
  test_maxpool_with_argmax_2d_precomputed_strides: 'MaxPool with its second output (Indices)',
  test_reshape_allowzero_reordered: 'an empty tensor (a dimension of size 0) as input',
};

function typesOf(column: string): string[] {
  return [...column.matchAll(/:(\w+)\[/g)].map((m) => m[1]);
}

export type Scope = { inScope: true } | { inScope: false; reason: string };

export function scopeOf(e: ConformanceEntry): Scope {
  if (!existsSync(join(ONNX_NODE_DIR, e.name)) && !existsSync(join(ONNX_NODE_DIR, e.dir))) {
    return { inScope: false, reason: 'folder not shipped in ../shared/models/onnx-node' };
  }
  const outside = e.ops.filter((op) => !FLOAT_OPERATORS.has(op));
  if (outside.length > 0) return { inScope: false, reason: `operator(s) outside the float32 set: ${[...new Set(outside)].join(', ')}` };
  const types = [...typesOf(e.inputs), ...typesOf(e.outputs)].filter((t) => t !== 'float32' && t !== 'int64');
  if (types.length > 0) return { inScope: false, reason: `tensor type(s) outside float32: ${[...new Set(types)].join(', ')}` };
  if (/pool_3d|conv\w*_3d/.test(e.name)) return { inScope: false, reason: '3-D spatial operator (the compiler handles 1-D and 2-D)' };
  const feature = FEATURE_EXCLUSIONS[e.name];
  if (feature) return { inScope: false, reason: feature };
  return { inScope: true };
}
