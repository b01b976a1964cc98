/**
 * matmul: numpy matmul. A 1-D A is a row [1, K] and a 1-D B a column [K, 1] (the added dim is dropped
 * from the result); dims before the last two are batch dims and broadcast like elementwise operators.
 * ONNX MatMul (opsets 1–13).
 *
 * Lowering picks one of two kernels at compile time:
 *   - when B is a constant with no batch (2-D, 1-D, or batch dims all 1): a dense layer over
 *     M = (product of A's batch dims) · rows, through gemm's `fullyConnectedCall` with B re-laid out
 *     as [N, K] — the same kernel and code path as a Gemm with constant weights;
 *   - otherwise `utvm_matmul_f32`: contiguous [M, K] · [K, N] products, one per output batch, with each
 *     operand's batch offsets described by broadcast strides computed here (utvm_broadcast_params,
 *     collapsed to the fewest dims).
 */

import { allocData, TensorData } from '../ir/dtype.js';
import { elementCount, Tensor } from '../ir/graph.js';
import { describeNode, fail } from '../diagnostics.js';
import type { CValue } from '../ir/c-value.js';
import type { ImportContext, KernelCall, LowerContext, OnnxNode, TensorType } from './op.js';
import { defineOp } from './op.js';
import { broadcastParams, broadcastShapes, broadcastStrides, forEachBroadcast } from './binary/index.js';
import { MAX_RANK } from '../lower/rank.js';
import { denseInt8Form, fullyConnectedCall } from './gemm/index.js';
import type { Graph, Node, Quant } from '../ir/graph.js';
import type { Int8Form } from './int8-form.js';

export type MatMulAttrs = Record<string, never>;

export interface MatMulShapes {
  /** Batch dims of A and B (after 1-D promotion) and of the output. */
  batchA: number[];
  batchB: number[];
  batch: number[];
  m: number;
  k: number;
  n: number;
  /** The output shape (promoted dims dropped). */
  out: number[];
}

/** The shapes of A·B, or an error message when they do not agree. */
export function matmulShapes(a: readonly number[], b: readonly number[]): MatMulShapes | string {
  if (a.length === 0 || b.length === 0) return 'matmul of a scalar is not defined';
  const pa = a.length === 1 ? [1, a[0]] : [...a];
  const pb = b.length === 1 ? [b[0], 1] : [...b];
  const [m, k] = pa.slice(-2);
  const [kb, n] = pb.slice(-2);
  if (k !== kb) return `inner dimensions differ: [${a}] · [${b}]`;
  const batchA = pa.slice(0, -2);
  const batchB = pb.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  if (!batch) return `batch dimensions of [${a}] and [${b}] do not broadcast`;
  const out = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { batchA, batchB, batch, m, k, n, out };
}

function shapesOf(a: Tensor, b: Tensor, where: string): MatMulShapes {
  const s = matmulShapes(a.shape, b.shape);
  if (typeof s === 'string') fail('E_SHAPE', `${where}: ${s}`);
  return s;
}

function evaluateMatMul(a: Tensor, b: Tensor, out: TensorType, s: MatMulShapes): TensorData {
  const y = allocData(out.dtype, elementCount(out.shape)) as Float32Array;
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const { m, k, n } = s;
  const sa = broadcastStrides(s.batchA, s.batch).map((v) => v * m * k);
  const sb = broadcastStrides(s.batchB, s.batch).map((v) => v * k * n);
  forEachBroadcast(s.batch, sa, sb, (o, ia, ib) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += Number(A[ia + i * k + p]) * Number(B[ib + p * n + j]);
        y[o * m * n + i * n + j] = acc;
      }
    }
  });
  return y;
}

/** B as [N, K] (a dense layer's weights) when it is a constant without batch, else undefined. */
function denseWeights(b: Tensor, s: MatMulShapes): Float32Array | undefined {
  if (b.data === undefined || elementCount(s.batchB) !== 1) return undefined;
  const B = b.data as Float32Array;
  const w = new Float32Array(s.n * s.k);
  for (let j = 0; j < s.n; j++) for (let p = 0; p < s.k; p++) w[j * s.k + p] = B[p * s.n + j];
  return w;
}

function lowerMatMul(ctx: LowerContext<MatMulAttrs>): KernelCall[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  const where = describeNode(ctx.node.source);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${where}: matmul of ${a.dtype === 'float32' ? b.dtype : a.dtype} tensors is not supported at run time (float32 only)`);
  }
  const s = shapesOf(a, b, where);
  const w = denseWeights(b, s);
  if (w) {
    const weights = ctx.addConstant(`${b.name}_nk`, 'float32', [s.n, s.k], w);
    const batches = elementCount(s.batchA) * s.m;
    return [fullyConnectedCall({ input: a.name, weights, output: y.name, batches, inFeatures: s.k, outFeatures: s.n })];
  }
  const sa = broadcastStrides(s.batchA, s.batch).map((v) => v * s.m * s.k);
  const sb = broadcastStrides(s.batchB, s.batch).map((v) => v * s.k * s.n);
  const batch = broadcastParams(s.batch, sa, sb);
  if (!batch) fail('E_UNSUPPORTED_ATTR', `${where}: matmul with more than ${MAX_RANK} distinct batch dims is not supported`);
  const params: CValue = { m: s.m, k: s.k, n: s.n, batch };
  return [
    {
      kernel: 'utvm_matmul_f32',
      header: 'utvm/matmul.h',
      args: [{ params, type: 'utvm_matmul_params_f32' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
    },
  ];
}

function importMatMul(node: OnnxNode, ctx: ImportContext): void {
  if (node.inputs.length !== 2 || node.inputs.includes('')) ctx.invalid('MatMul needs exactly two inputs');
  ctx.add('matmul', node.inputs, {}, node.outputs);
}

// ---------------------------------------------------------------------------------------------------
// int8 (QDQ)

const dense = denseInt8Form(false);

/** The int8 values of a dequantized float constant quantized per tensor, or null when one leaves int8 (uint8 data). */
function int8Constant(t: Tensor): { data: Int8Array; quant: Quant } | null {
  const q = t.quant;
  if (t.data === undefined || t.dtype !== 'float32' || !q || q.scale.length !== 1) return null;
  const src = t.data as Float32Array;
  const data = new Int8Array(src.length);
  const zp = q.zeroPoint[0] ?? 0;
  for (let i = 0; i < src.length; i++) {
    const v = Math.round(src[i] / q.scale[0]) + zp;
    if (v < -128 || v > 127) return null;
    data[i] = v;
  }
  return { data, quant: { scale: [q.scale[0]], zeroPoint: [zp] } };
}

/** [..., R, C] → [..., C, R] of an int8 constant. */
function swapLastTwo(data: Int8Array, shape: number[]): Int8Array {
  const [r, c] = shape.slice(-2);
  const out = new Int8Array(data.length);
  for (let base = 0; base < data.length; base += r * c) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[base + j * r + i] = data[base + i * c + j];
  }
  return out;
}

/**
 * The int8 form between DequantizeLinear and QuantizeLinear: a 2-D A times a constant 2-D B is a dense
 * layer (gemm, per-channel weights); otherwise, with both operands of rank 2 or more, A runtime and B
 * runtime or a per-tensor constant, batch_matmul on int8 (src/ops/batch-matmul.ts: batch broadcasting,
 * FULLY_CONNECTED's requantization) with B's last two dims swapped — at compile time for a constant, by
 * an int8 transpose before it (utvm_copy_nd) for a runtime B. 1-D operands keep the float island.
 */
function int8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const viaDense = dense(g, node, x);
  if (viaDense) return viaDense;
  const [xa, xb] = x;
  const [, bName] = node.inputs;
  const b = g.tensor(bName);
  if (!xa || g.tensor(xa).shape.length < 2 || b.shape.length < 2) return null;
  const s = matmulShapes(g.tensor(xa).shape, b.shape);
  if (typeof s === 'string' || broadcastParams(s.batch, broadcastStrides(s.batchA, s.batch), broadcastStrides(s.batchB, s.batch)) === undefined) return null;
  const rank = b.shape.length;
  const shapeT = [...b.shape.slice(0, -2), b.shape[rank - 1], b.shape[rank - 2]];
  if (xb === undefined) {
    const q = int8Constant(b);
    if (!q) return null;
    const t = g.freshName(`${bName}_t`);
    g.addTensor({ name: t, dtype: 'int8', shape: shapeT, data: swapLastTwo(q.data, b.shape), quant: q.quant });
    return { op: 'batch_matmul', inputs: [xa, t], attrs: {} };
  }
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const t = g.freshName(`${xb}_t`);
  g.addTensor({ name: t, dtype: 'int8', shape: shapeT, quant: g.tensor(xb).quant });
  const before: Node = { name: g.freshNodeName(`${node.name}_transpose_b`), op: 'transpose', inputs: [xb], outputs: [t], attrs: { perm }, source: node.source };
  return { op: 'batch_matmul', inputs: [xa, t], attrs: {}, before: [before] };
}

export const matmul = defineOp<MatMulAttrs>({
  name: 'matmul',
  macs(node, g) {
    const a = g.tensor(node.inputs[0]).shape;
    return elementCount(g.tensor(node.outputs[0]).shape) * a[a.length - 1];
  },
  infer({ inputs, node }) {
    const [a, b] = inputs;
    const where = describeNode(node.source);
    if (!a || !b) fail('E_MODEL_INVALID', `${where}: matmul needs two inputs`);
    if (a.dtype !== b.dtype) fail('E_MODEL_INVALID', `${where}: inputs have different element types (${a.dtype} and ${b.dtype})`);
    return [{ dtype: a.dtype, shape: shapesOf(a, b, where).out }];
  },
  evaluate: (_attrs, inputs, outputs) => [evaluateMatMul(inputs[0]!, inputs[1]!, outputs[0], matmulShapes(inputs[0]!.shape, inputs[1]!.shape) as MatMulShapes)],
  foldCost: (_attrs, inputs, outputs) => elementCount(outputs[0].shape) * (matmulShapes(inputs[0]!.shape, inputs[1]!.shape) as MatMulShapes).k,
  lower: lowerMatMul,
  onnx: { MatMul: importMatMul },
  int8Form,
});
