/**
 * `--target gdb`: the host-driven firmware driven over QEMU's gdbstub (`--launch qemu`), against the
 * semihosting path (`--target qemu`) and TFLite Micro's goldens.
 *
 *   - the four MLPerf Tiny int8 models: outputs bit-identical to --target qemu on the same cases, with the
 *     firmware loaded through the GDB server and with QEMU loading it (--no-load);
 *   - kws01: all 1000 stimuli through one GDB session equal golden_int8.csv (cases/s printed against the
 *     semihosting path);
 *   - bench --target gdb: the same instruction counts as bench, total and per layer, on the four models;
 *   - validate --target gdb --per-layer: every layer's tensor read at the firmware's stop after that layer;
 *   - export --host-driven builds warning-free for the STM32F746 boards.
 */

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { benchOnGdb, bench } from '../../../src/bench.js';
import { compile, patternInput } from '../../../src/compile.js';
import { type TensorValue, toBytes } from '../../../src/io/tensor-value.js';
import { runOnGdb } from '../../../src/run/gdb/target.js';
import { runCompiled } from '../../../src/run/index.js';
import { randomCases } from '../../../src/validate/data.js';
import { ROOT, sh, utvm } from '../../util/cli.js';
import { KWS01_DIR, MODEL_KEYS, type ModelKey, readKwsCases, readModel, sameBytes } from '../../util/mlperf.js';

const LAUNCH = { host: '', port: 0, launch: 'qemu' as const, load: true };

function same(a: TensorValue[][], b: TensorValue[][]): boolean {
  return a.length === b.length && a.every((c, k) => c.every((t, i) => Buffer.from(toBytes(t)).equals(Buffer.from(toBytes(b[k][i])))));
}

/** Three cases per model: the fixed pattern and two seeded random inputs. */
function casesFor(key: ModelKey): { compiled: ReturnType<typeof compile>; cases: TensorValue[][] } {
  const m = readModel(key, 'int8');
  const compiled = compile(m.bytes, m.fileName, { name: key, board: 'qemu-mps2-an500', hostDriven: true });
  const pattern = compiled.program.inputs.map((t) => patternInput(t.dtype, t.shape));
  return { compiled, cases: [pattern, ...randomCases(compiled.program.inputs, 2, 7).values] };
}

for (const key of MODEL_KEYS) {
  test(`${key}: --target gdb --launch qemu gives --target qemu's output bytes (loaded through the server, and already loaded)`, async () => {
    const m = readModel(key, 'int8');
    const { compiled, cases } = casesFor(key);
    const semihosting = runCompiled(compile(m.bytes, m.fileName, { name: key, board: 'qemu-mps2-an500' }), cases);
    const loaded = await runOnGdb(compiled, cases, LAUNCH);
    const flashed = await runOnGdb(compiled, cases, { ...LAUNCH, load: false });
    assert.ok(same(loaded.outputs, semihosting), `${key}: loaded through the GDB server`);
    assert.ok(same(flashed.outputs, semihosting), `${key}: --no-load`);
    assert.is(loaded.unit, 'instructions');
    assert.equal(loaded.cost, flashed.cost);
  });
}

test('kws01: 1000 stimuli through one GDB session equal TFLite Micro\'s goldens', async () => {
  const kws = readModel('kws', 'int8');
  const golden = readKwsCases();
  const compiled = compile(kws.bytes, kws.fileName, { name: 'kws', board: 'qemu-mps2-an500', hostDriven: true });
  const start = Date.now();
  const r = await runOnGdb(compiled, golden.map((c) => [c.input]), LAUNCH);
  const seconds = (Date.now() - start) / 1000;
  const exact = golden.filter((c, k) => sameBytes(r.outputs[k][0].data as Int8Array, c.expected)).length;
  const [min, max] = [Math.min(...r.cost), Math.max(...r.cost)];
  console.log(`  kws01 over GDB: ${exact}/1000 exact, ${seconds.toFixed(1)} s with the build (${(1000 / seconds).toFixed(0)} cases/s), ${min}–${max} instructions per case`);
  assert.is(exact, 1000);
  assert.is(r.cost.length, 1000);
});

test('bench --target gdb equals bench\'s instruction counts, total and per layer, on the four models', async () => {
  const counts: string[] = [];
  for (const key of MODEL_KEYS) {
    const m = readModel(key, 'int8');
    const [viaGdb, viaSemihosting] = [await benchOnGdb(m.bytes, m.fileName, key, 'qemu-mps2-an500', LAUNCH), bench(m.bytes, m.fileName, key)];
    assert.is(viaGdb.instructions, viaSemihosting.instructions, `${key}: instructions`);
    assert.is(viaGdb.profiledInstructions, viaSemihosting.profiledInstructions, `${key}: profiled build`);
    assert.equal(viaGdb.layers.map((l) => l.instructions), viaSemihosting.layers.map((l) => l.instructions), `${key}: per layer`);
    counts.push(`${key} ${viaGdb.instructions}`);
  }
  console.log(`  bench over GDB = bench: ${counts.join(', ')}`);
});

test('validate --target gdb --launch qemu --per-layer: every layer read at its stop, bit-exact with the reference', () => {
  const kws = readModel('kws', 'int8');
  const r = utvm(['validate', kws.path, '--target', 'gdb', '--launch', 'qemu', '--per-layer', '--input-dir', KWS01_DIR, '--cases', '20', '--json']);
  assert.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { target: string; ok: boolean; cases: number; layers: { target: string; layers: { ok: boolean; layer: string }[]; unmatched: unknown[] } };
  assert.is(report.target, 'gdb (qemu-mps2-an500, emulator launched)');
  assert.is(report.cases, 20);
  assert.ok(report.ok);
  assert.is(report.layers.layers.length, 13);
  assert.ok(report.layers.layers.every((l) => l.ok));
  assert.match(report.layers.target, /over the debug link, at each layer's stop/);
});

test('run --target gdb --launch qemu (the CLI): the same output files as run --target qemu, and the cost per case', () => {
  const kws = readModel('kws', 'int8');
  const dir = mkdtempSync(join(tmpdir(), 'utvm-gdbcli-'));
  try {
    mkdirSync(join(dir, 'in'));
    for (const f of readdirSync(KWS01_DIR).filter((x) => x.endsWith('.bin')).sort().slice(0, 5)) copyFileSync(join(KWS01_DIR, f), join(dir, 'in', f));
    const viaGdb = utvm(['run', kws.path, '--target', 'gdb', '--launch', 'qemu', '--input-dir', join(dir, 'in'), '--output-dir', join(dir, 'gdb')]);
    assert.is(viaGdb.status, 0, viaGdb.stderr);
    assert.match(viaGdb.stdout, /^ran 5 case\(s\) on gdb \(qemu-mps2-an500, emulator launched\); wrote 5 output file\(s\); [0-9,]+ instructions per case \(mean\)( \(min [0-9,]+, max [0-9,]+\))?\n$/);
    const viaQemu = utvm(['run', kws.path, '--target', 'qemu', '--input-dir', join(dir, 'in'), '--output-dir', join(dir, 'qemu')]);
    assert.is(viaQemu.status, 0, viaQemu.stderr);
    const files = readdirSync(join(dir, 'qemu')).sort();
    assert.is(files.length, 5);
    assert.equal(readdirSync(join(dir, 'gdb')).sort(), files);
    for (const f of files) assert.ok(readFileSync(join(dir, 'gdb', f)).equals(readFileSync(join(dir, 'qemu', f))), f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export --host-driven builds warning-free (-Werror) for both STM32F746 boards and the emulator', () => {
  const kws = readModel('kws', 'int8');
  const dir = mkdtempSync(join(tmpdir(), 'utvm-hd-'));
  try {
    for (const board of ['stm32f746-nucleo', 'stm32f746-disco', 'qemu-mps2-an500']) {
      const out = join(dir, board);
      const e = utvm(['export', kws.path, '--board', board, '--host-driven', '-o', out]);
      assert.is(e.status, 0, e.stderr);
      for (const flags of [[], ['UTVM_PROFILE=1']]) {
        const b = sh('make', ['-s', '-C', out, '-B', ...flags], ROOT);
        assert.is(b.status, 0, `${board} ${flags.join(' ')}: ${b.stderr}`);
        assert.not.match(b.stderr, /warning/i);
      }
      const nm = sh('arm-none-eabi-nm', [join(out, 'build', 'kws_ref_model.elf')], ROOT);
      assert.match(nm.stdout, / utvm_host_mailbox\n/);
      assert.match(nm.stdout, / host_wait\n/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
