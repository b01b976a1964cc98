/**
 * `utvm-aot validate` from the command line: exit 0 within the policy, 1 outside it or when the inputs
 * are at fault, 2 for usage; every error one line; --input-dir, --labels (accuracy), --json.
 * Model: MLPerf Tiny's float anomaly-detection model (ad01_fp32: input float32[1,640], output [1,640]),
 * which the reference interpreter runs today.
 */

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomInputs } from '../../src/validate/data.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { assertFails, utvm } from '../util/cli.js';
import { MLPERF_DIR, MLPERF_MODELS } from '../util/mlperf.js';

const AD = join(MLPERF_DIR, MLPERF_MODELS.ad.float);
const AD_INT8 = join(MLPERF_DIR, MLPERF_MODELS.ad.int8);
const E = 'utvm-aot: error';
let dir = '';

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'utvm-validate-cli-'));
  mkdirSync(join(dir, 'cases'));
  mkdirSync(join(dir, 'bad'));
  for (const [k, name] of ['a', 'b', 'c'].entries()) {
    writeFileSync(join(dir, 'cases', `${name}.bin`), toBytes(randomInputs([{ dtype: 'float32', shape: [1, 640] }], 100 + k)[0]));
  }
  writeFileSync(join(dir, 'bad', 'short.bin'), new Uint8Array(10));
  writeFileSync(join(dir, 'labels.csv'), 'file,class\na.bin,1\nb,2\n');
  writeFileSync(join(dir, 'other.csv'), 'x.bin,1\n');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--input-dir with --labels: exit 0, accuracy of both on the labelled cases', () => {
  const r = utvm(['validate', AD, '--input-dir', join(dir, 'cases'), '--labels', join(dir, 'labels.csv')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, `vs the reference interpreter (float64), 3 case(s) from ${join(dir, 'cases')}`);
  const acc = /accuracy against .*labels\.csv \(output 'Identity', 2 of 3 cases labelled\): C build ([\d.]+) % \((\d)\/2\), reference ([\d.]+) % \((\d)\/2\)/.exec(r.stdout);
  assert.ok(acc, r.stdout);
  assert.is(acc![2], acc![4], 'float C and the float64 reference pick the same class');
  assert.match(r.stdout, /top-1 agrees 3\/3/);
  assert.match(r.stdout, /\nok: every output within the policy\n?$/);
});

test('--json: the numbers for tools, no raw tensors', () => {
  const r = utvm(['validate', AD, '--cases', '2', '--json']);
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.ok, true);
  assert.is(j.cases, 2);
  assert.is(j.reference.kind, 'interpreter');
  assert.equal(Object.keys(j.outputs[0]).filter((k) => ['maxAbs', 'mae', 'rmse', 'l2rel', 'cosine', 'errMean', 'errStd'].includes(k)).length, 7);
  assert.is(j.ours, undefined);
  assert.is(j.referenceOutputs, undefined);
});

test('outside the policy: exit 1 (int8 vs its float model over --max-l2rel)', () => {
  const r = utvm(['validate', AD_INT8, '--reference', AD, '--cases', '2', '--max-l2rel', '0.001']);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stdout, /\nFAILED: 1 output\(s\) outside the policy/);
});

test('the inputs at fault: exit 1, one line', () => {
  assertFails(utvm(['validate', AD, '--input-dir', join(dir, 'bad')]), 1, [
    `${E} E_INPUT_FILE: ${join(dir, 'bad', 'short.bin')}: has 10 bytes, but input 'input_1' (float32[1,640]) needs 2560 bytes`,
  ]);
  assertFails(utvm(['validate', AD, '--input-dir', join(dir, 'none')]), 1, [`${E} E_INPUT_FILE: ${join(dir, 'none')}: no such folder`]);
  assertFails(utvm(['validate', AD, '--input-dir', join(dir, 'cases'), '--labels', join(dir, 'nope.csv')]), 1, [`${E} E_INPUT_FILE: ${join(dir, 'nope.csv')}: no such labels file`]);
  assertFails(utvm(['validate', AD, '--input-dir', join(dir, 'cases'), '--labels', join(dir, 'other.csv')]), 1, [
    `${E} E_INPUT_FILE: ${join(dir, 'other.csv')}: names none of the 3 case(s) (first case 'a.bin', first label 'x.bin')`,
  ]);
  assertFails(utvm(['validate', AD, '--reference', join(dir, 'float.tflite')]), 1, [`${E} E_MODEL_READ: ${join(dir, 'float.tflite')}: no such file`]);
});

test('usage: exit 2, one line', () => {
  const usage = (args: string[], line: string) => assertFails(utvm(['validate', AD, ...args]), 2, [`${E} E_USAGE: ${line}`]);
  usage(['--reference', 'interp'], "unknown --reference 'interp' (did you mean 'interpreter'?); choose interpreter, onnxruntime or a float model file (.tflite, .onnx)");
  usage(['--labels', join(dir, 'labels.csv')], '--labels needs cases read from files (--input-dir or --input), not random ones');
  usage(['--max-l2rel', '0.1'], '--max-l2rel judges the comparison with a float model: give --reference <float model file>');
  usage(['--max-l2rel', 'x', '--reference', AD], "--max-l2rel 'x' is not a number ≥ 0");
  usage(['--float-range', '2,1'], "--float-range '2,1' is not LO,HI with LO < HI (e.g. -1,1)");
  usage(['--input-dir', dir, '--input', 'x.bin'], 'use either --input or --input-dir');
  usage(['--input-dir', dir, '--seed', '3'], '--seed and --float-range choose random inputs: not with --input or --input-dir');
  usage(['--input', 'a.bin', 'b.bin'], 'the model has 1 input(s); 2 --input file(s) given');
});

test.run();
