/**
 * conv2d's run-time reference semantics (src/reference/), written from TensorFlow Lite's reference kernels
 * and the ONNX Conv spec — not from the C kernels or the lowering in this folder, so a bug there shows up
 * as a difference.
 *
 *   float (float32, computed in float64 by the interpreter): y = clamp(Σ w · x over the taps inside the
 *     input + bias) — ONNX Conv / TFLite reference_ops::Conv and DepthwiseConv (padding adds nothing);
 *   int8 (reference_integer_ops::ConvPerChannel, DepthwiseConvPerChannel): acc = Σ w · (x − zp_x) over the
 *     taps inside the input + bias (int32), y = clamp(MultiplyByQuantizedMultiplier(acc, m[c], s[c]) + zp_y)
 *     with m, s = QuantizeMultiplier(double(s_x) · double(s_w[c]) / double(s_y)) (per-tensor weights: the
 *     same scale for every channel) and the clamp the fused activation's int8 range;
 *   int16 (16x8): no input or output offset; an int64 bias or none (TFLite Micro's default bias type):
 *     an int64 sum and the 64-bit MultiplyByQuantizedMultiplier (multiplier rounded to 16 bits); an int32
 *     bias: an int32 sum and the 32-bit one.
 * Grouped and depthwise convolutions are the same loop: output channel oc reads the input channels of its
 * group, oc / (C_out / groups); a depthwise layer (TFLite's depth multiplier dm) is groups = C_in with
 * weights [C_in · dm, KH, KW, 1], so output channel ic · dm + m reads input channel ic, as TFLite's.
 *
 * Speed: per output pixel the window is gathered once into a patch (padding as 0, int8 values with the
 * input offset added), then every output channel is one dot product over its group's part of the patch.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Node, Quant, Tensor } from '../../ir/graph.js';
import { multiplyByQuantizedMultiplier64, quantizeMultiplier, quantizedActivationRange, roundingDivideByPOT } from '../../ir/quant.js';
import type { Clamp, ReferenceContext, TensorType } from '../op.js';
import type { Conv2dAttrs } from './index.js';

// ---------------------------------------------------------------------------------------------------
// Requantization without BigInt

/** Per-channel requantization parameters, prepared once per call. */
export interface Requant {
  multiplier: Int32Array;
  /** The multiplier's high and low 16 bits (for the exact split product). */
  high: Float64Array;
  low: Float64Array;
  shift: Int32Array;
}

/** QuantizeMultiplier(double(inputScale) · double(scale[c]) / double(outputScale)) for each of `channels`. */
export function prepareRequant(inputScale: number, scales: readonly number[], outputScale: number, channels: number): Requant {
  const r: Requant = { multiplier: new Int32Array(channels), high: new Float64Array(channels), low: new Float64Array(channels), shift: new Int32Array(channels) };
  for (let c = 0; c < channels; c++) {
    const q = quantizeMultiplier((inputScale * scales[scales.length === 1 ? 0 : c]) / outputScale);
    r.multiplier[c] = q.multiplier;
    r.high[c] = Math.floor(q.multiplier / 65536);
    r.low[c] = q.multiplier - r.high[c] * 65536;
    r.shift[c] = q.shift;
  }
  return r;
}

/**
 * TFLite's MultiplyByQuantizedMultiplier(x, m, shift) (src/ir/quant.ts's BigInt version, bit for bit) on
 * doubles: x · 2^left wraps to int32 as in C; the 62-bit product x · m is split as x · m_high · 2^16 +
 * x · m_low, both exact in a double, and SaturatingRoundingDoublingHighMul's truncating division by 2^31
 * is done on the recombined halves (m ≥ 0, so the saturating case INT32_MIN · INT32_MIN cannot occur).
 */
export function requantize(x: number, r: Requant, c: number): number {
  const shift = r.shift[c];
  const a = shift > 0 ? x << shift : x | 0;
  const m = r.multiplier[c];
  const nudge = a >= 0 || m === 0 ? 1073741824 : -1073741823;
  const q = a * r.low[c] + nudge;
  const qHigh = Math.floor(q / 65536);
  const n = a * r.high[c] + qHigh;
  let h = Math.floor(n / 32768);
  // Truncation toward zero: a negative quotient that is not whole rounds up.
  if (n < 0 && (q - qHigh * 65536 !== 0 || h * 32768 !== n)) h += 1;
  return shift > 0 ? h : roundingDivideByPOT(h, -shift);
}

// ---------------------------------------------------------------------------------------------------
// Shared pieces

/** The quantization of an int8/int16 tensor, or a clear error naming the node. */
export function requireQuant(t: Tensor | TensorType, node: Node<unknown>, what: string): Quant {
  if (!t.quant || t.quant.scale.length === 0) fail('E_MODEL_INVALID', `${describeNode(node.source)}: the ${t.dtype} ${what} has no quantization parameters`);
  return t.quant;
}

/** The fused activation's range in the output's integer type (TFLite's CalculateActivationRangeQuantized). */
export function activationRange(clamp: Clamp | undefined, q: Quant, dtype: string): { min: number; max: number } {
  const [lo, hi] = dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  return quantizedActivationRange(clamp, q.scale[0], q.zeroPoint[0], lo, hi);
}

/** A bias (or none) as doubles: int32, int64 (exact below 2^53) or float. */
export function biasValues(bias: Tensor | undefined, channels: number): Float64Array {
  const out = new Float64Array(channels);
  if (!bias) return out;
  const data = bias.data!;
  for (let c = 0; c < channels; c++) out[c] = Number(data[c]);
  return out;
}

/** Weights as doubles, converted once per weight array (constants keep their array from run to run). */
const weightCache = new WeakMap<TensorData, Float64Array>();

export function weightValues(data: TensorData): Float64Array {
  if (data instanceof Float64Array) return data;
  let out = weightCache.get(data);
  if (!out) {
    out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    weightCache.set(data, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The convolution

/** The window geometry of one call. */
interface Geometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  /** Input channels per group. */
  groupC: number;
  /** Output channels per group. */
  groupOut: number;
}

/**
 * Σ_taps w[oc] · (x + offset) + bias[oc] for every output element (NHWC). The sums are exact in doubles
 * for integer data (|acc| < 2^53); float sums are in double.
 */
function convolve(attrs: Conv2dAttrs, g: Geometry, x: TensorData, w: Float64Array, bias: Float64Array, offset: number): Float64Array {
  const { kh, kw, inH, inW, inC, groupC, groupOut } = g;
  const [sh, sw] = attrs.strides;
  const [dh, dw] = attrs.dilations;
  const [pt, pl] = attrs.pads;
  const taps = kh * kw;
  const patch = new Float64Array(taps * inC);
  const wStride = taps * groupC;
  const acc = new Float64Array(g.batch * g.outH * g.outW * g.outC);
  let out = 0;
  for (let b = 0; b < g.batch; b++) {
    const image = b * inH * inW * inC;
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        // The window as a patch [taps][C_in]: padding reads as 0 (it adds nothing to any sum).
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            const at = (ky * kw + kx) * inC;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
              patch.fill(0, at, at + inC);
            } else {
              const src = image + (iy * inW + ix) * inC;
              for (let c = 0; c < inC; c++) patch[at + c] = x[src + c] as number + offset;
            }
          }
        }
        for (let oc = 0; oc < g.outC; oc++) {
          const first = ((oc / groupOut) | 0) * groupC;
          let sum = bias[oc];
          let wi = oc * wStride;
          if (groupC === inC) {
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            let k = 0;
            for (; k + 3 < wStride; k += 4) {
              sum += w[wi + k] * patch[k];
              s1 += w[wi + k + 1] * patch[k + 1];
              s2 += w[wi + k + 2] * patch[k + 2];
              s3 += w[wi + k + 3] * patch[k + 3];
            }
            for (; k < wStride; k++) sum += w[wi + k] * patch[k];
            sum += s1 + s2 + s3;
          } else if (groupC === 1) {
            for (let t = 0, p = first; t < taps; t++, p += inC) sum += w[wi + t] * patch[p];
          } else {
            for (let t = 0; t < taps; t++) {
              const p = t * inC + first;
              for (let c = 0; c < groupC; c++) sum += w[wi++] * patch[p + c];
            }
          }
          acc[out++] = sum;
        }
      }
    }
  }
  return acc;
}

function geometry(x: Tensor, w: Tensor, y: TensorType, groups: number): Geometry {
  const [batch, inH, inW, inC] = x.shape;
  const [outC, kh, kw, groupC] = w.shape;
  return { batch, inH, inW, inC, outH: y.shape[1], outW: y.shape[2], outC, kh, kw, groupC, groupOut: outC / groups };
}

/** conv2d's `reference`: float (float32 or float64), int8, int16 (16x8). */
export function conv2dReference(ctx: ReferenceContext<Conv2dAttrs>): TensorData[] {
  const { attrs, node } = ctx;
  const [x, w, bias] = ctx.inputs as [Tensor, Tensor, Tensor | undefined];
  const y = ctx.outputs[0];
  return [convData(attrs, node, x, w, bias, y)];
}

/** The convolution's output data for inputs with `data` and output type `y` (shared with conv2d_add). */
export function convData(attrs: Conv2dAttrs, node: Node<unknown>, x: Tensor, w: Tensor, bias: Tensor | undefined, y: TensorType): TensorData {
  const g = geometry(x, w, y, attrs.groups);
  const { outC } = g;
  const out = allocData(y.dtype, g.batch * g.outH * g.outW * outC);
  const weights = weightValues(w.data!);
  const b = biasValues(bias, outC);
  if (x.dtype === 'float32' || x.dtype === 'float64') {
    const lo = attrs.clamp?.min ?? -Infinity;
    const hi = attrs.clamp?.max ?? Infinity;
    const acc = convolve(attrs, g, x.data!, weights, b, 0);
    const o = out as Float64Array | Float32Array;
    for (let i = 0; i < acc.length; i++) o[i] = acc[i] < lo ? lo : acc[i] > hi ? hi : acc[i];
    return out;
  }
  if (x.dtype !== 'int8' && x.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: conv2d of ${x.dtype} tensors has no reference semantics`);
  const qx = requireQuant(x, node, 'input');
  const qw = requireQuant(w, node, 'weights');
  const qy = requireQuant(y, node, 'output');
  const r = prepareRequant(qx.scale[0], qw.scale, qy.scale[0], g.outC);
  const { min, max } = activationRange(attrs.clamp, qy, y.dtype);
  const o = out as Int8Array | Int16Array;
  if (x.dtype === 'int8') {
    const zy = qy.zeroPoint[0];
    const acc = convolve(attrs, g, x.data!, weights, b, -qx.zeroPoint[0]);
    for (let i = 0, oc = 0; i < acc.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
      const v = requantize(acc[i] | 0, r, oc) + zy;
      o[i] = v < min ? min : v > max ? max : v;
    }
    return out;
  }
  // 16x8: no offsets; int64 (or no) bias: the 64-bit sum and requantization; int32 bias: the 32-bit ones.
  const wide = !bias || bias.dtype === 'int64';
  const acc = convolve(attrs, g, x.data!, weights, b, 0);
  for (let i = 0, oc = 0; i < acc.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
    const v = wide ? multiplyByQuantizedMultiplier64(acc[i], r.multiplier[oc], r.shift[oc]) : requantize(acc[i] | 0, r, oc);
    o[i] = v < min ? min : v > max ? max : v;
  }
  return out;
}
