/**
 * The int8 form of one float operator between DequantizeLinear and QuantizeLinear (used by qdq.ts).
 *
 * `int8Form(g, node, x)` gets the float node and its runtime inputs already replaced by their int8
 * sources (`x[i]`, the dequantize inputs, or undefined for constants) and returns the int8 node's op,
 * inputs and attributes — or null when the pattern does not fit the int8 kernels (the float island
 * then stays: dequantize → float operator → quantize, correct, only slower).
 *
 *   conv2d  weights: the float constant of a DequantizeLinear (its `quant` says scale and axis 0) → int8
 *           values round(w / scale[c]), exact; a weight zero point is folded into the values (the
 *           kernels take zero point 0): when q − zero_point leaves int8 the float island stays;
 *           bias → int32 in units of input_scale · weight_scale[c]: an int32 DequantizeLinear bias with
 *           that scale is used as is, any other is rounded half to even (onnxruntime's quantizer).
 *   gemm / matmul (2-D, constant B) → gemm with int8 weights (per column of B) and int32 bias;
 *   add, mul, concat: constant operands become int8 constants with their own quantization;
 *   pool2d, sigmoid, softmax: as they are (the caller requantizes when the kernel fixes the output
 *   quantization: pooling keeps the input's, sigmoid/softmax write 1/256 with zero point −128), except
 *   a global average pool, which becomes the int8 mean (any output quantization, one rounding).
 */

import { Graph, Node, Quant, Tensor, elementCount } from '../ir/graph.js';
import { INT32_MAX, INT32_MIN } from '../ir/quant.js';
import { quantizedOrigin } from '../ir/quant-origin.js';

export interface Int8Form {
  op: string;
  inputs: string[];
  attrs: Record<string, unknown>;
  /** The quantization the kernel writes, when it cannot write any other (the caller requantizes). */
  fixedOutput?: Quant;
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
function int8Weights(g: Graph, name: string, axis: number): string | null {
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
function int32Bias(g: Graph, name: string, inputScale: number, weightScales: number[], channels: number): string | null {
  if (name === '') return '';
  const b = g.tensor(name);
  if (b.data === undefined || b.dtype !== 'float32' || elementCount(b.shape) !== channels) return null;
  const scales = Array.from({ length: channels }, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const origin = quantizedOrigin(b);
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
function int8Operand(g: Graph, name: string): string | null {
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

function conv(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs, , ] = x;
  const [, wName, bName = ''] = node.inputs;
  if (!xs || x[1] !== undefined || x[2] !== undefined) return null;
  const w = int8Weights(g, wName, 0);
  if (!w) return null;
  const scales = g.tensor(w).quant!.scale;
  const bias = int32Bias(g, bName, g.tensor(xs).quant!.scale[0], scales, g.tensor(w).shape[0]);
  if (bias === null) return null;
  return { op: 'conv2d', inputs: bias ? [xs, w, bias] : [xs, w], attrs: { ...node.attrs } };
}

interface GemmLike { transA?: boolean; transB?: boolean; alpha?: number; beta?: number }

function dense(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const a = node.attrs as GemmLike;
  const [xs] = x;
  const [, bName, cName = ''] = node.inputs;
  if (!xs || x[1] !== undefined || x[2] !== undefined || g.tensor(xs).shape.length !== 2) return null;
  if (g.tensor(bName).shape.length !== 2) return null;
  const isGemm = node.op === 'gemm';
  if (isGemm && (a.transA || a.alpha !== 1 || (cName !== '' && a.beta !== 1))) return null;
  const transB = isGemm && !!a.transB;
  const w = int8Weights(g, bName, transB ? 0 : 1);
  if (!w) return null;
  const n = g.tensor(w).shape[transB ? 0 : 1];
  const bias = int32Bias(g, cName, g.tensor(xs).quant!.scale[0], g.tensor(w).quant!.scale, n);
  if (bias === null) return null;
  const attrs = { transA: false, transB, alpha: 1, beta: 1, ...(node.attrs.clamp ? { clamp: node.attrs.clamp } : {}) };
  return { op: 'gemm', inputs: bias ? [xs, w, bias] : [xs, w], attrs };
}

/** add, mul, concat: every operand int8 (runtime or a dequantized constant). */
function elementwise(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const inputs: string[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const s = x[i] ?? int8Operand(g, node.inputs[i]);
    if (!s) return null;
    inputs.push(s);
  }
  return { op: node.op, inputs, attrs: { ...node.attrs } };
}

const UNIT_256: Quant = { scale: [1 / 256], zeroPoint: [-128] };

/** A global average pool (one window over the whole image, no padding, no clamp): [N, H, W, C] → [N, 1, 1, C]. */
function isGlobalAverage(g: Graph, node: Node, x: string): boolean {
  const a = node.attrs as { kind?: string; kernel?: number[]; pads?: number[]; clamp?: unknown; ceilPads?: unknown };
  const [, h, w] = g.tensor(x).shape;
  return node.op === 'pool2d' && a.kind === 'avg' && !a.clamp && !a.ceilPads && a.kernel?.[0] === h && a.kernel?.[1] === w && !!a.pads?.every((p) => p === 0);
}

function sameInput(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs] = x;
  if (!xs) return null;
  // The int8 mean requantizes to the output's scale by ONNX's formula (the pooling kernels keep the input's quantization).
  if (isGlobalAverage(g, node, xs)) return { op: 'reduce_mean', inputs: [xs], attrs: { axes: [1, 2], keepdims: true, requant: 'onnx' } };
  const keeps = node.op === 'pool2d';
  return { op: node.op, inputs: [xs], attrs: { ...node.attrs }, fixedOutput: keeps ? g.tensor(xs).quant : UNIT_256 };
}

const FORMS: Record<string, (g: Graph, node: Node, x: (string | undefined)[]) => Int8Form | null> = {
  conv2d: conv,
  gemm: dense,
  matmul: dense,
  add: elementwise,
  mul: elementwise,
  concat: elementwise,
  pool2d: sameInput,
  sigmoid: sameInput,
  softmax: sameInput,
};

/** True when `op` has an int8 form. */
export function hasInt8Form(op: string): boolean {
  return op in FORMS;
}

export function int8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  return FORMS[node.op]?.(g, node, x) ?? null;
}

/** Two per-tensor quantizations are the same (float32 scales). */
export function sameQuant(a: Quant | undefined, b: Quant | undefined): boolean {
  if (!a || !b || a.scale.length !== 1 || b.scale.length !== 1) return false;
  return Math.fround(a.scale[0]) === Math.fround(b.scale[0]) && (a.zeroPoint[0] ?? 0) === (b.zeroPoint[0] ?? 0);
}

export type { Tensor };
