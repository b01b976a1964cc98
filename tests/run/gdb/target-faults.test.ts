/**
 * `--target gdb` when things go wrong: one line (E_TARGET, exit 1) naming what happened, within the time
 * limit, never a hang — a GDB server that refuses the connection, one that stops answering in the middle
 * of a run (a fake server: a proxy in front of QEMU's gdbstub that goes silent after the firmware is
 * started), a firmware that crashes (a real HardFault: the model's run function overwritten with an
 * undefined instruction through the debug link), a firmware of another build on the board (--no-load),
 * and the usage errors of the gdb options.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, patternInput } from '../../../src/compile.js';
import { UtvmError } from '../../../src/diagnostics.js';
import { loadBoard } from '../../../src/emit/boards.js';
import { toBytes } from '../../../src/io/tensor-value.js';
import { freePort } from '../../../src/run/gdb/connection.js';
import { type LaunchedEmulator, launchEmulator } from '../../../src/run/gdb/launch.js';
import { runOnGdb } from '../../../src/run/gdb/target.js';
import { assertFails, linesOf, utvm } from '../../util/cli.js';
import { readModel } from '../../util/mlperf.js';

const kws = readModel('kws', 'int8');
const compiled = compile(kws.bytes, kws.fileName, { name: 'kws', board: 'qemu-mps2-an500', hostDriven: true });
const pattern = compiled.program.inputs.map((t) => patternInput(t.dtype, t.shape));

async function failure(p: Promise<unknown>, withinMs: number): Promise<UtvmError> {
  const start = Date.now();
  try {
    await p;
  } catch (e) {
    if (!(e instanceof UtvmError)) throw e;
    assert.is(e.code, 'E_TARGET');
    assert.is(e.exitCode, 1);
    assert.not.match(e.message, /\n/);
    assert.ok(Date.now() - start < withinMs, `failed after ${Date.now() - start} ms`);
    return e;
  }
  throw new Error('expected a failure');
}


/**
 * A fake GDB server in front of a real one: passes every byte both ways until the client has sent
 * `silentAfter` continue packets ('$c#63'), then swallows everything the real server says.
 */
class SilentProxy {
  private constructor(
    readonly server: Server,
    readonly port: number,
    private readonly sockets: Socket[],
  ) {}

  static start(upstreamPort: number, silentAfter: number): Promise<SilentProxy> {
    const sockets: Socket[] = [];
    const server = createServer((client) => {
      const upstream = connect(upstreamPort, '127.0.0.1');
      sockets.push(client, upstream);
      let continues = 0;
      client.on('data', (d: Buffer) => {
        continues += d.toString('latin1').split('$c#63').length - 1;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        if (continues < silentAfter) client.write(d);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(new SilentProxy(server, typeof a === 'object' && a ? a.port : 0, sockets));
      });
    });
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

test('a GDB server that refuses the connection: one line, exit 1, no output file', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'utvm-gdbf-'));
  try {
    const input = join(dir, 'in.bin');
    const output = join(dir, 'out.bin');
    writeFileSync(input, toBytes(pattern[0]));
    const r = utvm(['run', kws.path, '--target', `gdb:127.0.0.1:${port}`, '--board', 'qemu-mps2-an500', '--input', input, '--output', output]);
    assert.is(r.status, 1, r.stderr);
    const lines = linesOf(r.stderr);
    assert.is(lines[lines.length - 1], `utvm-aot: error E_TARGET: cannot connect to the GDB server at 127.0.0.1:${port}: connection refused: is the GDB server running, on that port?`);
    assert.ok(lines.slice(0, -1).every((l) => /^utvm-aot: (building|loading|starting)/.test(l)), r.stderr);
    assert.not.ok(existsSync(output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a GDB server that stops answering in the middle of a run: one line within the time limit', async () => {
  let emulator: LaunchedEmulator | undefined;
  let proxy: SilentProxy | undefined;
  try {
    emulator = await launchEmulator(loadBoard('qemu-mps2-an500'));
    await new Promise((r) => setTimeout(r, 300)); // its gdbstub listens a moment after it starts
    // continue 1 starts the firmware (to host_wait), continue 2 runs case 1: the proxy goes silent there
    proxy = await SilentProxy.start(emulator.port, 2);
    const e = await failure(runOnGdb(compiled, [pattern, pattern], { host: '127.0.0.1', port: proxy.port, load: true }, { timeoutMs: 1000, runTimeoutMs: 2000 }), 10000);
    assert.is(e.message, `the GDB server at 127.0.0.1:${proxy.port} did not answer within 1000 ms while the client waited for the acknowledgement of 'c'`);
  } finally {
    proxy?.close();
    emulator?.stop();
  }
});

test('a firmware that crashes: the exception, the faulting instruction and its function, in one line', async () => {
  let run = 0;
  const start = Date.now();
  const e = await failure(
    runOnGdb(compiled, [pattern], { host: '', port: 0, launch: 'qemu', load: true }, {
      afterStart: async (gdb, elf) => {
        run = elf.symbols.get('kws_run')!.address;
        await gdb.writeMemory(run, Buffer.from([0x00, 0xde])); // UDF #0: permanently undefined
      },
    }),
    30000,
  );
  const at = `0x${run.toString(16).padStart(8, '0')}`;
  assert.is(e.message, `the firmware crashed running case 1 of 1: HardFault (escalated): undefined instruction at ${at} (kws_run) (CFSR 0x00010000, HFSR 0x40000000)`);
  assert.ok(Date.now() - start < 30000);
});

test('--no-load on a board running another build: refused before anything runs', async () => {
  const other = compile(kws.bytes, kws.fileName, { name: 'kws', board: 'qemu-mps2-an500', hostDriven: true, rounding: 'onnx' });
  let emulator: LaunchedEmulator | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'utvm-gdbf-'));
  try {
    // QEMU holds the onnx-rounding build; the session expects the tflite one
    const { buildFirmware } = await import('../../../src/run/qemu.js');
    const { writeFileMap } = await import('../../../src/io/files.js');
    writeFileMap(dir, other.files);
    emulator = await launchEmulator(loadBoard('qemu-mps2-an500'), buildFirmware(dir, 'kws'));
    await new Promise((r) => setTimeout(r, 300));
    const e = await failure(runOnGdb(compiled, [pattern], { host: '127.0.0.1', port: emulator.port, load: false }), 5000);
    assert.match(e.message, /^the firmware on the target is not this build of the model \(its memory at 0x00000000, \d+ bytes, differs from the ELF\): load it \(drop --no-load\) or flash it again$/);
  } finally {
    emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors of the gdb options', () => {
  const run = (args: string[]) => utvm(['run', kws.path, ...args, '--input', 'x.bin', '--output', 'y.bin']);
  assertFails(run(['--target', 'gdb:localhost:99999']), 2, ["utvm-aot: error E_USAGE: --target 'gdb:localhost:99999': expected gdb, gdb:PORT or gdb:HOST:PORT (e.g. gdb:localhost:3333)"]);
  assertFails(run(['--target', 'gdb:localhost:3333']), 2, ['utvm-aot: error E_USAGE: --target gdb:localhost:3333 needs --board: the board behind the GDB server (qemu-mps2-an500, qemu-mps2-an500-disco, stm32f746-disco, stm32f746-nucleo)']);
  assertFails(run(['--target', 'gdb', '--board', 'host']), 2, ["utvm-aot: error E_USAGE: --target gdb runs a firmware on a board: 'host' is not one (qemu-mps2-an500, qemu-mps2-an500-disco, stm32f746-disco, stm32f746-nucleo)"]);
  assertFails(run(['--target', 'gdb', '--launch', 'qemu', '--board', 'stm32f746-disco']), 2, [
    "utvm-aot: error E_USAGE: --launch qemu needs an emulated board; 'stm32f746-disco' is a real one: start its GDB server (OpenOCD) and give --target gdb:HOST:PORT",
  ]);
  assertFails(run(['--target', 'gdb:1234', '--launch', 'qemu']), 2, ['utvm-aot: error E_USAGE: --launch qemu starts its own GDB server: give --target gdb, not --target gdb:1234']);
  assertFails(run(['--target', 'qemu', '--no-load']), 2, ['utvm-aot: error E_USAGE: --board, --launch and --no-load go with --target gdb[:HOST:PORT] (the qemu target has its own board)']);
  assertFails(utvm(['export', kws.path, '--board', 'host', '--host-driven', '-o', join(tmpdir(), 'utvm-never')]), 2, [
    "utvm-aot: error E_USAGE: --host-driven makes a firmware project for a board with a debug link: board 'host' is not one (choose qemu-mps2-an500, qemu-mps2-an500-disco, stm32f746-disco, stm32f746-nucleo)",
  ]);
});

test.run();
