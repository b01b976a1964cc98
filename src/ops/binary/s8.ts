/**
 * int8 lowering of add, sub and mul: TensorFlow Lite's quantized ADD and MUL (CMSIS-NN's
 * arm_elementwise_add_s8 / arm_elementwise_mul_s8, TFLite's BroadcastAdd/Mul6DSlow), with every
 * multiplier computed here the way TFLite's Prepare does, in double from the float32 scales:
 *
 *   ADD  left_shift = 20; twice = 2 · max(s_a, s_b);
 *        input multipliers of s_a / twice and s_b / twice, output multiplier of twice / (2^20 · s_out),
 *        each with QuantizeMultiplierSmallerThanOneExp (the real value must lie in (0, 1));
 *   SUB  ADD's parameters, a' − b' instead of a' + b' (utvm_sub_s8, utvm_sub_broadcast_s8), with one
 *        difference found against TFLite Micro (tflm-run): its SUB divides the float32 scales in float32
 *        (each quotient, and 2^20 · s_out, rounded to float32 before QuantizeMultiplier), where ADD divides
 *        in double; the multipliers differ in their low bits and near-ties round the other way. Negating
 *        input 2's multiplier instead of subtracting is not exact: the doubling high multiply rounds exact
 *        ties towards +inf, and with inputs shifted by 2^20 exact ties occur;
 *   MUL  output multiplier of s_a · s_b / s_out with QuantizeMultiplier.
 * The fused activation (`clamp`, real units) becomes the int8 range of the output quantization.
 * Same element counts → the flat kernels utvm_{add,mul}_s8; otherwise the broadcast variants with the
 * strides of the float path (utvm_broadcast_params).
 *
 * A flat ADD or SUB of at least ADD_LUT_MIN_COUNT elements runs utvm_add_lut_s8 instead (every target; for
 * SUB the second table holds −b', which is exact as the kernel only adds the two lookups): each
 * input's rescaling requantize((v − zero point) · 2^20, m, s) depends on one int8 value, so it is
 * computed here for all 256 values into two int32 tables (`addLuts`) — exact, and 2 KB of flash.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import type { SourceRef } from '../../ir/graph.js';
import { QuantizedMultiplier, multiplyByQuantizedMultiplier, quantizeMultiplier, quantizedActivationRange } from '../../ir/quant.js';
import type { PerTensorQuant } from '../../lower/s8.js';
import { activationRangeS8, perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { CArg, Clamp, KernelCall, LowerContext } from '../op.js';
import { lowerAddS8Onnx, onnxRounding } from '../../lower/onnx-rounding.js';

/** TFLite's left shift of int8 ADD inputs (15 for int16: `addParamsS8(..., int16 = true)`). */
export const ADD_LEFT_SHIFT = 20;

/** QuantizeMultiplierSmallerThanOneExp: fails when the real multiplier is not in (0, 1). */
function smallerThanOne(real: number, what: string, source: SourceRef): QuantizedMultiplier {
  if (!(real > 0 && real < 1)) {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: the ${what} multiplier ${real} is not in (0, 1), which int8 ADD requires`);
  }
  return quantizeMultiplier(real);
}

/**
 * The utvm_add_params_s8 fields for inputs a, b and output y. `real` rounds each real multiplier before
 * it is quantized: none for ADD (double), Math.fround for SUB (TFLite Micro computes SUB's in float32).
 */
export function addParamsS8(a: PerTensorQuant, b: PerTensorQuant, y: PerTensorQuant, clamp: Clamp | undefined, source: SourceRef, real = (x: number) => x, int16 = false): Record<string, number> {
  const leftShift = int16 ? 15 : ADD_LEFT_SHIFT;
  const twiceMaxInputScale = 2 * Math.max(a.scale, b.scale);
  const m1 = smallerThanOne(real(a.scale / twiceMaxInputScale), 'input 1', source);
  const m2 = smallerThanOne(real(b.scale / twiceMaxInputScale), 'input 2', source);
  const mo = smallerThanOne(real(twiceMaxInputScale / real(2 ** leftShift * y.scale)), 'output', source);
  const range = quantizedActivationRange(clamp, y.scale, y.zeroPoint, int16 ? -32768 : -128, int16 ? 32767 : 127);
  return {
    input1_offset: -a.zeroPoint,
    input1_multiplier: m1.multiplier,
    input1_shift: m1.shift,
    input2_offset: -b.zeroPoint,
    input2_multiplier: m2.multiplier,
    input2_shift: m2.shift,
    left_shift: leftShift,
    output_multiplier: mo.multiplier,
    output_shift: mo.shift,
    output_offset: y.zeroPoint,
    act_min: range.min,
    act_max: range.max,
  };
}

/** Flat ADDs from this many elements use the table kernel (below it the tables outweigh the data). */
export const ADD_LUT_MIN_COUNT = 1024;

/** lut[v & 255] = requantize((v + offset) · 2^left_shift, multiplier, shift) for every int8 v. */
export function addLut(offset: number, multiplier: number, shift: number): Int32Array {
  const lut = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const v = i < 128 ? i : i - 256;
    lut[i] = multiplyByQuantizedMultiplier((v + offset) * 2 ** ADD_LEFT_SHIFT, multiplier, shift);
  }
  return lut;
}

/**
 * The call of a flat int8 ADD (SUB when `subtract`) of `count` elements: utvm_add_lut_s8 (tables added as
 * constants) when `lut` (by default: count >= ADD_LUT_MIN_COUNT), else utvm_add_s8 / utvm_sub_s8. `a`, `b`, `out` are the tensor arguments.
 */
export function flatAddCall<A>(
  ctx: LowerContext<A>,
  params: Record<string, number>,
  a: CArg,
  b: CArg,
  out: CArg,
  count: number,
  lut = count >= ADD_LUT_MIN_COUNT,
  subtract = false,
): KernelCall {
  const p: CArg = { params, type: 'utvm_add_params_s8' };
  if (!lut) return { kernel: subtract ? 'utvm_sub_s8' : 'utvm_add_s8', header: 'utvm/binary.h', args: [p, a, b, out, { value: count }] };
  const name = ctx.node.name;
  const lutA = ctx.addConstant(`${name}_lut_a`, 'int32', [256], addLut(params.input1_offset, params.input1_multiplier, params.input1_shift));
  const tableB = addLut(params.input2_offset, params.input2_multiplier, params.input2_shift);
  if (subtract) tableB.forEach((v, i) => (tableB[i] = -v)); // |v| < 2^31: the requantized 2^28 range
  const lutB = ctx.addConstant(`${name}_lut_b`, 'int32', [256], tableB);
  return { kernel: 'utvm_add_lut_s8', header: 'utvm/add_lut_s8.h', args: [p, { tensor: lutA }, { tensor: lutB }, a, b, out, { value: count }] };
}

/** The utvm_add_params_s8 fields of a SUB a − b: ADD's, computed in float32 as TFLite Micro does. */
export function subParamsS8(a: PerTensorQuant, b: PerTensorQuant, y: PerTensorQuant, clamp: Clamp | undefined, source: SourceRef): Record<string, number> {
  return addParamsS8(a, b, y, clamp, source, Math.fround);
}

/** The utvm_mul_params_s8 fields for inputs a, b and output y. */
export function mulParamsS8(a: PerTensorQuant, b: PerTensorQuant, y: PerTensorQuant, clamp: Clamp | undefined, source: SourceRef): Record<string, number> {
  const m = quantizeMultiplier((a.scale * b.scale) / y.scale);
  if (m.shift > 30) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: the int8 MUL output multiplier is 2^31 or more`);
  return {
    input1_offset: -a.zeroPoint,
    input2_offset: -b.zeroPoint,
    output_offset: y.zeroPoint,
    output_multiplier: m.multiplier,
    output_shift: m.shift,
    ...activationRangeS8(clamp, y),
  };
}

/**
 * The int8 call of add/sub/mul. `broadcast` gives the utvm_broadcast_params of the float path, or undefined
 * when both inputs have the output's element count.
 */
export function lowerBinaryS8(
  kind: string,
  ctx: LowerContext<{ clamp?: Clamp }>,
  broadcast: () => Record<string, number | number[]>,
): KernelCall[] {
  const { source, attrs } = ctx.node;
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  if (kind !== 'add' && kind !== 'sub' && kind !== 'mul') {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: ${kind} of int8 tensors is not supported (int8 add, sub and mul only)`);
  }
  if (kind === 'sub' && onnxRounding(ctx)) {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(source)}: int8 sub with ONNX rounding is not supported (TFLite SUB only)`);
  }
  requireInt8(source, kind, [a, b, y]);
  const qa = perTensorQuant(a, source);
  const qb = perTensorQuant(b, source);
  const qy = perTensorQuant(y, source);
  const params =
    kind === 'add' ? addParamsS8(qa, qb, qy, attrs.clamp, source)
    : kind === 'sub' ? subParamsS8(qa, qb, qy, attrs.clamp, source)
    : mulParamsS8(qa, qb, qy, attrs.clamp, source);
  const p = { params, type: `utvm_${kind === 'sub' ? 'add' : kind}_params_s8` };
  const count = elementCount(y.shape);
  const header = 'utvm/binary.h';
  const flat = elementCount(a.shape) === count && elementCount(b.shape) === count;
  if (flat && kind === 'add' && onnxRounding(ctx)) return lowerAddS8Onnx(ctx, activationRangeS8(attrs.clamp, qy), count);
  if (flat && kind !== 'mul') return [flatAddCall(ctx, params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, count, undefined, kind === 'sub')];
  if (flat) {
    // On a DSP core the flat int8 MUL takes four elements a word (utvm/mul_s8_dsp.h), as CMSIS-NN's arm_elementwise_mul_s8.
    const dsp = ctx.target?.dsp === true;
    return [{
      kernel: `utvm_${kind}_s8${dsp ? '_dsp' : ''}`,
      header: dsp ? 'utvm/mul_s8_dsp.h' : header,
      args: [p, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }],
    }];
  }
  return [{
    kernel: `utvm_${kind}_broadcast_s8`,
    header,
    args: [p, { params: broadcast(), type: 'utvm_broadcast_params' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
  }];
}
