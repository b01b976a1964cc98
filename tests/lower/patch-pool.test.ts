/**
 * A global int8 pool at the end of a patch stage (src/lower/patch/: the pool folds each band of rows into
 * int32 sums or maxima, utvm_pool_rows_s8 / utvm_pool_finish_s8, so the image it pools never exists
 * whole): a max pool after a conv / depthwise / 1x1 chain and an average pool after a ReLU depthwise, at
 * three budgets each — line buffers and recomputation, tall and one-row bands — against TensorFlow Lite
 * Micro (tflm-run) on three random inputs on the host, and the tightest plans on the emulated M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { buildChain } from '../util/patch-models.js';
import { assertSameBytes, randomCase, runTflm } from '../util/tflm.js';

const MAX = buildChain('int8', [8, 8, 2], [
  { kind: 'conv', k: 3, stride: 1, out: 32, padding: 'SAME', relu: true },
  { kind: 'dw', k: 3, stride: 1, padding: 'SAME' },
  { kind: 'conv', k: 1, stride: 1, out: 32, padding: 'VALID' },
  { kind: 'max', k: 8, stride: 1, padding: 'VALID' },
], 41);
const AVG = buildChain('int8', [10, 10, 3], [
  { kind: 'conv', k: 3, stride: 1, out: 24, padding: 'SAME' },
  { kind: 'dw', k: 3, stride: 1, padding: 'SAME', relu: true },
  { kind: 'avg', k: 10, stride: 1, padding: 'VALID' },
], 42);

/** Model, layer-by-layer arena on the host, per budget: the arena and the stages the planner picks; the emulated M7's tightest budget (its DSP kernels' scratch is larger). */
const PLANS: [string, Uint8Array, number, [number, number, string[]][], number][] = [
  ['max', MAX, 4096, [
    [4080, 3712, ['conv2d1+conv2d2+pool2d3 rows 3 keep']],
    [2400, 2304, ['conv2d0+conv2d1+conv2d2+pool2d3 rows 2 keep']],
    [1280, 1280, ['conv2d0+conv2d1+conv2d2+pool2d3 rows 1 recompute']],
  ], 1408],
  ['avg', AVG, 4800, [
    [4784, 4416, ['conv2d1+pool2d2 rows 8 keep']],
    [2400, 2320, ['conv2d0+conv2d1+pool2d2 rows 3 keep']],
    [1360, 1360, ['conv2d0+conv2d1+pool2d2 rows 1 keep']],
  ], 1472],
];

function cases(model: Uint8Array) {
  const input = compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true }).program.inputs[0];
  return [1, 2, 3].map((seed) => [randomCase(input, seed)]);
}

test('the stages end in the global pool; the host builds give TFLite Micro\'s bytes', () => {
  for (const [name, model, base, budgets] of PLANS) {
    assert.is(compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true }).plan.arenaBytes, base);
    const input = cases(model);
    const theirs = runTflm(model, input.map((c) => c.map(toBytes)), 1);
    for (const [budget, arena, stages] of budgets) {
      const r = compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true, ramBudget: budget });
      assert.is(r.plan.arenaBytes, arena, `${name} at ${budget}`);
      assert.equal(r.patch!.stages.map((s) => `${s.nodes.join('+')} rows ${s.tileRows} ${s.mode}`), stages);
      assertSameBytes(`${name} at ${budget} B`, runModel(model, 'm.tflite', input, { target: 'host', ramBudget: budget }), theirs);
    }
  }
});

test('emulated Cortex-M7: the tightest plans (one-row bands into the pool) give TFLite Micro\'s bytes', () => {
  for (const [name, model, , , budget] of PLANS) {
    const input = cases(model);
    const theirs = runTflm(model, input.map((c) => c.map(toBytes)), 1);
    const plan = compile(model, 'm.tflite', { name: 'm', board: 'qemu-mps2-an500', planOnly: true, ramBudget: budget });
    assert.ok(plan.patch!.stages.some((s) => s.nodes[s.nodes.length - 1].startsWith('pool2d')), `${name}: a pool tail on the M7 too`);
    assertSameBytes(`${name} at ${budget} B on the M7`, runModel(model, 'm.tflite', input, { target: 'qemu', ramBudget: budget }), theirs);
  }
});

test.run();
