/**
 * transpose: output dim i is input dim perm[i] (ONNX Transpose semantics).
 *
 * The NHWC layout pass inserts transposes around layout-sensitive operators and then cancels or moves
 * them, so most transposes never reach code generation; the ones that stay (model inputs and outputs in
 * NCHW) run as one generic strided copy whose strides are computed here.
 */

import { bytesOf } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import { allocData } from '../ir/dtype.js';
import { defineOp } from './op.js';
import { padToMaxRank } from '../lower/rank.js';
import { intList } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';

export interface TransposeAttrs {
  perm: number[];
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function applyPerm<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => values[p]);
}

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** Drops size-1 dims and merges runs of dims that stay adjacent: the smallest equivalent transpose. */
export function simplifyTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((p) => shape[p] !== 1);
  // Merge input dims that appear consecutively in the output order.
  const groups: number[][] = [];
  for (const p of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === p) last.push(p);
    else groups.push([p]);
  }
  const order = [...groups].sort((a, b) => a[0] - b[0]);
  const newShape = order.map((g) => g.reduce((acc, d) => acc * shape[d], 1));
  const newPerm = groups.map((g) => order.indexOf(g));
  return { shape: newShape.length ? newShape : [1], perm: newPerm.length ? newPerm : [0] };
}

/**
 * TFLite TRANSPOSE: the permutation is a constant int32 input, with ONNX's meaning (output dim i is
 * input dim perm[i]); TFLite takes no negative entries. Versions (op_version.cc): 1 float32, 2 int8,
 * 3 bool, 4 rank 5, 5 int16, 6 rank 6. We accept float32 and int8 (the types tested against TFLite
 * Micro) up to rank 5, TFLite Micro's own limit (its kernel refuses rank 6): versions 1 to 4.
 */
const TFLITE_MAX_TRANSPOSE_RANK = 5;

function importTfliteTranspose(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  if (x.dtype !== 'float32' && x.dtype !== 'int8') c.unsupported(`TRANSPOSE of ${x.dtype}`);
  const rank = x.shape.length;
  if (rank > TFLITE_MAX_TRANSPOSE_RANK) c.unsupported(`TRANSPOSE of rank ${rank} (TensorFlow Lite Micro's limit is ${TFLITE_MAX_TRANSPOSE_RANK})`);
  const perm = intList(c, 1, 'the permutation');
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    c.invalid(`perm [${perm}] is not a permutation of ${rank} axes`);
  }
  c.b.add('transpose', [c.input(0)], { perm }, [c.output(0)]);
}

export const transpose = defineOp<TransposeAttrs>({
  name: 'transpose',
  movesValues: () => 'layout',
  infer({ attrs, inputs }) {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: applyPerm(x.shape, attrs.perm), quant: x.quant }];
  },
  evaluate(attrs, inputs, outputs) {
    const x = inputs[0]!;
    const data = x.data!;
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape));
    const inStrides = stridesOf(x.shape);
    const outShape = outputs[0].shape;
    const strideOfOut = applyPerm(inStrides, attrs.perm);
    const idx = new Array<number>(outShape.length).fill(0);
    for (let o = 0; o < out.length; o++) {
      let src = 0;
      for (let d = 0; d < idx.length; d++) src += idx[d] * strideOfOut[d];
      (out as unknown as number[])[o] = (data as unknown as number[])[src];
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return [out];
  },
  lower({ node, input, output }) {
    const x = input(0);
    const { shape, perm } = simplifyTranspose(x.shape, node.attrs.perm);
    const inStrides = stridesOf(shape);
    const outShape = applyPerm(shape, perm);
    return [
      {
        kernel: 'utvm_transpose',
        header: 'utvm/transpose.h',
        args: [
          {
            type: 'utvm_transpose_params',
            params: {
              out_shape: padToMaxRank(outShape, 1),
              in_strides: padToMaxRank(applyPerm(inStrides, perm), 0),
              element_bytes: bytesOf(x.dtype),
            },
          },
          { tensor: x.name },
          { tensor: output(0).name },
        ],
      },
    ];
  },
  onnx: {
    Transpose(node, ctx) {
      const x = ctx.tensor(node.inputs[0]);
      const rank = x.shape.length;
      const def = [...Array(rank).keys()].reverse();
      const perm = node.attrs.ints('perm', def).map((p) => (p < 0 ? p + rank : p));
      if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
        ctx.invalid(`perm [${perm}] is not a permutation of ${rank} axes`);
      }
      ctx.add('transpose', [node.inputs[0]], { perm }, node.outputs);
    },
  },
  tflite: { TRANSPOSE: { maxVersion: 4, types: ['float32', 'int8'], import: importTfliteTranspose } },
});
