/**
 * conv2d: 2-D convolution over NHWC activations with OHWI weights, optional bias and a fused clamp.
 *
 * Inputs: x [N, H, W, C_in], w [C_out, KH, KW, C_in / groups], bias [C_out] (optional).
 * Attributes: strides [sh, sw], dilations [dh, dw], pads [top, left, bottom, right], groups, clamp.
 * Output: [N, OH, OW, C_out] with OH = floor((H + top + bottom − ((KH − 1)·dh + 1)) / sh) + 1 (same for W).
 *
 * Lowering picks the kernel with plain `if`s: groups == C_in with constant weights → the depthwise kernel
 * (weights re-laid out to [KH, KW, C_out] at compile time, so its inner loop runs over contiguous
 * channels); anything else → the general grouped kernel. An absent bias is passed as NULL, which both
 * kernels document as "no bias". An absent clamp is [-inf, +inf].
 * An int8 input (TFLite's quantized convolutions) is lowered by src/ops/conv2d-s8.ts instead.
 *
 * The ONNX importer (Conv, 1-D and 2-D) resolves auto_pad into explicit pads at compile time, lifts 1-D
 * convolutions to 2-D through reshapes and wraps the NHWC operator in NCHW↔NHWC transposes. The window
 * helpers it uses (`readOnnxWindow`, `windowTo2d`, `wrapNchw`) are shared with pool2d and batchnorm.
 */

import { describeNode, fail } from '../diagnostics.js';
import { allocData } from '../ir/dtype.js';
import type { Tensor } from '../ir/graph.js';
import { f32 } from '../emit/c-value.js';
import type { CArg, Clamp, ImportContext, KernelCall, LowerContext, OnnxNode } from './op.js';
import { defineOp } from './op.js';
import { checkS8Types, conv2dS8ScratchBytes, lowerConv2dS8 } from './conv2d-s8.js';

export interface Conv2dAttrs {
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right], in cells. */
  pads: [number, number, number, number];
  groups: number;
  clamp?: Clamp;
}

// ---------------------------------------------------------------------------------------------------
// Window geometry shared by convolution and pooling

/** Taps a dilated window spans: (k − 1)·d + 1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/** Output positions along one axis (floor rounding); < 1 when the window does not fit. */
export function windowOutputSize(size: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  return Math.floor((size + padBegin + padEnd - effectiveKernel(kernel, dilation)) / stride) + 1;
}

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

// ---------------------------------------------------------------------------------------------------
// The operator

function inferConv(attrs: Conv2dAttrs, x: Tensor, w: Tensor, bias: Tensor | undefined, where: string): number[] {
  const bad = (what: string): never => fail('E_SHAPE', `${where}: ${what}`);
  if (x.shape.length !== 4) bad(`conv2d input must be 4-D NHWC, got [${x.shape}]`);
  if (w.shape.length !== 4) bad(`conv2d weights must be 4-D OHWI, got [${w.shape}]`);
  const [n, h, wd, c] = x.shape;
  const [o, kh, kw, ci] = w.shape;
  const g = attrs.groups;
  if (!Number.isInteger(g) || g < 1 || c % g !== 0 || o % g !== 0) {
    bad(`group ${g} must divide the ${c} input and ${o} output channels`);
  }
  if (ci * g !== c) bad(`weights [${w.shape}] expect ${ci * g} input channels, the input has ${c}`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== o)) bad(`bias [${bias.shape}] must be [${o}]`);
  const [t, l, b, r] = attrs.pads;
  const oh = windowOutputSize(h, kh, attrs.strides[0], attrs.dilations[0], t, b);
  const ow = windowOutputSize(wd, kw, attrs.strides[1], attrs.dilations[1], l, r);
  if (oh < 1 || ow < 1) bad(`a ${kh}x${kw} kernel does not fit the padded ${h}x${wd} input`);
  return [n, oh, ow, o];
}

function clampValue(clamp: Clamp | undefined) {
  return { min: f32(clamp?.min ?? -Infinity), max: f32(clamp?.max ?? Infinity) };
}

/** OHWI weights [O, KH, KW, 1] re-laid out to [KH, KW, O] for the depthwise kernel. */
function depthwiseWeights(w: Tensor): Float32Array {
  const [o, kh, kw] = w.shape;
  const src = w.data as Float32Array;
  const out = allocData('float32', o * kh * kw) as Float32Array;
  for (let oc = 0; oc < o; oc++) {
    for (let k = 0; k < kh * kw; k++) out[k * o + oc] = src[oc * kh * kw + k];
  }
  return out;
}

function lowerConv(ctx: LowerContext<Conv2dAttrs>): KernelCall[] {
  const { attrs, source } = ctx.node;
  const x = ctx.input(0);
  if (x.dtype === 'int8') return lowerConv2dS8(ctx);
  const w = ctx.input(1);
  const b = ctx.optionalInput(2);
  const y = ctx.output(0);
  for (const t of [x, w, y, ...(b ? [b] : [])]) {
    if (t.dtype !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: conv2d on ${t.dtype} tensors is not supported (float32 only)`);
    }
  }
  const [batch, inH, inW, inC] = x.shape;
  const [outC, kernelH, kernelW] = w.shape;
  const geometry = {
    batch, in_h: inH, in_w: inW, in_c: inC, out_h: y.shape[1], out_w: y.shape[2],
  };
  const window = {
    kernel_h: kernelH, kernel_w: kernelW,
    stride_h: attrs.strides[0], stride_w: attrs.strides[1],
    dilation_h: attrs.dilations[0], dilation_w: attrs.dilations[1],
    pad_top: attrs.pads[0], pad_left: attrs.pads[1],
  };
  const bias: CArg = b ? { tensor: b.name } : { value: 0 };
  if (attrs.groups === inC && w.data !== undefined) {
    const weights = ctx.addConstant(`${w.name}_dw`, 'float32', [kernelH, kernelW, outC], depthwiseWeights(w));
    const params = { ...geometry, depth_multiplier: outC / inC, ...window, clamp: clampValue(attrs.clamp) };
    return [{
      kernel: 'utvm_depthwise_conv2d_f32',
      header: 'utvm/conv2d.h',
      args: [{ params, type: 'utvm_depthwise_conv2d_params_f32' }, { tensor: x.name }, { tensor: weights }, bias, { tensor: y.name }],
    }];
  }
  const params = { ...geometry, out_c: outC, ...window, groups: attrs.groups, clamp: clampValue(attrs.clamp) };
  return [{
    kernel: 'utvm_conv2d_f32',
    header: 'utvm/conv2d.h',
    args: [{ params, type: 'utvm_conv2d_params_f32' }, { tensor: x.name }, { tensor: w.name }, bias, { tensor: y.name }],
  }];
}

function importConv(node: OnnxNode, ctx: ImportContext): void {
  const [xName, wName, bName = ''] = node.inputs;
  const x = ctx.tensor(xName);
  const w = ctx.tensor(wName);
  const rank = x.shape.length;
  if (rank === 5) ctx.unsupported('3-D convolution');
  if (rank !== 3 && rank !== 4) ctx.unsupported(`convolution of a rank-${rank} input`);
  if (w.shape.length !== rank) ctx.invalid(`weights [${w.shape}] do not match the rank-${rank} input`);
  const kernel = node.attrs.ints('kernel_shape', w.shape.slice(2));
  if (kernel.join() !== w.shape.slice(2).join()) ctx.invalid(`kernel_shape [${kernel}] does not match weights [${w.shape}]`);
  const { kernel: _k, ...window } = windowTo2d(readOnnxWindow(node, ctx, x.shape.slice(2), kernel));
  const attrs: Conv2dAttrs = { ...window, groups: node.attrs.int('group', 1) };
  const [o, i] = w.shape;
  const w4 = rank === 3 ? ctx.add('reshape', [wName], { shape: [o, i, 1, w.shape[2]] })[0] : wName;
  const ohwi = ctx.add('transpose', [w4], { perm: [0, 2, 3, 1] })[0];
  const rest = bName === '' ? [] : [bName];
  wrapNchw(ctx, node, xName, (nhwc) => ctx.add('conv2d', [nhwc, ohwi, ...rest], attrs)[0]);
}

export const conv2d = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    const shape = inferConv(attrs, x, inputs[1]!, inputs[2], describeNode(node.source));
    if (x.dtype === 'int8') checkS8Types('conv2d', inputs, describeNode(node.source));
    return [{ dtype: x.dtype, shape }];
  },
  lower: lowerConv,
  scratchBytes: conv2dS8ScratchBytes,
  onnx: { Conv: importConv },
});
