/**
 * The reference interpreter's elementwise operators (src/ops/binary/reference.ts, src/ops/unary/reference.ts,
 * the `reference` of src/ops/quantize.ts and convert.ts) held to the oracles without building any C:
 *   - every TFLite model the compiler's tests of these operators build (tests/util/elementwise-models.ts,
 *     int16-models.ts): every output of the interpreter = tflm-run's, integer bytes exactly, float within
 *     1e-5 of the tensor's largest |value| (tests/util/reference.ts);
 *   - int8 ADD and MUL at the edges (zero points −128 and 127, saturation both ways, MUL multipliers above
 *     and below 1: both signs of the shift, every fused activation, broadcasting, scalars) and their
 *     float32 twins; uint8 QUANTIZE / DEQUANTIZE chains;
 *   - float ONNX graphs (Add, Sub, Mul, Div with broadcasting and opset 6's legacy broadcast, the ONNX
 *     activations, QuantizeLinear to int8 and uint8 with exact halves, DequantizeLinear) against
 *     onnxruntime: float within 1e-5 of the tensor's largest |value|, integers exactly (half to even);
 *   - the number-only fixed-point primitives (src/ops/binary/fixed.ts) against src/ir/quant.ts's BigInt ones;
 *   - real models, one seeded case each: every node of these operators run on TFLite Micro's layer values
 *     (tests/util/reference-isolated.ts) equals TFLite Micro's output of that layer: MLPerf Tiny ic (ADD),
 *     keyword_scrambled_8bit (QUANTIZE), dtln (LOGISTIC), MobileNetV2 (ADD).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importGraph } from '../../src/compile.js';
import { multiplyByQuantizedMultiplier, saturatingRoundingDoublingHighMul } from '../../src/ir/quant.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { multiplyByQuantizedMultiplierFast as mbqm, saturatingRoundingDoublingHighMulFast as srdhm } from '../../src/ir/quant.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { randomInputs } from '../../src/validate/index.js';
import { assertReferenceMatchesTflm, referenceOutputs } from '../util/reference.js';
import { assertOpsMatchTflmInIsolation } from '../util/reference-isolated.js';
import { binaryOpsCases, binaryOpsModel, elementwiseCases, elementwiseModel } from '../util/elementwise-models.js';
import { BINARY16, add16Model, int16EdgeCases, int16EdgeModel, int16OpsCases, int16OpsModel } from '../util/int16-models.js';
import { OpSpec, TensorSpec, activationOptions, buildTflite } from '../util/tflite-build.js';
import { OnnxModelBuilder, float } from '../util/onnx-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';

const MODELS = join(process.cwd(), '..', 'shared', 'models');

// ---------------------------------------------------------------------------------------------------
// The compiler tests' TFLite models

for (const type of ['float32', 'int8'] as const) {
  test(`SUB (NONE/RELU/RELU6), MAXIMUM, MINIMUM, MUL on ${type}, broadcasting, both operand orders: reference = TFLM`, () => {
    const m = binaryOpsModel(type);
    assert.is(assertReferenceMatchesTflm(`binary_${type}`, m.bytes, binaryOpsCases(m, type, type === 'int8' ? 901 : 902, 3)), 3 * m.outputs);
  });
  test(`elementwise builtins on ${type} (every int8 value through every unary builtin): reference = TFLM`, () => {
    const m = elementwiseModel(type);
    assert.is(assertReferenceMatchesTflm(`elementwise_${type}`, m.bytes, elementwiseCases(m, type, type === 'int8' ? 1301 : 1302, 4)), 4 * m.outputs);
  });
}

test('QUANTIZE between float32/int8/int16/int32 (every pair TFLM runs), DEQUANTIZE int16: reference = TFLM', () => {
  const m = int16EdgeModel(false);
  assert.is(assertReferenceMatchesTflm('int16_edges', m.bytes, int16EdgeCases(m, 1601, 3)), 3 * m.outputs);
});

test('16x8 ADD, MUL, SUB, MAXIMUM, MINIMUM (broadcasting, scalars, RELU, RELU6), LOGISTIC and TANH (every input-scale case): reference = TFLM', () => {
  const add = add16Model();
  assert.ok(assertReferenceMatchesTflm('add16', add.bytes, int16EdgeCases(add, 1621, 3)) > 0);
  const ops = int16OpsModel('binary', 'activations');
  assert.ok(BINARY16.length > 0);
  assert.is(assertReferenceMatchesTflm('int16_ops', ops.bytes, int16OpsCases(ops, 1701, 3)), 3 * ops.outputs);
});

// ---------------------------------------------------------------------------------------------------
// int8 ADD and MUL at the edges

type Q = { scale: number; zp: number };
interface Edge {
  op: 'ADD' | 'MUL';
  as: number[];
  bs: number[];
  qa: Q;
  qb: Q;
  qy: Q;
  act: number;
}

const EDGES: Edge[] = [
  { op: 'ADD', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.05, zp: -128 }, qb: { scale: 0.013, zp: 127 }, qy: { scale: 0.02, zp: -128 }, act: 0 },
  { op: 'ADD', as: [1], bs: [3, 11], qa: { scale: 0.1, zp: 127 }, qb: { scale: 0.1, zp: -128 }, qy: { scale: 0.003, zp: 0 }, act: 1 },
  { op: 'ADD', as: [4, 1, 6], bs: [1, 5, 1], qa: { scale: 0.0021, zp: 3 }, qb: { scale: 0.5, zp: -7 }, qy: { scale: 0.6, zp: 5 }, act: 3 },
  { op: 'ADD', as: [33, 35], bs: [33, 35], qa: { scale: 0.023, zp: 5 }, qb: { scale: 0.041, zp: -9 }, qy: { scale: 0.05, zp: -3 }, act: 0 },
  { op: 'MUL', as: [2, 3, 5, 7], bs: [7], qa: { scale: 0.5, zp: -128 }, qb: { scale: 0.9, zp: 127 }, qy: { scale: 0.01, zp: 0 }, act: 0 },
  { op: 'MUL', as: [5, 13], bs: [5, 13], qa: { scale: 0.01, zp: 3 }, qb: { scale: 0.02, zp: -4 }, qy: { scale: 0.3, zp: -128 }, act: 1 },
  { op: 'MUL', as: [1], bs: [3, 11], qa: { scale: 0.2, zp: 127 }, qb: { scale: 0.05, zp: -128 }, qy: { scale: 0.004, zp: 10 }, act: 3 },
  { op: 'MUL', as: [3, 1, 4], bs: [2, 1, 4, 1], qa: { scale: 0.03, zp: 7 }, qb: { scale: 0.02, zp: -5 }, qy: { scale: 0.0007, zp: -20 }, act: 0 },
];

function edgeModel(type: 'float32' | 'int8'): { bytes: Uint8Array; shapes: number[][]; outputs: number } {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const t = (name: string, shape: number[], q: Q) => tensors.push({ name, shape, type, ...(type === 'int8' ? { quant: { scale: [q.scale], zeroPoint: [q.zp] } } : {}) }) - 1;
  EDGES.forEach((e, i) => {
    const a = t(`a${i}`, e.as, e.qa);
    const b = t(`b${i}`, e.bs, e.qb);
    const y = t(`y${i}`, broadcastShapes(e.as, e.bs)!, e.qy);
    inputs.push(a, b);
    outputs.push(y);
    const options = activationOptions(e.op === 'ADD' ? OptionsType.AddOptions : OptionsType.MulOptions, e.act);
    operators.push({ op: e.op, version: type === 'int8' ? 2 : 1, inputs: [a, b], outputs: [y], options });
  });
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), shapes: inputs.map((i) => tensors[i].shape), outputs: outputs.length };
}

for (const type of ['float32', 'int8'] as const) {
  test(`${type} ADD and MUL at the edges (extreme zero points, saturation, MUL shifts of both signs, NONE/RELU/RELU6): reference = TFLM`, () => {
    const m = edgeModel(type);
    const rng = mulberry32(type === 'int8' ? 1401 : 1402);
    const cases = Array.from({ length: 3 }, () =>
      m.shapes.map((shape): TensorValue => {
        const n = shape.reduce((p, d) => p * d, 1);
        return type === 'int8' ? { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) } : { dtype: 'float32', shape, data: randomFloats(rng, n, -6, 6) };
      }),
    );
    assert.is(assertReferenceMatchesTflm(`edges_${type}`, m.bytes, cases), 3 * m.outputs);
    if (type === 'int8') {
      const values = referenceOutputs(m.bytes, 'edges.tflite', cases).flatMap((outs) => outs.flatMap((o) => [...(o.data as Int8Array)]));
      assert.ok(values.includes(127) && values.includes(-128), 'saturates both ways');
    }
  });
}

test("float32 precision (interpret { float: 'float32' }): SUB, MUL, MAXIMUM, MINIMUM and ADD/MUL with RELU/RELU6 = TFLM bit for bit (IEEE float32 rounding of each result)", () => {
  const models = [binaryOpsModel('float32'), edgeModel('float32')];
  let bytes = 0;
  models.forEach((m, k) => {
    const rng = mulberry32(1403 + k);
    const shapes = 'shapes' in m ? m.shapes : m.inputShapes;
    const cases = Array.from({ length: 2 }, () => shapes.map((shape): TensorValue => ({ dtype: 'float32', shape, data: randomFloats(rng, shape.reduce((p, d) => p * d, 1), -6, 6) })));
    const ours = referenceOutputs(m.bytes, `f32_${k}.tflite`, cases, { float: 'float32' });
    bytes += assertSameBytes(`float32 model ${k}`, ours, runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs));
  });
  assert.ok(bytes > 10000, `${bytes} bytes compared`);
});

test('uint8 → QUANTIZE → int8 → QUANTIZE → uint8 (zero points 128 apart; other scales), uint8 → DEQUANTIZE: reference = TFLM', () => {
  const u8 = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp] });
  const shape = [2, 3, 17];
  const chain = (qin: ReturnType<typeof u8>, qmid: ReturnType<typeof u8>, qout: ReturnType<typeof u8>) =>
    buildTflite({
      tensors: [{ name: 'x', shape, type: 'uint8', quant: qin }, { name: 'm', shape, type: 'int8', quant: qmid }, { name: 'y', shape, type: 'uint8', quant: qout }],
      inputs: [0],
      outputs: [2],
      operators: [{ op: 'QUANTIZE', version: 2, inputs: [0], outputs: [1] }, { op: 'QUANTIZE', version: 2, inputs: [1], outputs: [2] }],
    });
  const dequantize = buildTflite({
    tensors: [{ name: 'x', shape, type: 'uint8', quant: u8(0.0371, 97) }, { name: 'y', shape, type: 'float32' }],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'DEQUANTIZE', version: 2, inputs: [0], outputs: [1] }],
  });
  const rng = mulberry32(1501);
  const cases = Array.from({ length: 3 }, (): TensorValue[] => [{ dtype: 'uint8', shape, data: Uint8Array.from(randomInts(rng, 102, 0, 255)) }]);
  assertReferenceMatchesTflm('u8_shift', chain(u8(0.02, 128), u8(0.02, 0), u8(0.02, 128)), cases);
  assertReferenceMatchesTflm('u8_requant', chain(u8(0.017, 131), u8(0.023, -5), u8(0.031, 119)), cases);
  assertReferenceMatchesTflm('u8_saturate', chain(u8(0.05, 0), u8(0.01, 127), u8(0.003, 255)), cases);
  assertReferenceMatchesTflm('u8_dequantize', dequantize, cases);
});

test('float32 → QUANTIZE → int8 (exact halves: away from zero; zero points −128 and 127; saturation), int8 → DEQUANTIZE → float32: reference = TFLM', () => {
  const shape = [4, 10];
  const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp] });
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape, type: 'float32' },
      { name: 'q1', shape, type: 'int8', quant: q(0.5, -128) },
      { name: 'q2', shape, type: 'int8', quant: q(0.25, 127) },
      { name: 'q3', shape, type: 'int8', quant: q(0.5, 3) },
      { name: 'd', shape, type: 'float32' },
    ],
    inputs: [0],
    outputs: [1, 2, 3, 4],
    operators: [
      { op: 'QUANTIZE', version: 2, inputs: [0], outputs: [1] },
      { op: 'QUANTIZE', version: 2, inputs: [0], outputs: [2] },
      { op: 'QUANTIZE', version: 2, inputs: [0], outputs: [3] },
      { op: 'DEQUANTIZE', version: 2, inputs: [3], outputs: [4] },
    ],
  });
  const halves = Float32Array.from({ length: 40 }, (_, i) => (i - 20 + 0.5) * 0.5 * (i % 7 === 0 ? 11 : 1));
  const rng = mulberry32(1502);
  assert.is(assertReferenceMatchesTflm('quantize_f32', bytes, [[{ dtype: 'float32', shape, data: halves }], [{ dtype: 'float32', shape, data: randomFloats(rng, 40, -70, 70) }]]), 8);
});

// ---------------------------------------------------------------------------------------------------
// Float ONNX graphs against onnxruntime

/** |ours − ort| ≤ 1e-5 · max|ort| (float); integer outputs exactly. */
function assertCloseToOrt(label: string, ours: TensorValue, theirs: { data: ArrayLike<number | bigint> }): void {
  const t = Array.from(theirs.data as ArrayLike<number>, Number);
  const o = Array.from(ours.data as ArrayLike<number>, Number);
  assert.is(o.length, t.length, `${label}: element count`);
  if (ours.dtype !== 'float32') {
    const k = o.findIndex((v, i) => v !== t[i]);
    assert.ok(k < 0, `${label}: element ${k} is ${o[k]}, onnxruntime ${t[k]}`);
    return;
  }
  const scale = Math.max(1e-30, ...t.map(Math.abs));
  const k = o.findIndex((v, i) => !(Math.abs(v - t[i]) <= 1e-5 * scale));
  assert.ok(k < 0, `${label}: element ${k} is ${o[k]}, onnxruntime ${t[k]} (max |value| ${scale})`);
}

async function compareWithOrt(label: string, bytes: Uint8Array, inputs: { name: string; value: TensorValue }[]): Promise<number> {
  const ours = referenceOutputs(bytes, `${label}.onnx`, [inputs.map((i) => i.value)])[0];
  const theirs = await runOnnxRuntime(bytes, inputs.map((i) => ({ name: i.name, ...i.value })));
  assert.is(ours.length, theirs.length);
  ours.forEach((o, k) => assertCloseToOrt(`${label} output ${k} (${theirs[k].name})`, o, theirs[k]));
  return ours.length;
}

test('ONNX Add/Sub/Mul/Div (broadcasting), Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, QuantizeLinear (int8, uint8, exact halves), DequantizeLinear: reference = onnxruntime', async () => {
  const m = new OnnxModelBuilder({ opset: 14 });
  const a = m.input('a', 'float32', [2, 3, 5]);
  const b = m.input('b', 'float32', [3, 1]);
  const h = m.input('h', 'float32', [4, 10]);
  const outs: string[] = [];
  const node = (op: string, ins: string[], attrs = {}) => {
    const [y] = m.node(op, ins, attrs);
    m.output(y, 'float32');
    outs.push(y);
    return y;
  };
  const s = node('Add', [a, b]);
  node('Sub', [b, a]);
  node('Mul', [a, b]);
  node('Div', [a, m.initializer('d', 'float32', [5], [0.5, -2, 3, 0.25, 7])]);
  node('Relu', [s]);
  node('LeakyRelu', [s], { alpha: float(0.3) });
  node('Clip', [s, m.initializer('lo', 'float32', [], [-0.5]), m.initializer('hi', 'float32', [], [1.25])]);
  node('Sigmoid', [s]);
  node('Tanh', [s]);
  node('HardSigmoid', [s], { alpha: float(0.3), beta: float(0.4) });
  node('HardSwish', [s]);
  const scale = m.initializer('qs', 'float32', [], [0.5]);
  const [q8] = m.node('QuantizeLinear', [h, scale, m.initializer('qz8', 'int8', [], [-3])]);
  const [qu] = m.node('QuantizeLinear', [h, scale, m.initializer('qzu', 'uint8', [], [130])]);
  m.output(q8, 'int8');
  m.output(qu, 'uint8');
  const [dq] = m.node('DequantizeLinear', [q8, m.initializer('ds', 'float32', [], [0.037]), m.initializer('dz', 'int8', [], [5])]);
  m.output(dq, 'float32');
  const rng = mulberry32(1801);
  // h: exact halves of the scale (round half to even decides) and values beyond the int8 range
  const halves = Float32Array.from({ length: 40 }, (_, i) => (i - 20 + 0.5) * 0.5 * (i % 7 === 0 ? 9 : 1));
  const n = await compareWithOrt('onnx_elementwise', m.encode(), [
    { name: 'a', value: { dtype: 'float32', shape: [2, 3, 5], data: randomFloats(rng, 30, -5, 5) } },
    { name: 'b', value: { dtype: 'float32', shape: [3, 1], data: randomFloats(rng, 3, -5, 5) } },
    { name: 'h', value: { dtype: 'float32', shape: [4, 10], data: halves } },
  ]);
  assert.is(n, outs.length + 3);
});

test("ONNX opset 6 Add/Mul with legacy broadcast (axis; trailing) and Div: reference = onnxruntime on the opset 13 twin (ORT has no Add-6)", async () => {
  const e = Array.from(randomFloats(mulberry32(3), 20, -2, 2));
  const build = (opset: number) => {
    const m = new OnnxModelBuilder({ opset });
    const a = m.input('a', 'float32', [2, 3, 4, 5]);
    const legacy = opset < 7;
    const c = m.initializer('c', 'float32', legacy ? [3] : [3, 1, 1], [0.5, -1.5, 2]);
    const [y1] = m.node('Add', [a, c], legacy ? { broadcast: 1, axis: 1 } : {});
    const [y2] = m.node('Mul', [y1, m.initializer('e', 'float32', [4, 5], e)], legacy ? { broadcast: 1 } : {});
    const [y3] = m.node('Div', [y2, a]);
    for (const y of [y1, y2, y3]) m.output(y, 'float32');
    return m.encode();
  };
  const x: TensorValue = { dtype: 'float32', shape: [2, 3, 4, 5], data: randomFloats(mulberry32(1802), 120, 0.5, 4) };
  const ours = referenceOutputs(build(6), 'legacy.onnx', [[x]])[0];
  const theirs = await runOnnxRuntime(build(13), [{ name: 'a', ...x }]);
  assert.is(ours.length, 3);
  ours.forEach((o, k) => assertCloseToOrt(`opset 6 output ${k}`, o, theirs[k]));
});

test('ONNX Clip and Relu of unquantized int8 / int32 tensors (integer semantics): reference = onnxruntime', async () => {
  const m = new OnnxModelBuilder({ opset: 14 });
  const x = m.input('x', 'int8', [3, 7]);
  const [c] = m.node('Clip', [x, m.initializer('lo', 'int8', [], [-20]), m.initializer('hi', 'int8', [], [90])]);
  const w = m.input('w', 'int32', [5]);
  const [r] = m.node('Relu', [w]);
  m.output(c, 'int8');
  m.output(r, 'int32');
  const rng = mulberry32(1803);
  const n = await compareWithOrt('onnx_int', m.encode(), [
    { name: 'x', value: { dtype: 'int8', shape: [3, 7], data: Int8Array.from(randomInts(rng, 21, -128, 127)) } },
    { name: 'w', value: { dtype: 'int32', shape: [5], data: Int32Array.from([-5, 0, 7, -2147483648, 2147483647]) } },
  ]);
  assert.is(n, 2);
});

// ---------------------------------------------------------------------------------------------------
// Fixed-point primitives

test('srdhm and mbqm (number-only) = the BigInt SaturatingRoundingDoublingHighMul / MultiplyByQuantizedMultiplier', () => {
  const rng = mulberry32(1901);
  const edges = [0, 1, -1, 2, -2, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 2, -(2 ** 31) + 1, 65535, -65536, 1 << 20, 3 << 27];
  const values = [...edges, ...randomInts(rng, 3000, -(2 ** 31), 2 ** 31 - 1), ...randomInts(rng, 1000, -70000, 70000)];
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const a = values[i];
    const b = i < edges.length * edges.length ? edges[i % edges.length] : values[(i * 7919) % values.length];
    for (const [x, y] of [[a, b], [a, edges[Math.floor(i / edges.length) % edges.length]]]) {
      assert.is(srdhm(x, y), saturatingRoundingDoublingHighMul(x, y), `srdhm(${x}, ${y})`);
      const m = Math.abs(y) | 0x40000000;
      const shift = (i % 40) - 31;
      assert.is(mbqm(x, m & 0x7fffffff, shift), multiplyByQuantizedMultiplier(x, m & 0x7fffffff, shift), `mbqm(${x}, ${m}, ${shift})`);
      n++;
    }
  }
  // every pair of the edge values
  for (const x of edges) for (const y of edges) assert.is(srdhm(x, y), saturatingRoundingDoublingHighMul(x, y), `srdhm(${x}, ${y})`);
  assert.ok(n > 8000);
});

// ---------------------------------------------------------------------------------------------------
// Real models: the family's nodes on TFLite Micro's layer values

const OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'prelu', 'squared_difference', 'relu', 'leaky_relu', 'clip', 'sigmoid', 'tanh', 'hard_sigmoid', 'hard_swish', 'rsqrt', 'exp', 'log', 'abs', 'neg', 'quantize', 'dequantize', 'convert'];

const REAL: [string, string, number][] = [
  ['mlperf-tiny/ic/pretrainedResnet_quant.tflite', 'add', 3],
  ['tflm/keyword_scrambled_8bit.tflite', 'quantize', 2],
  ['tflm/dtln_noise_suppression.tflite', 'sigmoid', 1],
  ['tflm/mobilenet_v2_quantized_1x3x224x224.tflite', 'add', 10],
];

for (const [file, op, count] of REAL) {
  test(`${file}: its ${op} layers (${count}), run on TFLite Micro's layer inputs, = TFLM's outputs`, () => {
    const bytes = new Uint8Array(readFileSync(join(MODELS, file)));
    const g = importGraph(bytes, file, 'model');
    assert.is(g.nodes.filter((n) => OPS.includes(n.op)).length, count, 'the nodes of the family');
    const [x] = randomInputs([g.tensor(g.inputs[0])], 14);
    assert.is(assertOpsMatchTflmInIsolation(file.split('/').pop()!, bytes, x, OPS).length, count);
  });
}

test.run();
