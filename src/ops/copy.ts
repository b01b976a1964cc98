/**
 * copy: the output is a fresh copy of the input (same dtype, shape and quantization).
 *
 * The compile pipeline inserts it where a graph output would otherwise be a graph input or a constant,
 * so that every output owns its own arena bytes. It lowers to one `utvm_copy` (memcpy) and folds on
 * constants. The ONNX Identity and Dropout importers (src/ops/identity.ts) hang here because they are
 * the ONNX operators that mean "the same tensor" — although they produce aliases, not copies.
 */

import { tensorBytes } from '../ir/graph.js';
import { defineOp } from './op.js';
import { identityOnnxImporters } from './identity.js';

export type CopyAttrs = Record<string, never>;

export const copy = defineOp<CopyAttrs>({
  name: 'copy',
  infer({ inputs }) {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: [...x.shape], quant: x.quant }];
  },
  evaluate(_attrs, inputs) {
    return [inputs[0]!.data!.slice()];
  },
  lower({ input, output }) {
    const x = input(0);
    return [
      {
        kernel: 'utvm_copy',
        header: 'utvm/copy.h',
        args: [{ tensor: x.name }, { tensor: output(0).name }, { value: tensorBytes(x) }],
      },
    ];
  },
  commuteTranspose(node) {
    return { attrs: node.attrs, inputs: [...node.inputs] };
  },
  onnx: identityOnnxImporters,
});
