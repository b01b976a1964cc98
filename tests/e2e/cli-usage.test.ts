/**
 * The CLI as a new user meets it: every usage error is one `E_USAGE` line with exit status 2 (with "did
 * you mean" for boards, commands and options), numbers are checked, `--version` and `-h` work, model
 * files of other frameworks are recognised by their bytes and refused with advice (exit 1), a TFLite file
 * is told from an ONNX one by its content, options that change semantics warn on stderr, and a file name
 * that is no C identifier still gives a valid default C name.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MLPERF_DIR, MLPERF_MODELS } from '../util/mlperf.js';
import { CIFAR, ROOT, assertFails, linesOf, utvm } from '../util/cli.js';

const HINT = "run 'utvm-aot --help' for usage";
const KWS = join(MLPERF_DIR, MLPERF_MODELS.kws.int8);
const READS = 'utvm-aot reads ONNX (.onnx) and TensorFlow Lite (.tflite) models';
const BOARDS = 'host, qemu-mps2-an500, qemu-mps2-an500-disco, stm32f746-disco, stm32f746-nucleo';

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-usage-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function file(name: string, content: Uint8Array | string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

test('a misspelled --board: one line, did you mean, the boards, exit 2', () => {
  assertFails(utvm(['export', CIFAR, '--board', 'stm32f746-nucelo']), 2, [
    `utvm-aot: error E_USAGE: unknown --board 'stm32f746-nucelo' (did you mean 'stm32f746-nucleo'?); choose one of: ${BOARDS}`,
  ]);
  assertFails(utvm(['inspect', CIFAR, '--board', 'esp32']), 2, [`utvm-aot: error E_USAGE: unknown --board 'esp32'; choose one of: ${BOARDS}`]);
});

test('a misspelled command or option: one line with did you mean, exit 2', () => {
  assertFails(utvm(['exprot', CIFAR]), 2, [
    `utvm-aot: error E_USAGE: unknown command 'exprot' (did you mean 'export'?); commands: export, inspect, run, bench, validate, ops, tune; ${HINT}`,
  ]);
  assertFails(utvm(['export', CIFAR, '--sample-inputt', 'x.npy']), 2, [
    `utvm-aot: error E_USAGE: unknown option --sample-inputt for 'export' (did you mean --sample-input?); ${HINT}`,
  ]);
  assertFails(utvm(['run', CIFAR, '--taget', 'qemu']), 2, [`utvm-aot: error E_USAGE: unknown option --taget for 'run' (did you mean --target?); ${HINT}`]);
  assertFails(utvm(['run', CIFAR, '--target', 'qemo']), 2, [`utvm-aot: error E_USAGE: unknown --target 'qemo' (did you mean 'qemu'?); choose one of: host, qemu, reference`]);
  assertFails(utvm(['export', CIFAR, '--rounding', 'tf']), 2, [`utvm-aot: error E_USAGE: unknown --rounding 'tf'; choose one of: tflite, onnx`]);
  assertFails(utvm(['export', CIFAR, '--format', 'libary']), 2, [
    `utvm-aot: error E_USAGE: unknown --format 'libary' (did you mean 'library'?); choose one of: project, library, make`,
  ]);
});

test('an option without its value, an extra argument, a misspelled --version: one line, exit 2', () => {
  assertFails(utvm(['export', CIFAR, '-o']), 2, ['utvm-aot: error E_USAGE: --output needs a value']);
  assertFails(utvm(['export', CIFAR, '--name']), 2, ['utvm-aot: error E_USAGE: --name needs a value']);
  assertFails(utvm(['export', CIFAR, 'extra.onnx']), 2, [`utvm-aot: error E_USAGE: unexpected argument 'extra.onnx' for 'export' (one model file per command); ${HINT}`]);
  assertFails(utvm(['--verison']), 2, [
    `utvm-aot: error E_USAGE: unknown option --verison (did you mean --version?); name a command: export, inspect, run, bench, validate, ops, tune; ${HINT}`,
  ]);
});

test('numbers are checked: --seed abc, --cases 2.5, 0, -1, 1e3; a repeated option', () => {
  assertFails(utvm(['validate', CIFAR, '--seed', 'abc']), 2, [`utvm-aot: error E_USAGE: --seed 'abc' is not a whole number`]);
  assertFails(utvm(['validate', CIFAR, '--cases', '2.5']), 2, [`utvm-aot: error E_USAGE: --cases '2.5' is not a whole number`]);
  assertFails(utvm(['validate', CIFAR, '--cases', '1e3']), 2, [`utvm-aot: error E_USAGE: --cases '1e3' is not a whole number`]);
  assertFails(utvm(['validate', CIFAR, '--cases', '0']), 2, [`utvm-aot: error E_USAGE: --cases 0 is out of range: use 1 to 100000`]);
  assertFails(utvm(['validate', CIFAR, '--cases', '-1']), 2, [`utvm-aot: error E_USAGE: --cases -1 is out of range: use 1 to 100000`]);
  assertFails(utvm(['validate', CIFAR, '--seed', '-3']), 2, [`utvm-aot: error E_USAGE: --seed -3 is out of range: use 0 to 4294967295`]);
  assertFails(utvm(['validate', CIFAR, '--seed', '1', '--seed', '2']), 2, [`utvm-aot: error E_USAGE: --seed is given 2 times; give it once`]);
});

test('UTVM_QEMU_TIMEOUT must be a positive number of seconds', () => {
  for (const bad of ['abc', '0', '-5', '10s']) {
    assertFails(utvm(['run', CIFAR, '--target', 'qemu', '--input', 'x.npy', '--output', 'y.npy'], { UTVM_QEMU_TIMEOUT: bad }), 2, [
      `utvm-aot: error E_USAGE: UTVM_QEMU_TIMEOUT='${bad}' is not a positive number of seconds`,
    ]);
  }
});

test('--version and -h', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const v = utvm(['--version']);
  assert.is(v.status, 0);
  assert.is(v.stdout, `utvm-aot ${pkg.version}\n`);
  const h = utvm(['-h']);
  assert.is(h.status, 0, h.stderr);
  assert.ok(h.stdout.startsWith('utvm-aot <command> <model> [options]\n'), h.stdout);
  assert.match(h.stdout, /ONNX and TensorFlow Lite models/);
  assert.match(h.stdout, /4 the environment \(disk,\s+permissions,\s+missing\s+tools\)/);
  const e = utvm(['export', '-h']);
  assert.is(e.status, 0, e.stderr);
  assert.match(e.stdout, /model file: ONNX \(\.onnx\) or TensorFlow Lite \(\.tflite\)/);
  assert.match(e.stdout, /--force/);
  assert.not.match(e.stdout, /ONNX models|model file \(\.onnx\)/);
});

test('validate --reference onnxruntime on a TensorFlow Lite model: one line, exit 2, no stack trace', () => {
  assertFails(utvm(['validate', KWS, '--reference', 'onnxruntime']), 2, [
    `utvm-aot: error E_USAGE: ${KWS}: --reference onnxruntime needs an ONNX model; for a TensorFlow Lite model use the reference interpreter (the default)`,
  ]);
});

test('Keras, PyTorch, TensorFlow .pb files are recognised by their bytes and refused with advice (exit 1)', () => {
  const keras = 'export it to TensorFlow Lite (tf.lite.TFLiteConverter.from_keras_model) or ONNX (tf2onnx) first';
  const h5 = file('net.h5', Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(100)]));
  assertFails(utvm(['export', h5]), 1, [`utvm-aot: error E_MODEL_FORMAT: ${h5}: is an HDF5 file (a Keras .h5 model); ${READS}: ${keras}`]);
  // A HDF5 file named .onnx is still HDF5: the bytes decide.
  const h5onnx = file('net-h5.onnx', readFileSync(h5));
  assertFails(utvm(['inspect', h5onnx]), 1, [`utvm-aot: error E_MODEL_FORMAT: ${h5onnx}: is an HDF5 file (a Keras .h5 model); ${READS}: ${keras}`]);
  const pickle = file('net.pt', Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc]));
  assertFails(utvm(['export', pickle]), 1, [
    `utvm-aot: error E_MODEL_FORMAT: ${pickle}: is a Python pickle (a PyTorch checkpoint saved with torch.save?); ${READS}: export the model with torch.onnx.export first`,
  ]);
  // A torch.save zip: local file header, then the name 'archive/data.pkl'.
  const name = Buffer.from('archive/data.pkl');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(name.length, 26);
  const zip = file('net.pth', Buffer.concat([header, name, Buffer.alloc(16)]));
  assertFails(utvm(['inspect', zip]), 1, [`utvm-aot: error E_MODEL_FORMAT: ${zip}: is a PyTorch checkpoint (torch.save); ${READS}: export the model with torch.onnx.export first`]);
  const kerasZip = file('net.keras', Buffer.concat([header, name, Buffer.alloc(16)]));
  assertFails(utvm(['inspect', kerasZip]), 1, [`utvm-aot: error E_MODEL_FORMAT: ${kerasZip}: is a Keras model (.keras archive); ${READS}: ${keras}`]);
  // A GraphDef: field 1 (node), a NodeDef with a name.
  const pb = file('frozen.pb', Buffer.from([0x0a, 0x07, 0x0a, 0x05, ...Buffer.from('input')]));
  assertFails(utvm(['export', pb]), 1, [
    `utvm-aot: error E_MODEL_FORMAT: ${pb}: looks like a TensorFlow GraphDef or SavedModel (.pb); ${READS}: convert it with tf.lite.TFLiteConverter or tf2onnx first`,
  ]);
});

test('a TensorFlow SavedModel folder is named as such, with advice (exit 1)', () => {
  const saved = join(scratch, 'saved_model_dir');
  mkdirSync(join(saved, 'variables'), { recursive: true });
  writeFileSync(join(saved, 'saved_model.pb'), Buffer.from([0x08, 0x01]));
  assertFails(utvm(['export', saved]), 1, [
    `utvm-aot: error E_MODEL_FORMAT: ${saved}: is a TensorFlow SavedModel folder; ${READS}: convert it with tf.lite.TFLiteConverter.from_saved_model or tf2onnx first`,
  ]);
});

test('the bytes, not the extension, tell TFLite from ONNX', () => {
  const tfliteAsOnnx = file('kws-really-tflite.onnx', readFileSync(KWS));
  const a = utvm(['inspect', tfliteAsOnnx, '--json']);
  assert.is(a.status, 0, a.stderr);
  assert.ok((JSON.parse(a.stdout) as { kernels: string[] }).kernels.some((k) => k.endsWith('_s8')), 'read as the int8 TFLite model');
  const onnxAsTflite = file('cifar-really-onnx.tflite', readFileSync(join(ROOT, CIFAR)));
  const b = utvm(['inspect', onnxAsTflite]);
  assert.is(b.status, 0, b.stderr);
  assert.is(linesOf(b.stdout)[0], `model: ${onnxAsTflite} (C prefix 'cifar_really_onnx')`);
});

test('--rounding onnx on a TFLite model warns that it gives up bit-exactness with TFLite Micro', () => {
  const r = utvm(['inspect', KWS, '--rounding', 'onnx']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(linesOf(r.stderr), [
    "utvm-aot: warning: --rounding onnx on a TensorFlow Lite model: int8 results follow onnxruntime's float requantization and are no longer bit-exact with TFLite Micro",
  ]);
  assert.is(utvm(['inspect', KWS]).stderr, '', 'no warning with the default rounding');
});

test('--format library without --board says it uses the portable kernels; with --board it does not', () => {
  const out = join(scratch, 'lib');
  const r = utvm(['export', KWS, '--format', 'library', '-o', out]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(linesOf(r.stderr), [
    "utvm-aot: note: no --board given: the library uses the portable C kernels; pass --board stm32f746-nucleo (or another Cortex-M7 board) for the Cortex-M7's DSP kernels",
  ]);
  const m7 = utvm(['export', KWS, '--format', 'make', '--board', 'stm32f746-nucleo', '-o', join(scratch, 'lib-m7')]);
  assert.is(m7.status, 0, m7.stderr);
  assert.is(m7.stderr, '');
});

test('a long or odd file name gives a valid default C name (no --name needed)', () => {
  const long = file(`${'very-long-model-name-'.repeat(5)}v1.2.onnx`, readFileSync(join(ROOT, CIFAR)));
  const r = utvm(['inspect', long]);
  assert.is(r.status, 0, r.stderr);
  const prefix = 'very_long_model_name_'.repeat(3).slice(0, 48).replace(/_+$/, '');
  assert.is(prefix.length, 48);
  assert.is(linesOf(r.stdout)[0], `model: ${long} (C prefix '${prefix}')`);
  const digit = file('2024 model (final).onnx', readFileSync(join(ROOT, CIFAR)));
  const d = utvm(['inspect', digit]);
  assert.is(d.status, 0, d.stderr);
  assert.is(linesOf(d.stdout)[0], `model: ${digit} (C prefix 'model_2024_model_final')`);
  assertFails(utvm(['inspect', digit, '--name', '2x']), 2, [
    `utvm-aot: error E_USAGE: --name '2x' is not a C identifier (letters, digits and _, not starting with a digit, at most 48 characters)`,
  ]);
});

test.run();
