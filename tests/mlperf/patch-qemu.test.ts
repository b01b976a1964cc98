/**
 * Patch-based execution on real stimuli and on the emulated Cortex-M7, at 0.5x TensorFlow Lite Micro's
 * planned activation area or below: the kws01 proof (1000 stimuli, golden int8 outputs of TensorFlow Lite
 * Micro + CMSIS-NN) through the keyword-spotting DS-CNN compiled with --ram-budget 8000 (one line-buffer
 * stage from the input through the global average pool: 6,448 B against TFLite Micro's 16,000) in one
 * emulator run, and ic at 24,576 B and vww at 36,864 B (line-buffer stages, the DSP kernels on bands), one
 * emulator run each: the input pattern gives TFLite Micro's output, three random inputs the reference
 * interpreter's.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph, patternInput } from '../../src/compile.js';
import { runModel, runReference } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { ModelKey, readBaseline, readKwsCases, readModel, sameBytes, timed } from '../util/mlperf.js';
import { mulberry32 } from '../util/random.js';

const M7 = 'qemu-mps2-an500';

test('kws01 through kws with --ram-budget 8000 on the emulated M7: 1000 of 1000 golden rows', () => {
  const kws = readModel('kws', 'int8');
  const plan = compile(kws.bytes, kws.fileName, { name: 'kws', board: M7, ramBudget: 8000, planOnly: true });
  assert.is(plan.plan.arenaBytes, 6448);
  assert.equal(plan.patch!.stages.map((s) => [s.nodes.length, s.mode]), [[10, 'keep']]);
  const cases = readKwsCases();
  const [outputs, seconds] = timed(() => runModel(kws.bytes, kws.fileName, cases.map((c) => [c.input]), { target: 'qemu', ramBudget: 8000 }));
  const exact = cases.filter((c, i) => sameBytes(outputs[i][0].data as Int8Array, c.expected)).length;
  console.log(`  kws01 goldens, emulated M7, arena ${plan.plan.arenaBytes} B (layer by layer ${plan.patch!.baseArena} B): ${exact} of ${cases.length} rows exact (${seconds.toFixed(1)} s)`);
  assert.is(exact, cases.length);
});

const BUDGETS: [ModelKey, number, number][] = [['ic', 24576, 21120], ['vww', 36864, 35392]];

test('ic at 24,576 B and vww at 36,864 B on the emulated Cortex-M7: pattern = TFLite Micro, random = reference', () => {
  const baseline = readBaseline();
  for (const [key, budget, arena] of BUDGETS) {
    const m = readModel(key, 'int8');
    const plan = compile(m.bytes, m.fileName, { name: key, board: M7, ramBudget: budget, planOnly: true });
    assert.is(plan.plan.arenaBytes, arena);
    const g = importGraph(m.bytes, m.fileName, key);
    const shape = g.tensor(g.inputs[0]).shape;
    const rand = mulberry32(7);
    const random = (): TensorValue[] => {
      const v = patternInput('int8', shape);
      const d = v.data as Int8Array;
      for (let i = 0; i < d.length; i++) d[i] = Math.floor(rand() * 256) - 128;
      return [v];
    };
    const cases = [[patternInput('int8', shape)], random(), random(), random()];
    const want = runReference(g, cases.slice(1));
    const [got, seconds] = timed(() => runModel(m.bytes, m.fileName, cases, { target: 'qemu', ramBudget: budget }));
    assert.ok(sameBytes(got[0][0].data as Int8Array, baseline[key].output), `${key} pattern: ${[...(got[0][0].data as Int8Array)]}`);
    want.forEach((w, i) => assert.ok(sameBytes(got[i + 1][0].data as Int8Array, w[0].data as Int8Array), `${key} random case ${i}`));
    console.log(`  ${key} on the emulated M7, arena ${arena} B (${plan.patch!.stages.length} stage(s)): 4 of 4 cases exact (${seconds.toFixed(1)} s)`);
  }
});

test.run();
