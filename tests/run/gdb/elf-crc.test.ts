/**
 * The pieces of `--target gdb` that need no process: GDB's qCRC checksum (CRC-32/MPEG-2's check value),
 * the `--target gdb…` syntax, and the ELF reader on files that are not what it expects (one E_BUILD line).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../../src/diagnostics.js';
import { readElf } from '../../../src/run/gdb/elf.js';
import { gdbCrc32 } from '../../../src/run/gdb/session.js';
import { parseGdbTarget } from '../../../src/run/gdb/target.js';

test('gdbCrc32: the CRC of qCRC (polynomial 0x04C11DB7, MSB first, initial 0xFFFFFFFF, no final xor)', () => {
  assert.is(gdbCrc32(Buffer.from('123456789', 'latin1')), 0x0376e6e7);
  assert.is(gdbCrc32(new Uint8Array(0)), 0xffffffff);
});

test('parseGdbTarget: gdb, gdb:PORT, gdb:HOST:PORT, [IPv6]:PORT; other targets are not gdb ones', () => {
  assert.equal(parseGdbTarget('gdb'), { host: 'localhost', port: 3333 });
  assert.equal(parseGdbTarget('gdb:4242'), { host: 'localhost', port: 4242 });
  assert.equal(parseGdbTarget('gdb:192.168.1.7:3333'), { host: '192.168.1.7', port: 3333 });
  assert.equal(parseGdbTarget('gdb:[::1]:3333'), { host: '::1', port: 3333 });
  assert.is(parseGdbTarget('qemu'), undefined);
  assert.is(parseGdbTarget('gdbx'), undefined);
  for (const bad of ['gdb:', 'gdb:host', 'gdb:0', 'gdb:h:70000', 'gdb:a b:1', 'gdb:h:1:2']) {
    assert.throws(() => parseGdbTarget(bad), (e: unknown) => e instanceof UtvmError && e.code === 'E_USAGE' && e.message === `--target '${bad}': expected gdb, gdb:PORT or gdb:HOST:PORT (e.g. gdb:localhost:3333)`);
  }
});

function elfHeader(): Buffer {
  const b = Buffer.alloc(52);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(40, 18); // EM_ARM
  return b;
}

test('readElf: a file that is not a 32-bit little-endian ARM executable, or whose tables lie outside it', () => {
  const fails = (bytes: Uint8Array, why: string) =>
    assert.throws(() => readElf(bytes), (e: unknown) => e instanceof UtvmError && e.code === 'E_BUILD' && e.message === `the firmware's ELF file is not a 32-bit little-endian ARM executable: ${why}`);
  fails(new Uint8Array(10), 'the header lies outside the file');
  fails(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(60)]), 'no ELF magic');
  const wrongMachine = elfHeader();
  wrongMachine.writeUInt16LE(62, 18);
  fails(wrongMachine, 'machine 62 is not ARM (40)');
  const phOutside = elfHeader();
  phOutside.writeUInt32LE(1000, 28);
  phOutside.writeUInt16LE(32, 42);
  phOutside.writeUInt16LE(1, 44);
  fails(phOutside, 'the program headers lie outside the file');
  const empty = readElf(elfHeader());
  assert.equal(empty.segments, []);
  assert.is(empty.symbols.size, 0);
  assert.is(empty.functionAt(0), undefined);
});

test.run();
