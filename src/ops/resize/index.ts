/**
 * resize_nearest, resize_bilinear: an NHWC image resized to `size` = [height, width] (TFLite
 * RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR) with TFLite's two flags, `alignCorners` and
 * `halfPixelCenters` (bilinear refuses both at once, as TFLite Micro does).
 *
 * As TFLite Micro's reference kernels (resize_nearest_neighbor.h, resize_bilinear.h at 90b983c2), whose
 * source coordinates depend on the output position only, so all of them are computed here, once, into
 * constant tables the kernels read:
 * - nearest: the source row of each output row and column of each output column, computed in float32
 *   as TFLite does (scale = in / out, or (in − 1) / (out − 1) with align_corners; (i + 0.5?) · scale,
 *   rounded half away from zero with align_corners, else floored; clamped to the image). The kernel
 *   copies pixels, so int8 and float32 share it (and the bytes need no quantization).
 * - bilinear float32: per output row y0, y1 and the float32 weights 1 − dy, dy (and per column), in
 *   TFLite's float arithmetic; the kernel sums the four products in TFLite's order, + 0.0f.
 * - bilinear int8: TFLite's integer form (ResizeBilinearInteger): scales in 1/1024 units rounded to
 *   nearest, per row y0, y1 and the weight dy in [−512, 1024); the kernel forms the four-term sum in
 *   units of 2^-20 and divides by 2^20 rounding half away from zero (TFLite without single rounding).
 * The run-time reference (src/reference/) recomputes all of it per call: ./reference.ts.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { defineOp } from '../op.js';
import type { KernelCall, LowerContext, OpDef } from '../op.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { intList, requireRank } from '../../import/tflite-context.js';
import type { TfliteOptionsTable } from '../../import/tflite-options.js';
import { elementCount } from '../../ir/graph.js';
import { resizeBilinearReference, resizeNearestReference } from './reference.js';

export interface ResizeAttrs {
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

type Mode = 'nearest' | 'bilinear';
type ResizeOptions = { alignCorners: boolean; halfPixelCenters: boolean };

const fr = Math.fround;

/** TFLite's float32 scale from input to output coordinates. */
function floatScale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? fr((inSize - 1) / (outSize - 1)) : fr(inSize / outSize);
}

/** The source index of each output index along one axis (TFLite's GetNearestNeighbor). */
export function nearestIndices(inSize: number, outSize: number, a: ResizeOptions): number[] {
  const scale = floatScale(inSize, outSize, a.alignCorners);
  const offset = a.halfPixelCenters ? 0.5 : 0;
  return Array.from({ length: outSize }, (_, i) => {
    const v = fr(fr(i + offset) * scale);
    let k = Math.min(a.alignCorners ? Math.round(v) : Math.floor(v), inSize - 1);
    if (a.halfPixelCenters) k = Math.max(0, k);
    return k;
  });
}

/** Per output index along one axis: [i0, i1] and the float32 weights [1 − d, d] (TFLite's ResizeBilinear). */
export function bilinearFloat(inSize: number, outSize: number, a: ResizeOptions): { index: number[]; weight: number[] } {
  const scale = floatScale(inSize, outSize, a.alignCorners);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const v = a.halfPixelCenters ? fr(fr(fr(i + 0.5) * scale) - 0.5) : fr(i * scale);
    const lo = Math.max(Math.floor(v), 0);
    const hi = Math.min(Math.ceil(v), inSize - 1);
    const d = fr(v - lo);
    index.push(lo, hi);
    weight.push(fr(1 - d), d);
  }
  return { index, weight };
}

/** Per output index along one axis: [i0, i1, d] with d in 1/1024 units (TFLite's ResizeBilinearInteger). */
export function bilinearInteger(inSize: number, outSize: number, a: ResizeOptions): number[] {
  const scale10 = a.alignCorners && outSize > 1
    ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
    : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
  const table: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const v = a.halfPixelCenters ? i * scale10 + Math.trunc(scale10 / 2) - 512 : i * scale10;
    const lo = Math.max(Math.trunc(v / 1024), 0);
    const hi = Math.min(Math.trunc((v + 1023) / 1024), inSize - 1);
    table.push(lo, hi, v - 1024 * lo);
  }
  return table;
}

function lowerResize(mode: Mode, ctx: LowerContext<ResizeAttrs>): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  const a = node.attrs;
  const [batch, inH, inW, channels] = x.shape;
  const [outH, outW] = a.size;
  const where = describeNode(node.source);
  if (x.dtype !== y.dtype || (x.dtype !== 'int8' && x.dtype !== 'float32')) {
    fail('E_UNSUPPORTED_TYPE', `${where}: resize_${mode} of ${x.dtype} to ${y.dtype} (float32 or int8 only)`);
  }
  const geometry = { batch, in_h: inH, in_w: inW, out_h: outH, out_w: outW, channels };
  if (mode === 'nearest') {
    const table = [...nearestIndices(inH, outH, a), ...nearestIndices(inW, outW, a)];
    const t = ctx.addConstant(`${y.name}_src`, 'int32', [table.length], Int32Array.from(table));
    const params = { ...geometry, element_bytes: x.dtype === 'int8' ? 1 : 4 };
    return [{ kernel: 'utvm_resize_nearest', header: 'utvm/resize.h', args: [{ params, type: 'utvm_resize_params' }, { tensor: t }, { tensor: x.name }, { tensor: y.name }] }];
  }
  const params = { ...geometry, element_bytes: x.dtype === 'int8' ? 1 : 4 };
  if (x.dtype === 'int8') {
    const table = [...bilinearInteger(inH, outH, a), ...bilinearInteger(inW, outW, a)];
    const t = ctx.addConstant(`${y.name}_taps`, 'int32', [table.length], Int32Array.from(table));
    return [{ kernel: 'utvm_resize_bilinear_s8', header: 'utvm/resize.h', args: [{ params, type: 'utvm_resize_params' }, { tensor: t }, { tensor: x.name }, { tensor: y.name }] }];
  }
  const rows = bilinearFloat(inH, outH, a);
  const cols = bilinearFloat(inW, outW, a);
  const ti = ctx.addConstant(`${y.name}_taps`, 'int32', [2 * (outH + outW)], Int32Array.from([...rows.index, ...cols.index]));
  const tw = ctx.addConstant(`${y.name}_weights`, 'float32', [2 * (outH + outW)], Float32Array.from([...rows.weight, ...cols.weight]));
  return [{
    kernel: 'utvm_resize_bilinear_f32',
    header: 'utvm/resize.h',
    args: [{ params, type: 'utvm_resize_params' }, { tensor: ti }, { tensor: tw }, { tensor: x.name }, { tensor: y.name }],
  }];
}

/** ResizeBilinearOptions (type 15: align_corners field 2, half_pixel_centers 3) / ResizeNearestNeighborOptions (type 74: fields 0, 1). */
function resizeOptions(type: number, first: number): TfliteOptionsTable<ResizeOptions> {
  return {
    type,
    read: (r, t) => ({ alignCorners: r.bool(t, first), halfPixelCenters: r.bool(t, first + 1) }),
    defaults: { alignCorners: false, halfPixelCenters: false },
  };
}

function importTfliteResize(mode: Mode): (c: TfliteOpContext<ResizeOptions>) => void {
  return (c) => {
    const cc = c as unknown as TfliteOpContext;
    requireRank(cc, 0, 4, 'input');
    const size = intList(cc, 1, 'size');
    if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1)) c.invalid(`size must be two positive integers, got [${size}]`);
    const { alignCorners, halfPixelCenters } = c.options;
    if (mode === 'bilinear' && alignCorners && halfPixelCenters) c.invalid('align_corners and half_pixel_centers are both set');
    c.b.add(`resize_${mode}`, [c.input(0)], { size: [size[0], size[1]], alignCorners, halfPixelCenters }, [c.output(0)]);
  };
}

function resizeOp(mode: Mode, builtin: string, optionsType: number, first: number): OpDef<ResizeAttrs> {
  return defineOp<ResizeAttrs>({
    name: `resize_${mode}`,
    infer({ attrs, inputs, node }) {
      const x = inputs[0]!;
      if (x.shape.length !== 4) fail('E_SHAPE', `${describeNode(node.source)}: resize needs a 4-D NHWC input, got [${x.shape}]`);
      return [{ dtype: x.dtype, shape: [x.shape[0], attrs.size[0], attrs.size[1], x.shape[3]] }];
    },
    reference: ({ attrs, inputs, outputs }) => [(mode === 'nearest' ? resizeNearestReference : resizeBilinearReference)(inputs[0]!, outputs[0], attrs)],
    lower: (ctx) => lowerResize(mode, ctx),
    macs: mode === 'bilinear' ? (node, graph) => 4 * elementCount(graph.tensor(node.outputs[0]).shape) : undefined,
    tflite: { [builtin]: { maxVersion: 3, options: resizeOptions(optionsType, first), types: ['float32', 'int8'], import: importTfliteResize(mode) } },
  });
}

export const resizeNearest = resizeOp('nearest', 'RESIZE_NEAREST_NEIGHBOR', 74, 0);
export const resizeBilinear = resizeOp('bilinear', 'RESIZE_BILINEAR', 15, 2);
