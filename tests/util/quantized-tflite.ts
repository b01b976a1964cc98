/**
 * The TensorFlow-Lite-style int8 twin of a calibrated NetSpec (tests/util/quantized-models.ts), for
 * comparing the cost of the ONNX QDQ import with the TFLite import of the same network (`bench`).
 *
 * Same weights, scales and zero points as the QDQ model with int8 activations and per-channel weights;
 * NHWC, OHWI filters ([1, KH, KW, C] for depthwise), fused RELU/RELU6, QUANTIZE at the float input and
 * DEQUANTIZE at the float output, global pooling as MEAN over H and W (keep_dims), RESHAPE before
 * FULLY_CONNECTED. TFLite pads only SAME or VALID: a stride-2 3×3 convolution with ONNX pads [1,1,1,1]
 * becomes SAME (pads [0,0,1,1]): the same MAC count, not the same numbers — this twin is for cost only.
 */

import {
  OpSpec, TensorSpec, buildTflite, conv2dOptions, depthwiseOptions, fullyConnectedOptions, reducerOptions,
} from './tflite-build.js';
import { NetSpec, Ranges, activationParams, quantizeBias, quantizeWeights, walkNet } from './quantized-models.js';

const RELU = 1;
const RELU6 = 3;

/** OIHW → OHWI (depthwise: [C, 1, KH, KW] → [1, KH, KW, C]). */
function toTfliteFilter(values: number[], shape: number[], depthwise: boolean): number[] {
  const [o, i, kh, kw] = shape;
  const out = new Array<number>(values.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const src = ((a * i + b) * kh + y) * kw + x;
          out[depthwise ? (y * kw + x) * o + a : ((a * kh + y) * kw + x) * i + b] = values[src];
        }
  return out;
}

const nhwc = (s: number[]) => (s.length === 4 ? [s[0], s[2], s[3], s[1]] : s);

export function tfliteTwin(net: NetSpec, ranges: Ranges): Uint8Array {
  const walked = walkNet(net);
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const index = new Map<string, number>();
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const act = (name: string) => {
    const p = activationParams(ranges, name, 'int8');
    return { scale: [p.scale], zeroPoint: [p.zeroPoint] };
  };
  const xf = add({ name: 'x', shape: nhwc(net.input) });
  index.set('x', add({ name: 'x.q', shape: nhwc(net.input), type: 'int8', quant: act('x') }));
  operators.push({ op: 'QUANTIZE', inputs: [xf], outputs: [index.get('x')!] });
  for (const l of net.layers) {
    const x = walked.inputOf.get(l.name)!;
    const xq = activationParams(ranges, x, 'int8');
    const shape = nhwc(walked.shapes.get(l.name)!);
    const out = l.op === 'flatten' ? add({ name: l.name, shape, type: 'int8', quant: act(x) }) : add({ name: l.name, shape, type: 'int8', quant: act(l.name) });
    const input = index.get(x)!;
    index.set(l.name, out);
    if (l.op === 'conv' || l.op === 'fc') {
      const wt = walked.weights.get(l.name)!;
      const qw = quantizeWeights(wt.w, wt.shape[0], 'per-channel');
      const bias = quantizeBias(wt.b, xq.scale, qw.params);
      const dw = l.op === 'conv' && !!l.depthwise;
      const wshape = l.op === 'fc' ? wt.shape : dw ? [1, wt.shape[2], wt.shape[3], wt.shape[0]] : [wt.shape[0], wt.shape[2], wt.shape[3], wt.shape[1]];
      const w = add({ name: `${l.name}.w`, shape: wshape, type: 'int8', data: l.op === 'fc' ? qw.values : toTfliteFilter(qw.values, wt.shape, dw), quant: { scale: qw.params.map((p) => p.scale), zeroPoint: qw.params.map(() => 0), axis: dw ? 3 : 0 } });
      const b = add({ name: `${l.name}.b`, shape: [wt.b.length], type: 'int32', data: bias.values, quant: { scale: bias.scales, zeroPoint: bias.values.map(() => 0), axis: 0 } });
      if (l.op === 'fc') operators.push({ op: 'FULLY_CONNECTED', version: 5, inputs: [input, w, b], outputs: [out], options: fullyConnectedOptions() });
      else {
        const activation = l.act === 'relu' ? RELU : l.act === 'relu6' ? RELU6 : 0;
        const padding = l.k === 1 ? 'VALID' : 'SAME';
        const stride: [number, number] = [l.stride ?? 1, l.stride ?? 1];
        if (dw) operators.push({ op: 'DEPTHWISE_CONV_2D', version: 3, inputs: [input, w, b], outputs: [out], options: depthwiseOptions({ padding, stride, multiplier: 1, activation }) });
        else operators.push({ op: 'CONV_2D', version: 3, inputs: [input, w, b], outputs: [out], options: conv2dOptions({ padding, stride, activation }) });
      }
    } else if (l.op === 'add') {
      operators.push({ op: 'ADD', version: 2, inputs: [input, index.get(l.with)!], outputs: [out] });
    } else if (l.op === 'gap') {
      const axes = add({ name: `${l.name}.axes`, shape: [2], type: 'int32', data: [1, 2] });
      operators.push({ op: 'MEAN', version: 2, inputs: [input, axes], outputs: [out], options: reducerOptions(true) });
    } else {
      const newShape = add({ name: `${l.name}.shape`, shape: [2], type: 'int32', data: shape });
      operators.push({ op: 'RESHAPE', inputs: [input, newShape], outputs: [out] });
    }
  }
  const last = net.layers[net.layers.length - 1].name;
  const y = add({ name: 'y', shape: walked.shapes.get(last)! });
  operators.push({ op: 'DEQUANTIZE', version: 2, inputs: [index.get(last)!], outputs: [y] });
  return buildTflite({ tensors, inputs: [xf], outputs: [y], operators });
}
