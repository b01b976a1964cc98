/**
 * TensorFlow Lite builtin operators → IR operators, for float32 and int8 models.
 *
 * Each supported builtin has one entry in TFLITE_OPS (at the end): the highest operator version we
 * accept, the BuiltinOptions table it carries and an importer that adds IR nodes through the
 * GraphBuilder, naming the operator's output as the model does (the importer then checks its shape and
 * gives it the model's dtype and quantization).
 *
 * Layout: TFLite is NHWC with OHWI conv filters already, the IR's layout. DEPTHWISE_CONV_2D filters
 * [1, KH, KW, C_out] are re-laid out here to IR [C_out, KH, KW, 1] (groups = C_in), with the per-channel
 * quantization axis remapped (3 → 0). FULLY_CONNECTED is gemm(A [M, K], W [N, K], bias [N], transB) with
 * the input flattened to [M, K] and, for keep_num_dims, the product reshaped to the output's shape.
 * SAME/VALID padding becomes explicit pads with TFLite's rule (`tflitePadding`).
 *
 * Fused activations become a real-valued `clamp` (RELU [0, +inf], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1]):
 * on conv2d and gemm always; on pool2d/add/mul for int8 (their int8 kernels clamp), while float32
 * pool/add/mul/concat get a clip node after them. Constants this file makes are named after the
 * operator ('#1_filter'), which no TFLite tensor name collides with.
 */

import type { Tensor, Quant } from '../ir/graph.js';
import { elementCount } from '../ir/graph.js';
import type { DType, TensorData } from '../ir/dtype.js';
import type { Clamp } from '../ops/op.js';
import { allOps } from '../ops/index.js';
import type { GraphBuilder } from './builder.js';
import { OptionsType, type Padding, type TfliteOptions } from './tflite-options.js';

// ---------------------------------------------------------------------------------------------------
// Geometry and activations (exported for tests)

/** TFLite's explicit padding of one spatial axis for SAME / VALID: [before, after]. */
export function tflitePadding(padding: Padding, size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = padding === 'SAME' ? Math.ceil(size / stride) : Math.floor((size - effective + stride) / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** The pads [top, left, bottom, right] of a 2-D window over an NHWC input of spatial size [h, w]. */
export function tflitePads2d(padding: Padding, size: [number, number], kernel: [number, number], strides: [number, number], dilations: [number, number]): [number, number, number, number] {
  const [top, bottom] = tflitePadding(padding, size[0], kernel[0], strides[0], dilations[0]);
  const [left, right] = tflitePadding(padding, size[1], kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}

export const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** The clamp of a fused activation (undefined for NONE), or null for one we do not support. */
export function activationClamp(activation: number): Clamp | undefined | null {
  switch (activation) {
    case 0:
      return undefined;
    case 1:
      return { min: 0, max: Infinity };
    case 2:
      return { min: -1, max: 1 };
    case 3:
      return { min: 0, max: 6 };
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// What an importer sees

export interface TfliteOpContext {
  readonly b: GraphBuilder;
  /** Builtin name, e.g. "CONV_2D". */
  readonly opName: string;
  readonly options: TfliteOptions;
  /** IR name of input i, or '' when the model omits it (−1 or past the end). */
  input(i: number): string;
  inputTensor(i: number): Tensor;
  /** IR name the operator's output i must be given. */
  output(i: number): string;
  /** The model's type for output i: dtype, shape and quantization. */
  outputType(i: number): { dtype: DType; shape: number[]; quant?: Quant };
  /** Gives IR tensor `name` output i's dtype and quantization (for intermediates of a multi-node mapping). */
  typeLike(name: string, i: number): void;
  /** Fails with E_UNSUPPORTED_ATTR naming the operator. */
  unsupported(what: string): never;
  /** Fails with E_MODEL_INVALID naming the operator. */
  invalid(what: string): never;
}

export interface TfliteOpDef {
  /** Highest operator version accepted. */
  maxVersion: number;
  /** BuiltinOptions union type the operator carries (undefined: none read). */
  options?: number;
  import(c: TfliteOpContext): void;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function clampOf(c: TfliteOpContext): Clamp | undefined {
  const clamp = activationClamp(c.options.activation);
  if (clamp === null) {
    const name = ACTIVATION_NAMES[c.options.activation] ?? String(c.options.activation);
    c.unsupported(`fused activation ${name}`);
  }
  return clamp;
}

function isInt8(c: TfliteOpContext): boolean {
  return c.outputType(0).dtype === 'int8';
}

/**
 * Adds `op` writing output 0 with its fused activation: as a `clamp` attribute when the IR operator
 * takes one for this type (`clampAttr`), else (float32) as a clip node after it.
 */
function addActivated(c: TfliteOpContext, op: string, inputs: string[], attrs: object, clampAttr: boolean): void {
  const clamp = clampOf(c);
  if (!clamp) {
    c.b.add(op, inputs, attrs, [c.output(0)]);
  } else if (clampAttr) {
    c.b.add(op, inputs, { ...attrs, clamp }, [c.output(0)]);
  } else if (isInt8(c)) {
    c.unsupported(`a fused ${ACTIVATION_NAMES[c.options.activation]} on an int8 ${c.opName}`);
  } else {
    const [y] = c.b.add(op, inputs, attrs);
    c.b.add('clip', [y], { min: clamp.min, max: clamp.max }, [c.output(0)]);
  }
}

function requireRank(c: TfliteOpContext, i: number, rank: number, what: string): Tensor {
  const t = c.inputTensor(i);
  if (t.shape.length !== rank) c.invalid(`${what} must be ${rank}-D, got [${t.shape}]`);
  return t;
}

function requireConstant(c: TfliteOpContext, i: number, what: string): Tensor {
  const t = c.inputTensor(i);
  if (t.data === undefined) c.unsupported(`a ${what} computed at run time`);
  return t;
}

/**
 * The weights of input i in the activations' type. A hybrid operator (float32 activations, int8 weights:
 * dynamic-range quantization) gets its weights dequantized at compile time, real = scale · (q − zero
 * point) per channel, and runs as a float32 operator: the float model's semantics, not TFLite's hybrid
 * kernels (which also quantize the activations at run time).
 */
function weightsLike(c: TfliteOpContext, i: number, x: Tensor): Tensor {
  const w = c.inputTensor(i);
  if (x.dtype === w.dtype) return w;
  if (x.dtype !== 'float32' || w.dtype !== 'int8' || !w.quant || w.data === undefined) {
    c.unsupported(`${c.opName} with ${x.dtype} input and ${w.dtype} weights`);
  }
  const q = w.quant;
  const axis = q.scale.length > 1 ? q.axis ?? 0 : -1;
  const inner = axis < 0 ? 1 : elementCount(w.shape.slice(axis + 1));
  const channels = axis < 0 ? 1 : w.shape[axis];
  const src = w.data as Int8Array;
  const dst = new Float32Array(src.length);
  for (let k = 0; k < src.length; k++) {
    const ch = axis < 0 ? 0 : Math.floor(k / inner) % channels;
    dst[k] = q.scale[ch] * (src[k] - q.zeroPoint[ch]);
  }
  const name = c.b.addConstant(`${c.b.current.name}_weights`, 'float32', w.shape, dst);
  return c.b.graph.tensor(name);
}

function intList(c: TfliteOpContext, i: number, what: string): number[] {
  const t = requireConstant(c, i, what);
  if (t.dtype !== 'int32') c.invalid(`${what} must be int32, got ${t.dtype}`);
  return Array.from(t.data as Int32Array);
}

/** Strides, dilations and filter sizes must be positive (a corrupt file could say 0). */
function window(c: TfliteOpContext, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) c.invalid(`${name} ${v} must be a positive integer`);
  }
}

function normalizeAxis(c: TfliteOpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) c.invalid(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The IR operators registered now (quantize/dequantize may be missing in a partial build). */
function hasIrOp(name: string): boolean {
  return allOps().some((op) => op.name === name);
}

// ---------------------------------------------------------------------------------------------------
// Importers

function importConv(c: TfliteOpContext): void {
  const x = requireRank(c, 0, 4, 'CONV_2D input');
  requireRank(c, 1, 4, 'CONV_2D filter');
  requireConstant(c, 1, 'filter');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  window(c, { stride_h: o.strideH, stride_w: o.strideW, dilation_h_factor: o.dilationH, dilation_w_factor: o.dilationW });
  const groups = x.shape[3] / w.shape[3];
  if (!Number.isInteger(groups)) c.invalid(`filter [${w.shape}] does not divide the ${x.shape[3]} input channels`);
  const strides: [number, number] = [o.strideH, o.strideW];
  const dilations: [number, number] = [o.dilationH, o.dilationW];
  const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], [w.shape[1], w.shape[2]], strides, dilations);
  const bias = c.input(2);
  addActivated(c, 'conv2d', [c.input(0), w.name, ...(bias ? [bias] : [])], { strides, dilations, pads, groups }, true);
}

/** Depthwise filter [1, KH, KW, C_out] → IR [C_out, KH, KW, 1], quantization axis 3 → 0. */
function depthwiseFilter(c: TfliteOpContext, w: Tensor): string {
  const [one, kh, kw, co] = w.shape;
  if (one !== 1) c.invalid(`depthwise filter [${w.shape}] must have a first dimension of 1`);
  const src = w.data!;
  const dst = new (src.constructor as new (n: number) => TensorData)(src.length);
  for (let k = 0; k < kh * kw; k++) for (let oc = 0; oc < co; oc++) (dst as Float32Array)[oc * kh * kw + k] = (src as Float32Array)[k * co + oc];
  const name = c.b.addConstant(`${c.b.current.name}_filter`, w.dtype, [co, kh, kw, 1], dst);
  if (w.quant) {
    const t = c.b.graph.tensor(name);
    const perChannel = w.quant.scale.length > 1;
    if (perChannel && w.quant.axis !== 3) c.unsupported(`a depthwise filter quantized along axis ${w.quant.axis}`);
    t.quant = perChannel ? { ...w.quant, axis: 0 } : { ...w.quant };
  }
  return name;
}

function importDepthwise(c: TfliteOpContext): void {
  const x = requireRank(c, 0, 4, 'DEPTHWISE_CONV_2D input');
  requireRank(c, 1, 4, 'DEPTHWISE_CONV_2D filter');
  requireConstant(c, 1, 'filter');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  const cin = x.shape[3];
  const cout = w.shape[3];
  window(c, { stride_h: o.strideH, stride_w: o.strideW, dilation_h_factor: o.dilationH, dilation_w_factor: o.dilationW });
  if (cout % cin !== 0) c.invalid(`filter [${w.shape}] has ${cout} channels, not a multiple of the ${cin} input channels`);
  if (o.depthMultiplier > 0 && cout !== cin * o.depthMultiplier && cin !== 1) {
    c.invalid(`depth_multiplier ${o.depthMultiplier} disagrees with ${cin} input and ${cout} output channels`);
  }
  const strides: [number, number] = [o.strideH, o.strideW];
  const dilations: [number, number] = [o.dilationH, o.dilationW];
  const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], [w.shape[1], w.shape[2]], strides, dilations);
  const bias = c.input(2);
  const filter = depthwiseFilter(c, w);
  addActivated(c, 'conv2d', [c.input(0), filter, ...(bias ? [bias] : [])], { strides, dilations, pads, groups: cin }, true);
}

function importFullyConnected(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  requireRank(c, 1, 2, 'FULLY_CONNECTED weights');
  requireConstant(c, 1, 'weights');
  const w = weightsLike(c, 1, x);
  const o = c.options;
  if (o.weightsFormat !== 0) c.unsupported(`weights_format ${o.weightsFormat} (only DEFAULT)`);
  const [n, k] = w.shape;
  const total = elementCount(x.shape);
  if (total % k !== 0) c.invalid(`input [${x.shape}] cannot be flattened to rows of ${k}`);
  const m = total / k;
  const a = x.shape.length === 2 && x.shape[0] === m ? c.input(0) : c.b.add('reshape', [c.input(0)], { shape: [m, k] })[0];
  const bias = c.input(2);
  const attrs = { transA: false, transB: true, alpha: 1, beta: 1 };
  const inputs = [a, w.name, ...(bias ? [bias] : [])];
  const out = c.outputType(0);
  if (out.shape.length === 2 && out.shape[0] === m && out.shape[1] === n) {
    addActivated(c, 'gemm', inputs, attrs, true);
    return;
  }
  // keep_num_dims (or a model-given output rank): the [M, N] product reshaped to the output's shape.
  if (elementCount(out.shape) !== m * n) c.invalid(`output [${out.shape}] does not hold the [${m},${n}] product`);
  const clamp = clampOf(c);
  const [y] = c.b.add('gemm', inputs, clamp ? { ...attrs, clamp } : attrs);
  c.typeLike(y, 0);
  c.b.add('reshape', [y], { shape: [...out.shape] }, [c.output(0)]);
}

function importPool(kind: 'max' | 'avg'): (c: TfliteOpContext) => void {
  return (c) => {
    const x = requireRank(c, 0, 4, `${c.opName} input`);
    const o = c.options;
    window(c, { stride_h: o.strideH, stride_w: o.strideW, filter_height: o.filterH, filter_width: o.filterW });
    const kernel: [number, number] = [o.filterH, o.filterW];
    const strides: [number, number] = [o.strideH, o.strideW];
    const pads = tflitePads2d(o.padding, [x.shape[1], x.shape[2]], kernel, strides, [1, 1]);
    const attrs = { kind, kernel, strides, dilations: [1, 1], pads, countIncludePad: false };
    addActivated(c, 'pool2d', [c.input(0)], attrs, isInt8(c));
  };
}

function importBinary(op: 'add' | 'mul'): (c: TfliteOpContext) => void {
  return (c) => addActivated(c, op, [c.input(0), c.input(1)], {}, isInt8(c));
}

function importReshape(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  let shape = c.outputType(0).shape;
  if (elementCount(shape) !== elementCount(x.shape)) {
    // An output shape the converter left out: take the new shape (options or constant input), −1 inferred.
    const given = c.options.newShape ?? (c.input(1) ? intList(c, 1, 'shape') : undefined);
    if (!given) c.invalid(`cannot reshape [${x.shape}] to [${shape}]`);
    const known = elementCount(given.filter((d) => d !== -1));
    shape = given.map((d) => (d === -1 ? elementCount(x.shape) / known : d));
  }
  c.b.add('reshape', [c.input(0)], { shape: [...shape] }, [c.output(0)]);
}

function importSoftmax(c: TfliteOpContext): void {
  const axis = c.inputTensor(0).shape.length - 1;
  c.b.add('softmax', [c.input(0)], { axis, beta: c.options.beta }, [c.output(0)]);
}

function importQuantize(irOp: 'quantize' | 'dequantize'): (c: TfliteOpContext) => void {
  return (c) => {
    if (!hasIrOp(irOp)) c.unsupported(`${c.opName} (the '${irOp}' IR operator is not available in this build)`);
    const out = c.outputType(0);
    const attrs = irOp === 'quantize' ? { dtype: out.dtype, quant: out.quant } : { dtype: out.dtype };
    c.b.add(irOp, [c.input(0)], attrs, [c.output(0)]);
  };
}

function importPad(c: TfliteOpContext): void {
  const x = c.inputTensor(0);
  const rank = x.shape.length;
  const paddings = intList(c, 1, 'paddings');
  if (paddings.length !== 2 * rank) c.invalid(`paddings has ${paddings.length} values for a rank-${rank} input`);
  const pads = [...Array.from({ length: rank }, (_, d) => paddings[2 * d]), ...Array.from({ length: rank }, (_, d) => paddings[2 * d + 1])];
  if (pads.some((p) => p < 0)) c.invalid(`negative paddings [${paddings}]`);
  c.b.add('pad', [c.input(0)], { mode: 'constant', pads, value: 0 }, [c.output(0)]);
}

function importMean(c: TfliteOpContext): void {
  const rank = c.inputTensor(0).shape.length;
  const axes = [...new Set(intList(c, 1, 'axes').map((a) => normalizeAxis(c, a, rank)))].sort((p, q) => p - q);
  c.b.add('reduce_mean', [c.input(0)], { axes, keepdims: c.options.keepDims }, [c.output(0)]);
}

function importConcat(c: TfliteOpContext): void {
  const inputs: string[] = [];
  for (let i = 0; c.input(i) !== '' || i === 0; i++) inputs.push(c.input(i));
  const axis = normalizeAxis(c, c.options.axis, c.inputTensor(0).shape.length);
  addActivated(c, 'concat', inputs, { axis }, false);
}

function importLogistic(c: TfliteOpContext): void {
  c.b.add('sigmoid', [c.input(0)], {}, [c.output(0)]);
}

/**
 * Every supported builtin, by name. maxVersion follows TFLite's op_version.cc: versions past it add
 * something we neither implement nor reject by a check of our own (int4 weights, int16 bias, …).
 * Inside the range, int16 variants fail on their tensor types, FULLY_CONNECTED's shuffled weights (v2)
 * on weights_format, sparse weights (v8) on the sparsity check; hybrid versions (float32 activations,
 * int8 weights: CONV_2D v2/v5, DEPTHWISE_CONV_2D v4/v6, FULLY_CONNECTED v3/v9) run with their weights
 * dequantized at compile time.
 */
export const TFLITE_OPS: Record<string, TfliteOpDef> = {
  CONV_2D: { maxVersion: 6, options: OptionsType.Conv2DOptions, import: importConv },
  DEPTHWISE_CONV_2D: { maxVersion: 6, options: OptionsType.DepthwiseConv2DOptions, import: importDepthwise },
  FULLY_CONNECTED: { maxVersion: 9, options: OptionsType.FullyConnectedOptions, import: importFullyConnected },
  AVERAGE_POOL_2D: { maxVersion: 2, options: OptionsType.Pool2DOptions, import: importPool('avg') },
  MAX_POOL_2D: { maxVersion: 2, options: OptionsType.Pool2DOptions, import: importPool('max') },
  ADD: { maxVersion: 2, options: OptionsType.AddOptions, import: importBinary('add') },
  MUL: { maxVersion: 3, options: OptionsType.MulOptions, import: importBinary('mul') },
  RESHAPE: { maxVersion: 1, options: OptionsType.ReshapeOptions, import: importReshape },
  SOFTMAX: { maxVersion: 2, options: OptionsType.SoftmaxOptions, import: importSoftmax },
  QUANTIZE: { maxVersion: 2, import: importQuantize('quantize') },
  DEQUANTIZE: { maxVersion: 3, import: importQuantize('dequantize') },
  PAD: { maxVersion: 2, options: OptionsType.PadOptions, import: importPad },
  MEAN: { maxVersion: 2, options: OptionsType.ReducerOptions, import: importMean },
  CONCATENATION: { maxVersion: 2, options: OptionsType.ConcatenationOptions, import: importConcat },
  LOGISTIC: { maxVersion: 2, import: importLogistic },
};

export function supportedTfliteOps(): string[] {
  return Object.keys(TFLITE_OPS).sort();
}
