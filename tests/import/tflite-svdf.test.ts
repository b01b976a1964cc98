/**
 * TFLite SVDF (src/ops/svdf.ts, runtime-c/src/utvm_svdf_*.c): models built here hold every case at once,
 * each SVDF with its own graph input and output and its own variable state tensor — int8 with int16
 * state (rank 1 and 2, batch 1 to 3), int8 with int8 state and a non-zero state zero point, odd sizes,
 * a fused RELU on an int8 SVDF (which TFLite Micro's integer kernel ignores), float32 with every fused
 * activation TFLite Micro applies and without a bias — run on seeded random inputs; every output byte must
 * equal TFLite Micro's (tflm-run). The state is a variable tensor: the planner gives it a place of its
 * own for the whole program, and the runners reset it before each case as tflm-run does. The int8 model
 * also runs on the emulated Cortex-M7 with the DSP kernels (qemu-mps2-an500), all cases in one run.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { planMemory } from '../../src/plan/index.js';
import { TensorSpec, buildTflite } from '../util/tflite-build.js';
import { BuiltModel, NONE, SVDF_FLOAT_CASES, SVDF_INT8_CASES, buildSvdf, randomModelCases, svdfOptions } from '../util/gemm-svdf-models.js';
import { assertSameBytes, runTflm } from '../util/tflm.js';

const randomCases = (b: BuiltModel, _type: 'float32' | 'int8', seed: number, count: number) => randomModelCases(b, seed, count);
const buildModel = buildSvdf;
const INT8_CASES = SVDF_INT8_CASES;
const FLOAT_CASES = SVDF_FLOAT_CASES;

for (const type of ['int8', 'float32'] as const) {
  test(`TFLite SVDF ${type}: ranks 1-3, batches 1-3, ${type === 'int8' ? 'int16 and int8 state' : 'every fused activation'}: host = TFLM bit for bit`, () => {
    const cases = type === 'int8' ? INT8_CASES : FLOAT_CASES;
    const m = buildModel(type, cases, type === 'int8' ? 1301 : 1302);
    const g = loadGraph(m.bytes, `svdf_${type}.tflite`, `svdf_${type}`);
    assert.is(g.nodes.filter((n) => n.op === 'svdf').length, cases.length);
    const states = [...g.tensors.values()].filter((t) => t.variable);
    assert.is(states.length, cases.length);
    // the state lives over the whole program, in a place nothing else shares
    const plan = planMemory(g);
    for (const s of states) {
      const b = plan.buffers.find((x) => x.tensors.includes(s.name))!;
      assert.equal([b.first, b.last, b.tensors.length], [0, g.nodes.length - 1, 1], s.name);
    }
    const inputs = randomCases(m, type, type === 'int8' ? 1303 : 1304, 3);
    const ours = runModel(m.bytes, `svdf_${type}.tflite`, inputs, { target: 'host', name: `svdf_${type}` });
    const theirs = runTflm(m.bytes, inputs.map((c) => c.map(toBytes)), m.outputs);
    assertSameBytes(type, ours, theirs);
    const values = ours.flatMap((outs) => outs.flatMap((o) => [...o.data]));
    assert.ok(new Set(values).size > values.length / 4, `outputs vary: ${new Set(values).size} distinct of ${values.length}`);
  });
}

test('TFLite SVDF int8 on qemu-mps2-an500 (the DSP kernels) = TFLM', () => {
  const m = buildModel('int8', INT8_CASES, 1301);
  const result = compile(m.bytes, 'svdf_int8.tflite', { name: 'svdf_int8', board: targetBoard('qemu') });
  const files = [...result.files.keys()];
  for (const k of ['utvm_svdf_s8_dsp', 'utvm_svdf_s8_s16_dsp']) assert.ok(files.some((f) => f.endsWith(`/${k}.c`)), k);
  const inputs = randomCases(m, 'int8', 1305, 2);
  const ours = runCompiled(result, inputs);
  const theirs = runTflm(m.bytes, inputs.map((c) => c.map(toBytes)), m.outputs);
  assertSameBytes('qemu int8', ours, theirs);
});

/**
 * The state across runs, hand-computed: feature rows [1 2 3] and [4 5 6], time rows [1 10 100 1000] and
 * [1 1 1 1], input [1 0 0] each run: filter values 1 and 4 enter the windows at the newest end, so run 1
 * gives [1000, 4], run 2 [1100, 8] (the state kept), and after st_reset() (or st_reset_with_arena on an
 * application arena) [1000, 4] again.
 */
test('the generated C API keeps SVDF state from run to run; st_reset() and st_reset_with_arena() clear it', () => {
  const tensors: TensorSpec[] = [
    { name: 'x', shape: [1, 3] },
    { name: 'wf', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    { name: 'wt', shape: [2, 4], data: [1, 10, 100, 1000, 1, 1, 1, 1] },
    { name: 'state', shape: [1, 8], variable: true },
    { name: 'b', shape: [2], data: [0, 0] },
    { name: 'y', shape: [1, 2] },
  ];
  const bytes = buildTflite({ tensors, inputs: [0], outputs: [5], operators: [{ op: 'SVDF', inputs: [0, 1, 2, 4, 3], outputs: [5], options: svdfOptions(1, NONE) }] });
  const result = compile(bytes, 'st.tflite', { name: 'st', board: targetBoard('host') });
  const dir = mkdtempSync(join(tmpdir(), 'utvm-svdf-state-'));
  try {
    for (const [path, text] of result.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, 'state_main.c'), [
      '#include <stdio.h>',
      '#include <string.h>',
      '#include "st.h"',
      'static uint8_t arena[ST_ARENA_SIZE] __attribute__((aligned(ST_ARENA_ALIGN)));',
      'static void once(void) { const float x[3] = {1, 0, 0}; const float *y; memcpy(st_input(0), x, sizeof x); st_run(); y = st_output(0); printf("%g %g\\n", y[0], y[1]); }',
      'static void once_arena(void) { const float x[3] = {1, 0, 0}; const float *y; memcpy(st_arena_input(arena, 0), x, sizeof x); st_run_with_arena(arena, sizeof arena); y = st_arena_output(arena, 0); printf("%g %g\\n", y[0], y[1]); }',
      'int main(void) {',
      '    if (st_reset() != UTVM_ERROR_NOT_INITIALIZED) return 1;',
      '    st_init(); once(); once(); st_reset(); once();',
      '    memset(arena, 0x55, sizeof arena); st_reset_with_arena(arena, sizeof arena); once_arena(); once_arena(); st_reset_with_arena(arena, sizeof arena); once_arena();',
      '    return 0;',
      '}',
    ].join('\n'));
    const sources = ['state_main.c', 'model/st.c', ...[...result.files.keys()].filter((f) => f.startsWith('runtime/src/'))].map((f) => join(dir, f));
    const exe = join(dir, 'state');
    execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', `-I${join(dir, 'model')}`, `-I${join(dir, 'runtime', 'include')}`, '-o', exe, ...sources, '-lm']);
    const lines = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
    assert.equal(lines, ['1000 4', '1100 8', '1000 4', '1000 4', '1100 8', '1000 4']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an SVDF state that is not a variable tensor, and a variable written as an output, are refused with one line', () => {
  const spec = (stateVariable: boolean, outputVariable: boolean) => buildTflite({
    tensors: [
      { name: 'x', shape: [1, 3] },
      { name: 'wf', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { name: 'wt', shape: [2, 4], data: [1, 10, 100, 1000, 1, 1, 1, 1] },
      { name: 'state', shape: [1, 8], variable: stateVariable, ...(stateVariable ? {} : { data: [0, 0, 0, 0, 0, 0, 0, 0] }) },
      { name: 'b', shape: [2], data: [0, 0] },
      { name: 'y', shape: [1, 2], variable: outputVariable },
    ],
    inputs: [0],
    outputs: [5],
    operators: [{ op: 'SVDF', inputs: [0, 1, 2, 4, 3], outputs: [5], options: svdfOptions(1, NONE) }],
  });
  const message = (bytes: Uint8Array) => {
    try {
      loadGraph(bytes, 's.tflite', 's');
    } catch (e) {
      return (e as Error).message;
    }
    return 'imported';
  };
  assert.is(message(spec(false, false)), "s.tflite: operator #0 SVDF (output 'y'): the activation state (input 4) must be a variable tensor");
  assert.is(message(spec(true, true)), "s.tflite: operator #0 SVDF (output 'y'): writing a variable tensor as an operator's output is not supported (variables are state an operator updates in place)");
});

test.run();
