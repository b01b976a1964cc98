/**
 * conv2d with int16 activations and int8 weights: TensorFlow Lite's 16x8 CONV_2D and DEPTHWISE_CONV_2D
 * (the IR's grouped conv2d; depthwise: groups = C_in) as TFLite Micro's reference kernels compute them
 * (utvm/conv2d_s16.h). Zero points must be 0: TFLite Micro's int16 kernels apply no input or output
 * offset. Per-channel multipliers as for int8 convolutions (`convMultipliers`); an int64 bias (or none)
 * selects the int64 sum and 64-bit requantization, an int32 bias the int32 ones; DEPTHWISE_CONV_2D takes
 * only an int64 bias in TFLite Micro.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { quantizedActivationRange } from '../../ir/quant.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';
import { convMultipliers, perTensorQuant, weightScales } from '../../lower/s8.js';
import type { Conv2dAttrs } from './index.js';
import { packRowsS16 } from '../../lower/dsp-layout.js';

export function lowerConv2dS16(ctx: LowerContext<Conv2dAttrs>): KernelCall[] {
  const { attrs, source, name } = ctx.node;
  const where = describeNode(source);
  const [x, w, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  const bias = ctx.optionalInput(2);
  if (w.dtype !== 'int8' || w.data === undefined || y.dtype !== 'int16' || (bias && ((bias.dtype !== 'int64' && bias.dtype !== 'int32') || bias.data === undefined))) {
    fail('E_UNSUPPORTED_TYPE', `${where}: int16 conv2d needs constant int8 weights, an int64 or int32 constant bias and an int16 output`);
  }
  const [qx, qy] = [x, y].map((t) => perTensorQuant(t, source));
  if (qx.zeroPoint !== 0 || qy.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: int16 conv2d needs input and output zero points 0, got ${qx.zeroPoint} and ${qy.zeroPoint}`);
  const outC = w.shape[0];
  const multipliers = convMultipliers(qx.scale, weightScales(w, outC, 0, where), qy.scale);
  const wide = !bias || bias.dtype === 'int64';
  const maxShift = wide ? 7 : 30;
  if (multipliers.some((q) => q.shift > maxShift)) fail('E_UNSUPPORTED_ATTR', `${where}: int16 conv2d's output scale is too small for its input and weight scales (a multiplier above 2^${maxShift})`);
  const range = quantizedActivationRange(attrs.clamp, qy.scale, 0, -32768, 32767);
  if (range.min > range.max) fail('E_UNSUPPORTED_ATTR', `${where}: the fused activation leaves no int16 value`);
  const shared = multipliers.length === 1;
  const [batch, inH, inW, inC] = x.shape;
  const params = {
    batch, in_h: inH, in_w: inW, in_c: inC, out_h: y.shape[1], out_w: y.shape[2], out_c: outC,
    kernel_h: w.shape[1], kernel_w: w.shape[2], stride_h: attrs.strides[0], stride_w: attrs.strides[1],
    dilation_h: attrs.dilations[0], dilation_w: attrs.dilations[1], pad_top: attrs.pads[0], pad_left: attrs.pads[1],
    groups: attrs.groups,
    multiplier: shared ? multipliers[0].multiplier : 0,
    shift: shared ? multipliers[0].shift : 0,
    act_min: range.min,
    act_max: range.max,
    wide: wide ? 1 : 0,
  };
  const perChannel: CArg[] = shared
    ? [{ value: 0 }, { value: 0 }]
    : [
        { tensor: ctx.addConstant(`${name}_multiplier`, 'int32', [outC], Int32Array.from(multipliers, (q) => q.multiplier)) },
        { tensor: ctx.addConstant(`${name}_shift`, 'int32', [outC], Int32Array.from(multipliers, (q) => q.shift)) },
      ];
  const bias32: CArg = bias && !wide ? { tensor: bias.name } : { value: 0 };
  const bias64: CArg = bias && wide ? { tensor: bias.name } : { value: 0 };
  const groupC = inC / attrs.groups;
  if (ctx.target?.dsp === true && groupC >= 2) {
    /* utvm_conv2d_s16_dsp: SMLAD over each tap's channel run (utvm/conv2d_s16_dsp.h); depthwise stays portable. */
    const packed = packConvS16(w.data as Int8Array, outC, w.shape[1] * w.shape[2], groupC, attrs.groups);
    return [{
      kernel: 'utvm_conv2d_s16_dsp',
      header: 'utvm/conv2d_s16_dsp.h',
      args: [{ params, type: 'utvm_conv2d_params_s16' }, { tensor: x.name }, { tensor: ctx.addConstant(`${w.name}_dsp16`, 'int32', [packed.length], packed) }, bias32, bias64, ...perChannel, { tensor: y.name }],
    }];
  }
  const [kh, kw] = [w.shape[1], w.shape[2]];
  if (ctx.target?.dsp === true && groupC === 1 && attrs.groups === outC && kh * kw <= 511) {
    /* utvm_depthwise_conv2d_s16_dsp (channel multiplier 1): int16 weights [kh][kw][C], int32 sums (kh * kw <= 511). */
    const src = w.data as Int8Array;
    const wt = new Int16Array(kh * kw * outC);
    for (let c = 0; c < outC; c++) for (let t = 0; t < kh * kw; t++) wt[t * outC + c] = src[c * kh * kw + t];
    return [{
      kernel: 'utvm_depthwise_conv2d_s16_dsp',
      header: 'utvm/depthwise_conv2d_s16_dsp.h',
      args: [{ params, type: 'utvm_conv2d_params_s16' }, { tensor: x.name }, { tensor: ctx.addConstant(`${w.name}_dw16`, 'int16', [wt.length], wt) }, bias32, bias64, ...perChannel, { tensor: y.name }],
    }];
  }
  return [{
    kernel: 'utvm_conv2d_s16',
    header: 'utvm/conv2d_s16.h',
    args: [{ params, type: 'utvm_conv2d_params_s16' }, { tensor: x.name }, { tensor: w.name }, bias32, bias64, ...perChannel, { tensor: y.name }],
  }];
}

/**
 * The weight words of utvm_conv2d_s16_dsp (utvm/conv2d_s16_dsp.h): per group, its output channels in blocks
 * of four (zero rows past the group's last), each row the taps' channel runs padded to C4 (zeros), packed
 * by packRowsS16 four rows interleaved: [groups][ceil(group_oc / 4)][taps][C4 / 4][4] words.
 */
function packConvS16(w: Int8Array, outC: number, taps: number, groupC: number, groups: number): Int32Array {
  const c4 = Math.ceil(groupC / 4) * 4;
  const groupOc = outC / groups;
  const parts: Int32Array[] = [];
  for (let g = 0; g < groups; g++) {
    const rows = new Int8Array(groupOc * taps * c4);
    for (let r = 0; r < groupOc; r++) {
      for (let t = 0; t < taps; t++) {
        for (let c = 0; c < groupC; c++) rows[(r * taps + t) * c4 + c] = w[((g * groupOc + r) * taps + t) * groupC + c];
      }
    }
    parts.push(packRowsS16(rows, groupOc, taps * c4, 4));
  }
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
