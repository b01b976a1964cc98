/**
 * Quantized ONNX CNNs for the issue-5 end-to-end tests, built like onnxruntime's static quantizer builds
 * them (onnxruntime/python/tools/quantization), in two formats:
 *
 *   QDQ         QuantizeLinear/DequantizeLinear pairs around float operators (Conv, Relu/Clip, Add,
 *               GlobalAveragePool, Flatten, Gemm); weights are int8/uint8 initializers behind a
 *               DequantizeLinear, biases int32 behind a DequantizeLinear with scale input_scale·weight_scale.
 *   QOperator   QLinearConv, com.microsoft QLinearAdd / QLinearGlobalAveragePool, Flatten on the
 *               quantized tensor, QLinearMatMul + QLinearAdd (bias) for the head; Relu/Clip dropped
 *               because the output range starts at 0 (zero point = qmin: saturation is the activation).
 *
 * A network is a list of layers (NetSpec); its float weights are seeded random (He-uniform). Calibration
 * runs the float model in onnxruntime on random inputs in [-1, 1) with every layer output exposed and takes
 * min/max per tensor. Quantization parameters follow onnxruntime's compute_scale_zp: the range widened to
 * include 0, scale = (rmax − rmin)/(qmax − qmin), zero point = round_half_even(qmin − rmin/scale);
 * activations asymmetric (int8 [−128, 127] or uint8 [0, 255]); weights symmetric int8 [−64, 64] (reduce_range) with zero
 * point 0 (per output channel or per tensor), or asymmetric uint8 (nonzero zero point); bias int32 =
 * round_half_even(b / (input_scale·weight_scale)).
 */

import { OnnxModelBuilder } from './onnx-build.js';
import { mulberry32, randomFloats } from './random.js';
import { NamedTensor, runOnnxRuntime } from './ort.js';

export type ConvLayer = { op: 'conv'; name: string; cout: number; k: number; stride?: number; pads?: number[]; depthwise?: boolean; act?: 'relu' | 'relu6' };
export type LayerSpec =
  | ConvLayer
  /** Adds the previous layer's output and layer `with`'s (same shape). */
  | { op: 'add'; name: string; with: string }
  | { op: 'gap'; name: string }
  | { op: 'flatten'; name: string }
  | { op: 'fc'; name: string; out: number };

export interface NetSpec {
  name: string;
  /** NCHW input shape. */
  input: number[];
  layers: LayerSpec[];
  seed: number;
}

export interface QuantVariant {
  activations: 'int8' | 'uint8';
  weights: 'per-channel' | 'per-tensor' | 'uint8-asymmetric';
}

export interface QuantizedModel {
  label: string;
  bytes: Uint8Array;
  input: { name: string; shape: number[] };
  /** The output's quantization (the DequantizeLinear in front of the float output). */
  outputQuant: QParam;
}

export interface QParam {
  scale: number;
  zeroPoint: number;
}

/** numpy.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** onnxruntime's compute_scale_zp (asymmetric) for a real range and an integer range. */
export function computeScaleZp(rmin: number, rmax: number, qmin: number, qmax: number): QParam {
  const lo = Math.min(rmin, 0);
  const hi = Math.max(rmax, 0);
  const scale = (hi - lo) / (qmax - qmin);
  if (scale < 1e-30) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = Math.max(qmin, Math.min(qmax, roundHalfEven(qmin - lo / scale)));
  return { scale: Math.fround(scale), zeroPoint };
}

function quantizeValues(x: ArrayLike<number>, q: QParam, qmin: number, qmax: number): number[] {
  return Array.from(x, (v) => Math.max(qmin, Math.min(qmax, roundHalfEven(Math.fround(v / q.scale)) + q.zeroPoint)));
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------------
// Shapes and float weights

interface Weights {
  w: Float32Array;
  /** ONNX layout: conv OIHW, fc [out, in]. */
  shape: number[];
  b: Float32Array;
}

interface Walked {
  /** Output shape of every layer (and 'x'). */
  shapes: Map<string, number[]>;
  /** The name of each layer's input. */
  inputOf: Map<string, string>;
  weights: Map<string, Weights>;
}

function convOut(n: number, k: number, s: number, p0: number, p1: number): number {
  return Math.floor((n + p0 + p1 - k) / s) + 1;
}

/** Shapes of every layer output and seeded He-uniform weights. */
export function walkNet(net: NetSpec): Walked {
  const rng = mulberry32(net.seed);
  const shapes = new Map<string, number[]>([['x', net.input]]);
  const inputOf = new Map<string, string>();
  const weights = new Map<string, Weights>();
  let prev = 'x';
  for (const l of net.layers) {
    const s = shapes.get(prev)!;
    inputOf.set(l.name, prev);
    if (l.op === 'conv') {
      const cin = s[1];
      const cinPerGroup = l.depthwise ? 1 : cin;
      const p = l.pads ?? [0, 0, 0, 0];
      const st = l.stride ?? 1;
      const bound = Math.sqrt(6 / (cinPerGroup * l.k * l.k));
      const shape = [l.cout, cinPerGroup, l.k, l.k];
      weights.set(l.name, { w: randomFloats(rng, count(shape), -bound, bound), shape, b: randomFloats(rng, l.cout, -0.2, 0.2) });
      shapes.set(l.name, [1, l.cout, convOut(s[2], l.k, st, p[0], p[2]), convOut(s[3], l.k, st, p[1], p[3])]);
    } else if (l.op === 'fc') {
      const bound = Math.sqrt(6 / s[1]);
      weights.set(l.name, { w: randomFloats(rng, l.out * s[1], -bound, bound), shape: [l.out, s[1]], b: randomFloats(rng, l.out, -0.2, 0.2) });
      shapes.set(l.name, [1, l.out]);
    } else if (l.op === 'gap') shapes.set(l.name, [s[0], s[1], 1, 1]);
    else if (l.op === 'flatten') shapes.set(l.name, [s[0], count(s.slice(1))]);
    else shapes.set(l.name, s);
    prev = l.name;
  }
  return { shapes, inputOf, weights };
}

function convAttrs(l: ConvLayer, cin: number) {
  const attrs: Record<string, number | number[]> = { kernel_shape: [l.k, l.k], strides: [l.stride ?? 1, l.stride ?? 1], pads: l.pads ?? [0, 0, 0, 0] };
  if (l.depthwise) attrs.group = cin;
  return attrs;
}

/** fc weights [out, in] → MatMul's B [in, out]. */
function transposed(w: Float32Array, out: number, inn: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) t[i * out + o] = w[o * inn + i];
  return t;
}

// ---------------------------------------------------------------------------------------------------
// The float model and calibration

/** The float model; with `exposeAll` every layer output (and fc's MatMul before its bias) is an output. */
export function floatModel(net: NetSpec, walked: Walked, exposeAll = false): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13, graphName: `${net.name}_float` });
  m.input('x', 'float32', net.input);
  for (const l of net.layers) {
    const x = walked.inputOf.get(l.name)!;
    const wt = walked.weights.get(l.name);
    if (l.op === 'conv') {
      const w = m.initializer(`${l.name}.w`, 'float32', wt!.shape, wt!.w);
      const b = m.initializer(`${l.name}.b`, 'float32', [l.cout], wt!.b);
      const [c] = m.node('Conv', [x, w, b], convAttrs(l, walked.shapes.get(x)![1]), { name: l.name, outputs: l.act ? [`${l.name}.pre`] : [l.name] });
      if (l.act === 'relu') m.node('Relu', [c], {}, { name: `${l.name}.relu`, outputs: [l.name] });
      if (l.act === 'relu6') m.node('Clip', [c, m.initializer(`${l.name}.lo`, 'float32', [], [0]), m.initializer(`${l.name}.hi`, 'float32', [], [6])], {}, { name: `${l.name}.clip`, outputs: [l.name] });
    } else if (l.op === 'fc') {
      const [inn, out] = [wt!.shape[1], wt!.shape[0]];
      const w = m.initializer(`${l.name}.wt`, 'float32', [inn, out], transposed(wt!.w, out, inn));
      const [mm] = m.node('MatMul', [x, w], {}, { name: `${l.name}.mm`, outputs: [`${l.name}.mm`] });
      m.node('Add', [mm, m.initializer(`${l.name}.b`, 'float32', [out], wt!.b)], {}, { name: l.name, outputs: [l.name] });
    } else if (l.op === 'add') m.node('Add', [x, l.with], {}, { name: l.name, outputs: [l.name] });
    else if (l.op === 'gap') m.node('GlobalAveragePool', [x], {}, { name: l.name, outputs: [l.name] });
    else m.node('Flatten', [x], { axis: 1 }, { name: l.name, outputs: [l.name] });
  }
  const last = net.layers[net.layers.length - 1].name;
  m.output(last, 'float32', walked.shapes.get(last));
  if (exposeAll) {
    for (const l of net.layers) if (l.name !== last) m.output(l.name, 'float32');
    for (const l of net.layers) if (l.op === 'fc') m.output(`${l.name}.mm`, 'float32');
  }
  return m.encode();
}

export type Ranges = Map<string, { min: number; max: number }>;

/** min/max of 'x' and every layer output over `cases` random inputs in [-1, 1). */
export async function calibrate(net: NetSpec, walked: Walked, cases = 8): Promise<Ranges> {
  const bytes = floatModel(net, walked, true);
  const ranges: Ranges = new Map();
  const note = (name: string, data: ArrayLike<number>) => {
    const r = ranges.get(name) ?? { min: Infinity, max: -Infinity };
    for (let i = 0; i < data.length; i++) {
      r.min = Math.min(r.min, data[i]);
      r.max = Math.max(r.max, data[i]);
    }
    ranges.set(name, r);
  };
  for (let k = 0; k < cases; k++) {
    const [x] = randomInputs(net, 1000 + k);
    note('x', x.data as Float32Array);
    for (const out of await runOnnxRuntime(bytes, [x])) note(out.name, out.data as Float32Array);
  }
  return ranges;
}

/** One random float input case in [-1, 1) for `net`. */
export function randomInputs(net: NetSpec, seed: number): NamedTensor[] {
  return [{ name: 'x', dtype: 'float32', shape: [...net.input], data: randomFloats(mulberry32(seed), count(net.input), -1, 1) }];
}

// ---------------------------------------------------------------------------------------------------
// Quantization parameters

export function activationRange(type: 'int8' | 'uint8'): [number, number] {
  return type === 'int8' ? [-128, 127] : [0, 255];
}

export function activationParams(ranges: Ranges, name: string, type: 'int8' | 'uint8'): QParam {
  const r = ranges.get(name);
  if (!r) throw new Error(`no calibration range for '${name}'`);
  const [qmin, qmax] = activationRange(type);
  return computeScaleZp(r.min, r.max, qmin, qmax);
}

export interface QuantizedWeights {
  dtype: 'int8' | 'uint8';
  values: number[];
  /** One per output channel (per-channel) or one. */
  params: QParam[];
}

/**
 * The int8 weight range: onnxruntime's reduce_range ([−64, 64]), as its quantizer advises for x86-64 CPUs
 * without VNNI. There MLAS multiplies uint8 activations by int8 weights with VPMADDUBSW, which adds each
 * pair of products with int16 saturation: 255·127·2 overflows, 255·64·2 does not. With full-range weights
 * onnxruntime itself is off by up to 26 LSB on such a CPU (measured on an AVX2-only AMD EPYC), so it could
 * not be the reference; within [−64, 64] its int8 kernels are exact on every CPU.
 */
const WEIGHT_QMAX = 64;

/**
 * Weights with `channels` output channels along axis 0 of `w` (rows of `rowLength` values).
 * per-channel / per-tensor: symmetric int8 [−64, 64] (WEIGHT_QMAX), zero point 0; uint8-asymmetric: per tensor.
 */
export function quantizeWeights(w: Float32Array, channels: number, mode: QuantVariant['weights']): QuantizedWeights {
  if (mode === 'uint8-asymmetric') {
    const p = computeScaleZp(Math.min(...w), Math.max(...w), 0, 255);
    return { dtype: 'uint8', values: quantizeValues(w, p, 0, 255), params: [p] };
  }
  const groups = mode === 'per-channel' ? channels : 1;
  const rowLength = w.length / groups;
  const params: QParam[] = [];
  const values: number[] = [];
  for (let c = 0; c < groups; c++) {
    const row = w.subarray(c * rowLength, (c + 1) * rowLength);
    const absmax = Math.max(...Array.from(row, Math.abs));
    const p = computeScaleZp(-absmax, absmax, -WEIGHT_QMAX, WEIGHT_QMAX);
    params.push(p);
    values.push(...quantizeValues(row, p, -WEIGHT_QMAX, WEIGHT_QMAX));
  }
  return { dtype: 'int8', values, params };
}

/** int32 bias for input scale `sx` and per-channel weight scales (one scale repeated when per tensor). */
export function quantizeBias(b: Float32Array, sx: number, weightParams: QParam[]): { values: number[]; scales: number[] } {
  const scales = Array.from(b, (_, c) => Math.fround(sx * weightParams[weightParams.length === 1 ? 0 : c].scale));
  return { values: Array.from(b, (v, c) => roundHalfEven(v / scales[c])), scales };
}
