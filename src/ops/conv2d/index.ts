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
 * An int8 input (TFLite's quantized convolutions) is lowered by src/ops/conv2d/s8.ts instead.
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
import { conv2dS8ScratchBytes, lowerConv2dS8 } from './s8.js';
import { checkS8Types } from '../../lower/s8.js';
import { windowOutputSize } from './window.js';
import { readOnnxWindow, windowTo2d, wrapNchw } from '../../import/onnx/window.js';

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
