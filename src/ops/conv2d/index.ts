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
 * An int8 input (TFLite's quantized convolutions) is lowered by src/ops/conv2d/s8.ts instead, an int16
 * input (16x8) by src/ops/conv2d/s16.ts.
 *
 * Reference semantics (the interpreter of src/reference/; float, int8, 16x8): src/ops/conv2d/reference.ts.
 *
 * The ONNX importer (Conv, 1-D and 2-D) resolves auto_pad into explicit pads at compile time, lifts 1-D
 * convolutions to 2-D through reshapes and wraps the NHWC operator in NCHW↔NHWC transposes, with the
 * ONNX window helpers of src/import/onnx/window.ts (shared with pool2d and batchnorm).
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/graph.js';
import { f32 } from '../../ir/c-value.js';
import type { CArg, Clamp, ImportContext, KernelCall, LowerContext, OnnxNode } from '../op.js';
import { defineOp } from '../op.js';
import { lowerConv2dS8 } from './s8.js';
import { conv2dS8Knobs } from './knobs.js';
import { lowerConv2dS16 } from './s16.js';
import { checkS8Types } from '../../lower/s8.js';
import { windowOutputSize } from './window.js';
import { conv2dReference } from './reference.js';
import { readOnnxWindow, windowTo2d, wrapNchw } from '../../import/onnx/window.js';
import { addActivated, positiveWindow, requireConstant, requireRank, tflitePads2d, weightsLike } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions, paddingField } from '../../import/tflite-options.js';
import type { TensorData } from '../../ir/dtype.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, Node } from '../../ir/graph.js';
import { int32Bias, int8Weights } from '../int8-form.js';
import type { Int8Form } from '../int8-form.js';

export interface Conv2dAttrs {
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right], in cells. */
  pads: [number, number, number, number];
  groups: number;
  clamp?: Clamp;
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
  if (x.dtype === 'int16') return lowerConv2dS16(ctx);
  const w = ctx.input(1);
  const b = ctx.optionalInput(2);
  const y = ctx.output(0);
  for (const t of [x, w, y, ...(b ? [b] : [])]) {
    if (t.dtype !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: conv2d on ${t.dtype} tensors is not supported (float32, or int8 with int8 weights and int32 bias)`);
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

/**
 * The int8 form (QDQ folding): int8 weights from the dequantized float constant (per output channel,
 * axis 0), an int32 bias in units of input_scale · weight_scale[c].
 */
function convInt8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs, , ] = x;
  const [, wName, bName = ''] = node.inputs;
  if (!xs || x[1] !== undefined || x[2] !== undefined) return null;
  const w = int8Weights(g, wName, 0);
  if (!w) return null;
  const scales = g.tensor(w).quant!.scale;
  const bias = int32Bias(g, bName, g.tensor(xs).quant!.scale[0], scales, g.tensor(w).shape[0]);
  if (bias === null) return null;
  return { op: 'conv2d', inputs: bias ? [xs, w, bias] : [xs, w], attrs: { ...node.attrs } };
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteConv(c: TfliteOpContext): void {
  const x = requireRank(c, 0, 4, 'CONV_2D input');
  requireRank(c, 1, 4, 'CONV_2D filter');
  requireConstant(c, 1, 'filter');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  positiveWindow(c, { stride_h: o.strideH, stride_w: o.strideW, dilation_h_factor: o.dilationH, dilation_w_factor: o.dilationW });
  const groups = x.shape[3] / w.shape[3];
  if (!Number.isInteger(groups)) c.invalid(`filter [${w.shape}] does not divide the ${x.shape[3]} input channels`);
  const strides: [number, number] = [o.strideH, o.strideW];
  const dilations: [number, number] = [o.dilationH, o.dilationW];
  const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], [w.shape[1], w.shape[2]], strides, dilations);
  const bias = c.input(2);
  addActivated(c, 'conv2d', [c.input(0), w.name, ...(bias ? [bias] : [])], { strides, dilations, pads, groups }, true);
}

/** Depthwise filter [1, KH, KW, C_out] → IR [C_out, KH, KW, 1], quantization axis 3 → 0. */
function depthwiseFilter(c: TfliteOpContext, w: Tensor): string {
  const [one, kh, kw, co] = w.shape;
  if (one !== 1) c.invalid(`depthwise filter [${w.shape}] must have a first dimension of 1`);
  const src = w.data!;
  const dst = new (src.constructor as new (n: number) => TensorData)(src.length);
  for (let k = 0; k < kh * kw; k++) for (let oc = 0; oc < co; oc++) (dst as Float32Array)[oc * kh * kw + k] = (src as Float32Array)[k * co + oc];
  const name = c.b.addConstant(`${c.b.current.name}_filter`, w.dtype, [co, kh, kw, 1], dst);
  if (w.quant) {
    const t = c.b.graph.tensor(name);
    const perChannel = w.quant.scale.length > 1;
    if (perChannel && w.quant.axis !== 3) c.unsupported(`a depthwise filter quantized along axis ${w.quant.axis}`);
    t.quant = perChannel ? { ...w.quant, axis: 0 } : { ...w.quant };
  }
  return name;
}

function importTfliteDepthwise(c: TfliteOpContext): void {
  const x = requireRank(c, 0, 4, 'DEPTHWISE_CONV_2D input');
  requireRank(c, 1, 4, 'DEPTHWISE_CONV_2D filter');
  requireConstant(c, 1, 'filter');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  const cin = x.shape[3];
  const cout = w.shape[3];
  positiveWindow(c, { stride_h: o.strideH, stride_w: o.strideW, dilation_h_factor: o.dilationH, dilation_w_factor: o.dilationW });
  if (cout % cin !== 0) c.invalid(`filter [${w.shape}] has ${cout} channels, not a multiple of the ${cin} input channels`);
  if (o.depthMultiplier > 0 && cout !== cin * o.depthMultiplier && cin !== 1) {
    c.invalid(`depth_multiplier ${o.depthMultiplier} disagrees with ${cin} input and ${cout} output channels`);
  }
  const strides: [number, number] = [o.strideH, o.strideW];
  const dilations: [number, number] = [o.dilationH, o.dilationW];
  const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], [w.shape[1], w.shape[2]], strides, dilations);
  const bias = c.input(2);
  const filter = depthwiseFilter(c, w);
  addActivated(c, 'conv2d', [c.input(0), filter, ...(bias ? [bias] : [])], { strides, dilations, pads, groups: cin }, true);
}

/** Multiply-accumulates of a convolution writing `out` with weights [C_out, KH, KW, C_in / groups]. */
export function convMacs(out: number[], w: number[]): number {
  const [, kh, kw, ci] = w;
  return elementCount(out) * kh * kw * ci;
}

export const conv2d = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  macs: (node, g) => convMacs(g.tensor(node.outputs[0]).shape, g.tensor(node.inputs[1]).shape),
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    const shape = inferConv(attrs, x, inputs[1]!, inputs[2], describeNode(node.source));
    if (x.dtype === 'int8') checkS8Types('conv2d', inputs, describeNode(node.source));
    return [{ dtype: x.dtype, shape }];
  },
  reference: conv2dReference,
  lower: lowerConv,
  knobs: conv2dS8Knobs,
  onnx: { Conv: importConv },
  int8Form: convInt8Form,
  fusedClamp: ['float32', 'int8', 'int16'],
  tflite: {
    // int16: TFLite's 16x8 quantization (int16 activations, int8 weights: src/ops/conv2d/s16.ts).
    CONV_2D: { maxVersion: 6, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.Conv2DOptions, (r, t) => ({ padding: paddingField(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), activation: r.int8(t, 3), dilationW: r.int32(t, 4, 1), dilationH: r.int32(t, 5, 1) })), import: importTfliteConv },
    DEPTHWISE_CONV_2D: { maxVersion: 6, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.DepthwiseConv2DOptions, (r, t) => ({
      padding: paddingField(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), depthMultiplier: r.int32(t, 3),
      activation: r.int8(t, 4), dilationW: r.int32(t, 5, 1), dilationH: r.int32(t, 6, 1),
    })), import: importTfliteDepthwise },
  },
});
