/**
 * int8 lowering of pool2d (TensorFlow Lite's int8 AVERAGE_POOL_2D and MAX_POOL_2D, CMSIS-NN's
 * arm_avgpool_s8 / arm_max_pool_s8).
 *
 * Pooling never requantizes: TFLite requires the input and output quantizations to be the same (scales
 * within 1e-6, equal zero points) and so do we. The fused activation (`clamp`, real units) becomes an
 * int8 range from the output quantization. Average: the int32 sum of the taps inside the input divided
 * by their count, rounding half away from zero; max: the largest tap. Both then clamp. A graph without
 * quantization parameters (an ONNX int8 MaxPool) pools the raw values with no activation.
 *
 * int16 (TFLite's 16x8 pooling, TFLite Micro's int16 AveragePool / MaxPool) is the same arithmetic on
 * int16 values with the int16 activation range: utvm_{max,avg}_pool2d_s16, no DSP variant.
 *
 * On a core with the DSP extension both take four channels per word (CMSIS-NN's arm_max_pool_s8 /
 * arm_avgpool_s8 do the same with SIMD): utvm_max_pool2d_s8_dsp (SSUB8 + SEL) and utvm_avg_pool2d_s8_dsp
 * (SXTAB16 sums in int16 lanes, for windows of at most AVG_POOL_DSP_MAX_TAPS taps).
 */

import { describeNode, fail } from '../../diagnostics.js';
import type { Node, Tensor } from '../../ir/graph.js';
import type { Pool2dAttrs } from './index.js';
import { perTensorQuant } from '../../lower/s8.js';
import { quantizedActivationRange } from '../../ir/quant.js';
import type { CArg, Clamp, KernelCall, Knob, LowerContext } from '../op.js';

/**
 * The most taps of an average window the DSP kernel sums in int16 lanes (UTVM_AVG_POOL_DSP_MAX_TAPS,
 * utvm/pool2d_s8_dsp.h: 255 · 128 < 2^15); larger windows keep the portable kernel.
 */
export const AVG_POOL_DSP_MAX_TAPS = 255;

/**
 * The tuning knob of the int8 average pool's DSP kernel (issue 17): how many words of four channels one
 * pass over the window sums (1: utvm_avg_pool2d_s8_dsp, 2 and 4: its _x2 and _x4 twins, which compute
 * each tap's address once for all the pass's words). The sums, their order and the division are the same,
 * so every value gives the same bytes; only instructions and flash differ. Measured (`utvm-aot tune`):
 * 2 beats 1 on every shape tried (the MLPerf pools; 8 to 256 channels, 2x2 to 25x5 windows; +180 bytes of
 * flash), so it is the default (kws 24,510 → 15,150 instructions, ic 12,460 → 7,950, vww 13,720 → 10,890);
 * 4 is best from 16 channels up (kws 13,160, ic 7,160, vww 9,700) but loses to 1 on 8 and 12 channels: a
 * choice for the tuner.
 */
export const CHANNEL_WORDS: Knob = {
  name: 'channel_words',
  values: [1, 2, 4],
  default: 2,
  doc: 'int8 average pool (DSP): words of 4 channels summed per pass over the window',
};

/** Whether the int8 average pool of `ctx` runs the DSP kernel (int8, a DSP core, a window the int16 lanes hold). */
function avgDsp(ctx: LowerContext<{ kind: 'max' | 'avg' }>, taps: number): boolean {
  return ctx.target?.dsp === true && ctx.node.attrs.kind === 'avg' && ctx.input(0).dtype === 'int8' && taps <= AVG_POOL_DSP_MAX_TAPS;
}

/** The knobs of an int8 pool: `channel_words` when it runs the DSP average kernel on more than one word of channels. */
export function poolS8Knobs(ctx: LowerContext<{ kind: 'max' | 'avg' }>, kernel: [number, number]): Knob[] {
  const channels = ctx.input(0).shape[3] ?? 0;
  return avgDsp(ctx, kernel[0] * kernel[1]) && channels >= 8 ? [CHANNEL_WORDS] : [];
}

/** The int8 (int16) activation range of a pool whose input is `x` and output `y`. */
function poolRange(ctx: LowerContext<{ clamp?: Clamp }>, x: Tensor, y: Tensor): { act_min: number; act_max: number } {
  const { attrs, source } = ctx.node;
  if (!x.quant && !y.quant) {
    if (attrs.clamp) fail('E_MODEL_INVALID', `${describeNode(source)}: a fused activation on int8 pooling needs quantization parameters`);
    return { act_min: -128, act_max: 127 };
  }
  const [lo, hi] = x.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  const qx = perTensorQuant(x, source);
  const qy = perTensorQuant(y, source);
  if (Math.abs(qx.scale - qy.scale) > 1e-6 || qx.zeroPoint !== qy.zeroPoint) {
    fail(
      'E_UNSUPPORTED_ATTR',
      `${describeNode(source)}: ${x.dtype} pooling with input quantization (scale ${qx.scale}, zero point ${qx.zeroPoint}) ` +
        `different from the output's (scale ${qy.scale}, zero point ${qy.zeroPoint}) is not supported`,
    );
  }
  const r = quantizedActivationRange(attrs.clamp, qy.scale, qy.zeroPoint, lo, hi);
  return { act_min: r.min, act_max: r.max };
}

/** The int8 (or int16) pooling call: `window` is the utvm_pool2d_params the float kernels take. */
export function lowerPoolS8(ctx: LowerContext<{ kind: 'max' | 'avg'; clamp?: Clamp }>, window: Record<string, number>): KernelCall[] {
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (y.dtype !== x.dtype) {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: pooling of ${x.dtype} into ${y.dtype} is not supported`);
  }
  const params = { window, ...poolRange(ctx, x, y) };
  const kind = ctx.node.attrs.kind;
  if (x.dtype === 'int16') {
    if (!x.quant) fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: int16 pooling needs quantization parameters`);
    return [{ kernel: `utvm_${kind}_pool2d_s16`, header: 'utvm/pool2d.h', args: [{ params, type: 'utvm_pool2d_params_s8' }, { tensor: x.name }, { tensor: y.name }] }];
  }
  const dsp = ctx.target?.dsp === true && (kind === 'max' || window.kernel_h * window.kernel_w <= AVG_POOL_DSP_MAX_TAPS);
  const tunable = poolS8Knobs(ctx, [window.kernel_h, window.kernel_w]).length > 0;
  const words = tunable ? Number(ctx.schedule?.[CHANNEL_WORDS.name] ?? CHANNEL_WORDS.default) : 1;
  return [{
    kernel: `utvm_${kind}_pool2d_s8${dsp ? '_dsp' : ''}${words > 1 ? `_x${words}` : ''}`,
    header: dsp ? 'utvm/pool2d_s8_dsp.h' : 'utvm/pool2d.h',
    args: [{ params, type: 'utvm_pool2d_params_s8' }, { tensor: x.name }, { tensor: y.name }],
  }];
}

/**
 * Whether the int8 pool `node` is global (one unpadded window over the whole image, into 1x1): a patch
 * stage may then run it a band of input rows at a time (`globalPoolRowsS8`).
 */
export function isGlobalPoolS8(node: Node, x: Tensor, y: Tensor): boolean {
  const a = node.attrs as unknown as Pool2dAttrs;
  return (
    node.op === 'pool2d' && x.dtype === 'int8' && y.dtype === 'int8' && x.shape.length === 4 &&
    a.kernel[0] === x.shape[1] && a.kernel[1] === x.shape[2] && a.dilations.every((d) => d === 1) &&
    a.pads.every((p) => p === 0) && !a.ceilPads && y.shape[1] === 1 && y.shape[2] === 1
  );
}

/**
 * A global int8 pool run band by band (src/lower/patch/stage.ts): `rows` folds `cells` pixels of a band
 * into the int32 accumulator `acc` (4 bytes per channel; the first band starts it), `finish` writes the
 * output from it: the same sums, division and clamp as the whole-image kernels, so the same bytes.
 */
export function globalPoolRowsS8(ctx: LowerContext<{ kind: 'max' | 'avg'; clamp?: Clamp }>, acc: CArg): {
  rows(input: CArg, cells: number, first: boolean): KernelCall;
  finish(output: CArg): KernelCall;
} {
  const x = ctx.input(0);
  const y = ctx.output(0);
  const params = {
    kind: ctx.node.attrs.kind === 'avg' ? 0 : 1,
    channels: x.shape[3],
    count: x.shape[1] * x.shape[2],
    ...poolRange(ctx, x, y),
  };
  const type = 'utvm_pool_rows_params_s8';
  return {
    rows: (input, cells, first) => ({ kernel: 'utvm_pool_rows_s8', header: 'utvm/pool2d.h', args: [{ params, type }, input, acc, { value: cells }, { value: first ? 1 : 0 }] }),
    finish: (output) => ({ kernel: 'utvm_pool_finish_s8', header: 'utvm/pool2d.h', args: [{ params, type }, acc, output] }),
  };
}
