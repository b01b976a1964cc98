/**
 * The default RAM budget (issue 18: "--ram-budget ... by default what the board's memories hold") and
 * float32 patch stages:
 *   - a model over the Nucleo's activation memories layer by layer compiles with no option, with patch
 *     stages for SRAM1's capacity and one line saying so; the same budget on the host gives the
 *     layer-by-layer bytes and TFLite Micro's;
 *   - a model that fits is compiled exactly as before (the same files as --ram-budget none, no stage, no line);
 *   - a model nothing brings within: the fit error plus the smallest arena the patch planner reached, exit 1;
 *   - a float32 chain (convolution, dilated convolution, depthwise with stride, average and max pooling)
 *     at three budgets gives bit-identical float outputs on the host;
 *   - on the emulated Cortex-M7 (one run each), the Nucleo's default plan of the int8 model and the float
 *     chain's two-stage plan give the layer-by-layer bits.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compile.js';
import type { CompileOptions } from '../../src/compile.js';
import { failure } from '../util/errors.js';
import { runModel } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { buildChain } from '../util/patch-models.js';
import { assertFails, linesOf, utvm } from '../util/cli.js';
import { TFLM_MODELS, assertSameBytes, randomCase, runTflm } from '../util/tflm.js';

const NUCLEO = 'stm32f746-nucleo';
/** 80x80x32 int8 images (204,800 B) in and out of a depthwise layer: 409,600 B live, over SRAM1 (245,760 B) and DTCM. */
const BIG = buildChain('int8', [80, 80, 3], [
  { kind: 'conv', k: 3, stride: 1, out: 32, padding: 'SAME', relu: true },
  { kind: 'dw', k: 3, stride: 1, padding: 'SAME', relu: true },
  { kind: 'conv', k: 3, stride: 2, out: 16, padding: 'SAME' },
  { kind: 'max', k: 2, stride: 2, padding: 'VALID' },
], 18);
/** A 300x300x3 input (270,000 B) the stages read whole: nothing fits SRAM1. */
const HUGE = buildChain('int8', [300, 300, 3], [
  { kind: 'conv', k: 3, stride: 2, out: 8, padding: 'SAME' },
  { kind: 'max', k: 2, stride: 2, padding: 'VALID' },
], 19);
const FLOAT = buildChain('float32', [48, 48, 3], [
  { kind: 'conv', k: 3, stride: 1, out: 16, padding: 'SAME', relu: true },
  { kind: 'dw', k: 3, stride: 2, padding: 'SAME', relu: true },
  { kind: 'avg', k: 3, stride: 1, padding: 'SAME' },
  { kind: 'conv', k: 3, stride: 1, out: 16, padding: 'SAME', dilation: 2 },
  { kind: 'max', k: 2, stride: 2, padding: 'VALID' },
  { kind: 'conv', k: 1, stride: 1, out: 8, padding: 'VALID' },
], 20);

const NOTE = "ram budget: layer by layer the arena needs 409600 bytes, more than board 'stm32f746-nucleo' holds; patch stages " +
  "(--ram-budget 245760 by default, SRAM1's capacity) bring it to 239232 bytes: 1 stage (1 with line buffers), 0 MACs recomputed (+0.0 % of the model's MACs); " +
  '--ram-budget none keeps layer by layer';
const BIG_OVER = "model 'big' does not fit board 'stm32f746-nucleo': the arena does not fit (by 163840 bytes, in SRAM1: needs 409600 bytes, has 245760)";
const HUGE_ERROR = "model 'huge' does not fit board 'stm32f746-nucleo': the arena does not fit (by 204240 bytes, in SRAM1: needs 450000 bytes, has 245760); " +
  "with patch stages (--ram-budget 245760 by default, SRAM1's capacity) the smallest arena is 272512 bytes";

const bits = (v: TensorValue) => new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);

function sameOutputs(label: string, got: TensorValue[][], want: TensorValue[][]): void {
  got.forEach((outs, k) => outs.forEach((o, j) => {
    const [a, b] = [bits(o), bits(want[k][j])];
    const diff = a.findIndex((x, i) => x !== b[i]);
    assert.ok(a.length === b.length && diff < 0, `${label}: case ${k} output ${j} differs at byte ${diff}`);
  }));
}

test('a model over the Nucleo layer by layer gets patch stages by default: SRAM1 alone, one line saying so', () => {
  const layered = compile(BIG, 'big.tflite', { name: 'big', board: NUCLEO, planOnly: true, ramBudget: 'none' });
  assert.is(layered.doesNotFit, BIG_OVER);
  assert.is(layered.patch, undefined);
  const r = compile(BIG, 'big.tflite', { name: 'big', board: NUCLEO });
  assert.is(r.ramBudgetNote, NOTE);
  assert.equal(r.patch!.byDefault, { budget: 245760, memory: 'SRAM1' });
  assert.is(r.patch!.baseArena, 409600);
  assert.equal(r.patch!.stages.map((s) => [s.nodes.join('+'), s.tileRows, s.tiles, s.extraMacs, s.mode]), [['conv2d1+conv2d2', 6, 7, 0, 'keep']]);
  assert.equal(r.plan.arenas.map((a) => [a.memory, a.arenaBytes]), [['SRAM1', 239232]]);
  assert.ok(r.files.get('model/big.c')?.includes('patch_conv2d1'), 'the stage is in the generated C');
  // An explicit budget keeps its meaning: the same stages for the same number.
  const explicit = compile(BIG, 'big.tflite', { name: 'big', board: NUCLEO, ramBudget: 245760 });
  assert.is(explicit.ramBudgetNote, undefined);
  assert.equal([...explicit.files], [...r.files]);
});

test('host: the patch plan at the default budget gives the layer-by-layer bytes and TFLite Micro\'s', () => {
  const input = compile(BIG, 'big.tflite', { name: 'big', board: 'host', planOnly: true }).program.inputs[0];
  const cases = [1, 2, 3].map((seed) => [randomCase(input, seed)]);
  const layered = runModel(BIG, 'big.tflite', cases, { target: 'host' });
  const patched = runModel(BIG, 'big.tflite', cases, { target: 'host', ramBudget: 245760 });
  sameOutputs('big at 245760 B on the host', patched, layered);
  const tflm = runTflm(BIG, cases.map((c) => [bits(c[0])]), 1);
  assert.ok(assertSameBytes('big, patch stages', patched, tflm) > 0);
});

test('a model that fits layer by layer compiles as before: no stage, no line, the same files', () => {
  const models: [string, Uint8Array][] = [['person_detect.tflite', new Uint8Array(readFileSync(join(TFLM_MODELS, 'person_detect.tflite')))], ['float.tflite', FLOAT]];
  for (const [file, bytes] of models) {
    for (const extra of [{}, { format: 'library' }] as Partial<CompileOptions>[]) {
      const byDefault = compile(bytes, file, { name: 'm', board: NUCLEO, ...extra });
      const none = compile(bytes, file, { name: 'm', board: NUCLEO, ramBudget: 'none', ...extra });
      assert.is(byDefault.patch, undefined, file);
      assert.is(byDefault.ramBudgetNote, undefined, file);
      assert.equal([...byDefault.files], [...none.files], file);
    }
  }
  // the host has no memories: no default budget, however big the arena
  assert.is(compile(BIG, 'big.tflite', { name: 'big', board: 'host', planOnly: true }).patch, undefined);
});

test('a model nothing brings within: the fit error names the smallest arena the patch planner reached', () => {
  assert.is(failure(() => compile(HUGE, 'huge.tflite', { name: 'huge', board: NUCLEO })), `E_DOES_NOT_FIT: ${HUGE_ERROR}`);
  assert.is(compile(HUGE, 'huge.tflite', { name: 'huge', board: NUCLEO, planOnly: true }).doesNotFit, HUGE_ERROR);
  // weights over the flash: no stage can help, the error is as before (no patch clause)
  const mnv2 = new Uint8Array(readFileSync(join(TFLM_MODELS, 'mobilenet_v2_quantized_1x3x224x224.tflite')));
  assert.is(failure(() => compile(mnv2, 'mnv2.tflite', { name: 'mnv2', board: NUCLEO })), failure(() => compile(mnv2, 'mnv2.tflite', { name: 'mnv2', board: NUCLEO, ramBudget: 'none' })));
});

test('CLI: export and inspect say so in one line; --ram-budget none; the error is one line, exit 1, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-patch-default-'));
  try {
    writeFileSync(join(dir, 'big.tflite'), BIG);
    writeFileSync(join(dir, 'huge.tflite'), HUGE);
    const out = join(dir, 'out');
    const ok = utvm(['export', join(dir, 'big.tflite'), '--board', NUCLEO, '-o', out]);
    assert.is(ok.status, 0, ok.stderr);
    assert.equal(linesOf(ok.stderr), [`utvm-aot: ${NOTE}`]);
    assert.ok(readFileSync(join(out, 'model', 'big.c'), 'utf8').includes('patch_conv2d1'));
    const inspect = utvm(['inspect', join(dir, 'big.tflite'), '--board', NUCLEO]);
    assert.is(inspect.status, 0, inspect.stderr);
    assert.equal(linesOf(inspect.stderr), [`utvm-aot: ${NOTE}`]);
    assert.ok(linesOf(inspect.stdout).includes("patch stages (--ram-budget 245760 by default, SRAM1's capacity): 1; arena layer by layer 409600 bytes, with the stages 239232 bytes (lower bound 239232)"), inspect.stdout.slice(-800));
    assert.not.match(inspect.stdout, /does not fit/);
    const none = utvm(['export', join(dir, 'big.tflite'), '--board', NUCLEO, '--ram-budget', 'none', '-o', join(dir, 'none')]);
    assertFails(none, 1, [`utvm-aot: error E_DOES_NOT_FIT: ${BIG_OVER}`]);
    const huge = utvm(['export', join(dir, 'huge.tflite'), '--board', NUCLEO, '-o', join(dir, 'huge')]);
    assertFails(huge, 1, [`utvm-aot: error E_DOES_NOT_FIT: ${HUGE_ERROR}`]);
    assert.not.ok(existsSync(join(dir, 'none')) || existsSync(join(dir, 'huge')), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Budgets of the float chain's host plan (arena 184,320 B layer by layer): one line-buffer stage of 12 rows, of 4 rows, and two stages (one recomputing). */
const FLOAT_BUDGETS: [number, number, string[]][] = [
  [129024, 113664, ['conv2d0+conv2d1 rows 12 keep']],
  [73728, 73728, ['conv2d0+conv2d1 rows 4 keep']],
  [55296, 55296, ['conv2d0+conv2d1 rows 2 keep', 'pool2d2+conv2d3+pool2d4+conv2d5 rows 2 recompute']],
];

test('float32 patch stages: bit-identical float outputs on the host at three budgets', () => {
  const base = compile(FLOAT, 'float.tflite', { name: 'float', board: 'host', planOnly: true });
  assert.is(base.plan.arenaBytes, 184320);
  const cases = [1, 2, 3].map((seed) => [randomCase(base.program.inputs[0], seed)]);
  const layered = runModel(FLOAT, 'float.tflite', cases, { target: 'host' });
  for (const [budget, arena, stages] of FLOAT_BUDGETS) {
    const r = compile(FLOAT, 'float.tflite', { name: 'float', board: 'host', planOnly: true, ramBudget: budget });
    assert.is(r.plan.arenaBytes, arena, `arena at ${budget}`);
    assert.equal(r.patch!.stages.map((s) => `${s.nodes.join('+')} rows ${s.tileRows} ${s.mode}`), stages);
    sameOutputs(`float at ${budget} B`, runModel(FLOAT, 'float.tflite', cases, { target: 'host', ramBudget: budget }), layered);
  }
});

test('emulated Cortex-M7: the Nucleo default plan of big and float stages give the layer-by-layer bits', () => {
  // qemu-mps2-an500 has 16 MB of PSRAM (no default there): SRAM1's budget given explicitly makes the
  // Nucleo's plan (the same Cortex-M7 kernels), and the float chain's two-stage plan runs on the M7's FPU.
  const nucleo = compile(BIG, 'big.tflite', { name: 'big', board: NUCLEO, planOnly: true });
  const emulated = compile(BIG, 'big.tflite', { name: 'big', board: 'qemu-mps2-an500', planOnly: true, ramBudget: 245760 });
  assert.equal(emulated.patch!.stages, nucleo.patch!.stages);
  for (const [file, bytes, budget] of [['big.tflite', BIG, 245760], ['float.tflite', FLOAT, 55296]] as const) {
    const input = compile(bytes, file, { name: 'm', board: 'host', planOnly: true }).program.inputs[0];
    const cases = [4, 5].map((seed) => [randomCase(input, seed)]);
    const layered = runModel(bytes, file, cases, { target: 'host' });
    sameOutputs(`${file} at ${budget} B on the emulator`, runModel(bytes, file, cases, { target: 'qemu', ramBudget: budget }), layered);
  }
});

test.run();
