/**
 * TFLite layout builtins: TRANSPOSE (int8 and float32, ranks 2–5, identity, reversals and mixed
 * permutations, dims of size 1), SQUEEZE and EXPAND_DIMS (aliases onto reshape) and SHAPE (folded into a
 * constant int32 tensor, here feeding a RESHAPE's shape input). Models built here
 * (tests/util/tflite-build.ts); every output byte of the host build must equal TFLite Micro's (tflm-run)
 * on seeded random inputs — float32 too, since these operators only move values. One model holding all
 * four builtins also runs on the emulated Cortex-M7 (one emulator run, every case).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import type { Target } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { UtvmError } from '../../src/diagnostics.js';
import { OpSpec, TensorSpec, buildTflite } from '../util/tflite-build.js';
import { TRANSPOSES, allFour, cases, squeezeOptions, tensor, transposeModel, type ElemType } from '../util/layout-models.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

/** Runs `inputs` through our build for `target` and through tflm-run; every byte of every output must agree. */
function assertSameAsTflm(bytes: Uint8Array, name: string, inputs: TensorValue[], outputs: number, target: Target = 'host'): string[] {
  const g = loadGraph(bytes, `${name}.tflite`, name);
  const ours = runModel(bytes, `${name}.tflite`, inputs.map((x) => [x]), { target, name });
  assertSameBytes(name, ours, runTflm(bytes, inputs.map((x) => [toBytes(x)]), outputs));
  return g.nodes.map((n) => n.op);
}

let seed = 100;
for (const type of ['int8', 'float32'] as const) {
  for (const [shape, perm] of TRANSPOSES) {
    const s = seed++;
    test(`TRANSPOSE ${type} [${shape}] perm [${perm}]: host = TFLM`, () => {
      const ops = assertSameAsTflm(transposeModel(type, shape, perm), `transpose_${type}_${shape.join('x')}`, cases(type, shape, s), 1);
      assert.ok(ops.every((op) => ['transpose', 'reshape', 'copy'].includes(op)), `only moves: ${ops}`);
    });
  }
}

/** x → SQUEEZE or EXPAND_DIMS → t → TRANSPOSE (reversal) → y, and the bare alias x → op → t as a second model. */
function reshapeThenTranspose(type: ElemType, shape: number[], op: OpSpec, outShape: number[], axis?: number): { chained: Uint8Array; bare: Uint8Array } {
  const rev = [...outShape.keys()].reverse();
  const tensors: TensorSpec[] = [tensor('x', shape, type), tensor('t', outShape, type), { name: 'perm', shape: [rev.length], type: 'int32', data: rev }, tensor('y', rev.map((p) => outShape[p]), type)];
  const inputs = [0];
  if (axis !== undefined) tensors.push({ name: 'axis', shape: [1], type: 'int32', data: [axis] });
  const first: OpSpec = { ...op, inputs: axis !== undefined ? [0, 4] : [0], outputs: [1] };
  const chained = buildTflite({ tensors, inputs, outputs: [3], operators: [first, { op: 'TRANSPOSE', version: type === 'int8' ? 2 : 1, inputs: [1, 2], outputs: [3] }] });
  const bare = buildTflite({ tensors, inputs, outputs: [1], operators: [first] });
  return { chained, bare };
}

const SQUEEZES: [number[], number[], number[]][] = [
  [[1, 5, 1, 3], [], [5, 3]],
  [[1, 5, 1, 3], [-2], [1, 5, 3]],
  [[1, 1, 7], [0], [1, 7]],
  [[4, 1], [1], [4]],
];
const EXPANDS: [number[], number, number[]][] = [
  [[4, 6], 0, [1, 4, 6]],
  [[4, 6], -1, [4, 6, 1]],
  [[2, 3, 5], 1, [2, 1, 3, 5]],
  [[2, 3, 5], -4, [1, 2, 3, 5]],
];

for (const type of ['int8', 'float32'] as const) {
  for (const [shape, dims, outShape] of SQUEEZES) {
    const s = seed++;
    test(`SQUEEZE ${type} [${shape}] squeeze_dims [${dims}] → [${outShape}]: host = TFLM`, () => {
      const m = reshapeThenTranspose(type, shape, { op: 'SQUEEZE', version: 1, inputs: [], outputs: [], options: squeezeOptions(dims) }, outShape);
      const ops = assertSameAsTflm(m.chained, `squeeze_${type}`, cases(type, shape, s), 1);
      assert.ok(ops.includes('reshape'), `${ops}`);
      assertSameAsTflm(m.bare, `squeeze_bare_${type}`, cases(type, shape, s + 1000), 1);
    });
  }
  for (const [shape, axis, outShape] of EXPANDS) {
    const s = seed++;
    test(`EXPAND_DIMS ${type} [${shape}] axis ${axis} → [${outShape}]: host = TFLM`, () => {
      const m = reshapeThenTranspose(type, shape, { op: 'EXPAND_DIMS', version: 1, inputs: [], outputs: [] }, outShape, axis);
      assertSameAsTflm(m.chained, `expand_${type}`, cases(type, shape, s), 1);
      assertSameAsTflm(m.bare, `expand_bare_${type}`, cases(type, shape, s + 1000), 1);
    });
  }
}

for (const type of ['int8', 'float32'] as const) {
  test(`TRANSPOSE, SQUEEZE, EXPAND_DIMS and SHAPE → RESHAPE in one ${type} model: host = TFLM`, () => {
    const bytes = allFour(type);
    const g = loadGraph(bytes, 'all.tflite', 'all');
    assert.not.ok(g.nodes.some((n) => n.op === 'shape'), 'SHAPE folded');
    assertSameAsTflm(bytes, `all_${type}`, cases(type, [2, 1, 3, 5], seed++, 4), 3);
  });
}

test('SHAPE as a graph output: a constant int32 vector = TFLM', () => {
  const bytes = buildTflite({
    tensors: [tensor('x', [3, 1, 4, 2], 'int8'), { name: 'y', shape: [4], type: 'int32' }],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'SHAPE', version: 1, inputs: [0], outputs: [1] }],
  });
  assertSameAsTflm(bytes, 'shape_out', cases('int8', [3, 1, 4, 2], seed++, 1), 1);
});

function importError(bytes: Uint8Array): UtvmError {
  try {
    loadGraph(bytes, 'm.tflite', 'm');
  } catch (e) {
    assert.instance(e, UtvmError);
    return e as UtvmError;
  }
  assert.unreachable('imported');
  throw new Error('unreachable');
}

test('TRANSPOSE with a perm that is not a permutation: E_MODEL_INVALID', () => {
  const bytes = buildTflite({
    tensors: [tensor('x', [2, 3, 4], 'int8'), { name: 'perm', shape: [3], type: 'int32', data: [0, 2, 2] }, tensor('y', [2, 4, 4], 'int8')],
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'TRANSPOSE', version: 2, inputs: [0, 1], outputs: [2] }],
  });
  const e = importError(bytes);
  assert.is(e.code, 'E_MODEL_INVALID');
  assert.is(e.message, `m.tflite: operator #0 TRANSPOSE (output 'y'): perm [0,2,2] is not a permutation of 3 axes`);
});

test('TRANSPOSE of rank 6 (TFLite Micro stops at 5): E_UNSUPPORTED_ATTR, whatever the version says', () => {
  const shape = [2, 3, 2, 1, 3, 2];
  for (const version of [4, 6]) {
    const bytes = buildTflite({
      tensors: [tensor('x', shape, 'int8'), { name: 'perm', shape: [6], type: 'int32', data: [5, 4, 3, 2, 1, 0] }, tensor('y', [...shape].reverse(), 'int8')],
      inputs: [0],
      outputs: [2],
      operators: [{ op: 'TRANSPOSE', version, inputs: [0, 1], outputs: [2] }],
    });
    const e = importError(bytes);
    assert.is(e.code, 'E_UNSUPPORTED_ATTR');
    const what = version === 6 ? 'TRANSPOSE version 6 is not supported (versions 1 to 4 are)' : "TRANSPOSE of rank 6 (TensorFlow Lite Micro's limit is 5) is not supported";
    assert.is(e.message, `m.tflite: operator #0 TRANSPOSE (output 'y'): ${what}`);
  }
});

test('SQUEEZE of a dim whose size is not 1: E_MODEL_INVALID', () => {
  const bytes = buildTflite({
    tensors: [tensor('x', [1, 5, 3], 'int8'), tensor('y', [1, 3], 'int8')],
    inputs: [0],
    outputs: [1],
    operators: [{ op: 'SQUEEZE', version: 1, inputs: [0], outputs: [1], options: squeezeOptions([1]) }],
  });
  const e = importError(bytes);
  assert.is(e.code, 'E_MODEL_INVALID');
  assert.is(e.message, `m.tflite: operator #0 SQUEEZE (output 'y'): cannot squeeze dim 1 of shape [1,5,3]: its size is not 1`);
});

test(`TRANSPOSE, SQUEEZE, EXPAND_DIMS and SHAPE on the emulated Cortex-M7 (one run, 4 cases): = TFLM`, () => {
  assertSameAsTflm(allFour('int8'), 'all_qemu', cases('int8', [2, 1, 3, 5], 999, 4), 3, 'qemu');
});

test.run();
