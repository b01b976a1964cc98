/**
 * Import limits and hostile structure (issue 12; each case is a failure the fuzzer found or the issue
 * measured): sizes checked before anything is allocated, unique names, no identity cycles, TFLite offsets
 * as the flatbuffers verifier demands, and every message one line. Exact messages throughout.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError, oneLine, quote } from '../../src/diagnostics.js';
import { compile } from '../../src/compile.js';
import { importOnnx } from '../../src/import/onnx.js';
import { importTflite } from '../../src/import/tflite.js';
import { HOST_MAX_BYTES, MAX_FOLD_WORK, largestMemory } from '../../src/import/limits.js';
import { checkFit } from '../../src/emit/fit.js';
import { loadBoard } from '../../src/emit/boards.js';
import type { Program } from '../../src/emit/program.js';
import { ROOT, assertFails, utvm } from '../util/cli.js';
import { OnnxModelBuilder, encodeModel as encode, tensor } from '../util/onnx-build.js';

const KWS = join(ROOT, '..', 'shared', 'models', 'mlperf-tiny', 'kws', 'kws_ref_model.tflite');

/** The UtvmError `f` throws (fails the test when it throws something else or nothing). */
function refusal(f: () => unknown): UtvmError {
  try {
    f();
  } catch (e) {
    if (e instanceof UtvmError) return e;
    throw e;
  }
  throw new Error('expected a UtvmError');
}

const onnxError = (bytes: Uint8Array) => refusal(() => importOnnx(bytes, 'm.onnx', 'm'));

/** x[shape] → Relu → y. */
function reluModel(shape: number[]): Uint8Array {
  const m = new OnnxModelBuilder();
  m.input('x', 'float32', shape);
  m.node('Relu', ['x'], {}, { name: 'relu', outputs: ['y'] });
  m.output('y', 'float32', shape);
  return m.encode();
}

test('the limit is the largest memory of any board: 16 MiB, qemu-mps2-an500 PSRAM', () => {
  assert.equal(largestMemory(), { bytes: 16 * 1024 * 1024, where: "qemu-mps2-an500's PSRAM" });
});

test('input [1e9, 2] (the 77-byte model that ran 403 s and took 8 GB) is refused at once, naming the limit', () => {
  const bytes = reluModel([1e9, 2]);
  const t0 = performance.now();
  const e = onnxError(bytes);
  assert.ok(performance.now() - t0 < 1000, 'refused in well under a second');
  assert.is(e.code, 'E_MODEL_INVALID');
  assert.is(e.message, "m.onnx: graph input 'x' float32[1000000000,2] needs 8000000000 bytes, more than the 16777216 bytes of the largest memory of any board (qemu-mps2-an500's PSRAM)");
});

test('a batch of 65,536 is refused (it compiled for 120 s into a 335 MB main.c)', () => {
  const e = onnxError(reluModel([65536, 3, 32, 32]));
  assert.is(e.message, "m.onnx: graph input 'x' float32[65536,3,32,32] needs 805306368 bytes, more than the 16777216 bytes of the largest memory of any board (qemu-mps2-an500's PSRAM)");
});

test('negative and 2^31 dimensions are refused before any typed array is allocated', () => {
  const neg = new OnnxModelBuilder();
  neg.input('x', 'float32', [2]);
  const proto = neg.toProto();
  proto.graph!.initializer = [{ name: 'w', dataType: 1, dims: [-1, 2], rawData: new Uint8Array(8) }];
  proto.graph!.node = [{ opType: 'Add', input: ['x', 'w'], output: ['y'], name: 'add' }];
  proto.graph!.output = [{ name: 'y' }];
  assert.is(onnxError(encode(proto)).message, "m.onnx: initializer 'w' has shape [-1,2]: dimension 0 is -1; dimensions must be integers from 0 to 2147483647");
  assert.is(onnxError(reluModel([1, -5])).message, "m.onnx: graph input 'x' has shape [1,-5]: dimension 1 is -5; dimensions must be integers from 1 to 2147483647");
  assert.is(onnxError(reluModel([2 ** 31, 1])).message, "m.onnx: graph input 'x' has shape [2147483648,1]: dimension 0 is 2147483648; dimensions must be integers from 1 to 2147483647");
});

test('constant folding is checked before evaluate allocates: ConstantOfShape [65536, 65536]', () => {
  const m = new OnnxModelBuilder();
  m.input('x', 'float32', [1]);
  m.initializer('shape', 'int64', [2], [65536n, 65536n]);
  m.node('ConstantOfShape', ['shape'], {}, { name: 'big', outputs: ['c'] });
  m.node('Add', ['x', 'c'], {}, { name: 'add', outputs: ['y'] });
  m.output('y', 'float32', [65536, 65536]);
  assert.is(onnxError(m.encode()).message, "m.onnx: node 'big' (ConstantOfShape): output 0 float32[65536,65536] needs 17179869184 bytes, more than the 16777216 bytes of the largest memory of any board (qemu-mps2-an500's PSRAM)");
});

test('folding work is bounded: a 143-byte model multiplying two folded 1024 × 1024 constants (39 s before) is refused', () => {
  const model = (n: number) => {
    const m = new OnnxModelBuilder();
    m.input('x', 'float32', [n, n]);
    m.initializer('shape', 'int64', [2], [BigInt(n), BigInt(n)]);
    m.node('ConstantOfShape', ['shape'], { value: tensor('float32', [1], [1]) }, { name: 'ones', outputs: ['c'] });
    m.node('MatMul', ['c', 'c'], {}, { name: 'square', outputs: ['d'] });
    m.node('Add', ['x', 'd'], {}, { name: 'add', outputs: ['y'] });
    m.output('y', 'float32', [n, n]);
    return m.encode();
  };
  const t0 = performance.now();
  const e = onnxError(model(1024));
  assert.ok(performance.now() - t0 < 2000, 'refused before the product is computed');
  assert.is(e.message, `m.onnx: node 'square' (MatMul): folding the model's constants at compile time takes more than ${MAX_FOLD_WORK} element operations (this node: 1073741824)`);
  const g = importOnnx(model(64), 'm.onnx', 'm');
  assert.equal([...g.tensor(g.nodes[0].inputs[1]).data!.slice(0, 2)], [64, 64], 'a small product still folds');
});

test('a graph input renamed onto another tensor: one line naming it, not "internal: duplicate tensor"', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  m.input('Y', 'float32', [1, 1, 2, 2]);
  m.input('Y', 'int64', [4]);
  m.node('Relu', ['Y'], {}, { name: 'r', outputs: ['Z'] });
  m.output('Z', 'float32', [1, 1, 2, 2]);
  assert.is(onnxError(m.encode()).message, "m.onnx: graph input 'Y' is defined twice (tensor names must be unique)");

  const n = new OnnxModelBuilder();
  n.input('x', 'float32', [4]);
  n.node('Relu', ['x'], {}, { name: 'r', outputs: ['x'] });
  n.output('x', 'float32', [4]);
  assert.is(onnxError(n.encode()).message, "m.onnx: node 'r' (Relu): output 'x' is defined twice");

  const o = new OnnxModelBuilder();
  o.input('x', 'float32', [4]);
  o.initializer('w', 'float32', [4], [1, 2, 3, 4]);
  o.initializer('w', 'float32', [4], [1, 2, 3, 4]);
  o.node('Add', ['x', 'w'], {}, { name: 'a', outputs: ['y'] });
  o.output('y', 'float32', [4]);
  assert.is(onnxError(o.encode()).message, "m.onnx: initializer 'w' is defined twice (tensor names must be unique)");
});

test('an Identity that reads its own output: one line, not "internal: alias cycle"', () => {
  const m = new OnnxModelBuilder();
  m.input('x', 'float32', [4]);
  m.node('Identity', ['y'], {}, { name: 'self', outputs: ['y'] });
  m.output('y', 'float32', [4]);
  assert.is(onnxError(m.encode()).message, "m.onnx: node 'self' (Identity): output 'y' is also its input (a cycle)");
});

test('empty names and omitted required inputs are refused, not read as undefined', () => {
  const m = new OnnxModelBuilder();
  m.input('x', 'float32', [1, 1, 4, 4]);
  m.node('AveragePool', [], { kernel_shape: [2, 2] }, { name: 'pool', outputs: ['y'] });
  m.output('y', 'float32', [1, 1, 2, 2]);
  assert.is(onnxError(m.encode()).message, "m.onnx: node 'pool' (AveragePool): a required input is missing");

  const n = new OnnxModelBuilder();
  n.input('', 'float32', [2, 3]);
  n.node('Flatten', [''], {}, { name: 'f', outputs: ['y'] });
  n.output('y', 'float32', [2, 3]);
  assert.is(onnxError(n.encode()).message, 'm.onnx: a graph input has an empty name (in ONNX an empty name means an omitted input)');
});

test('names with control characters are shown escaped: every message is one line', () => {
  const m = new OnnxModelBuilder();
  m.input('x', 'float32', [4]);
  m.node('Hardmax', ['x'], {}, { name: 'gelu\n*/ #error\r\u2028', outputs: ['y'] });
  m.output('y', 'float32', [4]);
  const e = onnxError(m.encode());
  assert.ok(e.message.startsWith("m.onnx: operator 'Hardmax' at node 'gelu\\n*/ #error\\r\\u2028' (#0) is not supported; supported ONNX operators: "), e.message);
  assert.is(oneLine('a\u0000b\u001bc\u0085d\te'), 'a\\x00b\\x1bc\\x85d\\te');
  assert.is(quote('x'.repeat(10_000)), `'${'x'.repeat(256)}…(10000 characters)'`);
  assert.is(quote('y'.repeat(256)), `'${'y'.repeat(256)}'`);
  assert.is(new UtvmError('E_SHAPE', 'two\nlines').message, 'two\\nlines');
});

// ---------------------------------------------------------------------------------------------------
// TensorFlow Lite: the offsets the flatbuffers verifier refuses

/** Position of field `id` of the table at `pos` (0 when absent). */
function fieldPos(v: DataView, pos: number, id: number): number {
  const vt = pos - v.getInt32(pos, true);
  const slot = 4 + 2 * id;
  if (slot + 2 > v.getUint16(vt, true)) return 0;
  const off = v.getUint16(vt + slot, true);
  return off ? pos + off : 0;
}
const deref = (v: DataView, p: number) => p + v.getUint32(p, true);

/** The position of the offset field `zero_point` of the kws input tensor's quantization. */
function kwsInputZeroPointField(v: DataView): { field: number; tensor: number } {
  const model = deref(v, 0);
  const subgraph = deref(v, deref(v, fieldPos(v, model, 2)) + 4);
  const input = v.getInt32(deref(v, fieldPos(v, subgraph, 1)) + 4, true);
  const tensors = deref(v, fieldPos(v, subgraph, 0));
  const tensor = deref(v, tensors + 4 + 4 * input);
  const quant = deref(v, fieldPos(v, tensor, 4));
  return { field: fieldPos(v, quant, 3), tensor: input };
}

test('a zero offset (which the verifier refuses) is an error, not an empty zero-point vector (zp 0 instead of 83)', () => {
  const bytes = new Uint8Array(readFileSync(KWS));
  const g = importTflite(bytes, 'kws.tflite', 'kws');
  assert.equal(g.tensor(g.inputs[0]).quant?.zeroPoint, [83]);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { field, tensor } = kwsInputZeroPointField(v);
  v.setUint32(field, 0, true);
  const e = refusal(() => importTflite(bytes, 'kws.tflite', 'kws'));
  assert.is(e.code, 'E_MODEL_FORMAT');
  assert.is(e.message, `kws.tflite: truncated or corrupt TensorFlow Lite file: Model.subgraphs[0].tensors[${tensor}].quantization.zero_point: offset 0 at byte ${field} (an offset may not point to itself)`);
  v.setUint32(field, 0x80000000, true);
  assert.is(refusal(() => importTflite(bytes, 'kws.tflite', 'kws')).message, `kws.tflite: truncated or corrupt TensorFlow Lite file: Model.subgraphs[0].tensors[${tensor}].quantization.zero_point: offset 2147483648 at byte ${field} is 2^31 or more`);
});

test('misaligned offsets and strings without their terminator are refused as the verifier does', () => {
  const bytes = new Uint8Array(readFileSync(KWS));
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { field, tensor } = kwsInputZeroPointField(v);
  v.setUint32(field, v.getUint32(field, true) + 2, true);
  const at = field + v.getUint32(field, true);
  assert.is(refusal(() => importTflite(bytes, 'kws.tflite', 'kws')).message, `kws.tflite: truncated or corrupt TensorFlow Lite file: Model.subgraphs[0].tensors[${tensor}].quantization.zero_point at byte ${at} is not 4-byte aligned`);

  const named = new Uint8Array(readFileSync(KWS));
  const w = new DataView(named.buffer, named.byteOffset, named.byteLength);
  const model = deref(w, 0);
  const subgraph = deref(w, deref(w, fieldPos(w, model, 2)) + 4);
  const t0 = deref(w, deref(w, fieldPos(w, subgraph, 0)) + 4);
  const name = deref(w, fieldPos(w, t0, 3));
  const length = w.getUint32(name, true);
  named[name + 4 + length] = 0x41;
  assert.is(refusal(() => importTflite(named, 'kws.tflite', 'kws')).message, `kws.tflite: truncated or corrupt TensorFlow Lite file: Model.subgraphs[0].tensors[0].name (${length} bytes) has no terminating 0 byte`);
});

test('arenas of 4 GiB and more are refused for the host too (uint32_t offsets): the host takes at most 1 GiB', () => {
  const host = loadBoard('host');
  const program = { name: 'big', arenaBytes: 2 ** 32, weightBytes: 0, inputs: [] } as unknown as Program;
  const e = refusal(() => checkFit(host, program));
  assert.is(e.code, 'E_DOES_NOT_FIT');
  assert.is(e.message, `model 'big' does not fit board 'host': the arena needs 4294967296 bytes, more than the ${HOST_MAX_BYTES} bytes the host takes`);
  assert.is(checkFit(host, { ...program, arenaBytes: HOST_MAX_BYTES } as Program), undefined);
});

test('through the CLI: exit 1 and one line, for a huge input and for names holding line breaks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-limits-'));
  try {
    const file = join(dir, 'huge.onnx');
    writeFileSync(file, reluModel([1e9, 2]));
    assert.ok(readFileSync(file).length < 200, 'a model of under 200 bytes');
    const r = utvm(['export', file, '-o', join(dir, 'out')]);
    assertFails(r, 1, [`utvm-aot: error E_MODEL_INVALID: ${file}: graph input 'x' float32[1000000000,2] needs 8000000000 bytes, more than the 16777216 bytes of the largest memory of any board (qemu-mps2-an500's PSRAM)`]);
    const m = new OnnxModelBuilder();
    m.input('x\r\n', 'float32', [4]);
    m.node('Relu', ['x\r\n'], {}, { name: 'n\n*/ #error injected', outputs: ['x\r\n'] });
    m.output('x\r\n', 'float32', [4]);
    const named = join(dir, 'named.onnx');
    writeFileSync(named, m.encode());
    assertFails(utvm(['inspect', named]), 1, [`utvm-aot: error E_MODEL_INVALID: ${named}: node 'n\\n*/ #error injected' (Relu): output 'x\\r\\n' is defined twice`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 16 MiB input, the most any tensor may hold, compiles for the host in seconds', () => {
  const t0 = performance.now();
  const r = compile(reluModel([1, 4, 1024, 1024]), 'm.onnx', { name: 'm', board: 'host' });
  assert.is(r.program.inputs[0].bytes, 16 * 1024 * 1024);
  assert.ok(performance.now() - t0 < 10_000, `compiled in ${Math.round(performance.now() - t0)} ms`);
});

test.run();
