/**
 * The four MLPerf Tiny int8 models on the NUCLEO-F746ZG (stm32f746-nucleo): each compiles and passes the
 * export-time fit check (arena in SRAM1, weights in flash); each is also exported with the CLI
 * (`utvm-aot export <model> --board stm32f746-nucleo`, the issue's "done when" command) and built with
 * the generated Makefile (arm-none-eabi-gcc, -Werror), warning-free, and the linker's report of every
 * memory region is within its size (about a second per model). Figures are printed. Needs
 * arm-none-eabi-gcc (CI installs it).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { checkFit } from '../../src/emit/fit.js';
import { sh, utvm } from '../util/cli.js';
import { MODEL_KEYS, readModel, timed } from '../util/mlperf.js';

const BOARD = 'stm32f746-nucleo';

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-mlperf-stm32-'));
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface RegionUse {
  region: string;
  used: number;
  size: number;
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 * 1024, GB: 1024 * 1024 * 1024 };

/** The linker's --print-memory-usage lines: `  SRAM1:  54 KB  240 KB  22.50%`. */
function memoryUsage(log: string): RegionUse[] {
  return [...log.matchAll(/^\s*(\w+):\s+(\d+) (B|KB|MB|GB)\s+(\d+) (B|KB|MB|GB)\s+[\d.]+%/gm)].map((m) => ({
    region: m[1],
    used: Number(m[2]) * UNITS[m[3]],
    size: Number(m[4]) * UNITS[m[5]],
  }));
}

for (const key of MODEL_KEYS) {
  test(`${key}: compiles for ${BOARD} and fits (arena in SRAM, weights in flash)`, () => {
    const model = readModel(key, 'int8');
    const r = compile(model.bytes, model.fileName, { name: key, board: BOARD });
    const fit = checkFit(r.board, r.program)!;
    assert.ok(fit, 'the board has memories to check');
    assert.ok(r.program.arenaBytes <= fit.arenaAvailable && r.program.weightBytes <= fit.weightsAvailable);
    console.log(
      `  ${key} on ${BOARD}: arena ${r.program.arenaBytes} B (lower bound ${r.plan.lowerBound}) of ${fit.arenaAvailable} in ${fit.arenaMemory}; ` +
        `weights ${r.program.weightBytes} B of ${fit.weightsAvailable} in ${fit.weightsMemory}`,
    );
  });
}

for (const key of MODEL_KEYS) {
  test(`${key}: \`utvm-aot export --board ${BOARD}\` builds with make, warning-free, every memory region within its size`, () => {
    const model = readModel(key, 'int8');
    const out = join(scratch, key);
    const [exported, seconds] = timed(() => {
      const e = utvm(['export', model.path, '--board', BOARD, '--name', key, '-o', out]);
      assert.is(e.status, 0, e.stderr);
      const b = sh('make', ['-s'], out);
      assert.is(b.status, 0, `make failed:\n${b.stdout}\n${b.stderr}`);
      return `${b.stdout}\n${b.stderr}`;
    });
    assert.not.match(exported, /warning:/i, `the build is warning-free:\n${exported}`);
    const regions = memoryUsage(exported);
    assert.ok(regions.some((r) => r.region === 'FLASH'), `the link reports its memory use:\n${exported}`);
    for (const r of regions) assert.ok(r.used <= r.size, `${key}: ${r.region} uses ${r.used} of ${r.size} bytes`);
    const size = sh('arm-none-eabi-size', ['-A', join(out, 'build', `${key}.elf`)]);
    assert.is(size.status, 0, size.stderr);
    const section = (name: string) => Number(new RegExp(`^\\${name}\\s+(\\d+)`, 'm').exec(size.stdout)?.[1] ?? 0);
    const flash = section('.isr_vector') + section('.text') + section('.rodata') + section('.data');
    console.log(
      `  ${key} firmware for ${BOARD}: ${regions.map((r) => `${r.region} ${r.used} of ${r.size} B`).join(', ')}; ` +
        `flash image ≈ ${flash} B (.text ${section('.text')}, .rodata ${section('.rodata')}) (${seconds.toFixed(1)} s)`,
    );
  });
}

test.run();
