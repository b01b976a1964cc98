/**
 * reshape: the same elements under a new static shape. An alias of its input: no kernel, no arena space.
 *
 * The ONNX importers for Reshape, Flatten, Squeeze and Unsqueeze (src/import/onnx/reshape.ts) all produce
 * this operator with the final shape computed at import time; so do TFLite's RESHAPE, SQUEEZE and
 * EXPAND_DIMS below. TFLite's SHAPE is registered here too: every shape is static, so it folds into a
 * constant int32 tensor at import.
 */

import { elementCount } from '../ir/graph.js';
import { fail, describeNode } from '../diagnostics.js';
import { defineOp } from './op.js';
import { reshapeOnnxImporters } from '../import/onnx/reshape.js';
import { intList } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions } from '../import/tflite-options.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';

export interface ReshapeAttrs {
  shape: number[];
}

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite

function importTfliteReshape(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  let shape = c.outputType(0).shape;
  if (elementCount(shape) !== elementCount(x.shape)) {
    // An output shape the converter left out: take the new shape (options or constant input), −1 inferred.
    const given = c.options.newShape ?? (c.input(1) ? intList(c, 1, 'shape') : undefined);
    if (!given) c.invalid(`cannot reshape [${x.shape}] to [${shape}]`);
    const known = elementCount(given.filter((d) => d !== -1));
    shape = given.map((d) => (d === -1 ? elementCount(x.shape) / known : d));
  }
  c.b.add('reshape', [c.input(0)], { shape: [...shape] }, [c.output(0)]);
}

/** SqueezeOptions (BuiltinOptions type 30): squeeze_dims, field 0; empty or absent drops every size-1 dim. */
const SQUEEZE_OPTIONS: TfliteOptionsTable<{ squeezeDims: number[] }> = {
  type: 30,
  read: (r, t) => ({ squeezeDims: r.has(t, 0) ? r.int32s(t, 0, 'squeeze_dims') : [] }),
  defaults: { squeezeDims: [] },
};

function importTfliteSqueeze(c: TfliteOpContext<{ squeezeDims: number[] }>): void {
  const x = c.inputTensor(0);
  const rank = x.shape.length;
  const given = c.options.squeezeDims;
  const drop = new Set<number>();
  for (const d of given) {
    const a = d < 0 ? d + rank : d;
    if (!Number.isInteger(a) || a < 0 || a >= rank) c.invalid(`squeeze dim ${d} is out of range for rank ${rank}`);
    if (x.shape[a] !== 1) c.invalid(`cannot squeeze dim ${d} of shape [${x.shape}]: its size is not 1`);
    drop.add(a);
  }
  if (given.length === 0) x.shape.forEach((d, i) => d === 1 && drop.add(i));
  const shape = x.shape.filter((_, i) => !drop.has(i));
  c.b.add('reshape', [c.input(0)], { shape }, [c.output(0)]);
}

/** EXPAND_DIMS: a size-1 dim at `axis` (a constant int32 input of one element, −rank−1 ≤ axis ≤ rank). */
function importTfliteExpandDims(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  const rank = x.shape.length;
  const axes = intList(c, 1, 'axis');
  if (axes.length !== 1) c.invalid(`axis must hold one value, got [${axes}]`);
  const a = axes[0] < 0 ? axes[0] + rank + 1 : axes[0];
  if (a < 0 || a > rank) c.invalid(`axis ${axes[0]} is out of range for rank ${rank}`);
  const shape = [...x.shape.slice(0, a), 1, ...x.shape.slice(a)];
  c.b.add('reshape', [c.input(0)], { shape }, [c.output(0)]);
}

/** SHAPE: folded at import into a constant int32 vector (the out_type int64 is refused: TFLite Micro has only int32). */
function importTfliteShape(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  const out = c.outputType(0);
  if (out.dtype !== 'int32') c.unsupported(`SHAPE with a ${out.dtype} output`);
  const name = c.b.addConstant(c.output(0), 'int32', [x.shape.length], Int32Array.from(x.shape));
  if (name !== c.output(0)) c.b.alias(c.output(0), name);
}

export const reshape = defineOp<ReshapeAttrs>({
  name: 'reshape',
  alias: true,
  movesValues: () => 'layout',
  infer({ attrs, inputs, node }) {
    const x = inputs[0]!;
    if (elementCount(x.shape) !== elementCount(attrs.shape)) {
      fail('E_SHAPE', `${describeNode(node.source)}: cannot reshape [${x.shape}] to [${attrs.shape}]`);
    }
    return [{ dtype: x.dtype, shape: [...attrs.shape], quant: x.quant }];
  },
  evaluate(_attrs, inputs) {
    return [inputs[0]!.data!];
  },
  onnx: reshapeOnnxImporters,
  tflite: {
    RESHAPE: { maxVersion: 1, types: ['float32', 'int8', 'uint8', 'int16', 'int32'], options: flatOptions(OptionsType.ReshapeOptions, (r, t) => ({ newShape: r.has(t, 0) ? r.int32s(t, 0, 'new_shape') : undefined })), import: importTfliteReshape },
    SQUEEZE: { maxVersion: 1, types: ['float32', 'int8', 'uint8', 'int16', 'int32'], options: SQUEEZE_OPTIONS, import: importTfliteSqueeze },
    EXPAND_DIMS: { maxVersion: 1, types: ['float32', 'int8', 'uint8', 'int16', 'int32'], import: importTfliteExpandDims },
    SHAPE: { maxVersion: 1, types: ['float32', 'int8', 'uint8', 'int16', 'int32'], import: importTfliteShape },
  },
});
