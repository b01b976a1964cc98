/**
 * The Cortex-M DSP variant of the int8 depthwise convolution: utvm_depthwise_conv2d_3x3_s8_dsp
 * (runtime-c/include/utvm/depthwise_conv2d_s8_dsp.h), chosen at lowering when the target has the DSP
 * extension and the layer is a 3x3 window with depth multiplier 1 and no dilation (any stride and
 * padding), every requantization shift is < 0 and every channel's output stage stays inside int32 (see
 * `channelRecords`) — every depthwise layer of the MLPerf Tiny models.
 *
 * It takes the portable call that src/ops/conv2d/s8.ts prepared (same parameter struct) and swaps the
 * kernel, its weights and its output stage into one constant, per block of four channels c .. c+3
 * (`packBlocks`): the OHWI int8 weights [C, 3, 3, 1], doubled, as 18 int32 words, each tap as
 * {2w[c], 2w[c+2]} and {2w[c+1], 2w[c+3]} in 16-bit lanes, the order in which SXTAB16 splits one 32-bit
 * load of four input channels (doubled so that the kernel's SMMLAR, a rounded high multiply, gives
 * TFLite's doubling one); then the four channels' records {2 · bias, multiplier, right shift r,
 * 2^(r-1) + output_offset · 2^r} (`channelRecords`, which also checks the kernel's exactness conditions).
 * One pointer walks both, which spares the kernel a register.
 */

import type { CArg, KernelCall, LowerContext } from '../op.js';

/** The packed (doubled) weights of the DSP kernel from OHWI weights [channels, 3, 3, 1] (see above). */
export function packDepthwise3x3(w: Int8Array, channels: number): Int32Array {
  const blocks = Math.ceil(channels / 4);
  const out = new Int32Array(blocks * 18);
  const at = (c: number, tap: number) => (c < channels ? 2 * w[c * 9 + tap] : 0);
  const pack = (lo: number, hi: number) => ((hi << 16) | (lo & 0xffff)) | 0;
  for (let b = 0; b < blocks; b++) {
    for (let tap = 0; tap < 9; tap++) {
      const c = 4 * b;
      out[b * 18 + tap * 2] = pack(at(c, tap), at(c + 2, tap));
      out[b * 18 + tap * 2 + 1] = pack(at(c + 1, tap), at(c + 3, tap));
    }
  }
  return out;
}

/** The kernel's constant [ceil(C / 4), 34]: per block, its 18 packed weight words, then 4 records of 4 words. */
export function packBlocks(packed: Int32Array, records: Int32Array, channels: number): Int32Array {
  const blocks = Math.ceil(channels / 4);
  const out = new Int32Array(blocks * 34);
  for (let b = 0; b < blocks; b++) {
    out.set(packed.subarray(b * 18, b * 18 + 18), b * 34);
    out.set(records.subarray(16 * b, Math.min(16 * b + 16, 4 * channels)), b * 34 + 18);
  }
  return out;
}

/** Values of an int32 argument: the constant tensor's data, or `fill` repeated when the arg is NULL (value 0). */
function int32Values<A>(ctx: LowerContext<A>, arg: CArg, count: number, fill: number): number[] {
  if ('tensor' in arg) return Array.from(ctx.graph.tensor(arg.tensor).data as Int32Array);
  return new Array<number>(count).fill(fill);
}

/**
 * The kernel's per-channel records {2 · bias, multiplier, r = -shift, 2^(r-1) + output_offset · 2^r} as a
 * constant, or undefined when a channel does not qualify: a shift >= 0, or |bias| + 256 · Σ|w| ≥ 2^30
 * (x = acc + bias must double inside int32 for SMMLAR), or |high| + 2^(r-1) + |output_offset| · 2^r + 1
 * ≥ 2^31 with |high| ≤ |x| (the multiplier is below 1): the kernel's sum before its final shift.
 */
function channelRecords<A>(ctx: LowerContext<A>, call: KernelCall, weights: Int8Array, channels: number): Int32Array | undefined {
  const requant = (call.args[0] as { params: Record<string, Record<string, number>> }).params.requant;
  const bias = int32Values(ctx, call.args[3], channels, 0);
  const multipliers = int32Values(ctx, call.args[4], channels, requant.multiplier);
  const shifts = int32Values(ctx, call.args[5], channels, requant.shift);
  const offset = requant.output_offset;
  const records = new Int32Array(4 * channels);
  for (let c = 0; c < channels; c++) {
    let sumW = 0;
    for (let k = 0; k < 9; k++) sumW += Math.abs(weights[c * 9 + k]);
    const bound = Math.abs(bias[c]) + 256 * sumW;
    const r = -shifts[c];
    if (r < 1 || bound >= 2 ** 30 || bound + 2 ** (r - 1) + Math.abs(offset) * 2 ** r + 1 >= 2 ** 31) return undefined;
    records.set([2 * bias[c], multipliers[c], r, 2 ** (r - 1) + offset * 2 ** r], 4 * c);
  }
  return records;
}

/** True when the depthwise parameter struct fits the 3x3 DSP kernel. */
export function fitsDepthwise3x3Dsp(params: Record<string, unknown>): boolean {
  return params.kernel_h === 3 && params.kernel_w === 3 && params.depth_multiplier === 1 &&
    params.dilation_h === 1 && params.dilation_w === 1;
}

/**
 * `call` (a utvm_depthwise_conv2d_s8 call: params, input, weights, bias, multipliers, shifts, output)
 * as its DSP variant when the target has the extension and the shape fits; else `call` itself.
 * `weights` are the layer's OHWI int8 weights.
 */
export function depthwiseDspVariant<A>(ctx: LowerContext<A>, call: KernelCall, weights: Int8Array): KernelCall {
  const params = call.args[0];
  if (!ctx.target?.dsp || !('params' in params)) return call;
  const fields = params.params as Record<string, unknown>;
  if (!fitsDepthwise3x3Dsp(fields)) return call;
  const channels = fields.in_c as number;
  const records = channelRecords(ctx, call, weights, channels);
  if (!records) return call;
  const blocks = packBlocks(packDepthwise3x3(weights, channels), records, channels);
  const packed = ctx.addConstant(`${ctx.node.name}_dw3x3`, 'int32', [Math.ceil(channels / 4), 34], blocks);
  const args = [call.args[0], call.args[1], { tensor: packed }, call.args[6]];
  return { kernel: 'utvm_depthwise_conv2d_3x3_s8_dsp', header: 'utvm/depthwise_conv2d_3x3_s8_dsp_const.h', args };
}
