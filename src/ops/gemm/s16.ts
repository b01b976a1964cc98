/**
 * gemm with int16 activations and int8 weights: TensorFlow Lite's 16x8 FULLY_CONNECTED, as TFLite Micro's
 * reference kernels compute it (utvm/fully_connected_s16.h has the arithmetic).
 *
 * IR form as for int8 (src/ops/gemm/s8.ts): gemm(A [M, K] int16, W [N, K] int8 constant, bias [N]),
 * transB = 1. The bias is int64 (the converter's default for 16x8: int64 sum and TFLite's 64-bit
 * MultiplyByQuantizedMultiplier) or int32 (int32 sum, the 32-bit one); without a bias the sum is int64,
 * as TFLite Micro's default quantized_bias_type gives. Multipliers as for int8 (`fullyConnectedMultipliers`:
 * per tensor or per output feature, TFLite Micro's CalculateOpDataFullyConnected); the activation range
 * over int16.
 *
 * Kernel: on a core with the DSP extension (`ctx.target.dsp`) utvm_fully_connected_s16_dsp (SMLAD on int16
 * input pairs, four features per pass, int32 partial sums over blocks of 256 features widened to int64), with
 * the weights packed by packRowsS16 and the input offset folded into the bias; utvm_fully_connected_s16
 * elsewhere. Both give the same bits.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import type { Tensor } from '../../ir/graph.js';
import { quantizedActivationRange } from '../../ir/quant.js';
import type { CArg, KernelCall, LowerContext } from '../op.js';
import type { GemmAttrs } from './index.js';
import { perTensorQuant, weightScales } from '../../lower/s8.js';
import { fullyConnectedMultipliers } from './s8.js';
import { packRowsS16 } from '../../lower/dsp-layout.js';

export function lowerGemmS16(ctx: LowerContext<GemmAttrs>): KernelCall[] {
  const { attrs, source, name } = ctx.node;
  const where = describeNode(source);
  const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  const c: Tensor | undefined = ctx.optionalInput(2);
  if (b.dtype !== 'int8' || y.dtype !== 'int16' || (c && c.dtype !== 'int64' && c.dtype !== 'int32') || b.data === undefined || (c && c.data === undefined)) {
    fail('E_UNSUPPORTED_TYPE', `${where}: int16 gemm needs constant int8 weights, an int64 or int32 constant bias and an int16 output`);
  }
  if (attrs.transA || !attrs.transB || attrs.alpha !== 1 || (c && attrs.beta !== 1)) fail('E_UNSUPPORTED_ATTR', `${where}: int16 gemm needs the FULLY_CONNECTED form (W [N, K], alpha = beta = 1)`);
  const [m, k] = a.shape;
  const n = y.shape[1];
  if (c && elementCount(c.shape) !== n) fail('E_UNSUPPORTED_ATTR', `${where}: int16 gemm needs a bias of ${n} values, '${c.name}' is [${c.shape}]`);
  const xq = perTensorQuant(a, source);
  const yq = perTensorQuant(y, source);
  const multipliers = fullyConnectedMultipliers(xq.scale, weightScales(b, n, 0, where), yq.scale);
  const wide = !c || c.dtype === 'int64';
  const maxShift = wide ? 7 : 30;
  if (multipliers.some((q) => q.shift > maxShift)) fail('E_UNSUPPORTED_ATTR', `${where}: int16 gemm's output scale is too small for its input and weight scales (a multiplier above 2^${maxShift})`);
  const range = quantizedActivationRange(attrs.clamp, yq.scale, yq.zeroPoint, -32768, 32767);
  if (range.min > range.max) fail('E_UNSUPPORTED_ATTR', `${where}: the fused activation leaves no int16 value`);
  const shared = multipliers.length === 1;
  const params = {
    batches: m,
    in_features: k,
    out_features: n,
    input_offset: -xq.zeroPoint,
    output_offset: yq.zeroPoint,
    multiplier: shared ? multipliers[0].multiplier : 0,
    shift: shared ? multipliers[0].shift : 0,
    act_min: range.min,
    act_max: range.max,
    wide: wide ? 1 : 0,
  };
  const perChannel: CArg[] = shared
    ? [{ value: 0 }, { value: 0 }]
    : [
        { tensor: ctx.addConstant(`${name}_multiplier`, 'int32', [n], Int32Array.from(multipliers, (q) => q.multiplier)) },
        { tensor: ctx.addConstant(`${name}_shift`, 'int32', [n], Int32Array.from(multipliers, (q) => q.shift)) },
      ];
  if (ctx.target?.dsp === true) return [lowerDsp(ctx, { params, wide, k, n, perChannel })];
  const bias32: CArg = c && !wide ? { tensor: c.name } : { value: 0 };
  const bias64: CArg = c && wide ? { tensor: c.name } : { value: 0 };
  return [{
    kernel: 'utvm_fully_connected_s16',
    header: 'utvm/fully_connected_s16.h',
    args: [{ params, type: 'utvm_fully_connected_params_s16' }, { tensor: a.name }, { tensor: b.name }, bias32, bias64, ...perChannel, { tensor: y.name }],
  }];
}

/** The DSP kernel's call: packed weights, the input offset folded into the bias (params.input_offset 0). */
function lowerDsp(
  ctx: LowerContext<GemmAttrs>,
  o: { params: Record<string, number>; wide: boolean; k: number; n: number; perChannel: CArg[] },
): KernelCall {
  const { name } = ctx.node;
  const [a, b, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  const c: Tensor | undefined = ctx.optionalInput(2);
  const w = b.data as Int8Array;
  const offset = o.params.input_offset;
  const sums = Array.from({ length: o.n }, (_, r) => {
    let s = 0;
    for (let j = 0; j < o.k; j++) s += w[r * o.k + j];
    return s;
  });
  let bias32: CArg = { value: 0 };
  let bias64: CArg = { value: 0 };
  if (o.wide) {
    const given = c?.data as BigInt64Array | undefined;
    if (offset === 0) {
      if (c) bias64 = { tensor: c.name };
    } else {
      const folded = BigInt64Array.from(sums, (s, r) => (given ? given[r] : 0n) + BigInt(offset) * BigInt(s));
      bias64 = { tensor: ctx.addConstant(`${name}_bias_dsp`, 'int64', [o.n], folded) };
    }
  } else {
    const given = c?.data as Int32Array;
    const folded = offset === 0 ? given : Int32Array.from(sums, (s, r) => Number(BigInt.asIntN(32, BigInt(given[r]) + BigInt(offset) * BigInt(s))));
    bias32 = offset === 0 ? { tensor: c!.name } : { tensor: ctx.addConstant(`${name}_bias_dsp`, 'int32', [o.n], folded) };
  }
  const packed = packRowsS16(w, o.n, o.k, 4);
  const wDsp = ctx.addConstant(`${b.name}_dsp16`, 'int32', [packed.length], packed);
  return {
    kernel: 'utvm_fully_connected_s16_dsp',
    header: 'utvm/fully_connected_s16_dsp.h',
    args: [{ params: { ...o.params, input_offset: 0 }, type: 'utvm_fully_connected_params_s16' }, { tensor: a.name }, { tensor: wDsp }, bias32, bias64, ...o.perChannel, { tensor: y.name }],
  };
}
