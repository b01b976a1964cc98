/**
 * The ONNX models of the end-to-end tests (tests/e2e/), built with seeded random weights so every run
 * sees the same bytes. Each builder returns the serialized model and its graph inputs (name and shape),
 * from which the tests draw random input cases.
 *
 *   cnnModel        odd sizes, strided/depthwise/dilated convs, folded BatchNormalization, four
 *                   activations, Max/AveragePool (count_include_pad both ways, ceil_mode), GAP, Gemm, Softmax
 *   residualModel   conv → add with the block input → relu, a two-branch channel Concat, Transpose, Reshape
 *   mlpModel        MatMul + Add bias + Sigmoid/Tanh on a batch of 3
 *   twoInOutModel   two graph inputs, two graph outputs
 *
 * Initializers alternate between the 'raw' and 'typed' encodings so both import paths are exercised.
 */

import { OnnxModelBuilder, TensorEncoding } from './onnx-build.js';
import { Rng, mulberry32, randomFloats } from './random.js';
import type { NamedTensor } from './ort.js';

export interface E2eModel {
  bytes: Uint8Array;
  inputs: { name: string; shape: number[] }[];
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Adds initializers with seeded values, alternating raw and typed encodings. */
class Weights {
  private next = 0;

  constructor(private readonly m: OnnxModelBuilder, private readonly rng: Rng) {}

  /** A float32 initializer of `shape` drawn from [lo, hi). */
  add(name: string, shape: number[], lo: number, hi: number): string {
    const encoding: TensorEncoding = this.next++ % 2 === 0 ? 'raw' : 'typed';
    return this.m.initializer(name, 'float32', shape, randomFloats(this.rng, count(shape), lo, hi), { encoding });
  }

  /** Conv weights [cout, cin/group, k, k], He-uniform so activations keep their scale, and a bias. */
  conv(name: string, cout: number, cinPerGroup: number, k: number): [string, string] {
    const bound = Math.sqrt(6 / (cinPerGroup * k * k));
    return [this.add(`${name}.weight`, [cout, cinPerGroup, k, k], -bound, bound), this.add(`${name}.bias`, [cout], -0.1, 0.1)];
  }
}

/** Random float32 inputs in [-1, 1) for `model`, one set per seed. */
export function randomCase(model: E2eModel, seed: number): NamedTensor[] {
  const rng = mulberry32(seed);
  return model.inputs.map((i) => ({ name: i.name, dtype: 'float32', shape: [...i.shape], data: randomFloats(rng, count(i.shape), -1, 1) }));
}

/**
 * The several-layer CNN. Opset 14, because HardSwish exists only from opset 14 on.
 *
 *   x [1,5,13,11]
 *   conv1   3×3 5→8, stride 2, pads 1        [1,8,7,6]  → BatchNormalization (folded) → Relu
 *   dw      3×3 depthwise group 8, ×2, pad 1 [1,16,7,6] → Clip(0, 6)
 *   dil     3×3 16→6, dilation 2, pads 2     [1,6,7,6]  → LeakyRelu(0.1)
 *   maxpool 3×3 s2 pads 1 ceil_mode          [1,6,4,4]
 *   pw      1×1 6→10                         [1,10,4,4] → HardSwish
 *   avg1    3×3 s2 pads 1, ceil_mode, count_include_pad=1   [1,10,3,3]
 *   avg2    2×2 s1 pads [1,0,0,1], count_include_pad=0      [1,10,3,3]
 *   GlobalAveragePool → Flatten → Gemm 10→7 (transB) → Softmax → y [1,7]
 */
export function cnnModel(): E2eModel {
  const m = new OnnxModelBuilder({ opset: 14, graphName: 'e2e_cnn' });
  const w = new Weights(m, mulberry32(0xc0ffee));
  const x = m.input('x', 'float32', [1, 5, 13, 11]);
  let [t] = m.node('Conv', [x, ...w.conv('conv1', 8, 5, 3)], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'conv1' });
  const bn = [w.add('bn.scale', [8], 0.5, 1.5), w.add('bn.bias', [8], -0.2, 0.2), w.add('bn.mean', [8], -0.3, 0.3), w.add('bn.var', [8], 0.4, 1.6)];
  [t] = m.node('BatchNormalization', [t, ...bn], { epsilon: 1e-3 }, { name: 'bn1' });
  [t] = m.node('Relu', [t], {}, { name: 'relu1' });
  [t] = m.node('Conv', [t, ...w.conv('dw', 16, 1, 3)], { group: 8, pads: [1, 1, 1, 1] }, { name: 'dw' });
  const lo = m.initializer('clip.min', 'float32', [], [0]);
  const hi = m.initializer('clip.max', 'float32', [], [6], { encoding: 'typed' });
  [t] = m.node('Clip', [t, lo, hi], {}, { name: 'relu6' });
  [t] = m.node('Conv', [t, ...w.conv('dil', 6, 16, 3)], { dilations: [2, 2], pads: [2, 2, 2, 2] }, { name: 'dil' });
  [t] = m.node('LeakyRelu', [t], { alpha: 0.1 }, { name: 'leaky' });
  [t] = m.node('MaxPool', [t], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, { name: 'maxpool' });
  [t] = m.node('Conv', [t, ...w.conv('pw', 10, 6, 1)], {}, { name: 'pw' });
  [t] = m.node('HardSwish', [t], {}, { name: 'hswish' });
  const avg1 = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 };
  [t] = m.node('AveragePool', [t], avg1, { name: 'avg1' });
  [t] = m.node('AveragePool', [t], { kernel_shape: [2, 2], pads: [1, 0, 0, 1], count_include_pad: 0 }, { name: 'avg2' });
  [t] = m.node('GlobalAveragePool', [t], {}, { name: 'gap' });
  [t] = m.node('Flatten', [t], { axis: 1 }, { name: 'flatten' });
  const fc = [w.add('fc.weight', [7, 10], -1.5, 1.5), w.add('fc.bias', [7], -0.1, 0.1)];
  [t] = m.node('Gemm', [t, ...fc], { transB: 1 }, { name: 'fc' });
  m.node('Softmax', [t], { axis: 1 }, { name: 'softmax', outputs: ['y'] });
  m.output('y', 'float32', [1, 7]);
  return { bytes: m.encode(), inputs: [{ name: 'x', shape: [1, 5, 13, 11] }] };
}

/**
 * A residual block and a channel concat of two branches, then a layout change at the end.
 *
 *   x [1,4,9,7] → convA 3×3 → Relu → convB 3×3 → Add(x) → Relu = r
 *   r → conv 1×1 4→3 ┐
 *   r → conv 3×3 4→5 → Sigmoid ┴ Concat(axis 1) [1,8,9,7] → Transpose [0,2,3,1] → Reshape [1,-1,8] → y [1,63,8]
 */
export function residualModel(): E2eModel {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'e2e_residual' });
  const w = new Weights(m, mulberry32(0x5e5));
  const x = m.input('x', 'float32', [1, 4, 9, 7]);
  let [t] = m.node('Conv', [x, ...w.conv('convA', 4, 4, 3)], { pads: [1, 1, 1, 1] }, { name: 'convA' });
  [t] = m.node('Relu', [t], {}, { name: 'reluA' });
  [t] = m.node('Conv', [t, ...w.conv('convB', 4, 4, 3)], { pads: [1, 1, 1, 1] }, { name: 'convB' });
  [t] = m.node('Add', [t, x], {}, { name: 'skip' });
  const [r] = m.node('Relu', [t], {}, { name: 'reluB' });
  const [b1] = m.node('Conv', [r, ...w.conv('branch1', 3, 4, 1)], {}, { name: 'branch1' });
  let [b2] = m.node('Conv', [r, ...w.conv('branch2', 5, 4, 3)], { pads: [1, 1, 1, 1] }, { name: 'branch2' });
  [b2] = m.node('Sigmoid', [b2], {}, { name: 'sig' });
  [t] = m.node('Concat', [b1, b2], { axis: 1 }, { name: 'concat' });
  [t] = m.node('Transpose', [t], { perm: [0, 2, 3, 1] }, { name: 'to_nhwc' });
  const shape = m.initializer('shape', 'int64', [3], [1, -1, 8]);
  m.node('Reshape', [t, shape], {}, { name: 'reshape', outputs: ['y'] });
  m.output('y', 'float32', [1, 63, 8]);
  return { bytes: m.encode(), inputs: [{ name: 'x', shape: [1, 4, 9, 7] }] };
}

/** x [3,20] → MatMul [20,16] + b → Sigmoid → MatMul [16,8] + b → Tanh → y [3,8]. */
export function mlpModel(): E2eModel {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'e2e_mlp' });
  const w = new Weights(m, mulberry32(0x31f));
  const x = m.input('x', 'float32', [3, 20]);
  let [t] = m.node('MatMul', [x, w.add('w1', [20, 16], -0.5, 0.5)], {}, { name: 'mm1' });
  [t] = m.node('Add', [t, w.add('b1', [16], -0.2, 0.2)], {}, { name: 'bias1' });
  [t] = m.node('Sigmoid', [t], {}, { name: 'sig' });
  [t] = m.node('MatMul', [t, w.add('w2', [16, 8], -0.8, 0.8)], {}, { name: 'mm2' });
  [t] = m.node('Add', [t, w.add('b2', [8], -0.2, 0.2)], {}, { name: 'bias2' });
  m.node('Tanh', [t], {}, { name: 'tanh', outputs: ['y'] });
  m.output('y', 'float32', [3, 8]);
  return { bytes: m.encode(), inputs: [{ name: 'x', shape: [3, 20] }] };
}

/**
 * Two inputs a, b [1,3,6,6] and two outputs:
 *   feat   = Relu(Conv 3×3 3→4 pad 1 (a + b))              [1,4,6,6]
 *   pooled = Flatten(GlobalAveragePool(a · b − c))        [1,3]   (c: a per-channel constant [1,3,1,1])
 */
export function twoInOutModel(): E2eModel {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'e2e_two' });
  const w = new Weights(m, mulberry32(0x2222));
  const a = m.input('a', 'float32', [1, 3, 6, 6]);
  const b = m.input('b', 'float32', [1, 3, 6, 6]);
  let [s] = m.node('Add', [a, b], {}, { name: 'sum' });
  [s] = m.node('Conv', [s, ...w.conv('conv', 4, 3, 3)], { pads: [1, 1, 1, 1] }, { name: 'conv' });
  m.node('Relu', [s], {}, { name: 'relu', outputs: ['feat'] });
  let [p] = m.node('Mul', [a, b], {}, { name: 'prod' });
  [p] = m.node('Sub', [p, w.add('c', [1, 3, 1, 1], -0.5, 0.5)], {}, { name: 'shift' });
  [p] = m.node('GlobalAveragePool', [p], {}, { name: 'gap' });
  m.node('Flatten', [p], {}, { name: 'flatten', outputs: ['pooled'] });
  m.output('feat', 'float32', [1, 4, 6, 6]);
  m.output('pooled', 'float32', [1, 3]);
  return {
    bytes: m.encode(),
    inputs: [
      { name: 'a', shape: [1, 3, 6, 6] },
      { name: 'b', shape: [1, 3, 6, 6] },
    ],
  };
}
