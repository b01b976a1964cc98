/**
 * maximum, minimum: the elementwise larger / smaller of two tensors, numpy broadcasting (TFLite MAXIMUM
 * and MINIMUM).
 *
 * As TFLite's kernels, the comparison is `a > b ? a : b` (maximum) and `a < b ? a : b` (minimum) on the
 * stored values: for int8 that is a comparison of the quantized bytes, which means the same thing as the
 * real values only when both inputs and the output share one quantization — required here (the TFLite
 * converter writes it so), E_UNSUPPORTED_ATTR otherwise.
 *
 * int16 (TFLite Micro's kernel runs it as int8: a comparison of the stored values) has the same rule.
 *
 * One kernel per operator and type, utvm_{maximum,minimum}_{f32,s8,s16} (utvm/minmax.h), always with the
 * broadcast parameters of the arithmetic kernels (a flat case collapses to one dim with strides 1 and 1);
 * on a core with the DSP extension int8 takes utvm_{maximum,minimum}_s8_dsp (utvm/minmax_s8_dsp.h: four
 * bytes per SSUB8 + SEL, as CMSIS-NN's arm_maximum_s8 / arm_minimum_s8 use SIMD).
 */

import { allocData, TensorData } from '../../ir/dtype.js';
import { elementCount, Node, Tensor } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import type { KernelCall, LowerContext, OpDef, TensorType } from '../op.js';
import { defineOp } from '../op.js';
import { perTensorQuant, requireInt8, sameQuant } from '../../lower/s8.js';
import { broadcastCallParams, broadcastStrides, commuteElementwiseInputs, forEachBroadcast, inferBroadcast } from './index.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { referenceMinMax } from './reference.js';
import { importVariadicMinMax } from './onnx-variadic.js';

export type MinMaxKind = 'maximum' | 'minimum';

const PICK: Record<MinMaxKind, (a: number, b: number) => boolean> = {
  maximum: (a, b) => a > b,
  minimum: (a, b) => a < b,
};

/** `kind` of constants a and b broadcast to `out` (any element type but int64 and bool). */
export function evaluateMinMax(kind: MinMaxKind, a: Tensor, b: Tensor, out: TensorType): TensorData {
  const result = allocData(out.dtype, elementCount(out.shape));
  const pick = PICK[kind] as (a: unknown, b: unknown) => boolean;
  const x = a.data as ArrayLike<unknown>;
  const y = b.data as ArrayLike<unknown>;
  const r = result as unknown as unknown[];
  forEachBroadcast(out.shape, broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape), (o, ia, ib) => {
    r[o] = pick(x[ia], y[ib]) ? x[ia] : y[ib];
  });
  return result;
}

function lowerMinMax(kind: MinMaxKind, ctx: LowerContext<object>): KernelCall[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  const { source } = ctx.node;
  const where = describeNode(source);
  let type: string;
  if (a.dtype === 'int8' || (a.dtype === 'int16' && b.dtype === 'int16' && y.dtype === 'int16')) {
    if (a.dtype === 'int8') requireInt8(source, kind, [a, b, y]);
    const [qa, qb, qy] = [a, b, y].map((t) => perTensorQuant(t, source));
    if (!sameQuant(qa, qy) || !sameQuant(qb, qy)) {
      fail('E_UNSUPPORTED_ATTR', `${where}: ${a.dtype} ${kind} needs both inputs quantized as the output (scales ${qa.scale}, ${qb.scale}, ${qy.scale}; zero points ${qa.zeroPoint}, ${qb.zeroPoint}, ${qy.zeroPoint})`);
    }
    type = a.dtype === 'int8' ? 's8' : 's16';
  } else if (a.dtype === 'float32' && b.dtype === 'float32' && y.dtype === 'float32') {
    type = 'f32';
  } else {
    fail('E_UNSUPPORTED_TYPE', `${where}: ${kind} of ${a.dtype} tensors is not supported at run time (float32, int8 and int16 only)`);
  }
  const params = broadcastCallParams(source, a, b, y);
  const dsp = type === 's8' && ctx.target?.dsp === true;
  return [{
    kernel: `utvm_${kind}_${type}${dsp ? '_dsp' : ''}`,
    header: dsp ? 'utvm/minmax_s8_dsp.h' : 'utvm/minmax.h',
    args: [{ params, type: 'utvm_broadcast_params' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
  }];
}

function importTfliteMinMax(kind: MinMaxKind): (c: TfliteOpContext) => void {
  return (c) => {
    c.b.add(kind, [c.input(0), c.input(1)], {}, [c.output(0)]);
  };
}

function minMaxOp(kind: MinMaxKind, builtin: string, onnxName: string): OpDef<object> {
  return defineOp<object>({
    name: kind,
    inPlace: true,
    elementwise: true,
    infer: ({ inputs, node }) => inferBroadcast(kind, inputs, node, ['bool', 'int64']),
    evaluate(_attrs, inputs, outputs) {
      if (inputs.some((t) => t?.quant)) fail('E_UNSUPPORTED_ATTR', `folding a ${kind} of quantized constants is not supported`);
      return [evaluateMinMax(kind, inputs[0]!, inputs[1]!, outputs[0])];
    },
    reference: (ctx) => [referenceMinMax(kind, ctx)],
    lower: (ctx) => lowerMinMax(kind, ctx),
    commuteTranspose(node, perm, editor) {
      const inputs = commuteElementwiseInputs(node as Node, perm, editor);
      return inputs ? { attrs: node.attrs, inputs } : null;
    },
    tflite: { [builtin]: { maxVersion: 2, types: ['float32', 'int8', 'int16'], import: importTfliteMinMax(kind) } },
    onnx: { [onnxName]: importVariadicMinMax(kind) },
  });
}

export const maximum = minMaxOp('maximum', 'MAXIMUM', 'Max');
export const minimum = minMaxOp('minimum', 'MINIMUM', 'Min');
