/**
 * Types at a model's edges (src/ops/quantize.ts, src/ops/softmax/, src/import/tflite.ts): int16 and
 * int32 graph inputs and outputs; QUANTIZE between every pair TFLite Micro's kernel runs (float32 →
 * int8/int16, int8 → int8/int16/int32, int16 → int8/int16/int32, int32 → int8/int16), scales up and down
 * so the requantization shifts both ways and saturates; DEQUANTIZE from int16 and int8; the int8 → int16
 * SOFTMAX; a −1 batch in shape_signature (compiled as batch 1, as TFLite Micro runs it); TFLite's 16x8
 * quantization (int16 activations, int8 weights) for FULLY_CONNECTED (int64, int32 and no bias, per-tensor
 * and per-channel weights, fused RELU / RELU6), ADD (broadcasting, fused activations, saturation),
 * CONV_2D and DEPTHWISE_CONV_2D (bias types, padding, strides, dilation, depth multiplier).
 * One model per family holds every case; every output byte must equal TFLite Micro's (tflm-run) on seeded
 * random inputs, on the host and once on the emulated Cortex-M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { DType } from '../../src/ir/dtype.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, TfliteType, activationOptions, buildTflite, softmaxOptions } from '../util/tflite-build.js';
import { OptionsType } from '../../src/import/tflite-options.js';
import { broadcastShapes } from '../../src/ops/binary/index.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { FC16, buildFc16 } from '../util/gemm-svdf-models.js';
import { buildConv16 } from '../util/conv-models.js';

type Q = { scale: number; zp: number };
type Edge = { type: TfliteType; q?: Q };

/** QUANTIZE cases: input, output. */
const QUANTIZES: [Edge, Edge][] = [
  [{ type: 'float32' }, { type: 'int16', q: { scale: 0.0003, zp: 0 } }],
  [{ type: 'float32' }, { type: 'int16', q: { scale: 0.00007, zp: -1200 } }],
  [{ type: 'int16', q: { scale: 0.000625, zp: 0 } }, { type: 'int8', q: { scale: 0.0592083, zp: -128 } }],
  [{ type: 'int16', q: { scale: 0.001, zp: 37 } }, { type: 'int8', q: { scale: 0.1, zp: 5 } }],
  [{ type: 'int16', q: { scale: 0.001, zp: -5 } }, { type: 'int16', q: { scale: 0.0007, zp: 100 } }],
  [{ type: 'int16', q: { scale: 1 / 65536, zp: -32768 } }, { type: 'int32', q: { scale: 1 / 32767, zp: 0 } }],
  [{ type: 'int16', q: { scale: 0.01, zp: 3 } }, { type: 'int32', q: { scale: 0.00001, zp: -7 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: -3 } }, { type: 'int8', q: { scale: 0.02, zp: 10 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: -3 } }, { type: 'int16', q: { scale: 0.0001, zp: 0 } }],
  [{ type: 'int8', q: { scale: 0.05, zp: 7 } }, { type: 'int32', q: { scale: 0.001, zp: 11 } }],
  [{ type: 'int32', q: { scale: 0.0001, zp: 2 } }, { type: 'int8', q: { scale: 0.05, zp: -1 } }],
  [{ type: 'int32', q: { scale: 0.00002, zp: -9 } }, { type: 'int16', q: { scale: 0.001, zp: 0 } }],
];

/** DEQUANTIZE cases: input (→ float32). */
const DEQUANTIZES: Edge[] = [
  { type: 'int16', q: { scale: 0.000625, zp: 0 } },
  { type: 'int16', q: { scale: 0.0123, zp: -321 } },
];

const SOFTMAX_IN: Q = { scale: 0.0699627, zp: 2 };
const SHAPES = [[1, 19], [2, 3, 5], [7]];

interface Built {
  bytes: Uint8Array;
  inputs: { dtype: DType; shape: number[] }[];
  outputs: number;
}

function buildModel(): Built {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (name: string, shape: number[], e: Edge, extra: Partial<TensorSpec> = {}) =>
    tensors.push({ name, shape, type: e.type, ...(e.q ? { quant: { scale: [e.q.scale], zeroPoint: [e.q.zp] } } : {}), ...extra }) - 1;
  QUANTIZES.forEach(([from, to], i) => {
    const shape = SHAPES[i % SHAPES.length];
    // a −1 batch in the signature of the first case's tensors
    const sig = i === 0 ? { shapeSignature: [-1, ...shape.slice(1)] } : {};
    const x = add(`q_in${i}`, shape, from, sig);
    const y = add(`q_out${i}`, shape, to, sig);
    inputs.push(x);
    outputs.push(y);
    operators.push({ op: 'QUANTIZE', version: 2, inputs: [x], outputs: [y] });
  });
  DEQUANTIZES.forEach((from, i) => {
    const x = add(`dq_in${i}`, [3, 11], from);
    const y = add(`dq_out${i}`, [3, 11], { type: 'float32' });
    inputs.push(x);
    outputs.push(y);
    operators.push({ op: 'DEQUANTIZE', version: 3, inputs: [x], outputs: [y] });
  });
  const sx = add('sm_in', [3, 10], { type: 'int8', q: SOFTMAX_IN });
  const sy = add('sm_out', [3, 10], { type: 'int16', q: { scale: 1 / 65536, zp: -32768 } });
  inputs.push(sx);
  outputs.push(sy);
  operators.push({ op: 'SOFTMAX', version: 2, inputs: [sx], outputs: [sy], options: softmaxOptions(1) });
  const dtypeOf = (t: TfliteType): DType => t as DType;
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputs: inputs.map((t) => ({ dtype: dtypeOf(tensors[t].type ?? 'float32'), shape: tensors[t].shape })), outputs: outputs.length };
}

const RANGES: Record<string, [number, number]> = { int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 22), 2 ** 22] };

function randomCases(b: Built, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    b.inputs.map(({ dtype, shape }): TensorValue => {
      const n = shape.reduce((x, y) => x * y, 1);
      if (dtype === 'float32') return { dtype, shape, data: randomFloats(rng, n, -12, 12) };
      const [lo, hi] = RANGES[dtype];
      const data = dtype === 'int8' ? Int8Array.from(randomInts(rng, n, lo, hi)) : dtype === 'int16' ? Int16Array.from(randomInts(rng, n, lo, hi)) : Int32Array.from(randomInts(rng, n, lo, hi));
      return { dtype, shape, data };
    }),
  );
}

test('QUANTIZE between int8/int16/int32/float32, DEQUANTIZE int16, int8 → int16 SOFTMAX, int16/int32 graph edges: host = TFLM bit for bit', () => {
  const m = buildModel();
  const g = loadGraph(m.bytes, 'int16.tflite', 'int16_edges');
  assert.equal(g.inputs.map((n) => g.tensor(n).dtype), m.inputs.map((t) => t.dtype));
  assert.equal(g.tensor(g.inputs[0]).shape, [1, 19], 'the -1 batch of shape_signature is compiled as 1');
  const cases = randomCases(m, 1601, 2);
  const ours = runModel(m.bytes, 'int16.tflite', cases, { target: 'host', name: 'int16_edges' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  const bytes = assertSameBytes('host', ours, theirs);
  assert.ok(bytes > 1500, `compared ${bytes} bytes`);
  // the requantizations saturate: some int8 output reaches both ends, some int16 output too
  const values = (i: number) => ours.flatMap((outs) => [...outs[i].data]);
  assert.ok(values(3).includes(127) && values(3).includes(-128), 'int16 -> int8 saturates both ways');
  assert.ok(values(4).includes(32767) || values(4).includes(-32768), 'int16 -> int16 saturates');
});

test('the int16 edges on qemu-mps2-an500 = TFLM', () => {
  const m = buildModel();
  const result = compile(m.bytes, 'int16.tflite', { name: 'int16_edges', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_requantize_int', 'utvm_requantize_s16_s8_dsp', 'utvm_lut_s8_s16', 'utvm_quantize_f32_s16', 'utvm_dequantize_s16_f32', 'utvm_softmax_s8_s16']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const cases = randomCases(m, 1602, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu', ours, theirs);
});

test('QUANTIZE int32 → int32 (no TFLite Micro kernel) → E_UNSUPPORTED_TYPE naming the pair', () => {
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [4], type: 'int32', quant: { scale: [0.1], zeroPoint: [0] } },
      { name: 'y', shape: [4], type: 'int32', quant: { scale: [0.2], zeroPoint: [0] } },
    ],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
  });
  try {
    loadGraph(bytes, 'q.tflite', 'q');
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_TYPE');
    assert.match((e as UtvmError).message, 'quantize from int32 to int32 is not supported');
  }
});

test('a -1 in shape_signature beyond the batch dimension → E_SHAPE', () => {
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 4], type: 'float32', shapeSignature: [1, -1] },
      { name: 'y', shape: [1, 4], type: 'int16', quant: { scale: [0.1], zeroPoint: [0] } },
    ],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }],
  });
  try {
    loadGraph(bytes, 'q.tflite', 'q');
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_SHAPE');
    assert.match((e as UtvmError).message, "tensor 'x' has an unknown dimension 1 (shape_signature [1,-1]); only the batch dimension may be dynamic");
  }
});

// ---------------------------------------------------------------------------------------------------
// 16x8 quantization: int16 activations, int8 weights

test('16x8 FULLY_CONNECTED (int64, int32 and no bias; per-tensor and per-channel weights; RELU, RELU6): host = TFLM bit for bit', () => {
  const m = buildFc16(1611);
  const g = loadGraph(m.bytes, 'fc16.tflite', 'fc16');
  assert.is(g.nodes.filter((n) => n.op === 'gemm').length, FC16.length);
  const cases = randomCases(m, 1612, 2);
  const ours = runModel(m.bytes, 'fc16.tflite', cases, { target: 'host', name: 'fc16' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('host', ours, theirs);
  const values = ours.flatMap((outs) => outs.flatMap((o) => [...o.data]));
  assert.ok(new Set(values).size > values.length / 3, `outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  assert.ok(values.includes(32767) && values.includes(-32768), 'saturates both ways');
});

interface Add16 {
  as: number[];
  bs: number[];
  sa: number;
  sb: number;
  sy: number;
  activation: number;
}

const ADD16: Add16[] = [
  { as: [2, 3, 5], bs: [2, 3, 5], sa: 0.0003, sb: 0.0002, sy: 0.0004, activation: 0 },
  { as: [4, 7], bs: [7], sa: 0.0001, sb: 0.0005, sy: 0.0003, activation: 1 },
  { as: [1, 3, 1], bs: [2, 1, 6], sa: 0.0002, sb: 0.0002, sy: 0.0001, activation: 3 },
  { as: [1], bs: [3, 11], sa: 0.001, sb: 0.00007, sy: 0.0002, activation: 0 },
];

function buildAdd16(): Built {
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  const add = (name: string, shape: number[], scale: number) => tensors.push({ name, shape, type: 'int16', quant: { scale: [scale], zeroPoint: [0] } }) - 1;
  ADD16.forEach((c, i) => {
    const a = add(`add_a${i}`, c.as, c.sa);
    const b = add(`add_b${i}`, c.bs, c.sb);
    const shape = broadcastShapes(c.as, c.bs)!;
    const y = add(`add_y${i}`, shape, c.sy);
    inputs.push(a, b);
    outputs.push(y);
    operators.push({ op: 'ADD', version: 3, inputs: [a, b], outputs: [y], options: activationOptions(OptionsType.AddOptions, c.activation) });
  });
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputs: inputs.map((t) => ({ dtype: 'int16' as DType, shape: tensors[t].shape })), outputs: outputs.length };
}

test('16x8 ADD (broadcasting both ways, a scalar, RELU, RELU6, both larger input scales): host = TFLM bit for bit', () => {
  const m = buildAdd16();
  const cases = randomCases(m, 1621, 2);
  const ours = runModel(m.bytes, 'add16.tflite', cases, { target: 'host', name: 'add16' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('host', ours, theirs);
  const values = ours.flatMap((outs) => outs.flatMap((o) => [...o.data]));
  assert.ok(new Set(values).size > values.length / 3, `outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  assert.ok(values.includes(32767) && values.includes(-32768), 'saturates both ways');
});

test('16x8 CONV_2D and DEPTHWISE_CONV_2D (int64, int32 and no bias; per-channel and per-tensor; SAME/VALID, strides, dilation, RELU, RELU6): host = TFLM bit for bit', () => {
  const m = buildConv16(1641);
  const cases = randomCases(m, 1642, 2);
  const ours = runModel(m.bytes, 'conv16.tflite', cases, { target: 'host', name: 'conv16' });
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('host', ours, theirs);
  const values = ours.flatMap((outs) => outs.flatMap((o) => [...o.data]));
  assert.ok(new Set(values).size > values.length / 4, `outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  assert.ok(values.includes(32767) && values.includes(-32768), 'saturates both ways');
});

/** The kernels each 16x8 model runs on the Cortex-M7 (the DSP variants where there is one). */
const QEMU_KERNELS: Record<string, string[]> = {
  fc16: ['utvm_fully_connected_s16_dsp'],
  add16: ['utvm_add_s16_dsp', 'utvm_add_broadcast_s16'],
  conv16: ['utvm_conv2d_s16_dsp', 'utvm_depthwise_conv2d_s16_dsp', 'utvm_conv2d_s16'],
};

test('the 16x8 FULLY_CONNECTED, ADD and convolution models on qemu-mps2-an500 (DSP kernels) = TFLM', () => {
  for (const [m, name] of [[buildFc16(1611), 'fc16'], [buildAdd16(), 'add16'], [buildConv16(1641), 'conv16']] as const) {
    const result = compile(m.bytes, `${name}.tflite`, { name, board: targetBoard('qemu') });
    const files = [...result.files.keys()];
    for (const k of QEMU_KERNELS[name]) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), `${name}: ${k}`);
    const cases = randomCases(m, 1631, 2);
    assertSameBytes(`qemu ${name}`, runCompiled(result, cases), runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs));
  }
});

test.run();
