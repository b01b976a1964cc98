/**
 * Activations: relu, leaky_relu, clip, sigmoid, tanh, hard_sigmoid, hard_swish.
 *
 * One family file because the seven operators share everything but the scalar function and their
 * (typed) attributes: elementwise, shape-preserving, in place, trivially commuting with a transpose, and
 * lowered to one flat-loop kernel each, `utvm_<op>_f32(in, out, count)`, or `utvm_<op>_f32(&params, in,
 * out, count)` for those with attributes (runtime-c/include/utvm/unary.h). float32 at run time, plus
 * int8 sigmoid (TFLite's LOGISTIC: `utvm_logistic_s8`, src/ops/unary/sigmoid-s8.ts), whose output quantization
 * is TFLite's (scale 1/256, zero point −128): the `int8` field of its spec.
 *
 * ONNX: Relu, LeakyRelu (alpha 0.01), Clip (min/max attributes before opset 11, optional constant inputs
 * from 11; an absent bound is ±infinity), Sigmoid, Tanh, HardSigmoid (alpha 0.2, beta 0.5), HardSwish.
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { f32 } from '../../ir/c-value.js';
import type { CValue } from '../../ir/c-value.js';
import { constantScalar } from '../../import/onnx/constants.js';
import type { CArg, Clamp, ImportContext, KernelCall, LowerContext, OnnxNode, OnnxImporter, OpDef } from '../op.js';
import { defineOp } from '../op.js';
import { lowerSigmoidS8 } from './sigmoid-s8.js';
import { UNIT_256, fixedOutputInt8Form } from '../int8-form.js';
import type { TfliteOpDef } from '../../import/tflite-context.js';
import type { Quant } from '../../ir/graph.js';

export type NoAttrs = Record<string, never>;
export interface LeakyReluAttrs {
  alpha: number;
}
export interface ClipAttrs {
  /** Lower bound; -Infinity when absent. */
  min: number;
  /** Upper bound; Infinity when absent. When min > max every output is max (ONNX). */
  max: number;
}
export interface HardSigmoidAttrs {
  alpha: number;
  beta: number;
}

/** The scalar reference functions, with the same operation order as the C kernels. */
export const UNARY_FNS = {
  relu: (x: number) => (x < 0 ? 0 : x),
  leaky_relu: (x: number, a: LeakyReluAttrs) => (x < 0 ? a.alpha * x : x),
  clip: (x: number, a: ClipAttrs) => {
    const lo = x < a.min ? a.min : x;
    return lo > a.max ? a.max : lo;
  },
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: (x: number) => Math.tanh(x),
  hard_sigmoid: (x: number, a: HardSigmoidAttrs) => Math.max(0, Math.min(1, a.alpha * x + a.beta)),
  hard_swish: (x: number) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
};

interface UnarySpec<A> {
  name: keyof typeof UNARY_FNS;
  fn: (x: number, attrs: A) => number;
  /** The params struct for kernels with attributes. */
  params?: (attrs: A) => { type: string; value: CValue };
  onnx: Record<string, OnnxImporter>;
  /** The int8 kernel, when there is one: its lowering and the output quantization it writes. */
  int8?: { lower(ctx: LowerContext<A>): KernelCall[]; outputQuant: Quant };
  tflite?: Record<string, TfliteOpDef>;
}

function lowerUnary<A>(spec: UnarySpec<A>, ctx: LowerContext<A>): KernelCall[] {
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (x.dtype === 'int8' && spec.int8) return spec.int8.lower(ctx);
  if (x.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: ${spec.name} of ${x.dtype} tensors is not supported at run time (float32 only)`);
  }
  const args: CArg[] = [];
  if (spec.params) {
    const p = spec.params(ctx.node.attrs);
    args.push({ params: p.value, type: p.type });
  }
  args.push({ tensor: x.name }, { tensor: y.name }, { value: x.shape.reduce((n, d) => n * d, 1) });
  return [{ kernel: `utvm_${spec.name}_f32`, header: 'utvm/unary.h', args }];
}

function unaryOp<A>(spec: UnarySpec<A>): OpDef<A> {
  return defineOp<A>({
    name: spec.name,
    inPlace: true,
    infer({ inputs, node }) {
      const x = inputs[0];
      if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: ${spec.name} needs an input`);
      if (x.dtype === 'int8' && spec.int8) return [{ dtype: x.dtype, shape: [...x.shape], quant: spec.int8.outputQuant }];
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    evaluate(attrs, inputs, outputs) {
      if (inputs[0]!.quant) fail('E_UNSUPPORTED_ATTR', `folding a ${spec.name} of a quantized constant is not supported`);
      const data = inputs[0]!.data!;
      const out = allocData(outputs[0].dtype, data.length);
      if (out instanceof BigInt64Array) {
        for (let i = 0; i < data.length; i++) out[i] = BigInt(Math.trunc(spec.fn(numberAt(data, i), attrs)));
      } else {
        for (let i = 0; i < data.length; i++) out[i] = spec.fn(numberAt(data, i), attrs);
      }
      return [out];
    },
    lower: (ctx) => lowerUnary(spec, ctx),
    commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
    onnx: spec.onnx,
    ...(spec.tflite ? { tflite: spec.tflite } : {}),
    ...(spec.int8 ? { int8Form: fixedOutputInt8Form(spec.int8.outputQuant) } : {}),
  });
}

/** An importer for an ONNX operator with one input and the given IR attributes. */
function simple<A>(irOp: string, attrs: (node: OnnxNode) => A) {
  return (node: OnnxNode, ctx: ImportContext): void => {
    if (node.inputs.length < 1 || node.inputs[0] === '') ctx.invalid(`${node.opType} needs an input`);
    ctx.add(irOp, [node.inputs[0]], attrs(node) as object, node.outputs.slice(0, 1));
  };
}

/** A float32 clamp of `count` elements of `tensor`, in place: a fused activation run after its layer. */
export function clipInPlace(clamp: Clamp, tensor: string, count: number): KernelCall {
  return {
    kernel: 'utvm_clip_f32',
    header: 'utvm/unary.h',
    args: [{ params: { min: f32(clamp.min), max: f32(clamp.max) }, type: 'utvm_clamp_f32' }, { tensor }, { tensor }, { value: count }],
  };
}

function importClip(node: OnnxNode, ctx: ImportContext): void {
  if (node.inputs.length < 1 || node.inputs[0] === '') ctx.invalid('Clip needs an input');
  let min: number;
  let max: number;
  if (node.opset < 11) {
    min = node.attrs.float('min', -Infinity);
    max = node.attrs.float('max', Infinity);
  } else {
    min = constantScalar(node, ctx, 1, 'min') ?? -Infinity;
    max = constantScalar(node, ctx, 2, 'max') ?? Infinity;
  }
  ctx.add('clip', [node.inputs[0]], { min, max }, node.outputs.slice(0, 1));
}

export const relu = unaryOp<NoAttrs>({
  name: 'relu',
  fn: UNARY_FNS.relu,
  onnx: { Relu: simple('relu', () => ({})) },
});

export const leakyRelu = unaryOp<LeakyReluAttrs>({
  name: 'leaky_relu',
  fn: UNARY_FNS.leaky_relu,
  params: (a) => ({ type: 'utvm_leaky_relu_params_f32', value: { alpha: f32(a.alpha) } }),
  onnx: { LeakyRelu: simple('leaky_relu', (n) => ({ alpha: n.attrs.float('alpha', 0.01) })) },
});

export const clip = unaryOp<ClipAttrs>({
  name: 'clip',
  fn: UNARY_FNS.clip,
  params: (a) => ({ type: 'utvm_clamp_f32', value: { min: f32(a.min), max: f32(a.max) } }),
  onnx: { Clip: importClip },
});

export const sigmoid = unaryOp<NoAttrs>({
  name: 'sigmoid',
  fn: UNARY_FNS.sigmoid,
  onnx: { Sigmoid: simple('sigmoid', () => ({})) },
  tflite: { LOGISTIC: { maxVersion: 2, types: ['float32', 'int8'], import: (c) => c.b.add('sigmoid', [c.input(0)], {}, [c.output(0)]) } },
  int8: { lower: lowerSigmoidS8, outputQuant: UNIT_256 },
});

export const tanh = unaryOp<NoAttrs>({
  name: 'tanh',
  fn: UNARY_FNS.tanh,
  onnx: { Tanh: simple('tanh', () => ({})) },
});

export const hardSigmoid = unaryOp<HardSigmoidAttrs>({
  name: 'hard_sigmoid',
  fn: UNARY_FNS.hard_sigmoid,
  params: (a) => ({ type: 'utvm_hard_sigmoid_params_f32', value: { alpha: f32(a.alpha), beta: f32(a.beta) } }),
  onnx: {
    HardSigmoid: simple('hard_sigmoid', (n) => ({ alpha: n.attrs.float('alpha', 0.2), beta: n.attrs.float('beta', 0.5) })),
  },
});

export const hardSwish = unaryOp<NoAttrs>({
  name: 'hard_swish',
  fn: UNARY_FNS.hard_swish,
  onnx: { HardSwish: simple('hard_swish', () => ({})) },
});
