/**
 * batch_matmul: y[.., i, j] = Σ_k a[.., i, k] · b[.., j, k] — A [..., M, K] times the transpose of
 * B [..., N, K], batch dims broadcast like elementwise operators (rank 2 to 5 each). B is stored with one
 * row per output column: the layout TensorFlow Lite Micro's BATCH_MATMUL computes in after its own
 * transposes, and the one whose rows the int8 dot products read contiguously.
 *
 * TFLite BATCH_MATMUL (float32, int8; options adj_x, adj_y) imports onto it: adj_x transposes A's last
 * two dims and a false adj_y transposes B's (TFLite's B is [..., K, N] unless adj_y), as transpose nodes —
 * folded at compile time for constants, utvm_copy_nd at run time otherwise (where TFLite Micro
 * transposes into a buffer of its own too).
 *
 * Semantics (TFLite Micro's reference BatchMatMul):
 *   float32: the sum over k in increasing order from 0.0f (bit-exact);
 *   int8:    acc = Σ_k (a + lhs_offset) · (b + rhs_offset) in int32, offsets minus the zero points;
 *            y = clamp(MultiplyByQuantizedMultiplier(acc, M, shift) + output zero point, -128, 127), the
 *            multiplier as TFLite Micro's GetQuantizedConvolutionMultipler computes it:
 *            double(float32(lhs_scale · rhs_scale)) / double(output_scale) — FULLY_CONNECTED's rounding.
 * Kernels (runtime-c/include/utvm/batch_matmul.h): utvm_batch_matmul_f32, utvm_batch_matmul_s8 and, on a
 * core with the DSP extension, utvm_batch_matmul_s8_dsp (SMLAD, same bits; four B rows at a time widened
 * into a scratch buffer of 32 · ceil(k / 4) bytes).
 */

import { allocData, TensorData } from '../ir/dtype.js';
import { elementCount, Tensor } from '../ir/graph.js';
import { describeNode, fail } from '../diagnostics.js';
import type { CValue } from '../ir/c-value.js';
import type { CArg, KernelCall, LowerContext, TensorType } from './op.js';
import { defineOp } from './op.js';
import { broadcastParams, broadcastShapes, broadcastStrides, forEachBroadcast } from './binary/index.js';
import { MAX_RANK } from '../lower/rank.js';
import { activationQuant } from '../lower/s8.js';
import { fullyConnectedMultipliers } from './gemm/s8.js';
import { fastRequantHolds } from '../lower/fast-requant.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType } from '../import/tflite-options.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';
import { fullyConnectedScales, quantOf, requantizer } from './gemm/reference.js';
import { multiplyByQuantizedMultiplierFast } from '../ir/quant.js';
import type { ReferenceContext } from './op.js';

export type BatchMatMulAttrs = Record<string, never>;

interface Shapes {
  batchA: number[];
  batchB: number[];
  batch: number[];
  m: number;
  k: number;
  n: number;
}

/** The shapes of A · Bᵀ, or an error message. */
function shapesOf(a: readonly number[], b: readonly number[]): Shapes | string {
  if (a.length < 2 || b.length < 2) return `batch_matmul needs operands of rank 2 or more, not [${a}] and [${b}]`;
  const [m, k] = a.slice(-2);
  const [n, kb] = b.slice(-2);
  if (k !== kb) return `inner dimensions differ: [${a}] · [${b}]ᵀ`;
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  if (!batch) return `batch dimensions of [${a}] and [${b}] do not broadcast`;
  return { batchA, batchB, batch, m, k, n };
}

function checkedShapes(a: Tensor, b: Tensor, where: string): Shapes {
  const s = shapesOf(a.shape, b.shape);
  if (typeof s === 'string') fail('E_SHAPE', `${where}: ${s}`);
  return s;
}

/** The kernels' batch iteration: output batch shape with A's and B's matrix strides. */
function batchParams(s: Shapes, where: string): CValue {
  const sa = broadcastStrides(s.batchA, s.batch).map((v) => v * s.m * s.k);
  const sb = broadcastStrides(s.batchB, s.batch).map((v) => v * s.n * s.k);
  const batch = broadcastParams(s.batch, sa, sb);
  if (!batch) fail('E_UNSUPPORTED_ATTR', `${where}: batch_matmul with more than ${MAX_RANK} distinct batch dims is not supported`);
  return batch;
}

function evaluate(a: Tensor, b: Tensor, out: TensorType, s: Shapes): TensorData {
  if (a.dtype !== 'float32') fail('E_UNSUPPORTED_TYPE', 'batch_matmul: folding a constant int8 product at compile time is not supported');
  const y = allocData(out.dtype, elementCount(out.shape)) as Float32Array;
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const { m, k, n } = s;
  const sa = broadcastStrides(s.batchA, s.batch).map((v) => v * m * k);
  const sb = broadcastStrides(s.batchB, s.batch).map((v) => v * n * k);
  forEachBroadcast(s.batch, sa, sb, (o, ia, ib) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc = Math.fround(acc + Math.fround(A[ia + i * k + p] * B[ib + j * k + p]));
        y[(o * m + i) * n + j] = acc;
      }
    }
  });
  return y;
}

/**
 * Run-time reference (src/reference/), written apart from the kernels and `lower`:
 *   float64 (the interpreter's form of float32): the sum in double; float32: `evaluate` (float32 sums);
 *   int8: TFLite Micro's BatchMatMul<int8_t, int32_t> — acc = Σ_k (a − a_zp) · (b − b_zp) in int32,
 *   MultiplyByQuantizedMultiplier with double(float32(a_scale · b_scale)) / double(y_scale), + y_zp,
 *   clamped to [-128, 127] (BATCH_MATMUL has no fused activation).
 */
function reference(ctx: ReferenceContext<BatchMatMulAttrs>): TensorData[] {
  const [a, b] = ctx.inputs as [Tensor, Tensor];
  const out = ctx.outputs[0];
  const s = shapesOf(a.shape, b.shape) as Shapes;
  if (a.dtype === 'float32') return [evaluate(a, b, out, s)];
  const { m, k, n } = s;
  const y = allocData(out.dtype, elementCount(out.shape));
  const sa = broadcastStrides(s.batchA, s.batch).map((v) => v * m * k);
  const sb = broadcastStrides(s.batchB, s.batch).map((v) => v * n * k);
  if (a.dtype === 'float64') {
    const [A, B, Y] = [a.data as Float64Array, b.data as Float64Array, y as Float64Array];
    forEachBroadcast(s.batch, sa, sb, (o, ia, ib) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += A[ia + i * k + p] * B[ib + j * k + p];
          Y[(o * m + i) * n + j] = acc;
        }
      }
    });
    return [y];
  }
  if (a.dtype !== 'int8' || b.dtype !== 'int8' || out.dtype !== 'int8') {
    fail('E_UNSUPPORTED_TYPE', `batch_matmul '${ctx.node.name}': the reference takes float32 or int8, not ${a.dtype} · ${b.dtype} → ${out.dtype}`);
  }
  const qa = quantOf(a, 'input');
  const qb = quantOf(b, 'input');
  const rq = requantizer(fullyConnectedScales(qa.scale, [qb.scale], quantOf(out, 'output').scale), out, undefined, 'output');
  const { multiplier, shift } = rq.multipliers[0];
  const [A, B, Y] = [a.data as Int8Array, b.data as Int8Array, y as Int8Array];
  const row = new Int32Array(k);
  const col = new Int32Array(n * k);
  forEachBroadcast(s.batch, sa, sb, (o, ia, ib) => {
    for (let q = 0; q < n * k; q++) col[q] = B[ib + q] - qb.zeroPoint;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) row[p] = A[ia + i * k + p] - qa.zeroPoint;
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += row[p] * col[j * k + p];
        const v = multiplyByQuantizedMultiplierFast(acc | 0, multiplier, shift) + rq.zeroPoint;
        Y[(o * m + i) * n + j] = v < rq.min ? rq.min : v > rq.max ? rq.max : v;
      }
    }
  });
  return [y];
}

function lower(ctx: LowerContext<BatchMatMulAttrs>): KernelCall[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  const where = describeNode(ctx.node.source);
  const s = checkedShapes(a, b, where);
  const batch = batchParams(s, where);
  const tensors = [{ tensor: a.name }, { tensor: b.name }, { tensor: y.name }];
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    return [{ kernel: 'utvm_batch_matmul_f32', header: 'utvm/batch_matmul.h', args: [{ type: 'utvm_matmul_params_f32', params: { m: s.m, k: s.k, n: s.n, batch } }, ...tensors] }];
  }
  if (a.dtype !== 'int8' || b.dtype !== 'int8' || y.dtype !== 'int8') {
    fail('E_UNSUPPORTED_TYPE', `${where}: batch_matmul of ${a.dtype} · ${b.dtype} → ${y.dtype} is not supported (float32 or int8)`);
  }
  const qa = activationQuant(a, where);
  const qb = activationQuant(b, where);
  const qy = activationQuant(y, where);
  const [q] = fullyConnectedMultipliers(qa.scale, [qb.scale], qy.scale);
  if (q.shift > 30) fail('E_UNSUPPORTED_ATTR', `${where}: the output multiplier needs a left shift of ${q.shift} (> 30): the output scale is far too small`);
  const params: CValue = {
    m: s.m, k: s.k, n: s.n,
    lhs_offset: -qa.zeroPoint, rhs_offset: -qb.zeroPoint, output_offset: qy.zeroPoint,
    multiplier: q.multiplier, shift: q.shift, act_min: -128, act_max: 127,
    batch,
  };
  const args: CArg[] = [{ type: 'utvm_batch_matmul_params_s8', params }, ...tensors];
  // The DSP kernel's short requantization needs a bound on |acc|: k terms of at most 255 · 255.
  const fast = fastRequantHolds([s.k * 255 * 255], [q]);
  if (ctx.target?.dsp !== true || !fast) return [{ kernel: 'utvm_batch_matmul_s8', header: 'utvm/batch_matmul.h', args }];
  // utvm_batch_matmul_s8_dsp_scratch_bytes: four B rows as offset int16 pairs, depth padded to 4.
  const scratchBytes = 4 * Math.ceil(s.k / 4) * 4 * 2;
  return [{ kernel: 'utvm_batch_matmul_s8_dsp', header: 'utvm/batch_matmul.h', args: [...args, { scratch: true }], scratchBytes }];
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

interface BatchMatMulOptions {
  adjX: boolean;
  adjY: boolean;
}

/** BatchMatMulOptions (schema.fbs): adj_x, adj_y, asymmetric_quantize_inputs (hybrid only: not read). */
const OPTIONS: TfliteOptionsTable<BatchMatMulOptions> = {
  type: OptionsType.BatchMatMulOptions,
  read: (r, t) => ({ adjX: r.bool(t, 0), adjY: r.bool(t, 1) }),
  defaults: { adjX: false, adjY: false },
};

/** TFLite Micro's rank limits of BATCH_MATMUL operands. */
const MIN_RANK = 2;
const MAX_TFLITE_RANK = 5;

/** x with its last two dims swapped (a transpose node, folded when x is a constant). */
function swapLastTwo(c: TfliteOpContext<BatchMatMulOptions>, x: string, rank: number): string {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return c.b.add('transpose', [x], { perm })[0];
}

function importTflite(c: TfliteOpContext<BatchMatMulOptions>): void {
  const a = c.inputTensor(0);
  const b = c.inputTensor(1);
  const out = c.outputType(0);
  for (const t of [a, b]) {
    if (t.dtype !== 'float32' && t.dtype !== 'int8') c.unsupported(`BATCH_MATMUL of ${t.dtype}`);
    if (t.shape.length < MIN_RANK || t.shape.length > MAX_TFLITE_RANK) c.invalid(`operand '${t.name}' has rank ${t.shape.length}; BATCH_MATMUL takes rank ${MIN_RANK} to ${MAX_TFLITE_RANK}`);
  }
  if (a.dtype !== b.dtype || out.dtype !== a.dtype) c.unsupported(`BATCH_MATMUL of ${a.dtype} · ${b.dtype} → ${out.dtype} (hybrid or mixed types)`);
  const lhs = c.options.adjX ? swapLastTwo(c, c.input(0), a.shape.length) : c.input(0);
  const rhs = c.options.adjY ? c.input(1) : swapLastTwo(c, c.input(1), b.shape.length);
  c.b.add('batch_matmul', [lhs, rhs], {}, [c.output(0)]);
}

export const batchMatmul = defineOp<BatchMatMulAttrs>({
  name: 'batch_matmul',
  macs(node, g) {
    const a = g.tensor(node.inputs[0]).shape;
    return elementCount(g.tensor(node.outputs[0]).shape) * a[a.length - 1];
  },
  infer({ inputs, node }) {
    const [a, b] = inputs;
    const where = describeNode(node.source);
    if (!a || !b) fail('E_MODEL_INVALID', `${where}: batch_matmul needs two inputs`);
    if (a.dtype !== b.dtype) fail('E_MODEL_INVALID', `${where}: inputs have different element types (${a.dtype} and ${b.dtype})`);
    const s = checkedShapes(a, b, where);
    return [{ dtype: a.dtype, shape: [...s.batch, s.m, s.n] }];
  },
  evaluate: (_attrs, inputs, outputs) => [evaluate(inputs[0]!, inputs[1]!, outputs[0], shapesOf(inputs[0]!.shape, inputs[1]!.shape) as Shapes)],
  foldCost: (_attrs, inputs, outputs) => elementCount(outputs[0].shape) * inputs[0]!.shape[inputs[0]!.shape.length - 1],
  reference,
  lower,
  // Versions (op_version.cc): 1 float32, 2 int8, 3 int16, 4 hybrid with asymmetric inputs; int16 and
  // hybrid operands are refused by the importer's type checks.
  tflite: { BATCH_MATMUL: { maxVersion: 4, options: OPTIONS, types: ['float32', 'int8'], import: importTflite } },
});
