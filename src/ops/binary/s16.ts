/**
 * int16 lowering of add: TensorFlow Lite's 16x8 ADD as TFLite Micro's reference kernel computes it
 * (AddGeneralParamScale and BroadcastAdd6DSlow for int16): the int8 arithmetic of src/ops/binary/s8.ts
 * with left_shift 15 instead of 20 and the int16 activation range → utvm_add_s16 (same element counts)
 * or utvm_add_broadcast_s16 (the float path's strides). Input zero points must be 0, as the converter's
 * symmetric int16 activations have them: (x − zero point) · 2^15 then stays within int32.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { perTensorQuant } from '../../lower/s8.js';
import type { Clamp, KernelCall, LowerContext } from '../op.js';
import { addParamsS8 } from './s8.js';

export function lowerAddS16(ctx: LowerContext<{ clamp?: Clamp }>, broadcast: () => Record<string, number | number[]>): KernelCall[] {
  const { source, attrs } = ctx.node;
  const where = describeNode(source);
  const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  if (b.dtype !== 'int16' || y.dtype !== 'int16') fail('E_UNSUPPORTED_TYPE', `${where}: int16 add needs int16 inputs and output, got ${a.dtype}, ${b.dtype} and ${y.dtype}`);
  const [qa, qb, qy] = [a, b, y].map((t) => perTensorQuant(t, source));
  if (qa.zeroPoint !== 0 || qb.zeroPoint !== 0) fail('E_UNSUPPORTED_ATTR', `${where}: int16 add needs input zero points 0, got ${qa.zeroPoint} and ${qb.zeroPoint}`);
  const params = { params: addParamsS8(qa, qb, qy, attrs.clamp, source, undefined, true), type: 'utvm_add_params_s8' };
  const count = elementCount(y.shape);
  if (elementCount(a.shape) === count && elementCount(b.shape) === count) {
    const f = params.params;
    if (ctx.target?.dsp === true && f.left_shift === 15 && f.input1_shift <= 0 && f.input2_shift <= 0 && f.output_shift <= 0) {
      /* utvm/add_s16_dsp.h argues the short requantization exact under these bounds (input offsets are 0). */
      return [{ kernel: 'utvm_add_s16_dsp', header: 'utvm/add_s16_dsp.h', args: [params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }];
    }
    return [{ kernel: 'utvm_add_s16', header: 'utvm/binary.h', args: [params, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }];
  }
  return [{
    kernel: 'utvm_add_broadcast_s16',
    header: 'utvm/binary.h',
    args: [params, { params: broadcast(), type: 'utvm_broadcast_params' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
  }];
}
