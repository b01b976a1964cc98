/**
 * ONNX Resize / Upsample test models (tests/import/onnx-resize.test.ts): every case of one opset as one
 * output of one model, so each model compiles and runs once.
 *
 * - opset 19 (float32): x [2, 3, 5, 7] through nearest with each nearest_mode × each coordinate mode
 *   (each case upsamples one spatial axis and downsamples the other, from scales or sizes), linear and
 *   cubic in every coordinate mode, tf_crop_and_resize with a roi reaching outside the image and an
 *   extrapolation value, cubic with A = −0.5 and exclude_outside, axes [3, 2], keep_aspect_ratio_policy
 *   not_larger / not_smaller, a 1-pixel output; a 3-D input [2, 3, 9] and a 2-D one [6, 5].
 * - opset 11: tf_half_pixel_for_nn, scales with an empty roi, sizes with an empty scales.
 * - opset 10: Resize(X, scales) nearest and linear, up and down. Opsets 9 and 7: Upsample (scales input,
 *   scales attribute).
 * - QDQ (opset 19): int8 (and uint8) through QuantizeLinear → DequantizeLinear → Resize → QuantizeLinear, nearest
 *   (copies), linear with the same and another output quantization, and two float islands (cubic,
 *   tf_crop_and_resize nearest).
 * align_corners cases give sizes: with scales whose in · scale is not an integer, the ONNX reference (and
 * the compiler) take length_resized = in · scale where onnxruntime takes the rounded size.
 */

import { OnnxModelBuilder } from './onnx-build.js';
import type { AttrValue } from './onnx-build.js';
import { float, floats } from './onnx-build.js';

export interface ResizeCase {
  name: string;
  attrs: Record<string, AttrValue>;
  scales?: number[];
  sizes?: number[];
  roi?: number[];
  /** Input tensor name (default 'x'). */
  input?: string;
}

export const X_SHAPE = [2, 3, 5, 7];
export const X3_SHAPE = [2, 3, 9];
export const X2_SHAPE = [6, 5];

const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const COORDS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

/** Up on one axis and down on the other, from scales or sizes (sizes for align_corners: see above). */
function geometry(i: number, coord: string): { scales?: number[]; sizes?: number[] } {
  const byScales = coord !== 'align_corners' && i % 2 === 0;
  const shapes = [[8, 4], [3, 11], [9, 6], [2, 13]];
  const [h, w] = shapes[i % 4];
  if (!byScales) return { sizes: [2, 3, h, w] };
  const s = [[1.7, 0.6], [0.65, 1.6], [1.9, 0.9], [0.5, 2.0]][i % 4];
  return { scales: [1, 1, s[0], s[1]] };
}

export function opset19Cases(): ResizeCase[] {
  const cases: ResizeCase[] = [];
  let i = 0;
  for (const nearest of NEAREST) {
    for (const coord of COORDS) {
      cases.push({ name: `nearest_${nearest}_${coord}`, attrs: { mode: 'nearest', nearest_mode: nearest, coordinate_transformation_mode: coord }, ...geometry(i++, coord) });
    }
  }
  for (const mode of ['linear', 'cubic']) {
    for (const coord of COORDS) cases.push({ name: `${mode}_${coord}`, attrs: { mode, coordinate_transformation_mode: coord }, ...geometry(i++, coord) });
  }
  const crop = { roi: [0, 0, -0.2, 0.3, 1, 1, 0.9, 1.25], sizes: [2, 3, 6, 5] };
  for (const mode of ['nearest', 'linear', 'cubic']) {
    cases.push({ name: `${mode}_tf_crop_and_resize`, attrs: { mode, coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: float(-2.5) }, ...crop });
  }
  cases.push(
    { name: 'nearest_crop_axes_3_2', attrs: { mode: 'nearest', coordinate_transformation_mode: 'tf_crop_and_resize', axes: [3, 2] }, roi: [0.1, 0.2, 0.8, 0.7], sizes: [4, 3] },
    { name: 'cubic_a_exclude', attrs: { mode: 'cubic', cubic_coeff_a: float(-0.5), exclude_outside: 1 }, scales: [1, 1, 1.5, 0.75] },
    { name: 'cubic_exclude_down', attrs: { mode: 'cubic', exclude_outside: 1, coordinate_transformation_mode: 'asymmetric' }, sizes: [2, 3, 3, 4] },
    { name: 'nearest_axes_3_2', attrs: { mode: 'nearest', axes: [3, 2] }, scales: [0.45, 2.2] },
    { name: 'linear_axes_2_3_sizes', attrs: { mode: 'linear', axes: [2, 3] }, sizes: [7, 3] },
    { name: 'nearest_not_larger', attrs: { mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, sizes: [9, 9] },
    { name: 'linear_not_smaller', attrs: { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, sizes: [3, 3] },
    { name: 'linear_one_pixel', attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, sizes: [2, 3, 1, 1] },
    { name: 'rank3_linear', input: 'x3', attrs: { mode: 'linear' }, scales: [1, 1, 1.5] },
    { name: 'rank3_nearest', input: 'x3', attrs: { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'asymmetric' }, sizes: [2, 3, 4] },
    { name: 'rank2_linear', input: 'x2', attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, sizes: [4, 9] },
    { name: 'rank2_cubic', input: 'x2', attrs: { mode: 'cubic' }, scales: [1.5, 0.8] },
  );
  return cases;
}

/** One Resize node per case (opset ≥ 11 input order: X, roi, scales, sizes). */
export function buildResizeModel(opset: number, cases: ResizeCase[]): Uint8Array {
  const b = new OnnxModelBuilder({ opset, irVersion: opset >= 19 ? 9 : 8 });
  b.input('x', 'float32', X_SHAPE);
  if (cases.some((c) => c.input === 'x3')) b.input('x3', 'float32', X3_SHAPE);
  if (cases.some((c) => c.input === 'x2')) b.input('x2', 'float32', X2_SHAPE);
  for (const c of cases) {
    const roi = c.roi ? b.initializer(`${c.name}_roi`, 'float32', [c.roi.length], c.roi) : opset < 13 ? b.initializer(`${c.name}_roi`, 'float32', [0], []) : '';
    const scales = c.scales ? b.initializer(`${c.name}_scales`, 'float32', [c.scales.length], c.scales) : opset < 13 ? b.initializer(`${c.name}_noscales`, 'float32', [0], []) : '';
    const inputs = [c.input ?? 'x', roi, scales];
    if (c.sizes) inputs.push(b.initializer(`${c.name}_sizes`, 'int64', [c.sizes.length], c.sizes.map(BigInt)));
    b.node('Resize', inputs, c.attrs, { name: c.name, outputs: [c.name] });
    b.output(c.name, 'float32');
  }
  return b.encode();
}

export function opset11Cases(): ResizeCase[] {
  return [
    { name: 'nearest_tf_half_pixel_for_nn', attrs: { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' }, scales: [1, 1, 1.6, 0.7] },
    { name: 'nearest_ceil_sizes', attrs: { mode: 'nearest', nearest_mode: 'ceil' }, sizes: [2, 3, 8, 3] },
    { name: 'linear_asymmetric', attrs: { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, scales: [1, 1, 0.6, 1.5] },
    { name: 'cubic_half_pixel', attrs: { mode: 'cubic' }, sizes: [2, 3, 7, 9] },
  ];
}

/** Resize 10 (X, scales) or Upsample 9 (X, scales) / 7 (scales attribute): nearest and linear. */
export function buildLegacyModel(op: 'Resize' | 'Upsample', opset: number): { bytes: Uint8Array; names: string[] } {
  const b = new OnnxModelBuilder({ opset });
  b.input('x', 'float32', X_SHAPE);
  const scales = op === 'Resize'
    ? [[1, 1, 2, 3], [1, 1, 0.5, 0.6], [1, 1, 1.5, 0.75], [1, 1, 0.8, 2.4]]
    : [[1, 1, 2, 3], [1, 1, 1.5, 1.25]];
  const names: string[] = [];
  for (const mode of ['nearest', 'linear']) {
    scales.forEach((s, k) => {
      const name = `${op}_${mode}_${k}`;
      if (opset < 9) b.node(op, ['x'], { mode, scales: floats(s) }, { name, outputs: [name] });
      else b.node(op, ['x', b.initializer(`${name}_scales`, 'float32', [4], s)], { mode }, { name, outputs: [name] });
      b.output(name, 'float32');
      names.push(name);
    });
  }
  return { bytes: b.encode(), names };
}

/** int8 (or uint8) QDQ: q(x) → dq → Resize → q; outputs int8 (uint8). */
export function buildQdqModel(type: 'int8' | 'uint8' = 'int8'): Uint8Array {
  const zero = type === 'int8' ? 0 : 128;
  const b = new OnnxModelBuilder({ opset: 19, irVersion: 9 });
  b.input('x', 'float32', X_SHAPE);
  const sIn = b.initializer('s_in', 'float32', [], [0.03]);
  const zIn = b.initializer('z_in', type, [], [zero + 5]);
  const sOut = b.initializer('s_out', 'float32', [], [0.045]);
  const zOut = b.initializer('z_out', type, [], [zero - 7]);
  const [xq] = b.node('QuantizeLinear', ['x', sIn, zIn], {}, { outputs: ['xq'] });
  const [xd] = b.node('DequantizeLinear', [xq, sIn, zIn], {}, { outputs: ['xd'] });
  const cases: (ResizeCase & { out: 'same' | 'other' })[] = [
    { name: 'q_nearest_half_pixel', attrs: { mode: 'nearest' }, scales: [1, 1, 1.7, 0.6], out: 'same' },
    { name: 'q_nearest_floor_align', attrs: { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'align_corners' }, sizes: [2, 3, 3, 10], out: 'other' },
    { name: 'q_linear_half_pixel', attrs: { mode: 'linear' }, scales: [1, 1, 1.6, 0.65], out: 'same' },
    { name: 'q_linear_pytorch', attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, sizes: [2, 3, 9, 4], out: 'other' },
    { name: 'q_linear_align', attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, sizes: [2, 3, 4, 13], out: 'same' },
    { name: 'q_cubic', attrs: { mode: 'cubic' }, scales: [1, 1, 1.5, 1.3], out: 'same' },
    { name: 'q_nearest_crop', attrs: { mode: 'nearest', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: float(0.5) }, roi: [0, 0, -0.1, 0.2, 1, 1, 1.2, 0.9], sizes: [2, 3, 6, 6], out: 'same' },
  ];
  for (const c of cases) {
    const roi = c.roi ? b.initializer(`${c.name}_roi`, 'float32', [c.roi.length], c.roi) : '';
    const scales = c.scales ? b.initializer(`${c.name}_scales`, 'float32', [4], c.scales) : '';
    const inputs = [xd, roi, scales];
    if (c.sizes) inputs.push(b.initializer(`${c.name}_sizes`, 'int64', [4], c.sizes.map(BigInt)));
    const [y] = b.node('Resize', inputs, c.attrs, { name: c.name, outputs: [`${c.name}_f`] });
    const [s, z] = c.out === 'same' ? [sIn, zIn] : [sOut, zOut];
    b.node('QuantizeLinear', [y, s, z], {}, { outputs: [c.name] });
    b.output(c.name, type);
  }
  return b.encode();
}
