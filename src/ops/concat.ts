/**
 * concat: joins tensors of the same rank and dtype along one axis (ONNX Concat, opsets 1–13).
 *
 * Attributes: `axis`, already normalised to [0, rank). Every input must match the others on every
 * other dim. Lowering is one `utvm_copy_strided` per non-empty input: viewing each tensor as
 * [outer, extent_i · inner], input i is `outer` contiguous blocks of `extent_i · inner` elements that
 * land in the output at element offset `(sum of earlier extents) · inner`, one output row apart. Any
 * element type works (the kernel copies bytes). A quantized int8 input whose scale or zero point differs
 * from the output's is requantized into its slice instead (`utvm_requantize_s8`, TFLite's Requantize
 * arithmetic). Constant concats (int64 shape vectors built by PyTorch exports) fold through `evaluate`.
 * Across a transpose the axis is remapped through the permutation. TFLite's PACK imports as reshapes
 * (a new size-1 axis) and a concat.
 */

import { bytesOf, allocData } from '../ir/dtype.js';
import type { TensorData } from '../ir/dtype.js';
import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import type { Tensor } from '../ir/graph.js';
import { defineOp } from './op.js';
import type { KernelCall, OpDef } from './op.js';
import { normalizeAxis } from '../import/onnx/constants.js';
import { perTensorQuant, requantizeFields, sameQuant } from '../lower/s8.js';
import type { GraphEditor } from './op.js';
import { inversePerm, transpose } from './transpose.js';
import { elementwiseInt8Form } from './int8-form.js';
import { addActivated, tfliteAxis } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions } from '../import/tflite-options.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../ir/quant.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';

export interface ConcatAttrs {
  axis: number;
}

/** outer = product of dims before `axis`, inner = product of dims after it. */
function split(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: elementCount(shape.slice(0, axis)), inner: elementCount(shape.slice(axis + 1)) };
}

/** A constant `c'` with transpose(c', perm) == c, added through the editor; returns its name. */
function transposeConstant(editor: GraphEditor, t: Tensor, perm: number[]): string {
  const inv = inversePerm(perm);
  const shape = inv.map((p) => t.shape[p]);
  const [data] = transpose.evaluate!({ perm: inv }, [t], [{ dtype: t.dtype, shape }]);
  return editor.addConstant(`${t.name}_t`, t.dtype, shape, data);
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteConcat(c: TfliteOpContext): void {
  const inputs: string[] = [];
  for (let i = 0; c.input(i) !== '' || i === 0; i++) inputs.push(c.input(i));
  const axis = tfliteAxis(c, c.options.axis, c.inputTensor(0).shape.length);
  addActivated(c, 'concat', inputs, { axis }, false);
}

/** PackOptions (BuiltinOptions type 59): values_count, field 0; axis, field 1. */
const PACK_OPTIONS: TfliteOptionsTable<{ count: number; axis: number }> = {
  type: 59,
  read: (r, t) => ({ count: r.int32(t, 0), axis: r.int32(t, 1) }),
  defaults: { count: 0, axis: 0 },
};

/**
 * PACK: the inputs (all of one shape) stacked along a new axis (−rank−1 ≤ axis ≤ rank): each reshaped
 * with a size-1 dim at the axis, then concatenated there. TFLite Micro's kernel copies bytes whatever
 * the quantization; we keep that meaning by requiring int8 inputs quantized as the output (as the
 * converter writes them), since a concat would requantize. Versions 1–3 (float32, int8, int16).
 */
function importTflitePack(c: TfliteOpContext<{ count: number; axis: number }>): void {
  const first = c.inputTensor(0);
  const rank = first.shape.length;
  const count = c.options.count;
  const qy = c.outputType(0).quant;
  const axis = c.options.axis < 0 ? c.options.axis + rank + 1 : c.options.axis;
  if (!Number.isInteger(axis) || axis < 0 || axis > rank) c.invalid(`axis ${c.options.axis} is out of range for rank ${rank} inputs`);
  if (count < 1 || c.input(count - 1) === '' || c.input(count) !== '') c.invalid(`values_count ${count} differs from the operator's inputs`);
  const shape = [...first.shape.slice(0, axis), 1, ...first.shape.slice(axis)];
  const inputs = Array.from({ length: count }, (_, i) => {
    const x = c.inputTensor(i);
    if (x.shape.join() !== first.shape.join()) c.invalid(`input ${i} has shape [${x.shape}], input 0 [${first.shape}]`);
    if (x.dtype === 'int8' && (x.quant?.scale[0] !== qy?.scale[0] || x.quant?.zeroPoint[0] !== qy?.zeroPoint[0])) {
      c.unsupported(`int8 PACK whose input ${i} is quantized unlike its output`);
    }
    return c.b.add('reshape', [c.input(i)], { shape })[0];
  });
  c.b.add('concat', inputs, { axis }, [c.output(0)]);
}

export const concat: OpDef<ConcatAttrs> = defineOp<ConcatAttrs>({
  name: 'concat',
  infer({ attrs, inputs, node }) {
    const xs = inputs.map((t) => t ?? fail('E_MODEL_INVALID', `${describeNode(node.source)}: an input is missing`));
    if (xs.length === 0) fail('E_MODEL_INVALID', `${describeNode(node.source)}: Concat needs at least one input`);
    const first = xs[0];
    const rank = first.shape.length;
    if (attrs.axis < 0 || attrs.axis >= rank) {
      fail('E_SHAPE', `${describeNode(node.source)}: axis ${attrs.axis} is out of range for rank ${rank}`);
    }
    let extent = 0;
    for (const x of xs) {
      const sameDims = x.shape.length === rank && x.shape.every((d, i) => i === attrs.axis || d === first.shape[i]);
      if (!sameDims) {
        fail('E_SHAPE', `${describeNode(node.source)}: cannot concatenate [${first.shape}] and [${x.shape}] on axis ${attrs.axis}`);
      }
      if (x.dtype !== first.dtype) {
        fail('E_MODEL_INVALID', `${describeNode(node.source)}: inputs mix ${first.dtype} and ${x.dtype}`);
      }
      extent += x.shape[attrs.axis];
    }
    const shape = [...first.shape];
    shape[attrs.axis] = extent;
    return [{ dtype: first.dtype, shape, quant: first.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const q = outputs[0].quant;
    const differs = (x: Tensor) => (x.quant?.scale[0] ?? 0) !== (q?.scale[0] ?? 0) || (x.quant?.zeroPoint[0] ?? 0) !== (q?.zeroPoint[0] ?? 0);
    if ((inputs as Tensor[]).some(differs)) {
      // Folding would need TFLite's requantization of each input; such constant concats do not occur in practice.
      fail('E_UNSUPPORTED_ATTR', 'a constant concatenation of inputs with different quantizations is not supported');
    }
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    const { outer, inner } = split(outputs[0].shape, attrs.axis);
    const row = outputs[0].shape[attrs.axis] * inner;
    let offset = 0;
    for (const x of inputs as Tensor[]) {
      const block = x.shape[attrs.axis] * inner;
      const data = x.data as TensorData;
      for (let b = 0; b < outer; b++) {
        (out as Float64Array).set(data.subarray(b * block, (b + 1) * block) as Float64Array, b * row + offset);
      }
      offset += block;
    }
    return [out];
  },
  // Run time: an int8 input quantized unlike the output is requantized into its slice (TFLite's
  // Requantize: MultiplyByQuantizedMultiplier(q − zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out,
  // saturated); the others are copied as `evaluate` does.
  reference({ attrs, inputs, outputs }): TensorData[] {
    const q = outputs[0].quant;
    const xs = inputs.map((x) => {
      const qx = x!.quant;
      if (x!.dtype !== 'int8' || !q || !qx || (qx.scale[0] === q.scale[0] && qx.zeroPoint[0] === q.zeroPoint[0])) return x!;
      const m = quantizeMultiplier(qx.scale[0] / q.scale[0]);
      const src = x!.data as Int8Array;
      const data = new Int8Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = multiplyByQuantizedMultiplier(src[i] - qx.zeroPoint[0], m.multiplier, m.shift) + q.zeroPoint[0];
        data[i] = v < -128 ? -128 : v > 127 ? 127 : v;
      }
      return { ...x!, data, quant: q };
    });
    return concat.evaluate!(attrs, xs, outputs);
  },
  lower({ node, input, output }) {
    const y = output(0);
    const { outer, inner } = split(y.shape, node.attrs.axis);
    const size = bytesOf(y.dtype);
    const calls: KernelCall[] = [];
    const qy = y.dtype === 'int8' && y.quant ? perTensorQuant(y, node.source) : undefined;
    let offset = 0;
    for (let i = 0; i < node.inputs.length; i++) {
      const x = input(i);
      const block = x.shape[node.attrs.axis] * inner;
      const qx = qy ? perTensorQuant(x, node.source) : undefined;
      if (block > 0 && qx && qy && !sameQuant(qx, qy)) {
        const params = { rows: outer, row_size: block, out_row_stride: y.shape[node.attrs.axis] * inner, ...requantizeFields(qx, qy, node.source) };
        calls.push({
          kernel: 'utvm_requantize_s8',
          header: 'utvm/quantize.h',
          args: [{ params, type: 'utvm_requantize_params_s8' }, { tensor: x.name }, { tensor: y.name, elementOffset: offset }],
        });
      } else if (block > 0) {
        const params = { outer, block_bytes: block * size, dst_stride_bytes: y.shape[node.attrs.axis] * inner * size };
        calls.push({
          kernel: 'utvm_copy_strided',
          header: 'utvm/copy.h',
          args: [{ params, type: 'utvm_copy_strided_params' }, { tensor: x.name }, { tensor: y.name, elementOffset: offset }],
        });
      }
      offset += block;
    }
    return calls;
  },
  commuteTranspose(node, perm, editor) {
    // concat_a(transpose(x_i, perm)) == transpose(concat_{perm[a]}(x_i), perm); constants are
    // pre-transposed by the inverse permutation so that the outer transpose restores them.
    const inputs = node.inputs.map((name) => {
      const t = editor.graph.tensor(name);
      return t.data === undefined ? name : transposeConstant(editor, t, perm);
    });
    return { attrs: { axis: perm[node.attrs.axis] }, inputs };
  },
  onnx: {
    Concat(node, ctx) {
      if (node.inputs.length === 0 || node.inputs.some((i) => i === '')) ctx.invalid('Concat needs at least one input and no omitted ones');
      const rank = ctx.tensor(node.inputs[0]).shape.length;
      const axis = normalizeAxis(ctx, node.attrs.int('axis', node.opset < 4 ? 1 : undefined), rank);
      ctx.add('concat', node.inputs, { axis }, node.outputs.slice(0, 1));
    },
  },
  int8Form: elementwiseInt8Form,
  tflite: {
    CONCATENATION: { maxVersion: 2, types: ['float32', 'int8'], options: flatOptions(OptionsType.ConcatenationOptions, (r, t) => ({ axis: r.int32(t, 0), activation: r.int8(t, 1) })), import: importTfliteConcat },
    PACK: { maxVersion: 3, options: PACK_OPTIONS, types: ['float32', 'int8', 'int32'], import: importTflitePack },
  },
});
