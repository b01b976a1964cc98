/**
 * `utvm-aot run --target reference`: the reference interpreter (src/reference/interpret.ts) on the same
 * input files as the compiled targets, writing the same output files with the same messages. Its float32
 * outputs are the interpreter's float64 results rounded to float32: byte for byte what
 * `createInterpreter(importGraph(...))` gives when called directly (reset before each case), and within
 * 1e-5 of the host build's outputs relative to each tensor's largest magnitude (the C computes in
 * float32, in its own summation order). Checked on the MLPerf Tiny anomaly-detection float model
 * (TFLite, --input-dir of .npy cases), an ONNX MLP (--input/--output, raw .bin) and a two-input,
 * two-output ONNX model (--input-dir of case folders; its Add and Mul are exact in float64, so the
 * reference's float32 files equal the host's byte for byte). A model with an
 * operator the interpreter has no semantics for fails with the interpreter's one line, exit 1.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { UtvmError } from '../../src/diagnostics.js';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { mlpModel } from '../util/e2e-models.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { KWS01_DIR, MLPERF_DIR, MLPERF_MODELS } from '../util/mlperf.js';
import { mulberry32, randomFloats } from '../util/random.js';
import { assertFails, linesOf, utvm } from '../util/cli.js';

const RTOL = 1e-5;
const AD = join(MLPERF_DIR, MLPERF_MODELS.ad.float);
const KWS = join(MLPERF_DIR, MLPERF_MODELS.kws.int8);

let scratch = '';

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-cli-reference-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The interpreter's outputs per case, called directly: reset before each case, as `run` does. */
function interpreterOutputs(modelPath: string, name: string, cases: TensorValue[][]): TensorValue[][] {
  const interpreter = createInterpreter(importGraph(new Uint8Array(readFileSync(modelPath)), modelPath, name));
  return cases.map((c) => {
    interpreter.reset();
    return interpreter.run(c).outputs;
  });
}

/** |ref − host| ≤ RTOL · max|host| over the tensor; returns the worst ratio for the message. */
function assertClose(label: string, ref: Float32Array, host: Float32Array): void {
  assert.is(ref.length, host.length, `${label}: element count`);
  const scale = Math.max(1e-30, ...Array.from(host, Math.abs));
  let worst = 0;
  let at = -1;
  ref.forEach((v, i) => {
    const err = Math.abs(v - host[i]);
    if (!(err <= worst)) [worst, at] = [Number.isNaN(err) ? Infinity : err, i];
  });
  assert.ok(worst <= RTOL * scale, `${label}: element ${at} is ${ref[at]} on the reference, ${host[at]} on the host (|err| ${worst} > ${RTOL} × ${scale})`);
}

function floatsOf(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** stderr of a reference run (not a terminal): the count line(s), ending with the whole count. */
function assertReferenceProgress(stderr: string, cases: number): void {
  const lines = linesOf(stderr);
  assert.ok(lines.length >= 1 && lines.every((l) => /^utvm-aot: running the reference interpreter: \d+\/\d+ cases(, ETA \d+ s|, \d+ s)$/.test(l)), `progress lines only:\n${stderr}`);
  assert.match(lines.at(-1)!, new RegExp(`^utvm-aot: running the reference interpreter: ${cases}/${cases} cases, \\d+ s$`));
}

test('ad01_fp32.tflite, --input-dir of .npy: equal to createInterpreter byte for byte, within 1e-5 of the host build', () => {
  const inDir = join(scratch, 'ad-in');
  mkdirSync(inDir);
  const rng = mulberry32(0xad01);
  const cases: TensorValue[][] = [];
  for (let k = 0; k < 3; k++) {
    const x: TensorValue = { dtype: 'float32', shape: [1, 640], data: randomFloats(rng, 640, -2, 2) };
    writeFileSync(join(inDir, `case${k}.npy`), encodeNpy(x.dtype, x.shape, x.data));
    cases.push([x]);
  }
  const ref = utvm(['run', AD, '--target', 'reference', '--input-dir', inDir, '--output-dir', join(scratch, 'ad-ref')]);
  assert.is(ref.status, 0, ref.stderr);
  assert.is(ref.stdout, 'ran 3 case(s) on reference; wrote 3 output file(s)\n');
  assertReferenceProgress(ref.stderr, 3);
  const host = utvm(['run', AD, '--target', 'host', '--input-dir', inDir, '--output-dir', join(scratch, 'ad-host')]);
  assert.is(host.status, 0, host.stderr);
  const direct = interpreterOutputs(AD, 'ad01_fp32', cases);
  for (let k = 0; k < 3; k++) {
    const file = `case${k}.npy`;
    const r = parseNpy(new Uint8Array(readFileSync(join(scratch, 'ad-ref', file))), file);
    const h = parseNpy(new Uint8Array(readFileSync(join(scratch, 'ad-host', file))), file);
    assert.is(r.dtype, 'float32');
    assert.equal(r.shape, h.shape, `case ${k}: shape`);
    assert.equal(toBytes(r), toBytes(direct[k][0]), `case ${k}: the file holds the interpreter's own float32 values`);
    assertClose(`case ${k}`, r.data as Float32Array, h.data as Float32Array);
  }
});

test('an ONNX MLP, --input/--output raw .bin: equal to createInterpreter byte for byte, within 1e-5 of the host build', () => {
  const model = mlpModel();
  const path = join(scratch, 'mlp.onnx');
  writeFileSync(path, model.bytes);
  const x: TensorValue = { dtype: 'float32', shape: [3, 20], data: randomFloats(mulberry32(7), 60, -1, 1) };
  writeFileSync(join(scratch, 'x.bin'), toBytes(x));
  const outs: Record<string, Uint8Array> = {};
  for (const target of ['reference', 'host']) {
    const out = join(scratch, `mlp-${target}.bin`);
    const r = utvm(['run', path, '--target', target, '--input', join(scratch, 'x.bin'), '--output', out]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `ran 1 case(s) on ${target}; wrote 1 output file(s)\n`);
    outs[target] = new Uint8Array(readFileSync(out));
  }
  assertReferenceProgress(utvm(['run', path, '--target', 'reference', '--input', join(scratch, 'x.bin'), '--output', join(scratch, 'again.bin')]).stderr, 1);
  const [[direct]] = interpreterOutputs(path, 'mlp', [[x]]);
  assert.equal(outs.reference, toBytes(direct), "the file holds the interpreter's own float32 values");
  assertClose('mlp', floatsOf(outs.reference), floatsOf(outs.host));
});

test('two inputs, two outputs, --input-dir of case folders: the same files as the host build, byte for byte', () => {
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'two' });
  const a = m.input('a', 'float32', [2, 3]);
  const b = m.input('b', 'float32', [2, 3]);
  m.node('Add', [a, b], {}, { name: 'sum', outputs: ['s'] });
  m.node('Mul', [a, b], {}, { name: 'prod', outputs: ['p'] });
  m.output('s', 'float32', [2, 3]);
  m.output('p', 'float32', [2, 3]);
  const path = join(scratch, 'two.onnx');
  writeFileSync(path, m.encode());
  const rng = mulberry32(2);
  for (const c of ['first', 'second']) {
    mkdirSync(join(scratch, 'two-in', c), { recursive: true });
    for (const k of [0, 1]) writeFileSync(join(scratch, 'two-in', c, `input_${k}.npy`), encodeNpy('float32', [2, 3], randomFloats(rng, 6, -3, 3)));
  }
  for (const target of ['reference', 'host']) {
    const r = utvm(['run', path, '--target', target, '--input-dir', join(scratch, 'two-in'), '--output-dir', join(scratch, `two-${target}`)]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `ran 2 case(s) on ${target}; wrote 4 output file(s)\n`);
  }
  for (const c of ['first', 'second']) {
    for (const k of [0, 1]) {
      const file = join(c, `output_${k}.npy`);
      const ref = new Uint8Array(readFileSync(join(scratch, 'two-reference', file)));
      assert.equal(ref, new Uint8Array(readFileSync(join(scratch, 'two-host', file))), `${file}: reference = host`);
      assert.equal(parseNpy(ref, file).shape, [2, 3]);
    }
  }
});

test('a model the interpreter cannot run fails with its one E_UNSUPPORTED_OP line (exit 1); one it can run matches it', () => {
  const input = join(KWS01_DIR, 'tst_000000_Stop_7.bin');
  const out = join(scratch, 'kws.bin');
  const r = utvm(['run', KWS, '--target', 'reference', '--input', input, '--output', out]);
  const x: TensorValue = { dtype: 'int8', shape: [1, 49, 10, 1], data: new Int8Array(readFileSync(input)) };
  let expected: TensorValue | undefined;
  let message = '';
  try {
    [[expected]] = interpreterOutputs(KWS, 'kws_ref_model', [[x]]);
  } catch (e) {
    if (!(e instanceof UtvmError)) throw e;
    assert.is(e.code, 'E_UNSUPPORTED_OP');
    message = `utvm-aot: error E_UNSUPPORTED_OP: ${e.message}`;
  }
  if (expected === undefined) {
    // Until every operator of the model has reference semantics: the interpreter's own line, nothing written.
    const lines = linesOf(r.stderr).filter((l) => !l.startsWith('utvm-aot: running the reference interpreter:'));
    assertFails({ ...r, stderr: `${lines.join('\n')}\n` }, 1, [message]);
    assert.match(message, /^utvm-aot: error E_UNSUPPORTED_OP: the reference interpreter has no semantics for .+ \(IR operator [a-z0-9_]+\)$/);
    assert.throws(() => readFileSync(out), 'no output file');
  } else {
    assert.is(r.status, 0, r.stderr);
    assert.equal(new Uint8Array(readFileSync(out)), toBytes(expected));
  }
});

test('--rounding is refused with the reference target (exit 2), --target names the reference', () => {
  assertFails(utvm(['run', AD, '--target', 'reference', '--rounding', 'onnx', '--input', 'x.npy', '--output', 'y.npy']), 2, [
    "utvm-aot: error E_USAGE: --rounding chooses the requantization of the compiled C; the reference interpreter follows TensorFlow Lite's integer arithmetic",
  ]);
  const bad = utvm(['run', AD, '--target', 'referense']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /unknown --target 'referense' \(did you mean 'reference'\?\); choose one of: host, qemu, reference/);
});

test.run();
