/**
 * What a TensorFlow Lite builtin's importer sees and the helpers importers share. The importers
 * themselves live with their operators (src/ops/*.ts, the `tflite` field: the highest operator version
 * accepted, the BuiltinOptions table it carries, and an importer that adds IR nodes through the
 * GraphBuilder, naming the operator's output as the model does; src/import/tflite.ts then checks its
 * shape and gives it the model's dtype and quantization).
 *
 * Layout: TFLite is NHWC with OHWI conv filters already, the IR's layout. SAME/VALID padding becomes
 * explicit pads with TFLite's rule (`tflitePadding`). Fused activations become a real-valued `clamp`
 * (RELU [0, +inf], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1]) on the operators whose kernels clamp
 * (`addActivated`), else (float32) a clip node after the operator. Constants importers make are named
 * after the operator ('#1_filter'), which no TFLite tensor name collides with.
 *
 * Hybrid operators (float32 activations, int8 weights: dynamic-range quantization) get their weights
 * dequantized at compile time (`weightsLike`) and run as float32 operators.
 */

import type { Tensor, Quant } from '../ir/graph.js';
import { elementCount } from '../ir/graph.js';
import type { DType, TensorData } from '../ir/dtype.js';
import type { Clamp } from '../ops/op.js';
import type { GraphBuilder } from './builder.js';
import type { Padding, TfliteOptions, TfliteOptionsTable } from './tflite-options.js';

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

export interface TfliteOpContext<O = TfliteOptions> {
  readonly b: GraphBuilder;
  /** Builtin name, e.g. "CONV_2D". */
  readonly opName: string;
  readonly options: O;
  /** IR name of input i, or '' when the model omits it (−1 or past the end). */
  input(i: number): string;
  /** Whether the model gives input i, without reading the tensor (an importer refusing it need not type it). */
  present(i: number): boolean;
  inputTensor(i: number): Tensor;
  /** IR name the operator's output i must be given. */
  output(i: number): string;
  /** How many outputs the operator has (SPLIT, UNPACK: several). */
  readonly outputCount: number;
  /** The model's type for output i: dtype, shape and quantization. */
  outputType(i: number): { dtype: DType; shape: number[]; quant?: Quant };
  /** Gives IR tensor `name` output i's dtype and quantization (for intermediates of a multi-node mapping). */
  typeLike(name: string, i: number): void;
  /** Fails with E_UNSUPPORTED_ATTR naming the operator. */
  unsupported(what: string): never;
  /** Fails with E_MODEL_INVALID naming the operator. */
  invalid(what: string): never;
}

/**
 * One TFLite builtin as an operator file registers it (its `tflite` field). maxVersion follows TFLite's
 * op_version.cc: versions past it add something we neither implement nor reject by a check of our own
 * (int4 weights, int16 bias, …). Inside the range, int16 variants fail on their tensor types.
 */
export interface TfliteOpDef<O = TfliteOptions> {
  /** Highest operator version accepted. */
  maxVersion: number;
  /** The BuiltinOptions table the operator carries and how it is read (undefined: none read). */
  options?: TfliteOptionsTable<O>;
  /**
   * The element types of the activations (graph-visible inputs and outputs, not the weights) the builtin
   * is imported for, e.g. ['float32', 'int8']; 'int16' for TFLite's 16x8 kernels. `utvm-aot ops` lists them.
   */
  types: readonly DType[];
  import(c: TfliteOpContext<O>): void;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

export function clampOf(c: TfliteOpContext): Clamp | undefined {
  const clamp = activationClamp(c.options.activation);
  if (clamp === null) {
    const name = ACTIVATION_NAMES[c.options.activation] ?? String(c.options.activation);
    c.unsupported(`fused activation ${name}`);
  }
  return clamp;
}

export function isInt8(c: TfliteOpContext): boolean {
  return c.outputType(0).dtype === 'int8';
}

/**
 * Adds `op` writing output 0 with its fused activation: as a `clamp` attribute when the IR operator
 * takes one for this type (`clampAttr`), else (float32) as a clip node after it.
 */
export function addActivated(c: TfliteOpContext, op: string, inputs: string[], attrs: object, clampAttr: boolean): void {
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

export function requireRank(c: TfliteOpContext, i: number, rank: number, what: string): Tensor {
  const t = c.inputTensor(i);
  if (t.shape.length !== rank) c.invalid(`${what} must be ${rank}-D, got [${t.shape}]`);
  return t;
}

export function requireConstant(c: TfliteOpContext<unknown>, i: number, what: string): Tensor {
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
export function weightsLike(c: TfliteOpContext, i: number, x: Tensor): Tensor {
  const w = c.inputTensor(i);
  if (x.dtype === w.dtype || (x.dtype === 'int16' && w.dtype === 'int8')) return w; // int16: 16x8 quantization
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

export function intList(c: TfliteOpContext<unknown>, i: number, what: string): number[] {
  const t = requireConstant(c, i, what);
  if (t.dtype !== 'int32') c.invalid(`${what} must be int32, got ${t.dtype}`);
  return Array.from(t.data as Int32Array);
}

/** Strides, dilations and filter sizes must be positive (a corrupt file could say 0). */
export function positiveWindow(c: TfliteOpContext, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) c.invalid(`${name} ${v} must be a positive integer`);
  }
}

/** A TFLite axis (negative: from the end) checked against `rank`. */
export function tfliteAxis(c: TfliteOpContext<unknown>, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) c.invalid(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}
