/**
 * Every memory the STM32F746G-DISCO has, run on its emulated stand-in (qemu-mps2-an500-disco: the Disco's
 * DTCM / SRAM1 / SRAM2 / SDRAM / QSPI map laid over QEMU's mps2-an500 RAMs): person_detect (fits one arena
 * in SRAM1: the default plan, unchanged) and MobileNetV2-224 (1.6 MB of arena with its pads folded, 3.8 MB of weights: arenas in
 * SRAM1, DTCM and SDRAM, weights in the internal flash and QSPI) build for the stand-in, and every output
 * byte of one seeded random input equals TFLite Micro's (tflm-run). The Disco board itself builds with
 * arm-none-eabi-gcc (its SDRAM/QSPI init code, warning-free) and its ELF puts the sections in SDRAM and QSPI.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runCompiled } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { TFLM_MODELS, assertSameBytes, randomCase, runTflm } from '../util/tflm.js';
import { utvm } from '../util/cli.js';

const STAND_IN = 'qemu-mps2-an500-disco';
const MOBILENET = 'mobilenet_v2_quantized_1x3x224x224.tflite';

function runBoth(file: string, seed: number): { memories: string[]; weightMemories: string[] } {
  const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, file)));
  const name = file.replace(/\.tflite$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  const result = compile(bytes, file, { name, board: STAND_IN });
  const cases = [result.program.inputs.map((t, i) => randomCase(t, seed + i))];
  const ours = runCompiled(result, cases);
  const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), result.program.outputs.length);
  const n = assertSameBytes(`${file} on ${STAND_IN}`, ours, theirs);
  assert.ok(n > 0);
  const arenas = result.plan.arenas.map((a) => `${a.memory} ${a.arenaBytes}`);
  const weightMemories = [...new Set(result.program.constants.map((c) => c.memory ?? 'FLASH'))].sort();
  console.log(`  ${file}: ${n} output bytes equal TFLM's; arenas ${arenas.join(', ')}; weights in ${weightMemories.join(', ')}`);
  return { memories: result.plan.arenas.map((a) => a.memory), weightMemories };
}

test('person_detect on the Disco stand-in: one arena in SRAM1 (the default plan), = TFLite Micro', () => {
  const r = runBoth('person_detect.tflite', 4100);
  assert.equal(r.memories, ['SRAM1']);
  assert.equal(r.weightMemories, ['FLASH']);
});

test('MobileNetV2-224 on the Disco stand-in: arenas in SRAM1, DTCM and SDRAM, weights in FLASH and QSPI, = TFLite Micro', () => {
  const r = runBoth(MOBILENET, 4200);
  assert.equal(r.memories, ['SRAM1', 'DTCM', 'SDRAM']);
  assert.equal(r.weightMemories, ['FLASH', 'QSPI']);
});

test('MobileNetV2-224 exports for stm32f746-disco and links: .arena_sdram in SDRAM, .weights_qspi in QSPI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-disco-'));
  try {
    const out = join(dir, 'mnv2');
    const r = utvm(['export', join(TFLM_MODELS, MOBILENET), '--board', 'stm32f746-disco', '-o', out]);
    assert.is(r.status, 0, r.stderr);
    const make = spawnSync('make', ['-C', out], { encoding: 'utf8' });
    assert.is(make.status, 0, make.stderr.slice(-2000));
    assert.not.match(make.stderr, /warning/);
    const elf = join(out, 'build', 'mobilenet_v2_quantized_1x3x224x224.elf');
    const h = spawnSync('arm-none-eabi-objdump', ['-h', elf], { encoding: 'utf8' }).stdout;
    const section = (s: string) => h.split('\n').find((l) => l.includes(` ${s} `))?.trim().split(/\s+/);
    const sdram = section('.arena_sdram');
    const qspi = section('.weights_qspi');
    assert.ok(sdram && qspi, h);
    assert.is(sdram[3], 'c0000000');
    assert.is(qspi[3], '90000000');
    assert.ok(parseInt(sdram[2], 16) >= 1605632, `SDRAM arena ${sdram[2]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
