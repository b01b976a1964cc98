/**
 * Run-time reference semantics (src/reference/) of resize_nearest and resize_bilinear on NHWC tensors,
 * from TensorFlow Lite's reference kernels (resize_nearest_neighbor.h, resize_bilinear.h at TFLite Micro
 * 90b983c2), independent of the lowering's tables (./index.ts) and of the C kernels:
 *
 * - nearest (any element type: values are copied): source index of output i along an axis is
 *   min(round((i + offset) · scale) with align_corners, else floor(...), in − 1), at least 0 with
 *   half_pixel_centers; scale = in / out, or (in − 1) / (out − 1) with align_corners and out > 1, all in
 *   float32 as TFLite computes it.
 * - bilinear float: the source position (i · scale, or (i + 0.5) · scale − 0.5 with half_pixel_centers)
 *   in float32 as TFLite computes it, its floor (≥ 0) and ceiling (≤ in − 1), and the four-term weighted
 *   sum in the interpreter's precision.
 * - bilinear int8 (ResizeBilinearInteger): scales in 1/1024 units, rounded (((1024 · in + out / 2) / out,
 *   integer division), positions in 1/1024 units (minus 512 plus half a scale with half_pixel_centers),
 *   the four products in units of 2^-20 summed exactly and divided by 2^20, rounding half away from zero.
 */

import { allocData } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { TensorType } from '../op.js';
import { axisTaps } from './onnx-coords.js';
import type { InterpolationMode, OnnxResizeSpec } from './onnx-coords.js';

export interface ResizeFlags {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const fr = Math.fround;

function scale32(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? fr((inSize - 1) / (outSize - 1)) : fr(inSize / outSize);
}

/** TFLite's GetNearestNeighbor for every output index along one axis. */
function nearestSources(inSize: number, outSize: number, a: ResizeFlags): Int32Array {
  const scale = scale32(inSize, outSize, a.alignCorners);
  const offset = a.halfPixelCenters ? 0.5 : 0;
  const src = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = fr(fr(i + offset) * scale);
    const k = a.alignCorners ? (v < 0 ? -Math.round(-v) : Math.round(v)) : Math.floor(v);
    src[i] = Math.max(a.halfPixelCenters ? 0 : -Infinity, Math.min(k, inSize - 1));
  }
  return src;
}

export function resizeNearestReference(x: { shape: number[]; data?: TensorData }, y: TensorType, a: ResizeFlags): TensorData {
  const [batch, inH, inW, ch] = x.shape;
  const [, outH, outW] = y.shape;
  const rows = nearestSources(inH, outH, a);
  const cols = nearestSources(inW, outW, a);
  const src = x.data!;
  const out = allocData(y.dtype, batch * outH * outW * ch);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      for (let c = 0; c < outW; c++) {
        const from = ((b * inH + rows[r]) * inW + cols[c]) * ch;
        for (let k = 0; k < ch; k++) (out as Float64Array)[o++] = (src as Float64Array)[from + k];
      }
    }
  }
  return out;
}

/** Float bilinear taps per output index: lower and upper source index and the float32 position. */
function floatTaps(inSize: number, outSize: number, a: ResizeFlags): { lo: Int32Array; hi: Int32Array; pos: Float64Array } {
  const scale = scale32(inSize, outSize, a.alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const pos = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = a.halfPixelCenters ? fr(fr(fr(i + 0.5) * scale) - 0.5) : fr(i * scale);
    pos[i] = v;
    lo[i] = Math.max(Math.floor(v), 0);
    hi[i] = Math.min(Math.ceil(v), inSize - 1);
  }
  return { lo, hi, pos };
}

/** Integer bilinear taps per output index: lower and upper source index and the position in 1/1024 units. */
function integerTaps(inSize: number, outSize: number, a: ResizeFlags): { lo: Int32Array; hi: Int32Array; pos: Int32Array } {
  const scale10 = a.alignCorners && outSize > 1
    ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
    : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const pos = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = a.halfPixelCenters ? i * scale10 + Math.trunc(scale10 / 2) - 512 : i * scale10;
    pos[i] = v;
    lo[i] = Math.max(Math.trunc(v / 1024), 0);
    hi[i] = Math.min(Math.trunc((v + 1023) / 1024), inSize - 1);
  }
  return { lo, hi, pos };
}

export function resizeBilinearReference(x: { shape: number[]; dtype: string; data?: TensorData }, y: TensorType, a: ResizeFlags): TensorData {
  const [batch, inH, inW, ch] = x.shape;
  const [, outH, outW] = y.shape;
  const src = x.data! as Float64Array;
  const out = allocData(y.dtype, batch * outH * outW * ch) as Float64Array;
  const at = (b: number, r: number, c: number) => ((b * inH + r) * inW + c) * ch;
  let o = 0;
  if (x.dtype === 'int8') {
    const rows = integerTaps(inH, outH, a);
    const cols = integerTaps(inW, outW, a);
    for (let b = 0; b < batch; b++) {
      for (let r = 0; r < outH; r++) {
        const dy = rows.pos[r] - 1024 * rows.lo[r];
        for (let c = 0; c < outW; c++) {
          const dx = cols.pos[c] - 1024 * cols.lo[c];
          const [p00, p10, p01, p11] = [at(b, rows.lo[r], cols.lo[c]), at(b, rows.hi[r], cols.lo[c]), at(b, rows.lo[r], cols.hi[c]), at(b, rows.hi[r], cols.hi[c])];
          for (let k = 0; k < ch; k++) {
            // |sum| < 2^7 · 2^22: exact in double.
            const sum = src[p00 + k] * (1024 - dy) * (1024 - dx) + src[p10 + k] * dy * (1024 - dx) + src[p01 + k] * (1024 - dy) * dx + src[p11 + k] * dy * dx;
            const q = Math.trunc((sum + (sum > 0 ? 2 ** 19 : -(2 ** 19))) / 2 ** 20);
            out[o++] = (q << 24) >> 24;
          }
        }
      }
    }
    return out;
  }
  const rows = floatTaps(inH, outH, a);
  const cols = floatTaps(inW, outW, a);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const dy = rows.pos[r] - rows.lo[r];
      for (let c = 0; c < outW; c++) {
        const dx = cols.pos[c] - cols.lo[c];
        const [p00, p10, p01, p11] = [at(b, rows.lo[r], cols.lo[c]), at(b, rows.hi[r], cols.lo[c]), at(b, rows.lo[r], cols.hi[c]), at(b, rows.hi[r], cols.hi[c])];
        for (let k = 0; k < ch; k++) {
          out[o++] = src[p00 + k] * (1 - dy) * (1 - dx) + src[p10 + k] * dy * (1 - dx) + src[p01 + k] * (1 - dy) * dx + src[p11 + k] * dy * dx;
        }
      }
    }
  }
  return out;
}

/**
 * ONNX Resize / Upsample (attrs.onnx): per output pixel the taps of its row and column from the ONNX
 * coordinate rules (./onnx-coords.ts: position, nearest rounding, linear clamping, Keys' cubic weights
 * with exclude_outside), an output outside the image = the extrapolation value, else the weighted sum
 * of the taps in the interpreter's precision. int8 (linear only, the QDQ form): `integerTaps` gives the
 * rounded 1/1024 weights, and the sum is TFLite's integer bilinear above.
 */
export function resizeOnnxReference(
  x: { shape: number[]; dtype: string; data?: TensorData },
  y: TensorType,
  spec: OnnxResizeSpec,
  mode: InterpolationMode,
  integerTaps: (axis: 0 | 1, inSize: number, outSize: number) => number[],
): TensorData {
  const [batch, inH, inW, ch] = x.shape;
  const [, outH, outW] = y.shape;
  const src = x.data! as Float64Array;
  const out = allocData(y.dtype, batch * outH * outW * ch) as Float64Array;
  const at = (b: number, r: number, c: number) => ((b * inH + r) * inW + c) * ch;
  let o = 0;
  if (x.dtype === 'int8' || x.dtype === 'uint8') {
    if (mode !== 'nearest') {
      const rt = integerTaps(0, inH, outH);
      const ct = integerTaps(1, inW, outW);
      const rows = { lo: Int32Array.from(rt.filter((_, i) => i % 3 === 0)), hi: Int32Array.from(rt.filter((_, i) => i % 3 === 1)), d: rt.filter((_, i) => i % 3 === 2) };
      const cols = { lo: Int32Array.from(ct.filter((_, i) => i % 3 === 0)), hi: Int32Array.from(ct.filter((_, i) => i % 3 === 1)), d: ct.filter((_, i) => i % 3 === 2) };
      for (let b = 0; b < batch; b++) {
        for (let r = 0; r < outH; r++) {
          for (let c = 0; c < outW; c++) {
            const [dy, dx] = [rows.d[r], cols.d[c]];
            const [p00, p10, p01, p11] = [at(b, rows.lo[r], cols.lo[c]), at(b, rows.hi[r], cols.lo[c]), at(b, rows.lo[r], cols.hi[c]), at(b, rows.hi[r], cols.hi[c])];
            for (let k = 0; k < ch; k++) {
              const sum = src[p00 + k] * (1024 - dy) * (1024 - dx) + src[p10 + k] * dy * (1024 - dx) + src[p01 + k] * (1024 - dy) * dx + src[p11 + k] * dy * dx;
              out[o++] = Math.trunc((sum + (sum > 0 ? 2 ** 19 : -(2 ** 19))) / 2 ** 20);
            }
          }
        }
      }
      return out;
    }
  }
  const rows = axisTaps(spec, mode, 0, inH, outH);
  const cols = axisTaps(spec, mode, 1, inW, outW);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      for (let c = 0; c < outW; c++) {
        const outside = rows.index[r * rows.taps] < 0 || cols.index[c * cols.taps] < 0;
        for (let k = 0; k < ch; k++) {
          let sum = 0;
          if (outside) sum = spec.extrapolation;
          else {
            for (let j = 0; j < cols.taps; j++) {
              for (let i = 0; i < rows.taps; i++) {
                const wi = rows.weight[r * rows.taps + i] * cols.weight[c * cols.taps + j];
                sum += wi * src[at(b, rows.index[r * rows.taps + i], cols.index[c * cols.taps + j]) + k];
              }
            }
          }
          out[o++] = sum;
        }
      }
    }
  }
  return out;
}
