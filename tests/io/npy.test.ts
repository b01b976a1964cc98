/**
 * Tests of src/io/npy.ts: round trips for every dtype, the exact header numpy.save writes, reading
 * versions 2.0/3.0 and headers numpy could have written differently, and every rejection message.
 * When python3 with numpy is present (not on CI), files are also cross-checked against numpy itself.
 */

import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { DType, TensorData, fromNumbers } from '../../src/ir/dtype.js';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';

const latin1 = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A .npy file of any version with a hand-written header (no padding unless the header has it). */
function npyFile(major: number, header: string, body: Uint8Array): Uint8Array {
  const headerBytes = major === 3 ? new TextEncoder().encode(header) : ascii(header);
  const lengthSize = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthSize + headerBytes.length + body.length);
  out.set(ascii('\x93NUMPY'), 0);
  out[6] = major;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 8 + lengthSize);
  out.set(body, 8 + lengthSize + headerBytes.length);
  return out;
}

/** Asserts that parsing throws E_INPUT_FILE with exactly `message`. */
function rejects(bytes: Uint8Array, message: string): void {
  try {
    parseNpy(bytes, 'in.npy');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_INPUT_FILE');
    assert.is((e as UtvmError).message, message);
    return;
  }
  assert.unreachable(`expected the error: ${message}`);
}

function sameData(actual: TensorData, expected: TensorData): void {
  assert.is(actual.constructor, expected.constructor);
  const list = (d: TensorData): (number | bigint)[] => Array.from(d as ArrayLike<number | bigint>);
  assert.equal(list(actual), list(expected));
}

const SAMPLES: Record<DType, TensorData> = {
  float32: Float32Array.from([0, -0, 1.5, -3.25e-8, 3.4028234663852886e38, Infinity, -Infinity]),
  float64: Float64Array.from([0, 0.1, -1e300, 5e-324, Math.PI, Infinity, -2]),
  int8: Int8Array.from([-128, -1, 0, 1, 127, 5, -6]),
  uint8: Uint8Array.from([0, 1, 127, 128, 255, 7, 9]),
  int16: Int16Array.from([-32768, -1, 0, 1, 32767, 300, -300]),
  int32: Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 70000, -70000]),
  int64: BigInt64Array.from([-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n, 2n ** 53n + 1n, -5n]),
  bool: Uint8Array.from([0, 1, 1, 0, 0, 1, 0]),
};

for (const [dtype, data] of Object.entries(SAMPLES) as [DType, TensorData][]) {
  test(`round trip ${dtype}`, () => {
    const bytes = encodeNpy(dtype, [7], data);
    const back = parseNpy(bytes, 'x.npy');
    assert.is(back.dtype, dtype);
    assert.equal(back.shape, [7]);
    sameData(back.data, data);
    assert.ok(Object.is(parseNpy(encodeNpy(dtype, [1, 7, 1], data), 'x.npy').data[1], data[1]));
  });
}

test('round trip NaN, scalar and empty shapes', () => {
  const nan = parseNpy(encodeNpy('float32', [1], Float32Array.of(NaN)), 'x.npy');
  assert.ok(Number.isNaN(nan.data[0]));
  const scalar = parseNpy(encodeNpy('int32', [], Int32Array.of(42)), 'x.npy');
  assert.equal(scalar.shape, []);
  sameData(scalar.data, Int32Array.of(42));
  const empty = parseNpy(encodeNpy('float64', [0, 3], new Float64Array(0)), 'x.npy');
  assert.equal(empty.shape, [0, 3]);
  assert.is(empty.data.length, 0);
});

test('header layout is exactly what numpy.save writes', () => {
  const bytes = encodeNpy('float32', [1, 3, 32, 32], new Float32Array(3072));
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }";
  assert.is(latin1(bytes.subarray(0, 10)), '\x93NUMPY\x01\x00\x76\x00');
  assert.is(latin1(bytes.subarray(10, 128)), dict + ' '.repeat(117 - dict.length) + '\n');
  assert.is(bytes.length, 128 + 3072 * 4);
  const one = encodeNpy('bool', [3], Uint8Array.of(1, 0, 1));
  assert.is(latin1(one.subarray(10, 40)), "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }".slice(0, 30));
  const scalar = latin1(encodeNpy('float32', [], Float32Array.of(1)).subarray(10, 128));
  assert.is(scalar, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }".padEnd(117) + '\n');
});

test('data starts at a multiple of 64 bytes; the header ends with a newline', () => {
  const shapes = [[], [1], [12345678901, 0], [2, 3], [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2], Array(30).fill(1)];
  for (const shape of shapes) {
    const count = shape.reduce((a, b) => a * b, 1);
    const bytes = encodeNpy('int8', shape, new Int8Array(count));
    const headerLength = bytes[8] | (bytes[9] << 8);
    assert.is((10 + headerLength) % 64, 0, `shape [${shape}]`);
    assert.is(bytes[10 + headerLength - 1], 0x0a);
  }
});

test('encodeNpy rejects mismatched arrays', () => {
  assert.throws(() => encodeNpy('float32', [2], new Float32Array(3)), /3 elements for shape \[2\]/);
  assert.throws(() => encodeNpy('float32', [2], new Int32Array(2)), /Int32Array does not hold float32/);
  assert.throws(() => encodeNpy('int64', [1], new Float64Array(1)), /Float64Array does not hold int64/);
});

test('reads versions 2.0 and 3.0', () => {
  const body = new Uint8Array(Float32Array.of(1, 2).buffer);
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  for (const major of [2, 3]) {
    const got = parseNpy(npyFile(major, header, body), 'v.npy');
    assert.equal(got.shape, [2]);
    sameData(got.data, Float32Array.of(1, 2));
  }
  const utf8 = "{'descr': '<i2', 'fortran_order': False, 'shape': (1,), 'é': 'ü'}\n";
  const keys = 'keys are {descr, fortran_order, shape, é}, expected {descr, fortran_order, shape}';
  rejects(npyFile(3, utf8, new Uint8Array(2)), `in.npy: malformed .npy header: ${keys}`);
});

test('reads headers in other key orders, quotes and spacing, at any alignment', () => {
  const body = new Uint8Array(Int16Array.of(0, 0, 0, 0, 0, 0, -2).buffer);
  const header = '{ "shape" : ( 7 , ) ,"fortran_order":False,"descr":"<i2" }  \n';
  assert.is((10 + header.length) % 2, 1); // the data sits at an odd offset
  const got = parseNpy(npyFile(1, header, body), 'o.npy');
  assert.is(got.dtype, 'int16');
  assert.equal(got.shape, [7]);
  sameData(got.data, fromNumbers('int16', [0, 0, 0, 0, 0, 0, -2]));
});

test('rejects files that are not .npy, of other versions, or of the wrong length', () => {
  const good = encodeNpy('float32', [2], Float32Array.of(1, 2));
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  const notNpy = 'in.npy: not a .npy file (no \\x93NUMPY magic)';
  rejects(ascii('PK\x03\x04 this is a zip'), notNpy);
  rejects(ascii('\x93NUM'), notNpy);
  const version = 'unsupported .npy format version 4.0 (1.0, 2.0 and 3.0 are supported)';
  rejects(npyFile(4, '{}', new Uint8Array(0)), `in.npy: ${version}`);
  rejects(good.subarray(0, 9), 'in.npy: truncated .npy file (9 bytes, header length missing)');
  rejects(good.subarray(0, 100), 'in.npy: truncated .npy file (header needs 128 bytes, file has 100)');
  const need = 'shape (2) of <f4 needs 8 data bytes';
  rejects(good.subarray(0, 132), `in.npy: truncated .npy data: ${need}, file has 4`);
  rejects(longer, `in.npy: unexpected bytes after the .npy data: ${need}, file has 9`);
});

const SUPPORTED = '(supported: <f4 <f8 |i1 |u1 <i2 <i4 <i8 |b1)';
const NOT_A_VALUE = 'malformed .npy header: expected True, False, a string or a tuple at offset';

/** Header dicts and the message each must be rejected with (after 'in.npy: '). */
const BAD_HEADERS: [string, string][] = [
  ["{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", `unsupported dtype '>f4' ${SUPPORTED}`],
  ["{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", `unsupported dtype '<c8' ${SUPPORTED}`],
  [
    "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
    'fortran_order arrays are not supported; save a C-ordered array (numpy.ascontiguousarray)',
  ],
  [
    "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
    'unsupported dtype: structured arrays are not supported',
  ],
  [
    "{'descr': '<f4', 'shape': (2,), }",
    'malformed .npy header: keys are {descr, shape}, expected {descr, fortran_order, shape}',
  ],
  [
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }",
    'malformed .npy header: expected a dimension at offset 54',
  ],
  ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "malformed .npy header: expected ',' or '}' at the end"],
  ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", `${NOT_A_VALUE} 34`],
  ["{'descr': '<f4', 'fortran_order': False, 'shape': 2}", `${NOT_A_VALUE} 50`],
  ["{'descr': 4, 'fortran_order': False, 'shape': (2,)}", `${NOT_A_VALUE} 10`],
  [
    "{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}",
    'malformed .npy header: fortran_order is not True or False',
  ],
  ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 'malformed .npy header: text after the closing brace'],
];

test('rejects unsupported and malformed headers', () => {
  for (const [dict, message] of BAD_HEADERS) rejects(npyFile(1, dict + '\n', new Uint8Array(8)), `in.npy: ${message}`);
});

// ---------------------------------------------------------------------------------------------------
// Cross-check with numpy, when it is installed

const PY_CASES: [DType, number[], number[]][] = [
  ['float32', [2, 3], [0, 1.5, -2.25, 1e-30, 3e38, -7]],
  ['float64', [3], [0.1, -1e300, 5e-324]],
  ['int8', [1, 4], [-128, -1, 0, 127]],
  ['uint8', [2, 2], [0, 1, 128, 255]],
  ['int16', [3], [-32768, 0, 32767]],
  ['int32', [2, 1, 1], [-2147483648, 2147483647]],
  ['int64', [2], [-9007199254740991, 9007199254740991]],
  ['bool', [4], [1, 0, 0, 1]],
  ['float32', [], [42]],
  ['int8', [0, 5], []],
];

const PY_SCRIPT = `
import sys, io, json, base64, numpy as np
names = {'float32': '<f4', 'float64': '<f8', 'int8': '|i1', 'uint8': '|u1',
         'int16': '<i2', 'int32': '<i4', 'int64': '<i8', 'bool': '|b1'}
for dtype, shape, values in json.load(sys.stdin):
    b = io.BytesIO()
    np.save(b, np.array(values, dtype=np.dtype(names[dtype])).reshape(shape))
    print(base64.b64encode(b.getvalue()).decode())
`;

function numpyFiles(): Uint8Array[] | undefined {
  const run = spawnSync('python3', ['-c', PY_SCRIPT], { input: JSON.stringify(PY_CASES), encoding: 'utf8' });
  if (run.error || run.status !== 0) return undefined;
  return run.stdout.trim().split('\n').map((line) => new Uint8Array(Buffer.from(line, 'base64')));
}

test('cross-check with numpy.save (skipped without python3 + numpy)', () => {
  const files = numpyFiles();
  if (!files) return console.log('  (numpy not available: cross-check skipped)');
  PY_CASES.forEach(([dtype, shape, values], i) => {
    const ours = encodeNpy(dtype, shape, fromNumbers(dtype, values));
    assert.is(latin1(ours), latin1(files[i]), `${dtype} [${shape}]`);
    const theirs = parseNpy(files[i], 'numpy.npy');
    assert.is(theirs.dtype, dtype);
    assert.equal(theirs.shape, shape);
    sameData(theirs.data, fromNumbers(dtype, values));
  });
});

test.run();
