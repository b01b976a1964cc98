/**
 * ONNX Split onto the IR `slice` operator: one slice per output, consecutive pieces along `axis`
 * (default 0, negative from the end). The sizes come from, by opset:
 * - 1: the `split` attribute or the optional second input;
 * - 2–12: the `split` attribute;
 * - 13–17: the optional `split` input (a constant);
 * - 18+: the `split` input or the `num_outputs` attribute (pieces of ceil(n / num_outputs), the last one
 *   smaller when they do not divide n; there must then be num_outputs outputs).
 * Without either, the axis splits into as many equal pieces as the node has outputs, which must divide
 * it. The sizes must add up to the axis; a piece of size 0 (an empty tensor) is not supported.
 */

import type { ImportContext, OnnxNode } from '../op.js';
import { constantInts, normalizeAxis } from '../../import/onnx/constants.js';

function splitSizes(node: OnnxNode, ctx: ImportContext, n: number): number[] {
  const a = node.attrs;
  const outputs = node.outputs.length;
  let sizes: number[] | undefined;
  if (node.opset < 13) sizes = a.has('split') ? a.ints('split') : node.opset === 1 ? constantInts(node, ctx, 1, 'split') : undefined;
  else sizes = constantInts(node, ctx, 1, 'split');
  if (sizes !== undefined && sizes.length === 0) sizes = undefined;
  if (sizes === undefined && node.opset >= 18 && a.has('num_outputs')) {
    const k = a.int('num_outputs');
    if (k < 1 || k !== outputs) ctx.invalid(`num_outputs ${k} differs from the ${outputs} outputs`);
    const chunk = Math.ceil(n / k);
    if (chunk * (k - 1) >= n) ctx.unsupported(`num_outputs ${k} on an axis of ${n}, which leaves an empty piece`);
    sizes = Array.from({ length: k }, (_, i) => Math.min(chunk, n - i * chunk));
  }
  if (sizes === undefined) {
    if (n % outputs !== 0) ctx.invalid(`${outputs} outputs do not split an axis of ${n} equally`);
    sizes = new Array<number>(outputs).fill(n / outputs);
  }
  if (sizes.length !== outputs) ctx.invalid(`split [${sizes}] gives ${sizes.length} pieces for ${outputs} outputs`);
  if (sizes.some((s) => s < 0) || sizes.reduce((p, q) => p + q, 0) !== n) ctx.invalid(`split [${sizes}] does not add up to the axis's ${n}`);
  if (sizes.includes(0)) ctx.unsupported(`split [${sizes}] with an empty piece`);
  return sizes;
}

export function importSplit(node: OnnxNode, ctx: ImportContext): void {
  const shape = ctx.tensor(node.inputs[0]).shape;
  const axis = normalizeAxis(ctx, node.attrs.int('axis', 0), shape.length);
  const sizes = splitSizes(node, ctx, shape[axis]);
  let at = 0;
  sizes.forEach((size, j) => {
    const starts = shape.map((_, d) => (d === axis ? at : 0));
    const ends = shape.map((n, d) => (d === axis ? at + size : n));
    at += size;
    if (node.outputs[j] === '') return;
    ctx.add('slice', [node.inputs[0]], { starts, ends, steps: shape.map(() => 1) }, [node.outputs[j]]);
  });
}
