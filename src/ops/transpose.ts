/**
 * transpose: output dim i is input dim perm[i] (ONNX Transpose semantics).
 *
 * The NHWC layout pass inserts transposes around layout-sensitive operators and then cancels or moves
 * them, so most transposes never reach code generation; the ones that stay (model inputs and outputs in
 * NCHW) run as one generic strided copy, `utvm_copy_nd`, whose strides are computed here
 * (`copyNdCall`, which slice, split and unpack share). TFLite's DEPTH_TO_SPACE and SPACE_TO_DEPTH are
 * imported here as reshape → 6-D transpose → reshape.
 */

import { bytesOf } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import { allocData } from '../ir/dtype.js';
import { defineOp } from './op.js';
import { describeNode, fail } from '../diagnostics.js';
import { padToMaxRank } from '../lower/rank.js';
import { intList } from '../import/tflite-context.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';
import type { DType, TensorData } from '../ir/dtype.js';
import type { KernelCall } from './op.js';
import { MAX_RANK } from '../lower/rank.js';

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

/** What `utvm_copy_nd` computes, on constant data (the evaluate of transpose and slice). */
export function copyNd(data: TensorData, dtype: DType, offset: number, outShape: readonly number[], inStrides: readonly number[]): TensorData {
  const out = allocData(dtype, elementCount(outShape));
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * inStrides[d];
    (out as unknown as number[])[o] = (data as unknown as number[])[src];
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * One `utvm_copy_nd` reading the strided view (`outShape`, signed element `inStrides`, first source
 * element `offset`) of tensor `x` into the contiguous tensor `y`. Size-1 dims are dropped and a dim
 * merges into the one before it when the two walk the input as one (stride[d-1] = n[d] · stride[d]), so
 * a contiguous view becomes a single memcpy.
 */
export function copyNdCall(x: string, dtype: DType, offset: number, outShape: readonly number[], inStrides: readonly number[], y: string, where?: string): KernelCall {
  const shape: number[] = [];
  const strides: number[] = [];
  outShape.forEach((n, d) => {
    if (n === 1) return;
    const last = shape.length - 1;
    if (last >= 0 && strides[last] === n * inStrides[d]) {
      shape[last] *= n;
      strides[last] = inStrides[d];
    } else {
      shape.push(n);
      strides.push(inStrides[d]);
    }
  });
  if (shape.length > MAX_RANK && where !== undefined) fail('E_UNSUPPORTED_ATTR', `${where}: a copy of ${shape.length} separate dims (after merging) is not supported (at most ${MAX_RANK})`);
  if (shape.length > MAX_RANK) throw new Error(`internal: a ${shape.length}-D strided copy (at most ${MAX_RANK})`);
  return {
    kernel: 'utvm_copy_nd',
    header: 'utvm/copy.h',
    args: [
      { type: 'utvm_copy_nd_params', params: { out_shape: padToMaxRank(shape, 1), in_strides: padToMaxRank(strides, 0), element_bytes: bytesOf(dtype) } },
      { tensor: x, elementOffset: offset || undefined },
      { tensor: y },
    ],
  };
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

/** DepthToSpaceOptions (type 94) and SpaceToDepthOptions (type 19): block_size, field 0. */
const blockOptions = (type: number): TfliteOptionsTable<{ blockSize: number }> => ({
  type,
  read: (r, t) => ({ blockSize: r.int32(t, 0) }),
  defaults: { blockSize: 0 },
});

/**
 * DEPTH_TO_SPACE / SPACE_TO_DEPTH (NHWC, TensorFlow's depth order: channel (i·b + j)·C + c holds block
 * row i, column j): a reshape to [N, H, W, b, b, C] (to space: from [N, H/b, b, W/b, b, C]), the swap of
 * axes 2 and 3, and a reshape back. TFLite Micro runs them on 4-D float32 and int8 (versions 1 and 2);
 * TFLite requires equal input and output quantization, which the layout ops keep.
 */
function importTfliteBlocks(c: TfliteOpContext<{ blockSize: number }>): void {
  const x = c.inputTensor(0);
  if (x.dtype !== 'float32' && x.dtype !== 'int8') c.unsupported(`${c.opName} of ${x.dtype}`);
  if (x.shape.length !== 4) c.invalid(`the input must be 4-D, got [${x.shape}]`);
  const b = c.options.blockSize;
  const [n, h, w, ch] = x.shape;
  if (!Number.isInteger(b) || b < 1) c.invalid(`block_size ${b} must be a positive integer`);
  const toSpace = c.opName === 'DEPTH_TO_SPACE';
  if (toSpace && ch % (b * b) !== 0) c.invalid(`${ch} channels are not a multiple of block_size² = ${b * b}`);
  if (!toSpace && (h % b !== 0 || w % b !== 0)) c.invalid(`height ${h} and width ${w} must be multiples of block_size ${b}`);
  const six = toSpace ? [n, h, w, b, b, ch / (b * b)] : [n, h / b, b, w / b, b, ch];
  const [r] = c.b.add('reshape', [c.input(0)], { shape: six });
  const [t] = c.b.add('transpose', [r], { perm: [0, 1, 3, 2, 4, 5] });
  const out = toSpace ? [n, h * b, w * b, ch / (b * b)] : [n, h / b, w / b, b * b * ch];
  c.b.add('reshape', [t], { shape: out }, [c.output(0)]);
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
    return [copyNd(x.data!, outputs[0].dtype, 0, outputs[0].shape, applyPerm(stridesOf(x.shape), attrs.perm))];
  },
  lower({ node, input, output }) {
    const x = input(0);
    const { shape, perm } = simplifyTranspose(x.shape, node.attrs.perm);
    const inStrides = stridesOf(shape);
    return [copyNdCall(x.name, x.dtype, 0, applyPerm(shape, perm), applyPerm(inStrides, perm), output(0).name, describeNode(node.source))];
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
  tflite: {
    TRANSPOSE: { maxVersion: 4, types: ['float32', 'int8'], import: importTfliteTranspose },
    DEPTH_TO_SPACE: { maxVersion: 2, options: blockOptions(94), types: ['float32', 'int8'], import: importTfliteBlocks },
    SPACE_TO_DEPTH: { maxVersion: 2, options: blockOptions(19), types: ['float32', 'int8'], import: importTfliteBlocks },
  },
});
