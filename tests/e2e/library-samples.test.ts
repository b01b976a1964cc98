/**
 * The sample applications (samples/app-cmake: kws int8 in a CMake firmware with its own arena;
 * samples/app-make: CIFAR-10 float32 in a Makefile firmware with the built-in arena) include a model
 * exported at test time, build for the host and for the Cortex-M7 (-Werror), run on the host and in
 * QEMU (board qemu-mps2-an500), act on the result, and their outputs equal `utvm-aot run`'s on the
 * same inputs, byte for byte (host against host, emulator against emulator).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CIFAR, KWS_FEATURES, KWS_MODEL, QEMU_BOARD_DIR, ROOT, WERROR, assertSameBytes, cmakeBuild, exportModel, referenceOutput, run,
  runOnEmulator, writeCifarInput,
} from './library-helpers.js';

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-samples-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('app-cmake: kws as a CMake target, host and Cortex-M7, outputs equal utvm-aot run', () => {
  const lib = join(scratch, 'kws');
  exportModel(KWS_MODEL, lib, ['--name', 'kws', '--format', 'library']);
  const app = join(ROOT, 'samples', 'app-cmake');
  const host = cmakeBuild(app, join(scratch, 'cmake-host'), [`-DKWS_DIR=${lib}`, ...WERROR]);
  const m7 = cmakeBuild(app, join(scratch, 'cmake-m7'), [`-DKWS_DIR=${lib}`, `-DBOARD_DIR=${QEMU_BOARD_DIR}`, `-DCMAKE_TOOLCHAIN_FILE=${join(lib, 'cmake', 'arm-none-eabi.cmake')}`, ...WERROR]);
  const words = ['stop', 'left'];
  KWS_FEATURES.forEach((features, k) => {
    const want = new RegExp(`^keyword: ${words[k]} \\(class \\d+, score \\d+%\\)\\naction: .+\\n$`);
    const hostOut = join(scratch, `kws-host-${k}.bin`);
    assert.match(run(join(host, 'app'), [features, hostOut]), want);
    assertSameBytes(hostOut, referenceOutput(KWS_MODEL, 'kws', 'host', features, join(scratch, `kws-ref-host-${k}.bin`)), `host case ${k}`);
    const emuOut = join(scratch, `kws-m7-${k}.bin`);
    assert.match(runOnEmulator(join(m7, 'app.elf'), [features, emuOut]), want);
    assertSameBytes(emuOut, referenceOutput(KWS_MODEL, 'kws', 'qemu', features, join(scratch, `kws-ref-qemu-${k}.bin`)), `emulator case ${k}`);
  });
});

test('app-make: cifar10 through cifar10.mk, host and Cortex-M7, outputs equal utvm-aot run', () => {
  const model = join(scratch, 'cifar10');
  exportModel(CIFAR, model, ['--format', 'make']);
  const app = join(ROOT, 'samples', 'app-make');
  const vars = [`MODEL_DIR=${model}`, `BOARD_DIR=${QEMU_BOARD_DIR}`, 'WARNINGS=-Wall -Wextra -Werror'];
  run('make', ['-s', '-C', app, `BUILD=${join(scratch, 'make-host')}`, `APP=${join(scratch, 'make-host', 'app')}`, ...vars]);
  run('make', ['-s', '-C', app, 'TARGET=m7', `BUILD=${join(scratch, 'make-m7')}`, `APP=${join(scratch, 'make-m7', 'app.elf')}`, ...vars]);
  const image = writeCifarInput(join(scratch, 'image.bin'));
  const want = /^class: truck \(\d+%\)\naction: vehicle: open the gate\n$/;
  const hostOut = join(scratch, 'cifar-host.bin');
  assert.match(run(join(scratch, 'make-host', 'app'), [image, hostOut]), want);
  assertSameBytes(hostOut, referenceOutput(CIFAR, 'cifar10', 'host', image, join(scratch, 'cifar-ref-host.bin')), 'host');
  const emuOut = join(scratch, 'cifar-m7.bin');
  assert.match(runOnEmulator(join(scratch, 'make-m7', 'app.elf'), [image, emuOut]), want);
  assertSameBytes(emuOut, referenceOutput(CIFAR, 'cifar10', 'qemu', image, join(scratch, 'cifar-ref-qemu.bin')), 'emulator');
});

test.run();
