/**
 * The window attributes of ONNX Conv and pooling nodes (kernel_shape, strides, dilations, pads or
 * auto_pad) read into explicit values, 1-D windows lifted to 2-D, and the NCHW ↔ NHWC wrapping of an
 * IR operator: what the ONNX importers of conv2d, pool2d and batchnorm share.
 */

import type { ImportContext, OnnxNode } from '../../ops/op.js';
import { effectiveKernel } from '../../ops/conv2d/window.js';

/** The window attributes of an ONNX Conv / pooling node over `rank` spatial axes. */
export interface OnnxWindow {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX order: all begins, then all ends. */
  pads: number[];
}

function positiveList(node: OnnxNode, ctx: ImportContext, name: string, rank: number): number[] {
  const values = node.attrs.ints(name, new Array<number>(rank).fill(1));
  if (values.length !== rank || values.some((v) => !Number.isInteger(v) || v < 1)) {
    ctx.invalid(`${name} [${values}] must be ${rank} positive integers`);
  }
  return values;
}

/** Pads from auto_pad (SAME_* computed from the ONNX formula) or the explicit `pads` attribute. */
function onnxPads(node: OnnxNode, ctx: ImportContext, sizes: number[], w: Omit<OnnxWindow, 'pads'>): number[] {
  const rank = sizes.length;
  const autoPad = node.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return new Array<number>(2 * rank).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begins: number[] = [];
    const ends: number[] = [];
    sizes.forEach((size, i) => {
      const out = Math.ceil(size / w.strides[i]);
      const total = Math.max(0, (out - 1) * w.strides[i] + effectiveKernel(w.kernel[i], w.dilations[i]) - size);
      const small = Math.floor(total / 2);
      begins.push(autoPad === 'SAME_UPPER' ? small : total - small);
      ends.push(autoPad === 'SAME_UPPER' ? total - small : small);
    });
    return [...begins, ...ends];
  }
  if (autoPad !== 'NOTSET') ctx.invalid(`auto_pad '${autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER`);
  const pads = node.attrs.ints('pads', new Array<number>(2 * rank).fill(0));
  if (pads.length !== 2 * rank || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    ctx.invalid(`pads [${pads}] must be ${2 * rank} non-negative integers`);
  }
  return pads;
}

/** Reads kernel (given), strides, dilations and pads of an ONNX node over spatial `sizes`. */
export function readOnnxWindow(node: OnnxNode, ctx: ImportContext, sizes: number[], kernel: number[]): OnnxWindow {
  const rank = sizes.length;
  if (kernel.length !== rank || kernel.some((k) => !Number.isInteger(k) || k < 1)) {
    ctx.invalid(`kernel_shape [${kernel}] must be ${rank} positive integers`);
  }
  const strides = positiveList(node, ctx, 'strides', rank);
  const dilations = positiveList(node, ctx, 'dilations', rank);
  return { kernel, strides, dilations, pads: onnxPads(node, ctx, sizes, { kernel, strides, dilations }) };
}

/** The same window over 2 spatial axes: a 1-D window becomes a 1 × K window over [1, L]. */
export function windowTo2d(w: OnnxWindow): {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
} {
  if (w.kernel.length === 1) {
    return { kernel: [1, w.kernel[0]], strides: [1, w.strides[0]], dilations: [1, w.dilations[0]], pads: [0, w.pads[0], 0, w.pads[1]] };
  }
  const [t, l, b, r] = w.pads;
  return {
    kernel: [w.kernel[0], w.kernel[1]],
    strides: [w.strides[0], w.strides[1]],
    dilations: [w.dilations[0], w.dilations[1]],
    pads: [t, l, b, r],
  };
}

/**
 * Imports an ONNX node on an NCHW (or NCL) input `x` as an NHWC IR operator: transposes to channel-last,
 * calls `build` with the NHWC input name (it returns the NHWC output name), then transposes back into the
 * node's first output. A 1-D input [N, C, L] is transposed to [N, L, C] first and only then reshaped to
 * [N, 1, L, C] (and back likewise): reshapes are free aliases, and keeping them on the channel-last side
 * lets the transposes of consecutive 1-D layers meet and cancel in the layout pass.
 */
export function wrapNchw(ctx: ImportContext, node: OnnxNode, x: string, build: (nhwc: string) => string): void {
  const shape = ctx.tensor(x).shape;
  if (shape.length !== 3) {
    const y = build(ctx.add('transpose', [x], { perm: [0, 2, 3, 1] })[0]);
    ctx.add('transpose', [y], { perm: [0, 3, 1, 2] }, [node.outputs[0]]);
    return;
  }
  const nlc = ctx.add('transpose', [x], { perm: [0, 2, 1] })[0];
  const y = build(ctx.add('reshape', [nlc], { shape: [shape[0], 1, shape[2], shape[1]] })[0]);
  const s = ctx.tensor(y).shape;
  const ylc = ctx.add('reshape', [y], { shape: [s[0], s[2], s[3]] })[0];
  ctx.add('transpose', [ylc], { perm: [0, 2, 1] }, [node.outputs[0]]);
}
