/**
 * gemm's run-time reference for integer tensors (src/reference/): TensorFlow Lite's quantized
 * FULLY_CONNECTED as TFLite Micro's reference kernels compute it (reference_integer_ops FullyConnected /
 * FullyConnectedPerChannel), with every parameter computed here from the tensors' quantization as
 * TFLite Micro's Prepare does — independently of the lowering (src/ops/gemm/s8.ts, s16.ts) and the C
 * kernels, so that a slip in either shows up as a difference. Float gemm is `evaluate` (src/ops/gemm/index.ts).
 *
 *   int8  (int8 A and W, int32 bias):  acc = Σ_k W[n][k] · (A[m][k] − a_zp) + bias[n]   (int32, wrapping)
 *   int16 (16x8: int16 A, int8 W):     the same sum in int32 (wrapping) with an int32 bias, in int64 with
 *                                      an int64 bias or none (TFLite Micro's default quantized_bias_type)
 *   y = clamp(MultiplyByQuantizedMultiplier(acc, M[n], shift[n]) + y_zp, act_min, act_max)
 * The int64 sums use TFLite's 64-bit MultiplyByQuantizedMultiplier (one rounding, a 16-bit multiplier);
 * the int32 sums the double-rounding 32-bit one (src/ir/quant.ts's `multiplyByQuantizedMultiplierFast`). Multipliers (CalculateOpDataFullyConnected):
 * per-tensor weights double(float32(a_scale · w_scale)) / double(y_scale) (GetQuantizedConvolutionMultipler),
 * per-channel weights (more than one scale) double(a_scale) · double(w_scale[n]) / double(y_scale).
 * The activation range is CalculateActivationRangeQuantized over the output type.
 *
 * `quantOf` and `requantizer` are shared with batch_matmul's and svdf's references.
 */

import { fail } from '../../diagnostics.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/graph.js';
import { multiplyByQuantizedMultiplier64, multiplyByQuantizedMultiplierFast, quantizeMultiplier, quantizedActivationRange } from '../../ir/quant.js';
import type { QuantizedMultiplier } from '../../ir/quant.js';
import type { Clamp, ReferenceContext, TensorType } from '../op.js';
import type { GemmAttrs } from './index.js';

/** The (scale, zero point) of a per-tensor quantized tensor, or a one-line error naming it. */
export function quantOf(t: Tensor | TensorType & { name?: string }, what: string): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length === 0) fail('E_MODEL_INVALID', `${what} '${t.name ?? ''}' (${t.dtype}) has no quantization`);
  return { scale: Math.fround(q.scale[0]), zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** Requantization of one output element: multiplier, shift, zero point and range applied to an accumulator. */
export interface Requantizer {
  multipliers: QuantizedMultiplier[];
  zeroPoint: number;
  min: number;
  max: number;
}

/** The output type's integer range. */
export function intRange(dtype: string): { min: number; max: number } {
  return dtype === 'int16' ? { min: -32768, max: 32767 } : { min: -128, max: 127 };
}

/** Multipliers as TFLite Micro's CalculateOpDataFullyConnected (and GetQuantizedConvolutionMultipler) compute them. */
export function fullyConnectedScales(inputScale: number, weightScales: readonly number[], outputScale: number): QuantizedMultiplier[] {
  const si = Math.fround(inputScale);
  const so = Math.fround(outputScale);
  if (weightScales.length === 1) return [quantizeMultiplier(Math.fround(si * Math.fround(weightScales[0])) / so)];
  return weightScales.map((s) => quantizeMultiplier((si * Math.fround(s)) / so));
}

export function requantizer(multipliers: QuantizedMultiplier[], y: TensorType, clamp: Clamp | undefined, what: string): Requantizer {
  const { scale, zeroPoint } = quantOf(y, what);
  const r = intRange(y.dtype);
  const range = quantizedActivationRange(clamp, scale, zeroPoint, r.min, r.max);
  return { multipliers, zeroPoint, min: range.min, max: range.max };
}

/** W as [N, K] rows with the weight offset added, kept per weights array (constants: the same array every run). */
const rowCache = new WeakMap<Int8Array, { key: string; rows: Int8Array | Int32Array }>();

function weightRows(w: Int8Array, transB: boolean, k: number, n: number, offset: number): Int8Array | Int32Array {
  if (transB && offset === 0) return w;
  const key = `${transB} ${k} ${n} ${offset}`;
  const hit = rowCache.get(w);
  if (hit?.key === key) return hit.rows;
  const rows = new Int32Array(n * k);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) rows[j * k + p] = (transB ? w[j * k + p] : w[p * n + j]) + offset;
  }
  rowCache.set(w, { key, rows });
  return rows;
}

/** int8 / int16 gemm (the FULLY_CONNECTED form): every output element from the integer inputs. */
export function referenceGemmInt(ctx: ReferenceContext<GemmAttrs>): TensorData[] {
  const { attrs } = ctx;
  const where = `gemm '${ctx.node.name}'`;
  const [a, w, c] = ctx.inputs as [Tensor, Tensor, Tensor | undefined];
  const y = ctx.outputs[0];
  if (attrs.transA || attrs.alpha !== 1 || (c && attrs.beta !== 1)) {
    fail('E_UNSUPPORTED_ATTR', `${where}: an integer gemm needs the FULLY_CONNECTED form (A not transposed, alpha = beta = 1)`);
  }
  if (w.dtype !== 'int8' || (y.dtype !== a.dtype)) fail('E_UNSUPPORTED_TYPE', `${where}: ${a.dtype} gemm needs int8 weights and an ${a.dtype} output`);
  const [m, k] = a.shape;
  const n = y.shape[1];
  const A = a.data as Int8Array | Int16Array;
  const W = w.data as Int8Array;
  const wq = w.quant;
  if (!wq || (wq.scale.length !== 1 && wq.scale.length !== n)) fail('E_MODEL_INVALID', `${where}: weights '${w.name}' need one scale or ${n}`);
  const xq = quantOf(a, 'input');
  const rq = requantizer(fullyConnectedScales(xq.scale, wq.scale, quantOf(y, 'output').scale), y, attrs.clamp, 'output');
  // The weights' zero point applies per tensor only (TFLite keeps it for old models; per channel it is 0).
  const wOffset = wq.scale.length === 1 ? -(wq.zeroPoint[0] ?? 0) : 0;
  const bias = c?.data;
  if (bias && bias.length !== n) fail('E_UNSUPPORTED_ATTR', `${where}: the bias needs ${n} values, '${c!.name}' has ${bias.length}`);
  const wide = a.dtype === 'int16' && (!c || c.dtype === 'int64');
  const rows = weightRows(W, attrs.transB, k, n, wOffset);
  const xs = new Float64Array(k);
  const out = a.dtype === 'int16' ? new Int16Array(m * n) : new Int8Array(m * n);
  const { multipliers, zeroPoint, min, max } = rq;
  const inOffset = -xq.zeroPoint;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) xs[p] = A[i * k + p] + inOffset;
    for (let j = 0; j < n; j++) {
      let acc = 0;
      const base = j * k;
      for (let p = 0; p < k; p++) acc += rows[base + p] * xs[p];
      const q = multipliers.length === 1 ? multipliers[0] : multipliers[j];
      let v: number;
      if (wide) {
        // int64 sum: exact in a double (|acc| < 2^53 for any K a model can hold).
        const sum = bias ? BigInt(acc) + (bias as BigInt64Array)[j] : BigInt(acc);
        v = multiplyByQuantizedMultiplier64(sum, q.multiplier, q.shift);
      } else {
        const sum = (acc + (bias ? Number(bias[j]) : 0)) | 0;
        v = multiplyByQuantizedMultiplierFast(sum, q.multiplier, q.shift);
      }
      v += zeroPoint;
      out[i * n + j] = v < min ? min : v > max ? max : v;
    }
  }
  return [out];
}
