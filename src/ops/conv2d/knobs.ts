/**
 * The schedule knobs of the int8 convolution on a DSP core (issue 17: `OpDef.knobs`, `LowerContext.schedule`).
 * Every value of every knob gives the same output bytes: they choose among kernels and output stages that
 * compute TFLite's arithmetic exactly (each kernel's header argues it; tests/ops/conv2d-s8-knobs.test.ts
 * checks every value on the MLPerf layer shapes against TensorFlow Lite Micro). The defaults are the
 * values that measured fastest on all of ic, kws and vww (README's bench section).
 *
 *   variant   'auto': the shape-specialised kernels where they apply (first layer utvm_conv2d_rgb_s8_dsp
 *             for in_c < 4, utvm_conv2d_1x1_s8_dsp for unpadded 1×1); 'general': always the im2col kernel.
 *   requant   output stage of the im2col kernel: 'records' (utvm_conv2d_s8_dsp_rec: one SMMULR and one
 *             rounding shift per output from per-channel records, when every channel qualifies) or
 *             'generic' (utvm_conv2d_s8_dsp: TFLite's 64-bit doubling high multiply from multiplier/shift).
 *   specialise 1: the DSP kernels (first layer, 1×1, im2col with records, depthwise 3×3) as their `_const`
 *             twins, static inline functions compiled at the call site, where the compiler folds the
 *             layer's `static const` parameters (constant loop bounds, window cases, unrolled gathers);
 *             0: the library kernel. Flash: one copy per call (a fused conv2d + add calls once per band).
 *   weights   'int16': the first-layer, 1×1 and record kernels' weights pre-extended to int16 pairs at compile time
 *             (no SXTB16 in the inner loop: 4 LDRD + 8 SMLAD per 16 MACs instead of 3 + 4 + 8; twice the
 *             weight bytes in flash); 'int8': packed bytes. Only with specialise 1 (the `_const` twins take
 *             it as a literal); with 0 the library kernels read int8. Default 'int16' for layers of at most
 *             WEIGHTS16_MAX weights (the flash it costs stays small), else 'int8'.
 */

import { fail, describeNode } from '../../diagnostics.js';
import type { KernelCall, Knob, LowerContext } from '../op.js';
import type { Conv2dAttrs } from './index.js';
import { fitsFirstConvS8 } from './rgb-s8-dsp.js';

export interface ConvKnobValues {
  variant: 'auto' | 'general';
  requant: 'records' | 'generic';
  specialise: 0 | 1;
  weights: 'int8' | 'int16';
}

const VARIANT: Knob = {
  name: 'variant', values: ['auto', 'general'], default: 'auto',
  doc: 'shape-specialised kernel (first layer, 1x1) where it applies, or always the im2col kernel',
};
const REQUANT: Knob = {
  name: 'requant', values: ['records', 'generic'], default: 'records',
  doc: 'im2col kernel output stage: per-channel records (SMMULR + one shift) or the 64-bit TFLite form',
};
const SPECIALISE: Knob = {
  name: 'specialise', values: [0, 1], default: 1,
  doc: '1x1 / depthwise 3x3: kernel inlined at the call with the layer\'s constants folded (flash per call)',
};

/** Layers with at most this many weights default to `weights: 'int16'` (at most 9 KB more flash each). */
export const WEIGHTS16_MAX = 9216;

/** The `weights` knob of a layer of `count` weights. */
function weightsKnob(count: number): Knob {
  return {
    name: 'weights', values: ['int8', 'int16'], default: count <= WEIGHTS16_MAX ? 'int16' : 'int8',
    doc: '1x1 / im2col weights pre-extended to int16 (no SXTB16 in the loop; 2x weight flash); specialise 1 only',
  };
}

/**
 * The library kernels whose `_const` twin takes the same arguments, and its header (the first-layer, 1×1
 * and record kernels' twins also take `weights16`: their lowerings call them).
 */
const CONST_TWINS: Record<string, string> = {
  utvm_depthwise_conv2d_3x3_s8_dsp: 'utvm/depthwise_conv2d_3x3_s8_dsp_const.h',
};

/** `calls` with each kernel that has a `_const` twin replaced by it when `specialise` is 1. */
export function specialised(calls: KernelCall[], knobs: ConvKnobValues): KernelCall[] {
  if (knobs.specialise !== 1) return calls;
  return calls.map((c) => (CONST_TWINS[c.kernel] ? { ...c, kernel: `${c.kernel}_const`, header: CONST_TWINS[c.kernel] } : c));
}

/** The knobs of an int8 conv2d node on `ctx.target` (none off the DSP path or in ONNX rounding). */
export function conv2dS8Knobs(ctx: LowerContext<Conv2dAttrs>): Knob[] {
  const x = ctx.input(0);
  if (x.dtype !== 'int8' || ctx.target?.dsp !== true || (ctx.target.rounding ?? 'tflite') !== 'tflite') return [];
  const { attrs } = ctx.node;
  const w = ctx.input(1);
  if (attrs.groups === 1) {
    const [, kh, kw, inC] = w.shape;
    const special = fitsFirstConvS8(inC, attrs) || (kh === 1 && kw === 1 && attrs.pads.every((p) => p === 0) && inC % 4 === 0);
    const weights = weightsKnob(w.shape[0] * kh * kw * inC);
    return special ? [VARIANT, REQUANT, SPECIALISE, weights] : [REQUANT, SPECIALISE, weights];
  }
  const depthwise3x3 = attrs.groups === x.shape[3] && w.shape[1] === 3 && w.shape[2] === 3 && w.shape[0] === x.shape[3] &&
    attrs.dilations.every((d) => d === 1);
  return depthwise3x3 ? [SPECIALISE] : [];
}

/** The chosen value of each knob (its default when the schedule has none); a value outside its knob's values fails. */
export function convKnobValues(ctx: LowerContext<Conv2dAttrs>): ConvKnobValues {
  const pick = <T extends number | string>(k: Knob): T => {
    const v = ctx.schedule?.[k.name];
    if (v === undefined) return k.default as T;
    if (!k.values.includes(v)) {
      fail('E_USAGE', `${describeNode(ctx.node.source)}: schedule value ${JSON.stringify(v)} for knob '${k.name}' is not one of ${k.values.map((x) => JSON.stringify(x)).join(', ')}`);
    }
    return v as T;
  };
  const w = ctx.input(1).shape;
  return { variant: pick(VARIANT), requant: pick(REQUANT), specialise: pick(SPECIALISE), weights: pick(weightsKnob(w[0] * w[1] * w[2] * w[3])) };
}
