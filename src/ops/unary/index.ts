/**
 * Activations: relu, leaky_relu, clip, sigmoid, tanh, hard_sigmoid, hard_swish (and, in math.ts, the
 * elementwise functions rsqrt, exp, log, abs, neg built with `unaryOp`).
 *
 * One family file because the operators share everything but the scalar function and their (typed)
 * attributes: elementwise, shape-preserving, in place, trivially commuting with a transpose, and
 * lowered to one flat-loop kernel each, `utvm_<op>_f32(in, out, count)`, or `utvm_<op>_f32(&params, in,
 * out, count)` for those with attributes (runtime-c/include/utvm/unary.h). int8 (the `int8` field of a
 * spec): TFLite Micro's integer formulas evaluated into a 256-byte table at compile time (`utvm_lut_s8`,
 * src/ops/unary/lut-s8.ts): sigmoid is TFLite's LOGISTIC (src/ops/unary/sigmoid-s8.ts), whose output
 * quantization is fixed (scale 1/256, zero point −128); relu, clip, leaky_relu, tanh, hard_swish (and
 * rsqrt, abs) write the model's output quantization. int16 (the `int16` field): sigmoid and tanh as
 * TFLite's 16x8 LOGISTIC / TANH (src/ops/unary/sigmoid-tanh-s16.ts).
 *
 * ONNX: Relu, LeakyRelu (alpha 0.01), Clip (min/max attributes before opset 11, optional constant inputs
 * from 11; an absent bound is ±infinity), Sigmoid, Tanh, HardSigmoid (alpha 0.2, beta 0.5), HardSwish.
 * TFLite: RELU, RELU6 (a clip [0, 6]), LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH. TFLite's float HARD_SWISH
 * computes x · min(6, max(0, x + 3)) / 6, which rounds differently from ONNX's x · max(0, min(1, x/6 +
 * 1/2)): the `tflite` attribute selects its kernel, utvm_hard_swish_tflite_f32; likewise TFLite's float
 * LOGISTIC, which cuts off at 16.619047 and −9 (utvm_sigmoid_tflite_f32). RELU_N1_TO_1 is not
 * imported: TFLite Micro does not run it, so there is no oracle to hold it to.
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { f32 } from '../../ir/c-value.js';
import type { CValue } from '../../ir/c-value.js';
import { constantScalar } from '../../import/onnx/constants.js';
import type { FlatReader, Table } from '../../import/tflite-schema.js';
import type { CArg, Clamp, ImportContext, KernelCall, LowerContext, OnnxNode, OnnxImporter, OpDef } from '../op.js';
import { defineOp } from '../op.js';
import { lowerSigmoidS8 } from './sigmoid-s8.js';
import { lowerSigmoidTanhS16 } from './sigmoid-tanh-s16.js';
import { clipS8, hardSwishS8, leakyReluS8, lowerLutS8, reluS8, tanhS8 } from './lut-s8.js';
import * as ref from './reference.js';
import type { Int8Reference } from './reference.js';
import { UNIT_256, fixedOutputInt8Form } from '../int8-form.js';
import type { TfliteOpContext, TfliteOpDef } from '../../import/tflite-context.js';
import type { DType } from '../../ir/dtype.js';
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
/**
 * `tflite`: TFLite's float formula, which rounds differently from ONNX's (kernel utvm_<op>_tflite_f32):
 * hard_swish x · min(6, max(0, x + 3)) / 6; sigmoid 1 above 16.619047, exp(x) below −9.
 */
export interface TfliteFormAttrs {
  tflite?: boolean;
}
export type HardSwishAttrs = TfliteFormAttrs;
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
  sigmoid: (x: number, a: TfliteFormAttrs = {}) => (a.tflite && x > 16.619047164916992 ? 1 : a.tflite && x < -9 ? Math.exp(x) : 1 / (1 + Math.exp(-x))),
  tanh: (x: number) => Math.tanh(x),
  hard_sigmoid: (x: number, a: HardSigmoidAttrs) => Math.max(0, Math.min(1, a.alpha * x + a.beta)),
  hard_swish: (x: number, a: HardSwishAttrs = {}) => (a.tflite ? (x * Math.min(6, Math.max(0, x + 3))) / 6 : x * Math.max(0, Math.min(1, x / 6 + 0.5))),
};

export interface UnarySpec<A> {
  name: string;
  fn: (x: number, attrs: A) => number;
  /** The params struct for kernels with attributes. */
  params?: (attrs: A) => { type: string; value: CValue };
  /** The float32 kernel's name when it is not utvm_<name>_f32. */
  kernel?: (attrs: A) => string;
  onnx?: Record<string, OnnxImporter>;
  /**
   * The int8 kernel, when there is one: its lowering and the output quantization it writes when that is
   * fixed (absent: the model's, as TFLite gives it).
   */
  int8?: { lower(ctx: LowerContext<A>): KernelCall[]; outputQuant?: Quant };
  /** The int16 kernel (TFLite's 16x8 form), when there is one: the output quantization is the model's. */
  int16?: (ctx: LowerContext<A>) => KernelCall[];
  /** The int8 run-time reference (src/ops/unary/reference.ts), TFLite Micro's arithmetic per element; int16 sigmoid / tanh are there too. */
  int8Reference?: Int8Reference<A>;
  tflite?: Record<string, TfliteOpDef<any>>;
}

function lowerUnary<A>(spec: UnarySpec<A>, ctx: LowerContext<A>): KernelCall[] {
  const x = ctx.input(0);
  const y = ctx.output(0);
  if (x.dtype === 'int8' && spec.int8) return spec.int8.lower(ctx);
  if (x.dtype === 'int16' && spec.int16) return spec.int16(ctx);
  if (x.dtype !== 'float32') {
    fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: ${spec.name} of ${x.dtype} tensors is not supported at run time (float32 only)`);
  }
  const args: CArg[] = [];
  if (spec.params) {
    const p = spec.params(ctx.node.attrs);
    args.push({ params: p.value, type: p.type });
  }
  args.push({ tensor: x.name }, { tensor: y.name }, { value: x.shape.reduce((n, d) => n * d, 1) });
  return [{ kernel: spec.kernel?.(ctx.node.attrs) ?? `utvm_${spec.name}_f32`, header: 'utvm/unary.h', args }];
}

export function unaryOp<A>(spec: UnarySpec<A>): OpDef<A> {
  return defineOp<A>({
    name: spec.name,
    inPlace: true,
    elementwise: true,
    infer({ inputs, node }) {
      const x = inputs[0];
      if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: ${spec.name} needs an input`);
      if (x.dtype === 'int8' && spec.int8?.outputQuant) return [{ dtype: x.dtype, shape: [...x.shape], quant: spec.int8.outputQuant }];
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
    reference: (ctx) => ref.referenceUnary(spec.name, spec.fn, spec.int8Reference, ctx),
    lower: (ctx) => lowerUnary(spec, ctx),
    commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
    ...(spec.onnx ? { onnx: spec.onnx } : {}),
    ...(spec.tflite ? { tflite: spec.tflite } : {}),
    ...(spec.int8?.outputQuant ? { int8Form: fixedOutputInt8Form(spec.int8.outputQuant) } : {}),
  });
}

/** An importer for an ONNX operator with one input and the given IR attributes. */
function simple<A>(irOp: string, attrs: (node: OnnxNode) => A) {
  return (node: OnnxNode, ctx: ImportContext): void => {
    if (node.inputs.length < 1 || node.inputs[0] === '') ctx.invalid(`${node.opType} needs an input`);
    ctx.add(irOp, [node.inputs[0]], attrs(node) as object, node.outputs.slice(0, 1));
  };
}

/** The activation types of the TFLite builtins here. */
export const FLOAT_INT8: readonly DType[] = ['float32', 'int8'];
/** LOGISTIC and TANH: also TFLite's 16x8 int16 (src/ops/unary/sigmoid-tanh-s16.ts). */
const FLOAT_INT8_INT16: readonly DType[] = ['float32', 'int8', 'int16'];

/** A TFLite builtin with one input and no options read, imported onto IR operator `op` with `attrs`. */
export function tfliteUnary(op: string, maxVersion: number, types: readonly DType[], attrs: object = {}): TfliteOpDef {
  return { maxVersion, types, import: (c: TfliteOpContext) => c.b.add(op, [c.input(0)], attrs, [c.output(0)]) };
}

/** TFLite's LeakyReluOptions (BuiltinOptions union id 75): alpha (field 0, float, default 0). */
const LEAKY_RELU_OPTIONS = { type: 75, read: (r: FlatReader, t: Table) => ({ alpha: r.float32(t, 0) }), defaults: { alpha: 0 } };

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
  int8Reference: ref.reluS8,
  fn: UNARY_FNS.relu,
  onnx: { Relu: simple('relu', () => ({})) },
  tflite: { RELU: tfliteUnary('relu', 2, FLOAT_INT8) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'relu', reluS8) },
});

export const leakyRelu = unaryOp<LeakyReluAttrs>({
  name: 'leaky_relu',
  int8Reference: ref.leakyReluS8,
  fn: UNARY_FNS.leaky_relu,
  params: (a) => ({ type: 'utvm_leaky_relu_params_f32', value: { alpha: f32(a.alpha) } }),
  onnx: { LeakyRelu: simple('leaky_relu', (n) => ({ alpha: n.attrs.float('alpha', 0.01) })) },
  tflite: {
    LEAKY_RELU: {
      maxVersion: 1,
      types: FLOAT_INT8,
      options: LEAKY_RELU_OPTIONS,
      import: (c: TfliteOpContext<{ alpha: number }>) => c.b.add('leaky_relu', [c.input(0)], { alpha: c.options.alpha }, [c.output(0)]),
    },
  },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'leaky_relu', (qx, qy) => leakyReluS8(qx, qy, Math.fround(ctx.node.attrs.alpha))) },
});

export const clip = unaryOp<ClipAttrs>({
  name: 'clip',
  int8Reference: ref.clipS8,
  fn: UNARY_FNS.clip,
  params: (a) => ({ type: 'utvm_clamp_f32', value: { min: f32(a.min), max: f32(a.max) } }),
  onnx: { Clip: importClip },
  tflite: { RELU6: tfliteUnary('clip', 2, FLOAT_INT8, { min: 0, max: 6 }) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'clip', (qx) => clipS8(qx, ctx.node.attrs.min, ctx.node.attrs.max)) },
});

export const sigmoid = unaryOp<TfliteFormAttrs>({
  name: 'sigmoid',
  int8Reference: ref.sigmoidS8,
  fn: UNARY_FNS.sigmoid,
  kernel: (a) => (a.tflite ? 'utvm_sigmoid_tflite_f32' : 'utvm_sigmoid_f32'),
  onnx: { Sigmoid: simple('sigmoid', () => ({})) },
  tflite: { LOGISTIC: tfliteUnary('sigmoid', 3, FLOAT_INT8_INT16, { tflite: true }) },
  int8: { lower: lowerSigmoidS8, outputQuant: UNIT_256 },
  int16: (ctx) => lowerSigmoidTanhS16(ctx, 'sigmoid'),
});

export const tanh = unaryOp<NoAttrs>({
  name: 'tanh',
  int8Reference: ref.tanhS8,
  fn: UNARY_FNS.tanh,
  onnx: { Tanh: simple('tanh', () => ({})) },
  tflite: { TANH: tfliteUnary('tanh', 3, FLOAT_INT8_INT16) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'tanh', tanhS8) },
  int16: (ctx) => lowerSigmoidTanhS16(ctx, 'tanh'),
});

export const hardSigmoid = unaryOp<HardSigmoidAttrs>({
  name: 'hard_sigmoid',
  fn: UNARY_FNS.hard_sigmoid,
  params: (a) => ({ type: 'utvm_hard_sigmoid_params_f32', value: { alpha: f32(a.alpha), beta: f32(a.beta) } }),
  onnx: {
    HardSigmoid: simple('hard_sigmoid', (n) => ({ alpha: n.attrs.float('alpha', 0.2), beta: n.attrs.float('beta', 0.5) })),
  },
});

export const hardSwish = unaryOp<HardSwishAttrs>({
  name: 'hard_swish',
  int8Reference: ref.hardSwishS8,
  fn: UNARY_FNS.hard_swish,
  kernel: (a) => (a.tflite ? 'utvm_hard_swish_tflite_f32' : 'utvm_hard_swish_f32'),
  onnx: { HardSwish: simple('hard_swish', () => ({})) },
  tflite: { HARD_SWISH: tfliteUnary('hard_swish', 1, FLOAT_INT8, { tflite: true }) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'hard_swish', hardSwishS8) },
});
