/**
 * pool2d: max or average pooling over NHWC activations.
 *
 * Input x [N, H, W, C]; output [N, OH, OW, C] with
 *   OH = floor((H + top + bottom + ceilPads[0] − ((kh − 1)·dh + 1)) / sh) + 1   (same for W).
 * ONNX ceil_mode is resolved at import time into `ceilPads`: extra bottom/right padding just big enough
 * for the last window, which (ONNX's rule) must start inside the input or the left/top padding.
 * Padding cells are never read: max ignores them; an average divides by the number of window taps
 * inside the input, or — with countIncludePad — inside the input plus the model's explicit pads (the
 * extra ceil padding never counts).
 *
 * Lowering: `utvm_max_pool2d_{f32,u8}` by element type, `utvm_avg_pool2d_f32`, and
 * `utvm_global_avg_pool2d_f32` when an unpadded average window covers the whole image; int8 goes to
 * `utvm_{max,avg}_pool2d_s8` (TFLite's int8 pooling, src/ops/pool2d/s8.ts), int16 to `_s16`. A fused activation
 * (`clamp`, real units, from TFLite) is part of the int8 kernels; on float32 it runs as a clip after.
 * Reference semantics (the interpreter of src/reference/): src/ops/pool2d/reference.ts.
 * ONNX importers: MaxPool (no Indices output), AveragePool, GlobalAveragePool, GlobalMaxPool; 1-D and
 * 2-D, every auto_pad mode; 3-D is unsupported.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, Node } from '../../ir/graph.js';
import type { Int8Form } from '../int8-form.js';
import { effectiveKernel, windowOutputSize } from '../conv2d/window.js';
import { readOnnxWindow, windowTo2d, wrapNchw } from '../../import/onnx/window.js';
import type { Clamp, ImportContext, KernelCall, LowerContext, OnnxImporter, OnnxNode } from '../op.js';
import { defineOp } from '../op.js';
import { lowerPoolS8, poolS8Knobs } from './s8.js';
import { pool2dReference } from './reference.js';
import { clipInPlace } from '../unary/index.js';
import { addActivated, isInt8, positiveWindow, requireRank, tflitePads2d } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions, paddingField } from '../../import/tflite-options.js';

export interface Pool2dAttrs {
  kind: 'max' | 'avg';
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right], in cells. */
  pads: [number, number, number, number];
  /** Average only: padding cells of `pads` count in the divisor (ONNX count_include_pad=1). */
  countIncludePad: boolean;
  /** Extra [bottom, right] padding added for ceil_mode; never counted. Absent = [0, 0]. */
  ceilPads?: [number, number];
  /** Fused activation in real units (TFLite); absent = none. */
  clamp?: Clamp;
}

const MAX_KERNELS: Record<string, string> = {
  float32: 'utvm_max_pool2d_f32',
  uint8: 'utvm_max_pool2d_u8',
};

function outputShape(attrs: Pool2dAttrs, shape: number[], where: string): number[] {
  if (shape.length !== 4) fail('E_SHAPE', `${where}: pool2d input must be 4-D NHWC, got [${shape}]`);
  const [n, h, w, c] = shape;
  const [t, l, b, r] = attrs.pads;
  const [cb, cr] = attrs.ceilPads ?? [0, 0];
  const oh = windowOutputSize(h, attrs.kernel[0], attrs.strides[0], attrs.dilations[0], t, b + cb);
  const ow = windowOutputSize(w, attrs.kernel[1], attrs.strides[1], attrs.dilations[1], l, r + cr);
  if (oh < 1 || ow < 1) {
    fail('E_SHAPE', `${where}: a ${attrs.kernel[0]}x${attrs.kernel[1]} window does not fit the padded ${h}x${w} input`);
  }
  return [n, oh, ow, c];
}

function isGlobalAverage(attrs: Pool2dAttrs, inShape: number[], outShape: number[]): boolean {
  return (
    attrs.kind === 'avg' &&
    attrs.kernel[0] === inShape[1] &&
    attrs.kernel[1] === inShape[2] &&
    attrs.dilations.every((d) => d === 1) &&
    attrs.pads.every((p) => p === 0) &&
    outShape[1] === 1 &&
    outShape[2] === 1
  );
}

function lowerPool(ctx: LowerContext<Pool2dAttrs>): KernelCall[] {
  const { attrs, source } = ctx.node;
  const x = ctx.input(0);
  const y = ctx.output(0);
  const [batch, inH, inW, channels] = x.shape;
  const counted = attrs.kind === 'avg' && attrs.countIncludePad ? attrs.pads : [0, 0, 0, 0];
  const params = {
    batch, in_h: inH, in_w: inW, channels, out_h: y.shape[1], out_w: y.shape[2],
    kernel_h: attrs.kernel[0], kernel_w: attrs.kernel[1],
    stride_h: attrs.strides[0], stride_w: attrs.strides[1],
    dilation_h: attrs.dilations[0], dilation_w: attrs.dilations[1],
    pad_top: attrs.pads[0], pad_left: attrs.pads[1],
    count_pad_top: counted[0], count_pad_left: counted[1], count_pad_bottom: counted[2], count_pad_right: counted[3],
  };
  if (x.dtype === 'int8' || x.dtype === 'int16') return lowerPoolS8(ctx, params);
  const kernel = attrs.kind === 'max' ? MAX_KERNELS[x.dtype] : x.dtype === 'float32' ? 'utvm_avg_pool2d_f32' : undefined;
  if (!kernel) {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: ${attrs.kind} pooling of ${x.dtype} tensors is not supported`);
  }
  if (attrs.clamp && x.dtype !== 'float32') {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: a fused activation on ${x.dtype} pooling is not supported`);
  }
  const call: KernelCall = isGlobalAverage(attrs, x.shape, y.shape)
    ? {
        kernel: 'utvm_global_avg_pool2d_f32',
        header: 'utvm/pool2d.h',
        args: [{ params: { batch, size: inH * inW, channels }, type: 'utvm_global_pool2d_params' }, { tensor: x.name }, { tensor: y.name }],
      }
    : { kernel, header: 'utvm/pool2d.h', args: [{ params, type: 'utvm_pool2d_params' }, { tensor: x.name }, { tensor: y.name }] };
  return attrs.clamp ? [call, clipInPlace(attrs.clamp, y.name, elementCount(y.shape))] : [call];
}

/**
 * Extra end padding that ceil_mode needs along one axis: the output grows to
 * ceil((size + pads − window) / stride) + 1, minus one when the last window would start in the end
 * padding, and the padding grows until that last window fits.
 */
export function ceilPadding(size: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  const window = effectiveKernel(kernel, dilation);
  const span = size + padBegin + padEnd - window;
  if (span < 0) return 0;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + padBegin) out--;
  return Math.max(0, (out - 1) * stride + window - (size + padBegin + padEnd));
}

function spatialRank(node: OnnxNode, ctx: ImportContext, rank: number): void {
  if (rank === 5) ctx.unsupported(`3-D ${node.opType}`);
  if (rank !== 3 && rank !== 4) ctx.unsupported(`${node.opType} of a rank-${rank} input`);
}

function importPool(kind: 'max' | 'avg'): OnnxImporter {
  return (node, ctx) => {
    const x = ctx.tensor(node.inputs[0]);
    spatialRank(node, ctx, x.shape.length);
    if (node.outputs.length > 1 && node.outputs[1] !== '') ctx.unsupported('MaxPool with the Indices output');
    const sizes = x.shape.slice(2);
    const window = windowTo2d(readOnnxWindow(node, ctx, sizes, node.attrs.ints('kernel_shape')));
    const attrs: Pool2dAttrs = { kind, ...window, countIncludePad: kind === 'avg' && node.attrs.int('count_include_pad', 0) !== 0 };
    if (node.attrs.int('ceil_mode', 0) !== 0) {
      const [h, w] = sizes.length === 1 ? [1, sizes[0]] : sizes;
      const [t, l, b, r] = window.pads;
      const cb = ceilPadding(h, window.kernel[0], window.strides[0], window.dilations[0], t, b);
      const cr = ceilPadding(w, window.kernel[1], window.strides[1], window.dilations[1], l, r);
      if (cb > 0 || cr > 0) attrs.ceilPads = [cb, cr];
    }
    wrapNchw(ctx, node, node.inputs[0], (nhwc) => ctx.add('pool2d', [nhwc], attrs)[0]);
  };
}

function importGlobalPool(kind: 'max' | 'avg'): OnnxImporter {
  return (node, ctx) => {
    const x = ctx.tensor(node.inputs[0]);
    spatialRank(node, ctx, x.shape.length);
    const kernel: [number, number] = x.shape.length === 3 ? [1, x.shape[2]] : [x.shape[2], x.shape[3]];
    if (elementCount(kernel) === 0) ctx.invalid(`input [${x.shape}] has no cells to pool`);
    const attrs: Pool2dAttrs = { kind, kernel, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], countIncludePad: false };
    wrapNchw(ctx, node, node.inputs[0], (nhwc) => ctx.add('pool2d', [nhwc], attrs)[0]);
  };
}

/** A global average pool (one window over the whole image, no padding, no clamp): [N, H, W, C] → [N, 1, 1, C]. */
function isPlainGlobalAverage(g: Graph, node: Node, x: string): boolean {
  const a = node.attrs as { kind?: string; kernel?: number[]; pads?: number[]; clamp?: unknown; ceilPads?: unknown };
  const [, h, w] = g.tensor(x).shape;
  return a.kind === 'avg' && !a.clamp && !a.ceilPads && a.kernel?.[0] === h && a.kernel?.[1] === w && !!a.pads?.every((p) => p === 0);
}

/**
 * The int8 form (QDQ folding): the same pooling on int8, which keeps the input's quantization (the
 * caller requantizes when the model's differs) — except a global average pool, which becomes the int8
 * mean (any output quantization, one rounding).
 */
function poolInt8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs] = x;
  if (!xs) return null;
  // The int8 mean requantizes to the output's scale by ONNX's formula (the pooling kernels keep the input's quantization).
  if (isPlainGlobalAverage(g, node, xs)) return { op: 'reduce_mean', inputs: [xs], attrs: { axes: [1, 2], keepdims: true, requant: 'onnx' } };
  return { op: node.op, inputs: [xs], attrs: { ...node.attrs }, fixedOutput: g.tensor(xs).quant };
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTflitePool(kind: 'max' | 'avg'): (c: TfliteOpContext) => void {
  return (c) => {
    const x = requireRank(c, 0, 4, `${c.opName} input`);
    const o = c.options;
    positiveWindow(c, { stride_h: o.strideH, stride_w: o.strideW, filter_height: o.filterH, filter_width: o.filterW });
    const kernel: [number, number] = [o.filterH, o.filterW];
    const strides: [number, number] = [o.strideH, o.strideW];
    const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], kernel, strides, [1, 1]);
    const attrs = { kind, kernel, strides, dilations: [1, 1], pads, countIncludePad: false };
    addActivated(c, 'pool2d', [c.input(0)], attrs, isInt8(c) || c.outputType(0).dtype === 'int16');
  };
}

export const pool2d = defineOp<Pool2dAttrs>({
  name: 'pool2d',
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: outputShape(attrs, x.shape, describeNode(node.source)), quant: x.quant }];
  },
  reference: pool2dReference,
  lower: lowerPool,
  knobs: (ctx) => (ctx.input(0).dtype === 'int8' ? poolS8Knobs(ctx, ctx.node.attrs.kernel) : []),
  onnx: {
    MaxPool: importPool('max'),
    AveragePool: importPool('avg'),
    GlobalMaxPool: importGlobalPool('max'),
    GlobalAveragePool: importGlobalPool('avg'),
  },
  int8Form: poolInt8Form,
  movesValues: (node) => (node.attrs.kind === 'max' && !node.attrs.clamp ? 'pick' : undefined),
  fusedClamp: ['int8', 'int16'],
  tflite: {
    AVERAGE_POOL_2D: { maxVersion: 3, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.Pool2DOptions, (r, t) => ({ padding: paddingField(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), filterW: r.int32(t, 3), filterH: r.int32(t, 4), activation: r.int8(t, 5) })), import: importTflitePool('avg') },
    MAX_POOL_2D: { maxVersion: 3, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.Pool2DOptions, (r, t) => ({ padding: paddingField(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), filterW: r.int32(t, 3), filterH: r.int32(t, 4), activation: r.int8(t, 5) })), import: importTflitePool('max') },
  },
});
