/**
 * Run-time reference semantics of softmax (src/reference/), for every type its kernels take, written from
 * TensorFlow Lite's reference kernels (TFLite Micro 90b983c2: softmax_common.cc's Prepare,
 * reference_ops::Softmax and SoftmaxInt16) and independent of the lowering (src/ops/softmax/s8.ts,
 * s16.ts) and of the C kernels:
 *
 * - float (float32 or its float64 form): exp(beta · (x − max)) / Σ, in double (`evaluate`).
 * - int8 → int8 and int8 → int16: the gemmlowp fixed-point softmax. Prepare: PreprocessSoftmaxScaling
 *   (beta · input_scale · 2^26 as a multiplier greater than one), diff_min = −CalculateInputRadius(5,
 *   shift). Per line: diff = x − max; diffs below diff_min give the type's minimum; the others are
 *   rescaled (× 2^shift, doubling high multiply), exponentiated with 5 integer bits, summed with 12
 *   integer bits (each term rounded by 2^-12); the sum's reciprocal by 1/(1 + x) after normalizing
 *   (GetReciprocal); each output is exp · reciprocal divided by 2^(12 − headroom + 31 − bits) with
 *   rounding, plus the type's minimum, saturated.
 * - int16 → int16: Prepare's multiplier of input_scale · beta / (10 / 65535) (QuantizeMultiplier) and
 *   TFLite's two 513-entry tables (exp on [−10, 0], 1/(1 + x) on [0, 1]) built here by LUTPopulate's
 *   float32 arithmetic; per line the rescaled differences + 32767 look up exp with 7-bit interpolation,
 *   the sum is normalized and 1/(1 + x) looked up, and each output is exp · reciprocal >> (31 − headroom)
 *   with rounding, saturated to [0, 32767].
 */

import { describeNode, fail } from '../../diagnostics.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Node, Tensor } from '../../ir/graph.js';
import { expOnNegativeValues, oneOverOnePlusX, preprocessSoftmaxScaling, calculateInputRadius } from '../../ir/fixedpoint.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../../ir/quant.js';
import { elementCount } from '../../ir/graph.js';

interface View {
  outer: number;
  n: number;
  inner: number;
}

function viewOf(shape: readonly number[], axis: number): View {
  return { outer: elementCount(shape.slice(0, axis)), n: shape[axis], inner: elementCount(shape.slice(axis + 1)) };
}

function scaleOf(t: Tensor, node: Node<unknown>): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: integer softmax needs per-tensor quantized tensors ('${t.name}')`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
}

/** TFLite's int8 softmax into int8 (bits 8) or int16 (bits 16). */
export function softmaxS8Reference(x: Int8Array, view: View, beta: number, inputScale: number, bits: 8 | 16, where: string): TensorData {
  const m = preprocessSoftmaxScaling(Math.fround(beta), inputScale, 5);
  if (!m) fail('E_UNSUPPORTED_ATTR', `${where}: int8 softmax with beta ${beta} and input scale ${inputScale}: beta · scale · 2^26 must exceed 1 (TFLite's Prepare)`);
  const multiplier = m.multiplier;
  const pot = 2 ** m.shift;
  const diffMin = -calculateInputRadius(5, m.shift);
  const outMin = bits === 8 ? -128 : -32768;
  const outMax = bits === 8 ? 127 : 32767;
  const y = bits === 8 ? new Int8Array(x.length) : new Int16Array(x.length);
  const { outer, n, inner } = view;
  const exps = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -128;
      for (let j = 0; j < n; j++) max = Math.max(max, x[base + j * inner]);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const diff = x[base + j * inner] - max;
        if (diff >= diffMin) {
          const e = expOnNegativeValues(saturatingRoundingDoublingHighMul(diff * pot, multiplier), 5);
          exps[j] = e;
          sum = (sum + roundingDivideByPOT(e, 12)) | 0;
        }
      }
      // GetReciprocal(sum, 12 integer bits).
      const headroomPlusOne = Math.clz32(sum);
      const bitsOverUnit = 12 - headroomPlusOne;
      const shiftedSumMinusOne = ((sum * 2 ** headroomPlusOne) - 2 ** 31) | 0;
      const reciprocal = oneOverOnePlusX(shiftedSumMinusOne);
      const exponent = bitsOverUnit + 31 - bits;
      for (let j = 0; j < n; j++) {
        const diff = x[base + j * inner] - max;
        let v = outMin;
        if (diff >= diffMin) {
          const p = saturatingRoundingDoublingHighMul(reciprocal, exps[j]);
          v = (exponent > 31 ? 0 : roundingDivideByPOT(p, exponent)) + outMin;
          v = v < outMin ? outMin : v > outMax ? outMax : v;
        }
        y[base + j * inner] = v;
      }
    }
  }
  return y;
}

// ---------------------------------------------------------------------------------------------------
// int16: TFLite's tables (LUTPopulate<int16_t>, float32 arithmetic) and their interpolated lookup

const f = Math.fround;
/** TfLiteRound on a float32 value: half away from zero. */
const round32 = (v: number) => (v < 0 ? -Math.round(-v) : Math.round(v));

function populateTable(inScale: number, inZp: number, outScale: number, outZp: number, fn: (v: number) => number): Int16Array {
  const inMin = f(inScale * (-32768 - inZp));
  const inMax = f(inScale * (32767 - inZp));
  const outMin = f(outScale * (-32768 - outZp));
  const outMax = f(outScale * (32767 - outZp));
  const step = f(f(inMax - inMin) / 512);
  const halfStep = f(step / 2);
  const inv = f(65536 / f(outMax - outMin));
  const table = new Int16Array(513);
  const sat = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  for (let i = 0; i < 512; i++) {
    const at = f(inMin + f(i * step));
    const val = fn(at);
    const midpoint = fn(f(at + halfStep));
    const next = fn(f(inMin + f((i + 1) * step)));
    const sample = round32(f(val * inv));
    const interpolated = round32(f(f(f(next * inv) + sample) / 2));
    const bias = round32(f(f(interpolated - round32(f(midpoint * inv))) / 2));
    table[i] = sat(f(sample - bias));
  }
  table[512] = sat(round32(f(fn(inMax) * inv)));
  return table;
}

let tables: { exp: Int16Array; recip: Int16Array } | undefined;

/** TFLite Micro's softmax tables (the same for every int16 softmax), built once. */
function softmaxTables(): { exp: Int16Array; recip: Int16Array } {
  if (!tables) {
    const range = 65535;
    tables = {
      exp: populateTable(f(10 / range), 32767, f(2 / range), 0, (v) => f(Math.exp(v))),
      recip: populateTable(f(1 / range), -32768, f(2 / range), 0, (v) => f(1 / f(1 + v))),
    };
  }
  return tables;
}

/** TFLite's LUTLookup for int16: 9 bits index, 7 bits interpolate. */
function lookup(value: number, table: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = table[index];
  const slope = ((table[index + 1] - base) << 16) >> 16;
  return (((base + ((slope * offset + 64) >> 7)) << 16) >> 16);
}

/** TFLite's 16x8 int16 softmax (SoftmaxInt16). */
export function softmaxS16Reference(x: Int16Array, view: View, beta: number, inputScale: number): Int16Array {
  const m = quantizeMultiplier((inputScale * f(beta)) / (10 / 65535));
  const { exp, recip } = softmaxTables();
  const y = new Int16Array(x.length);
  const { outer, n, inner } = view;
  const exps = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -32768;
      for (let j = 0; j < n; j++) max = Math.max(max, x[base + j * inner]);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const scaled = multiplyByQuantizedMultiplier(x[base + j * inner] - max, m.multiplier, m.shift) + 32767;
        const e = lookup(scaled < -32768 ? -32768 : scaled > 32767 ? 32767 : scaled, exp);
        exps[j] = e;
        sum = (sum + e) | 0;
      }
      const headroomPlusOne = Math.clz32(sum);
      const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + 8192) / 16384);
      const sym = shiftedSum - (32768 + 65536);
      const reciprocal = lookup(sym < -32768 ? -32768 : sym > 32767 ? 32767 : sym, recip);
      const rightShift = 31 - headroomPlusOne;
      const round = 2 ** (rightShift - 1);
      for (let j = 0; j < n; j++) {
        const r = Math.floor((exps[j] * reciprocal + round) / 2 ** rightShift);
        y[base + j * inner] = r < 0 ? 0 : r > 32767 ? 32767 : r;
      }
    }
  }
  return y;
}

/** The integer paths of softmax's `reference`; undefined for float (the caller evaluates). */
export function softmaxIntegerReference(node: Node<unknown>, axis: number, beta: number | undefined, x: Tensor, y: { dtype: string }): TensorData | undefined {
  const where = describeNode(node.source);
  const view = viewOf(x.shape, axis);
  if (x.dtype === 'int8') {
    if (y.dtype !== 'int8' && y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: softmax from int8 to ${y.dtype}`);
    return softmaxS8Reference(x.data as Int8Array, view, beta ?? 1, scaleOf(x, node).scale, y.dtype === 'int8' ? 8 : 16, where);
  }
  if (x.dtype === 'int16') return softmaxS16Reference(x.data as Int16Array, view, beta ?? 1, scaleOf(x, node).scale);
  return undefined;
}
