/**
 * softmax over one axis: y = exp(beta · (x - max)) / sum(exp(beta · (x - max))) along `axis` (beta: 1
 * unless given, TFLite's SoftmaxOptions).
 *
 * The tensor is viewed as [outer, n, inner] around the axis (n = its size, inner = the product of the
 * dims after it), computed at compile time; the kernel `utvm_softmax_f32` walks each of the outer·inner
 * lines with stride `inner`, subtracts the line's max for stability, exponentiates, and scales by 1/sum.
 * In place, and it commutes with a transpose by remapping the axis. int8 (TFLite's quantized SOFTMAX)
 * lowers to `utvm_softmax_s8` (src/ops/softmax/s8.ts).
 *
 * Run-time reference (src/reference/): ./reference.ts for int8 and int16 (TFLite's arithmetic), `evaluate` for float.
 *
 * ONNX Softmax: opsets 1–12 coerce the input to 2-D at `axis` (default 1) and normalise over the
 * flattened trailing block — imported as reshape → softmax(axis 1) → reshape back (reshapes are free
 * aliases); opset 13+ normalises over the single `axis` (default -1).
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import { elementCount } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import { normalizeAxis } from '../../import/onnx/constants.js';
import type { ImportContext, OnnxNode } from '../op.js';
import { defineOp } from '../op.js';
import { lowerSoftmaxS8 } from './s8.js';
import { lowerSoftmaxS16 } from './s16.js';
import { softmaxIntegerReference } from './reference.js';
import { UNIT_256, fixedOutputInt8Form } from '../int8-form.js';
import { f32 } from '../../ir/c-value.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions } from '../../import/tflite-options.js';

export interface SoftmaxAttrs {
  /** The normalised axis, in [0, rank). */
  axis: number;
  /** Multiplies x − max before exp (TFLite's beta, a float32); absent = 1. */
  beta?: number;
  /** int8 input only: 'int16' for TFLite's int8 → int16 softmax (output scale 1/65536, zero point −32768). */
  outDtype?: 'int16';
}

/** The [outer, n, inner] view of `shape` around `axis`. */
export function softmaxView(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  return {
    outer: elementCount(shape.slice(0, axis)),
    n: shape[axis],
    inner: elementCount(shape.slice(axis + 1)),
  };
}

function evaluateSoftmax(x: TensorData, shape: readonly number[], axis: number, beta: number): Float64Array {
  const { outer, n, inner } = softmaxView(shape, axis);
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, numberAt(x, base + j * inner));
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp((numberAt(x, base + j * inner) - max) * beta);
        y[base + j * inner] = e;
        sum += e;
      }
      for (let j = 0; j < n; j++) y[base + j * inner] /= sum;
    }
  }
  return y;
}

function importSoftmax(node: OnnxNode, ctx: ImportContext): void {
  if (node.inputs.length !== 1 || node.inputs[0] === '') ctx.invalid('Softmax needs exactly one input');
  const x = node.inputs[0];
  const shape = ctx.tensor(x).shape;
  const rank = shape.length;
  if (rank === 0) ctx.invalid('Softmax of a scalar has no axis');
  if (node.opset >= 13) {
    const axis = normalizeAxis(ctx, node.attrs.int('axis', -1), rank);
    ctx.add('softmax', [x], { axis }, node.outputs);
    return;
  }
  const axis = normalizeAxis(ctx, node.attrs.int('axis', 1), rank);
  // The trailing block [axis, rank) is one axis already when every dim after `axis` is 1.
  if (shape.slice(axis + 1).every((d) => d === 1)) {
    ctx.add('softmax', [x], { axis }, node.outputs);
    return;
  }
  const flat = [elementCount(shape.slice(0, axis)), elementCount(shape.slice(axis))];
  const [x2] = ctx.add('reshape', [x], { shape: flat });
  const [y2] = ctx.add('softmax', [x2], { axis: 1 });
  ctx.add('reshape', [y2], { shape: [...shape] }, node.outputs);
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteSoftmax(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  const axis = x.shape.length - 1;
  const wide = x.dtype === 'int8' && c.outputType(0).dtype === 'int16';
  c.b.add('softmax', [c.input(0)], { axis, beta: c.options.beta, ...(wide ? { outDtype: 'int16' } : {}) }, [c.output(0)]);
}

export const softmax = defineOp<SoftmaxAttrs>({
  name: 'softmax',
  inPlace: true,
  infer({ attrs, inputs, node }) {
    const x = inputs[0];
    if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: softmax needs an input`);
    if (!(attrs.axis >= 0 && attrs.axis < x.shape.length)) {
      fail('E_MODEL_INVALID', `${describeNode(node.source)}: softmax axis ${attrs.axis} is out of range for rank ${x.shape.length}`);
    }
    if (x.dtype !== 'float32' && x.dtype !== 'float64' && x.dtype !== 'int8' && x.dtype !== 'int16') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: softmax of ${x.dtype} tensors is not supported (float32, int8 and int16 only)`);
    }
    if (attrs.outDtype !== undefined && x.dtype !== 'int8') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: softmax from ${x.dtype} to ${attrs.outDtype} is not supported (int8 to int16 is)`);
    }
    // int8: TFLite's only output quantizations (importers set the model's, which must equal it).
    if (attrs.outDtype === 'int16') return [{ dtype: 'int16', shape: [...x.shape], quant: { scale: [1 / 65536], zeroPoint: [-32768] } }];
    const quant = x.dtype === 'int8' ? { scale: [1 / 256], zeroPoint: [-128] } : undefined;
    return [{ dtype: x.dtype, shape: [...x.shape], ...(quant ? { quant } : {}) }];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    if (x.dtype === 'int8' || x.dtype === 'int16') fail('E_UNSUPPORTED_ATTR', `folding an ${x.dtype} softmax of a constant is not supported`);
    const y = evaluateSoftmax(x.data!, x.shape, attrs.axis, attrs.beta ?? 1);
    const out = allocData(outputs[0].dtype, y.length) as Float32Array | Float64Array;
    out.set(y);
    return [out];
  },
  reference({ attrs, inputs, outputs, node }) {
    const y = softmaxIntegerReference(node, attrs.axis, attrs.beta, inputs[0]!, outputs[0]);
    if (y) return [y];
    const x = inputs[0]!;
    const out = allocData(outputs[0].dtype, x.data!.length) as Float32Array | Float64Array;
    out.set(evaluateSoftmax(x.data!, x.shape, attrs.axis, attrs.beta ?? 1));
    return [out];
  },
  lower(ctx) {
    const { node, input, output } = ctx;
    const x = input(0);
    const view = softmaxView(x.shape, node.attrs.axis);
    if (x.dtype === 'int8') return lowerSoftmaxS8(ctx, view);
    if (x.dtype === 'int16') return lowerSoftmaxS16(ctx, view);
    if (x.dtype !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: softmax of ${x.dtype} tensors is not supported at run time (float32, int8 and int16 only)`);
    }
    const params = { ...view, beta: f32(node.attrs.beta ?? 1) };
    return [
      {
        kernel: 'utvm_softmax_f32',
        header: 'utvm/softmax.h',
        args: [{ params, type: 'utvm_softmax_params_f32' }, { tensor: x.name }, { tensor: output(0).name }],
      },
    ];
  },
  commuteTranspose(node, perm) {
    // y = softmax(transpose(x, perm), a): the axis a of the transposed tensor is axis perm[a] of x.
    return { attrs: { ...node.attrs, axis: perm[node.attrs.axis] }, inputs: [...node.inputs] };
  },
  onnx: { Softmax: importSoftmax },
  int8Form: fixedOutputInt8Form(UNIT_256),
  // int16: the output of TFLite's int8 → int16 softmax, and TFLite's 16x8 int16 → int16 softmax (src/ops/softmax/s16.ts).
  tflite: { SOFTMAX: { maxVersion: 3, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.SoftmaxOptions, (r, t) => ({ beta: r.float32(t, 0) })), import: importTfliteSoftmax } },
});
