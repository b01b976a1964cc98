/**
 * ONNX Tile and Expand onto the IR `pad` operator in 'wrap' mode (the kernel copies whole wrapped runs,
 * src/ops/pad.ts), as TFLite's TILE is:
 * - Tile (opset 6+; opset 1's tiles/axis inputs are not read): `repeats`, a constant int64 input with one
 *   value per axis; axis d of n elements becomes n · repeats[d] (wrap padding of n · (repeats[d] − 1)
 *   after it). A repeat of 0 (an empty tensor) is not supported.
 * - Expand (opset 8+): broadcasts the input to the constant `shape` input, numpy style: the shorter of
 *   the two is aligned to the right, a 1 of either side takes the other's size. A reshape first gives
 *   the input the output's rank when it is lower; each size-1 axis that grows then wraps n − 1 times.
 * Constant inputs fold. Both move values, so conversions move across them (QDQ).
 */

import type { ImportContext, OnnxNode } from '../../ops/op.js';
import { constantInts } from './constants.js';

function wrap(ctx: ImportContext, node: OnnxNode, x: string, shape: number[], out: number[]): void {
  const pads = [...shape.map(() => 0), ...shape.map((n, d) => out[d] - n)];
  ctx.add('pad', [x], { mode: 'wrap', pads, value: 0 }, node.outputs.slice(0, 1));
}

export function importTile(node: OnnxNode, ctx: ImportContext): void {
  const shape = ctx.tensor(node.inputs[0]).shape;
  const repeats = constantInts(node, ctx, 1, 'repeats');
  if (repeats === undefined) ctx.invalid(`the 'repeats' input is missing`);
  if (repeats.length !== shape.length) ctx.invalid(`repeats [${repeats}] must have one value per axis of [${shape}]`);
  if (repeats.some((r) => r < 0)) ctx.invalid(`repeats [${repeats}] must not be negative`);
  if (repeats.includes(0)) ctx.unsupported(`repeats [${repeats}] with a 0 (an empty tensor)`);
  const out = shape.map((n, d) => n * repeats[d]);
  ctx.checkShape(ctx.tensor(node.inputs[0]).dtype, out);
  wrap(ctx, node, node.inputs[0], shape, out);
}

export function importExpand(node: OnnxNode, ctx: ImportContext): void {
  const x = ctx.tensor(node.inputs[0]);
  const target = constantInts(node, ctx, 1, 'shape');
  if (target === undefined) ctx.invalid(`the 'shape' input is missing`);
  const rank = Math.max(x.shape.length, target.length);
  const lift = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [xs, ts] = [lift(x.shape), lift(target)];
  const out = xs.map((n, d) => {
    const t = ts[d];
    if (t !== n && t !== 1 && n !== 1) ctx.invalid(`cannot broadcast [${x.shape}] to [${target}]: axis ${d} is ${n}, the shape asks for ${t}`);
    if (t < 0) ctx.invalid(`shape [${target}] has a negative dim`);
    return n === 1 ? t : n;
  });
  if (out.includes(0)) ctx.unsupported(`Expand to [${target}] (an empty tensor)`);
  ctx.checkShape(x.dtype, out);
  const input = rank === x.shape.length ? node.inputs[0] : ctx.add('reshape', [node.inputs[0]], { shape: xs })[0];
  if (out.every((n, d) => n === xs[d])) {
    ctx.add('reshape', [input], { shape: out }, node.outputs.slice(0, 1));
    return;
  }
  wrap(ctx, node, input, xs, out);
}
