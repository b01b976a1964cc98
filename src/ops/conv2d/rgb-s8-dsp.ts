/**
 * The int8 first-layer convolution on a DSP core: utvm_conv2d_rgb_s8_dsp (runtime-c/include/utvm/
 * conv2d_rgb_s8_dsp.h) for groups 1, dilation 1 and in_c < 4 (RGB or grey images), any kernel size, stride
 * and padding. Chosen by s8.ts ahead of the general DSP kernel, which gathers windows of so few
 * channels byte by byte. Prepared here: the weights packed two channels to a pass with the byte order
 * the kernel's SXTB16 pairs need, the bias padded to even, and per-channel requantization constants
 * (utvm_fast_requant: the short form, valid because the accumulators are bounded, src/lower/fast-requant.ts).
 * When the bound does not hold (never, for int8 images and real weights) the general path runs.
 */

import type { Tensor } from '../../ir/graph.js';
import type { QuantizedMultiplier } from '../../ir/quant.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';
import type { Conv2dAttrs } from './index.js';
import { packRowsS8, paddedBias } from '../../lower/dsp-layout.js';
import { accumulatorBounds, fastRequantHolds } from '../../lower/fast-requant.js';
import { convKnobValues } from './knobs.js';

/** What the lowering needs of a prepared int8 convolution (s8.ts's ConvS8). */
export interface FirstConvS8 {
  ctx: LowerContext<Conv2dAttrs>;
  x: Tensor;
  y: Tensor;
  w: Tensor;
  weights: Int8Array;
  bias?: Tensor;
  inputOffset: number;
  requant: { fields: { output_offset: number; multiplier: number; shift: number; act_min: number; act_max: number } };
}

/** Whether the first-layer kernel handles this convolution's shape. */
export function fitsFirstConvS8(inC: number, attrs: Conv2dAttrs): boolean {
  return inC < 4 && attrs.groups === 1 && attrs.dilations.every((d) => d === 1);
}

/** Each 4-weight chunk [w0 w1 w2 w3] of each row as bytes [w0 w2 w1 w3] (rows padded to K4 with 0). */
export function pairOrderS8(w: Int8Array, rows: number, k: number): Int8Array {
  const k4 = Math.ceil(k / 4) * 4;
  const out = new Int8Array(rows * k4);
  const order = [0, 2, 1, 3];
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k4; i++) {
      const src = (i & ~3) + order[i & 3];
      out[r * k4 + i] = src < k ? w[r * k + src] : 0;
    }
  }
  return out;
}

/**
 * Pair-ordered rows (pairOrderS8: chunks [w0 w2 w1 w3]) as utvm_rgb_pixel_pair's int16 form: per channel pair
 * and chunk the words (w0, w1), (w2, w3) of the first channel, then of the second (the pairs SXTB16 would
 * make), the low half first; the row past an odd count is 0.
 */
export function pairWordsS16(ordered: Int8Array, rows: number, k4: number): Int32Array {
  const chunks = k4 / 4;
  const pairs = Math.ceil(rows / 2);
  const out = new Int32Array(pairs * chunks * 4);
  const pack = (lo: number, hi: number) => ((hi << 16) | (lo & 0xffff)) | 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < chunks; j++) {
      const at = (i: number) => ordered[r * k4 + 4 * j + i];
      const base = ((r >> 1) * chunks + j) * 4 + 2 * (r & 1);
      out[base] = pack(at(0), at(2)); // bytes [w0 w2 w1 w3]: SXTB16 takes bytes 0, 2
      out[base + 1] = pack(at(1), at(3)); // SXTB16 ROR 8: bytes 1, 3
    }
  }
  return out;
}

/** The utvm_fast_requant fields of each channel, [channels rounded up to even][5]. */
export function fastRequantTable(multipliers: QuantizedMultiplier[], channels: number): Int32Array {
  const even = channels + (channels % 2);
  const out = new Int32Array(even * 5);
  for (let c = 0; c < channels; c++) {
    const { multiplier, shift } = multipliers.length === 1 ? multipliers[0] : multipliers[c];
    const right = Math.max(-shift, 0);
    out.set([multiplier, Math.max(shift, 0) + 1, right, right > 0 ? 2 ** (right - 1) : 0, right > 0 ? -1 : 0], c * 5);
  }
  return out;
}

/** The first-layer kernel call, or undefined when it does not apply (the general DSP kernel does). */
export function lowerConvFirstS8(c: FirstConvS8, multipliers: QuantizedMultiplier[]): KernelCall[] | undefined {
  const { ctx } = c;
  const [outC, kernelH, kernelW, inC] = c.w.shape;
  if (!fitsFirstConvS8(inC, ctx.node.attrs) || multipliers.some((m) => m.shift > 30)) return undefined;
  const bias = c.bias?.data as Int32Array | undefined;
  if (!fastRequantHolds(accumulatorBounds(c.weights, outC, bias, 255), multipliers)) return undefined;
  const k = kernelH * kernelW * inC;
  const even = outC + (outC % 2);
  const name = ctx.node.name;
  const knobs = convKnobValues(ctx);
  const w16 = knobs.specialise === 1 && knobs.weights === 'int16';
  const ordered = pairOrderS8(c.weights, outC, k);
  const packed = w16 ? pairWordsS16(ordered, outC, Math.ceil(k / 4) * 4) : packRowsS8(ordered, outC, Math.ceil(k / 4) * 4, 2);
  const w = ctx.addConstant(`${c.w.name}_${w16 ? 'rgb16' : 'rgb'}`, 'int32', [packed.length], packed);
  const biasArg: CArg = bias ? { tensor: ctx.addConstant(`${name}_bias_rgb`, 'int32', [even], paddedBias(bias, even)) } : { value: 0 };
  const table = ctx.addConstant(`${name}_requant_rgb`, 'int32', [even, 5], fastRequantTable(multipliers, outC));
  const { strides, pads } = ctx.node.attrs;
  const [batch, inH, inW] = c.x.shape;
  const params = {
    batch, in_h: inH, in_w: inW, in_c: inC, out_h: c.y.shape[1], out_w: c.y.shape[2], out_c: outC,
    kernel_h: kernelH, kernel_w: kernelW, stride_h: strides[0], stride_w: strides[1], dilation_h: 1, dilation_w: 1,
    pad_top: pads[0], pad_left: pads[1], groups: 1, input_offset: c.inputOffset, requant: c.requant.fields,
  };
  const args: CArg[] = [
    { params, type: 'utvm_conv2d_params_s8' }, { tensor: c.x.name }, { tensor: w }, biasArg, { tensor: table }, { tensor: c.y.name }, { scratch: true },
  ];
  // utvm_conv2d_rgb_s8_dsp_scratch_bytes: two int16 columns of K4 values.
  const scratchBytes = 4 * (Math.ceil(k / 4) * 4);
  if (knobs.specialise === 1) args.push({ value: w16 ? 1 : 0 });
  return [{ kernel: `utvm_conv2d_rgb_s8_dsp${knobs.specialise === 1 ? '_const' : ''}`, header: 'utvm/conv2d_rgb_s8_dsp_const.h', args, scratchBytes }];
}
