/**
 * Patch-based execution, part 1 of 4: which layers a patch stage may hold, and the rows they read.
 *
 * A layer is tileable when it computes output rows from a band of input rows, the same way whatever the
 * band: conv2d (any kernel, stride, dilation, groups), conv2d_add (its residual operand is read at the
 * output's own rows) and max / average pooling (not ONNX's count_include_pad, whose divisor counts the
 * model's pads), on int8 or float32 NHWC images of batch 1 (conv2d_add exists for int8 only). For output
 * rows [r0, r1) a windowed input is read on rows [first, first + count), with the band's own top and
 * bottom padding (a real padding row of the image, or none inside it): the layer's own lowering then runs
 * on the band as on a small image (`tileAttrs`), the same kernel and the same arithmetic, so every row it
 * writes equals the whole layer's row; an elementwise node (the operator says so) reads its inputs' same
 * rows. The float32 kernels (utvm_conv2d_f32, utvm_depthwise_conv2d_f32,
 * utvm_{max,avg}_pool2d_f32) take any top pad and input height, skip the taps outside the input, and sum
 * each output's taps in the same order whatever the band; an average's divisor counts the taps inside the
 * input, which a band holds exactly (its padding rows are the image's own).
 */

import type { Graph, Node } from '../../ir/graph.js';
import type { Conv2dAttrs } from '../../ops/conv2d/index.js';
import type { Conv2dAddAttrs } from '../../ops/conv2d/add-s8.js';
import type { Pool2dAttrs } from '../../ops/pool2d/index.js';
import { isGlobalPoolS8 } from '../../ops/pool2d/s8.js';
import { getOp } from '../../ops/index.js';

/** Input rows [first, first + count) that output rows [r0, r1) read, and the band's padding rows. */
export interface Band {
  first: number;
  count: number;
  padTop: number;
  padBottom: number;
}

/** One spatial input of a tileable layer: which input, and the rows output rows [r0, r1) read of it. */
export interface RowInput {
  index: number;
  band(r0: number, r1: number): Band;
}

interface Window {
  kernel: number;
  stride: number;
  dilation: number;
  padTop: number;
}

/** The rows of an input of height `inH` that a window reads for output rows [r0, r1). */
export function windowBand(w: Window, inH: number, r0: number, r1: number): Band {
  const start = r0 * w.stride - w.padTop;
  const end = (r1 - 1) * w.stride - w.padTop + (w.kernel - 1) * w.dilation + 1;
  const first = Math.max(0, start);
  const last = Math.min(inH, end);
  return { first, count: last - first, padTop: first - start, padBottom: Math.max(0, end - last) };
}

const identity = (r0: number, r1: number): Band => ({ first: r0, count: r1 - r0, padTop: 0, padBottom: 0 });

function isImage(g: Graph, name: string): boolean {
  if (!name || !g.has(name)) return false;
  const t = g.tensor(name);
  return t.data === undefined && (t.dtype === 'int8' || t.dtype === 'float32') && t.shape.length === 4 && t.shape[0] === 1 && !t.variable;
}

/**
 * The spatial inputs of `node` and their row maps, or undefined when the node cannot run on row bands.
 * Only output 0 is an image the next layer reads (conv2d_add's output 1 is its own band buffer).
 */
export function rowInputs(g: Graph, node: Node): RowInput[] | undefined {
  if (!isImage(g, node.outputs[0])) return undefined;
  const inH = (i: number) => g.tensor(node.inputs[i]).shape[1];
  if (node.op === 'conv2d') {
    const a = node.attrs as unknown as Conv2dAttrs;
    if (!isImage(g, node.inputs[0])) return undefined;
    const w: Window = { kernel: g.tensor(node.inputs[1]).shape[1], stride: a.strides[0], dilation: a.dilations[0], padTop: a.pads[0] };
    return [{ index: 0, band: (r0, r1) => windowBand(w, inH(0), r0, r1) }];
  }
  if (node.op === 'conv2d_add') {
    const a = node.attrs as unknown as Conv2dAddAttrs;
    if (!isImage(g, node.inputs[0]) || !isImage(g, node.inputs[1])) return undefined;
    const c = a.conv;
    const w: Window = { kernel: g.tensor(node.inputs[2]).shape[1], stride: c.strides[0], dilation: c.dilations[0], padTop: c.pads[0] };
    return [{ index: 0, band: identity }, { index: 1, band: (r0, r1) => windowBand(w, inH(1), r0, r1) }];
  }
  if (node.op === 'pool2d') {
    const a = node.attrs as unknown as Pool2dAttrs;
    if (!isImage(g, node.inputs[0]) || (a.kind === 'avg' && a.countIncludePad)) return undefined;
    const w: Window = { kernel: a.kernel[0], stride: a.strides[0], dilation: a.dilations[0], padTop: a.pads[0] };
    return [{ index: 0, band: (r0, r1) => windowBand(w, inH(0), r0, r1) }];
  }
  if (getOp(node.op).elementwise) return elementwiseRows(g, node);
  return undefined;
}

/**
 * An elementwise node (the operator says so) reads the same rows of its image inputs: each of output 0's
 * shape and dtype; a constant input must broadcast over the rows (its dim aligned with the rows is 1 or
 * absent), since every band reads it whole.
 */
function elementwiseRows(g: Graph, node: Node): RowInput[] | undefined {
  const y = g.tensor(node.outputs[0]);
  const ins: RowInput[] = [];
  for (const [index, name] of node.inputs.entries()) {
    if (!name) continue;
    const t = g.tensor(name);
    if (t.data !== undefined) {
      const rowsDim = t.shape.length - 3;
      if (rowsDim >= 0 && t.shape[rowsDim] !== 1) return undefined;
      continue;
    }
    if (!isImage(g, name) || t.dtype !== y.dtype || t.shape.some((d, i) => d !== y.shape[i])) return undefined;
    ins.push({ index, band: identity });
  }
  return ins.length > 0 ? ins : undefined;
}

/**
 * A global int8 pool (one unpadded window over the whole image into 1x1) as the last node of a stage:
 * it reads its input a band at a time (rows [r0, r1) of the input for input rows [r0, r1)) into an
 * accumulator (stage.ts). Undefined when `node` is not one.
 */
export function globalPoolTail(g: Graph, node: Node): RowInput[] | undefined {
  if (node.op !== 'pool2d' || !isImage(g, node.inputs[0]) || !isImage(g, node.outputs[0])) return undefined;
  if (!isGlobalPoolS8(node, g.tensor(node.inputs[0]), g.tensor(node.outputs[0]))) return undefined;
  return [{ index: 0, band: identity }];
}

/** The attributes of `node` run on output rows [r0, r1): its window's band padding (`band` of its windowed input). */
export function tileAttrs(node: Node, band: Band, rows: number): Record<string, unknown> {
  const pads = (p: [number, number, number, number]): [number, number, number, number] => [band.padTop, p[1], band.padBottom, p[3]];
  if (node.op === 'conv2d_add') {
    const a = node.attrs as unknown as Conv2dAddAttrs;
    return { ...a, conv: { ...a.conv, pads: pads(a.conv.pads) }, chunkRows: Math.min(a.chunkRows, rows) };
  }
  if (node.op !== 'conv2d' && node.op !== 'pool2d') return node.attrs;
  const a = node.attrs as unknown as Conv2dAttrs | Pool2dAttrs;
  return { ...a, pads: pads(a.pads) };
}

/** The input whose window `tileAttrs` pads: conv2d_add's convolution input, input 0 otherwise. */
export function windowedInput(node: Node): number {
  return node.op === 'conv2d_add' ? 1 : 0;
}
