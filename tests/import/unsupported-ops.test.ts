/**
 * "Say everything at once": a model with several unsupported operators fails with ONE E_UNSUPPORTED_OP
 * line naming each distinct operator once, with its nodes (index, and name or output), at most three
 * nodes then "and N more", followed by the supported set; checked through the CLI (exit 1, one line).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UtvmError } from '../../src/diagnostics.js';
import { importOnnx, supportedOnnxOps } from '../../src/import/onnx.js';
import { importTflite, supportedTfliteOps } from '../../src/import/tflite.js';
import { assertFails, utvm } from '../util/cli.js';
import { OnnxModelBuilder, encodeModel } from '../util/onnx-build.js';
import { OpSpec, buildTflite, conv2dOptions } from '../util/tflite-build.js';

let scratch = '';
test.before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'utvm-unsupported-'));
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function write(name: string, bytes: Uint8Array): string {
  const file = join(scratch, name);
  writeFileSync(file, bytes);
  return file;
}

/** A chain x → op0 → t0 → op1 → t1 ... of float [1,4,4,2] tensors (the unsupported ones are refused before their inputs matter). */
function tfliteChain(ops: Partial<OpSpec>[]): Uint8Array {
  const tensors = [{ name: 'x', shape: [1, 4, 4, 2] }, ...ops.map((_, i) => ({ name: `t${i}`, shape: [1, 4, 4, 2] }))];
  return buildTflite({
    tensors,
    inputs: [0],
    outputs: [ops.length],
    operators: ops.map((o, i) => ({ op: 'RELU', inputs: [i], outputs: [i + 1], ...o })),
  });
}

const TFLITE_SUPPORTED = supportedTfliteOps().join(', ');
const ONNX_SUPPORTED = supportedOnnxOps().join(', ');

test('TFLite: three unsupported builtins (one twice, at two versions) and an unknown code, one line', () => {
  const bytes = tfliteChain([
    { op: 'SIN' },
    { op: 'REDUCE_PROD', version: 3 },
    { op: 'ADD' }, // supported: not named
    { op: 250 }, // no builtin of that code
    { op: 'SIN', version: 2 },
  ]);
  const file = write('three.tflite', bytes);
  const r = utvm(['inspect', file]);
  assertFails(r, 1, [
    `utvm-aot: error E_UNSUPPORTED_OP: ${file}: 3 operators are not supported: ` +
      "'SIN' (builtin 66, versions 1, 2) at operators #0 (output 't0'), #4 (output 't4'); " +
      "'REDUCE_PROD' (builtin 81, version 3) at operator #1 (output 't1'); " +
      "'BUILTIN_250' (builtin 250, version 1) at operator #3 (output 't3'); " +
      `supported TensorFlow Lite operators: ${TFLITE_SUPPORTED}`,
  ]);
});

test('TFLite: one operator at five nodes names three and counts the rest', () => {
  const ops: Partial<OpSpec>[] = [{ op: 'CONV_2D', inputs: [0, -1, -1], options: conv2dOptions({ padding: 'SAME' }) }];
  for (let i = 0; i < 5; i++) ops.push({ op: 'SIN' });
  let e: unknown;
  try {
    importTflite(tfliteChain(ops), 'm.tflite', 'm');
  } catch (err) {
    e = err;
  }
  assert.instance(e, UtvmError);
  assert.is((e as UtvmError).code, 'E_UNSUPPORTED_OP');
  assert.is(
    (e as UtvmError).message,
    `m.tflite: operator 'SIN' (builtin 66, version 1) at operators #1 (output 't1'), #2 (output 't2'), #3 (output 't3') and 2 more is not supported; supported TensorFlow Lite operators: ${TFLITE_SUPPORTED}`,
  );
});

test('ONNX: three unsupported op types (one twice, one in another domain, one node unnamed), one line', () => {
  const m = new OnnxModelBuilder({ opset: 13, domains: { 'com.example': 1 } });
  const x = m.input('x', 'float32', [1, 4]);
  const [a] = m.node('Hardmax', [x], {}, { name: 'erf1' });
  const [b] = m.node('Relu', [a], {}, { name: 'relu' });
  const [c] = m.node('Sin', [b], {}, { name: '' });
  const [d] = m.node('Hardmax', [c], {}, { name: 'erf2' });
  m.node('Gelu', [d], {}, { name: 'g\nelu', domain: 'com.example', outputs: ['y'] });
  m.output('y', 'float32', [1, 4]);
  const file = write('three.onnx', m.encode());
  const r = utvm(['export', file, '-o', join(scratch, 'out')]);
  assertFails(r, 1, [
    `utvm-aot: error E_UNSUPPORTED_OP: ${file}: 3 operators are not supported: ` +
      "'Hardmax' at nodes 'erf1' (#0), 'erf2' (#3); 'Sin' at node #2; 'com.example:Gelu' at node 'g\\nelu' (#4); " +
      `supported ONNX operators: ${ONNX_SUPPORTED}`,
  ]);
});

test('ONNX: the check comes before any initializer is decoded (a bad initializer is not reached)', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2]);
  m.initializer('w', 'float32', [2], [1, 2]);
  m.node('Hardmax', [x], {}, { name: 'e', outputs: ['y'] });
  m.output('y', 'float32', [2]);
  const proto = m.toProto();
  proto.graph!.initializer![0].dims = [-1, 2];
  let e: unknown;
  try {
    importOnnx(encodeModel(proto), 'm.onnx', 'm');
  } catch (err) {
    e = err;
  }
  assert.instance(e, UtvmError);
  assert.is((e as UtvmError).message, `m.onnx: operator 'Hardmax' at node 'e' (#0) is not supported; supported ONNX operators: ${ONNX_SUPPORTED}`);
});

test.run();
