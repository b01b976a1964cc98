/**
 * A GDB server that misbehaves gives one line (UtvmError, E_TARGET) naming what happened, within the
 * time limit: nothing listening, a server that never answers, stops answering mid-run, closes the
 * socket, sends garbage or keeps corrupting packets. No hang, no unhandled rejection, and every call
 * after the failure fails at once with the same error.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../../src/diagnostics.js';
import { GdbClient } from '../../../src/run/gdb/client.js';
import { freePort } from '../../../src/run/gdb/connection.js';
import { FakeGdbServer, type FakeGdbOptions } from '../../util/fake-gdb-server.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

const LIMIT = 300;

async function failure(p: Promise<unknown>, within = 3 * LIMIT): Promise<UtvmError> {
  const start = Date.now();
  try {
    await p;
  } catch (e) {
    assert.instance(e, UtvmError);
    const err = e as UtvmError;
    assert.is(err.code, 'E_TARGET');
    assert.is(err.exitCode, 1);
    assert.not.match(err.message, /\n/);
    assert.ok(Date.now() - start < within, `failed after ${Date.now() - start} ms`);
    return err;
  }
  throw new Error('expected a failure');
}

async function withFake(options: FakeGdbOptions, body: (fake: FakeGdbServer, where: string) => Promise<void>): Promise<void> {
  const fake = await FakeGdbServer.start(options);
  try {
    await body(fake, `127.0.0.1:${fake.port}`);
  } finally {
    await fake.close();
  }
}

function connect(fake: FakeGdbServer): Promise<GdbClient> {
  return GdbClient.connect('127.0.0.1', fake.port, { timeoutMs: LIMIT, runTimeoutMs: LIMIT });
}


test('refused connection', async () => {
  const port = await freePort();
  const e = await failure(GdbClient.connect('127.0.0.1', port, { timeoutMs: LIMIT }));
  assert.is(e.message, `cannot connect to the GDB server at 127.0.0.1:${port}: connection refused: is the GDB server running, on that port?`);
});

test('a server that accepts but never answers', async () => {
  await withFake({ handle: () => null }, async (fake, where) => {
    const e = await failure(connect(fake));
    assert.is(e.message, `the GDB server at ${where} did not answer within ${LIMIT} ms while the client waited for the reply to 'qSupported:swbreak+;hwbreak+;vContSuppor…'`);
  });
});

test('a server that stops answering mid-run', async () => {
  let reads = 0;
  await withFake({ handle: (p) => (p.startsWith('m') && ++reads > 3 ? null : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.readMemory(0x20000000, 8192)); // 4 packets: the fourth is never answered
    const fourth = (0x20000000 + 3 * 0x7fe).toString(16);
    assert.is(e.message, `the GDB server at ${where} did not answer within ${LIMIT} ms while the client waited for the reply to 'm${fourth},7fe'`);
    const again = await failure(gdb.readRegisters(), 50);
    assert.is(again, e, 'later calls fail at once with the same error');
  });
  await withFake({}, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.continue()); // no breakpoint: the target runs on
    assert.is(e.message, `the GDB server at ${where} did not answer within ${LIMIT} ms while the client waited for the target to stop after 'c'`);
  });
  await withFake({ handle: (p) => (p === 'c' ? null : undefined) }, async (fake, where) => {
    const gdb = await GdbClient.connect('127.0.0.1', fake.port, { timeoutMs: LIMIT, runTimeoutMs: 10000 });
    const run = gdb.continue();
    run.catch(() => undefined);
    fake.options.handle = () => null;
    // the fake ignores the interrupt: nothing stops the target
    (fake as unknown as { running: boolean }).running = false;
    const e = await failure(gdb.interrupt(), 3 * LIMIT);
    assert.is(e.message, `the GDB server at ${where} did not stop the target within ${LIMIT} ms of the interrupt (0x03) while the client waited for the target to stop after 'c'`);
    assert.is(await failure(run, 50), e);
  });
});

test('a server that closes the socket', async () => {
  await withFake({ handle: (p, _r, s) => (p === 'c' ? (s.dropConnection(), null) : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.continue());
    assert.is(e.message, `the GDB server at ${where} closed the connection while the client waited for the target to stop after 'c'`);
  });
  await withFake({ handle: (p, _r, s) => (p.startsWith('qSupported') ? (s.dropConnection(), null) : undefined) }, async (fake, where) => {
    const e = await failure(connect(fake));
    assert.match(e.message, new RegExp(`^the GDB server at ${where} closed the connection while the client waited for the reply to 'qSupported`));
  });
});

test('garbage bytes, malformed replies, endless bad checksums', async () => {
  await withFake({ handle: (p, _r, s) => (p.startsWith('m') ? (s.sendRaw('hello\n'), null) : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.readMemory(0, 4));
    assert.is(e.message, `the GDB server at ${where} sent bytes that are not a packet (0x68) while the client waited for the reply to 'm0,4'`);
  });
  await withFake({ handle: (p) => (p.startsWith('m') ? 'zz' : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.readMemory(0, 4));
    assert.is(e.message, `the GDB server at ${where} answered 'm0,4' with 'zz', not up to 4 bytes of hex`);
  });
  await withFake({ handle: (p) => (p === 'c' ? 'Q99' : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.continue());
    assert.is(e.message, `the GDB server at ${where} answered 'c' with 'Q99', not a stop reply while the client waited for the target to stop after 'c'`);
  });
  await withFake({ handle: (p, _r, s) => (p.startsWith('m') ? (s.sendRaw('$OK#00'), null) : undefined) }, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.readMemory(0, 4));
    assert.is(e.message, `the GDB server at ${where} sent a packet with a bad checksum (in no-acknowledgement mode it cannot be asked for again) while the client waited for the reply to 'm0,4'`);
  });
  const bad = { noAck: false, handle: (p: string, _r: Buffer, s: FakeGdbServer) => (p.startsWith('m') ? (s.sendRaw('$OK#00$OK#00$OK#00$OK#00'), null) : undefined) };
  await withFake(bad, async (fake, where) => {
    const gdb = await connect(fake);
    const e = await failure(gdb.readMemory(0, 4));
    assert.is(e.message, `the GDB server at ${where} sent 4 packets with bad checksums in a row while the client waited for the reply to 'm0,4'`);
  });
  await withFake({ noAck: false }, async (fake, where) => {
    const gdb = await connect(fake);
    fake.nakCount(10);
    const e = await failure(gdb.readMemory(0, 4));
    assert.is(e.message, `the GDB server at ${where} refused 'm0,4' 4 times (answered '-': bad checksum) while the client waited for the acknowledgement of 'm0,4'`);
  });
  await withFake({}, async (fake, where) => {
    const gdb = await connect(fake);
    fake.reply('T05'); // a stop reply nobody asked for
    await new Promise((r) => setTimeout(r, 200));
    const e = await failure(gdb.readMemory(0, 4), 50);
    assert.is(e.message, `the GDB server at ${where} sent a packet nobody asked for ('T05')`);
  });
});

test('no unhandled rejections', async () => {
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(unhandled, []);
});

test.run();
