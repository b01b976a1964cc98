/**
 * Reading ONNX node inputs that must be compile-time constants, and axis normalisation.
 *
 * Many ONNX operators moved attributes into inputs over the opsets (Reshape's shape, Pad's pads,
 * Squeeze/Unsqueeze/ReduceMean axes, Slice's starts/ends...). The compiler supports those inputs only
 * when they are constants — initializers or values that folded at import — since every shape and every
 * kernel parameter is fixed at compile time. These helpers give importers one way to read them and one
 * wording for the error when they are runtime values.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { numberAt, toNumbers } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { ImportContext, OnnxNode } from '../../ops/op.js';

/** True when input `index` of `node` is given (present and not ''). */
export function hasInput(node: OnnxNode, index: number): boolean {
  return index < node.inputs.length && node.inputs[index] !== '';
}

/** Data of constant input `index`, or undefined when the input is omitted; fails if it is a runtime value. */
export function constantInput(node: OnnxNode, ctx: ImportContext, index: number, what: string): TensorData | undefined {
  if (!hasInput(node, index)) return undefined;
  const data = ctx.constant(node.inputs[index]);
  if (data === undefined) {
    const where = describeNode({ op: node.opType, name: node.name });
    fail('E_UNSUPPORTED_ATTR', `${where}: the '${what}' input must be a constant, but '${node.inputs[index]}' is computed at run time`);
  }
  return data;
}

/** Integer values of constant input `index` (int64/int32 shape vectors), or undefined when omitted. */
export function constantInts(node: OnnxNode, ctx: ImportContext, index: number, what: string): number[] | undefined {
  const data = constantInput(node, ctx, index, what);
  return data === undefined ? undefined : toNumbers(data);
}

/** The single value of a constant scalar (or 1-element) input, or undefined when omitted. */
export function constantScalar(node: OnnxNode, ctx: ImportContext, index: number, what: string): number | undefined {
  const data = constantInput(node, ctx, index, what);
  if (data === undefined) return undefined;
  if (data.length !== 1) ctx.invalid(`input '${what}' must hold one value, not ${data.length}`);
  return numberAt(data, 0);
}

/** Maps a possibly negative axis into [0, rank); fails with E_MODEL_INVALID when out of range. */
export function normalizeAxis(ctx: ImportContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    ctx.invalid(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes (negative allowed) and rejects duplicates. */
export function normalizeAxes(ctx: ImportContext, axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => normalizeAxis(ctx, a, rank, what === 'axes' ? 'axis' : what));
  if (new Set(out).size !== out.length) ctx.invalid(`${what} [${axes}] repeat an axis`);
  return out;
}
