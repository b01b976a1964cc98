/**
 * Reference semantics of conv2d, transpose_conv, pool2d and conv2d_add (src/ops/conv2d/reference.ts,
 * src/ops/pool2d/reference.ts, src/ops/transpose-conv.ts): the reference interpreter against the oracles,
 * with no C build.
 *   - TFLite models built here, one per element type, every case in one model (each with its own input):
 *     CONV_2D (SAME/VALID, strides, dilation, groups, 1×1, per-channel and per-tensor weights, with and
 *     without bias, NONE/RELU/RELU_N1_TO_1/RELU6, a multiplier above 1 saturating both ways, zero points at
 *     −128 and 127), DEPTHWISE_CONV_2D (multipliers 1, 2, 3, dilation, strides), AVERAGE_POOL_2D and
 *     MAX_POOL_2D (padding, strides, activations, a global window; 16x8 with zero points); 16x8 CONV_2D /
 *     DEPTHWISE_CONV_2D with int64, int32 and no bias; and the C tests' own TRANSPOSE_CONV (float32, int8)
 *     and 16x8 convolution models (tests/util/conv-models.ts): every output byte equals TFLite Micro's
 *     (float32 within 1e-5 of the tensor's max |value|; also in the interpreter's float32 mode);
 *   - conv2d_add (the residual-ADD fusion's node) on the graph after src/passes/fuse-residual-add.ts
 *     against TFLite Micro's CONV_2D + ADD;
 *   - ONNX Conv / MaxPool / AveragePool (groups, depthwise, dilations, auto_pad, count_include_pad,
 *     ceil_mode, 1-D): the interpreter in float64 against onnxruntime-node within 1e-5 of the max |value|;
 *     MaxPool on raw int8 / uint8: every byte;
 *   - the BigInt-free requantization against src/ir/quant.ts's.
 * Real models layer by layer: conv-models.test.ts.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { multiplyByQuantizedMultiplier } from '../../src/ir/quant.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { prepareRequant, requantize } from '../../src/ops/conv2d/reference.js';
import { fuseResidualAdds } from '../../src/passes/fuse-residual-add.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { assertCloseToTflm, assertReferenceMatchesTflm, referenceOutputs } from '../util/reference.js';
import { OpSpec, TensorSpec, TfliteType, activationOptions, buildTflite, conv2dOptions, depthwiseOptions, poolOptions } from '../util/tflite-build.js';
import { CONV16, TCONVS, buildConv16, buildTransposeConvs } from '../util/conv-models.js';
import { randomModelCases } from '../util/gemm-svdf-models.js';
import { runTflm } from '../util/tflm.js';
import { OptionsType } from '../../src/import/tflite-options.js';

type Q = [number, number];
type Padding = 'SAME' | 'VALID';
const [NONE, RELU, RELU_N1_TO_1, RELU6] = [0, 1, 2, 3];

interface ConvCase {
  x: number[];
  /** CONV_2D: [O, KH, KW, C_in / groups]; DEPTHWISE_CONV_2D: [1, KH, KW, O]. */
  w: number[];
  dw?: boolean;
  padding: Padding;
  stride: [number, number];
  dilation?: [number, number];
  act: number;
  /** Weight scale (per-tensor), or the first of per-channel scales. */
  ws: number;
  perChannel: boolean;
  bias: boolean;
  qx: Q;
  qy: Q;
}

const CONVS: ConvCase[] = [
  { x: [1, 7, 6, 3], w: [4, 3, 3, 3], padding: 'SAME', stride: [2, 2], act: RELU6, ws: 0.01, perChannel: true, bias: true, qx: [0.05, -3], qy: [0.04, 5] },
  { x: [2, 8, 7, 5], w: [3, 2, 3, 5], padding: 'VALID', stride: [1, 1], dilation: [2, 1], act: RELU_N1_TO_1, ws: 0.002, perChannel: false, bias: false, qx: [0.02, -128], qy: [0.01, 127] },
  // multiplier 0.5 · 0.5 / 0.05 = 5 (a left shift): saturates both ways; input zero point 127
  { x: [1, 5, 5, 8], w: [6, 1, 1, 8], padding: 'VALID', stride: [1, 1], act: NONE, ws: 0.5, perChannel: true, bias: true, qx: [0.5, 127], qy: [0.05, -20] },
  // groups 2, odd width, stride [1, 2]
  { x: [1, 6, 5, 6], w: [4, 3, 3, 3], padding: 'SAME', stride: [1, 2], act: RELU, ws: 0.02, perChannel: true, bias: true, qx: [0.03, 10], qy: [0.06, -128] },
  // DEPTHWISE_CONV_2D always has a bias here: TFLite Micro (tflm-run) aborts on one without
  { x: [1, 6, 5, 3], w: [1, 3, 3, 6], dw: true, padding: 'SAME', stride: [1, 1], act: RELU, ws: 0.03, perChannel: true, bias: true, qx: [0.04, -7], qy: [0.05, -100] },
  { x: [1, 9, 8, 4], w: [1, 3, 2, 4], dw: true, padding: 'VALID', stride: [2, 1], dilation: [2, 2], act: NONE, ws: 0.02, perChannel: false, bias: true, qx: [0.05, 3], qy: [0.08, 0] },
  { x: [1, 10, 4, 1], w: [1, 4, 3, 3], dw: true, padding: 'SAME', stride: [2, 2], act: RELU6, ws: 0.05, perChannel: true, bias: true, qx: [0.1, -50], qy: [0.03, -128] },
];

interface PoolCase {
  op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';
  x: number[];
  filter: [number, number];
  stride: [number, number];
  padding: Padding;
  act: number;
  q: Q;
}

const POOLS: PoolCase[] = [
  { op: 'AVERAGE_POOL_2D', x: [1, 7, 6, 3], filter: [3, 3], stride: [2, 2], padding: 'SAME', act: RELU, q: [0.1, -5] },
  { op: 'AVERAGE_POOL_2D', x: [2, 5, 5, 4], filter: [2, 2], stride: [2, 2], padding: 'VALID', act: NONE, q: [0.05, 30] },
  { op: 'AVERAGE_POOL_2D', x: [1, 5, 4, 7], filter: [5, 4], stride: [1, 1], padding: 'VALID', act: RELU6, q: [0.03, -128] },
  { op: 'MAX_POOL_2D', x: [1, 8, 7, 2], filter: [3, 2], stride: [1, 2], padding: 'SAME', act: RELU6, q: [0.05, -128] },
  { op: 'MAX_POOL_2D', x: [2, 5, 5, 4], filter: [2, 3], stride: [1, 2], padding: 'VALID', act: RELU_N1_TO_1, q: [0.02, 7] },
];

const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
const outSize = (p: Padding, d: number, k: number, s: number, dl = 1) => (p === 'SAME' ? Math.ceil(d / s) : Math.floor((d - ((k - 1) * dl + 1)) / s) + 1);

/** One model holding every case of the chosen families, for `type` (int16: 16x8 with int8 weights). */
function buildModel(type: 'float32' | 'int8' | 'int16', seed: number) {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const [inputs, outputs, operators]: [number[], number[], OpSpec[]] = [[], [], []];
  const quantized = type !== 'float32';
  const add = (name: string, shape: number[], ttype: TfliteType, q?: { scale: number[]; zeroPoint: number[]; axis?: number }, data?: number[]) =>
    tensors.push({ name, shape, type: ttype, ...(quantized && q ? { quant: q } : {}), ...(data ? { data } : {}) }) - 1;
  // 16x8: zero points 0 and small scales; int8: the case's.
  // (16x8 pools take a zero point: `zp16`.)
  const act = (name: string, shape: number[], q: Q, zp16 = 0) => add(name, shape, type, type === 'int16' ? { scale: [q[0] / 256], zeroPoint: [zp16] } : { scale: [q[0]], zeroPoint: [q[1]] });
  const weights = (n: number) => (quantized ? randomInts(rng, n, -127, 127) : Array.from(randomFloats(rng, n, -1, 1)));
  const biasType: TfliteType = type === 'float32' ? 'float32' : type === 'int16' ? 'int64' : 'int32';
  {
    CONVS.forEach((c, i) => {
      const outC = c.dw ? c.w[3] : c.w[0];
      const ws = c.perChannel ? Array.from({ length: outC }, (_, j) => c.ws * (1 + 0.37 * j)) : [c.ws];
      const x = act(`conv_x${i}`, c.x, c.qx);
      const w = add(`conv_w${i}`, c.w, quantized ? 'int8' : 'float32', { scale: ws, zeroPoint: ws.map(() => 0), axis: c.dw ? 3 : 0 }, weights(count(c.w)));
      const sx = type === 'int16' ? c.qx[0] / 256 : c.qx[0];
      // int16: alternate int64 and int32 biases (CONV_2D takes both; DEPTHWISE_CONV_2D int64 only).
      const bt: TfliteType = type === 'int16' && !c.dw && i % 2 === 1 ? 'int32' : biasType;
      const bias = c.bias
        ? add(`conv_b${i}`, [outC], bt, { scale: ws.map((s) => s * sx), zeroPoint: ws.map(() => 0) }, quantized ? randomInts(rng, outC, -3000, 3000) : Array.from(randomFloats(rng, outC, -1, 1)))
        : -1;
      const dil = c.dilation ?? [1, 1];
      const shape = [c.x[0], outSize(c.padding, c.x[1], c.w[1], c.stride[0], dil[0]), outSize(c.padding, c.x[2], c.w[2], c.stride[1], dil[1]), outC];
      const y = act(`conv_y${i}`, shape, c.qy);
      inputs.push(x);
      outputs.push(y);
      const options = c.dw
        ? depthwiseOptions({ padding: c.padding, stride: c.stride, dilation: c.dilation, multiplier: outC / c.x[3], activation: c.act })
        : conv2dOptions({ padding: c.padding, stride: c.stride, dilation: c.dilation, activation: c.act });
      operators.push({ op: c.dw ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', version: type === 'int16' ? 4 : 3, inputs: [x, w, bias], outputs: [y], options });
    });
  }
  {
    POOLS.forEach((c, i) => {
      const x = act(`pool_x${i}`, c.x, c.q, c.q[1]);
      const shape = [c.x[0], outSize(c.padding, c.x[1], c.filter[0], c.stride[0]), outSize(c.padding, c.x[2], c.filter[1], c.stride[1]), c.x[3]];
      const y = act(`pool_y${i}`, shape, c.q, c.q[1]);
      inputs.push(x);
      outputs.push(y);
      operators.push({ op: c.op, version: type === 'int16' ? 3 : 2, inputs: [x], outputs: [y], options: poolOptions({ padding: c.padding, stride: c.stride, filter: c.filter, activation: c.act }) });
    });
  }
  const bytes = buildTflite({ tensors, inputs, outputs, operators });
  return { bytes, inputs: inputs.map((t) => tensors[t].shape) };
}

/** Seeded inputs over the whole integer range (float: [-2, 2)). */
function randomCases(type: 'float32' | 'int8' | 'int16', shapes: number[][], seed: number, n: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () =>
    shapes.map((shape): TensorValue => {
      const k = count(shape);
      if (type === 'float32') return { dtype: 'float32', shape, data: randomFloats(rng, k, -2, 2) };
      if (type === 'int8') return { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, k, -128, 127)) };
      return { dtype: 'int16', shape, data: Int16Array.from(randomInts(rng, k, -32768, 32767)) };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// TFLite models against TFLite Micro

for (const type of ['int8', 'float32'] as const) {
  test(`TFLite ${type}: CONV_2D, DEPTHWISE_CONV_2D, AVERAGE/MAX_POOL_2D cases = TFLM (reference interpreter)`, () => {
    const m = buildModel(type, type === 'int8' ? 4101 : 4102);
    const cases = randomCases(type, m.inputs, 4103, 3);
    const n = assertReferenceMatchesTflm(`conv_${type}`, m.bytes, cases);
    assert.is(n, 3 * (CONVS.length + POOLS.length));
    if (type === 'float32') {
      // The interpreter's float32 mode (float32 tensors between nodes) is as close.
      const ours = referenceOutputs(m.bytes, 'conv_float32.tflite', cases, { float: 'float32' });
      const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), ours[0].length);
      ours.forEach((outs, k) => outs.forEach((o, j) => assertCloseToTflm(`float32 mode case ${k} output ${j}`, o, theirs[k][j])));
    }
    if (type === 'int8') {
      const ours = referenceOutputs(m.bytes, 'conv_int8.tflite', cases.slice(0, 1))[0];
      const sat = [...(ours[2].data as Int8Array)];
      assert.ok(sat.includes(127) && sat.includes(-128), 'the multiplier-5 case saturates both ways');
      const all = ours.flatMap((o) => [...o.data]);
      assert.ok(new Set(all).size > 100, `outputs vary: ${new Set(all).size} distinct values`);
    }
  });

  test(`TFLite ${type}: TRANSPOSE_CONV, the C tests' model (tests/util/conv-models.ts) = TFLM (reference interpreter)`, () => {
    const m = buildTransposeConvs(type, type === 'int8' ? 1301 : 1302);
    assert.is(assertReferenceMatchesTflm(`tconv_${type}`, m.bytes, randomModelCases(m, 4111, 3)), 3 * TCONVS.length);
  });
}

test('TFLite 16x8: CONV_2D (int64, int32, no bias), DEPTHWISE_CONV_2D, AVERAGE/MAX_POOL_2D = TFLM (reference interpreter); the C tests\' 16x8 convolutions too', () => {
  const m = buildModel('int16', 4104);
  const cases = randomCases('int16', m.inputs, 4105, 2);
  assert.is(assertReferenceMatchesTflm('conv_int16', m.bytes, cases), 2 * (CONVS.length + POOLS.length));
  const values = referenceOutputs(m.bytes, 'conv_int16.tflite', cases.slice(0, 1))[0].flatMap((o) => [...o.data]);
  assert.ok(values.includes(32767) && values.includes(-32768), 'saturates both ways');
  const c16 = buildConv16(1641);
  assert.is(assertReferenceMatchesTflm('conv16', c16.bytes, randomModelCases(c16, 1642, 2)), 2 * CONV16.length);
});

test('conv2d_add (after fuse-residual-add) = TFLM CONV_2D + ADD, the convolution on either side of the ADD', () => {
  const rng = mulberry32(4106);
  // 16 channels of 40 columns: 3 rows a band (CHUNK_BYTES 2048), 10 rows = bands of 3, 3, 3, 1.
  const ws = Array.from({ length: 16 }, (_, j) => 0.004 + 0.002 * (j % 5));
  const zeros = ws.map(() => 0);
  const tensors: TensorSpec[] = [
    { name: 'x', shape: [1, 10, 40, 5], type: 'int8', quant: { scale: [0.05], zeroPoint: [-4] } },
    { name: 'o', shape: [1, 10, 40, 16], type: 'int8', quant: { scale: [0.07], zeroPoint: [11] } },
    { name: 'w', shape: [16, 3, 3, 5], type: 'int8', quant: { scale: ws, zeroPoint: zeros, axis: 0 }, data: randomInts(rng, 720, -127, 127) },
    { name: 'b', shape: [16], type: 'int32', quant: { scale: ws.map((s) => s * 0.05), zeroPoint: zeros }, data: randomInts(rng, 16, -2000, 2000) },
    { name: 'c', shape: [1, 10, 40, 16], type: 'int8', quant: { scale: [0.09], zeroPoint: [-2] } },
    { name: 'y', shape: [1, 10, 40, 16], type: 'int8', quant: { scale: [0.12], zeroPoint: [3] } },
  ];
  for (const [first, act] of [[true, RELU], [false, NONE]] as const) {
    const bytes = buildTflite({
      tensors, inputs: [0, 1], outputs: [5],
      operators: [
        { op: 'CONV_2D', version: 3, inputs: [0, 2, 3], outputs: [4], options: conv2dOptions({ padding: 'SAME', activation: RELU6 }) },
        { op: 'ADD', version: 2, inputs: first ? [4, 1] : [1, 4], outputs: [5], options: activationOptions(OptionsType.AddOptions, act) },
      ],
    });
    const g = fuseResidualAdds(importGraph(bytes, 'ca.tflite', 'ca'));
    assert.equal(g.nodes.map((n) => n.op), ['conv2d_add']);
    assert.is((g.nodes[0].attrs as { chunkRows: number }).chunkRows, 3, 'bands of 3 rows');
    const cases = randomCases('int8', [[1, 10, 40, 5], [1, 10, 40, 16]], 4107, 3);
    const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), 1);
    const it = createInterpreter(g);
    cases.forEach((c, k) => assertCloseToTflm(`conv2d_add (conv ${first ? 'first' : 'second'}) case ${k}`, it.run(c).outputs[0], theirs[k][0]));
  }
});

// ---------------------------------------------------------------------------------------------------
// ONNX float graphs against onnxruntime

interface OnnxCase {
  name: string;
  op: string;
  x: number[];
  w?: number[];
  bias?: boolean;
  attrs: Record<string, number | number[] | string>;
  opset: number;
}

const ONNX_CASES: OnnxCase[] = [
  { name: 'Conv1d', op: 'Conv', x: [2, 4, 10], w: [5, 4, 3], bias: true, attrs: { pads: [1, 2] }, opset: 13 },
  { name: 'Conv2d_groups', op: 'Conv', x: [2, 4, 6, 5], w: [6, 2, 3, 2], bias: true, attrs: { group: 2, strides: [2, 1] }, opset: 13 },
  { name: 'Conv2d_depthwise_multiplier', op: 'Conv', x: [1, 4, 6, 6], w: [8, 1, 3, 3], bias: true, attrs: { group: 4, pads: [1, 0, 2, 1] }, opset: 13 },
  { name: 'Conv2d_dilated', op: 'Conv', x: [2, 3, 8, 8], w: [4, 3, 3, 3], attrs: { dilations: [2, 3], pads: [2, 1, 0, 3] }, opset: 13 },
  { name: 'Conv2d_same_lower', op: 'Conv', x: [1, 3, 7, 5], w: [4, 3, 4, 2], bias: true, attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, opset: 13 },
  { name: 'MaxPool_dilation_ceil', op: 'MaxPool', x: [1, 2, 11, 10], attrs: { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2], ceil_mode: 1 }, opset: 12 },
  { name: 'AvgPool_ceil_count_pad', op: 'AveragePool', x: [1, 2, 8, 6], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceil_mode: 1, count_include_pad: 1 }, opset: 19 },
  { name: 'AvgPool_exclude_pad', op: 'AveragePool', x: [2, 3, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 2, 0, 1] }, opset: 11 },
  { name: 'AvgPool_same_upper_1d', op: 'AveragePool', x: [2, 3, 9], attrs: { kernel_shape: [4], strides: [2], auto_pad: 'SAME_UPPER', count_include_pad: 1 }, opset: 11 },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', x: [2, 3, 5, 4], attrs: {}, opset: 13 },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', x: [2, 3, 5, 4], attrs: {}, opset: 13 },
];

test('ONNX Conv / MaxPool / AveragePool / Global*Pool: the interpreter (float64) is within 1e-5 of onnxruntime', async () => {
  const rng = mulberry32(4108);
  for (const c of ONNX_CASES) {
    const m = new OnnxModelBuilder({ opset: c.opset });
    const inputs = [m.input('x', 'float32', c.x)];
    if (c.w) inputs.push(m.initializer('w', 'float32', c.w, randomFloats(rng, count(c.w), -1, 1)));
    if (c.bias) inputs.push(m.initializer('b', 'float32', [c.w![0]], randomFloats(rng, c.w![0], -1, 1)));
    m.node(c.op, inputs, c.attrs, { outputs: ['y'] });
    m.output('y', 'float32');
    const bytes = m.encode();
    const x = { dtype: 'float32' as const, shape: c.x, data: randomFloats(rng, count(c.x), -1, 1) };
    const [expected] = await runOnnxRuntime(bytes, [{ name: 'x', ...x }]);
    const { outputs: [actual] } = createInterpreter(importGraph(bytes, `${c.name}.onnx`, 'm')).run([x]);
    assert.equal(actual.shape, expected.shape, c.name);
    assertCloseToTflm(`${c.name} vs onnxruntime`, actual, new Uint8Array((expected.data as Float32Array).buffer));
  }
});

test('ONNX MaxPool on raw int8 and uint8 tensors (no quantization): the interpreter = onnxruntime, every byte', async () => {
  const rng = mulberry32(4110);
  for (const dtype of ['int8', 'uint8'] as const) {
    const m = new OnnxModelBuilder({ opset: 12 });
    m.node('MaxPool', [m.input('x', dtype, [2, 3, 7, 6])], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] }, { outputs: ['y'] });
    m.output('y', dtype);
    const bytes = m.encode();
    const values = randomInts(rng, 2 * 3 * 7 * 6, dtype === 'int8' ? -128 : 0, dtype === 'int8' ? 127 : 255);
    const x = { dtype, shape: [2, 3, 7, 6], data: dtype === 'int8' ? Int8Array.from(values) : Uint8Array.from(values) };
    const [expected] = await runOnnxRuntime(bytes, [{ name: 'x', ...x }]);
    const { outputs: [actual] } = createInterpreter(importGraph(bytes, `maxpool_${dtype}.onnx`, 'm')).run([x]);
    assert.equal(actual.shape, expected.shape, dtype);
    assertCloseToTflm(`MaxPool ${dtype} vs onnxruntime`, actual, new Uint8Array(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength));
  }
});

// ---------------------------------------------------------------------------------------------------
// The requantization

test('requantize (no BigInt) = multiplyByQuantizedMultiplier for shifts −31..+12, extreme accumulators and ties', () => {
  const rng = mulberry32(4109);
  const xs = [0, 1, -1, 2147483647, -2147483648, 1073741824, -1073741824, 12345, -12345, ...randomInts(rng, 300, -2147483648, 2147483647), ...randomInts(rng, 300, -70000, 70000)];
  let checked = 0;
  for (let k = 0; k < 200; k++) {
    const real = 2 ** (-31 + 43 * rng()) * (k === 0 ? 0 : 1);
    const r = prepareRequant(1, [real], 1, 1);
    for (const x of xs) {
      assert.is(requantize(x, r, 0), multiplyByQuantizedMultiplier(x, r.multiplier[0], r.shift[0]), `x ${x}, multiplier ${r.multiplier[0]}, shift ${r.shift[0]}`);
      checked++;
    }
  }
  // 2^30 + 1 with x = −1: x · m + nudge = −2^31 exactly, the one kind of whole negative quotient (no rounding up).
  for (const [m, s] of [[1073741825, 0], [1073741825, -3], [1073741824, -1], [1073741824, -31], [2147483647, 0], [2147483647, 5], [1 << 30, 12]]) {
    const r = prepareRequant(1, [1], 1, 1);
    [r.multiplier[0], r.high[0], r.low[0], r.shift[0]] = [m, Math.floor(m / 65536), m % 65536, s];
    for (const x of xs) assert.is(requantize(x, r, 0), multiplyByQuantizedMultiplier(x, m, s), `x ${x}, multiplier ${m}, shift ${s}`);
  }
  assert.ok(checked > 100000);
});

test.run();
