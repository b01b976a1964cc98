/**
 * The environment's faults, through the CLI: a file where the output folder should be, permissions, a
 * full disk (/dev/full; a 256 KB tmpfs where mounting is allowed), the file-size limit (ulimit -f), a
 * read-only file system, missing tools, Ctrl-C during the write. Each is one `E_IO` / `E_TOOL` line with
 * exit status 4 (not 1 "the model", not 3 "internal error"), and nothing half-written is left. Also: a
 * re-export keeps the user's files and refuses to overwrite an edited main.c without --force.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findTool } from '../../src/run/tools.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { CIFAR, CIFAR_INPUT, ROOT, assertFails, assertSameFiles, linesOf, listFiles, snapshot, utvm } from '../util/cli.js';

const SETUP = "(or run 'bash scripts/setup.sh' in the utvm-aot folder)";

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-env-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function dir(name: string): string {
  const d = join(scratch, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A one-node model (Relu on [1, 4]): a small export. */
function tinyModel(): Uint8Array {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 4]);
  m.node('Relu', [x], {}, { name: 'relu', outputs: ['y'] });
  m.output('y', 'float32', [1, 4]);
  return m.encode();
}

test('-o names a file, or a folder below a file: E_IO, exit 4, the file untouched', () => {
  const d = dir('file-in-the-way');
  const f = join(d, 'taken');
  writeFileSync(f, 'not a folder\n');
  assertFails(utvm(['export', CIFAR, '-o', f]), 4, [`utvm-aot: error E_IO: -o ${f}: is a file, not a folder`]);
  assertFails(utvm(['export', CIFAR, '-o', join(f, 'sub', 'out')]), 4, [`utvm-aot: error E_IO: -o ${join(f, 'sub', 'out')}: ${f} is a file, not a folder`]);
  assert.equal(listFiles(d), ['taken']);
  assert.is(readFileSync(f, 'utf8'), 'not a folder\n');
});

test('no permission (mkdir under /sys: EPERM even for root): E_IO, exit 4', () => {
  if (!existsSync('/sys/kernel')) {
    console.log('  (skipped: no sysfs here)');
    return;
  }
  assertFails(utvm(['export', CIFAR, '-o', '/sys/utvm-aot-out']), 4, ['utvm-aot: error E_IO: /sys/utvm-aot-out: cannot write the export: operation not permitted (EPERM)']);
  assert.not.ok(existsSync('/sys/utvm-aot-out'));
});

test('a temporary folder that cannot be made (TMPDIR=/sys): E_IO naming it, exit 4, not an internal error', () => {
  if (!existsSync('/sys/kernel')) {
    console.log('  (skipped: no sysfs here)');
    return;
  }
  assertFails(utvm(['run', CIFAR, '--input', CIFAR_INPUT, '--output', join(scratch, 'never.npy')], { TMPDIR: '/sys' }), 4, [
    'utvm-aot: error E_IO: /sys/utvm-run-XXXXXX: cannot mkdtemp: operation not permitted (EPERM)',
  ]);
});

test('run --output on a full device (/dev/full): E_IO ENOSPC, exit 4', () => {
  const r = utvm(['run', CIFAR, '--input', CIFAR_INPUT, '--output', '/dev/full']);
  assert.is(r.status, 4, r.stderr);
  assert.is(linesOf(r.stderr).at(-1), 'utvm-aot: error E_IO: /dev/full: cannot write the output: no space left on the device (ENOSPC)');
  assert.ok(linesOf(r.stderr).slice(0, -1).every((l) => /^utvm-aot: (building|running)/.test(l)), r.stderr);
});

test('the file-size limit (ulimit -f 64: EFBIG): E_IO, exit 4, no folder left', () => {
  const d = dir('efbig');
  const out = join(d, 'out');
  const r = spawnSync('bash', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, join(ROOT, 'bin', 'utvm-aot.js'), 'export', CIFAR, '-o', out], { cwd: ROOT, encoding: 'utf8' });
  assertFails({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 4, [
    `utvm-aot: error E_IO: ${out}: cannot write the export: file too large for the file system (or the file-size limit, ulimit -f) (EFBIG)`,
  ]);
  assert.equal(readdirSync(d), [], 'no folder, no temporary folder');
});

/** Mounts a tmpfs of `size` at `at` (root only); false where that is not allowed. */
function mountTmpfs(at: string, options: string): boolean {
  mkdirSync(at, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at]).status === 0;
}

test('a full disk (a 256 KB tmpfs) and a read-only one: E_IO, exit 4; the earlier export survives', () => {
  const mnt = join(scratch, 'tmpfs');
  if (!mountTmpfs(mnt, 'size=256k')) {
    console.log('  (skipped: cannot mount a tmpfs here; tests/io/export-folder.test.ts injects ENOSPC instead)');
    return;
  }
  try {
    const tiny = join(mnt, 'tiny.onnx');
    writeFileSync(tiny, tinyModel());
    const out = join(mnt, 'out');
    const first = utvm(['export', tiny, '-o', out, '--name', 'net']);
    assert.is(first.status, 0, first.stderr);
    writeFileSync(join(out, 'NOTES.md'), 'notes\n');
    const before = snapshot(out);
    // CIFAR-10's model.c alone is 1.3 MB: it cannot fit.
    assertFails(utvm(['export', CIFAR, '-o', out, '--name', 'net']), 4, [`utvm-aot: error E_IO: ${out}: cannot write the export: no space left on the device (ENOSPC)`]);
    assertSameFiles(snapshot(out), before, 'the earlier export');
    assert.equal(readdirSync(mnt).sort(), ['out', 'tiny.onnx']);
    assert.is(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0, 'remount read-only');
    const ro = join(mnt, 'other');
    assertFails(utvm(['export', tiny, '-o', ro]), 4, [`utvm-aot: error E_IO: ${ro}: cannot write the export: read-only file system (EROFS)`]);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

/** A folder holding links to `tools` only: a PATH without the others. */
function pathWith(tools: string[]): string {
  const bin = dir(`path-${tools.join('-') || 'none'}`);
  for (const t of ['node', ...tools]) {
    const found = t === 'node' ? process.execPath : findTool(t);
    assert.ok(found, `${t} is installed here`);
    symlinkSync(found!, join(bin, t));
  }
  return bin;
}

test('missing make, cc, arm-none-eabi-gcc, qemu-system-arm: E_TOOL with the apt-get package, exit 4', () => {
  const run = (path: string, target: string) => utvm(['run', CIFAR, '--target', target, '--input', CIFAR_INPUT, '--output', join(scratch, 'never.npy')], { PATH: path });
  const last = (r: ReturnType<typeof utvm>) => {
    assert.is(r.status, 4, r.stderr);
    assert.is(r.stdout, '');
    return linesOf(r.stderr).at(-1);
  };
  assert.is(last(run(pathWith([]), 'host')), `utvm-aot: error E_TOOL: make is not installed (needed to build the model for the host): install it with 'sudo apt-get install make' ${SETUP}`);
  assert.is(last(run(pathWith(['make']), 'host')), `utvm-aot: error E_TOOL: cc is not installed (needed to build the model for the host): install it with 'sudo apt-get install gcc' ${SETUP}`);
  assert.is(
    last(run(pathWith(['make', 'cc']), 'qemu')),
    `utvm-aot: error E_TOOL: arm-none-eabi-gcc is not installed (needed to build the firmware for the Cortex-M7): install it with 'sudo apt-get install gcc-arm-none-eabi' ${SETUP}`,
  );
  assert.is(
    last(run(pathWith(['make', 'arm-none-eabi-gcc']), 'qemu')),
    `utvm-aot: error E_TOOL: qemu-system-arm is not installed (needed to run the firmware on the emulated Cortex-M7): install it with 'sudo apt-get install qemu-system-arm' ${SETUP}`,
  );
  assert.not.ok(existsSync(join(scratch, 'never.npy')));
});

test('SIGINT while the export is written: exit 130, one line, no folder and no <out>.tmp-<pid> left', async () => {
  const d = dir('sigint');
  const out = join(d, 'out');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'utvm-aot.js'), 'export', CIFAR, '-o', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  // Wait (synchronously: no event-loop delay) for the temporary folder, then interrupt.
  const tmp = `${out}.tmp-${child.pid}`;
  const deadline = Date.now() + 60_000;
  while (!existsSync(tmp) && Date.now() < deadline);
  assert.ok(existsSync(tmp), 'the export started writing');
  child.kill('SIGINT');
  const code = await exited;
  assert.is(code, 130, stderr);
  assert.equal(linesOf(stderr), ['utvm-aot: interrupted (SIGINT): the export was not written']);
  assert.equal(readdirSync(d), [], 'no folder, no temporary folder');
});

test('re-export through the CLI: NOTES.md kept, an edited main.c refused (exit 2) until --force', () => {
  const out = join(dir('reexport'), 'out');
  assert.is(utvm(['export', CIFAR, '-o', out]).status, 0);
  writeFileSync(join(out, 'NOTES.md'), 'my notes\n');
  const again = utvm(['export', CIFAR, '-o', out]);
  assert.is(again.status, 0, again.stderr);
  assert.match(linesOf(again.stdout)[0], /\(20 files; 0 written, 20 unchanged, 0 removed\)$/);
  writeFileSync(join(out, 'main.c'), `${readFileSync(join(out, 'main.c'), 'utf8')}/* my change */\n`);
  const before = snapshot(out);
  assertFails(utvm(['export', CIFAR, '-o', out]), 2, [
    `utvm-aot: error E_USAGE: ${out}: main.c changed since utvm-aot wrote it (or was not written by it); move your changes elsewhere, or pass --force to overwrite`,
  ]);
  assertSameFiles(snapshot(out), before, 'the refused re-export');
  const forced = utvm(['export', CIFAR, '-o', out, '--force']);
  assert.is(forced.status, 0, forced.stderr);
  assert.match(linesOf(forced.stdout)[0], /\(20 files; 1 written, 19 unchanged, 0 removed\)$/);
  assert.not.match(readFileSync(join(out, 'main.c'), 'utf8'), /my change/);
  assert.is(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'my notes\n');
});

test.run();
