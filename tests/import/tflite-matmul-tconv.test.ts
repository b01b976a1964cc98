/**
 * TFLite BATCH_MATMUL and TRANSPOSE_CONV (src/ops/batch-matmul.ts, src/ops/transpose-conv.ts): one model
 * per element type holds every case — BATCH_MATMUL with each adj_x / adj_y combination, batch dims
 * broadcast either way, ranks 2 to 5, run-time and constant right-hand sides, odd M / K / N (K % 4 ≠ 0
 * for the DSP kernel's tail); TRANSPOSE_CONV with strides 1 to 3, SAME and VALID, kernels larger than
 * the stride, an output one short of the full size, with and without bias, the fused activations NONE,
 * RELU and RELU6, two batches, per-tensor and per-channel weight scales — run on seeded random inputs;
 * every output byte must equal TFLite Micro's (tflm-run), float32 as well as int8. int8 quantizations
 * give multipliers above 1 (left shifts, saturating both ways) and below. The int8 model also runs once
 * in the emulated Cortex-M7 with the DSP extension (qemu-mps2-an500), where both operators take their
 * DSP kernels, all cases in one run.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, batchMatmulOptions, buildTflite, transposeConvOptions } from '../util/tflite-build.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';
import { MATMULS, addBatchMatmuls } from '../util/gemm-svdf-models.js';
import { TCONVS, addTransposeConvs } from '../util/conv-models.js';

type Type = 'float32' | 'int8';

interface Built {
  bytes: Uint8Array;
  inputShapes: number[][];
  outputs: number;
}

function buildModel(type: Type, seed: number): Built {
  const rng = mulberry32(seed);
  const tensors: TensorSpec[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  const operators: OpSpec[] = [];
  addBatchMatmuls({ tensors, inputs, outputs, operators }, type, rng);
  addTransposeConvs({ tensors, inputs, outputs, operators }, type, rng);
  return { bytes: buildTflite({ tensors, inputs, outputs, operators }), inputShapes: inputs.map((t) => tensors[t].shape), outputs: outputs.length };
}

function randomCases(b: Built, type: Type, seed: number, n: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () =>
    b.inputShapes.map((shape): TensorValue => {
      const count = shape.reduce((x, y) => x * y, 1);
      return type === 'float32'
        ? { dtype: 'float32', shape, data: randomFloats(rng, count, -2, 2) }
        : { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, count, -128, 127)) };
    }),
  );
}

for (const type of ['float32', 'int8'] as const) {
  test(`TFLite BATCH_MATMUL (adj_x/adj_y, broadcasting, rank 2–5, constant B) and TRANSPOSE_CONV on ${type}: host = TFLM bit for bit`, () => {
    const m = buildModel(type, type === 'int8' ? 1301 : 1302);
    const g = loadGraph(m.bytes, `mmtc_${type}.tflite`, `mmtc_${type}`);
    const ops = g.nodes.map((n) => n.op);
    assert.is(ops.filter((o) => o === 'batch_matmul').length, MATMULS.length);
    assert.is(ops.filter((o) => o === 'transpose_conv').length, TCONVS.length);
    const cases = randomCases(m, type, type === 'int8' ? 1303 : 1304, 3);
    const ours = runModel(m.bytes, `mmtc_${type}.tflite`, cases, { target: 'host', name: `mmtc_${type}` });
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    const bytes = assertSameBytes(type, ours, theirs);
    assert.ok(bytes > 3 * 2000, `compared ${bytes} bytes`);
    if (type === 'int8') {
      const sat = [...(ours[0][3].data as Int8Array)];
      assert.ok(sat.includes(127) && sat.includes(-128), 'BATCH_MATMUL case 3 (multiplier 2.5) saturates both ways');
      const tc = [...(ours[0][MATMULS.length + 3].data as Int8Array)];
      assert.ok(tc.includes(127) || tc.includes(-128), 'TRANSPOSE_CONV case 3 (a channel with multiplier > 1) saturates');
    }
  });
}

test('int8 model on qemu-mps2-an500 (DSP kernels) = TFLM', () => {
  const m = buildModel('int8', 1301);
  const result = compile(m.bytes, 'mmtc_int8.tflite', { name: 'mmtc_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_batch_matmul_s8_dsp', 'utvm_transpose_conv_s8_dsp']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const cases = randomCases(m, 'int8', 1305, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

/** Compiling `spec` fails with `code` and a message containing `text`. */
function assertFails(spec: Parameters<typeof buildTflite>[0], code: string, text: string): void {
  try {
    runModel(buildTflite(spec), 'bad.tflite', [], { target: 'host', name: 'bad' });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, code);
    assert.match((e as Error).message, text);
  }
}

test('BATCH_MATMUL with inner dims that differ, hybrid operands; TRANSPOSE_CONV whose output_shape contradicts its output → clear errors', () => {
  assertFails({
    tensors: [{ name: 'a', shape: [2, 3, 5] }, { name: 'b', shape: [2, 4, 6] }, { name: 'y', shape: [2, 3, 6] }],
    inputs: [0, 1], outputs: [2],
    operators: [{ op: 'BATCH_MATMUL', inputs: [0, 1], outputs: [2], options: batchMatmulOptions(false, false) }],
  }, 'E_SHAPE', 'inner dimensions differ: [2,3,5] · [2,6,4]ᵀ');
  assertFails({
    tensors: [{ name: 'a', shape: [3, 5] }, { name: 'b', shape: [5, 4], type: 'int8', quant: { scale: [0.01], zeroPoint: [0] }, data: new Array(20).fill(3) }, { name: 'y', shape: [3, 4] }],
    inputs: [0], outputs: [2],
    operators: [{ op: 'BATCH_MATMUL', version: 4, inputs: [0, 1], outputs: [2], options: batchMatmulOptions(false, false) }],
  }, 'E_UNSUPPORTED_ATTR', 'BATCH_MATMUL of float32 · int8 → float32 (hybrid or mixed types)');
  assertFails({
    tensors: [
      { name: 'shape', shape: [4], type: 'int32', data: [1, 6, 6, 2] },
      { name: 'w', shape: [2, 3, 3, 3], data: new Array(54).fill(0.5) },
      { name: 'x', shape: [1, 3, 3, 3] },
      { name: 'y', shape: [1, 7, 7, 2] },
    ],
    inputs: [2], outputs: [3],
    operators: [{ op: 'TRANSPOSE_CONV', inputs: [0, 1, 2], outputs: [3], options: transposeConvOptions({ padding: 'VALID', stride: [2, 2] }) }],
  }, 'E_MODEL_INVALID', "output_shape [1,6,6,2] differs from the output tensor's [1,7,7,2]");
});

test.run();
