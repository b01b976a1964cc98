/**
 * reshape: the same elements under a new static shape. An alias of its input: no kernel, no arena space.
 *
 * The ONNX importers for Reshape, Flatten, Squeeze and Unsqueeze (src/import/onnx/reshape.ts) all produce
 * this operator with the final shape computed at import time.
 */

import { elementCount } from '../ir/graph.js';
import { fail, describeNode } from '../diagnostics.js';
import { defineOp } from './op.js';
import { reshapeOnnxImporters } from '../import/onnx/reshape.js';
import { intList } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import { OptionsType, flatOptions } from '../import/tflite-options.js';

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
  tflite: { RESHAPE: { maxVersion: 1, options: flatOptions(OptionsType.ReshapeOptions, (r, t) => ({ newShape: r.has(t, 0) ? r.int32s(t, 0, 'new_shape') : undefined })), import: importTfliteReshape } },
});
