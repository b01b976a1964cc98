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
 * Across a transpose the pads are permuted.
 *
 * ONNX opsets: 1 (`paddings` attribute), 2–10 (`pads` and `value` attributes), 11+ (`pads` and
 * `constant_value` inputs, which must be constants), 18+ (`axes` input), 19+ ('wrap' mode).
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
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions } from '../import/tflite-options.js';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

export interface PadAttrs {
  mode: PadMode;
  pads: number[];
  value: number;
}

const MODE_CODE: Record<PadMode, number> = { constant: 0, reflect: 1, edge: 2, wrap: 3 };

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
  return -1;
}

function evaluatePad(attrs: PadAttrs, x: { shape: number[]; data: TensorData }, outShape: number[], out: TensorData): void {
  const plan = planAxes(x.shape, attrs.pads);
  const strides = stridesOf(x.shape);
  const fill = fromNumbers(out instanceof BigInt64Array ? 'int64' : 'float64', [attrs.value])[0];
  const idx = new Array<number>(outShape.length).fill(0);
  const src = x.data as unknown as (number | bigint)[];
  const dst = out as unknown as (number | bigint)[];
  for (let o = 0; o < out.length; o++) {
    let at = 0;
    for (let d = 0; d < idx.length && at >= 0; d++) {
      const k = padSourceIndex(idx[d] - plan[d].before, plan[d].extent, attrs.mode);
      at = k < 0 ? -1 : at + (plan[d].start + k) * strides[d];
    }
    dst[o] = at < 0 ? fill : src[at];
    for (let d = idx.length - 1; d >= 0; d--) {
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


// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTflitePad(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  const rank = x.shape.length;
  const paddings = intList(c, 1, 'paddings');
  if (paddings.length !== 2 * rank) c.invalid(`paddings has ${paddings.length} values for a rank-${rank} input`);
  const pads = [...Array.from({ length: rank }, (_, d) => paddings[2 * d]), ...Array.from({ length: rank }, (_, d) => paddings[2 * d + 1])];
  if (pads.some((p) => p < 0)) c.invalid(`negative paddings [${paddings}]`);
  c.b.add('pad', [c.input(0)], { mode: 'constant', pads, value: 0 }, [c.output(0)]);
}

export const pad = defineOp<PadAttrs>({
  name: 'pad',
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
      element_bytes: bytesOf(x.dtype),
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
  onnx: { Pad: importPad },
  tflite: { PAD: { maxVersion: 2, types: ['float32', 'int8'], options: flatOptions(OptionsType.PadOptions, () => ({})), import: importTflitePad } },
});

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
  if (!(mode in MODE_CODE)) ctx.unsupported(`mode='${mode}'`);
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
