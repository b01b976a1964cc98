/**
 * The one list of IR operators. Adding an operator: write src/ops/<op>.ts and add one line below.
 */

import type { OpDef } from './op.js';
import { batchnorm, batchnormCoefficients } from './batchnorm.js';
import { conv2d } from './conv2d/index.js';
import { conv2dAdd } from './conv2d/add-s8.js';
import { pool2d } from './pool2d/index.js';
import { patchStage } from './patch-stage.js';
import { reshape } from './reshape.js';
import { add, div, mul, sub } from './binary/index.js';
import { maximum, minimum } from './binary/minmax.js';
import { gemm } from './gemm/index.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax/index.js';
import { clip, hardSigmoid, hardSwish, leakyRelu, relu, sigmoid, tanh } from './unary/index.js';
import { transpose } from './transpose.js';
import { depthToSpace, spaceToDepth } from './space-depth.js';
import { concat } from './concat.js';
import { pad } from './pad.js';
import { reduceMean } from './reduce-mean/index.js';
import { copy } from './copy.js';
import { cast } from './shape-ops.js';
import { gather } from './gather.js';
import { slice } from './slice/index.js';
import { dequantize, quantize } from './quantize.js';
import { convert } from './convert.js';
import { svdf } from './svdf.js';
import { lstm } from './lstm/index.js';
import { batchMatmul } from './batch-matmul.js';
import { transposeConv } from './transpose-conv.js';
import { abs, exp, log, neg, rsqrt } from './unary/math.js';
import { elu, erfOp, floatLutS8, gelu, pow, reciprocal, selu, softplus, sqrt } from './unary/onnx-math.js';
import { prelu } from './binary/prelu.js';
import { squaredDifference } from './binary/squared-difference.js';
import { reduceMax, reduceMin, reduceSum } from './reduce/index.js';
import { argMax, argMin } from './arg-minmax.js';
import { resizeBilinear, resizeCubic, resizeNearest } from './resize/index.js';
import { l2Norm } from './l2-norm.js';
import { onnxRnn } from './rnn/index.js';

// `any`: each operator has its own attribute type; getOp hands them out as OpDef<unknown>.
const ALL_OPS: OpDef<any>[] = [
  sqrt,
  reciprocal,
  erfOp,
  softplus,
  elu,
  selu,
  gelu,
  pow,
  floatLutS8,
  batchnorm,
  batchnormCoefficients,
  conv2d,
  conv2dAdd,
  pool2d,
  reshape,
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  gemm,
  matmul,
  softmax,
  relu,
  leakyRelu,
  clip,
  sigmoid,
  tanh,
  hardSigmoid,
  hardSwish,
  transpose,
  concat,
  pad,
  reduceMean,
  copy,
  cast,
  gather,
  slice,
  quantize,
  dequantize,
  convert,
  svdf,
  lstm,
  batchMatmul,
  transposeConv,
  rsqrt,
  exp,
  log,
  abs,
  neg,
  prelu,
  squaredDifference,
  reduceMax,
  reduceMin,
  reduceSum,
  argMax,
  argMin,
  resizeNearest,
  resizeBilinear,
  resizeCubic,
  l2Norm,
  depthToSpace,
  spaceToDepth,
  onnxRnn,
  patchStage,
];

const BY_NAME = new Map<string, OpDef<unknown>>();
for (const op of ALL_OPS) {
  if (BY_NAME.has(op.name)) throw new Error(`internal: operator '${op.name}' registered twice`);
  BY_NAME.set(op.name, op as OpDef<unknown>);
}

export function getOp(name: string): OpDef<unknown> {
  const op = BY_NAME.get(name);
  if (!op) throw new Error(`internal: unknown IR operator '${name}'`);
  return op;
}

export function allOps(): readonly OpDef<unknown>[] {
  return ALL_OPS as OpDef<unknown>[];
}
