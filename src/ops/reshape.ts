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

export interface ReshapeAttrs {
  shape: number[];
}

export const reshape = defineOp<ReshapeAttrs>({
  name: 'reshape',
  alias: true,
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
});
