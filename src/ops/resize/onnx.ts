/**
 * ONNX Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9) onto resize_nearest / resize_bilinear /
 * resize_cubic with ONNX coordinate semantics (`onnx` in their attributes, ./onnx-coords.ts).
 *
 * - Upsample 7: `scales` attribute; 9: `scales` input. Resize 10: X, scales. Resize 11+: X, roi, scales,
 *   sizes (exactly one of scales / sizes; 11 passes an empty scales with sizes). Every one of them
 *   must be a constant. Before opset 11 the coordinates are asymmetric and nearest picks as
 *   onnxruntime's Upsample did (ceil when downsampling, else truncation).
 * - Output size: floor(in · scale) in float32 from scales; from sizes the scale is out / in, and with
 *   keep_aspect_ratio_policy not_larger / not_smaller (opset 18) the smallest / largest of the resized
 *   axes' scales for all of them, the size round(in · scale). `axes` (18) names the axes scales, sizes
 *   and roi are given for; the others keep scale 1 and roi [0, 1].
 * - Layout: a 4-D input [N, C, H, W] resizes H and W (N and C must keep their size) through the NHWC
 *   operator between transposes (src/import/onnx/window.ts wrapNchw, which the layout pass cancels
 *   between convolutions); [N, C, L] resizes L as a [N, 1, L, C] image; [H, W] runs as [1, H, W, 1].
 * - Refused with E_UNSUPPORTED_ATTR: antialias=1, a resized batch or channel axis (or one of another
 *   rank), a roi moving an axis that is not resized, Upsample before opset 7 (the experimental form);
 *   invalid attribute values, and Resize before opset 10, are E_MODEL_INVALID.
 * - tf_crop_and_resize from scales sizes the output floor(in · scale), as onnxruntime does (the ONNX text
 *   says floor(in · (end − start) · scale)); the conformance tests give sizes.
 */

import type { ImportContext, OnnxImporter, OnnxNode } from '../op.js';
import { constantInput, hasInput, normalizeAxes } from '../../import/onnx/constants.js';
import { toNumbers } from '../../ir/dtype.js';
import { wrapNchw } from '../../import/onnx/window.js';
import { COORDINATE_MODES, NEAREST_MODES } from './onnx-coords.js';
import type { CoordinateMode, InterpolationMode, NearestMode, OnnxResizeSpec } from './onnx-coords.js';

const fr = Math.fround;
const OP_OF: Record<InterpolationMode, string> = { nearest: 'resize_nearest', linear: 'resize_bilinear', cubic: 'resize_cubic' };

interface Given {
  scales?: number[];
  sizes?: number[];
  roi?: number[];
}

/** A constant input as numbers; undefined when omitted or empty. */
function optionalConstant(node: OnnxNode, ctx: ImportContext, index: number, what: string): number[] | undefined {
  if (!hasInput(node, index)) return undefined;
  const data = constantInput(node, ctx, index, what)!;
  return data.length === 0 ? undefined : toNumbers(data);
}

function readGiven(node: OnnxNode, ctx: ImportContext): Given {
  if (node.opType === 'Upsample' && node.opset < 9) return { scales: node.attrs.floats('scales') };
  if (node.opset < 11) {
    const scales = optionalConstant(node, ctx, 1, 'scales');
    if (!scales) ctx.invalid(`the 'scales' input is missing`);
    return { scales };
  }
  const given: Given = {
    roi: optionalConstant(node, ctx, 1, 'roi'),
    scales: optionalConstant(node, ctx, 2, 'scales'),
    sizes: optionalConstant(node, ctx, 3, 'sizes'),
  };
  if (given.scales && given.sizes) ctx.invalid(`both 'scales' and 'sizes' are given (exactly one is allowed)`);
  if (!given.scales && !given.sizes) ctx.invalid(`neither 'scales' nor 'sizes' is given`);
  return given;
}

/** Values given for `axes` spread over all `rank` axes, `fill` elsewhere. */
function spread(values: number[], axes: number[], rank: number, fill: number): number[] {
  const full = new Array<number>(rank).fill(fill);
  axes.forEach((a, i) => (full[a] = values[i]));
  return full;
}

function readMode(node: OnnxNode, ctx: ImportContext): InterpolationMode {
  const mode = node.attrs.string('mode', 'nearest');
  if (mode === 'nearest' || mode === 'linear') return mode;
  if (mode === 'cubic' && node.opType === 'Resize' && node.opset >= 11) return mode;
  return ctx.invalid(`mode='${mode}' (expected nearest, linear${node.opType === 'Resize' && node.opset >= 11 ? ' or cubic' : ''})`);
}

function importResize(node: OnnxNode, ctx: ImportContext): void {
  if (node.opType === 'Resize' && node.opset < 10) ctx.invalid(`Resize does not exist before opset 10 (this model imports opset ${node.opset})`);
  if (node.opType === 'Upsample' && node.opset < 7) ctx.unsupported(`Upsample before opset 7 (the experimental height_scale / width_scale form)`);
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  if (rank < 2 || rank > 4) ctx.unsupported(`a rank-${rank} input (Resize takes 2-, 3- and 4-D inputs here)`);
  const mode = readMode(node, ctx);
  const modern = node.opType === 'Resize' && node.opset >= 11;
  const coordinate = (modern ? node.attrs.string('coordinate_transformation_mode', 'half_pixel') : 'asymmetric') as CoordinateMode;
  if (!COORDINATE_MODES.includes(coordinate) || (coordinate === 'tf_half_pixel_for_nn' && node.opset >= 13) || (coordinate === 'half_pixel_symmetric' && node.opset < 19)) {
    ctx.invalid(`coordinate_transformation_mode='${coordinate}' does not exist in opset ${node.opset}`);
  }
  const nearest = (modern ? node.attrs.string('nearest_mode', 'round_prefer_floor') : 'simple') as NearestMode;
  if (modern && !NEAREST_MODES.includes(nearest)) ctx.invalid(`nearest_mode='${nearest}'`);
  const excludeOutside = modern && node.attrs.int('exclude_outside', 0) !== 0;
  if (excludeOutside && mode !== 'cubic') ctx.invalid(`exclude_outside=1 with mode='${mode}' (cubic only)`);
  if (node.opset >= 18 && node.attrs.int('antialias', 0) !== 0) ctx.unsupported(`antialias=1 (the anti-aliasing filter is not implemented)`);
  const policy = node.opset >= 18 ? node.attrs.string('keep_aspect_ratio_policy', 'stretch') : 'stretch';
  if (!['stretch', 'not_larger', 'not_smaller'].includes(policy)) ctx.invalid(`keep_aspect_ratio_policy='${policy}'`);
  const axes = node.opset >= 18 && node.attrs.has('axes') ? normalizeAxes(ctx, node.attrs.ints('axes'), rank) : [...x.shape.keys()];

  const given = readGiven(node, ctx);
  const count = (v: number[], what: string) => {
    if (v.length !== axes.length) ctx.invalid(`${v.length} ${what} for ${axes.length} axes`);
  };
  let scales: number[];
  let out: number[];
  if (given.scales) {
    count(given.scales, 'scales');
    scales = spread(given.scales.map(fr), axes, rank, 1);
    if (scales.some((s) => !(s > 0) || !Number.isFinite(s))) ctx.invalid(`scales [${given.scales}] must be positive`);
    if (node.opType === 'Upsample' && scales.some((s) => s < 1)) ctx.invalid(`Upsample scales [${given.scales}] must be at least 1`);
    out = x.shape.map((d, i) => Math.trunc(fr(scales[i] * d)));
  } else {
    count(given.sizes!, 'sizes');
    out = spread(given.sizes!, axes, rank, -1).map((d, i) => (d === -1 ? x.shape[i] : d));
    if (out.some((d) => !Number.isInteger(d) || d < 1)) ctx.invalid(`sizes [${given.sizes}] must be positive`);
    scales = out.map((d, i) => fr(d / x.shape[i]));
    if (policy !== 'stretch') {
      const chosen = axes.map((a) => scales[a]);
      const s = policy === 'not_larger' ? Math.min(...chosen) : Math.max(...chosen);
      for (const a of axes) {
        scales[a] = s;
        out[a] = Math.round(fr(s * x.shape[a]));
      }
    }
  }
  if (out.some((d) => d < 1)) ctx.invalid(`the output shape [${out}] has an empty axis`);
  ctx.checkShape(x.dtype, out, 'the resized output');
  let roi = [...new Array<number>(rank).fill(0), ...new Array<number>(rank).fill(1)];
  if (coordinate === 'tf_crop_and_resize') {
    if (!given.roi) ctx.invalid(`tf_crop_and_resize needs the 'roi' input`);
    if (given.roi.length !== 2 * axes.length) ctx.invalid(`${given.roi.length} roi values for ${axes.length} axes (need ${2 * axes.length})`);
    roi = [...spread(given.roi.slice(0, axes.length), axes, rank, 0), ...spread(given.roi.slice(axes.length), axes, rank, 1)];
  }

  // Spatial axes of the NHWC operator: the last two (4-D, 2-D) or the last one (3-D).
  const spatial = rank === 3 ? [2] : [rank - 2, rank - 1];
  for (let a = 0; a < rank; a++) {
    if (spatial.includes(a)) continue;
    if (out[a] !== x.shape[a] || scales[a] !== 1) {
      ctx.unsupported(`resizing axis ${a} (scale ${scales[a]}, size ${x.shape[a]} → ${out[a]}): only the spatial axes ${spatial.join(' and ')} of a rank-${rank} input are resized`);
    }
    if (roi[a] !== 0 || roi[a + rank] !== 1) ctx.unsupported(`a roi [${roi[a]}, ${roi[a + rank]}] on axis ${a}, which is not resized`);
  }
  const [h, w] = rank === 3 ? [-1, 2] : spatial;
  const pick = (v: number[], a: number, fill: number) => (a < 0 ? fill : v[a]);
  const resized = (a: number) => (given.scales ? x.shape[a] * scales[a] : out[a]);
  const onnx: OnnxResizeSpec = {
    coordinate,
    nearest,
    cubicA: modern ? node.attrs.float('cubic_coeff_a', -0.75) : -0.75,
    excludeOutside,
    extrapolation: modern ? node.attrs.float('extrapolation_value', 0) : 0,
    scales: [pick(scales, h, 1), pick(scales, w, 1)],
    resized: [h < 0 ? 1 : resized(h), resized(w)],
    roi: [pick(roi, h, 0), roi[w], pick(roi, h < 0 ? -1 : h + rank, 1), roi[w + rank]],
  };
  const attrs = { size: [pick(out, h, 1), out[w]], alignCorners: false, halfPixelCenters: false, onnx };
  const op = OP_OF[mode];
  if (rank === 2) {
    const image = ctx.add('reshape', [node.inputs[0]], { shape: [1, x.shape[0], x.shape[1], 1] })[0];
    const y = ctx.add(op, [image], attrs)[0];
    ctx.add('reshape', [y], { shape: out }, node.outputs.slice(0, 1));
    return;
  }
  wrapNchw(ctx, node, node.inputs[0], (nhwc) => ctx.add(op, [nhwc], attrs)[0]);
}

export const onnxResizeImporters: Record<string, OnnxImporter> = { Resize: importResize, Upsample: importResize };
