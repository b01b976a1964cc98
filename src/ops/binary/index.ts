/**
 * add, sub, mul, div: elementwise arithmetic with numpy (multidirectional) broadcasting.
 *
 * One family file because the four operators share everything but the scalar function:
 *   - `infer` broadcasts the two shapes (right-aligned; a dim of 1 stretches);
 *   - `evaluate` works on float32/float64/int8/uint8/int16/int32/int64 constants, since shape arithmetic
 *     in exported models (Shape → Gather → Mul → Concat → Reshape) folds through these operators;
 *   - `lower` picks a variant at compile time: `utvm_<op>_f32` when both inputs have the output's
 *     element count (a flat loop), otherwise `utvm_<op>_broadcast_f32` with the output shape and
 *     per-input strides (0 on broadcast dims) collapsed to the fewest dims and padded to UTVM_MAX_RANK;
 *     int8 add/mul go to the quantized kernels the same way (src/ops/binary/s8.ts). A fused activation
 *     (`clamp`, real units, from TFLite) is part of the int8 kernels and a clip after the float ones;
 *   - `commuteTranspose` lets the layout pass move a transpose across the node: runtime inputs must all
 *     be transposed by the same perm (the pass guarantees it), constants are re-laid out.
 * ONNX Add/Sub/Mul/Div opsets 6–14 (opset 6's `broadcast`/`axis` legacy broadcasting included).
 *
 * The broadcast helpers are exported for matmul, whose batch dims broadcast the same way.
 */

import { allocData, DType, TensorData } from '../../ir/dtype.js';
import { elementCount, Node, SourceRef, Tensor } from '../../ir/graph.js';
import { describeNode, fail } from '../../diagnostics.js';
import type { Clamp, GraphEditor, ImportContext, KernelCall, LowerContext, OnnxNode, OpDef, TensorType } from '../op.js';
import { defineOp } from '../op.js';
import { lowerBinaryS8 } from './s8.js';
import { lowerBinaryS16 } from './s16.js';
import { referenceBinary } from './reference.js';
import { clipInPlace } from '../unary/index.js';
import { applyPerm, inversePerm, transpose } from '../transpose.js';
import { elementwiseInt8Form } from '../int8-form.js';
import { MAX_RANK, padToMaxRank } from '../../lower/rank.js';
import { addActivated, isInt8 } from '../../import/tflite-context.js';
import type { TfliteOpContext } from '../../import/tflite-context.js';
import { OptionsType, flatOptions } from '../../import/tflite-options.js';


export type BinaryKind = 'add' | 'sub' | 'mul' | 'div';
export interface BinaryAttrs {
  /** Fused activation in real units (TFLite ADD/MUL); absent = none. */
  clamp?: Clamp;
}

// ---------------------------------------------------------------------------------------------------
// Broadcasting (shared with matmul)

/** The numpy broadcast of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides for reading a contiguous tensor of `shape` as `outShape` (right-aligned), 0 on broadcast dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = outShape.length - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * The fewest dims equivalent to iterating `shape` with the given per-input strides: size-1 dims are
 * dropped and a dim merges into the next one when every input steps over both contiguously.
 * Never returns rank 0 (a scalar is [1]).
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, i) => outStrides[i][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strides.forEach((s, i) => (outStrides[i][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, i) => outStrides[i].push(s[d]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}


/** Calls `fn(outIndex, offsetA, offsetB)` for every element of `outShape`, in row-major order. */
export function forEachBroadcast(outShape: readonly number[], sa: readonly number[], sb: readonly number[], fn: (o: number, ia: number, ib: number) => void): void {
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  const total = elementCount(outShape);
  for (let o = 0; o < total; o++) {
    fn(o, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      ia += sa[d];
      ib += sb[d];
      if (++idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/**
 * The C `utvm_broadcast_params` (runtime-c/include/utvm/binary.h) for iterating `outShape` with one
 * set of strides per input, or undefined when more than MAX_RANK dims remain after collapsing.
 */
export function broadcastParams(outShape: readonly number[], sa: readonly number[], sb: readonly number[]): Record<string, number | number[]> | undefined {
  const c = collapseDims(outShape, [sa, sb]);
  if (c.shape.length > MAX_RANK) return undefined;
  const shape = padToMaxRank(c.shape, 1);
  return {
    outer: elementCount(shape.slice(0, MAX_RANK - 1)),
    shape,
    a_strides: padToMaxRank(c.strides[0], 0),
    b_strides: padToMaxRank(c.strides[1], 0),
  };
}

// ---------------------------------------------------------------------------------------------------
// Reference semantics

const NUMBER_FNS: Record<BinaryKind, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** Integer semantics: wrap-around (the typed array wraps on store), truncating division. */
const INT_FNS: Record<BinaryKind, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => Math.imul(a, b),
  div: (a, b) => {
    if (b === 0) fail('E_MODEL_INVALID', 'integer division by zero while folding a constant Div');
    return Math.trunc(a / b);
  },
};

const BIGINT_FNS: Record<BinaryKind, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => {
    if (b === 0n) fail('E_MODEL_INVALID', 'integer division by zero while folding a constant Div');
    return a / b;
  },
};

/** `kind` applied elementwise to constants a and b broadcast to `out`. */
export function evaluateBinary(kind: BinaryKind, a: Tensor, b: Tensor, out: TensorType): TensorData {
  const result = allocData(out.dtype, elementCount(out.shape));
  const sa = broadcastStrides(a.shape, out.shape);
  const sb = broadcastStrides(b.shape, out.shape);
  if (result instanceof BigInt64Array) {
    const x = a.data as BigInt64Array;
    const y = b.data as BigInt64Array;
    const fn = BIGINT_FNS[kind];
    forEachBroadcast(out.shape, sa, sb, (o, ia, ib) => (result[o] = fn(x[ia], y[ib])));
    return result;
  }
  const floating = out.dtype === 'float32' || out.dtype === 'float64';
  const fn = floating ? NUMBER_FNS[kind] : INT_FNS[kind];
  const x = a.data as Exclude<TensorData, BigInt64Array>;
  const y = b.data as Exclude<TensorData, BigInt64Array>;
  forEachBroadcast(out.shape, sa, sb, (o, ia, ib) => (result[o] = fn(x[ia], y[ib])));
  return result;
}

/**
 * Shape inference of a two-input elementwise operator with numpy broadcasting (the arithmetic ones here,
 * maximum/minimum in minmax.ts): both inputs of one element type, none of `unsupported`.
 */
export function inferBroadcast(kind: string, inputs: (Tensor | undefined)[], node: Node<unknown>, unsupported: readonly DType[]): TensorType[] {
  const a = inputs[0];
  const b = inputs[1];
  if (!a || !b) fail('E_MODEL_INVALID', `${describeNode(node.source)}: ${kind} needs two inputs`);
  if (a.dtype !== b.dtype) {
    fail('E_MODEL_INVALID', `${describeNode(node.source)}: inputs have different element types (${a.dtype} and ${b.dtype})`);
  }
  if (unsupported.includes(a.dtype)) fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: ${kind} of ${a.dtype} tensors is not supported`);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) fail('E_SHAPE', `${describeNode(node.source)}: shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  return [{ dtype: a.dtype, shape }];
}

/** The utvm_broadcast_params of y = f(a, b), or E_UNSUPPORTED_ATTR when they need more than MAX_RANK dims. */
export function broadcastCallParams(source: SourceRef, a: Tensor, b: Tensor, y: Tensor): Record<string, number | number[]> {
  const params = broadcastParams(y.shape, broadcastStrides(a.shape, y.shape), broadcastStrides(b.shape, y.shape));
  if (!params) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: broadcasting [${a.shape}] with [${b.shape}] needs more than ${MAX_RANK} dims, which is not supported`);
  return params;
}

// ---------------------------------------------------------------------------------------------------
// Lowering

function lowerBinary(kind: BinaryKind, ctx: LowerContext<BinaryAttrs>): KernelCall[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const y = ctx.output(0);
  const where = describeNode(ctx.node.source);
  const broadcast = () => broadcastCallParams(ctx.node.source, a, b, y);
  if (a.dtype === 'int8') return lowerBinaryS8(kind, ctx, broadcast);
  if (a.dtype === 'int16' && kind !== 'div') return lowerBinaryS16(kind, ctx, broadcast);
  if (y.dtype !== 'float32' || a.dtype !== 'float32' || b.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${where}: ${kind} of ${a.dtype} tensors is not supported at run time (float32, int8 and int16 add/sub/mul only)`);
  }
  const count = elementCount(y.shape);
  const header = 'utvm/binary.h';
  const call: KernelCall =
    elementCount(a.shape) === count && elementCount(b.shape) === count
      ? { kernel: `utvm_${kind}_f32`, header, args: [{ tensor: a.name }, { tensor: b.name }, { tensor: y.name }, { value: count }] }
      : {
          kernel: `utvm_${kind}_broadcast_f32`,
          header,
          args: [{ params: broadcast(), type: 'utvm_broadcast_params' }, { tensor: a.name }, { tensor: b.name }, { tensor: y.name }],
        };
  const clamp = ctx.node.attrs.clamp;
  return clamp ? [call, clipInPlace(clamp, y.name, count)] : [call];
}

// ---------------------------------------------------------------------------------------------------
// Layout: moving a transpose across the node

/**
 * Inputs for node' with node(transpose(x, perm)) == transpose(node'(x), perm). Runtime inputs keep
 * their names (the layout pass swaps in the untransposed x); a constant c becomes
 * transpose(c expanded to full rank, inverse(perm)), so that broadcasting still lines up.
 */
export function commuteElementwiseInputs(node: Node, perm: readonly number[], editor: GraphEditor): string[] | null {
  const g = editor.graph;
  const rank = perm.length;
  if (node.outputs.some((o) => g.tensor(o).shape.length !== rank)) return null;
  const inv = inversePerm(perm);
  const inputs: string[] = [];
  for (const name of node.inputs) {
    const t = g.tensor(name);
    if (t.data === undefined) {
      if (t.shape.length !== rank) return null;
      inputs.push(name);
    } else if (elementCount(t.shape) === 1) {
      inputs.push(name); // a scalar broadcasts the same way in any layout
    } else {
      const full: Tensor = { ...t, shape: [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape] };
      const shape = applyPerm(full.shape, inv);
      const [data] = transpose.evaluate!({ perm: inv }, [full], [{ dtype: t.dtype, shape }]);
      inputs.push(editor.addConstant(t.name, t.dtype, shape, data));
    }
  }
  return inputs;
}

// ---------------------------------------------------------------------------------------------------
// ONNX import

const ONNX_NAMES: Record<BinaryKind, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' };

/** Opset 6 and older: with broadcast=1, B's dims line up with A's starting at `axis` (default: trailing). */
function legacyBroadcastB(node: OnnxNode, ctx: ImportContext): string {
  const bName = node.inputs[1];
  if (node.opset >= 7 || node.attrs.int('broadcast', 0) === 0 || !node.attrs.has('axis')) return bName;
  const rankA = ctx.tensor(node.inputs[0]).shape.length;
  const shapeB = ctx.tensor(bName).shape;
  let axis = node.attrs.int('axis');
  if (axis < 0) axis += rankA;
  const trailing = rankA - axis - shapeB.length;
  if (axis < 0 || trailing < 0) ctx.invalid(`axis ${node.attrs.int('axis')} does not fit B of shape [${shapeB}] into A of rank ${rankA}`);
  if (trailing === 0) return bName;
  return ctx.add('reshape', [bName], { shape: [...shapeB, ...new Array<number>(trailing).fill(1)] })[0];
}

function importBinary(kind: BinaryKind) {
  return (node: OnnxNode, ctx: ImportContext): void => {
    if (node.inputs.length !== 2 || node.inputs.includes('')) ctx.invalid(`${ONNX_NAMES[kind]} needs exactly two inputs`);
    const b = legacyBroadcastB(node, ctx);
    ctx.add(kind, [node.inputs[0], b], {}, node.outputs);
  };
}

// ---------------------------------------------------------------------------------------------------
// The operators

/** TFLite ADD / SUB / MUL / DIV: the fused activation a clamp of the int8 kernels, a clip node after a float32 one. */
function importTfliteBinary(op: BinaryKind): (c: TfliteOpContext) => void {
  return (c) => addActivated(c, op, [c.input(0), c.input(1)], {}, isInt8(c) || (op !== 'div' && c.outputType(0).dtype === 'int16'));
}

/** The facts only some of the four have: TFLite builtins, int8 form, fused activations. */
type BinaryFacts = Pick<OpDef<BinaryAttrs>, 'tflite' | 'int8Form' | 'fusedClamp'>;

function binaryOp(kind: BinaryKind, facts: BinaryFacts = {}): OpDef<BinaryAttrs> {
  return defineOp<BinaryAttrs>({
    name: kind,
    inPlace: true,
    elementwise: true,
    infer: ({ inputs, node }) => inferBroadcast(kind, inputs, node, ['bool']),
    evaluate(attrs, inputs, outputs) {
      if (attrs.clamp || inputs.some((t) => t?.quant)) {
        fail('E_UNSUPPORTED_ATTR', `folding a ${kind} of quantized or activated constants is not supported`);
      }
      return [evaluateBinary(kind, inputs[0]!, inputs[1]!, outputs[0])];
    },
    reference: (ctx) => [referenceBinary(kind, ctx, () => evaluateBinary(kind, ctx.inputs[0]!, ctx.inputs[1]!, ctx.outputs[0]))],
    lower: (ctx) => lowerBinary(kind, ctx),
    commuteTranspose(node, perm, editor) {
      const inputs = commuteElementwiseInputs(node as Node, perm, editor);
      return inputs ? { attrs: node.attrs, inputs } : null;
    },
    onnx: { [ONNX_NAMES[kind]]: importBinary(kind) },
    ...facts,
  });
}

export const add = binaryOp('add', {
  // int16: TFLite's 16x8 ADD (v3; v5 without pot_scale_int16, the arithmetic TFLite Micro always uses).
  tflite: { ADD: { maxVersion: 5, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.AddOptions, (r, t) => ({ activation: r.int8(t, 0) })), import: importTfliteBinary('add') } },
  int8Form: elementwiseInt8Form,
  fusedClamp: ['int8', 'int16'],
});
export const sub = binaryOp('sub', {
  // int16: TFLite's 16x8 SUB (v3; v5 without pot_scale_int16, the arithmetic TFLite Micro uses).
  tflite: { SUB: { maxVersion: 5, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.SubOptions, (r, t) => ({ activation: r.int8(t, 0) })), import: importTfliteBinary('sub') } },
  fusedClamp: ['int8', 'int16'],
});
export const mul = binaryOp('mul', {
  // int16: TFLite's 16x8 MUL (v4), zero points 0.
  tflite: { MUL: { maxVersion: 4, types: ['float32', 'int8', 'int16'], options: flatOptions(OptionsType.MulOptions, (r, t) => ({ activation: r.int8(t, 0) })), import: importTfliteBinary('mul') } },
  int8Form: elementwiseInt8Form,
  fusedClamp: ['int8', 'int16'],
});
/** TFLite DIV: float32 (TFLite Micro's Div / BroadcastDivSlow: a / b, then the fused activation); DivOptions is union id 29. */
export const div = binaryOp('div', {
  tflite: {
    DIV: {
      maxVersion: 1,
      types: ['float32'],
      options: flatOptions(29, (r, t) => ({ activation: r.int8(t, 0) })),
      import: (c: TfliteOpContext) => {
        if (isInt8(c)) c.unsupported('int8 DIV (float32 only)');
        importTfliteBinary('div')(c);
      },
    },
  },
});
