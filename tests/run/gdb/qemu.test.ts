/**
 * The GDB client against the real QEMU gdbstub: a tiny firmware built from the qemu-mps2-an500 board
 * files (startup.c, board.c, linker.ld) with arm-none-eabi-gcc, started halted (`-S -gdb tcp::PORT`);
 * the client reads the vector table, stops at main on a breakpoint, writes RAM that the firmware then
 * reads, and times 64 KB memory reads and writes. Needs arm-none-eabi-gcc and qemu-system-arm
 * (installed by scripts/setup.sh and in CI): never skipped.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../../src/diagnostics.js';
import { GdbClient } from '../../../src/run/gdb/client.js';
import { freePort } from '../../../src/run/gdb/connection.js';
import { repoRoot } from '../../../samples/cifar10/make-model.js';

const FIRMWARE = `#include <stdint.h>
volatile uint32_t gdb_buffer[64];
volatile uint32_t gdb_result;
int main(void)
{
    uint32_t s = 0;
    for (int i = 0; i < 64; i++) s += gdb_buffer[i] * (uint32_t)(i + 1);
    gdb_result = s;
    return 0;
}
`;

function buildFirmware(dir: string): { elf: string; symbols: Map<string, number> } {
  const board = join(repoRoot(), 'boards', 'qemu-mps2-an500');
  writeFileSync(join(dir, 'main.c'), FIRMWARE);
  const elf = join(dir, 'fw.elf');
  const flags = ['-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-sp-d16', '-mfloat-abi=hard', '-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', '-g'];
  execFileSync('arm-none-eabi-gcc', [...flags, '-nostartfiles', '-T', join(board, 'linker.ld'), '-I', join(repoRoot(), 'boards', 'common'), join(board, 'startup.c'), join(board, 'board.c'), join(dir, 'main.c'), '--specs=nano.specs', '--specs=nosys.specs', '-o', elf]);
  const symbols = new Map<string, number>();
  for (const line of execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]{8}) \w (\w+)$/.exec(line);
    if (m) symbols.set(m[2]!, parseInt(m[1]!, 16));
  }
  return { elf, symbols };
}


/** Connects while QEMU starts listening (up to 10 s). */
async function connectWhenUp(port: number): Promise<GdbClient> {
  const until = Date.now() + 10000;
  for (;;) {
    try {
      return await GdbClient.connect('127.0.0.1', port, { timeoutMs: 5000, runTimeoutMs: 20000 });
    } catch (e) {
      if (!(e instanceof UtvmError) || !/connection refused/.test(e.message) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('QEMU gdbstub: vector table, breakpoint on main, RAM read and write, 64 KB throughput', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-gdb-'));
  let qemu: ChildProcess | undefined;
  let gdb: GdbClient | undefined;
  try {
    const { elf, symbols } = buildFirmware(dir);
    const port = await freePort();
    qemu = spawn('qemu-system-arm', ['-M', 'mps2-an500', '-cpu', 'cortex-m7', '-nographic', '-monitor', 'none', '-serial', 'none', '-semihosting-config', 'enable=on,target=native', '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-kernel', elf], { stdio: 'ignore' });
    gdb = await connectWhenUp(port);
    assert.ok(gdb.packetSize >= 256, `PacketSize ${gdb.packetSize}`);

    // the vector table: the initial stack pointer (top of SSRAM2/3) and the reset vector (Thumb bit set)
    const table = await gdb.readMemory(0, 8);
    assert.is(table.readUInt32LE(0), 0x20400000);
    assert.is(table.readUInt32LE(4), symbols.get('Reset_Handler')! | 1);
    const reset = await gdb.readRegisters();
    assert.is(reset.r[15], symbols.get('Reset_Handler')!, 'halted at the reset handler');
    assert.is(reset.r[13], 0x20400000);
    assert.is(reset.xpsr & 0x01000000, 0x01000000, 'the Thumb bit of xPSR');

    // write RAM before the program reads it (after the reset handler zeroes .bss: stop at main first)
    const main = symbols.get('main')!;
    await gdb.setBreakpoint('hardware', main);
    const stop = await gdb.continue();
    assert.equal(stop.kind === 'signal' && [stop.signal, stop.pc], [5, main]);
    await gdb.removeBreakpoint('hardware', main);
    const buffer = symbols.get('gdb_buffer')!;
    const values = Buffer.alloc(256);
    let expected = 0;
    for (let i = 0; i < 64; i++) {
      const v = (0x01010101 * (i + 1) + (i << 24)) >>> 0;
      values.writeUInt32LE(v, i * 4);
      expected = (expected + Math.imul(v, i + 1)) >>> 0;
    }
    values[7] = 0x23; // '#', '$', '}', '*': escaped in the binary write
    values[8] = 0x24;
    values[9] = 0x7d;
    values[10] = 0x2a;
    expected = 0;
    for (let i = 0; i < 64; i++) expected = (expected + Math.imul(values.readUInt32LE(i * 4), i + 1)) >>> 0;
    await gdb.writeMemory(buffer, values);
    assert.equal(await gdb.readMemory(buffer, 256), values);

    // run to the exit call with a software breakpoint: the firmware's sum of what the client wrote
    await gdb.setBreakpoint('software', symbols.get('board_exit')!);
    const atExit = await gdb.continue();
    assert.equal(atExit.kind === 'signal' && atExit.pc, symbols.get('board_exit')!);
    assert.is((await gdb.readMemory(symbols.get('gdb_result')!, 4)).readUInt32LE(0), expected);
    assert.is(await gdb.readRegister('r0'), 0, "main's return value, board_exit's argument");
    await gdb.writeRegister('r0', 0x12345678);
    assert.is(await gdb.readRegister('r0'), 0x12345678);
    const stepped = await gdb.step();
    assert.ok(stepped.kind === 'signal' && stepped.pc !== symbols.get('board_exit')!, 'one instruction later');

    // 64 KB of PSRAM: write then read back, timed
    const block = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 31 + (i >> 9)) & 0xff));
    let t = process.hrtime.bigint();
    await gdb.writeMemory(0x60000000, block);
    const writeMs = Number(process.hrtime.bigint() - t) / 1e6;
    const readMs: number[] = [];
    for (let k = 0; k < 3; k++) {
      t = process.hrtime.bigint();
      const back = await gdb.readMemory(0x60000000, 65536);
      readMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      assert.equal(back, block);
    }
    const best = Math.min(...readMs);
    console.log(`QEMU gdbstub, PacketSize ${gdb.packetSize}: 64 KB read ${best.toFixed(1)} ms (${(0.065536 / (best / 1000)).toFixed(2)} MB/s, best of 3), 64 KB write ${writeMs.toFixed(1)} ms (${(0.065536 / (writeMs / 1000)).toFixed(2)} MB/s)`);
    await gdb.kill();
  } finally {
    await gdb?.close();
    qemu?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
