/**
 * The STM32F746 boards (stm32f746-nucleo, stm32f746-disco): the CIFAR-10 sample exported for each builds
 * warning-free (-Werror) with Make and with CMake (arm-none-eabi-gcc), and each ELF is checked against
 * the board's board.json with arm-none-eabi-objdump/nm: the vector table first in flash at 0x08000000,
 * the initial SP at the top of the stack's memory, the reset vector odd (Thumb), in flash and equal to
 * Reset_Handler, the arena symbol in placement.arena, .data/.bss in placement.data, every region within
 * its size, the .bin exactly the flash image. And a model too big for the board is refused at export
 * with the memory and the overflow, leaving no folder. Needs the arm-none-eabi toolchain (CI installs it).
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CIFAR, ROOT, assertFails, sh, utvm } from '../util/cli.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';

interface Memory { name: string; origin: number; size: number; kind: string }
interface BoardJson { memories: Memory[]; placement: Record<string, string>; stackBytes: number }
interface Section { name: string; size: number; vma: number; lma: number; flags: string }

const BOARDS = ['stm32f746-nucleo', 'stm32f746-disco'];
const FLASH_ORIGIN = 0x08000000;
let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-stm32-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function boardJson(board: string): BoardJson {
  return JSON.parse(readFileSync(join(ROOT, 'boards', board, 'board.json'), 'utf8')) as BoardJson;
}

function region(b: BoardJson, role: string): Memory {
  const m = b.memories.find((x) => x.name === b.placement[role]);
  assert.ok(m, `placement.${role} names a memory`);
  return m!;
}

const inside = (m: Memory, start: number, size: number) => start >= m.origin && start + size <= m.origin + m.size;

/** Allocated sections of an ELF (objdump -h -w): name, size, VMA, LMA, flags. */
function sections(elf: string): Section[] {
  const r = sh('arm-none-eabi-objdump', ['-h', '-w', elf]);
  assert.is(r.status, 0, r.stderr);
  const out: Section[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+\S+\s+(.*)$/.exec(line);
    if (m && m[5].includes('ALLOC')) out.push({ name: m[1], size: parseInt(m[2], 16), vma: parseInt(m[3], 16), lma: parseInt(m[4], 16), flags: m[5] });
  }
  return out;
}

/** Symbol → [address, size] (nm -S). */
function symbols(elf: string): Map<string, [number, number]> {
  const r = sh('arm-none-eabi-nm', ['-S', elf]);
  assert.is(r.status, 0, r.stderr);
  const map = new Map<string, [number, number]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]+)(?:\s+([0-9a-f]+))?\s+\w\s+(\S+)$/.exec(line);
    if (m) map.set(m[3], [parseInt(m[1], 16), m[2] ? parseInt(m[2], 16) : 0]);
  }
  return map;
}

/** Builds `cmd` in `dir`; asserts success and no warning anywhere in the output. */
function build(what: string, cmd: string, args: string[], dir: string): string {
  const r = sh(cmd, args, dir);
  const text = `${r.stdout}\n${r.stderr}`;
  assert.is(r.status, 0, `${what} failed:\n${text}`);
  assert.not.match(text, /warning:/i, `${what} is warning-free:\n${text}`);
  return text;
}

function checkElf(board: string, elf: string, bin: string): void {
  const b = boardJson(board);
  const flash = b.memories.find((m) => m.kind === 'flash')!;
  assert.is(flash.origin, FLASH_ORIGIN);
  const secs = sections(elf);
  const loaded = secs.filter((s) => s.flags.includes('LOAD'));
  const inFlash = loaded.filter((s) => inside(flash, s.lma, s.size));
  assert.equal(loaded.map((s) => s.name), inFlash.map((s) => s.name), 'every loaded section has its load address in flash');

  // The vector table: first in flash, SP and reset vector from the .bin's first two words.
  const first = [...inFlash].sort((x, y) => x.lma - y.lma)[0];
  assert.is(first.name, '.isr_vector');
  assert.is(first.vma, FLASH_ORIGIN);
  const image = readFileSync(bin);
  const flashEnd = Math.max(...inFlash.map((s) => s.lma + s.size));
  assert.is(image.length, flashEnd - FLASH_ORIGIN, '.bin = the flash image from 0x08000000 to the end of .data');
  assert.is(statSync(bin).size, image.length);
  const sp = image.readUInt32LE(0);
  const reset = image.readUInt32LE(4);
  const stackMem = region(b, 'stack');
  assert.is(sp, stackMem.origin + stackMem.size, `initial SP 0x${sp.toString(16)} = the top of ${stackMem.name}`);
  assert.is(sp % 8, 0, 'SP 8-byte aligned');
  assert.is(reset & 1, 1, 'reset vector is a Thumb address');
  assert.ok(inside(flash, reset - 1, 2), `reset vector 0x${reset.toString(16)} in flash`);
  const syms = symbols(elf);
  assert.is(syms.get('Reset_Handler')?.[0], reset - 1, 'reset vector = Reset_Handler');

  // The arena in placement.arena; .data/.bss in placement.data; the stack reserve in placement.stack.
  const arena = syms.get('cifar10_arena');
  assert.ok(arena, 'cifar10_arena symbol');
  assert.is(arena![1], 163840, 'arena size');
  assert.ok(inside(region(b, 'arena'), arena![0], arena![1]), `arena at 0x${arena![0].toString(16)} in ${b.placement.arena}`);
  for (const name of ['.data', '.bss']) {
    const s = secs.find((x) => x.name === name);
    assert.ok(s, `${name} present`);
    assert.ok(inside(region(b, 'data'), s!.vma, s!.size), `${name} in ${b.placement.data}`);
  }
  const stack = secs.find((x) => x.name === '.stack');
  assert.ok(stack && stack.size === b.stackBytes && inside(stackMem, stack.vma, stack.size), 'stack reserve in its memory');

  // Totals: flash image and each RAM region within the chip.
  for (const m of b.memories) {
    const used = secs.filter((s) => inside(m, s.vma, s.size) || (m === flash && inside(flash, s.lma, s.size) && s.flags.includes('LOAD')));
    const bytes = used.reduce((n, s) => n + s.size, 0);
    assert.ok(bytes <= m.size, `${m.name}: ${bytes} of ${m.size} bytes`);
  }
}

for (const board of BOARDS) {
  test(`${board}: the CIFAR-10 firmware builds with Make and CMake, warning-free, and its ELF matches board.json`, () => {
    const out = join(scratch, board);
    const r = utvm(['export', CIFAR, '--board', board, '-o', out]);
    assert.is(r.status, 0, r.stderr);
    for (const f of ['board/linker.ld', 'board/startup.c', 'board/board.c', 'board/board.h', 'board/console.c', 'board/console.h', 'board/stm32f7_regs.h', 'board/board_config.h', 'cmake/arm-none-eabi.cmake', 'utvm_profile.h']) {
      assert.ok(existsSync(join(out, f)), `${f} exported`);
    }
    const makeLog = build('make', 'make', [], out);
    assert.match(makeLog, /SRAM1:\s+160 KB\s+240 KB/, 'size report per memory region');
    checkElf(board, join(out, 'build', 'cifar10.elf'), join(out, 'build', 'cifar10.bin'));

    build('cmake configure', 'cmake', ['-S', '.', '-B', 'cmake-build'], out);
    build('cmake build', 'cmake', ['--build', 'cmake-build'], out);
    checkElf(board, join(out, 'cmake-build', 'cifar10.elf'), join(out, 'cmake-build', 'cifar10.bin'));

    const profiled = join(scratch, `${board}-profiled`);
    assert.is(utvm(['export', CIFAR, '--board', board, '-o', profiled]).status, 0);
    build('make UTVM_PROFILE=1 UTVM_LOOP=1', 'make', ['UTVM_PROFILE=1', 'UTVM_LOOP=1'], profiled);
  });
}

test('the flash target (make and CMake) runs OpenOCD with the board config, or says how to install it', () => {
  const out = join(scratch, BOARDS[0]);
  assert.match(readFileSync(join(out, 'Makefile'), 'utf8'), /openocd -f board\/st_nucleo_f7\.cfg -c "program build\/cifar10\.elf verify reset exit"/);
  assert.match(readFileSync(join(ROOT, 'boards', BOARDS[1], 'board.json'), 'utf8'), /"openocd": "board\/stm32f7discovery\.cfg"/);
  if (sh('sh', ['-c', 'command -v openocd']).status === 0) return; // a machine with OpenOCD would try to flash a board
  for (const [cmd, args] of [['make', ['flash']], ['cmake', ['--build', 'cmake-build', '--target', 'flash']]] as const) {
    const r = sh(cmd, [...args], out);
    assert.is.not(r.status, 0, `${cmd} flash fails`);
    assert.match(r.stdout + r.stderr, /openocd is not installed: install it \(sudo apt-get install openocd\)/);
  }
});

function writeModel(name: string, m: OnnxModelBuilder): string {
  const path = join(scratch, `${name}.onnx`);
  writeFileSync(path, m.encode());
  return path;
}

test('an arena larger than SRAM1 is refused at export, with the memory and the overflow, and no folder', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 70000]);
  m.node('Relu', [x], {}, { name: 'relu', outputs: ['y'] });
  m.output('y', 'float32', [1, 70000]);
  const model = writeModel('big_arena', m);
  const out = join(scratch, 'big-arena-out');
  const r = utvm(['export', model, '--board', 'stm32f746-nucleo', '-o', out]);
  assertFails(r, 1, [
    "utvm-aot: error E_DOES_NOT_FIT: model 'big_arena' does not fit board 'stm32f746-nucleo': the arena needs 280000 bytes but SRAM1 has 245760 (over by 34240 bytes); " +
      "patch stages (--ram-budget 245760 by default, SRAM1's capacity) find no smaller arena",
  ]);
  assert.not.ok(existsSync(out), 'no output folder');
});

test('weights larger than the flash are refused at export on a board without QSPI, with the reserves spelled out, and no folder', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 300]);
  const w = m.initializer('w', 'float32', [300, 1000], new Float32Array(300 * 1000).fill(0.5));
  m.node('MatMul', [x, w], {}, { name: 'fc', outputs: ['y'] });
  m.output('y', 'float32', [1, 1000]);
  const model = writeModel('big_weights', m);
  const out = join(scratch, 'big-weights-out');
  const r = utvm(['export', model, '--board', 'stm32f746-nucleo', '-o', out]);
  const has = 1048576 - 65536; // no sample input given: main.c makes its fixed pattern at run time, no flash for it
  assertFails(r, 1, [
    `utvm-aot: error E_DOES_NOT_FIT: model 'big_weights' does not fit board 'stm32f746-nucleo': the weights need 1200000 bytes but FLASH has ${has} (over by ${1200000 - has} bytes; FLASH is 1048576 bytes, 65536 reserved for code)`,
  ]);
  assert.not.ok(existsSync(out), 'no output folder');
});

test.run();
