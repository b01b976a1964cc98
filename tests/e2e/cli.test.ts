/**
 * The CLI's failure paths: `node bin/utvm-aot.js` is spawned as a user would run it, and each case checks
 * the exit status (1: the model or the inputs are at fault, 2: usage), the exact stderr lines, and that
 * nothing was left behind: every case runs in a fresh folder and, afterwards, that folder holds only the
 * files the test put there (no output folder, no half-written temporary folder, no output file).
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { supportedOnnxOps } from '../../src/import/onnx.js';
import { encodeNpy } from '../../src/io/npy.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { CIFAR, ROOT, assertFails, assertSameFiles, escapeRe, listFiles, snapshot, utvm } from '../util/cli.js';

const USAGE_HINT = "run 'utvm-aot --help' for usage";
const CIFAR_NEEDS = "input 'input' (float32[1,3,32,32])";

let scratch = '';
let caseNo = 0;

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-err-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh folder for one case, with `files` (name → bytes) written into it. */
function caseDir(files: Record<string, Uint8Array | string> = {}): string {
  const dir = join(scratch, `case${caseNo++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Asserts `dir` holds exactly `names` (nothing was written next to the test's own files). */
function assertOnly(dir: string, names: string[]): void {
  assert.equal(listFiles(dir), [...names].sort(), `files left in ${dir}`);
}

test('a truncated model (the first 1000 bytes of cifar10.onnx) → exit 1, no output folder', () => {
  const dir = caseDir({ 'trunc.onnx': readFileSync(join(ROOT, CIFAR)).subarray(0, 1000) });
  const model = join(dir, 'trunc.onnx');
  const r = utvm(['export', model, '-o', join(dir, 'out')]);
  const prefix = `utvm-aot: error E_MODEL_FORMAT: ${model}: not a valid ONNX model (truncated or corrupt protobuf: `;
  assertFails(r, 1, [new RegExp(`^${escapeRe(prefix)}[^\\n]+\\)$`)]);
  assertOnly(dir, ['trunc.onnx']);
});

test('a text file named x.onnx → exit 1, no output folder', () => {
  const dir = caseDir({ 'x.onnx': 'this is not an ONNX model\n' });
  const model = join(dir, 'x.onnx');
  const r = utvm(['export', model, '-o', join(dir, 'out')]);
  const prefix = `utvm-aot: error E_MODEL_FORMAT: ${model}: not a valid ONNX model (truncated or corrupt protobuf: `;
  assertFails(r, 1, [new RegExp(`^${escapeRe(prefix)}[^\\n]+\\)$`)]);
  assertOnly(dir, ['x.onnx']);
});

test('an unsupported operator (Hardmax) → exit 1 naming the operator, the node and the supported operators', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 4]);
  const [r1] = m.node('Relu', [x], {}, { name: 'relu' });
  m.node('Hardmax', [r1], {}, { name: 'erf_node', outputs: ['y'] });
  m.output('y', 'float32', [1, 4]);
  const dir = caseDir({ 'erf.onnx': m.encode() });
  const model = join(dir, 'erf.onnx');
  const r = utvm(['export', model, '-o', join(dir, 'out')]);
  const supported = supportedOnnxOps();
  assert.ok(supported.includes('Conv') && supported.includes('Relu') && !supported.includes('Hardmax'), supported.join(' '));
  assertFails(r, 1, [
    `utvm-aot: error E_UNSUPPORTED_OP: ${model}: operator 'Hardmax' at node 'erf_node' (#1) is not supported; supported ONNX operators: ${supported.join(', ')}`,
  ]);
  assertOnly(dir, ['erf.onnx']);
});

test('run with a raw .bin input of the wrong size → exit 1 naming the file and the expected bytes', () => {
  const dir = caseDir({ 'in.bin': new Uint8Array(100) });
  const input = join(dir, 'in.bin');
  const r = utvm(['run', CIFAR, '--input', input, '--output', join(dir, 'out.npy')]);
  assertFails(r, 1, [`utvm-aot: error E_INPUT_FILE: ${input}: has 100 bytes, but ${CIFAR_NEEDS} needs 12288 bytes`]);
  assertOnly(dir, ['in.bin']);
});

test('run with an .npy of the wrong dtype (int8) → exit 1', () => {
  const shape = [1, 3, 32, 32];
  const dir = caseDir({ 'in.npy': encodeNpy('int8', shape, new Int8Array(3 * 32 * 32).fill(7)) });
  const input = join(dir, 'in.npy');
  const r = utvm(['run', CIFAR, '--input', input, '--output', join(dir, 'out.npy')]);
  assertFails(r, 1, [`utvm-aot: error E_INPUT_FILE: ${input}: holds int8 data, but ${CIFAR_NEEDS} needs float32`]);
  assertOnly(dir, ['in.npy']);
});

test('run with an .npy of the wrong shape → exit 1', () => {
  const dir = caseDir({ 'in.npy': encodeNpy('float32', [1, 3, 16, 16], new Float32Array(3 * 16 * 16)) });
  const input = join(dir, 'in.npy');
  const r = utvm(['run', CIFAR, '--input', input, '--output', join(dir, 'out.npy')]);
  assertFails(r, 1, [`utvm-aot: error E_INPUT_FILE: ${input}: has shape [1,3,16,16], but ${CIFAR_NEEDS} needs [1,3,32,32]`]);
  assertOnly(dir, ['in.npy']);
});

test('an unknown option → exit 2', () => {
  const dir = caseDir();
  const r = utvm(['export', CIFAR, '-o', join(dir, 'out'), '--bogus']);
  assertFails(r, 2, [`utvm-aot: error E_USAGE: unknown option --bogus for 'export'; ${USAGE_HINT}`]);
  assertOnly(dir, []);
});

test('a missing model argument → exit 2', () => {
  const missing = `utvm-aot: error E_USAGE: missing the model file (utvm-aot <command> <model> [options]); ${USAGE_HINT}`;
  assertFails(utvm(['export']), 2, [missing]);
  assertFails(utvm(['inspect']), 2, [missing]);
  assertFails(utvm([]), 2, [`utvm-aot: error E_USAGE: name a command: export, inspect, run, bench, validate, ops, tune; ${USAGE_HINT}`]);
});

test('a model file that does not exist → exit 1', () => {
  const dir = caseDir();
  const model = join(dir, 'nope.onnx');
  const r = utvm(['export', model, '-o', join(dir, 'out')]);
  assertFails(r, 1, [`utvm-aot: error E_MODEL_READ: ${model}: no such file`]);
  assertOnly(dir, []);
});

test('export into a non-empty folder not made by utvm-aot → exit 2, the folder untouched', () => {
  const dir = caseDir();
  const out = join(dir, 'mine');
  mkdirSync(join(out, 'src'), { recursive: true });
  writeFileSync(join(out, 'notes.txt'), 'my notes\n');
  writeFileSync(join(out, 'src', 'main.c'), 'int main(void) { return 0; }\n');
  const before = snapshot(out);
  const r = utvm(['export', CIFAR, '-o', out]);
  assertFails(r, 2, [`utvm-aot: error E_USAGE: ${out} exists and was not written by utvm-aot; choose another output folder with -o, or pass --force to export into it (its other files are kept)`]);
  assertSameFiles(snapshot(out), before, 'the foreign folder');
  assertOnly(dir, ['mine/notes.txt', 'mine/src/main.c']);
});

test.run();
