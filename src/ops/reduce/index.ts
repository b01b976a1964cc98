/**
 * reduce_max, reduce_min, reduce_sum: the largest, smallest and sum of the elements over a set of axes
 * (TFLite REDUCE_MAX, REDUCE_MIN, SUM). Attributes, shape inference, the TFLite importer and the
 * kept/reduced dim groups of the kernels are reduce_mean's (src/ops/reduce-mean/index.ts), shared.
 *
 * As TFLite Micro's reference kernels (reduce_common.cc at 90b983c2):
 * - max / min compare stored values (`in > current`, starting from the type's lowest / highest value);
 *   for int8 that is TFLite's rule that input and output share one quantization (E_UNSUPPORTED_ATTR
 *   otherwise). Kernels utvm_reduce_minmax_{s8,f32}; on a DSP core (`ctx.target.dsp`) int8 takes
 *   utvm_reduce_minmax_s8_dsp when the innermost group is contiguous: four lanes at a time by SSUB8 +
 *   SEL over the reduced elements (a reduction over the channels) or over four kept elements (a
 *   reduction over height and width, channels kept). The same bits as the portable kernel.
 * - sum: float32 adds in row-major order from 0.0f (utvm_reduce_mean_f32 with scale 1.0f, which
 *   multiplies exactly); int8 is TFLite's QuantizedMeanOrSum with compute_sum (src/ops/reduce-mean/s8.ts,
 *   `lowerReduceSumS8`).
 * The run-time reference (src/reference/) of all three is src/ops/reduce-mean/reference.ts.
 *
 * ONNX ReduceMax, ReduceMin, ReduceSum: ./onnx.ts. Between DequantizeLinear and QuantizeLinear, max and
 * min pick a value (`movesValues: 'pick'`: the dequantize moves after the int8 reduction, exact) and sum
 * becomes the int8 SUM into the quantize's quantization (`int8Form`).
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { elementCount } from '../../ir/graph.js';
import { f32 } from '../../ir/c-value.js';
import { defineOp } from '../op.js';
import type { KernelCall, LowerContext, OpDef } from '../op.js';
import { perTensorQuant, requireInt8, sameQuant } from '../../lower/s8.js';
import { REDUCER_OPTIONS, commuteReduceAxes, forEachReduced, importTfliteReducer, reduceGroups, reducedShape } from '../reduce-mean/index.js';
import type { ReduceAxesAttrs } from '../reduce-mean/index.js';
import { lowerReduceSumS8 } from '../reduce-mean/s8.js';
import { reduceReference } from '../reduce-mean/reference.js';
import { importOnnxReducer } from './onnx.js';
import type { Graph, Node } from '../../ir/graph.js';
import type { Int8Form } from '../int8-form.js';

type Kind = 'max' | 'min' | 'sum';

function evaluateReduce(kind: Kind, attrs: ReduceAxesAttrs, x: { shape: number[]; data?: TensorData; quant?: unknown }, outShape: number[], dtype: Parameters<typeof allocData>[0]): TensorData {
  if (kind === 'sum' && x.quant) fail('E_UNSUPPORTED_ATTR', 'folding a sum of a quantized constant is not supported');
  const acc = new Float64Array(elementCount(outShape)).fill(kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0);
  const data = x.data!;
  forEachReduced(x.shape, attrs.axes, (i, o) => {
    const v = numberAt(data, i);
    if (kind === 'sum') acc[o] = dtype === 'float32' ? Math.fround(acc[o] + v) : acc[o] + v;
    else if (kind === 'max' ? v > acc[o] : v < acc[o]) acc[o] = v;
  });
  const out = allocData(dtype, acc.length);
  for (let o = 0; o < acc.length; o++) {
    if (out instanceof BigInt64Array) out[o] = BigInt(acc[o]);
    else out[o] = acc[o];
  }
  return out;
}

function lowerMinMax(kind: 'max' | 'min', ctx: LowerContext<ReduceAxesAttrs>): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const y = ctx.output(0);
  const where = describeNode(node.source);
  const { shapes, kept, reduced } = reduceGroups(node, x);
  const params = { ...shapes, is_max: kind === 'max' ? 1 : 0 };
  const args = [{ params, type: 'utvm_reduce_minmax_params' }, { tensor: x.name }, { tensor: y.name }];
  if (x.dtype === 'float32' && y.dtype === 'float32') return [{ kernel: 'utvm_reduce_minmax_f32', header: 'utvm/reduce.h', args }];
  if (x.dtype !== 'int8') fail('E_UNSUPPORTED_TYPE', `${where}: reduce_${kind} on ${x.dtype} (only float32 and int8 at run time)`);
  requireInt8(node.source, `reduce_${kind}`, [x, y]);
  const [qx, qy] = [x, y].map((t) => perTensorQuant(t, node.source));
  if (!sameQuant(qx, qy)) {
    fail('E_UNSUPPORTED_ATTR', `${where}: int8 reduce_${kind} needs the output quantized as the input (scales ${qx.scale}, ${qy.scale}; zero points ${qx.zeroPoint}, ${qy.zeroPoint})`);
  }
  // The DSP kernel's two vector forms need the innermost group contiguous and at least 4 long.
  const last = [...kept, ...reduced].find((g) => g.stride === 1);
  const dsp = ctx.target?.dsp === true && last !== undefined && last.size >= 4;
  return [{ kernel: dsp ? 'utvm_reduce_minmax_s8_dsp' : 'utvm_reduce_minmax_s8', header: dsp ? 'utvm/reduce_minmax_s8_dsp.h' : 'utvm/reduce.h', args }];
}

function lowerSum(ctx: LowerContext<ReduceAxesAttrs>): KernelCall[] {
  const { node } = ctx;
  const x = ctx.input(0);
  const { shapes, count } = reduceGroups(node, x);
  if (x.dtype === 'int8') return lowerReduceSumS8(ctx, shapes, count);
  if (x.dtype !== 'float32') fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: reduce_sum on ${x.dtype} (only float32 and int8 at run time)`);
  const params = { ...shapes, scale: f32(1) };
  return [{ kernel: 'utvm_reduce_mean_f32', header: 'utvm/reduce.h', args: [{ params, type: 'utvm_reduce_params_f32' }, { tensor: x.name }, { tensor: ctx.output(0).name }] }];
}

/** reduce_sum between DequantizeLinear and QuantizeLinear: the int8 sum (TFLite's SUM) into the quantize's quantization. */
function sumInt8Form(_g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  return x[0] ? { op: node.op, inputs: [x[0]], attrs: { ...node.attrs } } : null;
}

function reduceOp(kind: Kind, builtin: string, onnxOp: string, axesInput: number): OpDef<ReduceAxesAttrs> {
  const name = `reduce_${kind}`;
  return defineOp<ReduceAxesAttrs>({
    name,
    infer: ({ attrs, inputs, node }) => [{ dtype: inputs[0]!.dtype, shape: reducedShape(inputs[0]!.shape, attrs, node) }],
    evaluate: (attrs, inputs, outputs) => [evaluateReduce(kind, attrs, inputs[0]!, outputs[0].shape, outputs[0].dtype)],
    reference: ({ attrs, node, inputs, outputs }) => [reduceReference(kind, node, attrs.axes, inputs[0]!, outputs[0])],
    lower: (ctx) => (kind === 'sum' ? lowerSum(ctx) : lowerMinMax(kind, ctx)),
    commuteTranspose: commuteReduceAxes,
    // The largest / smallest of dequantized values is the dequantized largest / smallest stored value.
    ...(kind === 'sum' ? { int8Form: sumInt8Form } : { movesValues: () => 'pick' as const }),
    onnx: { [onnxOp]: importOnnxReducer(name, axesInput) },
    tflite: { [builtin]: { maxVersion: 2, options: REDUCER_OPTIONS, types: ['float32', 'int8'], import: importTfliteReducer(name) } },
  });
}

export const reduceMax = reduceOp('max', 'REDUCE_MAX', 'ReduceMax', 18);
export const reduceMin = reduceOp('min', 'REDUCE_MIN', 'ReduceMin', 18);
export const reduceSum = reduceOp('sum', 'SUM', 'ReduceSum', 13);
