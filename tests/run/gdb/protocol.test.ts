/**
 * The GDB Remote Serial Protocol client against the fake GDB server (tests/util/fake-gdb-server.ts):
 * framing, checksums and retransmission, no-ack mode, memory reads and writes split by the packet size,
 * binary X escapes, run-length encoded replies, registers, breakpoints and run control, flash.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../../src/diagnostics.js';
import { GdbClient } from '../../../src/run/gdb/client.js';
import { writeFlash } from '../../../src/run/gdb/flash.js';
import { checksum, escape, frame, unescape } from '../../../src/run/gdb/packet.js';
import { parseMemoryMap, parseStop } from '../../../src/run/gdb/replies.js';
import { FakeGdbServer, type FakeGdbOptions, encodeReply } from '../../util/fake-gdb-server.js';

process.on('unhandledRejection', (e) => {
  console.error('unhandled rejection:', e);
  process.exit(1);
});

async function session<T>(options: FakeGdbOptions, body: (gdb: GdbClient, fake: FakeGdbServer) => Promise<T>): Promise<T> {
  const fake = await FakeGdbServer.start(options);
  const gdb = await GdbClient.connect('127.0.0.1', fake.port, { timeoutMs: 2000, runTimeoutMs: 2000 });
  try {
    return await body(gdb, fake);
  } finally {
    await gdb.close();
    await fake.close();
  }
}

/** Bytes 0..255 repeated: every value, the four escaped ones among them. */
function pattern(n: number, seed = 7): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + (i >> 8)) & 0xff));
}

async function rejects(p: Promise<unknown>): Promise<UtvmError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, UtvmError);
    return e as UtvmError;
  }
  throw new Error('expected a rejection');
}

test('framing: checksums, escapes and run-length decoding', () => {
  assert.is(frame('g').toString('latin1'), '$g#67');
  assert.is(frame('?').toString('latin1'), '$?#3f');
  assert.is(frame('OK').toString('latin1'), '$OK#9a');
  assert.is(checksum(Buffer.from('m0,4')), (0x6d + 0x30 + 0x2c + 0x34) & 0xff);
  assert.equal([...escape(Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x41]))], [0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x41]);
  assert.equal(unescape(Buffer.from('0* ')), Buffer.from('0000')); // ' ' = 32: 3 more
  assert.equal(unescape(Buffer.from('a*"b')), Buffer.from('aaaaaab')); // '"' = 34: 5 more
  assert.equal(unescape(Buffer.from('}]x')), Buffer.from('}x'));
  assert.type(unescape(Buffer.from('*!')), 'string');
  assert.type(unescape(Buffer.from('ab}')), 'string');
  // the fake's encoder and the client's decoder agree on every run length, escaped bytes among them
  for (let n = 1; n <= 200; n++) {
    const data = Buffer.concat([Buffer.from('x'), Buffer.alloc(n, 0x30), Buffer.from('#}'), Buffer.alloc(n, 0x66)]);
    assert.equal(unescape(encodeReply(data, true)), data, `run of ${n}`);
  }
});

test('stop replies and memory maps parse', () => {
  assert.equal(parseStop('W00'), { kind: 'exited', code: 0 });
  assert.equal(parseStop('X0b'), { kind: 'terminated', signal: 11 });
  const t = parseStop('T050d:00800020;0f:00040000;swbreak:;thread:1;');
  assert.ok(t && t.kind === 'signal');
  if (t?.kind === 'signal') {
    assert.is(t.pc, 0x400);
    assert.is(t.registers.get(13), 0x20008000);
    assert.is(t.reason, 'swbreak');
  }
  assert.is(parseStop('OK'), null);
  assert.is(parseStop('S05junk'), null);
  const map = parseMemoryMap('<memory-map><memory type="flash" start="0x8000000" length="0x100000"><property name="blocksize">0x8000</property></memory><memory type="ram" start="0x20000000" length="0x50000"/></memory-map>');
  assert.equal(map, [
    { type: 'flash', start: 0x8000000, length: 0x100000, blockSize: 0x8000 },
    { type: 'ram', start: 0x20000000, length: 0x50000 },
  ]);
  assert.type(parseMemoryMap('<memory type="flash" start="0" length="16"/>'), 'string');
});

test('qSupported: packet size and no-ack mode', async () => {
  await session({ packetSize: 0x240 }, async (gdb, fake) => {
    assert.is(gdb.packetSize, 0x240);
    assert.ok(gdb.supports('QStartNoAckMode'));
    assert.is(fake.packets[0]!.startsWith('qSupported:'), true);
    assert.is(fake.packets[1], 'QStartNoAckMode');
    assert.equal(await gdb.readMemory(0x20000000, 4), Buffer.alloc(4));
    assert.is(fake.acksReceived, 2, "the client acknowledged qSupported's and QStartNoAckMode's replies");
    await gdb.readMemory(0x20000000, 4);
    assert.is(fake.acksReceived, 2, 'no acknowledgements after QStartNoAckMode');
  });
  await session({ noAck: false }, async (gdb, fake) => {
    assert.not.ok(gdb.supports('QStartNoAckMode'));
    await gdb.readMemory(0, 4);
    await gdb.readMemory(0, 4);
    await gdb.readMemory(0, 4);
    // the '+' for a reply goes out before the next command, so the first reads' are in by now
    assert.ok(fake.acksReceived >= 3, `qSupported's and the reads' replies acknowledged (${fake.acksReceived})`);
    assert.not.ok(fake.packets.includes('QStartNoAckMode'));
  });
});

test('the target description is read on connect, in pieces (QEMU answers p/P only after)', async () => {
  const xml = `<?xml version="1.0"?><target><architecture>arm</architecture>${'<feature name="org.gnu.gdb.arm.m-profile"/>'.repeat(5)}</target>`;
  await session({ targetXml: xml }, async (gdb, fake) => {
    assert.is(gdb.targetXml, xml);
    assert.is(fake.packets.filter((p) => p.startsWith('qXfer:features:read:target.xml:')).length, Math.ceil(xml.length / 50));
  });
  await session({}, async (gdb, fake) => {
    assert.is(gdb.targetXml, null);
    assert.not.ok(fake.packets.some((p) => p.startsWith('qXfer')));
  });
});

test('checksum errors: a corrupt reply is asked for again, a refused packet sent again', async () => {
  await session({ noAck: false, corruptReplies: 2 }, async (gdb, fake) => {
    fake.writeBytes(0x20000000, Buffer.from([1, 2, 3, 4]));
    assert.equal(await gdb.readMemory(0x20000000, 4), Buffer.from([1, 2, 3, 4]));
    assert.is(fake.naksReceived, 2, "one '-' per corrupt reply (qSupported's and m's)");
    assert.is(fake.badChecksums, 0, 'every packet the client sent had a correct checksum');
  });
  await session({ noAck: false, nakPackets: 2 }, async (gdb, fake) => {
    // qSupported was refused twice and sent three times
    assert.equal(fake.packets.slice(0, 3).map((p) => p.slice(0, 10)), ['qSupported', 'qSupported', 'qSupported']);
    fake.nakCount(2);
    await gdb.writeMemory(0x20000010, Buffer.from([9, 8]));
    assert.equal(fake.readBytes(0x20000010, 2), Buffer.from([9, 8]));
  });
});

test('large memory reads and writes are split by PacketSize', async () => {
  await session({ packetSize: 0x200 }, async (gdb, fake) => {
    const data = pattern(65536);
    const before = fake.packets.length;
    await gdb.writeMemory(0x20010000, data);
    const writes = fake.packets.slice(before);
    assert.ok(writes.every((p) => p.length + 4 <= 0x200), 'every packet within PacketSize');
    assert.ok(writes.filter((p) => p.startsWith('X') && !p.endsWith(',0:')).length >= 65536 / 0x200, `${writes.length} packets`);
    assert.equal(fake.readBytes(0x20010000, 65536), data);
    const mark = fake.packets.length;
    assert.equal(await gdb.readMemory(0x20010000, 65536), data);
    const reads = fake.packets.slice(mark);
    assert.is(reads.length, Math.ceil(65536 / Math.floor((0x200 - 4) / 2)));
    assert.ok(reads.every((p) => /^m[0-9a-f]+,[0-9a-f]+$/.test(p)));
  });
});

test('binary X writes escape # $ } *; M when X is not supported', async () => {
  const special = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0x03, 0x2b, 0x2d, 0xff, 0x23, 0x23]);
  await session({}, async (gdb, fake) => {
    await gdb.writeMemory(0x20000100, special);
    const x = fake.packets.find((p) => /^X20000100,b:/.test(p));
    assert.ok(x, 'one X packet');
    assert.equal(fake.readBytes(0x20000100, special.length), special);
    assert.equal(await gdb.readMemory(0x20000100, special.length), special);
  });
  await session({ binary: false, packetSize: 0x80 }, async (gdb, fake) => {
    const data = pattern(1000, 13);
    await gdb.writeMemory(0x20000200, data);
    assert.ok(fake.packets.some((p) => p.startsWith('M20000200,')));
    assert.ok(fake.packets.filter((p) => p.startsWith('M')).every((p) => p.length + 4 <= 0x80));
    assert.equal(fake.readBytes(0x20000200, 1000), data);
  });
});

test('run-length encoded replies', async () => {
  await session({ rle: true }, async (gdb, fake) => {
    const data = Buffer.concat([Buffer.alloc(300), Buffer.from([1, 1, 1, 1, 1, 1, 1, 1, 0x2a, 0x2a]), Buffer.alloc(77, 0xee)]);
    fake.writeBytes(0x20000400, data);
    assert.equal(await gdb.readMemory(0x20000400, data.length), data);
    fake.registers[3] = 0x11111111;
    const regs = await gdb.readRegisters();
    assert.is(regs.r[3], 0x11111111);
    assert.is(regs.r[0], 0);
  });
});

test('registers: g, p, P (little-endian hex), r0–r15 and xPSR', async () => {
  await session({}, async (gdb, fake) => {
    fake.registers.splice(0, 16, ...Array.from({ length: 16 }, (_, i) => (0x01020304 * (i + 1)) >>> 0));
    fake.registers[25] = 0x61000000;
    const regs = await gdb.readRegisters();
    assert.equal(regs.r, fake.registers.slice(0, 16));
    assert.is(regs.xpsr, 0x61000000);
    await gdb.writeRegister('pc', 0x00000c41);
    await gdb.writeRegister('r7', 0xdeadbeef);
    assert.ok(fake.packets.includes('Pf=410c0000'));
    assert.is(fake.registers[7], 0xdeadbeef);
    assert.is(await gdb.readRegister('r7'), 0xdeadbeef);
    assert.is(await gdb.readRegister('xpsr'), 0x61000000);
    assert.throws(() => gdb.readRegister('r16'), /unknown register 'r16'/);
  });
});

test('breakpoints, continue to a T05 stop, step, console output, interrupt, exit', async () => {
  const output: string[] = [];
  const fake = await FakeGdbServer.start({
    handle: (p, _raw, server) => {
      if (p === 'c' && server.breakpoints.size > 0 && !output.length) server.reply(`O${Buffer.from('hello\n').toString('hex')}`);
      return undefined;
    },
  });
  const gdb = await GdbClient.connect('127.0.0.1', fake.port, { timeoutMs: 2000, onOutput: (t) => output.push(t) });
  await gdb.setBreakpoint('software', 0x00000501); // a Thumb symbol: bit 0 set
  await gdb.setBreakpoint('hardware', 0x00000800);
  assert.ok(fake.packets.includes('Z0,500,2') && fake.packets.includes('Z1,800,2'));
  let stop = await gdb.continue();
  assert.equal(output, ['hello\n']);
  assert.is(stop.kind, 'signal');
  if (stop.kind === 'signal') assert.equal([stop.signal, stop.pc, stop.reason], [5, 0x500, 'swbreak']);
  stop = await gdb.continue();
  if (stop.kind === 'signal') assert.equal([stop.pc, stop.reason], [0x800, 'hwbreak']);
  stop = await gdb.step();
  assert.equal(stop.kind === 'signal' && [stop.signal, stop.pc], [5, 0x802], 'the pc comes from p f after an S reply');
  await gdb.removeBreakpoint('software', 0x500);
  await gdb.removeBreakpoint('hardware', 0x800);
  assert.is(fake.breakpoints.size, 0);
  const running = gdb.continue();
  await new Promise((r) => setTimeout(r, 50));
  stop = await gdb.interrupt();
  assert.is(fake.interrupts, 1);
  assert.equal(stop.kind === 'signal' && stop.signal, 2);
  assert.equal(await running, stop);
  stop = await gdb.interrupt(); // stopped already: '?'
  assert.equal(stop.kind === 'signal' && stop.signal, 5);
  await gdb.close();
  await fake.close();
  await session({ handle: (p) => (p === 'c' ? 'W03' : undefined) }, async (g) => {
    assert.equal(await g.continue(), { kind: 'exited', code: 3 });
  });
});

test('E NN and empty replies fail the command, not the connection', async () => {
  await session({ handle: (p) => (p.startsWith('Z1') ? '' : undefined) }, async (gdb) => {
    const e = await rejects(gdb.readMemory(0xf0000000, 4));
    assert.match(e.message, /^the GDB server at 127\.0\.0\.1:\d+ refused 'mf0000000,4' \(memory reads \(m\)\): error 01$/);
    assert.is(e.code, 'E_TARGET');
    const u = await rejects(gdb.setBreakpoint('hardware', 0x400));
    assert.match(u.message, /does not support hardware breakpoints \(Z1\)$/);
    assert.equal(await gdb.readMemory(0, 2), Buffer.alloc(2));
  });
});

test('flash: memory map, vFlashErase on block boundaries, vFlashWrite, vFlashDone', async () => {
  await session({ packetSize: 0x100, flash: { start: 0x08000000, length: 0x100000, blockSize: 0x4000 } }, async (gdb, fake) => {
    const data = pattern(0x5000, 3);
    await writeFlash(gdb, 0x08003000, data);
    assert.equal(fake.flashErased, [[0x08000000, 0x8000]]);
    assert.is(fake.flashDone, 1);
    assert.equal(fake.readBytes(0x08003000, data.length), data);
    assert.is(fake.readBytes(0x08002fff, 1)[0], 0xff);
    assert.ok(fake.packets.filter((p) => p.startsWith('vFlashWrite')).length > 0x5000 / 0x100);
    const e = await rejects(writeFlash(gdb, 0x20000000, data));
    assert.match(e.message, /is not inside one flash region/);
  });
  await session({}, async (gdb) => {
    const e = await rejects(writeFlash(gdb, 0, Buffer.from([1])));
    assert.match(e.message, /offers no memory map/);
  });
});

test('detach and kill', async () => {
  await session({}, async (gdb, fake) => {
    await gdb.detach();
    assert.is(fake.packets.at(-1), 'D');
    const e = await rejects(gdb.readMemory(0, 4));
    assert.match(e.message, /^the connection to the GDB server at 127\.0\.0\.1:\d+ is closed$/);
  });
  await session({}, async (gdb, fake) => {
    await gdb.kill();
    await new Promise((r) => setTimeout(r, 20));
    assert.is(fake.packets.at(-1), 'k');
  });
});

test.run();
