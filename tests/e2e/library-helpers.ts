/**
 * Helpers for the library/make format tests (tests/e2e/library*.test.ts): export with the CLI, build with
 * CMake or make (host and Cortex-M7), run on the host or in QEMU, and get `utvm-aot run`'s outputs for
 * the same inputs. The kws model and its stimuli come from ../shared (never copied); the CIFAR-10 sample
 * is in the repository.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadBoard } from '../../src/emit/boards.js';
import { parseNpy } from '../../src/io/npy.js';
import { QEMU_BOARD, runFirmware } from '../../src/run/qemu.js';
import { KWS01_DIR, MLPERF_DIR } from '../util/mlperf.js';
import { CIFAR, CIFAR_INPUT, ROOT, sh, utvm } from '../util/cli.js';

export const KWS_MODEL = join(MLPERF_DIR, 'kws', 'kws_ref_model.tflite');
export const KWS_FEATURES = [join(KWS01_DIR, 'tst_000000_Stop_7.bin'), join(KWS01_DIR, 'tst_000001_Left_2.bin')];
export const QEMU_BOARD_DIR = join(ROOT, 'boards', QEMU_BOARD);
/** -Werror for the library targets (option UTVM_WERROR) and for the applications. */
export const WERROR = ['-DUTVM_WERROR=ON', '-DCMAKE_C_FLAGS_RELEASE=-O2 -Werror', '-DCMAKE_BUILD_TYPE=Release'];
export { CIFAR, ROOT };

/** `utvm-aot export` into `out`; returns stdout. */
export function exportModel(model: string, out: string, args: string[]): string {
  const r = utvm(['export', model, '-o', out, ...args]);
  assert.is(r.status, 0, `export ${model} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Runs a command and asserts it succeeded; returns stdout. */
export function run(cmd: string, args: string[], cwd = ROOT): string {
  const r = sh(cmd, args, cwd);
  assert.is(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Configures and builds a CMake project; returns the build folder. */
export function cmakeBuild(src: string, build: string, defs: string[]): string {
  run('cmake', ['-S', src, '-B', build, ...defs]);
  const out = run('cmake', ['--build', build]);
  assert.not.match(out, /warning:/, `warnings in the build:\n${out}`);
  return build;
}

/** Runs a Cortex-M7 ELF in QEMU with a semihosting command line; asserts exit 0; returns the console. */
export function runOnEmulator(elf: string, args: string[]): string {
  const r = runFirmware(loadBoard(QEMU_BOARD), elf, args, 120);
  assert.is(r.status, 0, `firmware exit status; console:\n${r.stdout}`);
  return r.stdout;
}

/** The CIFAR-10 sample input as raw float32 bytes, written to `path`. */
export function writeCifarInput(path: string): string {
  const npy = parseNpy(new Uint8Array(readFileSync(join(ROOT, CIFAR_INPUT))), CIFAR_INPUT);
  const d = npy.data as Float32Array;
  writeFileSync(path, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return path;
}

/** `utvm-aot run` of `model` on one raw input file → the raw output bytes (target host or qemu). */
export function referenceOutput(model: string, name: string, target: 'host' | 'qemu', input: string, output: string): Buffer {
  const r = utvm(['run', model, '--name', name, '--target', target, '--input', input, '--output', output]);
  assert.is(r.status, 0, `utvm-aot run failed:\n${r.stderr}`);
  return readFileSync(output);
}

/** Asserts two output files hold the same bytes. */
export function assertSameBytes(actual: string, expected: Buffer, what: string): void {
  const a = readFileSync(actual);
  assert.ok(a.equals(expected), `${what}: ${a.length} bytes differ from utvm-aot run's ${expected.length}`);
}
