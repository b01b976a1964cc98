/**
 * The committed CIFAR-10 sample (samples/cifar10/) is exactly what samples/cifar10/make-model.ts builds,
 * and ONNX Runtime runs it to a proper probability vector. If this fails after a deliberate change to
 * the sample, regenerate the files: npx tsc -p . && node dist/samples/cifar10/make-model.js
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { buildCifar10Input, buildCifar10Model, repoRoot } from '../../samples/cifar10/make-model.js';
import { runOnnxRuntime } from '../util/ort.js';

const sampleDir = join(repoRoot(), 'samples', 'cifar10');
const REGENERATE = 'regenerate with: npx tsc -p . && node dist/samples/cifar10/make-model.js';

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length differs; ${REGENERATE}`);
  const at = actual.findIndex((b, i) => b !== expected[i]);
  assert.is(at, -1, `${what}: first differing byte at ${at}; ${REGENERATE}`);
}

test('cifar10.onnx is what make-model.ts builds, byte for byte', () => {
  const committed = new Uint8Array(readFileSync(join(sampleDir, 'cifar10.onnx')));
  sameBytes(buildCifar10Model(), committed, 'cifar10.onnx');
  sameBytes(buildCifar10Model(), committed, 'cifar10.onnx (second build)');
});

test('input.npy is what make-model.ts builds, byte for byte', () => {
  const input = buildCifar10Input();
  const committed = new Uint8Array(readFileSync(join(sampleDir, 'input.npy')));
  sameBytes(encodeNpy(input.dtype, input.shape, input.data), committed, 'input.npy');
  const parsed = parseNpy(committed, 'input.npy');
  assert.equal(parsed.shape, [1, 3, 32, 32]);
  assert.ok(Array.from(input.data).every((v) => v >= 0 && v <= 1), 'image values in [0, 1]');
});

test('onnxruntime runs the sample to a 10-way probability vector', async () => {
  const [scores] = await runOnnxRuntime(buildCifar10Model(), [buildCifar10Input()]);
  assert.is(scores.name, 'scores');
  assert.is(scores.dtype, 'float32');
  assert.equal(scores.shape, [1, 10]);
  const p = Array.from(scores.data as Float32Array);
  assert.ok(p.every((v) => Number.isFinite(v) && v > 0 && v < 1), `scores: ${p}`);
  const sum = p.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) <= 1e-5, `sum of scores ${sum}`);
  assert.ok(Math.max(...p) < 0.9, 'the softmax is not one-hot');
});

test.run();
