/**
 * ONNX importers for the operators that only change a tensor's shape: Reshape, Flatten, Squeeze and
 * Unsqueeze. Each computes the final static shape at import time and adds one IR `reshape` (an alias:
 * no kernel, no copy) — see src/ops/reshape.ts, which attaches these importers.
 *
 * Opset differences handled here:
 *   - Reshape-1 takes `shape` as an attribute; from opset 5 it is an input (must be a constant).
 *     A 0 in the shape copies the input dim at that index unless `allowzero=1` (opset 14); one -1 is
 *     inferred from the element count.
 *   - Flatten: `axis` in [-rank, rank] (negative from opset 11), default 1; output is always 2-D.
 *   - Squeeze / Unsqueeze: `axes` attribute before opset 13, an input (must be a constant) from 13.
 *     Squeeze without axes drops every size-1 dim. Unsqueeze axes refer to the output rank and may be
 *     negative and unsorted.
 */

import { elementCount } from '../../ir/graph.js';
import type { ImportContext, OnnxImporter, OnnxNode } from '../../ops/op.js';
import { constantInts, normalizeAxes, normalizeAxis } from './constants.js';

/** Resolves ONNX Reshape's requested shape (with 0 and -1 entries) against the input shape. */
export function resolveReshape(ctx: ImportContext, inShape: readonly number[], requested: readonly number[], allowZero: boolean): number[] {
  const shape = requested.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) ctx.invalid(`shape [${requested}] copies dim ${i} (0) but the input has rank ${inShape.length}`);
      return inShape[i];
    }
    if (d < -1) ctx.invalid(`shape [${requested}] has a negative dim ${d}`);
    return d;
  });
  const inferred = shape.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1) ctx.invalid(`shape [${requested}] has more than one -1`);
  const total = elementCount(inShape);
  if (inferred.length === 1) {
    if (allowZero && requested.includes(0)) ctx.invalid(`shape [${requested}] has both 0 and -1 with allowzero=1`);
    const known = elementCount(shape.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) {
      ctx.invalid(`cannot reshape [${inShape}] (${total} elements) to [${requested}]`);
    }
    shape[inferred[0]] = total / known;
  }
  if (elementCount(shape) !== total) ctx.invalid(`cannot reshape [${inShape}] (${total} elements) to [${requested}]`);
  return shape;
}

function importReshape(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const requested = node.opset < 5 ? node.attrs.ints('shape') : constantInts(node, ctx, 1, 'shape');
  if (requested === undefined) ctx.invalid(`the 'shape' input is missing`);
  const allowZero = node.attrs.int('allowzero', 0) !== 0;
  const shape = resolveReshape(ctx, x.shape, requested, allowZero);
  ctx.add('reshape', [node.inputs[0]], { shape }, node.outputs.slice(0, 1));
}

function importFlatten(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  const rawAxis = node.attrs.int('axis', 1);
  // Flatten's axis may equal the rank (everything goes to the outer dim).
  const axis = rawAxis === rank ? rank : normalizeAxis(ctx, rawAxis, rank);
  const shape = [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis))];
  ctx.add('reshape', [node.inputs[0]], { shape }, node.outputs.slice(0, 1));
}

/** Squeeze/Unsqueeze axes: attribute before opset 13, constant input from 13; undefined when absent. */
function axesOf(node: OnnxNode, ctx: ImportContext): number[] | undefined {
  if (node.opset < 13) return node.attrs.has('axes') ? node.attrs.ints('axes') : undefined;
  return constantInts(node, ctx, 1, 'axes');
}

function importSqueeze(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  const given = axesOf(node, ctx);
  let drop: number[];
  if (given === undefined) {
    drop = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  } else {
    drop = normalizeAxes(ctx, given, rank);
    for (const a of drop) {
      if (x.shape[a] !== 1) ctx.invalid(`cannot squeeze axis ${a} of shape [${x.shape}]: its size is not 1`);
    }
  }
  const shape = x.shape.filter((_, i) => !drop.includes(i));
  ctx.add('reshape', [node.inputs[0]], { shape }, node.outputs.slice(0, 1));
}

function importUnsqueeze(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const given = axesOf(node, ctx);
  if (given === undefined) ctx.invalid(`the 'axes' ${node.opset < 13 ? 'attribute' : 'input'} is missing`);
  const outRank = x.shape.length + given.length;
  const inserted = new Set(normalizeAxes(ctx, given, outRank));
  const shape: number[] = [];
  let next = 0;
  for (let i = 0; i < outRank; i++) shape.push(inserted.has(i) ? 1 : x.shape[next++]);
  ctx.add('reshape', [node.inputs[0]], { shape }, node.outputs.slice(0, 1));
}

export const reshapeOnnxImporters: Record<string, OnnxImporter> = {
  Reshape: importReshape,
  Flatten: importFlatten,
  Squeeze: importSqueeze,
  Unsqueeze: importUnsqueeze,
};
