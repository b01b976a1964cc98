/**
 * The ONNX importer of ConvTranspose (opsets 1, 11 and 22: the attributes are the same in all three;
 * 1-D and 2-D), onto the NHWC IR operator transpose_conv (src/ops/transpose-conv.ts), which takes
 * only the leading pad of each axis and the output size.
 *
 * Shapes and pads follow the ONNX operator text, as onnxruntime 1.30 and the ONNX conformance data do
 * (older onnxruntime releases split SAME_UPPER the other way):
 *   - with `output_shape` (its spatial dims, or N, C and the spatial dims): total = s·(in − 1) +
 *     output_padding + (k − 1)·d + 1 − out; SAME_UPPER puts the odd cell at the tail (head = total/2),
 *     every other auto_pad at the head (head = total − total/2). `pads` are then ignored. An output
 *     larger than the transposed convolution covers (total < 0) by less than a stride is filled with the
 *     bias alone at its end (an implicit output_padding); by a stride or more it is refused, as
 *     onnxruntime refuses it;
 *   - without it: SAME_UPPER / SAME_LOWER pad so that out = in · s (same split as above), VALID and
 *     NOTSET use `pads` (zero for VALID), and out = s·(in − 1) + output_padding + (k − 1)·d + 1 −
 *     head − tail. output_padding must be below max(stride, dilation), as onnxruntime checks.
 * The weights W [C, M / group, k...] must be constant (the compiler lays them out at compile time):
 * they become IR weights [M, KH, KW, C] with each dilated tap at its place in a (k − 1)·d + 1 window
 * (zeros between) and, for group > 1, zeros where output channel o and input channel c belong to
 * different groups — so groups and dilations cost MACs on zeros but need no kernel of their own, and
 * every transpose_conv kernel (float32, int8, DSP) and the reference interpreter run them unchanged.
 * A DequantizeLinear weight keeps its quantization: per tensor as is, per axis 1 (M / group, what
 * onnxruntime's quantizer writes) as one scale per output channel; other axes leave the node float.
 * 3-D (rank-5) inputs are refused: the IR operator is 2-D.
 */

import type { Quant } from '../../ir/graph.js';
import { elementCount } from '../../ir/graph.js';
import type { ImportContext, OnnxNode } from '../../ops/op.js';
import type { TransposeConvAttrs } from '../../ops/transpose-conv.js';
import { wrapNchw } from './window.js';

interface Axis {
  /** Leading pad and output size. */
  head: number;
  out: number;
}

function positiveInts(node: OnnxNode, ctx: ImportContext, name: string, rank: number): number[] {
  const v = node.attrs.ints(name, new Array<number>(rank).fill(1));
  if (v.length !== rank || v.some((x) => !Number.isInteger(x) || x < 1)) ctx.invalid(`${name} [${v}] must be ${rank} positive integers`);
  return v;
}

/** Each spatial axis's leading pad and output size, onnxruntime's rules (see the header). */
function axes(node: OnnxNode, ctx: ImportContext, sizes: number[], kernel: number[], strides: number[], dilations: number[]): Axis[] {
  const rank = sizes.length;
  const autoPad = node.attrs.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad)) ctx.invalid(`auto_pad '${autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER`);
  const adj = node.attrs.ints('output_padding', new Array<number>(rank).fill(0));
  if (adj.length !== rank || adj.some((a, i) => !Number.isInteger(a) || a < 0 || a >= Math.max(strides[i], dilations[i]))) {
    ctx.invalid(`output_padding [${adj}] must be ${rank} non-negative integers below max(stride, dilation)`);
  }
  const given = node.attrs.ints('output_shape', []);
  if (given.length !== 0 && given.length !== rank && given.length !== rank + 2) ctx.invalid(`output_shape [${given}] must have ${rank} or ${rank + 2} entries`);
  const wanted = given.slice(given.length - rank);
  const pads = autoPad === 'NOTSET' ? node.attrs.ints('pads', new Array<number>(2 * rank).fill(0)) : new Array<number>(2 * rank).fill(0);
  if (pads.length !== 2 * rank || pads.some((p) => !Number.isInteger(p) || p < 0)) ctx.invalid(`pads [${pads}] must be ${2 * rank} non-negative integers`);
  const split = (total: number): [number, number] => {
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  };
  return sizes.map((n, i) => {
    const full = strides[i] * (n - 1) + adj[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (given.length > 0) {
      const out = wanted[i];
      if (!Number.isInteger(out) || out < 1) ctx.invalid(`output_shape [${given}] must hold positive sizes`);
      if (out - full >= strides[i]) ctx.invalid(`output_shape [${given}] is inconsistent with the input: spatial axis ${i} covers ${full} cells, the output asks for ${out}`);
      return { head: split(Math.max(0, full - out))[0], out };
    }
    const [head, tail] = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? split(Math.max(0, full - n * strides[i])) : [pads[i], pads[rank + i]];
    const out = full - head - tail;
    if (out < 1) ctx.invalid(`the pads leave no output along spatial axis ${i} (size ${out})`);
    return { head, out };
  });
}

/** The IR weights [M, KH', KW', C]: dilated taps in place, zeros across groups (see the header). */
function irWeights(src: ArrayLike<number>, c: number, mg: number, group: number, k: [number, number], d: [number, number]): { data: Float32Array; kh: number; kw: number } {
  const [kh, kw] = [(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1];
  const m = mg * group;
  const cg = c / group;
  const data = new Float32Array(m * kh * kw * c);
  for (let ci = 0; ci < c; ci++) {
    const g = Math.floor(ci / cg);
    for (let j = 0; j < mg; j++) {
      const o = g * mg + j;
      for (let fy = 0; fy < k[0]; fy++) {
        for (let fx = 0; fx < k[1]; fx++) {
          data[((o * kh + fy * d[0]) * kw + fx * d[1]) * c + ci] = src[((ci * mg + j) * k[0] + fy) * k[1] + fx];
        }
      }
    }
  }
  return { data, kh, kw };
}

/** The IR weights' quantization (output channels on axis 0), or undefined when it cannot be carried. */
function irQuant(q: Quant | undefined, mg: number, group: number): Quant | undefined {
  if (!q) return undefined;
  if (q.scale.length === 1) return { ...q, scale: [...q.scale], zeroPoint: [...q.zeroPoint] };
  if (q.axis !== 1 || q.scale.length !== mg) return undefined;
  const pick = <T>(v: T[]): T[] => Array.from({ length: mg * group }, (_, o) => v[o % mg]);
  return { ...q, scale: pick(q.scale), zeroPoint: pick(q.zeroPoint), axis: 0 };
}

export function importConvTranspose(node: OnnxNode, ctx: ImportContext): void {
  const [xName, wName, bName = ''] = node.inputs;
  if (!xName || !wName) ctx.invalid('ConvTranspose needs an input and weights');
  const x = ctx.tensor(xName);
  const w = ctx.tensor(wName);
  const rank = x.shape.length;
  if (rank === 5) ctx.unsupported('3-D ConvTranspose (a rank-5 input; transposed convolutions are 1-D or 2-D)');
  if (rank !== 3 && rank !== 4) ctx.unsupported(`ConvTranspose of a rank-${rank} input`);
  if (w.shape.length !== rank) ctx.invalid(`weights [${w.shape}] do not match the rank-${rank} input`);
  const wData = ctx.constant(wName);
  if (wData === undefined) ctx.unsupported(`ConvTranspose with run-time weights '${wName}' (the weights must be constant)`);
  if (w.dtype !== 'float32') ctx.unsupported(`ConvTranspose with ${w.dtype} weights (float32, or int8 through DequantizeLinear)`);
  const group = node.attrs.int('group', 1);
  const [c, mg] = w.shape;
  if (x.shape[1] !== c) ctx.invalid(`weights [${w.shape}] take ${c} input channels; the input [${x.shape}] has ${x.shape[1]}`);
  if (!Number.isInteger(group) || group < 1 || c % group !== 0) ctx.invalid(`group ${group} must divide the ${c} input channels`);
  const sp = rank - 2;
  const kernel = node.attrs.ints('kernel_shape', w.shape.slice(2));
  if (kernel.join() !== w.shape.slice(2).join()) ctx.invalid(`kernel_shape [${kernel}] does not match weights [${w.shape}]`);
  const strides = positiveInts(node, ctx, 'strides', sp);
  const dilations = positiveInts(node, ctx, 'dilations', sp);
  const a = axes(node, ctx, x.shape.slice(2), kernel, strides, dilations);
  const m = mg * group;
  if (bName !== '' && elementCount(ctx.tensor(bName).shape) !== m) ctx.invalid(`bias [${ctx.tensor(bName).shape}] does not hold ${m} values`);
  // 1-D: a 1 × K window over [1, L] (wrapNchw reshapes the input likewise).
  const two = <T>(v: T[], one: T): [T, T] => (sp === 1 ? [one, v[0]] : [v[0], v[1]]);
  const lifted = irWeights(wData as ArrayLike<number>, c, mg, group, two(kernel, 1), two(dilations, 1));
  ctx.checkShape('float32', [m, lifted.kh, lifted.kw, c], 'ConvTranspose weights');
  const wIr = ctx.addConstant(`${wName}_ohwi`, 'float32', [m, lifted.kh, lifted.kw, c], lifted.data);
  const quant = irQuant(w.quant, mg, group);
  if (quant) ctx.graph.tensor(wIr).quant = quant;
  const [ay, ax] = two(a, { head: 0, out: 1 });
  const attrs: Omit<TransposeConvAttrs, 'outShape'> = { strides: two(strides, 1), pads: [ay.head, ax.head] };
  wrapNchw(ctx, node, xName, (nhwc) => {
    const n = ctx.tensor(nhwc).shape[0];
    const full: TransposeConvAttrs = { ...attrs, outShape: [n, ay.out, ax.out, m] };
    return ctx.add('transpose_conv', [nhwc, wIr, ...(bName === '' ? [] : [bName])], full)[0];
  });
}
