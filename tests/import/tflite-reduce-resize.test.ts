/**
 * TFLite REDUCE_MAX, REDUCE_MIN, SUM, ARG_MAX, ARG_MIN, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR and
 * L2_NORMALIZATION (src/ops/reduce/, arg-minmax.ts, resize/, l2-norm.ts): one model per element type
 * built here (tests/util/tflite-build.ts) holds every case at once — ranks 1 to 4 with odd sizes, the
 * reductions over every axis combination that matters (contiguous inner axes, the outer axis alone, axes
 * apart, all axes, negative axes, duplicates) with keep_dims both ways; arg max / min over each axis of
 * an input with few distinct values (ties everywhere); each resize flag combination on upscales and
 * downscales with non-integer ratios and a 1×1 output; L2 normalization of rank 1, 2 and 4 inputs with
 * an all-zero row. Every output byte on seeded random inputs must equal TFLite Micro's (tflm-run),
 * float32 as well as int8; int8 SUM requantizes into a scale that saturates. The int8 model also runs
 * once on the emulated Cortex-M7 with the DSP extension (qemu-mps2-an500), all cases in one run, where
 * REDUCE_MAX / REDUCE_MIN take their SIMD kernel.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { buildTflite, reducerOptions } from '../util/tflite-build.js';
import { REDUCTIONS, buildArgModel, buildModel, randomCases } from '../util/reduce-resize-models.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

const MODELS = { float32: buildModel('float32'), int8: buildModel('int8') };

for (const type of ['float32', 'int8'] as const) {
  test(`TFLite reductions, arg max/min, resizes and L2 normalization on ${type}: host = TFLM bit for bit`, () => {
    const m = MODELS[type];
    const g = loadGraph(m.bytes, `rr_${type}.tflite`, `rr_${type}`);
    const ops = new Set(g.nodes.map((n) => n.op));
    for (const op of ['reduce_max', 'reduce_min', 'reduce_sum', 'arg_max', 'arg_min', 'resize_nearest', 'resize_bilinear', 'l2_norm']) {
      assert.ok(ops.has(op), `${op} in ${[...ops]}`);
    }
    const cases = randomCases(type, type === 'int8' ? 1301 : 1302, 3);
    const ours = runModel(m.bytes, `rr_${type}.tflite`, cases, { target: 'host', name: `rr_${type}` });
    const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
    const bytes = assertSameBytes(type, ours, theirs);
    assert.is(bytes, 3 * m.outputBytes, 'every output byte compared');
    if (type === 'int8') {
      const sums = ours.flatMap((outs) => outs.filter((_, j) => j % 3 === 2 && j < 3 * REDUCTIONS.length).flatMap((o) => [...(o.data as Int8Array)]));
      assert.ok(sums.includes(127) && sums.includes(-128), 'some int8 SUM saturates both ways');
    }
  });
}

test('the int8 model on qemu-mps2-an500 (DSP: SIMD max/min) = TFLM', () => {
  const m = MODELS.int8;
  const result = compile(m.bytes, 'rr_int8.tflite', { name: 'rr_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_reduce_minmax_s8_dsp', 'utvm_resize_bilinear_s8', 'utvm_resize_nearest', 'utvm_arg_minmax_s8', 'utvm_l2_norm_s8']) {
    assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  }
  const cases = randomCases('int8', 1303, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(m.bytes, cases.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

test('int8 REDUCE_MAX with an output quantized unlike the input → E_UNSUPPORTED_ATTR', () => {
  const q = (scale: number) => ({ scale: [scale], zeroPoint: [1] });
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [2, 5], type: 'int8', quant: q(0.02) },
      { name: 'axes', shape: [1], type: 'int32', data: [1] },
      { name: 'y', shape: [2], type: 'int8', quant: q(0.03) },
    ],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'REDUCE_MAX', version: 2, inputs: [0, 1], outputs: [2], options: reducerOptions(false) }],
  });
  try {
    compile(bytes, 'rmax_q.tflite', { name: 'rmax_q', board: targetBoard('host') });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_UNSUPPORTED_ATTR');
    assert.match((e as Error).message, 'int8 reduce_max needs the output quantized as the input');
  }
});

test('ARG_MAX / ARG_MIN with int64 indices (TFLite allows them, TFLite Micro refuses them) = TFLM\'s int32 indices widened', () => {
  for (const type of ['float32', 'int8'] as const) {
    const m64 = buildArgModel(type, 'int64');
    const m32 = buildArgModel(type, 'int32');
    const cases = randomCases(type, 1304, 2);
    const ours = runModel(m64.bytes, `arg64_${type}.tflite`, cases, { target: 'host', name: `arg64_${type}` });
    const theirs = runTflm(m32.bytes, cases.map((c) => c.map(toBytes)), m32.outputs);
    assert.throws(() => runTflm(m64.bytes, cases.map((c) => c.map(toBytes)), m64.outputs), undefined, 'tflm-run refuses int64 indices');
    ours.forEach((outs, k) =>
      outs.forEach((o, j) => {
        assert.is(o.dtype, 'int64');
        const want = new Int32Array(theirs[k][j].buffer.slice(theirs[k][j].byteOffset, theirs[k][j].byteOffset + theirs[k][j].byteLength));
        assert.equal(Array.from(o.data as BigInt64Array, Number), Array.from(want), `${type} case ${k} output ${j}`);
      }),
    );
  }
});

test('RESIZE_BILINEAR with align_corners and half_pixel_centers both set → E_MODEL_INVALID, as TFLite Micro refuses it', () => {
  const bytes = buildTflite({
    tensors: [
      { name: 'x', shape: [1, 3, 3, 2], type: 'float32' },
      { name: 'size', shape: [2], type: 'int32', data: [5, 5] },
      { name: 'y', shape: [1, 5, 5, 2], type: 'float32' },
    ],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'RESIZE_BILINEAR', version: 3, inputs: [0, 1], outputs: [2], options: { type: 15, fields: [[2, 'bool', 1], [3, 'bool', 1]] } }],
  });
  try {
    loadGraph(bytes, 'both.tflite', 'both');
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_MODEL_INVALID');
    assert.match((e as Error).message, 'align_corners and half_pixel_centers are both set');
  }
});

test.run();
