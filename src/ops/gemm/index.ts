/**
 * gemm: Y[M,N] = clamp(alpha · op(A) · op(B) + beta · C), op = optional transpose, C optional and
 * unidirectionally broadcastable to [M, N]. ONNX Gemm (opsets 6–13; C optional from 11).
 *
 * Lowering picks one of two kernels at compile time:
 *   - `utvm_fully_connected_f32` when B is a constant and A is not transposed (a dense layer): the
 *     weights are re-laid out as [N, K] (one row per output neuron, contiguous K — CMSIS-NN's layout)
 *     with alpha multiplied in, and beta·C becomes a per-output bias when it is a per-column vector
 *     ([N], [1, N] or one value; folded into a new constant, or passed as is when it is a runtime
 *     vector and beta = 1). `fullyConnectedCall` is exported so that matmul shares this one code path.
 *   - `utvm_gemm_f32` otherwise: transposes and C's broadcast become element strides, alpha and beta
 *     stay parameters.
 * The fused activation `clamp` (Relu/Clip folded in by the fusion pass) is applied by both kernels.
 * int8 A (TFLite FULLY_CONNECTED: int8 weights, int32 bias) is lowered by src/ops/gemm/s8.ts, int16 A
 * (16x8: int8 weights, int64 or int32 bias) by src/ops/gemm/s16.ts.
 */

import { allocData, TensorData } from '../../ir/dtype.js';
import { elementCount, Tensor } from '../../ir/graph.js';
import type { Graph, Node } from '../../ir/graph.js';
import { int32Bias, int8Weights } from '../int8-form.js';
import type { Int8Form } from '../int8-form.js';
import { describeNode, fail } from '../../diagnostics.js';
import { f32 } from '../../ir/c-value.js';
import type { CValue } from '../../ir/c-value.js';
import type { Clamp, ImportContext, KernelCall, LowerContext, OnnxNode, TensorType } from '../op.js';
import { defineOp } from '../op.js';
import { gemmS8Knobs, lowerGemmS8 } from './s8.js';
import { lowerGemmS16 } from './s16.js';
import { referenceGemmInt } from './reference.js';
import { addActivated, clampOf, requireConstant, requireRank, weightsLike } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions } from '../../import/tflite-options.js';

export interface GemmAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  clamp?: Clamp;
}

/** The C `utvm_clamp_f32` of a fused activation; ±infinity when there is none. */
export function clampParams(clamp: Clamp | undefined): CValue {
  return { min: f32(clamp?.min ?? -Infinity), max: f32(clamp?.max ?? Infinity) };
}

export interface FullyConnected {
  /** [batches, inFeatures] row-major. */
  input: string;
  /** [outFeatures, inFeatures] row-major constant. */
  weights: string;
  /** [outFeatures], or undefined for none. */
  bias?: string;
  /** [batches, outFeatures] row-major. */
  output: string;
  batches: number;
  inFeatures: number;
  outFeatures: number;
  clamp?: Clamp;
}

/** The one way to emit a dense layer (shared by gemm and matmul). */
export function fullyConnectedCall(fc: FullyConnected): KernelCall {
  return {
    kernel: 'utvm_fully_connected_f32',
    header: 'utvm/gemm.h',
    args: [
      {
        type: 'utvm_fully_connected_params_f32',
        params: { batches: fc.batches, in_features: fc.inFeatures, out_features: fc.outFeatures, clamp: clampParams(fc.clamp) },
      },
      { tensor: fc.input },
      { tensor: fc.weights },
      fc.bias === undefined ? { value: 0 } : { tensor: fc.bias },
      { tensor: fc.output },
    ],
  };
}

/** Dimensions of the product: op(A) is [m, k], op(B) is [k, n]. */
function gemmDims(a: readonly number[], b: readonly number[], attrs: GemmAttrs): { m: number; k: number; n: number; kb: number } {
  const [m, k] = attrs.transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = attrs.transB ? [b[1], b[0]] : [b[0], b[1]];
  return { m, k, n, kb };
}

/** Element strides of C over the [m, n] output (right-aligned; 0 on broadcast dims). */
function cStrides(c: readonly number[]): { m: number; n: number } {
  const cm = c.length === 2 ? c[0] : 1;
  const cn = c.length >= 1 ? c[c.length - 1] : 1;
  return { m: cm === 1 ? 0 : cn, n: cn === 1 ? 0 : 1 };
}

function inferGemm(attrs: GemmAttrs, inputs: (Tensor | undefined)[], where: string): TensorType[] {
  const [a, b, c] = inputs;
  if (!a || !b) fail('E_MODEL_INVALID', `${where}: gemm needs inputs A and B`);
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    fail('E_SHAPE', `${where}: gemm needs 2-D A and B, not [${a.shape}] and [${b.shape}]`);
  }
  const { m, k, n, kb } = gemmDims(a.shape, b.shape, attrs);
  if (k !== kb) fail('E_SHAPE', `${where}: inner dimensions differ: op(A) is [${m},${k}], op(B) is [${kb},${n}]`);
  if (c) {
    const aligned = [...new Array<number>(Math.max(0, 2 - c.shape.length)).fill(1), ...c.shape];
    if (c.shape.length > 2 || (aligned[0] !== 1 && aligned[0] !== m) || (aligned[1] !== 1 && aligned[1] !== n)) {
      fail('E_SHAPE', `${where}: C of shape [${c.shape}] does not broadcast to [${m},${n}]`);
    }
  }
  for (const t of [b, c]) {
    // int8 (TFLite FULLY_CONNECTED): int8 A and B, int32 bias C; int16 (16x8): int8 B, int64 or int32 C.
    const expected = a.dtype === 'int8' && t === c ? ['int32'] : a.dtype === 'int16' ? (t === c ? ['int64', 'int32'] : ['int8']) : [a.dtype];
    if (t && !expected.includes(t.dtype)) fail('E_MODEL_INVALID', `${where}: inputs have different element types (${a.dtype} and ${t.dtype})`);
  }
  return [{ dtype: a.dtype, shape: [m, n] }];
}

function evaluateGemm(attrs: GemmAttrs, a: Tensor, b: Tensor, c: Tensor | undefined, out: TensorType): TensorData {
  if (a.dtype === 'int8' || a.dtype === 'int16') fail('E_UNSUPPORTED_TYPE', `gemm: folding a constant ${a.dtype} product at compile time is not supported`);
  const { m, k, n } = gemmDims(a.shape, b.shape, attrs);
  const y = allocData(out.dtype, m * n) as Float32Array;
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const sc = c ? cStrides(c.shape) : { m: 0, n: 0 };
  const lo = attrs.clamp?.min ?? -Infinity;
  const hi = attrs.clamp?.max ?? Infinity;
  // Element strides of op(A) [m, k] and op(B) [k, n].
  const [aM, aK] = attrs.transA ? [1, m] : [k, 1];
  const [bK, bN] = attrs.transB ? [1, k] : [n, 1];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0, ia = i * aM, ib = j * bN; p < k; p++, ia += aK, ib += bK) acc += A[ia] * B[ib];
      let v = attrs.alpha * acc + (c ? attrs.beta * Number(c.data![i * sc.m + j * sc.n]) : 0);
      v = v < lo ? lo : v > hi ? hi : v;
      y[i * n + j] = v;
    }
  }
  return y;
}

/** op(B)ᵀ · alpha as [n, k] float32: the dense-layer weight layout. */
function denseWeights(b: Tensor, transB: boolean, alpha: number, k: number, n: number): Float32Array {
  const B = b.data as Float32Array;
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) w[j * k + p] = alpha * (transB ? B[j * k + p] : B[p * n + j]);
  }
  return w;
}

/**
 * The bias of a dense layer for beta·C: null when there is none, a tensor name, or undefined when
 * beta·C is not a per-column vector (then only the general kernel can run the node).
 */
function denseBias(ctx: LowerContext<GemmAttrs>, n: number): string | null | undefined {
  const c = ctx.optionalInput(2);
  const beta = ctx.node.attrs.beta;
  if (!c || beta === 0) return null;
  const count = elementCount(c.shape);
  const perColumn = count === 1 || (count === n && c.shape[c.shape.length - 1] === n);
  if (!perColumn) return undefined;
  if (c.data === undefined) return beta === 1 && count === n ? c.name : undefined;
  const bias = new Float32Array(n);
  for (let j = 0; j < n; j++) bias[j] = beta * Number(c.data[count === 1 ? 0 : j]);
  return ctx.addConstant(`${ctx.node.name}_bias`, 'float32', [n], bias);
}

function generalGemmCall(ctx: LowerContext<GemmAttrs>): KernelCall {
  const { transA, transB, alpha, beta, clamp } = ctx.node.attrs;
  const a = ctx.input(0);
  const b = ctx.input(1);
  const c = ctx.optionalInput(2);
  const { m, k, n } = gemmDims(a.shape, b.shape, ctx.node.attrs);
  const sc = c ? cStrides(c.shape) : { m: 0, n: 0 };
  const params: CValue = {
    m,
    n,
    k,
    a_stride_m: transA ? 1 : k,
    a_stride_k: transA ? m : 1,
    b_stride_k: transB ? 1 : n,
    b_stride_n: transB ? k : 1,
    c_stride_m: sc.m,
    c_stride_n: sc.n,
    alpha: f32(alpha),
    beta: f32(beta),
    clamp: clampParams(clamp),
  };
  return {
    kernel: 'utvm_gemm_f32',
    header: 'utvm/gemm.h',
    args: [{ params, type: 'utvm_gemm_params_f32' }, { tensor: a.name }, { tensor: b.name }, c ? { tensor: c.name } : { value: 0 }, { tensor: ctx.output(0).name }],
  };
}

function lowerGemm(ctx: LowerContext<GemmAttrs>): KernelCall[] {
  const attrs = ctx.node.attrs;
  const a = ctx.input(0);
  if (a.dtype === 'int8') return lowerGemmS8(ctx);
  if (a.dtype === 'int16') return lowerGemmS16(ctx);
  const b = ctx.input(1);
  for (const t of [a, b, ctx.optionalInput(2)]) {
    if (t && t.dtype !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: gemm of ${t.dtype} tensors is not supported at run time (float32 only)`);
    }
  }
  const { m, k, n } = gemmDims(a.shape, b.shape, attrs);
  if (b.data !== undefined && !attrs.transA) {
    const bias = denseBias(ctx, n);
    if (bias !== undefined) {
      const weights = ctx.addConstant(`${b.name}_nk`, 'float32', [n, k], denseWeights(b, attrs.transB, attrs.alpha, k, n));
      const output = ctx.output(0).name;
      return [fullyConnectedCall({ input: a.name, weights, bias: bias ?? undefined, output, batches: m, inFeatures: k, outFeatures: n, clamp: attrs.clamp })];
    }
  }
  return [generalGemmCall(ctx)];
}

function importGemm(node: OnnxNode, ctx: ImportContext): void {
  const [a, b, c] = node.inputs;
  if (!a || !b) ctx.invalid('Gemm needs inputs A and B');
  const hasC = c !== undefined && c !== '';
  if (!hasC && node.opset < 11) ctx.invalid(`Gemm needs input C before opset 11 (this model uses opset ${node.opset})`);
  const attrs: GemmAttrs = {
    transA: node.attrs.int('transA', 0) !== 0,
    transB: node.attrs.int('transB', 0) !== 0,
    alpha: node.attrs.float('alpha', 1),
    beta: node.attrs.float('beta', 1),
  };
  ctx.add('gemm', hasC ? [a, b, c] : [a, b], attrs, node.outputs);
}

// ---------------------------------------------------------------------------------------------------
// int8 form

interface GemmLike { transA?: boolean; transB?: boolean; alpha?: number; beta?: number }

/**
 * The int8 form of a 2-D product with constant B (QDQ folding): gemm with int8 weights (per column of B)
 * and an int32 bias. `isGemm`: the node is a gemm (its transB, alpha, beta apply), else a matmul.
 */
export function denseInt8Form(isGemm: boolean) {
  return (g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null => dense(g, node, x, isGemm);
}

function dense(g: Graph, node: Node, x: (string | undefined)[], isGemm: boolean): Int8Form | null {
  const a = node.attrs as GemmLike;
  const [xs] = x;
  const [, bName, cName = ''] = node.inputs;
  if (!xs || x[1] !== undefined || x[2] !== undefined || g.tensor(xs).shape.length !== 2) return null;
  if (g.tensor(bName).shape.length !== 2) return null;
  if (isGemm && (a.transA || a.alpha !== 1 || (cName !== '' && a.beta !== 1))) return null;
  const transB = isGemm && !!a.transB;
  const w = int8Weights(g, bName, transB ? 0 : 1);
  if (!w) return null;
  const n = g.tensor(w).shape[transB ? 0 : 1];
  const bias = int32Bias(g, cName, g.tensor(xs).quant!.scale[0], g.tensor(w).quant!.scale, n);
  if (bias === null) return null;
  const attrs = { transA: false, transB, alpha: 1, beta: 1, ...(node.attrs.clamp ? { clamp: node.attrs.clamp } : {}) };
  return { op: 'gemm', inputs: bias ? [xs, w, bias] : [xs, w], attrs };
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteFullyConnected(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  requireRank(c, 1, 2, 'FULLY_CONNECTED weights');
  requireConstant(c, 1, 'weights');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  if (o.weightsFormat !== 0) c.unsupported(`weights_format ${o.weightsFormat} (only DEFAULT)`);
  const [n, k] = w.shape;
  const total = elementCount(x.shape);
  if (total % k !== 0) c.invalid(`input [${x.shape}] cannot be flattened to rows of ${k}`);
  const m = total / k;
  const a = x.shape.length === 2 && x.shape[0] === m ? c.input(0) : c.b.add('reshape', [c.input(0)], { shape: [m, k] })[0];
  const bias = c.input(2);
  const attrs = { transA: false, transB: true, alpha: 1, beta: 1 };
  const inputs = [a, w.name, ...(bias ? [bias] : [])];
  const out = c.outputType(0);
  if (out.shape.length === 2 && out.shape[0] === m && out.shape[1] === n) {
    addActivated(c, 'gemm', inputs, attrs, true);
    return;
  }
  // keep_num_dims (or a model-given output rank): the [M, N] product reshaped to the output's shape.
  if (elementCount(out.shape) !== m * n) c.invalid(`output [${out.shape}] does not hold the [${m},${n}] product`);
  const clamp = clampOf(c);
  const [y] = c.b.add('gemm', inputs, clamp ? { ...attrs, clamp } : attrs);
  c.typeLike(y, 0);
  c.b.add('reshape', [y], { shape: [...out.shape] }, [c.output(0)]);
}

export const gemm = defineOp<GemmAttrs>({
  name: 'gemm',
  macs(node, g) {
    const out = g.tensor(node.outputs[0]).shape;
    const m = out[0];
    return m > 0 ? elementCount(out) * (elementCount(g.tensor(node.inputs[0]).shape) / m) : 0;
  },
  infer: ({ attrs, inputs, node }) => inferGemm(attrs, inputs, describeNode(node.source)),
  evaluate: (attrs, inputs, outputs) => [evaluateGemm(attrs, inputs[0]!, inputs[1]!, inputs[2], outputs[0])],
  // int8 / int16: TFLite's integer FULLY_CONNECTED (./reference.ts); float: evaluate, in float64 or float32.
  reference: (ctx) => {
    const a = ctx.inputs[0]!;
    if (a.dtype === 'int8' || a.dtype === 'int16') return referenceGemmInt(ctx);
    return [evaluateGemm(ctx.attrs, a, ctx.inputs[1]!, ctx.inputs[2], ctx.outputs[0])];
  },
  foldCost: (attrs, inputs) => {
    const { m, k, n } = gemmDims(inputs[0]!.shape, inputs[1]!.shape, attrs);
    return m * k * n;
  },
  lower: lowerGemm,
  knobs: (ctx) => (ctx.input(0).dtype === 'int8' ? gemmS8Knobs(ctx) : []),
  onnx: { Gemm: importGemm },
  int8Form: denseInt8Form(true),
  fusedClamp: ['float32', 'int8', 'int16'],
  tflite: { FULLY_CONNECTED: { maxVersion: 9, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.FullyConnectedOptions, (r, t) => ({ activation: r.int8(t, 0), weightsFormat: r.int8(t, 1), keepNumDims: r.bool(t, 2), asymmetricQuantizeInputs: r.bool(t, 3) })), import: importTfliteFullyConnected } },
});
