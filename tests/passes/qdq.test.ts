/**
 * The qdq pass and the quantization importers (src/passes/qdq.ts, src/ops/int8-form.ts, src/import/onnx/quant.ts,
 * onnx-qoperator.ts, convert.ts) on small hand-built models: which IR operators come out, the exact
 * int8 weights and int32 biases recovered from DequantizeLinear, uint8 kept only at the API boundary,
 * the float island that stays when weights cannot be int8, and one model run on the host against
 * onnxruntime (every element within 1 LSB). The CNN-scale checks are tests/e2e/qdq-models.test.ts.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph } from '../../src/compile.js';
import type { Graph } from '../../src/ir/graph.js';
import { runModel } from '../../src/run/index.js';
import { roundHalfEven } from '../../src/ops/int8-form.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';

const opsOf = (g: Graph) => g.nodes.map((n) => n.op);
const load = (bytes: Uint8Array) => loadGraph(bytes, 'm.onnx', 'm');

/** Adds Q then DQ of `x` with (scale, zp) of `type`; returns the DQ output. */
function qdq(m: OnnxModelBuilder, x: string, scale: number, zp: number, type: 'int8' | 'uint8', name: string): string {
  const s = m.initializer(`${name}.s`, 'float32', [], [scale]);
  const z = m.initializer(`${name}.z`, type, [], [zp]);
  const [q] = m.node('QuantizeLinear', [x, s, z], {}, { name: `${name}.q`, outputs: [`${name}.q`] });
  return m.node('DequantizeLinear', [q, s, z], {}, { name: `${name}.dq`, outputs: [`${name}.dq`] })[0];
}

/** DQ of a constant: int8 per-channel weights or an int32 bias. */
function dqConst(m: OnnxModelBuilder, name: string, type: 'int8' | 'uint8' | 'int32', dims: number[], values: number[], scales: number[], zps: number[], axis = 0): string {
  const w = m.initializer(name, type, dims, values);
  const s = m.initializer(`${name}.s`, 'float32', scales.length > 1 ? [scales.length] : [], scales);
  const z = m.initializer(`${name}.z`, type, zps.length > 1 ? [zps.length] : [], zps);
  return m.node('DequantizeLinear', [w, s, z], { axis }, { name: `${name}.dq`, outputs: [`${name}.dq`] })[0];
}

const W_CONV = Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => ((i * 37) % 255) - 127);
const B_CONV = [1000, -2000, 37];
const W_FC = Array.from({ length: 4 * 3 }, (_, i) => ((i * 53) % 201) - 100);

/** x[1,2,6,5] → Q/DQ → Conv(per-channel int8 w, int32 b) → Relu → Q/DQ → GAP → Q/DQ → Flatten → Q/DQ → Gemm → Q/DQ. */
function cnn(act: 'int8' | 'uint8'): Uint8Array {
  const zp = act === 'uint8' ? 128 : 0;
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = qdq(m, m.input('x', 'float32', [1, 2, 6, 5]), 0.02, zp + 3, act, 'x');
  const w = dqConst(m, 'w', 'int8', [3, 2, 3, 3], W_CONV, [0.01, 0.02, 0.005], [0, 0, 0]);
  const b = dqConst(m, 'b', 'int32', [3], B_CONV, [0.02 * 0.01, 0.02 * 0.02, 0.02 * 0.005].map(Math.fround), [0, 0, 0]);
  const [c] = m.node('Conv', [x, w, b], { pads: [1, 1, 1, 1], strides: [2, 1] }, { name: 'conv' });
  const [r] = m.node('Relu', [c], {}, { name: 'relu' });
  const p = m.node('GlobalAveragePool', [qdq(m, r, 0.03, zp - 128, act, 'r')], {}, { name: 'gap' })[0];
  const f = m.node('Flatten', [qdq(m, p, 0.01, zp - 100, act, 'p')], {}, { name: 'flatten' })[0];
  const fw = dqConst(m, 'fw', 'int8', [4, 3], W_FC, [0.02], [0]);
  const fb = dqConst(m, 'fb', 'int32', [4], [100, -50, 0, 7], [Math.fround(0.01 * 0.02)], [0]);
  const [y] = m.node('Gemm', [qdq(m, f, 0.01, zp - 100, act, 'f'), fw, fb], { transB: 1 }, { name: 'fc' });
  m.output(qdq(m, y, 0.05, zp + 10, act, 'y'), 'float32', [1, 4]);
  return m.encode();
}

test('roundHalfEven rounds ties to the even neighbour (numpy, onnxruntime)', () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven), [0, 2, 2, -0, -2, -2, 2, -3]);
});

for (const act of ['int8', 'uint8'] as const) {
  test(`QDQ CNN (${act} activations): int8 conv2d, mean and gemm between one quantize and one dequantize`, () => {
    const g = load(cnn(act));
    const compute = opsOf(g).filter((op) => op !== 'reshape' && op !== 'transpose');
    assert.equal(compute, ['quantize', 'conv2d', 'reduce_mean', 'gemm', 'dequantize']);
    const conv = g.nodes.find((n) => n.op === 'conv2d')!;
    assert.equal(conv.inputs.map((i) => g.tensor(i).dtype), ['int8', 'int8', 'int32']);
    assert.equal(conv.attrs.clamp, { min: 0, max: Infinity }, 'Relu fused as the clamp');
    // OHWI weights hold exactly the model's int8 values (OIHW transposed), per channel along axis 0.
    const w = g.tensor(conv.inputs[1]);
    assert.equal(w.shape, [3, 3, 3, 2]);
    assert.is(w.data![0 * 18 + (0 * 3 + 1) * 2 + 1], W_CONV[0 * 18 + 1 * 9 + 0 * 3 + 1]);
    assert.equal(w.quant?.scale, [0.01, 0.02, 0.005].map(Math.fround));
    assert.equal(Array.from(g.tensor(conv.inputs[2]).data as Int32Array), B_CONV, 'the int32 bias is used as is');
    const x = g.tensor(conv.inputs[0]);
    assert.equal(x.quant?.zeroPoint, [3], act === 'uint8' ? 'uint8 zero point 131 − 128' : 'int8 zero point 3');
    const fc = g.nodes.find((n) => n.op === 'gemm')!;
    assert.equal(Array.from(g.tensor(fc.inputs[1]).data as Int8Array), W_FC);
  });
}

test('QDQ CNN: every output element within 1 LSB of onnxruntime on the host', async () => {
  const bytes = cnn('uint8');
  const rng = mulberry32(5);
  const cases = [0, 1, 2].map(() => [{ name: 'x', dtype: 'float32' as const, shape: [1, 2, 6, 5], data: randomFloats(rng, 60, -1.5, 2.5) }]);
  const ours = runModel(bytes, 'qdq_cnn.onnx', cases, { target: 'host' });
  for (let k = 0; k < cases.length; k++) {
    const [expected] = await runOnnxRuntime(bytes, cases[k]);
    const a = ours[k][0].data as Float32Array;
    const e = expected.data as Float32Array;
    for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) <= 0.05 * 1.0001, `case ${k} element ${i}: ${a[i]} vs ${e[i]}`);
  }
});

test('uint8 stays uint8 only at the graph edges: convert in, int8 sigmoid, convert out', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const s = m.initializer('s', 'float32', [], [0.05]);
  const z = m.initializer('z', 'uint8', [], [120]);
  const [d] = m.node('DequantizeLinear', [m.input('x', 'uint8', [1, 8]), s, z], {}, { name: 'dq' });
  const [sg] = m.node('Sigmoid', [d], {}, { name: 'sig' });
  const so = m.initializer('so', 'float32', [], [1 / 256]);
  const zo = m.initializer('zo', 'uint8', [], [0]);
  m.node('QuantizeLinear', [sg, so, zo], {}, { name: 'q', outputs: ['y'] });
  m.output('y', 'uint8', [1, 8]);
  const g = load(m.encode());
  assert.equal(opsOf(g), ['convert', 'sigmoid', 'convert']);
  assert.equal(g.tensor(g.nodes[1].inputs[0]).quant?.zeroPoint, [-8], 'zero point 120 − 128');
  assert.is(g.tensor('y').dtype, 'uint8');
  assert.equal(g.tensor('y').quant?.zeroPoint, [0]);
});

test('uint8 weights whose q − zero_point leaves int8: the float island stays (correct, not int8)', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = qdq(m, m.input('x', 'float32', [1, 3]), 0.02, 0, 'int8', 'x');
  const w = dqConst(m, 'w', 'uint8', [3, 2], [0, 255, 10, 200, 3, 4], [0.01], [0]);
  const [y] = m.node('Gemm', [x, w], {}, { name: 'mm' });
  m.output(qdq(m, y, 0.05, 0, 'int8', 'y'), 'float32', [1, 2]);
  const g = load(m.encode());
  const mm = g.nodes.find((n) => n.op === 'gemm')!;
  assert.is(g.tensor(mm.inputs[0]).dtype, 'float32');
  assert.equal(opsOf(g), ['quantize', 'dequantize', 'gemm', 'quantize', 'dequantize']);
});

test('the same weights under MatMul: batch_matmul on int8 with the weights zero point (−128: uint8 moved to int8)', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = qdq(m, m.input('x', 'float32', [1, 3]), 0.02, 0, 'int8', 'x');
  const w = dqConst(m, 'w', 'uint8', [3, 2], [0, 255, 10, 200, 3, 4], [0.01], [0]);
  const [y] = m.node('MatMul', [x, w], {}, { name: 'mm' });
  m.output(qdq(m, y, 0.05, 0, 'int8', 'y'), 'float32', [1, 2]);
  const g = load(m.encode());
  assert.equal(opsOf(g), ['quantize', 'batch_matmul', 'dequantize']);
  const bt = g.tensor(g.nodes[1].inputs[1]);
  assert.equal(bt.quant?.zeroPoint, [-128]);
  assert.equal(Array.from(bt.data as Int8Array), [-128, -118, -125, 127, 72, -124]);
});

test('QLinearConv imports as the QDQ pattern and lands on the int8 conv2d', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const c = (n: string, t: 'float32' | 'uint8' | 'int8' | 'int32', dims: number[], v: number[]) => m.initializer(n, t, dims, v);
  const inputs = [
    m.input('x', 'uint8', [1, 1, 4, 4]), c('xs', 'float32', [], [0.1]), c('xz', 'uint8', [], [100]),
    c('w', 'int8', [2, 1, 3, 3], Array.from({ length: 18 }, (_, i) => i - 9)), c('ws', 'float32', [2], [0.01, 0.02]), c('wz', 'int8', [2], [0, 0]),
    c('ys', 'float32', [], [0.2]), c('yz', 'uint8', [], [128]), c('b', 'int32', [2], [5, -5]),
  ];
  m.node('QLinearConv', inputs, { pads: [1, 1, 1, 1] }, { name: 'qconv', outputs: ['y'] });
  m.output('y', 'uint8', [1, 2, 4, 4]);
  const g = load(m.encode());
  assert.equal(opsOf(g).filter((op) => op !== 'reshape' && op !== 'transpose'), ['convert', 'conv2d', 'convert']);
  const conv = g.nodes.find((n) => n.op === 'conv2d')!;
  assert.equal(Array.from(g.tensor(conv.inputs[2]).data as Int32Array), [5, -5]);
  assert.equal(g.tensor(conv.outputs[0]).quant?.zeroPoint, [0]);
});

test('errors name the node: blocked quantization, int16, a scale computed at run time', () => {
  const m = new OnnxModelBuilder({ opset: 21 });
  const s = m.initializer('s', 'float32', [2, 1], [0.1, 0.2]);
  m.node('DequantizeLinear', [m.input('x', 'int8', [2, 4]), s], { block_size: 4 }, { name: 'blocked', outputs: ['y'] });
  m.output('y', 'float32', [2, 4]);
  assert.throws(() => load(m.encode()), /node 'blocked' \(DequantizeLinear\): blocked quantization \(block_size\) is not supported/);
  const m2 = new OnnxModelBuilder({ opset: 13 });
  m2.node('QuantizeLinear', [m2.input('x', 'float32', [4]), m2.input('s', 'float32', [])], {}, { name: 'dyn', outputs: ['y'] });
  m2.output('y', 'uint8', [4]);
  assert.throws(() => load(m2.encode()), /node 'dyn' \(QuantizeLinear\): a scale computed at run time is not supported/);
});

test.run();
