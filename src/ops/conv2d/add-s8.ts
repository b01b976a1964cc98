/**
 * conv2d_add: an int8 convolution whose output feeds a residual ADD, fused into one node by
 * src/passes/fuse-residual-add.ts so that the convolution's full output never exists.
 *
 *   inputs  [other, x, w, bias?]   other = the ADD's second operand; x, w, bias = the convolution's
 *   outputs [y, rows]              y = the ADD's output; rows = a buffer of `chunkRows` output rows
 *
 * The node runs the convolution a band of `chunkRows` output rows at a time into `rows`, then the ADD of
 * that band with the same rows of `other` into y — TensorFlow Lite's exact arithmetic for both: the
 * convolution is lowered by conv2d's own lowering (whatever kernel it picks for the target) on the band's
 * input rows (a sub-image with its own top/bottom padding), the ADD by src/ops/binary/s8.ts. Element i of
 * y depends on element i of `other` only, read before it is written, so y may overwrite `other` when it
 * dies here (`inPlace`): the arena then holds x, other/y and one band instead of x, other, the conv's
 * output and y. Constants the band lowerings add (packed weights, multipliers, tables) are shared.
 */

import { describeNode, fail } from '../../diagnostics.js';
import type { DType, TensorData } from '../../ir/dtype.js';
import type { Node, Tensor } from '../../ir/graph.js';
import type { CArg, Clamp, KernelCall, LowerContext } from '../op.js';
import { defineOp } from '../op.js';
import { conv2d, convMacs } from './index.js';
import type { Conv2dAttrs } from './index.js';
import { addParamsS8, flatAddCall } from '../binary/s8.js';
import { perTensorQuant } from '../../lower/s8.js';
import type { Quant } from '../../ir/graph.js';
import type { ReferenceContext } from '../op.js';
import { activationRange, convData, prepareRequant, requantize, requireQuant } from './reference.js';
import type { Requant } from './reference.js';

export interface Conv2dAddAttrs {
  /** The convolution's attributes (with its own fused activation). */
  conv: Conv2dAttrs;
  /** The ADD's fused activation. */
  clamp?: Clamp;
  /** Which ADD input the convolution's output was: 0 (conv + other) or 1 (other + conv). */
  convInput: 0 | 1;
  /** Output rows computed per band (the `rows` output's height). */
  chunkRows: number;
}

/** The conv2d node the fused node stands for, writing `rows` (for its lowering; its calls carry their scratch size). */
function convNode(node: Node<Conv2dAddAttrs>, attrs: Conv2dAttrs): Node<Conv2dAttrs> {
  return { ...node, op: 'conv2d', attrs, inputs: node.inputs.slice(1), outputs: [node.outputs[1]] };
}

/** addConstant that hands out one name for equal constants (every band asks for the same ones). */
function sharedConstants<A>(ctx: LowerContext<A>): LowerContext<A>['addConstant'] {
  const seen: { base: string; dtype: DType; shape: number[]; data: TensorData; name: string }[] = [];
  const same = (a: TensorData, b: TensorData) => a.length === b.length && a.every((v, i) => v === b[i]);
  return (base, dtype, shape, data) => {
    const hit = seen.find((s) => s.base === base && s.dtype === dtype && s.shape.join() === shape.join() && same(s.data, data));
    if (hit) return hit.name;
    const name = ctx.addConstant(base, dtype, shape, data);
    seen.push({ base, dtype, shape: [...shape], data, name });
    return name;
  };
}

/** Input rows [start, end) of output rows [r0, r0 + n), clipped to the image, with the band's padding. */
function bandRows(attrs: Conv2dAttrs, kernelH: number, inH: number, r0: number, n: number) {
  const start = r0 * attrs.strides[0] - attrs.pads[0];
  const end = (r0 + n - 1) * attrs.strides[0] - attrs.pads[0] + (kernelH - 1) * attrs.dilations[0] + 1;
  const first = Math.max(0, start);
  const last = Math.min(inH, end);
  return { first, count: last - first, padTop: first - start, padBottom: end - last };
}

/** The convolution of output rows [r0, r0 + n) into the `rows` buffer. */
function bandCalls(ctx: LowerContext<Conv2dAddAttrs>, r0: number, n: number, addConstant: LowerContext<unknown>['addConstant']): KernelCall[] {
  const { conv } = ctx.node.attrs;
  const x = ctx.input(1);
  const rows = ctx.output(1);
  const [, inH, inW, inC] = x.shape;
  const band = bandRows(conv, ctx.input(2).shape[1], inH, r0, n);
  const attrs: Conv2dAttrs = { ...conv, pads: [band.padTop, conv.pads[1], band.padBottom, conv.pads[3]] };
  const bandX: Tensor = { ...x, shape: [1, band.count, inW, inC] };
  const bandY: Tensor = { ...rows, shape: [1, n, rows.shape[2], rows.shape[3]] };
  const sub: LowerContext<Conv2dAttrs> = {
    node: convNode(ctx.node, attrs),
    graph: ctx.graph,
    input: (i) => (i === 0 ? bandX : ctx.input(i + 1)),
    optionalInput: (i) => (i === 0 ? bandX : ctx.optionalInput(i + 1)),
    output: () => bandY,
    addConstant,
    target: ctx.target,
    schedule: ctx.schedule,
  };
  const shift = (a: CArg): CArg => ('tensor' in a && a.tensor === x.name ? { tensor: x.name, elementOffset: band.first * inW * inC } : a);
  return conv2d.lower!(sub).map((call) => ({ ...call, args: call.args.map(shift) }));
}

/** The whole convolution (all output rows into a `rows`-shaped output) as conv2d's lowering context. */
function convContext(ctx: LowerContext<Conv2dAddAttrs>): LowerContext<Conv2dAttrs> {
  return {
    node: convNode(ctx.node, ctx.node.attrs.conv), graph: ctx.graph,
    input: (i) => ctx.input(i + 1), optionalInput: (i) => ctx.optionalInput(i + 1), output: () => ctx.output(1),
    addConstant: ctx.addConstant, target: ctx.target, schedule: ctx.schedule,
  };
}

function lowerConv2dAdd(ctx: LowerContext<Conv2dAddAttrs>): KernelCall[] {
  const { attrs, source } = ctx.node;
  const other = ctx.input(0);
  const rows = ctx.output(1);
  const y = ctx.output(0);
  if (y.shape.length !== 4 || y.shape[0] !== 1) fail('E_UNSUPPORTED_ATTR', `${describeNode(source)}: fused conv2d + add needs one NHWC image`);
  const [qc, qo] = [perTensorQuant(rows, source), perTensorQuant(other, source)];
  const [qa, qb] = attrs.convInput === 0 ? [qc, qo] : [qo, qc];
  const params = addParamsS8(qa, qb, perTensorQuant(y, source), attrs.clamp, source);
  const addConstant = sharedConstants(ctx);
  const [, outH, outW, outC] = y.shape;
  const calls: KernelCall[] = [];
  for (let r0 = 0; r0 < outH; r0 += attrs.chunkRows) {
    const n = Math.min(attrs.chunkRows, outH - r0);
    calls.push(...bandCalls(ctx, r0, n, addConstant));
    const offset = r0 * outW * outC;
    const band: CArg = { tensor: rows.name };
    const rest: CArg = { tensor: other.name, elementOffset: offset };
    const [a, b] = attrs.convInput === 0 ? [band, rest] : [rest, band];
    calls.push(flatAddCall({ ...ctx, addConstant }, params, a, b, { tensor: y.name, elementOffset: offset }, n * outW * outC, true));
  }
  return calls;
}

/** QuantizeMultiplier(real) as a one-channel Requant. */
function single(real: number): Requant {
  return prepareRequant(1, [real], 1, 1);
}

/**
 * TFLite's int8 ADD (add_common.cc's Prepare, reference_integer_ops::AddElementwise), on two operands of
 * the same shape: both shifted left by 20 and scaled by s_i / (2 · max(s_a, s_b)), summed, scaled by
 * 2 · max(s_a, s_b) / (2^20 · s_y), offset and clamped.
 */
function addS8(a: Int8Array, qa: Quant, b: Int8Array, qb: Quant, qy: Quant, clamp: Clamp | undefined, out: Int8Array): void {
  const twiceMax = 2 * Math.max(qa.scale[0], qb.scale[0]);
  const ra = single(qa.scale[0] / twiceMax);
  const rb = single(qb.scale[0] / twiceMax);
  const ry = single(twiceMax / ((1 << 20) * qy.scale[0]));
  const { min, max } = activationRange(clamp, qy, 'int8');
  const [za, zb, zy] = [qa.zeroPoint[0], qb.zeroPoint[0], qy.zeroPoint[0]];
  for (let i = 0; i < out.length; i++) {
    const sum = requantize((a[i] - za) * 1048576, ra, 0) + requantize((b[i] - zb) * 1048576, rb, 0);
    const v = requantize(sum, ry, 0) + zy;
    out[i] = v < min ? min : v > max ? max : v;
  }
}

/**
 * The reference: the convolution (conv2d's reference, into the conv's quantization, which the `rows`
 * output carries), then TFLite's int8 ADD. `rows` holds what the C leaves in it: the last band's rows over
 * the band before it.
 */
function conv2dAddReference(ctx: ReferenceContext<Conv2dAddAttrs>): TensorData[] {
  const { attrs, node } = ctx;
  const [other, x, w, bias] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor | undefined];
  const [yType, rowsType] = ctx.outputs;
  const [, outH, outW, outC] = yType.shape;
  const conv = convData(attrs.conv, node, x, w, bias, { dtype: 'int8', shape: [1, outH, outW, outC], quant: requireQuant(rowsType, node, 'convolution output') }) as Int8Array;
  const y = new Int8Array(conv.length);
  const [qc, qo] = [rowsType.quant!, requireQuant(other, node, 'addend')];
  const [a, qa, b, qb] = attrs.convInput === 0 ? [conv, qc, other.data as Int8Array, qo] : [other.data as Int8Array, qo, conv, qc];
  addS8(a, qa, b, qb, requireQuant(yType, node, 'output'), attrs.clamp, y);
  const row = outW * outC;
  const rows = new Int8Array(attrs.chunkRows * row);
  for (let r0 = 0; r0 < outH; r0 += attrs.chunkRows) rows.set(conv.subarray(r0 * row, Math.min(outH, r0 + attrs.chunkRows) * row));
  return [y, rows];
}

export const conv2dAdd = defineOp<Conv2dAddAttrs>({
  name: 'conv2d_add',
  // The convolution's (inputs [other, x, w, bias]); the ADD's are not multiplies.
  macs: (node, g) => convMacs(g.tensor(node.outputs[0]).shape, g.tensor(node.inputs[2]).shape),
  infer({ inputs, attrs }) {
    const other = inputs[0];
    if (!other) throw new Error('internal: conv2d_add needs its other operand');
    const [, , w, c] = other.shape;
    return [{ dtype: other.dtype, shape: [...other.shape] }, { dtype: other.dtype, shape: [1, attrs.chunkRows, w, c] }];
  },
  reference: conv2dAddReference,
  lower: lowerConv2dAdd,
  // The convolution's knobs (every band is lowered with the node's schedule).
  knobs: (ctx) => conv2d.knobs!(convContext(ctx)),
  inPlace: true,
});
