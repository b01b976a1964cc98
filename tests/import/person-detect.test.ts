/**
 * person_detect.tflite (TFLite Micro's example): its 1-D bias tensors carry quantized_dimension = 3,
 * beyond their rank, which TFLite Micro ignores; we read one scale per element of a 1-D tensor as axis 0.
 * The model must import, and the host build must give TFLite Micro's bytes (tflm-run) on seeded random
 * int8 inputs, and layer by layer (every operator's output, from a debug build that keeps every tensor)
 * on one of them.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGraph } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import { TFLM_MODELS, runTflm, runTflmLayers } from '../util/tflm.js';
import { runWithIntermediates } from '../../src/run/debug.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';

const FILE = 'person_detect.tflite';
const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, FILE)));

test('person_detect: the 1-D biases with quantized_dimension 3 are read per channel along axis 0', () => {
  const g = loadGraph(bytes, FILE, 'person_detect');
  const biases = [...g.tensors.values()].filter((t) => /Conv2d_0\/Conv2D_bias$/.test(t.name));
  assert.is(biases.length, 1);
  assert.equal(biases[0].shape, [8]);
  assert.is(biases[0].quant?.axis, 0);
  assert.is(biases[0].quant?.scale.length, 8);
});

test('person_detect: host build = TFLite Micro on 4 seeded random int8 inputs', () => {
  const g = loadGraph(bytes, FILE, 'person_detect');
  const input = g.tensor(g.inputs[0]);
  assert.is(input.dtype, 'int8');
  const n = input.shape.reduce((a, b) => a * b, 1);
  const rng = mulberry32(1306);
  const cases: TensorValue[] = [1, 2, 3, 4].map(() => ({ dtype: 'int8', shape: input.shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) }));
  const ours = runModel(bytes, FILE, cases.map((x) => [x]), { target: 'host', name: 'person_detect' });
  const theirs = runTflm(bytes, cases.map((x) => [toBytes(x)]), 1);
  cases.forEach((_, k) => {
    const a = [...toBytes(ours[k][0])];
    const b = [...theirs[k][0]];
    console.log(`  case ${k}: ours [${new Int8Array(Uint8Array.from(a).buffer)}], TFLM [${new Int8Array(Uint8Array.from(b).buffer)}]`);
    assert.equal(a, b, `case ${k}`);
  });
});

test('person_detect: every one of its 31 operators gives TFLite Micro\'s bytes (host debug build, one seeded random input)', () => {
  const g = loadGraph(bytes, FILE, 'person_detect');
  const input = g.tensor(g.inputs[0]);
  const n = input.shape.reduce((a, b) => a * b, 1);
  const x: TensorValue = { dtype: 'int8', shape: input.shape, data: Int8Array.from(randomInts(mulberry32(1307), n, -128, 127)) };
  const ours = runWithIntermediates(bytes, FILE, [x], { name: 'person_detect' });
  const names = tfliteOperatorOutputs(bytes, FILE);
  const theirs = runTflmLayers(bytes, toBytes(x));
  assert.is(theirs.length, 31);
  const differ = theirs.filter((l) => {
    const mine = ours.get(names[l.op]);
    return !mine || mine.length !== l.bytes.length || mine.some((v, i) => v !== l.bytes[i]);
  });
  console.log(`  person_detect: ${theirs.length - differ.length}/${theirs.length} layers equal TFLM's`);
  assert.is(differ.length, 0, `first layer that differs: #${differ[0]?.op} ${differ[0]?.opName} '${differ[0]?.tensorName}'`);
});

test.run();
