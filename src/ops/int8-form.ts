/**
 * The int8 form of a float operator between DequantizeLinear and QuantizeLinear: what the QDQ pass
 * (src/passes/qdq.ts, rule 4) asks an operator for through its `int8Form` field.
 *
 * `int8Form(g, node, x)` gets the float node and its runtime inputs already replaced by their int8
 * sources (`x[i]`, the dequantize inputs, or undefined for constants) and returns the int8 node's op,
 * inputs and attributes — or null when the pattern does not fit the int8 kernels (the float island
 * then stays: dequantize → float operator → quantize, correct, only slower).
 *
 * The helpers here build the int8 constants the forms need:
 *   weights: the float constant of a DequantizeLinear (its `quant` says scale and axis) → int8 values
 *           round(w / scale[c]), exact; a weight zero point is folded into the values (the kernels
 *           take zero point 0): when q − zero_point leaves int8 the float island stays;
 *   bias → int32 in units of input_scale · weight_scale[c]: an int32 DequantizeLinear bias with that
 *           scale is used as is (the tensor's `quantizedOrigin`), any other is rounded half to even
 *           (onnxruntime's quantizer);
 *   operands: a constant operand of add, mul, concat becomes an int8 constant with its own quantization.
 * and the two generic forms: `elementwiseInt8Form` (every operand int8: add, mul, concat) and
 * `fixedOutputInt8Form` (the same node on int8, the kernel writing a fixed output quantization:
 * sigmoid, softmax; the caller requantizes when the model's differs).
 */

import { Graph, Node, Quant, elementCount } from '../ir/graph.js';
import { INT32_MAX, INT32_MIN } from '../ir/quant.js';

/** The int8 node an operator's float node becomes. */
export interface Int8Form {
  op: string;
  inputs: string[];
  attrs: Record<string, unknown>;
  /** The quantization the kernel writes, when it cannot write any other (the caller requantizes). */
  fixedOutput?: Quant;
  /** int8 nodes that compute some of `inputs` (their output tensors already added), placed before it. */
  before?: Node[];
}

/** Round half to even (numpy's round, onnxruntime's quantizer). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Channel index of element i along `axis` of `shape` (0 when per tensor). */
function channelOf(shape: number[], axis: number, perChannel: boolean): (i: number) => number {
  if (!perChannel) return () => 0;
  const inner = elementCount(shape.slice(axis + 1));
  return (i) => Math.floor(i / inner) % shape[axis];
}

/** int8 weights from a dequantized float constant, quantized per tensor or along `axis`; null if unknown. */
export function int8Weights(g: Graph, name: string, axis: number): string | null {
  const w = g.tensor(name);
  const q = w.quant;
  if (w.dtype !== 'float32' || w.data === undefined || !q) return null;
  const perChannel = q.scale.length > 1;
  if (perChannel && (q.axis !== axis || q.scale.length !== w.shape[axis])) return null;
  const channel = channelOf(w.shape, axis, perChannel);
  const src = w.data as Float32Array;
  const out = new Int8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Math.round(src[i] / q.scale[channel(i)]);
    // q − zero_point beyond int8: the int8 kernels (weight zero point 0) cannot hold it; the float island stays.
    if (v < -128 || v > 127) return null;
    out[i] = v;
  }
  const s8 = g.freshName(`${name}_s8`);
  const quant: Quant = { scale: [...q.scale], zeroPoint: q.scale.map(() => 0), ...(perChannel ? { axis } : {}) };
  g.addTensor({ name: s8, dtype: 'int8', shape: [...w.shape], data: out, quant });
  return s8;
}

/** int32 bias in units of inputScale · weightScale[c]; `name` is a float constant (or ''). */
export function int32Bias(g: Graph, name: string, inputScale: number, weightScales: number[], channels: number): string | null {
  if (name === '') return '';
  const b = g.tensor(name);
  if (b.data === undefined || b.dtype !== 'float32' || elementCount(b.shape) !== channels) return null;
  const scales = Array.from({ length: channels }, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const origin = b.quantizedOrigin;
  const out = new Int32Array(channels);
  const src = b.data as Float32Array;
  for (let c = 0; c < channels; c++) {
    const os = origin?.quant.scale[origin.quant.scale.length === 1 ? 0 : c];
    const asIs = origin && os !== undefined && Math.fround(scales[c]) === os;
    const v = asIs ? origin.values[c] : roundHalfEven(src[c] / scales[c]);
    out[c] = Math.max(INT32_MIN, Math.min(INT32_MAX, v));
  }
  const s32 = g.freshName(`${name}_s32`);
  g.addTensor({ name: s32, dtype: 'int32', shape: [channels], data: out });
  return s32;
}

/** An int8 constant from a dequantized float constant with a per-tensor quantization; null otherwise. */
export function int8Operand(g: Graph, name: string): string | null {
  const t = g.tensor(name);
  const q = t.quant;
  if (t.data === undefined || t.dtype !== 'float32' || !q || q.scale.length !== 1) return null;
  const src = t.data as Float32Array;
  const out = new Int8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.max(-128, Math.min(127, Math.round(src[i] / q.scale[0]) + q.zeroPoint[0]));
  const s8 = g.freshName(`${name}_s8`);
  g.addTensor({ name: s8, dtype: 'int8', shape: [...t.shape], data: out, quant: { scale: [q.scale[0]], zeroPoint: [q.zeroPoint[0]], ...(q.uint8 ? { uint8: true } : {}) } });
  return s8;
}

/** add, mul, concat: every operand int8 (runtime or a dequantized constant). */
export function elementwiseInt8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const inputs: string[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const s = x[i] ?? int8Operand(g, node.inputs[i]);
    if (!s) return null;
    inputs.push(s);
  }
  return { op: node.op, inputs, attrs: { ...node.attrs } };
}

/** The quantization TFLite's int8 LOGISTIC and SOFTMAX write: scale 1/256, zero point −128. */
export const UNIT_256: Quant = { scale: [1 / 256], zeroPoint: [-128] };

/** The same node on int8 input 0, its kernel writing `fixed` (the caller requantizes when the model's differs). */
export function fixedOutputInt8Form(fixed: Quant) {
  return (g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null => {
    const [xs] = x;
    return xs ? { op: node.op, inputs: [xs], attrs: { ...node.attrs }, fixedOutput: fixed } : null;
  };
}

/** Two per-tensor quantizations are the same (float32 scales). */
export function sameQuant(a: Quant | undefined, b: Quant | undefined): boolean {
  if (!a || !b || a.scale.length !== 1 || b.scale.length !== 1) return false;
  return Math.fround(a.scale[0]) === Math.fround(b.scale[0]) && (a.zeroPoint[0] ?? 0) === (b.zeroPoint[0] ?? 0);
}

