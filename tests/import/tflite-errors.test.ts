/**
 * TensorFlow Lite import, bad input: each case runs `utvm-aot inspect x.tflite` as a user would and
 * checks the exit status (1) and the exact one-line message; then random truncations and byte flips of
 * a real model, imported in-process, must only ever fail with a UtvmError (never a RangeError or a hang).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { importTflite, supportedTfliteOps } from '../../src/import/tflite.js';
import { ROOT, assertFails, utvm } from '../util/cli.js';
import { mulberry32 } from '../util/random.js';
import { ModelSpec, OpSpec, TensorSpec, activationOptions, buildTflite, conv2dOptions } from '../util/tflite-build.js';
import { OptionsType } from '../../src/import/tflite-options.js';

const KWS = join(ROOT, '..', 'shared', 'models', 'mlperf-tiny', 'kws', 'kws_ref_model.tflite');
const SUPPORTED = supportedTfliteOps().join(', ');

let scratch = '';
let caseNo = 0;

test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-tflite-err-'));
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Writes `bytes` to a fresh file and runs `inspect` on it; returns the file's path and the result. */
function inspect(bytes: Uint8Array) {
  const file = join(scratch, `case${caseNo++}.tflite`);
  writeFileSync(file, bytes);
  return { file, r: utvm(['inspect', file]) };
}

/** A one-operator float model x[1,4,4,2] → op → y, with the operator and tensors patched by the case. */
function oneOp(op: Partial<OpSpec>, tensors: Partial<TensorSpec>[] = [], extra: Partial<ModelSpec> = {}): Uint8Array {
  const base: TensorSpec[] = [
    { name: 'x', shape: [1, 4, 4, 2] },
    { name: 'w', shape: [3, 1, 1, 2], data: [1, 2, 3, 4, 5, 6] },
    { name: 'y', shape: [1, 4, 4, 3] },
  ];
  tensors.forEach((t, i) => (base[i] = { ...base[i], ...t }));
  return buildTflite({
    tensors: base,
    inputs: [0],
    outputs: [2],
    operators: [{ op: 'CONV_2D', inputs: [0, 1, -1], outputs: [2], options: conv2dOptions({ padding: 'SAME' }), ...op }],
    ...extra,
  });
}

const err = (code: string, file: string, message: string) => `utvm-aot: error ${code}: ${file}: ${message}`;

test('the one-operator model itself imports (the cases below each break one thing)', () => {
  const g = importTflite(oneOp({}), 'ok.tflite', 'ok');
  assert.equal(g.nodes.map((n) => n.op), ['conv2d']);
});

test('a truncated .tflite (the first 1000 bytes of kws_ref_model.tflite) → E_MODEL_FORMAT, exit 1', () => {
  const { file, r } = inspect(readFileSync(KWS).subarray(0, 1000));
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, 'truncated or corrupt TensorFlow Lite file: Model.operator_codes at byte 53808 (+4) is outside the 1000-byte file')]);
});

test('a file too short for a flatbuffer → E_MODEL_FORMAT', () => {
  const { file, r } = inspect(Uint8Array.of(1, 2, 3, 4, 5));
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, 'truncated or corrupt TensorFlow Lite file: the file is 5 bytes long, too short for a flatbuffer')]);
});

test('a wrong file identifier → E_MODEL_FORMAT naming it', () => {
  const bytes = oneOp({});
  bytes.set([0x54, 0x46, 0x4c, 0x32], 4); // "TFL2"
  const { file, r } = inspect(bytes);
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, "not a TensorFlow Lite model (file identifier 'TFL2', expected 'TFL3')")]);
});

test('a root offset out of range → E_MODEL_FORMAT', () => {
  const bytes = oneOp({});
  new DataView(bytes.buffer).setUint32(0, 0x7ffffff0, true);
  const { file, r } = inspect(bytes);
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, `truncated or corrupt TensorFlow Lite file: Model at byte ${0x7ffffff0} (+4) is outside the ${bytes.length}-byte file`)]);
});

test('a vector whose length runs past the end of the file → E_MODEL_FORMAT', () => {
  const bytes = oneOp({});
  // The 6 float weights sit in a buffer vector: find its length field (6 × 4 = 24 bytes) and inflate it.
  const view = new DataView(bytes.buffer);
  const weights = new Uint8Array(Float32Array.of(1, 2, 3, 4, 5, 6).buffer);
  let at = -1;
  for (let i = 4; i + 28 <= bytes.length && at < 0; i += 4) {
    if (view.getUint32(i, true) === 24 && weights.every((b, k) => bytes[i + 4 + k] === b)) at = i;
  }
  assert.ok(at > 0, 'found the weights');
  view.setUint32(at, 1 << 30, true);
  const { file, r } = inspect(bytes);
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, `truncated or corrupt TensorFlow Lite file: Model.buffers[1].data (${1 << 30} elements) at byte ${at + 4} (+${1 << 30}) is outside the ${bytes.length}-byte file`)]);
});

test('an unknown operator → E_UNSUPPORTED_OP naming the builtin, its code, version, operator and the supported set', () => {
  const { file, r } = inspect(oneOp({ op: 'REDUCE_PROD', version: 3, inputs: [0], options: undefined }));
  assertFails(r, 1, [err('E_UNSUPPORTED_OP', file, `operator 'REDUCE_PROD' (builtin 81, version 3) at operator #0 (output 'y') is not supported; supported TensorFlow Lite operators: ${SUPPORTED}`)]);
});

test('an operator version we do not handle → E_UNSUPPORTED_ATTR naming op and version', () => {
  const { file, r } = inspect(oneOp({ version: 7 }));
  assertFails(r, 1, [err('E_UNSUPPORTED_ATTR', file, "operator #0 CONV_2D (output 'y'): CONV_2D version 7 is not supported (versions 1 to 6 are)")]);
});

test('more than one subgraph → E_UNSUPPORTED_ATTR', () => {
  const { file, r } = inspect(oneOp({}, [], { extraSubgraphs: 1 }));
  assertFails(r, 1, [err('E_UNSUPPORTED_ATTR', file, 'the model has 2 subgraphs; exactly one is supported (no control flow)')]);
});

test('a tensor type outside int8/uint8/int16/int32/int64/float32 → E_UNSUPPORTED_TYPE naming the tensor', () => {
  const { file, r } = inspect(oneOp({}, [{ type: 'float16' }]));
  assertFails(r, 1, [err('E_UNSUPPORTED_TYPE', file, "tensor 'x' has type FLOAT16; supported: FLOAT32, INT8, UINT8, INT16, INT32, INT64")]);
});

test('uint8 tensors an operator other than QUANTIZE / DEQUANTIZE reads (a uint8-quantized model) → one line naming the operator and the types it takes (its TfliteOpDef.types)', () => {
  const q = { scale: [0.5], zeroPoint: [128] };
  const { file, r } = inspect(oneOp({}, [{ type: 'uint8', quant: q }, { type: 'uint8', quant: q }, { type: 'uint8', quant: q }]));
  assertFails(r, 1, [err('E_UNSUPPORTED_TYPE', file, "operator #0 CONV_2D (output 'y'): CONV_2D on uint8 tensors is not supported (float32, int8, int16 are)")]);
});

test('a fused TANH → E_UNSUPPORTED_ATTR', () => {
  const { file, r } = inspect(oneOp({ options: conv2dOptions({ padding: 'SAME', activation: 4 }) }));
  assertFails(r, 1, [err('E_UNSUPPORTED_ATTR', file, "operator #0 CONV_2D (output 'y'): fused activation TANH is not supported")]);
});

test('options of the wrong type for the operator → E_MODEL_FORMAT', () => {
  const { file, r } = inspect(oneOp({ options: activationOptions(OptionsType.AddOptions, 0) }));
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, 'truncated or corrupt TensorFlow Lite file: operator #0 CONV_2D has builtin options of type 11, expected 1')]);
});

test('a zero stride → E_MODEL_INVALID', () => {
  const { file, r } = inspect(oneOp({ options: conv2dOptions({ padding: 'SAME', stride: [0, 1] }) }));
  assertFails(r, 1, [err('E_MODEL_INVALID', file, "operator #0 CONV_2D (output 'y'): stride_h 0 must be a positive integer")]);
});

test('an unknown dimension other than the batch → E_SHAPE', () => {
  const { file, r } = inspect(oneOp({}, [{ shapeSignature: [1, -1, 4, 2] }]));
  assertFails(r, 1, [err('E_SHAPE', file, "tensor 'x' has an unknown dimension 1 (shape_signature [1,-1,4,2]); only the batch dimension may be dynamic")]);
});

test('an output shape that disagrees with the operator → E_SHAPE', () => {
  const { file, r } = inspect(oneOp({}, [{}, {}, { shape: [1, 4, 4, 5] }]));
  assertFails(r, 1, [err('E_SHAPE', file, "operator #0 CONV_2D (output 'y'): the output shape is [1,4,4,3] but the model says [1,4,4,5]")]);
});

test('a tensor index out of range → E_MODEL_FORMAT', () => {
  const { file, r } = inspect(oneOp({ inputs: [0, 9] }));
  assertFails(r, 1, [err('E_MODEL_FORMAT', file, 'truncated or corrupt TensorFlow Lite file: operator #0 input 1 refers to tensor 9 of 3')]);
});

test('fuzz: truncations and byte flips of a real model fail only with UtvmError', () => {
  const base = readFileSync(KWS.replace('kws_ref_model.tflite', 'kws_ref_model_float32.tflite'));
  const rng = mulberry32(2024);
  const seen = new Map<string, number>();
  for (let i = 0; i < 600; i++) {
    let bytes: Uint8Array = Uint8Array.from(base);
    if (i % 3 === 0) bytes = bytes.subarray(0, Math.floor(rng() * base.length));
    else {
      // Flips in the first 4 KB hit the tables (the weights come last); elsewhere anything.
      const span = i % 3 === 1 ? Math.min(4096, base.length) : base.length;
      for (let k = 0; k < 1 + Math.floor(rng() * 8); k++) bytes[Math.floor(rng() * span)] = Math.floor(rng() * 256);
    }
    try {
      importTflite(bytes, 'fuzz.tflite', 'fuzz');
      seen.set('ok', (seen.get('ok') ?? 0) + 1);
    } catch (e) {
      if (!(e instanceof UtvmError)) throw new Error(`case ${i}: ${(e as Error).stack}`);
      assert.ok(!e.message.includes('\n'), 'one line');
      seen.set(e.code, (seen.get(e.code) ?? 0) + 1);
    }
  }
  assert.ok((seen.get('E_MODEL_FORMAT') ?? 0) > 100, `errors seen: ${[...seen]}`);
});

test.run();
