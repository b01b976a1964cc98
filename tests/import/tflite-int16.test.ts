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
import { toBytes } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { buildTflite } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { FC16, buildFc16 } from '../util/gemm-svdf-models.js';
import { buildConv16 } from '../util/conv-models.js';

import { add16Model as buildAdd16, int16EdgeCases as randomCases, int16EdgeModel } from '../util/int16-models.js';
import type { Int16Model as Built } from '../util/int16-models.js';

const buildModel = () => int16EdgeModel();

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
