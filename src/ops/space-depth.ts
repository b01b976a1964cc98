/**
 * depth_to_space and space_to_depth: ONNX DepthToSpace (opsets 1, 11, 13: modes DCR and CRD) and
 * SpaceToDepth (opsets 1, 13) as IR operators of their own, on 4-D tensors in either layout.
 *
 * Both are a pure permutation of elements: one `utvm_copy_nd` reading a 6-D strided view of the input
 * (strides computed here), so the operator compiles to exactly one copy. Being operators of their own
 * (rather than reshape → 6-D transpose → reshape, how TFLite's NHWC DEPTH_TO_SPACE is imported in
 * src/ops/transpose.ts) lets the NHWC layout pass move the NCHW ↔ NHWC transposes of the convolutions
 * around them across them (`commuteTranspose` switches `layout`), so that between two convolutions the
 * block move is the only copy, and alone it is one copy too.
 *
 * Semantics, with block size b, logical input (n, c, y, x) of [N, C, H, W] whatever the layout:
 *   depth_to_space: out[n][c'][y·b + i][x·b + j] = in[n][ic][y][x], C' = C / b², with
 *                   ic = (i·b + j)·C' + c' (DCR, depth-column-row: ONNX's default and TensorFlow's) or
 *                   ic = c'·b² + i·b + j (CRD, column-row-depth: PyTorch's pixel_shuffle);
 *   space_to_depth: out[n][(i·b + j)·C + c][y][x] = in[n][c][y·b + i][x·b + j] (DCR's inverse).
 * `layout` 'nchw' stores tensors [N, C, H, W], 'nhwc' stores [N, H, W, C]. int8 tensors move as they
 * are (`movesValues`: quantize and dequantize nodes cross it), so QDQ models run it on int8.
 */

import { describeNode, fail } from '../diagnostics.js';
import type { Node } from '../ir/graph.js';
import type { ImportContext, OnnxNode, TensorType } from './op.js';
import { defineOp } from './op.js';
import { copyNd, copyNdCall, stridesOf } from './transpose.js';

export interface SpaceDepthAttrs {
  block: number;
  /** depth_to_space only: DCR or CRD. */
  mode: 'DCR' | 'CRD';
  layout: 'nchw' | 'nhwc';
}

type Kind = 'depth_to_space' | 'space_to_depth';

/** [N, C, H, W] of a stored shape. */
function logical(shape: readonly number[], layout: SpaceDepthAttrs['layout']): number[] {
  const [n, a, b, c] = shape;
  return layout === 'nchw' ? [n, a, b, c] : [n, c, a, b];
}

function stored(nchw: readonly number[], layout: SpaceDepthAttrs['layout']): number[] {
  const [n, c, h, w] = nchw;
  return layout === 'nchw' ? [n, c, h, w] : [n, h, w, c];
}

/** The output's logical shape, or an error message. */
function outLogical(kind: Kind, [n, c, h, w]: number[], b: number): number[] | string {
  if (kind === 'depth_to_space') {
    if (c % (b * b) !== 0) return `${c} channels are not a multiple of blocksize² = ${b * b}`;
    return [n, c / (b * b), h * b, w * b];
  }
  if (h % b !== 0 || w % b !== 0) return `height ${h} and width ${w} must be multiples of blocksize ${b}`;
  return [n, c * b * b, h / b, w / b];
}

/**
 * The 6-D view of the input that, walked in row-major order, gives the output in its stored order:
 * view dims and the input element strides along them.
 */
function view(kind: Kind, attrs: SpaceDepthAttrs, inShape: readonly number[]): { shape: number[]; strides: number[] } {
  const { block: b, layout } = attrs;
  const [n, c, h, w] = logical(inShape, layout);
  const s = stridesOf(inShape);
  // Element strides of the logical axes n, c, y, x in the stored input.
  const [sn, sc, sy, sx] = layout === 'nchw' ? s : [s[0], s[3], s[1], s[2]];
  if (kind === 'depth_to_space') {
    const co = c / (b * b);
    // out (n, c', y, i, x, j) reads ic = DCR (i·b + j)·C' + c' or CRD c'·b² + i·b + j.
    const [stC, stI, stJ] = attrs.mode === 'DCR' ? [sc, b * co * sc, co * sc] : [b * b * sc, b * sc, sc];
    return layout === 'nchw'
      ? { shape: [n, co, h, b, w, b], strides: [sn, stC, sy, stI, sx, stJ] }
      : { shape: [n, h, b, w, b, co], strides: [sn, sy, stI, sx, stJ, stC] };
  }
  // out (n, i, j, c, y, x) reads input (c, y·b + i, x·b + j).
  const [ho, wo] = [h / b, w / b];
  return layout === 'nchw'
    ? { shape: [n, b, b, c, ho, wo], strides: [sn, sy, sx, sc, b * sy, b * sx] }
    : { shape: [n, ho, wo, b, b, c], strides: [sn, b * sy, b * sx, sy, sx, sc] };
}

function define(kind: Kind) {
  return defineOp<SpaceDepthAttrs>({
    name: kind,
    movesValues: () => 'layout',
    infer({ attrs, inputs, node }) {
      const x = inputs[0];
      const where = describeNode(node.source);
      if (!x || x.shape.length !== 4) fail('E_SHAPE', `${where}: ${kind} needs a 4-D input, got [${x?.shape ?? ''}]`);
      if (!Number.isInteger(attrs.block) || attrs.block < 1) fail('E_MODEL_INVALID', `${where}: blocksize ${attrs.block} must be a positive integer`);
      const out = outLogical(kind, logical(x.shape, attrs.layout), attrs.block);
      if (typeof out === 'string') fail('E_SHAPE', `${where}: ${out}`);
      return [{ dtype: x.dtype, shape: stored(out, attrs.layout), quant: x.quant }];
    },
    // A copy: float64 (the interpreter's float32) and every other element type alike.
    evaluate(attrs, inputs, outputs: TensorType[]) {
      const x = inputs[0]!;
      const v = view(kind, attrs, x.shape);
      return [copyNd(x.data!, outputs[0].dtype, 0, v.shape, v.strides)];
    },
    lower({ node, input, output }) {
      const x = input(0);
      const v = view(kind, node.attrs, x.shape);
      return [copyNdCall(x.name, x.dtype, 0, v.shape, v.strides, output(0).name)];
    },
    // node(transpose(x, NHWC→NCHW)) = transpose(node'(x), NHWC→NCHW) with node' on the NHWC layout; and back.
    commuteTranspose(node: Node<SpaceDepthAttrs>, perm: number[]) {
      const p = perm.join();
      const toNchw = p === '0,3,1,2';
      if (!(toNchw && node.attrs.layout === 'nchw') && !(p === '0,2,3,1' && node.attrs.layout === 'nhwc')) return null;
      return { attrs: { ...node.attrs, layout: toNchw ? 'nhwc' : 'nchw' }, inputs: [...node.inputs] };
    },
    onnx: { [kind === 'depth_to_space' ? 'DepthToSpace' : 'SpaceToDepth']: (node: OnnxNode, ctx: ImportContext) => importOnnx(kind, node, ctx) },
  });
}

function importOnnx(kind: Kind, node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  if (x.shape.length !== 4) ctx.invalid(`${node.opType} needs a 4-D input [N, C, H, W], got [${x.shape}]`);
  if (!node.attrs.has('blocksize')) ctx.invalid(`${node.opType} needs the blocksize attribute`);
  const block = node.attrs.int('blocksize');
  if (!Number.isInteger(block) || block < 1) ctx.invalid(`blocksize ${block} must be a positive integer`);
  const mode = kind === 'depth_to_space' ? node.attrs.string('mode', 'DCR') : 'DCR';
  if (mode !== 'DCR' && mode !== 'CRD') ctx.invalid(`mode '${mode}' is not DCR or CRD`);
  const out = outLogical(kind, [...x.shape], block);
  if (typeof out === 'string') ctx.invalid(out);
  ctx.add(kind, [node.inputs[0]], { block, mode, layout: 'nchw' } satisfies SpaceDepthAttrs, node.outputs);
}

export const depthToSpace = define('depth_to_space');
export const spaceToDepth = define('space_to_depth');
