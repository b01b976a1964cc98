/**
 * The keyword-spotting proof: the 1000 real stimuli of ../shared/models/mlperf-tiny/kws01 through the
 * int8 DS-CNN (kws_ref_model.tflite) give exactly the int8 outputs TensorFlow Lite Micro + CMSIS-NN gave
 * (golden_int8.csv) — all 1000 on the host build (one process, `--batch`), and every tenth (100) on the
 * emulated Cortex-M7 (one emulator process), which must also equal the host bytes. The counts of exact
 * rows are printed; anything short of all of them fails. Never skipped: CI has gcc, arm-none-eabi-gcc
 * and qemu-system-arm.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runModel } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { KwsCase, argmax, readKwsCases, readModel, sameBytes, timed } from '../util/mlperf.js';

/**
 * Every QEMU_STRIDE-th stimulus runs on the emulator — with stride 1, all 1000 in one emulator process
 * (the firmware reads its batch list into a 1 MiB buffer).
 */
const QEMU_STRIDE = 1;

const kws = readModel('kws', 'int8');
const cases = readKwsCases();
let hostOutputs: TensorValue[] = [];

/** Rows whose output equals the golden row, and a description of the first few that do not. */
function score(subset: KwsCase[], outputs: TensorValue[]): { exact: number; report: string } {
  const bad: string[] = [];
  let exact = 0;
  subset.forEach((c, k) => {
    const got = outputs[k].data as Int8Array;
    if (sameBytes(got, c.expected)) exact++;
    else if (bad.length < 5) bad.push(`${c.file}: got [${[...got]}], expected [${[...c.expected]}]`);
  });
  return { exact, report: bad.join('\n') };
}

test('kws01: 1000 stimuli with golden outputs are present', () => {
  assert.is(cases.length, 1000);
  const top1 = cases.filter((c) => argmax(c.expected) === c.label).length;
  assert.is(top1, 901, 'the goldens give top-1 90.1 % against the labels');
});

test('kws01 on the host: all 1000 stimuli give exactly the golden int8 outputs', () => {
  const [outputs, seconds] = timed(() => runModel(kws.bytes, kws.fileName, cases.map((c) => [c.input]), { target: 'host' }));
  hostOutputs = outputs.map((o) => o[0]);
  const { exact, report } = score(cases, hostOutputs);
  console.log(`  kws01 goldens, host: ${exact} of ${cases.length} rows exact (${seconds.toFixed(1)} s, build + run)`);
  assert.is(exact, cases.length, `${cases.length - exact} rows differ, e.g.\n${report}`);
});

test(`kws01 on the emulated Cortex-M7: ${1000 / QEMU_STRIDE} stimuli give exactly the golden output and the host's bytes`, () => {
  const subset = cases.filter((_, i) => i % QEMU_STRIDE === 0);
  const [outputs, seconds] = timed(() => runModel(kws.bytes, kws.fileName, subset.map((c) => [c.input]), { target: 'qemu' }));
  const m7 = outputs.map((o) => o[0]);
  const { exact, report } = score(subset, m7);
  console.log(`  kws01 goldens, emulated Cortex-M7: ${exact} of ${subset.length} rows exact (${seconds.toFixed(1)} s, build + run)`);
  assert.is(exact, subset.length, `${subset.length - exact} rows differ, e.g.\n${report}`);
  assert.is(hostOutputs.length, cases.length, 'the host run happened');
  const differ = subset.filter((_, k) => !sameBytes(m7[k].data as Int8Array, hostOutputs[k * QEMU_STRIDE].data as Int8Array));
  assert.is(differ.length, 0, `host and Cortex-M7 differ on ${differ.map((c) => c.file).join(', ')}`);
});

test.run();
