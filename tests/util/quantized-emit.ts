/**
 * Writes a calibrated NetSpec (tests/util/quantized-models.ts) as a quantized ONNX model, in onnxruntime's
 * QDQ format or its QOperator format. The float input 'x' is quantized by a QuantizeLinear at the graph's
 * edge and the float output 'y' comes from a DequantizeLinear, as onnxruntime's quantizer leaves them.
 */

import { OnnxModelBuilder } from './onnx-build.js';
import {
  NetSpec, QParam, QuantVariant, QuantizedModel, Ranges, activationParams, activationRange, computeScaleZp, quantizeBias,
  quantizeWeights, walkNet,
} from './quantized-models.js';

type Walked = ReturnType<typeof walkNet>;

/** Scale and zero-point initializers shared by both formats. */
class Params {
  readonly q = new Map<string, QParam>();

  constructor(private readonly m: OnnxModelBuilder, private readonly type: 'int8' | 'uint8') {}

  /** Registers `tensor`'s parameters and writes `<tensor>.s` / `<tensor>.zp`. */
  set(tensor: string, p: QParam, type = this.type): [string, string] {
    this.q.set(tensor, p);
    return [this.m.initializer(`${tensor}.s`, 'float32', [], [p.scale]), this.m.initializer(`${tensor}.zp`, type, [], [p.zeroPoint])];
  }

  names(tensor: string): [string, string] {
    if (!this.q.has(tensor)) throw new Error(`no quantization for '${tensor}'`);
    return [`${tensor}.s`, `${tensor}.zp`];
  }
}

/** Weight initializers: values, scale(s) and zero point(s); per-channel ones carry `axis`. */
function weightInits(m: OnnxModelBuilder, name: string, shape: number[], qw: ReturnType<typeof quantizeWeights>): [string, string, string] {
  const per = qw.params.length > 1 ? [qw.params.length] : [];
  return [
    m.initializer(`${name}.wq`, qw.dtype, shape, qw.values),
    m.initializer(`${name}.ws`, 'float32', per, qw.params.map((p) => p.scale)),
    m.initializer(`${name}.wzp`, qw.dtype, per, qw.params.map((p) => p.zeroPoint)),
  ];
}

function convAttrs(l: Extract<NetSpec['layers'][number], { op: 'conv' }>, cin: number) {
  const attrs: Record<string, number | number[]> = { kernel_shape: [l.k, l.k], strides: [l.stride ?? 1, l.stride ?? 1], pads: l.pads ?? [0, 0, 0, 0] };
  if (l.depthwise) attrs.group = cin;
  return attrs;
}

function label(net: NetSpec, format: string, v: QuantVariant): string {
  return `${net.name}_${format}_${v.activations === 'int8' ? 's8' : 'u8'}_${v.weights}`;
}

/**
 * The QDQ form: Q → DQ around every float operator, weights and biases behind DequantizeLinear. With
 * `exposeAll`, every layer's dequantized output is a graph output too (to find the layer that differs).
 */
export function qdqModel(net: NetSpec, ranges: Ranges, v: QuantVariant, exposeAll = false): QuantizedModel {
  const walked = walkNet(net);
  const m = new OnnxModelBuilder({ opset: 13, graphName: label(net, 'qdq', v) });
  const p = new Params(m, v.activations);
  m.input('x', 'float32', net.input);
  const qdq = (t: string, out = `${t}.dq`) => {
    const [s, zp] = p.names(t);
    const [q] = m.node('QuantizeLinear', [t, s, zp], {}, { name: `${t}.quantize`, outputs: [`${t}.q`] });
    return m.node('DequantizeLinear', [q, s, zp], {}, { name: `${t}.dequantize`, outputs: [out] })[0];
  };
  p.set('x', activationParams(ranges, 'x', v.activations));
  const dq = new Map<string, string>([['x', qdq('x')]]);
  const last = net.layers[net.layers.length - 1].name;
  for (const l of net.layers) {
    const x = walked.inputOf.get(l.name)!;
    const params = l.op === 'flatten' ? p.q.get(x)! : activationParams(ranges, l.name, v.activations);
    if (l.op === 'conv' || l.op === 'fc') {
      const wt = walked.weights.get(l.name)!;
      const qw = quantizeWeights(wt.w, wt.shape[0], v.weights);
      const [wq, ws, wzp] = weightInits(m, l.name, wt.shape, qw);
      const axis: Record<string, number> = qw.params.length > 1 ? { axis: 0 } : {};
      const [w] = m.node('DequantizeLinear', [wq, ws, wzp], axis, { name: `${l.name}.w.dequantize` });
      const bias = quantizeBias(wt.b, p.q.get(x)!.scale, qw.params);
      const per = qw.params.length > 1 ? [wt.b.length] : [];
      const bq = m.initializer(`${l.name}.bq`, 'int32', [wt.b.length], bias.values);
      const bs = m.initializer(`${l.name}.bs`, 'float32', per, per.length ? bias.scales : [bias.scales[0]]);
      const bzp = m.initializer(`${l.name}.bzp`, 'int32', per, per.length ? bias.values.map(() => 0) : [0]);
      const [b] = m.node('DequantizeLinear', [bq, bs, bzp], axis, { name: `${l.name}.b.dequantize` });
      if (l.op === 'fc') m.node('Gemm', [dq.get(x)!, w, b], { transB: 1 }, { name: l.name, outputs: [l.name] });
      else {
        const [c] = m.node('Conv', [dq.get(x)!, w, b], convAttrs(l, walked.shapes.get(x)![1]), { name: l.name, outputs: [l.act ? `${l.name}.pre` : l.name] });
        if (l.act === 'relu') m.node('Relu', [c], {}, { name: `${l.name}.relu`, outputs: [l.name] });
        if (l.act === 'relu6') m.node('Clip', [c, m.initializer(`${l.name}.lo`, 'float32', [], [0]), m.initializer(`${l.name}.hi`, 'float32', [], [6])], {}, { name: `${l.name}.clip`, outputs: [l.name] });
      }
    } else if (l.op === 'add') m.node('Add', [dq.get(x)!, dq.get(l.with)!], {}, { name: l.name, outputs: [l.name] });
    else if (l.op === 'gap') m.node('GlobalAveragePool', [dq.get(x)!], {}, { name: l.name, outputs: [l.name] });
    else m.node('Flatten', [dq.get(x)!], { axis: 1 }, { name: l.name, outputs: [l.name] });
    p.set(l.name, params);
    dq.set(l.name, qdq(l.name, l.name === last ? 'y' : undefined));
  }
  m.output('y', 'float32', walked.shapes.get(last));
  if (exposeAll) for (const l of net.layers.slice(0, -1)) m.output(`${l.name}.dq`, 'float32', walked.shapes.get(l.name));
  return { label: label(net, 'qdq', v), bytes: m.encode(), input: { name: 'x', shape: net.input }, outputQuant: p.q.get(last)! };
}

/**
 * The QOperator form: QLinearConv, QLinearAdd, QLinearGlobalAveragePool, Flatten, QLinearMatMul + QLinearAdd.
 * With `exposeAll`, every layer's quantized output is a graph output too.
 */
export function qoperatorModel(net: NetSpec, ranges: Ranges, v: QuantVariant, exposeAll = false): QuantizedModel {
  const walked = walkNet(net);
  const m = new OnnxModelBuilder({ opset: 13, domains: { 'com.microsoft': 1 }, graphName: label(net, 'qop', v) });
  const ms = { domain: 'com.microsoft' };
  const p = new Params(m, v.activations);
  m.input('x', 'float32', net.input);
  m.node('QuantizeLinear', ['x', ...p.set('x', activationParams(ranges, 'x', v.activations))], {}, { name: 'x.quantize', outputs: ['x.q'] });
  const last = net.layers[net.layers.length - 1].name;
  for (const l of net.layers) {
    const x = walked.inputOf.get(l.name)!;
    const xin = [`${x}.q`, ...p.names(x)];
    const out = { name: l.name, outputs: [`${l.name}.q`] };
    if (l.op === 'flatten') {
      p.set(l.name, p.q.get(x)!);
      m.node('Flatten', [`${x}.q`], { axis: 1 }, out);
      continue;
    }
    const y = p.set(l.name, activationParams(ranges, l.name, v.activations));
    const wt = walked.weights.get(l.name);
    if (l.op === 'conv') {
      const qw = quantizeWeights(wt!.w, wt!.shape[0], v.weights);
      const bias = quantizeBias(wt!.b, p.q.get(x)!.scale, qw.params);
      const bq = m.initializer(`${l.name}.bq`, 'int32', [wt!.b.length], bias.values);
      m.node('QLinearConv', [...xin, ...weightInits(m, l.name, wt!.shape, qw), ...y, bq], convAttrs(l, walked.shapes.get(x)![1]), out);
    } else if (l.op === 'add') {
      m.node('QLinearAdd', [...xin, `${l.with}.q`, ...p.names(l.with), ...y], {}, { ...out, ...ms });
    } else if (l.op === 'gap') {
      m.node('QLinearGlobalAveragePool', [...xin, ...y], { channels_last: 0 }, { ...out, ...ms });
    } else if (l.op === 'fc') {
      fcHead(m, p, l.name, xin, wt!, v, ranges, y);
    }
  }
  m.node('DequantizeLinear', [`${last}.q`, ...p.names(last)], {}, { name: 'y.dequantize', outputs: ['y'] });
  m.output('y', 'float32', walked.shapes.get(last));
  if (exposeAll) for (const l of net.layers.slice(0, -1)) m.output(`${l.name}.q`, v.activations, walked.shapes.get(l.name));
  return { label: label(net, 'qop', v), bytes: m.encode(), input: { name: 'x', shape: net.input }, outputQuant: p.q.get(last)! };
}

/** QLinearMatMul (B = W^T, per column or per tensor) then QLinearAdd of the bias quantized as a tensor of its own. */
function fcHead(m: OnnxModelBuilder, p: Params, name: string, xin: string[], wt: { w: Float32Array; shape: number[]; b: Float32Array }, v: QuantVariant, ranges: Ranges, y: string[]): void {
  const [out, inn] = wt.shape;
  const qw = quantizeWeights(wt.w, out, v.weights);
  const values = new Array<number>(qw.values.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) values[i * out + o] = qw.values[o * inn + i];
  const [wq, ws, wzp] = weightInits(m, name, [inn, out], { ...qw, values });
  const mm = p.set(`${name}.mm`, activationParams(ranges, `${name}.mm`, v.activations));
  m.node('QLinearMatMul', [...xin, wq, ws, wzp, ...mm], {}, { name: `${name}.matmul`, outputs: [`${name}.mm.q`] });
  const [qmin, qmax] = activationRange(v.activations);
  const bp = computeScaleZp(Math.min(...wt.b), Math.max(...wt.b), qmin, qmax);
  const bq = Array.from(wt.b, (b) => Math.max(qmin, Math.min(qmax, Math.round(b / bp.scale) + bp.zeroPoint)));
  const bInit = m.initializer(`${name}.bq`, v.activations, [out], bq);
  m.node('QLinearAdd', [`${name}.mm.q`, ...mm, bInit, ...p.set(`${name}.b`, bp), ...y], {}, { name, outputs: [`${name}.q`], domain: 'com.microsoft' });
}

/** The nets of the tests; `calibrate` and a QuantVariant turn each into a quantized model. */
export const NETS: NetSpec[] = [
  {
    // stride 2 + padding, depthwise, 1×1, residual add, stride-2 conv, global pooling, fully connected head
    name: 'resnetish',
    input: [1, 3, 16, 16],
    seed: 0x51,
    layers: [
      { op: 'conv', name: 'conv1', cout: 8, k: 3, stride: 2, pads: [1, 1, 1, 1], act: 'relu' },
      { op: 'conv', name: 'dw', cout: 8, k: 3, pads: [1, 1, 1, 1], depthwise: true, act: 'relu6' },
      { op: 'conv', name: 'pw', cout: 8, k: 1 },
      { op: 'add', name: 'skip', with: 'conv1' },
      { op: 'conv', name: 'conv3', cout: 16, k: 3, stride: 2, pads: [1, 1, 1, 1], act: 'relu' },
      { op: 'gap', name: 'gap' },
      { op: 'flatten', name: 'flatten' },
      { op: 'fc', name: 'fc', out: 10 },
    ],
  },
  {
    // odd sizes and channel counts, asymmetric padding, no activation on the first conv
    name: 'oddnet',
    input: [1, 1, 15, 13],
    seed: 0x77,
    layers: [
      { op: 'conv', name: 'stem', cout: 5, k: 3, pads: [1, 0, 1, 2] },
      { op: 'conv', name: 'down', cout: 7, k: 3, stride: 2, pads: [0, 1, 1, 0], act: 'relu' },
      { op: 'conv', name: 'dw', cout: 7, k: 3, stride: 2, pads: [1, 1, 1, 1], depthwise: true, act: 'relu' },
      { op: 'gap', name: 'gap' },
      { op: 'flatten', name: 'flatten' },
      { op: 'fc', name: 'fc', out: 4 },
    ],
  },
];
