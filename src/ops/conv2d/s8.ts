/**
 * conv2d on int8 tensors: TensorFlow Lite's quantized CONV_2D / DEPTHWISE_CONV_2D, prepared at compile time.
 *
 * Semantics (TFLite's reference integer_ops ConvPerChannel / DepthwiseConvPerChannel, which CMSIS-NN
 * reproduces bit for bit): acc = bias[c] + Σ w · (x − input_zero_point) over the taps inside the input
 * (a padded cell counts as the zero point: it adds nothing), then
 * out = clamp(multiplyByQuantizedMultiplier(acc, m[c], shift[c]) + output_zero_point, act_min, act_max).
 *
 * What TFLite Micro computes in Prepare happens here: per-channel multipliers and shifts from
 * `quantizeMultiplier(input_scale · weight_scale[c] / output_scale)` in double from the float32 scales
 * (PopulateConvolutionQuantizationParams; a per-tensor weight scale is the same formula for every
 * channel), the int8 range of the fused activation (`quantizedActivationRange`), the offsets. Where the
 * window never leaves the input (1×1, no padding) the input offset is folded into the bias:
 * bias'[c] = bias[c] + input_offset · Σ w[c] — the same int32 sum, reordered, so exact.
 *
 * Kernel choice, plain `if`s: on a core with the DSP extension (`ctx.target.dsp`: Cortex-M7), groups 1
 * (any kernel, stride, dilation, padding: 1×1 and first layers included) → utvm_conv2d_s8_dsp — or, for
 * 1×1 without padding over C_in % 4 == 0 whose channels qualify, utvm_conv2d_1x1_s8_dsp with per-channel
 * output records (src/ops/conv2d/1x1-s8-dsp.ts) — weights
 * packed for SMLAD (src/lower/dsp-layout.ts), bias padded to an even count, im2col columns in a scratch
 * buffer (the call's `scratchBytes`, the kernel header's formula: the portable kernels need none). Otherwise: 1×1 kernel, no padding,
 * groups 1 (any stride) → utvm_conv2d_1x1_s8; groups == C_in → utvm_depthwise_conv2d_s8 (weights
 * re-laid out to [KH, KW, C_out], any depth multiplier); anything else → utvm_conv2d_s8.
 *
 * The output's quantization is not inferred: the importer sets it on the output tensor (TFLite stores
 * it there), and lowering reads it. The helpers for the quantization checks and the multiplier arrays
 * are shared with the int8 dense layer (src/ops/gemm/s8.ts) in src/lower/s8.ts.
 */

import { describeNode, fail } from '../../diagnostics.js';
import type { CValue } from '../../ir/c-value.js';
import type { Tensor } from '../../ir/graph.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';
import { activationQuant, checkS8Types, constantData, convMultipliers, foldedBias, requantization, weightScales } from '../../lower/s8.js';
import type { Conv2dAttrs } from './index.js';
import { depth4, packRowsS8, paddedBias } from '../../lower/dsp-layout.js';
import { depthwiseDspVariant } from './depthwise-s8-dsp.js';
import { lowerConv2dS8Onnx, onnxOutputScales, onnxRounding } from '../../lower/onnx-rounding.js';
import { fitsPointwiseDsp, generalRecords, int32ArgValues, packRowsS16, pointwiseDspCall } from './1x1-s8-dsp.js';
import type { DspConv } from './1x1-s8-dsp.js';
import { convKnobValues, specialised } from './knobs.js';
import { lowerConvFirstS8 } from './rgb-s8-dsp.js';

// ---------------------------------------------------------------------------------------------------
// The convolution

/** OHWI weights [O, KH, KW, 1] re-laid out to [KH, KW, O] for the depthwise kernel. */
function depthwiseWeightsS8(w: Int8Array, o: number, taps: number): Int8Array {
  const out = new Int8Array(o * taps);
  for (let oc = 0; oc < o; oc++) for (let k = 0; k < taps; k++) out[k * o + oc] = w[oc * taps + k];
  return out;
}

/** What the three kernel choices share: the node's tensors and the prepared requantization. */
interface ConvS8 {
  ctx: LowerContext<Conv2dAttrs>;
  x: Tensor;
  y: Tensor;
  w: Tensor;
  weights: Int8Array;
  bias?: Tensor;
  /** Minus the input zero point. */
  inputOffset: number;
  requant: ReturnType<typeof requantization>;
}

/** The kernel call: (params, input, weights, bias, multipliers, shifts, output). */
function convCall(c: ConvS8, kernel: string, type: string, params: CValue, weights: string, bias: CArg): KernelCall[] {
  const args: CArg[] = [{ params, type }, { tensor: c.x.name }, { tensor: weights }, bias, ...c.requant.args, { tensor: c.y.name }];
  return [{ kernel, header: 'utvm/conv2d_s8.h', args }];
}

const biasArg = (c: ConvS8): CArg => (c.bias ? { tensor: c.bias.name } : { value: 0 });

/** [batch, in_h, in_w, in_c, out_h, out_w] of the parameter structs. */
function geometry(c: ConvS8) {
  const [batch, inH, inW, inC] = c.x.shape;
  return { batch, in_h: inH, in_w: inW, in_c: inC, out_h: c.y.shape[1], out_w: c.y.shape[2] };
}

/** The window fields of the general and depthwise parameter structs. */
function window(c: ConvS8) {
  const { strides, dilations, pads } = c.ctx.node.attrs;
  return {
    kernel_h: c.w.shape[1], kernel_w: c.w.shape[2], stride_h: strides[0], stride_w: strides[1],
    dilation_h: dilations[0], dilation_w: dilations[1], pad_top: pads[0], pad_left: pads[1],
  };
}

/** 1×1, no padding: the input offset folds into the bias. */
function lower1x1(c: ConvS8): KernelCall[] {
  const outC = c.w.shape[0];
  let bias = biasArg(c);
  if (c.inputOffset !== 0) {
    const folded = foldedBias(c.weights, outC, c.bias?.data as Int32Array | undefined, c.inputOffset);
    bias = folded ? { tensor: c.ctx.addConstant(`${c.ctx.node.name}_bias`, 'int32', [outC], folded) } : { value: 0 };
  }
  const { strides } = c.ctx.node.attrs;
  const params = { ...geometry(c), out_c: outC, stride_h: strides[0], stride_w: strides[1], requant: c.requant.fields };
  return convCall(c, 'utvm_conv2d_1x1_s8', 'utvm_conv2d_1x1_params_s8', params, c.w.name, bias);
}

/** groups == C_in: weights re-laid out to [KH, KW, C_out]. */
function lowerDepthwise(c: ConvS8): KernelCall[] {
  const [outC, kernelH, kernelW] = c.w.shape;
  const inC = c.x.shape[3];
  const dw = c.ctx.addConstant(`${c.w.name}_dw`, 'int8', [kernelH, kernelW, outC], depthwiseWeightsS8(c.weights, outC, kernelH * kernelW));
  const params = {
    ...geometry(c), depth_multiplier: outC / inC, ...window(c), input_offset: c.inputOffset, requant: c.requant.fields,
  };
  const calls = convCall(c, 'utvm_depthwise_conv2d_s8', 'utvm_depthwise_conv2d_params_s8', params, dw, biasArg(c));
  return calls.map((k) => depthwiseDspVariant(c.ctx, k, c.weights));
}

function lowerGeneral(c: ConvS8): KernelCall[] {
  const params = {
    ...geometry(c), out_c: c.w.shape[0], ...window(c), groups: c.ctx.node.attrs.groups,
    input_offset: c.inputOffset, requant: c.requant.fields,
  };
  return convCall(c, 'utvm_conv2d_s8', 'utvm_conv2d_params_s8', params, c.w.name, biasArg(c));
}

/**
 * utvm_conv2d_s8_dsp_scratch_bytes (runtime-c/include/utvm/conv2d_s8_dsp.h) for a window depth of k
 * values: two int16 columns of K4 values, + K4 staging bytes when C_in % 4 ≠ 0.
 */
export function conv2dS8DspScratchBytes(k: number, inC: number): number {
  const k4 = depth4(k);
  return 4 * k4 + (inC % 4 !== 0 ? k4 : 0);
}

/** utvm_conv2d_1x1_s8_dsp when the layer is 1×1, unpadded, C_in % 4 == 0 and its channels qualify. */
function pointwiseDsp(c: ConvS8, packed: string): KernelCall | undefined {
  const [outC, , , inC] = c.w.shape;
  const { pads, strides } = c.ctx.node.attrs;
  if (!fitsPointwiseDsp(c.w.shape, inC, pads)) return undefined;
  const params = { ...geometry(c), out_c: outC, stride_h: strides[0], stride_w: strides[1], requant: c.requant.fields };
  return pointwiseDspCall(c.ctx, dspConv(c), params, c.x.name, packed, c.y.name);
}

/**
 * groups 1 on a DSP core: packed weights [ceil(O/2)][K4/4][2] words (or their int16 form, knob `weights`),
 * bias padded to even, scratch. With `specialise` the 1×1 and record kernels are called as their `_const`
 * twins with `weights16` as a literal last argument.
 */
function lowerDsp(c: ConvS8): KernelCall[] {
  const [outC, kernelH, kernelW, inC] = c.w.shape;
  const k = kernelH * kernelW * inC;
  const name = c.ctx.node.name;
  const knobs = convKnobValues(c.ctx);
  const w16 = knobs.specialise === 1 && knobs.weights === 'int16';
  const packed = w16 ? packRowsS16(c.weights, outC, k) : packRowsS8(c.weights, outC, k, 2);
  const w = c.ctx.addConstant(`${c.w.name}_${w16 ? 'dsp16' : 'dsp'}`, 'int32', [packed.length], packed);
  const twin = (call: KernelCall, header: string): KernelCall =>
    knobs.specialise === 1 ? { ...call, kernel: `${call.kernel}_const`, header, args: [...call.args, { value: w16 ? 1 : 0 }] } : call;
  const fast = knobs.variant === 'auto' ? pointwiseDsp(c, w) : undefined;
  if (fast) return [twin(fast, 'utvm/conv2d_1x1_s8_dsp_const.h')];
  const params = {
    ...geometry(c), out_c: outC, ...window(c), groups: 1, input_offset: c.inputOffset, requant: c.requant.fields,
  };
  const scratchBytes = conv2dS8DspScratchBytes(k, inC);
  const records = knobs.requant === 'records' ? generalRecords(dspConv(c), k) : undefined;
  if (records) {
    const channels = c.ctx.addConstant(`${name}_channels`, 'int32', [outC + (outC % 2), 4], records);
    const args: CArg[] = [
      { params, type: 'utvm_conv2d_params_s8' }, { tensor: c.x.name }, { tensor: w }, { tensor: channels }, { tensor: c.y.name }, { scratch: true },
    ];
    return [twin({ kernel: 'utvm_conv2d_s8_dsp_rec', header: 'utvm/conv2d_s8_dsp_core.h', args, scratchBytes }, 'utvm/conv2d_s8_dsp_core.h')];
  }
  // The 64-bit output stage has no int16-weight form: the int8 packing, whatever `weights` says.
  const packed8 = w16 ? packRowsS8(c.weights, outC, k, 2) : packed;
  const w8 = w16 ? c.ctx.addConstant(`${c.w.name}_dsp`, 'int32', [packed8.length], packed8) : w;
  const bias: CArg = c.bias
    ? { tensor: c.ctx.addConstant(`${name}_bias_dsp`, 'int32', [outC + (outC % 2)], paddedBias(c.bias.data as Int32Array, outC + (outC % 2))) }
    : { value: 0 };
  const args: CArg[] = [
    { params, type: 'utvm_conv2d_params_s8' }, { tensor: c.x.name }, { tensor: w8 }, bias, ...c.requant.args, { tensor: c.y.name }, { scratch: true },
  ];
  return [{ kernel: 'utvm_conv2d_s8_dsp', header: 'utvm/conv2d_s8_dsp_core.h', args, scratchBytes }];
}

/** The layer as the record builders of 1x1-s8-dsp.ts see it. */
function dspConv(c: ConvS8): DspConv {
  const [outC, , , inC] = c.w.shape;
  const f = c.requant.fields;
  return {
    weights: c.weights, outC, inC, bias: c.bias?.data as Int32Array | undefined, inputOffset: c.inputOffset,
    multipliers: int32ArgValues(c.ctx, c.requant.args[0], outC, f.multiplier),
    shifts: int32ArgValues(c.ctx, c.requant.args[1], outC, f.shift), outputOffset: f.output_offset,
  };
}

export function lowerConv2dS8(ctx: LowerContext<Conv2dAttrs>): KernelCall[] {
  return specialised(lowerConv2dS8Calls(ctx), convKnobValues(ctx));
}

function lowerConv2dS8Calls(ctx: LowerContext<Conv2dAttrs>): KernelCall[] {
  const { attrs, source } = ctx.node;
  const where = describeNode(source);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const bias = ctx.optionalInput(2);
  const y = ctx.output(0);
  checkS8Types('conv2d', [x, w, bias], where);
  if (y.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: int8 conv2d must output int8, '${y.name}' is ${y.dtype}`);
  const xq = activationQuant(x, where);
  const yq = activationQuant(y, where);
  const scales = weightScales(w, w.shape[0], 0, where);
  const weights = constantData<Int8Array>(w, 'weights', where);
  if (bias) constantData<Int32Array>(bias, 'bias', where);
  const requant = requantization(ctx, convMultipliers(xq.scale, scales, yq.scale), yq, attrs.clamp, where);
  const c: ConvS8 = { ctx, x, y, w, weights, bias, inputOffset: -xq.zeroPoint, requant };
  const [kernelH, kernelW] = [w.shape[1], w.shape[2]];
  if (onnxRounding(ctx)) {
    const params = { ...geometry(c), out_c: w.shape[0], ...window(c), groups: attrs.groups, input_offset: c.inputOffset, requant: requant.fields };
    return lowerConv2dS8Onnx(ctx, { x, w, bias, y, params, scales: onnxOutputScales(xq.scale, scales, yq.scale, w.shape[0]) });
  }
  const first = ctx.target?.dsp === true && convKnobValues(ctx).variant === 'auto'
    ? lowerConvFirstS8(c, convMultipliers(xq.scale, scales, yq.scale)) : undefined;
  if (first) return first;
  if (ctx.target?.dsp === true && attrs.groups === 1) return lowerDsp(c);
  if (kernelH === 1 && kernelW === 1 && attrs.groups === 1 && attrs.pads.every((p) => p === 0)) return lower1x1(c);
  if (attrs.groups === x.shape[3]) return lowerDepthwise(c);
  return lowerGeneral(c);
}
