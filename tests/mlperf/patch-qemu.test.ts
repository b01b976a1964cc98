/**
 * Patch-based execution on real stimuli and on the emulated Cortex-M7: the kws01 proof (1000 stimuli,
 * golden int8 outputs of TensorFlow Lite Micro + CMSIS-NN) through the keyword-spotting DS-CNN compiled
 * with --ram-budget 14000 on the host (one build, one batch run), and vww compiled with --ram-budget
 * 36864 (0.5x TFLite Micro's planned area: four patch stages, the DSP kernels on bands) in one emulator
 * run: the input pattern gives TFLite Micro's output, three random inputs the reference interpreter's.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, importGraph, patternInput } from '../../src/compile.js';
import { runModel, runReference } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { readBaseline, readKwsCases, readModel, sameBytes, timed } from '../util/mlperf.js';
import { mulberry32 } from '../util/random.js';

test('kws01 through kws with --ram-budget 14000 on the host: 1000 of 1000 golden rows', () => {
  const kws = readModel('kws', 'int8');
  const plan = compile(kws.bytes, kws.fileName, { name: 'kws', board: 'host', ramBudget: 14000, planOnly: true });
  assert.ok(plan.patch!.stages.length > 0 && plan.plan.arenaBytes <= 14000, `arena ${plan.plan.arenaBytes}`);
  const cases = readKwsCases();
  const [outputs, seconds] = timed(() => runModel(kws.bytes, kws.fileName, cases.map((c) => [c.input]), { target: 'host', ramBudget: 14000 }));
  const exact = cases.filter((c, i) => sameBytes(outputs[i][0].data as Int8Array, c.expected)).length;
  console.log(`  kws01 goldens, host, arena ${plan.plan.arenaBytes} B (layer by layer ${plan.patch!.baseArena} B): ${exact} of ${cases.length} rows exact (${seconds.toFixed(1)} s)`);
  assert.is(exact, cases.length);
});

test('vww with --ram-budget 36864 on the emulated Cortex-M7 (one emulator run): pattern = TFLite Micro, random = reference', () => {
  const vww = readModel('vww', 'int8');
  const plan = compile(vww.bytes, vww.fileName, { name: 'vww', board: 'qemu-mps2-an500', ramBudget: 36864, planOnly: true });
  assert.is(plan.patch!.stages.length, 4);
  assert.ok(plan.plan.arenaBytes <= 36864);
  const g = importGraph(vww.bytes, vww.fileName, 'vww');
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
  const [got, seconds] = timed(() => runModel(vww.bytes, vww.fileName, cases, { target: 'qemu', ramBudget: 36864 }));
  assert.ok(sameBytes(got[0][0].data as Int8Array, readBaseline().vww.output), `pattern: ${[...(got[0][0].data as Int8Array)]}`);
  want.forEach((w, i) => assert.ok(sameBytes(got[i + 1][0].data as Int8Array, w[0].data as Int8Array), `random case ${i}`));
  console.log(`  vww on the emulated M7, arena ${plan.plan.arenaBytes} B: 4 of 4 cases exact (${seconds.toFixed(1)} s)`);
});

test.run();
