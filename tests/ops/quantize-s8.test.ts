/**
 * quantize / dequantize (src/ops/quantize.ts: utvm_quantize_f32_s8, utvm_dequantize_s8_f32,
 * utvm_requantize_s8) and the int8 paths built on them: Concat of differently quantized inputs
 * (requantized into their slices) and Pad of an int8 tensor (fill = the quantized pad value, i.e. the
 * zero point). TensorFlow Lite's AffineQuantize (float division, rounding half away from zero; ONNX's
 * QuantizeLinear rounds half to even: utvm_quantize_f32_s8_even),
 * Dequantize and Requantize are the references; hand-checked ties, saturation and NaN; constant
 * folding; the Cortex-M7 build.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder } from '../../src/import/builder.js';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { dequantizeValue, quantizeValue, requantizeValue } from '../../src/ops/quantize.js';
import { errorOf } from '../util/lower.js';
import { getOp } from '../../src/ops/index.js';
import { runModel } from '../../src/run/index.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, randomQuant } from '../util/s8.js';

const pq = (q: Quant) => ({ scale: q.scale[0], zeroPoint: q.zeroPoint[0] });

// ---------------------------------------------------------------------------------------------------
// quantize float32 → int8, dequantize

test('quantize float32 → int8: float division, ties away from zero, saturation, NaN (hand-checked)', () => {
  const q = q1(0.5, -3);
  // x / 0.5: 0.25 → 0.5 → 1; -0.25 → -1; 0.75 → 1.5 → 2; 1.25 → 2.5 → 3; -1.25 → -3; then + (-3).
  const x = Float32Array.from([0, 0.25, -0.25, 0.75, 1.25, -1.25, 1000, -1000, 64.9, -62.4, NaN, Infinity, -Infinity]);
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [x.length] });
  const node = addQuantNode(g, 'quantize', ['x'], { dtype: 'int8', quant: q }, 'q');
  const [run] = runLoweredMany(g, [node], { x });
  assert.is(run.calls[0].kernel, 'utvm_quantize_f32_s8');
  const want = [-3, -2, -4, -1, 0, -6, 127, -128, 127, -128, -128, 127, -128];
  assert.equal(Array.from(run.outputs[0] as Int8Array), want);
  assert.equal(Array.from(x, (v) => quantizeValue(v, pq(q))), want);
});

test("quantize float32 → int8 with roundHalfEven (ONNX QuantizeLinear): exact halves to even, the rest as TFLite's (hand-checked), folding alike", () => {
  const q = q1(0.5, -3);
  // x / 0.5: 0.25 → 0.5 → 0; -0.25 → -0.5 → -0; 0.75 → 1.5 → 2; 1.25 → 2.5 → 2; -1.25 → -2.5 → -2; 1.75 → 3.5 → 4; 0.3 → 0.6 → 1; then + (-3).
  const x = Float32Array.from([0, 0.25, -0.25, 0.75, 1.25, -1.25, 1.75, 0.3, -0.3, 1000, -1000, 63.25, -62.75, NaN]);
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [x.length] });
  const node = addQuantNode(g, 'quantize', ['x'], { dtype: 'int8', quant: q, roundHalfEven: true }, 'q');
  const [run] = runLoweredMany(g, [node], { x });
  assert.is(run.calls[0].kernel, 'utvm_quantize_f32_s8_even');
  const want = [-3, -3, -3, -1, -1, -5, 1, -2, -4, 127, -128, 123, -128, -128];
  assert.equal(Array.from(run.outputs[0] as Int8Array), want);
  const folded = getOp('quantize').evaluate!({ dtype: 'int8', quant: q, roundHalfEven: true }, [{ name: 'x', dtype: 'float32', shape: [x.length], data: x }], [{ dtype: 'int8', shape: [x.length], quant: q }]);
  assert.equal(Array.from(folded[0] as Int8Array), want);
});

test('ONNX QuantizeLinear to int8 and uint8 (exact halves, saturation) compiled for the host = onnxruntime exactly', async () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const h = m.input('h', 'float32', [4, 10]);
  const scale = m.initializer('qs', 'float32', [], [0.5]);
  const [q8] = m.node('QuantizeLinear', [h, scale, m.initializer('qz8', 'int8', [], [-3])]);
  const [qu] = m.node('QuantizeLinear', [h, scale, m.initializer('qzu', 'uint8', [], [130])]);
  m.output(q8, 'int8');
  m.output(qu, 'uint8');
  const bytes = m.encode();
  const x = Float32Array.from({ length: 40 }, (_, i) => (i - 20 + 0.5) * 0.5 * (i % 7 === 0 ? 9 : 1));
  const ours = runModel(bytes, 'qlinear.onnx', [[{ dtype: 'float32', shape: [4, 10], data: x }]], { target: 'host', name: 'qlinear' })[0];
  const theirs = await runOnnxRuntime(bytes, [{ name: 'h', dtype: 'float32', shape: [4, 10], data: x }]);
  assert.equal(ours.map((o) => Array.from(o.data as Int8Array)), theirs.map((o) => Array.from(o.data as Int8Array)));
});

test('quantize and dequantize match TFLite on random data and quantizations', () => {
  const rng = mulberry32(31);
  const g = new Graph('t');
  const inputs: Record<string, Float32Array | Int8Array> = {};
  const nodes: Node[] = [];
  const expected: number[][] = [];
  for (let i = 0; i < 12; i++) {
    const q = randomQuant(rng, -8, 2);
    const x = randomFloats(rng, 50, -200 * q.scale[0], 200 * q.scale[0]);
    g.addTensor({ name: `f${i}`, dtype: 'float32', shape: [50] });
    inputs[`f${i}`] = x;
    nodes.push(addQuantNode(g, 'quantize', [`f${i}`], { quant: q }, `q${i}`));
    expected.push(Array.from(x, (v) => quantizeValue(v, pq(q))));
    const s = randomInt8(rng, 50);
    inputs[`s${i}`] = int8Input(g, `s${i}`, [50], q, s);
    nodes.push(addQuantNode(g, 'dequantize', [`s${i}`], {}, `d${i}`));
    expected.push(Array.from(s, (v) => dequantizeValue(v, pq(q))));
  }
  const runs = runLoweredMany(g, nodes, inputs);
  runs.forEach((r, i) => assert.equal(Array.from(r.outputs[0] as ArrayLike<number>), expected[i], `node ${nodes[i].name}`));
  // Dequantize is the exact product rounded once: 0.1f · (5 − (−3)) = 0.8f.
  assert.is(dequantizeValue(5, { scale: Math.fround(0.1), zeroPoint: -3 }), Math.fround(Math.fround(0.1) * 8));
});

// ---------------------------------------------------------------------------------------------------
// requantize int8 → int8

test('quantize int8 → int8 requantizes with TFLite\'s multiplier (hand-checked ties and saturation)', () => {
  // Scale 1 → 2: multiplier 2^30, shift 0 (the doubling high multiply: 1.5 → 2, -1.5 → -1, 0.5 → 1,
  // -0.5 → 0), zero points 10 → -20.
  const from = q1(1, 10);
  const to = q1(2, -20);
  const x = Int8Array.from([10, 13, 7, 11, 9, 127, -128]);
  const g = new Graph('t');
  const inputs = { x: int8Input(g, 'x', [7], from, x) };
  const node = addQuantNode(g, 'quantize', ['x'], { dtype: 'int8', quant: to }, 'r');
  const [run] = runLoweredMany(g, [node], inputs);
  assert.is(run.calls[0].kernel, 'utvm_requantize_s8');
  // (x − 10) / 2 − 20: 0 → -20; 3/2 → 2 → -18; -3/2 → -1 → -21; 1/2 → 1 → -19; -1/2 → 0 → -20; 117/2 → 59 → 39; -138/2 → -69 → -89.
  assert.equal(Array.from(run.outputs[0] as Int8Array), [-20, -18, -21, -19, -20, 39, -89]);
  assert.equal(Array.from(x, (v) => requantizeValue(v, pq(from), pq(to))), [-20, -18, -21, -19, -20, 39, -89]);
  // Scale 1 → 1/4 saturates.
  assert.equal([requantizeValue(40, { scale: 1, zeroPoint: 0 }, { scale: 0.25, zeroPoint: 0 }), requantizeValue(-40, { scale: 1, zeroPoint: 0 }, { scale: 0.25, zeroPoint: 0 })], [127, -128]);
});

test('requantize matches the reference on random quantizations', () => {
  const rng = mulberry32(63);
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  const cases = Array.from({ length: 16 }, () => [randomQuant(rng, -8, 1), randomQuant(rng, -8, 1)]);
  const nodes = cases.map(([from, to], i) => {
    inputs[`x${i}`] = int8Input(g, `x${i}`, [256], from, all);
    return addQuantNode(g, 'quantize', [`x${i}`], { quant: to }, `r${i}`);
  });
  runLoweredMany(g, nodes, inputs).forEach((r, i) => {
    const [from, to] = cases[i];
    assert.equal(Array.from(r.outputs[0] as Int8Array), Array.from(all, (v) => requantizeValue(v, pq(from), pq(to))), `case ${i}`);
  });
});

test('constant inputs fold with the kernels\' arithmetic; unsupported types are refused', () => {
  const b = new GraphBuilder('t');
  const c = b.addConstant('c', 'float32', [4], Float32Array.from([0.25, -0.25, 3, 100]));
  const [q] = b.add('quantize', [c], { dtype: 'int8', quant: q1(0.5, 0) });
  assert.equal(Array.from(b.graph.tensor(q).data as Int8Array), [1, -1, 6, 127]);
  assert.equal(b.graph.tensor(q).quant, q1(0.5, 0));
  const [d] = b.add('dequantize', [q], {});
  assert.equal(Array.from(b.graph.tensor(d).data as Float32Array), [0.5, -0.5, 3, 63.5]);
  assert.is(b.graph.nodes.length, 0);
  b.graph.addTensor({ name: 'i', dtype: 'int32', shape: [2] });
  assert.match(errorOf(() => b.add('quantize', ['i'], { dtype: 'int32', quant: q1(1, 0) })), /quantize from int32 to int32 is not supported/);
  assert.match(errorOf(() => b.add('dequantize', [q], { dtype: 'int16' })), /dequantize from int8 to int16 is not supported \(int8 or int16 to float32\)/);
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [2] });
  const node = addQuantNode(g, 'quantize', ['x'], {}, 'n');
  assert.is(errorOf(() => lowerNode(g, node)), "node 'n' (quantize): int8 tensor 'n_out0' has no quantization parameters");
});

// ---------------------------------------------------------------------------------------------------
// Concat and Pad of int8 tensors

test('concat of int8: equal quantizations copy bytes, different ones are requantized into their slice', () => {
  const rng = mulberry32(17);
  const qy = q1(0.1, 4);
  const qs = [qy, q1(0.05, -10), q1(0.3, 100)];
  const shapes = [[2, 3, 2], [2, 1, 2], [2, 4, 2]];
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const xs = shapes.map((s, i) => (inputs[`x${i}`] = int8Input(g, `x${i}`, s, qs[i], randomInt8(rng, elementCount(s)))));
  const node = addQuantNode(g, 'concat', ['x0', 'x1', 'x2'], { axis: 1 }, 'c', qy);
  const [run] = runLoweredMany(g, [node], inputs);
  assert.equal(run.calls.map((c) => c.kernel), ['utvm_copy_strided', 'utvm_requantize_s8', 'utvm_requantize_s8']);
  const expected: number[] = [];
  for (let b = 0; b < 2; b++) {
    shapes.forEach((s, i) => {
      const block = s[1] * s[2];
      for (let k = 0; k < block; k++) expected.push(requantizeValue(xs[i][b * block + k], pq(qs[i]), pq(qy)));
    });
  }
  assert.equal(Array.from(run.outputs[0] as Int8Array), expected);
});

test('pad of int8 fills with the zero point (the quantized 0); quantizations must agree', () => {
  const q = q1(0.2, -7);
  const g = new Graph('t');
  const inputs = { x: int8Input(g, 'x', [1, 2, 2, 1], q, Int8Array.from([1, 2, 3, 4])) };
  const node = addQuantNode(g, 'pad', ['x'], { mode: 'constant', pads: [0, 1, 0, 0, 0, 0, 1, 0], value: 0 }, 'p', q);
  const [run] = runLoweredMany(g, [node], inputs);
  // [1, 2, 2, 1] padded one row before and one column after: rows [-7,-7,-7], [1,2,-7], [3,4,-7].
  assert.equal(Array.from(run.outputs[0] as Int8Array), [-7, -7, -7, 1, 2, -7, 3, 4, -7]);
  const other = addQuantNode(g, 'pad', ['x'], { mode: 'constant', pads: [0, 1, 0, 0, 0, 0, 1, 0], value: 0 }, 'o', q1(0.2, 0));
  assert.is(errorOf(() => lowerNode(g, other)), "node 'o' (pad): int8 pad whose output quantization differs from its input's is not supported");
});

test('the conversion kernels compile warning-free for the Cortex-M7', () => {
  compileForCortexM7(['utvm_quantize_f32_s8', 'utvm_quantize_f32_s8_even', 'utvm_dequantize_s8_f32', 'utvm_requantize_s8']);
});

test.run();
