/**
 * pad: grows (or, with negative pads, crops) a tensor on each side of each axis (ONNX Pad).
 *
 * Attributes: `mode` ('constant' | 'reflect' | 'edge' | 'wrap'), `pads` ([begin_0..begin_{r-1},
 * end_0..end_{r-1}], negative = crop) and `value` (the fill of constant mode). As in the ONNX reference,
 * crops apply first and the other modes mirror/repeat/wrap the cropped tensor. Lowering resolves the
 * crops at compile time (input pointer offset + kept extents), merges runs of unpadded dims and calls
 * the generic byte-wise kernel `utvm_pad`; constant mode passes the fill as a one-element constant of
 * the tensor's dtype. For a quantized int8 tensor `value` is a real number and the fill is its
 * quantization (TFLite's PAD: 0 → the zero point); input and output must share the quantization.
 * Across a transpose the pads are permuted. Outside constant mode the node only moves values
 * (`movesValues: 'layout'`).
 *
 * TensorFlow Lite: PAD and PADV2 (constant mode; PADV2's fill is a constant scalar input, for int8 in
 * the output's quantization as TFLite Micro requires; versions 1–4: float32, int8, int16, rank 5),
 * MIRROR_PAD (REFLECT → 'reflect', SYMMETRIC → 'symmetric': mirror repeating the border; versions 1–2)
 * and TILE ('wrap' mode with pads after each axis of (multiple − 1) · n: the kernel copies whole wrapped
 * runs at once; versions 1–3). TFLite Micro has no TILE kernel: the tests compare it with TFLite Micro
 * running the same tiling as concatenations.
 *
 * ONNX opsets: 1 (`paddings` attribute), 2–10 (`pads` and `value` attributes), 11+ (`pads` and
 * `constant_value` inputs, which must be constants), 18+ (`axes` input), 19+ ('wrap' mode). ONNX Tile
 * and Expand are wrap padding too (src/import/onnx/tile-expand.ts).
 */

import { allocData, bytesOf, fromNumbers } from '../ir/dtype.js';
import type { TensorData } from '../ir/dtype.js';
import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import type { Node, Tensor } from '../ir/graph.js';
import { perTensorQuant, sameQuant } from '../lower/s8.js';
import { quantizeValue } from './quantize.js';
import { defineOp } from './op.js';
import type { ImportContext, OnnxNode } from './op.js';
import { stridesOf } from './transpose.js';
import { MAX_RANK, padToMaxRank } from '../lower/rank.js';
import { constantInts, constantScalar, normalizeAxes } from '../import/onnx/constants.js';
import { intList } from '../import/tflite-context.js';
import { importExpand, importTile } from '../import/onnx/tile-expand.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions } from '../import/tflite-options.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap' | 'symmetric';

export interface PadAttrs {
  mode: PadMode;
  pads: number[];
  value: number;
}

const MODE_CODE: Record<PadMode, number> = { constant: 0, reflect: 1, edge: 2, wrap: 3, symmetric: 4 };
/** The modes ONNX Pad names ('symmetric' is TFLite MIRROR_PAD's only). */
const ONNX_MODES = ['constant', 'reflect', 'edge', 'wrap'];

/** Per axis: first kept input index, kept extent, and the (non-negative) padding before it. */
interface AxisPlan {
  start: number;
  extent: number;
  before: number;
  out: number;
}

function planAxes(shape: readonly number[], pads: readonly number[]): AxisPlan[] {
  const r = shape.length;
  return shape.map((n, d) => {
    const b = pads[d];
    const e = pads[d + r];
    const start = Math.max(0, -b);
    const extent = Math.max(0, n - start - Math.max(0, -e));
    return { start, extent, before: Math.max(0, b), out: n + b + e };
  });
}

/** Source index for k = output index - padding before, in a kept extent n; -1 for the fill value. */
export function padSourceIndex(k: number, n: number, mode: PadMode): number {
  if (k >= 0 && k < n) return k;
  if (mode === 'edge') return k < 0 ? 0 : n - 1;
  if (mode === 'reflect') {
    const period = 2 * (n - 1);
    if (period === 0) return 0;
    const m = ((k % period) + period) % period;
    return m < n ? m : period - m;
  }
  if (mode === 'wrap') return ((k % n) + n) % n;
  if (mode === 'symmetric') {
    const m = ((k % (2 * n)) + 2 * n) % (2 * n);
    return m < n ? m : 2 * n - 1 - m;
  }
  return -1;
}

function evaluatePad(attrs: PadAttrs, x: { shape: number[]; data: TensorData }, outShape: number[], out: TensorData): void {
  const rank = outShape.length;
  if (out.length === 0) return;
  const fill = fromNumbers(out instanceof BigInt64Array ? 'int64' : 'float64', [attrs.value])[0];
  if (rank === 0) {
    (out as Float64Array)[0] = (x.data as Float64Array)[0];
    return;
  }
  const plan = planAxes(x.shape, attrs.pads);
  const strides = stridesOf(x.shape);
  // Per axis and output index: the input element offset along that axis, or −1 for the fill.
  const offsets = outShape.map((n, d) => {
    const table = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const s = padSourceIndex(k - plan[d].before, plan[d].extent, attrs.mode);
      table[k] = s < 0 ? -1 : (plan[d].start + s) * strides[d];
    }
    return table;
  });
  // The last axis as runs: a fill, or consecutive input elements (copied with set).
  const last = offsets[rank - 1];
  const rowLength = outShape[rank - 1];
  const runs: { at: number; length: number; from: number }[] = [];
  for (let k = 0; k < rowLength; k++) {
    const run = runs[runs.length - 1];
    const contiguous = run && run.at + run.length === k && (run.from < 0 ? last[k] < 0 : last[k] === run.from + run.length);
    if (contiguous) run.length++;
    else runs.push({ at: k, length: 1, from: last[k] < 0 ? -1 : last[k] });
  }
  const typed = out as Float64Array;
  const input = x.data as Float64Array;
  const fillValue = fill as number;
  const rows = out.length / rowLength;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0, o = 0; r < rows; r++, o += rowLength) {
    // The leading axes walk as an odometer.
    let base = 0;
    for (let d = 0; d < rank - 1 && base >= 0; d++) {
      const off = offsets[d][idx[d]];
      base = off < 0 ? -1 : base + off;
    }
    if (base < 0) typed.fill(fillValue, o, o + rowLength);
    else {
      for (const run of runs) {
        if (run.from < 0) typed.fill(fillValue, o + run.at, o + run.at + run.length);
        else typed.set(input.subarray(base + run.from, base + run.from + run.length), o + run.at);
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
}

interface KernelDim {
  out: number;
  extent: number;
  before: number;
  stride: number;
}

/**
 * The dims the kernel iterates: a dim merges into the previous one when it is neither padded nor
 * cropped and the previous one is not padded (a crop of the previous dim stays contiguous).
 */
function kernelDims(plan: AxisPlan[], shape: readonly number[], strides: readonly number[]): KernelDim[] {
  const dims: KernelDim[] = [];
  plan.forEach((a, d) => {
    const prev = dims[dims.length - 1];
    const plain = a.out === a.extent && a.before === 0 && a.extent === shape[d];
    if (prev && plain && prev.out === prev.extent && prev.before === 0 && prev.stride === a.extent * strides[d]) {
      prev.out *= a.out;
      prev.extent *= a.extent;
      prev.stride = strides[d];
    } else {
      dims.push({ out: a.out, extent: a.extent, before: a.before, stride: strides[d] });
    }
  });
  return dims;
}

/** The last kernel dim is neither padded nor cropped and every other dim's stride steps whole rows of it. */
function isWholeRow(dims: KernelDim[], last: KernelDim): boolean {
  return last.out === last.extent && last.before === 0 && last.stride === 1 && dims.every((d) => d === last || d.stride % last.out === 0);
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

const PAD_TYPES = ['float32', 'int8'] as const;

/** The [begin..., end...] pads of a TFLite paddings input ([rank, 2] int32: before and after per axis). */
function tflitePads(c: TfliteOpContext<unknown>): number[] {
  const x = c.inputTensor(0);
  if (c.opName === 'MIRROR_PAD' && !(PAD_TYPES as readonly string[]).includes(x.dtype)) c.unsupported(`${c.opName} of ${x.dtype}`);
  const rank = x.shape.length;
  if (rank > 5) c.unsupported(`${c.opName} of rank ${rank} (at most 5)`);
  const paddings = intList(c, 1, 'paddings');
  if (paddings.length !== 2 * rank) c.invalid(`paddings has ${paddings.length} values for a rank-${rank} input`);
  if (paddings.some((p) => p < 0)) c.invalid(`negative paddings [${paddings}]`);
  return [...Array.from({ length: rank }, (_, d) => paddings[2 * d]), ...Array.from({ length: rank }, (_, d) => paddings[2 * d + 1])];
}

/** PAD, PADV2: the fill is 0 (the output's zero point for int8) or PADV2's constant scalar, as a real value. */
function importTflitePad(c: TfliteOpContext<unknown>): void {
  const pads = tflitePads(c);
  let value = 0;
  if (c.input(2) !== '') {
    const v = c.inputTensor(2);
    if (v.data === undefined) c.unsupported('a constant_values input computed at run time');
    if (v.data.length !== 1 || v.dtype !== c.inputTensor(0).dtype) c.invalid(`constant_values must be one ${c.inputTensor(0).dtype} value`);
    const q = c.outputType(0).quant;
    const raw = Number(v.data[0]);
    if (v.dtype === 'int8') {
      if (!q || !v.quant || v.quant.scale[0] !== q.scale[0] || v.quant.zeroPoint[0] !== q.zeroPoint[0]) {
        c.invalid(`int8 constant_values must be quantized as the output`);
      }
      value = q.scale[0] * (raw - q.zeroPoint[0]);
    } else {
      value = raw;
    }
  }
  c.b.add('pad', [c.input(0)], { mode: 'constant', pads, value }, [c.output(0)]);
}

/** MirrorPadOptions (BuiltinOptions type 77): mode, field 0 (REFLECT 0, SYMMETRIC 1). */
const MIRROR_PAD_OPTIONS: TfliteOptionsTable<{ mode: number }> = { type: 77, read: (r, t) => ({ mode: r.int8(t, 0) }), defaults: { mode: 0 } };

function importTfliteMirrorPad(c: TfliteOpContext<{ mode: number }>): void {
  const pads = tflitePads(c);
  const shape = c.inputTensor(0).shape;
  const m = c.options.mode;
  if (m !== 0 && m !== 1) c.invalid(`mirror pad mode ${m} is neither REFLECT nor SYMMETRIC`);
  const limit = (d: number) => (m === 0 ? shape[d] - 1 : shape[d]);
  shape.forEach((_, d) => {
    if (pads[d] > limit(d) || pads[d + shape.length] > limit(d)) c.invalid(`paddings of axis ${d} exceed ${limit(d)} for a dim of ${shape[d]}`);
  });
  c.b.add('pad', [c.input(0)], { mode: m === 0 ? 'reflect' : 'symmetric', pads, value: 0 }, [c.output(0)]);
}

/** TILE: multiples (constant int32, one per axis, ≥ 0) → wrap padding after each axis. */
function importTfliteTile(c: TfliteOpContext<unknown>): void {
  const x = c.inputTensor(0);
  const multiples = intList(c, 1, 'multiples');
  if (multiples.length !== x.shape.length || multiples.some((m) => m < 1)) c.invalid(`multiples [${multiples}] must be ${x.shape.length} positive values`);
  const pads = [...x.shape.map(() => 0), ...x.shape.map((n, d) => n * (multiples[d] - 1))];
  c.b.add('pad', [c.input(0)], { mode: 'wrap', pads, value: 0 }, [c.output(0)]);
}

export const pad = defineOp<PadAttrs>({
  name: 'pad',
  movesValues: (node) => ((node.attrs as unknown as PadAttrs).mode === 'constant' ? undefined : 'layout'),
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    const r = x.shape.length;
    const where = describeNode(node.source);
    if (attrs.pads.length !== 2 * r) fail('E_MODEL_INVALID', `${where}: ${attrs.pads.length} pads for a rank-${r} tensor`);
    const plan = planAxes(x.shape, attrs.pads);
    plan.forEach((a, d) => {
      if (a.out < 0) fail('E_SHAPE', `${where}: pads [${attrs.pads}] crop more than axis ${d} of [${x.shape}] holds`);
      if (attrs.mode !== 'constant' && a.extent === 0 && a.out > 0) {
        fail('E_SHAPE', `${where}: ${attrs.mode} padding of an empty axis ${d}`);
      }
    });
    return [{ dtype: x.dtype, shape: plan.map((a) => a.out), quant: x.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    const x = inputs[0]!;
    evaluatePad(attrs, { shape: x.shape, data: x.data! }, outputs[0].shape, out);
    return [out];
  },
  // Run time: a quantized tensor pads with `value` quantized in the output's quantization (TFLite's PAD:
  // the zero point; PADV2: its constant), which `evaluate` (constant folding of plain tensors) does not do.
  reference({ attrs, inputs, outputs, node }) {
    const x = inputs[0]!;
    const q = outputs[0].quant;
    const value = q && attrs.mode === 'constant' && (x.dtype === 'int8' || x.dtype === 'int16') ? quantizedPadValue(attrs.value, q.scale, q.zeroPoint, x.dtype, node) : attrs.value;
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    evaluatePad({ ...attrs, value }, { shape: x.shape, data: x.data! }, outputs[0].shape, out);
    return [out];
  },
  lower({ node, input, output, addConstant }) {
    const x = input(0);
    const plan = planAxes(x.shape, node.attrs.pads);
    const strides = stridesOf(x.shape);
    const offset = plan.reduce((acc, a, d) => acc + a.start * strides[d], 0);
    const dims = kernelDims(plan, x.shape, strides);
    if (dims.length > MAX_RANK) {
      fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: padding ${dims.length} separate dims is not supported (at most ${MAX_RANK})`);
    }
    const mode = node.attrs.mode;
    let elementBytes = bytesOf(x.dtype);
    // Outside constant mode a trailing dim that is not padded is one larger element (a tile of whole rows).
    for (let last = dims[dims.length - 1]; mode !== 'constant' && dims.length > 1 && isWholeRow(dims, last); last = dims[dims.length - 1]) {
      dims.pop();
      elementBytes *= last.out;
      for (const d of dims) d.stride /= last.out;
    }
    const fillValue = x.dtype === 'int8' && x.quant ? quantizedFill(node, x, output(0)) : node.attrs.value;
    const fill =
      mode === 'constant'
        ? { tensor: addConstant(`${node.name}_fill`, x.dtype, [1], fromNumbers(x.dtype, [fillValue])) }
        : { value: 0 };
    const params = {
      out_shape: padToMaxRank(dims.map((d) => d.out), 1),
      in_shape: padToMaxRank(dims.map((d) => d.extent), 1),
      pad_begin: padToMaxRank(dims.map((d) => d.before), 0),
      in_strides: padToMaxRank(dims.map((d) => d.stride), 0),
      element_bytes: elementBytes,
      mode: MODE_CODE[mode],
    };
    return [
      {
        kernel: 'utvm_pad',
        header: 'utvm/pad.h',
        args: [{ params, type: 'utvm_pad_params' }, { tensor: x.name, elementOffset: offset }, fill, { tensor: output(0).name }],
      },
    ];
  },
  commuteTranspose(node, perm) {
    // Axis j of the transposed tensor is axis perm[j] of the original.
    const r = perm.length;
    const pads = new Array<number>(2 * r);
    perm.forEach((p, j) => {
      pads[p] = node.attrs.pads[j];
      pads[p + r] = node.attrs.pads[j + r];
    });
    return { attrs: { ...node.attrs, pads }, inputs: [...node.inputs] };
  },
  onnx: { Pad: importPad, Tile: importTile, Expand: importExpand },
  tflite: {
    PAD: { maxVersion: 4, options: flatOptions(OptionsType.PadOptions, () => ({})), types: [...PAD_TYPES, 'int32'], import: importTflitePad },
    PADV2: { maxVersion: 4, types: [...PAD_TYPES, 'int32'], import: importTflitePad },
    MIRROR_PAD: { maxVersion: 2, options: MIRROR_PAD_OPTIONS, types: PAD_TYPES, import: importTfliteMirrorPad },
    TILE: { maxVersion: 3, types: [...PAD_TYPES, 'int32'], import: importTfliteTile },
  },
});

/** A real pad value in a per-tensor quantization: zero point + round(value / scale), saturated to the type. */
function quantizedPadValue(value: number, scale: number[], zeroPoint: number[], dtype: 'int8' | 'int16', node: Node<unknown>): number {
  if (scale.length !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: a pad of a per-channel quantized tensor`);
  const r = value / scale[0];
  const q = zeroPoint[0] + (r < 0 ? -Math.round(-r) : Math.round(r));
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [-32768, 32767];
  return Math.min(hi, Math.max(lo, q));
}

/** The int8 fill of a quantized pad: `value` quantized with the output's scale and zero point. */
function quantizedFill(node: Node<PadAttrs>, x: Tensor, y: Tensor): number {
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  if (!sameQuant(qx, qy)) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(node.source)}: int8 pad whose output quantization differs from its input's is not supported`);
  }
  return quantizeValue(node.attrs.value, qy);
}

function importPad(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const r = x.shape.length;
  const mode = node.attrs.string('mode', 'constant');
  if (!ONNX_MODES.includes(mode)) ctx.unsupported(`mode='${mode}'`);
  let pads: number[];
  let value = 0;
  if (node.opset < 11) {
    pads = node.attrs.ints(node.opset < 2 ? 'paddings' : 'pads');
    value = node.attrs.float('value', 0);
  } else {
    const given = constantInts(node, ctx, 1, 'pads');
    if (given === undefined) ctx.invalid(`the 'pads' input is missing`);
    pads = given;
    value = constantScalar(node, ctx, 2, 'constant_value') ?? 0;
    const axes = node.opset >= 18 ? constantInts(node, ctx, 3, 'axes') : undefined;
    if (axes !== undefined) pads = expandAxes(ctx, pads, normalizeAxes(ctx, axes, r), r);
  }
  if (pads.length !== 2 * r) ctx.invalid(`${pads.length} pads for a rank-${r} input (need ${2 * r})`);
  ctx.add('pad', [node.inputs[0]], { mode: mode as PadMode, pads, value }, node.outputs.slice(0, 1));
}

/** Pads given for `axes` only ([begins..., ends...] over axes) → pads over every axis. */
function expandAxes(ctx: ImportContext, pads: number[], axes: number[], r: number): number[] {
  if (pads.length !== 2 * axes.length) ctx.invalid(`${pads.length} pads for ${axes.length} axes (need ${2 * axes.length})`);
  const full = new Array<number>(2 * r).fill(0);
  axes.forEach((a, i) => {
    full[a] = pads[i];
    full[a + r] = pads[i + axes.length];
  });
  return full;
}

/**
 * The padding [begin_0..begin_{r-1}, end_0..end_{r-1}] of `node` when it is a constant int8 pad (no
 * crop) whose fill is its input's zero point: the padding an int8 convolution applies itself (its
 * padding cells contribute nothing: TFLite skips them, and a cell equal to the zero point adds
 * (q − zero point)·w = 0), so src/passes/fold-pad.ts may move it into the convolution. Undefined otherwise.
 */
export function zeroPointPads(node: Node, x: Tensor, y: Tensor): number[] | undefined {
  const a = node.attrs as unknown as PadAttrs;
  if (node.op !== 'pad' || a.mode !== 'constant' || x.dtype !== 'int8' || !x.quant || !y.quant) return undefined;
  if (a.pads.length !== 2 * x.shape.length || a.pads.some((p) => p < 0)) return undefined;
  const qx = perTensorQuant(x, node.source);
  const qy = perTensorQuant(y, node.source);
  if (!sameQuant(qx, qy) || quantizeValue(a.value, qy) !== qy.zeroPoint) return undefined;
  return [...a.pads];
}
