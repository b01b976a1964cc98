/**
 * resize_nearest, resize_bilinear, resize_cubic: an NHWC image resized to `size` = [height, width], from
 * TFLite (RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR with `alignCorners` / `halfPixelCenters`; bilinear
 * refuses both at once, as TFLite Micro does) or from ONNX (Resize, Upsample: ./onnx.ts, whose coordinate
 * rules `onnx` carries, ./onnx-coords.ts; resize_cubic is ONNX's only).
 *
 * Source coordinates depend on the output position only, so they are computed here, once per axis, into
 * constant tables the kernels read; one set of kernels serves both importers:
 * - nearest (utvm_resize_nearest): the source row of each output row and column of each output column —
 *   TFLite's in float32 as TFLite computes it (scale = in / out, or (in − 1) / (out − 1) with align_corners;
 *   (i + 0.5?) · scale, rounded half away from zero with align_corners, else floored; clamped), or ONNX's.
 *   The kernel copies pixels, so int8, uint8 and float32 share it.
 * - float32 (utvm_resize_taps_f32): K taps per output row and per column (source index and float32
 *   weight; K = 1 nearest, 2 bilinear, 4 cubic), the first index −1 for an ONNX output outside the
 *   image (it takes the extrapolation value; nearest with such outputs uses this kernel too). TFLite's
 *   bilinear tables are y0, y1 with 1 − dy, dy in TFLite's float arithmetic, and the kernel's sum order
 *   is TFLite's, so its results are TFLite's bit for bit.
 * - bilinear int8 (utvm_resize_bilinear_s8): TFLite's integer form (ResizeBilinearInteger): scales in
 *   1/1024 units rounded to nearest, per row y0, y1 and dy in [−512, 1024); the kernel forms the four-term
 *   sum in units of 2^-20 and divides by 2^20 rounding half away from zero. For ONNX (int8 QDQ) the taps
 *   are ONNX's with the weight rounded to 1/1024 (within 1 LSB of onnxruntime's float resize).
 * The run-time reference (src/reference/) recomputes all of it per call: ./reference.ts.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { defineOp } from '../op.js';
import type { KernelCall, LowerContext, OpDef } from '../op.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { intList, requireRank } from '../../import/tflite-context.js';
import type { TfliteOptionsTable } from '../../import/tflite-options.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32 } from '../../ir/c-value.js';
import type { Int8Form } from '../int8-form.js';
import { resizeBilinearReference, resizeNearestReference, resizeOnnxReference } from './reference.js';
import { axisTaps } from './onnx-coords.js';
import type { AxisTaps, InterpolationMode, OnnxResizeSpec } from './onnx-coords.js';
import { onnxResizeImporters } from './onnx.js';

export interface ResizeAttrs {
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
  /** ONNX Resize / Upsample coordinates (./onnx-coords.ts); absent = TFLite's flags above. */
  onnx?: OnnxResizeSpec;
}

type Mode = 'nearest' | 'bilinear' | 'cubic';
const INTERPOLATION: Record<Mode, InterpolationMode> = { nearest: 'nearest', bilinear: 'linear', cubic: 'cubic' };
const ELEMENT_BYTES: Partial<Record<string, number>> = { float32: 4, int8: 1, uint8: 1 };
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

/** Per-axis taps of the float kernels: TFLite's tables, or the ONNX coordinates of `a.onnx`. */
function floatTaps(mode: Mode, axis: 0 | 1, inSize: number, outSize: number, a: ResizeAttrs): AxisTaps {
  if (a.onnx) return axisTaps(a.onnx, INTERPOLATION[mode], axis, inSize, outSize);
  if (mode === 'nearest') {
    return { taps: 1, index: Int32Array.from(nearestIndices(inSize, outSize, a)), weight: new Float32Array(outSize).fill(1) };
  }
  const t = bilinearFloat(inSize, outSize, a);
  return { taps: 2, index: Int32Array.from(t.index), weight: Float32Array.from(t.weight) };
}

/** Integer bilinear taps [i0, i1, d] (d in 1/1024 units): TFLite's, or ONNX's positions rounded to 1/1024. */
export function integerTaps(axis: 0 | 1, inSize: number, outSize: number, a: ResizeAttrs): number[] {
  if (!a.onnx) return bilinearInteger(inSize, outSize, a);
  const t = axisTaps(a.onnx, 'linear', axis, inSize, outSize);
  const table: number[] = [];
  for (let i = 0; i < outSize; i++) {
    if (t.index[2 * i] < 0) throw new Error('internal: int8 resize with an extrapolated position');
    table.push(t.index[2 * i], t.index[2 * i + 1], Math.round(t.weight[2 * i + 1] * 1024));
  }
  return table;
}

/** True when some output reads ONNX's extrapolation value (tf_crop_and_resize outside the image). */
function extrapolates(rows: AxisTaps, cols: AxisTaps): boolean {
  return rows.index[0] < 0 || cols.index[0] < 0 || rows.index.includes(-1) || cols.index.includes(-1);
}

function lowerResize(mode: Mode, ctx: LowerContext<ResizeAttrs>): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  const a = node.attrs;
  const [batch, inH, inW, channels] = x.shape;
  const [outH, outW] = a.size;
  const where = describeNode(node.source);
  const bytes = ELEMENT_BYTES[x.dtype];
  if (x.dtype !== y.dtype || bytes === undefined || (x.dtype === 'uint8' && mode !== 'nearest')) {
    fail('E_UNSUPPORTED_TYPE', `${where}: resize_${mode} of ${x.dtype} to ${y.dtype} (float32 or int8 only)`);
  }
  const geometry = { batch, in_h: inH, in_w: inW, out_h: outH, out_w: outW, channels };
  const header = 'utvm/resize.h';
  if (x.dtype === 'float32' || mode === 'nearest') {
    const rows = floatTaps(mode, 0, inH, outH, a);
    const cols = floatTaps(mode, 1, inW, outW, a);
    if (mode === 'nearest' && !extrapolates(rows, cols)) {
      const t = ctx.addConstant(`${y.name}_src`, 'int32', [outH + outW], Int32Array.from([...rows.index, ...cols.index]));
      const params = { ...geometry, element_bytes: bytes };
      return [{ kernel: 'utvm_resize_nearest', header, args: [{ params, type: 'utvm_resize_params' }, { tensor: t }, { tensor: x.name }, { tensor: y.name }] }];
    }
    if (x.dtype !== 'float32') fail('E_UNSUPPORTED_TYPE', `${where}: resize_${mode} of ${x.dtype} reading the extrapolation value (float32 only)`);
    const n = rows.index.length + cols.index.length;
    const ti = ctx.addConstant(`${y.name}_taps`, 'int32', [n], Int32Array.from([...rows.index, ...cols.index]));
    const tw = ctx.addConstant(`${y.name}_weights`, 'float32', [n], Float32Array.from([...rows.weight, ...cols.weight]));
    const params = { ...geometry, taps_h: rows.taps, taps_w: cols.taps, extrapolation: f32(a.onnx?.extrapolation ?? 0) };
    return [{ kernel: 'utvm_resize_taps_f32', header, args: [{ params, type: 'utvm_resize_taps_params' }, { tensor: ti }, { tensor: tw }, { tensor: x.name }, { tensor: y.name }] }];
  }
  if (mode === 'cubic') fail('E_UNSUPPORTED_TYPE', `${where}: resize_cubic of ${x.dtype} (float32 only)`);
  const table = [...integerTaps(0, inH, outH, a), ...integerTaps(1, inW, outW, a)];
  const t = ctx.addConstant(`${y.name}_taps`, 'int32', [table.length], Int32Array.from(table));
  const params = { ...geometry, element_bytes: 1 };
  return [{ kernel: 'utvm_resize_bilinear_s8', header, args: [{ params, type: 'utvm_resize_params' }, { tensor: t }, { tensor: x.name }, { tensor: y.name }] }];
}

/**
 * The int8 form of an ONNX linear resize between DequantizeLinear and QuantizeLinear: the integer
 * bilinear kernel on the int8 input (its weights in 1/1024 sum to 1, so the zero point passes through),
 * writing the input's quantization (a requantize follows when the model's differs). None when some
 * output is extrapolated (its value is a real number, not one of the input's).
 */
function bilinearInt8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const a = node.attrs as unknown as ResizeAttrs;
  const src = x[0] === undefined ? undefined : g.tensor(x[0]);
  if (!a.onnx || !src || src.dtype !== 'int8' || !src.quant) return null;
  const [, inH, inW] = src.shape;
  const rows = axisTaps(a.onnx, 'linear', 0, inH, a.size[0]);
  const cols = axisTaps(a.onnx, 'linear', 1, inW, a.size[1]);
  if (extrapolates(rows, cols)) return null;
  return { op: node.op, inputs: [src.name], attrs: { ...a }, fixedOutput: src.quant };
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

function resizeOp(mode: Mode, tflite?: { builtin: string; optionsType: number; first: number }): OpDef<ResizeAttrs> {
  return defineOp<ResizeAttrs>({
    name: `resize_${mode}`,
    infer({ attrs, inputs, node }) {
      const x = inputs[0]!;
      if (x.shape.length !== 4) fail('E_SHAPE', `${describeNode(node.source)}: resize needs a 4-D NHWC input, got [${x.shape}]`);
      return [{ dtype: x.dtype, shape: [x.shape[0], attrs.size[0], attrs.size[1], x.shape[3]] }];
    },
    reference: ({ attrs, inputs, outputs }) => [
      attrs.onnx
        ? resizeOnnxReference(inputs[0]!, outputs[0], attrs.onnx, INTERPOLATION[mode], (axis, i, o) => integerTaps(axis, i, o, attrs))
        : (mode === 'nearest' ? resizeNearestReference : resizeBilinearReference)(inputs[0]!, outputs[0], attrs),
    ],
    lower: (ctx) => lowerResize(mode, ctx),
    macs: mode === 'nearest' ? undefined : (node, graph) => (mode === 'cubic' ? 16 : 4) * elementCount(graph.tensor(node.outputs[0]).shape),
    // Nearest copies values (int8 QDQ runs on the int8 bytes) unless it writes ONNX's extrapolation value.
    ...(mode === 'nearest' ? { movesValues: (node: Node) => ((node.attrs as unknown as ResizeAttrs).onnx?.coordinate === 'tf_crop_and_resize' ? undefined : 'pick' as const) } : {}),
    ...(mode === 'bilinear' ? { int8Form: bilinearInt8Form } : {}),
    ...(mode === 'nearest' ? { onnx: onnxResizeImporters } : {}),
    ...(tflite
      ? { tflite: { [tflite.builtin]: { maxVersion: 3, options: resizeOptions(tflite.optionsType, tflite.first), types: ['float32', 'int8'], import: importTfliteResize(mode) } } }
      : {}),
  });
}

export const resizeNearest = resizeOp('nearest', { builtin: 'RESIZE_NEAREST_NEIGHBOR', optionsType: 74, first: 0 });
export const resizeBilinear = resizeOp('bilinear', { builtin: 'RESIZE_BILINEAR', optionsType: 15, first: 2 });
export const resizeCubic = resizeOp('cubic');
