/**
 * Run-time reference semantics (src/reference/) of the reductions reduce_mean, reduce_sum, reduce_max
 * and reduce_min for every type their kernels take, from TensorFlow Lite Micro's reference kernels
 * (reduce_common.cc and reference/reduce.h at 90b983c2), independent of the lowering (./s8.ts,
 * src/ops/reduce/) and the C kernels:
 *
 * - float (float32 or its float64 form): sums and means in double; max / min compare with `>` / `<`
 *   from −∞ / +∞ (a NaN never replaces the current value, as in TFLite's comparison).
 * - int8 / int16 MEAN and SUM (QuantizedMeanOrSum): the int32 sum of the stored values minus
 *   zero_point · count, then MultiplyByQuantizedMultiplier by QuantizeMultiplier(input_scale /
 *   output_scale) — for the mean with 1/count folded in: shifted left by s = min(floor(log2 count), 32,
 *   31 + shift), divided by count with truncation, s taken off the shift — plus the output zero point,
 *   saturated to the type.
 * - int8 MAX / MIN: the stored values compared (TFLite requires the output quantized as the input, and
 *   fails otherwise: so does this).
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import { elementCount } from '../../ir/graph.js';
import type { Node, Quant, Tensor } from '../../ir/graph.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../ir/quant.js';
import type { TensorType } from '../op.js';

export type ReduceKind = 'mean' | 'sum' | 'max' | 'min';

/** The output index of every input element (row-major) of a reduction over `axes` (kept dims in order). */
export function reducedIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  const rank = shape.length;
  const reduced = shape.map((_, d) => axes.includes(d));
  // Output strides of the kept dims (0 for reduced ones).
  const outStride = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!reduced[d]) {
      outStride[d] = s;
      s *= shape[d];
    }
  }
  const count = elementCount(shape);
  const index = new Int32Array(count);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < count; i++) {
    index[i] = o;
    for (let d = rank - 1; d >= 0; d--) {
      o += outStride[d];
      if (++idx[d] < shape[d]) break;
      o -= outStride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return index;
}

function perTensor(t: { name: string; quant?: Quant }, where: string): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${where}: an integer reduction needs per-tensor quantized tensors ('${t.name}')`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
}

const RANGE: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], int16: [-32768, 32767] };

/** TFLite's QuantizedMeanOrSum on int8 / int16 values. */
function quantizedMeanOrSum(kind: 'mean' | 'sum', x: Tensor, y: TensorType, axes: readonly number[], where: string): TensorData {
  const range = RANGE[x.dtype];
  if (!range || y.dtype !== x.dtype) fail('E_UNSUPPORTED_TYPE', `${where}: reduce_${kind} of ${x.dtype} to ${y.dtype}`);
  const qx = perTensor(x, where);
  const qy = perTensor({ name: 'output', quant: y.quant }, where);
  const data = x.data as Int8Array | Int16Array;
  const index = reducedIndex(x.shape, axes);
  const outCount = elementCount(y.shape);
  const sums = new Int32Array(outCount);
  for (let i = 0; i < data.length; i++) sums[index[i]] += data[i];
  const count = elementCount(axes.map((a) => x.shape[a]));
  let { multiplier, shift } = quantizeMultiplier(qx.scale / qy.scale);
  if (kind === 'mean' && count > 0) {
    let s = Math.floor(Math.log2(count));
    if (2 ** s > count) s--;
    if (2 ** (s + 1) <= count) s++;
    s = Math.min(s, 32, 31 + shift);
    multiplier = Number((BigInt(multiplier) << BigInt(s)) / BigInt(count));
    shift -= s;
  }
  const out = allocData(y.dtype, outCount) as Int8Array | Int16Array;
  if (count === 0) return out;
  const offset = qx.zeroPoint * count;
  const [lo, hi] = range;
  for (let o = 0; o < outCount; o++) {
    const v = multiplyByQuantizedMultiplier((sums[o] - offset) | 0, multiplier, shift) + qy.zeroPoint;
    out[o] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}

/** The reference of reduce_`kind` over `axes` (normalised, distinct) for input `x` and output type `y`. */
export function reduceReference(kind: ReduceKind, node: Node<unknown>, axes: readonly number[], x: Tensor, y: TensorType): TensorData {
  const where = describeNode(node.source);
  const float = x.dtype === 'float32' || x.dtype === 'float64';
  if (!float && x.quant && (kind === 'mean' || kind === 'sum')) return quantizedMeanOrSum(kind, x, y, axes, where);
  if (!float && x.quant) {
    const qx = perTensor(x, where);
    const qy = perTensor({ name: 'output', quant: y.quant }, where);
    if (qx.scale !== qy.scale || qx.zeroPoint !== qy.zeroPoint) {
      fail('E_UNSUPPORTED_ATTR', `${where}: ${x.dtype} reduce_${kind} needs the output quantized as the input (scales ${qx.scale}, ${qy.scale}; zero points ${qx.zeroPoint}, ${qy.zeroPoint})`);
    }
  }
  // int64 (constant shape arithmetic only): as numbers, exact below 2^53.
  const data = x.data instanceof BigInt64Array ? Float64Array.from(x.data, Number) : (x.data as Exclude<TensorData, BigInt64Array>);
  const index = reducedIndex(x.shape, axes);
  const outCount = elementCount(y.shape);
  const acc = new Float64Array(outCount).fill(kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0);
  if (kind === 'max') {
    for (let i = 0; i < data.length; i++) if (data[i] > acc[index[i]]) acc[index[i]] = data[i];
  } else if (kind === 'min') {
    for (let i = 0; i < data.length; i++) if (data[i] < acc[index[i]]) acc[index[i]] = data[i];
  } else {
    for (let i = 0; i < data.length; i++) acc[index[i]] += data[i];
  }
  if (kind === 'mean') {
    const count = elementCount(axes.map((a) => x.shape[a]));
    for (let o = 0; o < outCount; o++) acc[o] = float ? acc[o] / count : Math.trunc(acc[o] / count);
  }
  const out = allocData(y.dtype, outCount);
  if (out instanceof BigInt64Array) acc.forEach((v, o) => (out[o] = BigInt(v)));
  else out.set(acc);
  return out;
}
