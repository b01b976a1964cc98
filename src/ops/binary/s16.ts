/**
 * int16 lowering of add, sub and mul: TensorFlow Lite's 16x8 ADD, SUB and MUL as TFLite Micro's reference
 * kernels compute them.
 *   ADD  AddGeneralParamScale / BroadcastAdd6DSlow for int16: the int8 arithmetic of src/ops/binary/s8.ts
 *        with left_shift 15 instead of 20 and the int16 activation range → utvm_add_s16 (same element
 *        counts) or utvm_add_broadcast_s16 (the float path's strides);
 *   SUB  Sub / BroadcastQuantSubSlow for int16: ADD's parameters computed in float32 (as the int8 SUB's,
 *        TFLite Micro's CalculateOpDataSub) with left_shift 15, a' − b' → utvm_sub_s16 / utvm_sub_broadcast_s16;
 *   MUL  MulElementwise / BroadcastMul4DSlow for int16: requantize(a · b) with the int8 MUL's multiplier
 *        (s_a · s_b / s_out, QuantizeMultiplier) → utvm_mul_s16 / utvm_mul_broadcast_s16; a flat MUL on a
 *        DSP core → utvm_mul_s16_dsp (two halfwords a word, SMULBB / SMULTT).
 * Input zero points must be 0, as the converter's symmetric int16 activations have them ((x − zero point)
 * · 2^15 then stays within int32; TFLite Micro's int16 Sub checks it in debug builds); MUL needs the output
 * zero point 0 too, as TFLite Micro's MUL Prepare does.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { quantizeMultiplier, quantizedActivationRange } from '../../ir/quant.js';
import { perTensorQuant } from '../../lower/s8.js';
import type { PerTensorQuant } from '../../lower/s8.js';
import type { Clamp, KernelCall, LowerContext } from '../op.js';
import type { SourceRef } from '../../ir/graph.js';
import { addParamsS8 } from './s8.js';

/** The utvm_mul_params_s8 fields of an int16 MUL (zero points 0). */
function mulParamsS16(a: PerTensorQuant, b: PerTensorQuant, y: PerTensorQuant, clamp: Clamp | undefined, source: SourceRef): Record<string, number> {
  const m = quantizeMultiplier((a.scale * b.scale) / y.scale);
  if (m.shift > 30) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: the int16 MUL output multiplier is 2^31 or more`);
  const range = quantizedActivationRange(clamp, y.scale, y.zeroPoint, -32768, 32767);
  return { input1_offset: 0, input2_offset: 0, output_offset: 0, output_multiplier: m.multiplier, output_shift: m.shift, act_min: range.min, act_max: range.max };
}

export function lowerBinaryS16(kind: string, ctx: LowerContext<{ clamp?: Clamp }>, broadcast: () => Record<string, number | number[]>): KernelCall[] {
  const { source, attrs } = ctx.node;
  const where = describeNode(source);
  const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  if (kind !== 'add' && kind !== 'sub' && kind !== 'mul') fail('E_UNSUPPORTED_TYPE', `${where}: ${kind} of int16 tensors is not supported (int16 add, sub and mul only)`);
  if (b.dtype !== 'int16' || y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: int16 ${kind} needs int16 inputs and output, got ${a.dtype}, ${b.dtype} and ${y.dtype}`);
  const [qa, qb, qy] = [a, b, y].map((t) => perTensorQuant(t, source));
  if (qa.zeroPoint !== 0 || qb.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: int16 ${kind} needs input zero points 0, got ${qa.zeroPoint} and ${qb.zeroPoint}`);
  if (kind === 'mul' && qy.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: int16 mul needs the output zero point 0, got ${qy.zeroPoint}`);
  const params =
    kind === 'mul'
      ? { params: mulParamsS16(qa, qb, qy, attrs.clamp, source), type: 'utvm_mul_params_s8' }
      : { params: addParamsS8(qa, qb, qy, attrs.clamp, source, kind === 'sub' ? Math.fround : undefined, true), type: 'utvm_add_params_s8' };
  const count = elementCount(y.shape);
  if (elementCount(a.shape) === count && elementCount(b.shape) === count) {
    // On a DSP core the flat MUL takes two elements a word (utvm/mul_s16_dsp.h), as CMSIS-NN's arm_elementwise_mul_s16.
    if (kind === 'mul' && ctx.target?.dsp === true) {
      return [{ kernel: 'utvm_mul_s16_dsp', header: 'utvm/mul_s16_dsp.h', args: [params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }];
    }
    const f = params.params;
    if (kind === 'add' && ctx.target?.dsp === true && f.left_shift === 15 && f.input1_shift <= 0 && f.input2_shift <= 0 && f.output_shift <= 0) {
      /* utvm/add_s16_dsp.h argues the short requantization exact under these bounds (input offsets are 0). */
      return [{ kernel: 'utvm_add_s16_dsp', header: 'utvm/add_s16_dsp.h', args: [params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }];
    }
    return [{ kernel: `utvm_${kind}_s16`, header: 'utvm/binary.h', args: [params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }];
  }
  return [{
    kernel: `utvm_${kind}_broadcast_s16`,
    header: 'utvm/binary.h',
    args: [params, { params: broadcast(), type: 'utvm_broadcast_params' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
  }];
}
