/**
 * Chains of convolution / depthwise / pooling layers as TFLite models, int8 (per-channel weights, as the
 * converter writes them) or float32, for the patch-stage tests (tests/lower/patch-default.test.ts): one
 * input image, one output, each layer reading the previous layer's output.
 */

import { buildTflite, conv2dOptions, depthwiseOptions, poolOptions } from './tflite-build.js';
import type { OpSpec, TensorSpec } from './tflite-build.js';
import { mulberry32 } from './random.js';

export type ChainLayer =
  | { kind: 'conv'; k: number; stride: number; out: number; padding: 'SAME' | 'VALID'; dilation?: number; relu?: boolean }
  | { kind: 'dw'; k: number; stride: number; padding: 'SAME' | 'VALID'; relu?: boolean }
  | { kind: 'max' | 'avg'; k: number; stride: number; padding: 'SAME' | 'VALID' };

/** Output size along one axis, as TFLite's SAME / VALID padding gives it. */
function outSize(size: number, k: number, stride: number, dilation: number, padding: 'SAME' | 'VALID'): number {
  return padding === 'SAME' ? Math.ceil(size / stride) : Math.floor((size - ((k - 1) * dilation + 1)) / stride) + 1;
}

/** The chain's TFLite model for an input of [1, h, w, c]; `seed` draws the weights. */
export function buildChain(type: 'int8' | 'float32', input: [number, number, number], layers: ChainLayer[], seed: number): Uint8Array {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const int8 = type === 'int8';
  let [h, w, c] = input;
  let scale = 0.05;
  let zp = -3;
  const act = (name: string, shape: number[], s: number, z: number): number => {
    tensors.push({ name, shape, type, ...(int8 ? { quant: { scale: [s], zeroPoint: [z] } } : {}) });
    return tensors.length - 1;
  };
  let x = act('input', [1, h, w, c], scale, zp);
  layers.forEach((layer, i) => {
    if (layer.kind === 'max' || layer.kind === 'avg') {
      const l = layer;
      const [oh, ow] = [outSize(h, l.k, l.stride, 1, l.padding), outSize(w, l.k, l.stride, 1, l.padding)];
      const y = act(`pool${i}`, [1, oh, ow, c], scale, zp);
      operators.push({ op: l.kind === 'max' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', inputs: [x], outputs: [y], options: poolOptions({ padding: l.padding, stride: [l.stride, l.stride], filter: [l.k, l.k] }) });
      [x, h, w] = [y, oh, ow];
      return;
    }
    const l = layer as Exclude<ChainLayer, { kind: 'max' | 'avg' }>;
    const depthwise = l.kind === 'dw';
    const out = l.kind === 'dw' ? c : l.out;
    const fanIn = l.k * l.k * (depthwise ? 1 : c);
    const count = out * fanIn;
    const wScales = Array.from({ length: out }, () => 0.002 + rng() * 0.01);
    const weights = Array.from({ length: count }, () => (int8 ? Math.floor(rng() * 255) - 127 : (rng() * 2 - 1) / Math.sqrt(fanIn)));
    const wShape = depthwise ? [1, l.k, l.k, out] : [out, l.k, l.k, c];
    const wi = tensors.push({ name: `w${i}`, shape: wShape, type, data: weights, ...(int8 ? { quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: depthwise ? 3 : 0 } } : {}) }) - 1;
    const bias = Array.from({ length: out }, () => (int8 ? Math.floor(rng() * 2000) - 1000 : rng() * 0.2 - 0.1));
    const bi = tensors.push({ name: `b${i}`, shape: [out], type: int8 ? 'int32' : 'float32', data: bias, ...(int8 ? { quant: { scale: wScales.map((s) => s * scale), zeroPoint: wScales.map(() => 0) } } : {}) }) - 1;
    const dilation = l.kind === 'conv' ? l.dilation ?? 1 : 1;
    const [oh, ow] = [outSize(h, l.k, l.stride, dilation, l.padding), outSize(w, l.k, l.stride, dilation, l.padding)];
    const outScale = scale * 0.008 * Math.sqrt(fanIn) * 40;
    const outZp = l.relu ? -128 : 5;
    const y = act(`${l.kind}${i}`, [1, oh, ow, out], outScale, outZp);
    const activation = l.relu ? 1 : 0;
    const options = depthwise
      ? depthwiseOptions({ padding: l.padding, stride: [l.stride, l.stride], multiplier: 1, activation })
      : conv2dOptions({ padding: l.padding, stride: [l.stride, l.stride], dilation: [dilation, dilation], activation });
    operators.push({ op: depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', inputs: [x, wi, bi], outputs: [y], options });
    [x, h, w, c, scale, zp] = [y, oh, ow, out, outScale, outZp];
  });
  return buildTflite({ tensors, inputs: [0], outputs: [x], operators });
}
