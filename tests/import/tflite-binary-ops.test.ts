/**
 * TFLite SUB, MAXIMUM and MINIMUM (src/ops/binary/): models built here (tests/util/tflite-build.ts) hold
 * every case at once — odd shapes, broadcasting one way, the other way and both ways, a scalar, a flat
 * tensor large enough for the table kernel (utvm_add_lut_s8, which int8 SUB reaches with a negated table),
 * each operator applied in both operand orders, SUB with the fused activations NONE, RELU and RELU6 —
 * and run on seeded random inputs; every output byte must equal TFLite Micro's (tflm-run), float32 as
 * well as int8. int8 SUB rescales inputs of different scales (so input multipliers on both sides of the
 * larger scale, and both signs of the difference) into output scales small enough to saturate; int8
 * MAXIMUM / MINIMUM use one quantization for all three tensors, as TFLite requires. The int8 model also
 * runs once in the emulated Cortex-M7 with the DSP extension (qemu-mps2-an500), all cases in one run.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { ADD_LUT_MIN_COUNT } from '../../src/ops/binary/s8.js';
import { buildTflite } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

import { PAIRS, binaryOpsModel as buildModel, binaryOpsCases as randomCases, quant } from '../util/elementwise-models.js';

for (const type of ['float32', 'int8'] as const) {
  test(`TFLite SUB (NONE/RELU/RELU6), MAXIMUM, MINIMUM on ${type}, broadcasting, both operand orders: host = TFLM bit for bit`, () => {
    const m = buildModel(type);
    const g = loadGraph(m.bytes, `binary_${type}.tflite`, `binary_${type}`);
    const ops = new Set(g.nodes.map((n) => n.op));
    for (const op of ['sub', 'maximum', 'minimum']) assert.ok(ops.has(op), `${op} in ${[...ops]}`);
    const cases = randomCases(m, type, type === 'int8' ? 901 : 902, 3);
    const ours = runModel(m.bytes, `binary_${type}.tflite`, cases, { target: 'host', name: `binary_${type}` });
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    const bytes = assertSameBytes(type, ours, theirs);
    assert.ok(bytes > 3 * 2 * 5 * 1000, `compared ${bytes} bytes`);
    // the saturating cases saturate: some int8 SUB output reaches -128 or 127
    if (type === 'int8') {
      const values = ours.flatMap((outs) => outs.slice(0, 2).flatMap((o) => [...(o.data as Int8Array)]));
      assert.ok(values.includes(127) && values.includes(-128), 'int8 SUB of pair 0 saturates both ways');
    }
  });
}

test('int8 SUB ≥ ADD_LUT_MIN_COUNT elements compiles to the table kernel, MAXIMUM / MINIMUM and flat MUL to their four-bytes-a-word DSP kernels; the int8 model on qemu-mps2-an500 (DSP) = TFLM', () => {
  const m = buildModel('int8');
  assert.ok(PAIRS.some((p) => p.as.reduce((x, y) => x * y, 1) >= ADD_LUT_MIN_COUNT), 'a pair large enough for the table kernel');
  const result = compile(m.bytes, 'binary_int8.tflite', { name: 'binary_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  assert.ok(files.some((f) => f.endsWith('utvm_add_lut_s8.c')), `table kernel in ${files.filter((f) => f.includes('runtime/src'))}`);
  for (const k of ['utvm_sub_s8', 'utvm_sub_broadcast_s8', 'utvm_maximum_s8_dsp', 'utvm_minimum_s8_dsp', 'utvm_mul_s8_dsp', 'utvm_mul_broadcast_s8']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const cases = randomCases(m, 'int8', 903, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

test('int8 MAXIMUM with an input quantized unlike the output → E_UNSUPPORTED_ATTR', () => {
  const shape = [2, 5];
  const bytes = buildTflite({
    tensors: [
      { name: 'a', shape, type: 'int8', quant: quant({ scale: 0.02, zp: 1 }) },
      { name: 'b', shape, type: 'int8', quant: quant({ scale: 0.03, zp: 1 }) },
      { name: 'y', shape, type: 'int8', quant: quant({ scale: 0.02, zp: 1 }) },
    ],
    inputs: [0, 1],
    outputs: [2],
    operators: [{ op: 'MAXIMUM', version: 2, inputs: [0, 1], outputs: [2] }],
  });
  try {
    runModel(bytes, 'max_q.tflite', [], { target: 'host', name: 'max_q' });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR');
    assert.match((e as Error).message, 'int8 maximum needs both inputs quantized as the output');
  }
});

test.run();
