/**
 * The fast Cortex-M7 (DSP) variants of the int8 convolution with groups 1, prepared at compile time from
 * what src/ops/conv2d/s8.ts's `lowerDsp` has already computed (packed weights, requantization).
 *
 * utvm_conv2d_1x1_s8_dsp (runtime-c/include/utvm/conv2d_s8_dsp.h): a 1×1 window, no padding, any
 * stride, C_in a multiple of 4. Its output stage reads one record per output channel
 * {bias', multiplier, r, round}: bias' = bias + input_offset · Σw (the window never leaves the input, so
 * the offset folds: the same integer sum, reordered), r = −shift, round = 2^(r−1) + output_zero_point ·
 * 2^r. The kernel's shortcut (SMMULR on 2·acc, then one rounding shift that also adds the output offset)
 * is exact when every channel has r ≥ 1, |acc| < 2^30 and |high| + round < 2^31, with
 * |acc| ≤ |bias'| + 128 · Σ|w| and |high| ≤ |acc|; `channelRecord` checks exactly that, and the caller
 * keeps the general kernel when a channel fails (a left shift, or huge weights or bias). A channel whose
 * output cannot vary (dead channels of trained models: a huge bias and a tiny multiplier) gets a
 * constant record instead.
 */

import type { CValue } from '../../ir/c-value.js';
import { multiplyByQuantizedMultiplier } from '../../ir/quant.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';

/** What `lowerDsp` hands over: the layer's data and its prepared requantization. */
export interface DspConv {
  weights: Int8Array;
  outC: number;
  inC: number;
  bias: Int32Array | undefined;
  /** Minus the input zero point. */
  inputOffset: number;
  multipliers: number[];
  shifts: number[];
  outputOffset: number;
}

/**
 * OHWI int8 weights [rows][k] in the int16 form of utvm_conv_dot_2x2_w16 (runtime-c/include/utvm/
 * conv2d_s8_dsp.h), as int32 words [ceil(rows / 2)][K4 / 4][4]: per channel pair (r0, r1) and chunk j the
 * int16 pairs (w_r0[4j], w_r0[4j+2]), (w_r1[4j], w_r1[4j+2]), (w_r0[4j+1], w_r0[4j+3]), (w_r1[4j+1],
 * w_r1[4j+3]), the first value in the low half; depths past k and the row past an odd count are 0.
 */
export function packRowsS16(w: Int8Array, rows: number, k: number): Int32Array {
  const chunks = Math.ceil(k / 4);
  const pairs = Math.ceil(rows / 2);
  const out = new Int32Array(pairs * chunks * 4);
  const at = (r: number, i: number) => (r < rows && i < k ? w[r * k + i] : 0);
  const pack = (lo: number, hi: number) => ((hi << 16) | (lo & 0xffff)) | 0;
  for (let b = 0; b < pairs; b++) {
    for (let j = 0; j < chunks; j++) {
      const [r0, r1, base] = [2 * b, 2 * b + 1, (b * chunks + j) * 4];
      out[base] = pack(at(r0, 4 * j), at(r0, 4 * j + 2));
      out[base + 1] = pack(at(r1, 4 * j), at(r1, 4 * j + 2));
      out[base + 2] = pack(at(r0, 4 * j + 1), at(r0, 4 * j + 3));
      out[base + 3] = pack(at(r1, 4 * j + 1), at(r1, 4 * j + 3));
    }
  }
  return out;
}

/** The shape utvm_conv2d_1x1_s8_dsp takes: OHWI weights [O, 1, 1, C_in], C_in % 4 == 0, no padding. */
export function fitsPointwiseDsp(weightShape: number[], inC: number, pads: number[]): boolean {
  return weightShape[1] === 1 && weightShape[2] === 1 && inC % 4 === 0 && pads.every((p) => p === 0);
}

/** Values of an int32 requantization argument: the constant's data, or `fill` for every channel (NULL). */
export function int32ArgValues<A>(ctx: LowerContext<A>, arg: CArg, count: number, fill: number): number[] {
  if ('tensor' in arg) return Array.from(ctx.graph.tensor(arg.tensor).data as Int32Array);
  return new Array<number>(count).fill(fill);
}

/**
 * The records {bias', multiplier, r, round} of the 1×1 kernel, [out_c rounded up to even][4] (the padding
 * channel {0, 0, 1, 0}), or undefined when a channel is outside the kernel's exactness conditions.
 */
export function pointwiseRecords(c: DspConv): Int32Array | undefined {
  return channelRecords(c, c.inC, (oc, sum) => (c.bias ? c.bias[oc] : 0) + c.inputOffset * sum, 128);
}

/**
 * The same records for utvm_conv2d_s8_dsp_rec, whose accumulator is bias + Σ w·(x + input_offset) over
 * `k` weights per channel (padded taps add 0): bias as it is, |x + input_offset| ≤ the larger of
 * |−128 + offset| and |127 + offset|.
 */
export function generalRecords(c: DspConv, k: number): Int32Array | undefined {
  const maxInput = Math.max(Math.abs(-128 + c.inputOffset), Math.abs(127 + c.inputOffset));
  return channelRecords(c, k, (oc) => (c.bias ? c.bias[oc] : 0), maxInput);
}

/** Records of channels whose accumulator is biasOf(oc, Σw) + Σ w·v, |v| ≤ maxInput, k weights each. */
function channelRecords(c: DspConv, k: number, biasOf: (oc: number, sum: number) => number, maxInput: number): Int32Array | undefined {
  const rows = c.outC + (c.outC % 2);
  const out = new Int32Array(4 * rows);
  for (let oc = 0; oc < rows; oc++) {
    if (oc >= c.outC) {
      out.set([0, 0, 1, 0], 4 * oc);
      continue;
    }
    let sum = 0;
    let sumAbs = 0;
    for (let i = 0; i < k; i++) {
      const w = c.weights[oc * k + i];
      sum += w;
      sumAbs += Math.abs(w);
    }
    const record = channelRecord(c, oc, biasOf(oc, sum), maxInput * sumAbs);
    if (!record) return undefined;
    out.set(record, 4 * oc);
  }
  return out;
}

/**
 * One channel's record from bias' and the reach of Σ w·x (acc ∈ bias' ± reach). A channel whose output
 * is the same for every acc in that range (a tiny multiplier: TFLite's requantization is monotonic, so
 * both ends decide) becomes the constant record {0, 0, 1, 2v + 1}, which the kernel turns into v.
 */
function channelRecord(c: DspConv, oc: number, bias: number, reach: number): number[] | undefined {
  const [m, shift] = [c.multipliers[oc], c.shifts[oc]];
  const lo = bias - reach;
  const hi = bias + reach;
  if (lo < -(2 ** 31) || hi >= 2 ** 31) return undefined;
  const v = multiplyByQuantizedMultiplier(lo, m, shift) + c.outputOffset;
  if (shift <= 0 && v === multiplyByQuantizedMultiplier(hi, m, shift) + c.outputOffset) return [0, 0, 1, 2 * v + 1];
  const r = -shift;
  const round = 2 ** (r - 1) + c.outputOffset * 2 ** r;
  const accBound = Math.abs(bias) + reach;
  if (r < 1 || accBound >= 2 ** 30 || accBound + Math.abs(round) + 1 >= 2 ** 31) return undefined;
  return [bias, m, r, round];
}

/**
 * The utvm_conv2d_1x1_s8_dsp call for a layer that fits (1×1, no padding, C_in % 4 == 0: the caller
 * checks the shape), or undefined when a channel's records do not qualify. `params` is the geometry of
 * utvm_conv2d_1x1_params_s8 with its requant fields; `packed` the weights already laid out for SMLAD.
 */
export function pointwiseDspCall<A>(
  ctx: LowerContext<A>, c: DspConv, params: CValue, input: string, packed: string, output: string,
): KernelCall | undefined {
  const records = pointwiseRecords(c);
  if (!records) return undefined;
  const rows = c.outC + (c.outC % 2);
  const channels = ctx.addConstant(`${ctx.node.name}_channels`, 'int32', [rows, 4], records);
  const args: CArg[] = [
    { params, type: 'utvm_conv2d_1x1_params_s8' }, { tensor: input }, { tensor: packed }, { tensor: channels }, { tensor: output }, { scratch: true },
  ];
  // In place (see the kernel's header: same address, or the input at the output's tail when out_c > in_c)
  // when output pixel p reads input pixel p: the same [N, H, W].
  const [xs, ys] = [ctx.graph.tensor(input).shape, ctx.graph.tensor(output).shape];
  const inPlace = xs.slice(0, 3).join() === ys.slice(0, 3).join();
  // Scratch: two int16 columns of in_c values (the header's 4 * in_c bytes).
  return { kernel: 'utvm_conv2d_1x1_s8_dsp', header: 'utvm/conv2d_1x1_s8_dsp_const.h', args, ...(inPlace ? { inPlace } : {}), scratchBytes: 4 * c.inC };
}
