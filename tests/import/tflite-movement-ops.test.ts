/**
 * TFLite data movement builtins — STRIDED_SLICE, SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE,
 * DEPTH_TO_SPACE, SPACE_TO_DEPTH, MIRROR_PAD, PADV2 — in one model per element type (float32, int8)
 * built here (tests/util/tflite-build.ts): odd shapes, ranks 1 to 5, every option and mask, negative
 * indices and strides, constant and run-time gather indices with batch dims, and constant inputs that
 * fold at compile time. Every output byte must equal TFLite Micro's (tflm-run). Where TFLite Micro's
 * kernel cannot run the case as written — STRIDED_SLICE of rank 5 or with an ellipsis, a new axis or
 * `offset` (its kernel ignores them), and TILE (it has no kernel) — it runs a twin model instead, the
 * same computation in builtins it has (a plain strided slice and reshapes, concatenations), and our
 * output of the original must equal its output of the twin. The int8 model also runs once on the
 * emulated Cortex-M7 (qemu-mps2-an500), all cases in one run.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { UtvmError } from '../../src/diagnostics.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { CASES, Model, build, randomCases, stridedSlice } from '../util/movement-models.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

const BUILTINS = ['STRIDED_SLICE', 'SLICE', 'SPLIT', 'SPLIT_V', 'PACK', 'UNPACK', 'GATHER', 'TILE', 'DEPTH_TO_SPACE', 'SPACE_TO_DEPTH', 'MIRROR_PAD', 'PADV2'];

for (const type of ['float32', 'int8'] as const) {
  test(`TFLite ${BUILTINS.length} movement builtins on ${type}, ${CASES.length} cases: host = TFLM bit for bit; constant inputs fold`, () => {
    const b = build(type);
    const used = new Set(b.ours.operators.map((o) => o.op));
    assert.equal(BUILTINS.filter((op) => !used.has(op)), [], 'every builtin in the model');
    const bytes = b.ours.bytes();
    const g = loadGraph(bytes, `move_${type}.tflite`, `move_${type}`);
    // folded outputs are computed by no kernel but the copy that gives a graph output its own bytes
    for (const name of b.folded) {
      const producer = g.nodes.find((n) => n.outputs.includes(name));
      assert.ok(!producer || producer.op === 'copy', `${name} folded (made by ${producer?.op})`);
    }
    const cases = randomCases(b.ours, type === 'int8' ? 1301 : 1302, 3);
    const ours = runModel(bytes, `move_${type}.tflite`, cases, { target: 'host', name: `move_${type}` });
    const theirs = runTflm(b.twin.bytes(), cases.map((c) => c.map(toBytes)), b.ours.outputs.length);
    const compared = assertSameBytes(type, ours, theirs);
    assert.ok(compared > 3 * 2000, `compared ${compared} bytes`);
  });
}

/** TFLite Micro's GATHER, DEPTH_TO_SPACE, SPACE_TO_DEPTH and MIRROR_PAD take float32 and int8 only. */
const INT32_CASES = CASES.filter((c) => !/^(gather|depth_to_space|space_to_depth|mirror_pad)/.test(c.name));

test(`int32 (the other type TFLite Micro's byte-moving kernels take), ${INT32_CASES.length} cases: host = TFLM bit for bit`, () => {
  const b = build('int32', INT32_CASES);
  const bytes = b.ours.bytes();
  const cases = randomCases(b.ours, 1304, 2);
  const ours = runModel(bytes, 'move_int32.tflite', cases, { target: 'host', name: 'move_int32' });
  const theirs = runTflm(b.twin.bytes(), cases.map((c) => c.map(toBytes)), b.ours.outputs.length);
  assertSameBytes('int32', ours, theirs);
});

test('the int8 model on qemu-mps2-an500 = TFLM, all cases in one emulator run', () => {
  const b = build('int8');
  const result = compile(b.ours.bytes(), 'move_int8.tflite', { name: 'move_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_copy_nd', 'utvm_gather', 'utvm_pad', 'utvm_copy_strided']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const cases = randomCases(b.ours, 1303, 2);
  const ours = runCompiled(result, cases);
  const theirs = runTflm(b.twin.bytes(), cases.map((c) => c.map(toBytes)), b.ours.outputs.length);
  assertSameBytes('qemu int8', ours, theirs);
});

/** Models the importer refuses, each with its code and message. */
const REFUSED: { what: string; code: string; message: string; build(m: Model): void }[] = [
  {
    what: 'two ellipses',
    code: 'E_MODEL_INVALID',
    message: 'ellipsis_mask 5 has more than one ellipsis',
    build: (m) => stridedSlice(m, m.input([3, 4, 5]), m.output([3, 4, 5]), { begin: [0, 0, 0], end: [0, 0, 0], strides: [1, 1, 1], masks: { ellipsis: 0b101 } }, 6),
  },
  {
    what: 'a shrunk axis walked backwards',
    code: 'E_MODEL_INVALID',
    message: 'axis 0 is shrunk with a negative stride',
    build: (m) => stridedSlice(m, m.input([3, 4]), m.output([4]), { begin: [1, 0], end: [0, 4], strides: [-1, 1], masks: { shrink: 1 } }),
  },
  {
    what: 'REFLECT padding as wide as the axis',
    code: 'E_MODEL_INVALID',
    message: 'paddings of axis 1 exceed 2 for a dim of 3',
    build: (m) => m.op('MIRROR_PAD', [m.input([2, 3]), m.ints([0, 0, 3, 0], [2, 2])], [m.output([2, 6])], { type: 77, fields: [[0, 'int8', 0]] }),
  },
  {
    what: 'a negative constant GATHER index',
    code: 'E_MODEL_INVALID',
    message: 'an index is outside [0, 4)',
    build: (m) => m.op('GATHER', [m.input([4, 2]), m.ints([1, -1])], [m.output([2, 2])], { type: 23, fields: [[0, 'int32', 0]] }),
  },
  {
    what: 'int8 PACK of an input quantized unlike the output',
    code: 'E_UNSUPPORTED_ATTR',
    message: 'int8 PACK whose input 1 is quantized unlike its output is not supported',
    build(m) {
      const other = m.tensors.push({ name: 'q', shape: [3], type: 'int8', quant: { scale: [0.5], zeroPoint: [0] } }) - 1;
      m.inputs.push(other);
      m.op('PACK', [m.input([3]), other], [m.output([2, 3])], { type: 59, fields: [[0, 'int32', 2], [1, 'int32', 0]] });
    },
  },
];

test(`refused: ${REFUSED.map((r) => r.what).join('; ')}`, () => {
  for (const r of REFUSED) {
    const m = new Model('int8');
    r.build(m);
    try {
      loadGraph(m.bytes(), 'bad.tflite', 'bad');
      assert.unreachable(`${r.what} imported`);
    } catch (e) {
      assert.instance(e, UtvmError, r.what);
      assert.is((e as UtvmError).code, r.code, r.what);
      assert.match((e as Error).message, r.message, r.what);
    }
  }
});

test.run();
