/**
 * TFLite test models of the convolution family, shared by the C tests (tests/import/tflite-matmul-tconv.test.ts,
 * tflite-int16.test.ts) and the reference interpreter's (tests/reference/conv.test.ts), so both check the
 * same cases:
 *   addTransposeConvs   TRANSPOSE_CONV float32 / int8 (strides 1–3, SAME/VALID, kernels larger than the
 *                       stride, an output one short of the full size, bias or none, NONE/RELU/RELU6, two
 *                       batches, per-tensor and per-channel weight scales, a channel multiplier above 1)
 *   buildConv16         16x8 CONV_2D / DEPTHWISE_CONV_2D (int64, int32 and no bias; per-channel and
 *                       per-tensor; SAME/VALID, strides, dilation, RELU, RELU6)
 * Each builder draws its constants from the seeded generator it is given, so a seed gives the same model
 * everywhere.
 */

import type { DType } from '../../src/ir/dtype.js';
import type { BuiltModel, ModelParts } from './gemm-svdf-models.js';
import { mulberry32, randomFloats, randomInts } from './random.js';
import type { Rng } from './random.js';
import { buildTflite, conv2dOptions, depthwiseOptions, transposeConvOptions } from './tflite-build.js';

type Q = { scale: number; zp: number };
const [NONE, RELU, RELU6] = [0, 1, 3];

export interface TconvCase {
  /** Index into TCONV_INPUTS. */
  x: number;
  /** [O, KH, KW]. */
  w: [number, number, number];
  out: [number, number];
  stride: [number, number];
  padding: 'SAME' | 'VALID';
  bias: boolean;
  activation: number;
  /** Per-channel weight scales (cycled over the channels), or one per-tensor scale. */
  ws: number[];
  qy: Q;
}

export const TCONV_INPUTS: { shape: number[]; q: Q }[] = [
  { shape: [1, 5, 4, 3], q: { scale: 0.04, zp: -5 } },
  { shape: [2, 3, 3, 8], q: { scale: 0.02, zp: 20 } },
];

export const TCONVS: TconvCase[] = [
  { x: 0, w: [4, 3, 3], out: [10, 8], stride: [2, 2], padding: 'SAME', bias: true, activation: NONE, ws: [0.01, 0.03, 0.002, 0.02], qy: { scale: 0.02, zp: 3 } },
  { x: 0, w: [5, 2, 3], out: [6, 12], stride: [1, 3], padding: 'VALID', bias: false, activation: RELU, ws: [0.02, 0.005, 0.04], qy: { scale: 0.03, zp: -100 } },
  { x: 0, w: [6, 5, 5], out: [15, 8], stride: [3, 2], padding: 'SAME', bias: true, activation: RELU6, ws: [0.01, 0.02, 0.004], qy: { scale: 0.025, zp: -128 } },
  { x: 0, w: [2, 3, 3], out: [9, 7], stride: [2, 2], padding: 'SAME', bias: true, activation: NONE, ws: [0.9, 0.003], qy: { scale: 0.01, zp: 0 } },
  { x: 0, w: [3, 3, 3], out: [5, 4], stride: [1, 1], padding: 'SAME', bias: false, activation: NONE, ws: [0.015], qy: { scale: 0.02, zp: -9 } },
  { x: 1, w: [7, 4, 4], out: [8, 8], stride: [2, 2], padding: 'VALID', bias: true, activation: NONE, ws: [0.006], qy: { scale: 0.03, zp: 6 } },
];

/** Adds the TCONV_INPUTS (as graph inputs) and one TRANSPOSE_CONV per case (as graph outputs) to `p`. */
export function addTransposeConvs(p: ModelParts, type: 'float32' | 'int8', rng: Rng): void {
  const int8 = type === 'int8';
  const tensor = (name: string, shape: number[], q?: Q, data?: number[]): number =>
    p.tensors.push({ name, shape, type, ...(int8 && q ? { quant: { scale: [q.scale], zeroPoint: [q.zp] } } : {}), ...(data ? { data } : {}) }) - 1;
  const count = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const values = (n: number) => (int8 ? randomInts(rng, n, -127, 127) : Array.from(randomFloats(rng, n, -1, 1)));
  const xs = TCONV_INPUTS.map((x, i) => {
    const t = tensor(`x${i}`, x.shape, x.q);
    p.inputs.push(t);
    return t;
  });
  TCONVS.forEach((c, i) => {
    const x = TCONV_INPUTS[c.x];
    const [o, kh, kw] = c.w;
    const wshape = [o, kh, kw, x.shape[3]];
    const scales = c.ws.length === 1 ? c.ws : Array.from({ length: o }, (_, j) => c.ws[j % c.ws.length]);
    const w = p.tensors.push({ name: `w${i}`, shape: wshape, type, data: values(count(wshape)), ...(int8 ? { quant: { scale: scales, zeroPoint: scales.map(() => 0), ...(scales.length > 1 ? { axis: 0 } : {}) } } : {}) }) - 1;
    const ys = [x.shape[0], c.out[0], c.out[1], o];
    const shape = p.tensors.push({ name: `shape${i}`, shape: [4], type: 'int32', data: ys }) - 1;
    const ins = [shape, w, xs[c.x]];
    if (c.bias) {
      const data = int8 ? randomInts(rng, o, -3000, 3000) : Array.from(randomFloats(rng, o, -1, 1));
      ins.push(p.tensors.push({ name: `bias${i}`, shape: [o], type: int8 ? 'int32' : 'float32', data, ...(int8 ? { quant: { scale: scales.map((s) => s * x.q.scale), zeroPoint: scales.map(() => 0) } } : {}) }) - 1);
    }
    const y = tensor(`tconv${i}`, ys, c.qy);
    p.outputs.push(y);
    const version = c.activation !== NONE ? 4 : c.bias ? 3 : int8 ? 2 : 1;
    p.operators.push({ op: 'TRANSPOSE_CONV', version, inputs: ins, outputs: [y], options: transposeConvOptions({ padding: c.padding, stride: c.stride, activation: c.activation }) });
  });
}

/** A model of the TRANSPOSE_CONV cases alone. */
export function buildTransposeConvs(type: 'float32' | 'int8', seed: number): BuiltModel {
  const p: ModelParts = { tensors: [], inputs: [], outputs: [], operators: [] };
  addTransposeConvs(p, type, mulberry32(seed));
  return { bytes: buildTflite(p), inputs: p.inputs.map((t) => ({ dtype: type as DType, shape: p.tensors[t].shape })), outputs: p.outputs.length };
}

export interface Conv16 {
  x: number[];
  /** CONV_2D: [O, KH, KW, I / groups]; DEPTHWISE_CONV_2D: [1, KH, KW, O]. */
  w: number[];
  depthwise?: boolean;
  bias: 'int64' | 'int32' | 'none';
  perChannel: boolean;
  padding: 'SAME' | 'VALID';
  stride: [number, number];
  dilation?: [number, number];
  activation: number;
}

export const CONV16: Conv16[] = [
  { x: [1, 7, 6, 3], w: [4, 3, 3, 3], bias: 'int64', perChannel: true, padding: 'SAME', stride: [1, 1], activation: 1 },
  { x: [2, 5, 5, 4], w: [5, 2, 2, 4], bias: 'int32', perChannel: false, padding: 'VALID', stride: [2, 2], activation: 0 },
  { x: [1, 8, 7, 2], w: [3, 3, 2, 2], bias: 'none', perChannel: true, padding: 'SAME', stride: [1, 2], dilation: [2, 1], activation: 3 },
  { x: [1, 6, 5, 3], w: [1, 3, 3, 6], depthwise: true, bias: 'int64', perChannel: true, padding: 'SAME', stride: [1, 1], activation: 0 },
  { x: [1, 7, 7, 4], w: [1, 3, 3, 4], depthwise: true, bias: 'int64', perChannel: false, padding: 'VALID', stride: [2, 2], activation: 3 },
];

export function buildConv16(seed: number): BuiltModel {
  const rng = mulberry32(seed);
  const p: ModelParts = { tensors: [], inputs: [], outputs: [], operators: [] };
  const add = (t: ModelParts['tensors'][number]) => p.tensors.push(t) - 1;
  const sx = 0.0005;
  CONV16.forEach((c, i) => {
    const outC = c.depthwise ? c.w[3] : c.w[0];
    const ws = c.perChannel ? Array.from({ length: outC }, (_, j) => 0.003 + 0.0007 * j) : [0.004];
    const n = c.w.reduce((a, b) => a * b, 1);
    const x = add({ name: `cv_x${i}`, shape: c.x, type: 'int16', quant: { scale: [sx], zeroPoint: [0] } });
    const w = add({ name: `cv_w${i}`, shape: c.w, type: 'int8', quant: { scale: ws, zeroPoint: ws.map(() => 0), axis: c.depthwise ? 3 : 0 }, data: randomInts(rng, n, -127, 127) });
    const bs = ws.map((s) => Math.fround(sx * s));
    const b = c.bias === 'none' ? -1 : add({ name: `cv_b${i}`, shape: [outC], type: c.bias, quant: { scale: bs, zeroPoint: bs.map(() => 0) }, data: randomInts(rng, outC, -2000000, 2000000) });
    const [kh, kw] = [c.w[1], c.w[2]];
    const dil = c.dilation ?? [1, 1];
    const size = (d: number, k: number, s: number, dl: number) => (c.padding === 'SAME' ? Math.ceil(d / s) : Math.floor((d - ((k - 1) * dl + 1)) / s) + 1);
    const shape = [c.x[0], size(c.x[1], kh, c.stride[0], dil[0]), size(c.x[2], kw, c.stride[1], dil[1]), outC];
    const y = add({ name: `cv_y${i}`, shape, type: 'int16', quant: { scale: [0.0002], zeroPoint: [0] } });
    p.inputs.push(x);
    p.outputs.push(y);
    const options = c.depthwise
      ? depthwiseOptions({ padding: c.padding, stride: c.stride, multiplier: outC / c.x[3], activation: c.activation })
      : conv2dOptions({ padding: c.padding, stride: c.stride, dilation: c.dilation, activation: c.activation });
    p.operators.push({ op: c.depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', version: 4, inputs: [x, w, b], outputs: [y], options });
  });
  return { bytes: buildTflite(p), inputs: p.inputs.map((t) => ({ dtype: 'int16' as DType, shape: p.tensors[t].shape })), outputs: p.outputs.length };
}
