/**
 * The committed tuning logs (bench/tuning/<model>.jsonl, `utvm-aot tune`) applied to the four MLPerf Tiny
 * int8 models on the emulated Cortex-M7 (the knobs choose DSP kernels, so only the M7 build runs them),
 * with no flash budget (every tuned config in use): every layer of the input pattern equals TFLite Micro +
 * CMSIS-NN's per-layer hash and the output its output, and the tuned keyword spotter gives all 1000
 * kws01 goldens in one emulator run.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, patternInput } from '../../src/compile.js';
import { runIntermediates } from '../../src/run/debug.js';
import { runCompiled } from '../../src/run/index.js';
import { QEMU_BOARD } from '../../src/run/qemu.js';
import { parseTuningLog } from '../../src/tune/log.js';
import { ROOT } from '../util/cli.js';
import { MLPERF_MODELS, MODEL_KEYS, type ModelKey, checkLayers, describeLayer, readBaseline, readKwsCases, readModel, sameBytes, tfliteLayerOutputs } from '../util/mlperf.js';

function tuningOf(key: ModelKey) {
  const file = `bench/tuning/${MLPERF_MODELS[key].int8.replace(/^.*\//, '').replace(/\.tflite$/, '')}.jsonl`;
  return parseTuningLog(readFileSync(join(ROOT, file), 'utf8'), file);
}

for (const key of MODEL_KEYS) {
  test(`${key}, tuned: every layer = TFLite Micro's hash, the output = its output (pattern, emulated M7)`, () => {
    const model = readModel(key, 'int8');
    const tuning = tuningOf(key);
    const baseline = readBaseline()[key];
    const plain = compile(model.bytes, model.fileName, { name: key, board: QEMU_BOARD, tuning });
    assert.ok((plain.tuning?.tuned ?? 0) > 0, `${key}: the log tunes some layers`);
    const debug = compile(model.bytes, model.fileName, { name: key, board: QEMU_BOARD, tuning, debugTensors: true });
    const pattern = plain.program.inputs.map((t) => patternInput(t.dtype, t.shape));
    const [out] = runCompiled(plain, [pattern]);
    assert.equal(Array.from(out[0].data as Int8Array), baseline.output, `${key}: output`);
    const [tensors] = runIntermediates(debug, [pattern]);
    const checks = checkLayers(tfliteLayerOutputs(model), tensors, baseline.layers);
    const first = checks.find((c) => !c.ok);
    assert.ok(!first, first && `${key}: first layer that differs from TFLM: ${describeLayer(first)}`);
    console.log(`  ${key}: ${plain.tuning!.tuned} of ${plain.tuning!.layers} layers tuned; ${checks.length} layer hashes equal`);
  });
}

test('kws, tuned: the 1000 kws01 stimuli in one emulator run = the goldens', () => {
  const model = readModel('kws', 'int8');
  const golden = readKwsCases();
  const compiled = compile(model.bytes, model.fileName, { name: 'kws', board: QEMU_BOARD, tuning: tuningOf('kws') });
  const outs = runCompiled(compiled, golden.map((c) => [c.input]));
  const exact = golden.filter((c, k) => sameBytes(outs[k][0].data as Int8Array, c.expected)).length;
  assert.is(exact, 1000);
});

test.run();
