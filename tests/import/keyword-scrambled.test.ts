/**
 * keyword_scrambled_8bit.tflite (TFLite Micro's example): int16 [1, 96] → QUANTIZE → SVDF ×7 (int8 state
 * with non-zero zero points: reset to the zero point, as TFLite Micro does), FULLY_CONNECTED ×5, SOFTMAX
 * int8 → int16 → QUANTIZE → int32 [1, 2]. It must import, keep its seven states in the arena for the
 * whole program, and give TFLite Micro's bytes (tflm-run, which starts every case from the reset state,
 * as our runners do) on seeded random int16 inputs on the host and on the emulated Cortex-M7, and layer
 * by layer (every operator's output, from a debug build that keeps every tensor) on one of them.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, loadGraph } from '../../src/compile.js';
import { runCompiled, runModel, targetBoard } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import { TFLM_MODELS, assertSameBytes, runTflm, runTflmLayers } from '../util/tflm.js';
import { runWithIntermediates } from '../../src/run/debug.js';
import { tfliteOperatorOutputs } from '../../src/import/tflite.js';

const FILE = 'keyword_scrambled_8bit.tflite';
const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, FILE)));

function randomInputs(seed: number, count: number): TensorValue[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => ({ dtype: 'int16', shape: [1, 96], data: Int16Array.from(randomInts(rng, 96, -32768, 32767)) }));
}

test('keyword_scrambled_8bit imports: int16 in, int32 out, 7 SVDFs with their states as variables', () => {
  const g = loadGraph(bytes, FILE, 'keyword');
  assert.equal([g.tensor(g.inputs[0]).dtype, g.tensor(g.outputs[0]).dtype], ['int16', 'int32']);
  assert.is(g.nodes.filter((n) => n.op === 'svdf').length, 7);
  const states = [...g.tensors.values()].filter((t) => t.variable);
  assert.is(states.length, 7);
  assert.ok(states.some((t) => t.quant?.zeroPoint[0] !== 0), 'a state with a non-zero zero point');
});

test('keyword_scrambled_8bit: host build = TFLite Micro on 4 seeded random int16 inputs', () => {
  const cases = randomInputs(1701, 4);
  const ours = runModel(bytes, FILE, cases.map((x) => [x]), { target: 'host', name: 'keyword' });
  const theirs = runTflm(bytes, cases.map((x) => [toBytes(x)]), 1);
  assertSameBytes('host', ours, theirs);
});

test('keyword_scrambled_8bit: every one of its 15 operators gives TFLite Micro\'s bytes (host debug build)', () => {
  const [x] = randomInputs(1702, 1);
  const ours = runWithIntermediates(bytes, FILE, [x], { name: 'keyword' });
  const names = tfliteOperatorOutputs(bytes, FILE);
  const theirs = runTflmLayers(bytes, toBytes(x));
  assert.is(theirs.length, 15);
  const differ = theirs.filter((l) => {
    const mine = ours.get(names[l.op]);
    return !mine || mine.length !== l.bytes.length || mine.some((v, i) => v !== l.bytes[i]);
  });
  console.log(`  keyword_scrambled_8bit: ${theirs.length - differ.length}/${theirs.length} layers equal TFLM's`);
  assert.is(differ.length, 0, `first layer that differs: #${differ[0]?.op} ${differ[0]?.opName} '${differ[0]?.tensorName}'`);
});

test('keyword_scrambled_8bit on qemu-mps2-an500 (DSP SVDF) = TFLite Micro', () => {
  const result = compile(bytes, FILE, { name: 'keyword', board: targetBoard('qemu') });
  assert.ok([...result.files.keys()].some((f) => f.endsWith('/utvm_svdf_s8_dsp.c')), 'the DSP SVDF kernel');
  const cases = randomInputs(1703, 3);
  const ours = runCompiled(result, cases.map((x) => [x]));
  const theirs = runTflm(bytes, cases.map((x) => [toBytes(x)]), 1);
  assertSameBytes('qemu', ours, theirs);
});

test.run();
