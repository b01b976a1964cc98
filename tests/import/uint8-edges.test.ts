/**
 * uint8 graph inputs and outputs of TFLite models (the edges of image models exported with uint8 I/O):
 * QUANTIZE uint8 → int8 behind the input, QUANTIZE int8 → uint8 before the output, DEQUANTIZE from uint8,
 * (TFLite Micro's only uint8 conversions; QUANTIZE uint8 → uint8 and float32 → uint8 are refused as it refuses
 * them). Models built here (tests/util/tflite-build.ts) with an int8 CONV_2D or
 * FULLY_CONNECTED between the edges, once with the common exact shift (same scale, zero points 128
 * apart) and once with different scales (a real requantization, with saturation); the host build must
 * give TFLite Micro's bytes (tflm-run) on seeded random inputs.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import type { DType } from '../../src/ir/dtype.js';
import { UtvmError } from '../../src/diagnostics.js';
import { mulberry32, randomInts, type Rng } from '../util/random.js';
import { OpSpec, TensorSpec, buildTflite, conv2dOptions, fullyConnectedOptions } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

type Q = { scale: number; zp: number };
const quant = (q: Q) => ({ scale: [q.scale], zeroPoint: [q.zp] });

interface EdgeSpec {
  layer: 'conv' | 'fc';
  /** uint8 input and the int8 tensor its QUANTIZE writes. */
  inU8: Q;
  inS8: Q;
  /** int8 output of the layer and the uint8 graph output its QUANTIZE writes. */
  outS8: Q;
  outU8: Q;
}

/** uint8 x → QUANTIZE → int8 → CONV_2D 3×3 SAME (5 channels) or FULLY_CONNECTED (7 units) → int8 → QUANTIZE → uint8. */
function edgeModel(s: EdgeSpec, rng: Rng): { bytes: Uint8Array; shape: number[] } {
  const conv = s.layer === 'conv';
  const shape = conv ? [1, 6, 7, 3] : [1, 12];
  const outC = conv ? 5 : 7;
  const inC = shape[shape.length - 1];
  const wShape = conv ? [outC, 3, 3, inC] : [outC, inC];
  const wCount = wShape.reduce((a, b) => a * b, 1);
  const wScales = Array.from({ length: outC }, () => 0.002 + 0.01 * rng());
  const outShape = conv ? [1, 6, 7, outC] : [1, outC];
  const tensors: TensorSpec[] = [
    { name: 'x', shape, type: 'uint8', quant: quant(s.inU8) },
    { name: 'x_s8', shape, type: 'int8', quant: quant(s.inS8) },
    { name: 'w', shape: wShape, type: 'int8', data: randomInts(rng, wCount, -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } },
    { name: 'b', shape: [outC], type: 'int32', data: randomInts(rng, outC, -3000, 3000), quant: { scale: wScales.map((w) => w * s.inS8.scale), zeroPoint: wScales.map(() => 0), axis: 0 } },
    { name: 'y_s8', shape: outShape, type: 'int8', quant: quant(s.outS8) },
    { name: 'y', shape: outShape, type: 'uint8', quant: quant(s.outU8) },
  ];
  const layer: OpSpec = conv
    ? { op: 'CONV_2D', version: 3, inputs: [1, 2, 3], outputs: [4], options: conv2dOptions({ padding: 'SAME' }) }
    : { op: 'FULLY_CONNECTED', version: 5, inputs: [1, 2, 3], outputs: [4], options: fullyConnectedOptions() };
  const operators: OpSpec[] = [
    { op: 'QUANTIZE', version: 2, inputs: [0], outputs: [1] },
    layer,
    { op: 'QUANTIZE', version: 2, inputs: [4], outputs: [5] },
  ];
  return { bytes: buildTflite({ tensors, inputs: [0], outputs: [5], operators }), shape };
}

/** Runs `cases` through the host build and tflm-run; every output byte must agree. */
function assertSameAsTflm(bytes: Uint8Array, name: string, cases: TensorValue[], expectDType: { input: DType; output: DType }): string[] {
  const g = loadGraph(bytes, `${name}.tflite`, name);
  assert.is(g.tensor(g.inputs[0]).dtype, expectDType.input, `${name}: input type`);
  assert.is(g.tensor(g.outputs[0]).dtype, expectDType.output, `${name}: output type`);
  const ours = runModel(bytes, `${name}.tflite`, cases.map((x) => [x]), { target: 'host', name });
  assertSameBytes(name, ours, runTflm(bytes, cases.map((x) => [toBytes(x)]), 1));
  return g.nodes.map((n) => n.op);
}

function uint8Cases(shape: number[], seed: number, count = 3): TensorValue[] {
  const rng = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () => ({ dtype: 'uint8', shape, data: Uint8Array.from(randomInts(rng, n, 0, 255)) }));
}

const SHIFT: EdgeSpec = { layer: 'conv', inU8: { scale: 0.02, zp: 128 }, inS8: { scale: 0.02, zp: 0 }, outS8: { scale: 0.05, zp: -3 }, outU8: { scale: 0.05, zp: 125 } };
const REQUANT: EdgeSpec = { layer: 'conv', inU8: { scale: 0.017, zp: 131 }, inS8: { scale: 0.023, zp: -5 }, outS8: { scale: 0.05, zp: -3 }, outU8: { scale: 0.031, zp: 119 } };

for (const layer of ['conv', 'fc'] as const) {
  test(`uint8 → QUANTIZE (same scale, zero point −128) → int8 ${layer} → QUANTIZE → uint8: host = TFLM`, () => {
    const m = edgeModel({ ...SHIFT, layer }, mulberry32(11));
    const ops = assertSameAsTflm(m.bytes, `shift_${layer}`, uint8Cases(m.shape, 21), { input: 'uint8', output: 'uint8' });
    assert.ok(!ops.includes('quantize'), `only the shifts at the edges, no requantization: ${ops}`);
  });

  test(`uint8 → QUANTIZE (other scale and zero point) → int8 ${layer} → QUANTIZE (other scale) → uint8: host = TFLM`, () => {
    const m = edgeModel({ ...REQUANT, layer }, mulberry32(12));
    assertSameAsTflm(m.bytes, `requant_${layer}`, uint8Cases(m.shape, 22), { input: 'uint8', output: 'uint8' });
  });
}

test('uint8 → DEQUANTIZE → float32: host = TFLM', () => {
  const shape = [2, 3, 17];
  const bytes = buildTflite({
    tensors: [{ name: 'x', shape, type: 'uint8', quant: quant({ scale: 0.0371, zp: 97 }) }, { name: 'y', shape, type: 'float32' }],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'DEQUANTIZE', version: 2, inputs: [0], outputs: [1] }],
  });
  assertSameAsTflm(bytes, 'dequantize_u8', uint8Cases(shape, 23), { input: 'uint8', output: 'float32' });
});

for (const from of ['uint8', 'float32'] as const) test(`${from} → QUANTIZE → uint8 → E_UNSUPPORTED_ATTR (TFLM has no such kernel)`, () => {
  const shape = [3, 41];
  const bytes = buildTflite({
    tensors: [{ name: 'x', shape, type: from, quant: quant({ scale: 0.011, zp: 7 }) }, { name: 'y', shape, type: 'uint8', quant: quant({ scale: 0.019, zp: 250 }) }],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'QUANTIZE', version: 2, inputs: [0], outputs: [1] }],
  });
  try {
    loadGraph(bytes, 'u8.tflite', 'u8');
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR');
    assert.is((e as UtvmError).message, `u8.tflite: operator #0 QUANTIZE (output 'y'): QUANTIZE from ${from} to uint8 (TensorFlow Lite Micro has no such kernel either) is not supported`);
  }
});

test.run();
