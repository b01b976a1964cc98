/**
 * ONNX Resize / Upsample source coordinates, one spatial axis at a time, with onnxruntime's float32
 * arithmetic (onnxruntime/core/providers/cpu/tensor/upsamplebase.h, upsample.cc): what the lowering turns
 * into constant tables (./index.ts) and the run-time reference (./reference.ts) reads.
 *
 * Output index x along an axis of `inSize` → `outSize` with scale s (the model's scale, or out / in in
 * float32 when sizes are given) maps to the source position
 *   half_pixel            (x + 0.5) / s − 0.5
 *   half_pixel_symmetric  c (1 − out / (s · in)) + (x + 0.5) / s − 0.5,  c = in / 2
 *   pytorch_half_pixel    (x + 0.5) / s − 0.5, or 0 when length_resized = 1
 *   align_corners         x (in − 1) / (length_resized − 1), or 0 when length_resized = 1
 *                         (length_resized: out from sizes, in · s unrounded from scales)
 *   asymmetric            x / s                  (the only mode before opset 11)
 *   tf_half_pixel_for_nn  (x + 0.5) / s          (opset 11)
 *   tf_crop_and_resize    start (in − 1) + x (end − start)(in − 1) / (out − 1), or (start + end)(in − 1) / 2
 *                         when out = 1; a position outside [0, in − 1] reads `extrapolation` instead.
 * and then, per mode (K taps per output index, `index` −1 in the first tap = outside, extrapolated):
 *   nearest (K = 1)  round_prefer_floor, round_prefer_ceil (halves away from zero), floor, ceil, or
 *                    'simple' (opset < 11: ceil when downsampling, else truncation), clamped to [0, in − 1];
 *   linear (K = 2)   the position clamped to [0, in − 1], i0 = its integer part, i1 = min(i0 + 1, in − 1),
 *                    weights 1 − d and d (d = position − i0);
 *   cubic (K = 4)    i = floor(position), t = position − i, taps i − 1 … i + 2 clamped to the edge, Keys'
 *                    weights with coefficient A; with exclude_outside the taps outside the image get weight
 *                    0 and the others are divided by their sum.
 */

export type CoordinateMode =
  | 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric'
  | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
export type InterpolationMode = 'nearest' | 'linear' | 'cubic';

export const COORDINATE_MODES: readonly CoordinateMode[] = [
  'half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize',
];
export const NEAREST_MODES: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** ONNX coordinate semantics of one resize node, per spatial axis [H, W] of the NHWC operator. */
export interface OnnxResizeSpec {
  coordinate: CoordinateMode;
  nearest: NearestMode;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  /** Scales of H and W (float32). */
  scales: [number, number];
  /**
   * length_resized of H and W in the align_corners and pytorch_half_pixel formulas: the output size when
   * sizes are given, in · scale (not rounded: the ONNX reference, which the conformance data follows;
   * onnxruntime takes the rounded output size) when scales are.
   */
  resized: [number, number];
  /** tf_crop_and_resize region: [startH, startW, endH, endW] in normalized coordinates. */
  roi: [number, number, number, number];
}

const fr = Math.fround;

/** The source position of output index x (float32 as onnxruntime computes it). */
export function sourcePosition(s: OnnxResizeSpec, axis: 0 | 1, x: number, inSize: number, outSize: number): number {
  const scale = fr(s.scales[axis]);
  const resized = s.resized[axis];
  switch (s.coordinate) {
    case 'asymmetric':
      return fr(x / scale);
    case 'pytorch_half_pixel':
      return resized > 1 ? fr(fr(fr(x + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return fr(fr(x + 0.5) / scale);
    case 'align_corners':
      return resized === 1 ? 0 : fr(fr(x * (inSize - 1)) / fr(resized - 1));
    case 'tf_crop_and_resize': {
      const start = fr(s.roi[axis]);
      const end = fr(s.roi[axis + 2]);
      if (outSize <= 1) return fr(0.5 * fr(start + end) * (inSize - 1));
      return fr(fr(start * (inSize - 1)) + fr(fr(fr(x * fr(end - start)) * (inSize - 1)) / (outSize - 1)));
    }
    case 'half_pixel_symmetric': {
      const adjustment = fr(outSize / fr(scale * inSize));
      const offset = fr(fr(inSize / 2) * fr(1 - adjustment));
      return fr(offset + (x + 0.5) / scale - 0.5);
    }
    default:
      return fr(fr(fr(x + 0.5) / scale) - 0.5);
  }
}

function nearestIndex(mode: NearestMode, v: number, downsampling: boolean): number {
  switch (mode) {
    case 'simple':
      return downsampling ? Math.ceil(v) : Math.trunc(v);
    case 'round_prefer_ceil':
      return v < 0 ? -Math.round(-v) : Math.round(v);
    case 'floor':
      return Math.floor(v);
    case 'ceil':
      return Math.ceil(v);
    default:
      if (v === Math.trunc(v) + 0.5) return Math.floor(v);
      return v < 0 ? -Math.round(-v) : Math.round(v);
  }
}

/** Keys' cubic weights of the taps at offsets −1, 0, 1, 2 from floor(position), t in [0, 1). */
function cubicWeights(t: number, a: number): number[] {
  const far = (d: number) => fr(fr(fr(fr(fr(fr(a * d) - 5 * a) * d) + 8 * a) * d) - 4 * a);
  const near = (d: number) => fr(fr(fr(fr(fr((a + 2) * d) - (a + 3)) * d) * d) + 1);
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

export interface AxisTaps {
  /** Taps per output index. */
  taps: number;
  /** taps × out source indices; the first of an output's taps is −1 when it reads the extrapolation value. */
  index: Int32Array;
  /** taps × out float32 weights. */
  weight: Float32Array;
}

/** The taps of every output index along one axis. */
export function axisTaps(s: OnnxResizeSpec, mode: InterpolationMode, axis: 0 | 1, inSize: number, outSize: number): AxisTaps {
  const taps = mode === 'nearest' ? 1 : mode === 'linear' ? 2 : 4;
  const index = new Int32Array(taps * outSize);
  const weight = new Float32Array(taps * outSize);
  const last = inSize - 1;
  for (let x = 0; x < outSize; x++) {
    const v = sourcePosition(s, axis, x, inSize, outSize);
    const at = x * taps;
    if (s.coordinate === 'tf_crop_and_resize' && (v < 0 || v > last)) {
      index.fill(-1, at, at + taps);
      continue;
    }
    if (mode === 'nearest') {
      index[at] = Math.min(Math.max(nearestIndex(s.nearest, v, s.scales[axis] < 1), 0), last);
      weight[at] = 1;
    } else if (mode === 'linear') {
      const c = Math.min(Math.max(v, 0), last);
      const i0 = Math.min(Math.trunc(c), last);
      const i1 = Math.min(i0 + 1, last);
      const d = i0 === i1 ? 0.5 : fr(c - i0);
      index[at] = i0;
      index[at + 1] = i1;
      weight[at] = i0 === i1 ? 0.5 : fr(1 - d);
      weight[at + 1] = d;
    } else {
      const i = Math.floor(v);
      const w = cubicWeights(fr(v - i), fr(s.cubicA));
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        const j = i - 1 + k;
        const inside = j >= 0 && j <= last;
        if (s.excludeOutside && !inside) w[k] = 0;
        sum += w[k];
        index[at + k] = Math.min(Math.max(j, 0), last);
      }
      for (let k = 0; k < 4; k++) weight[at + k] = s.excludeOutside ? fr(w[k] / sum) : w[k];
    }
  }
  return { taps, index, weight };
}
