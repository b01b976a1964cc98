/**
 * The reference interpreter (src/reference/) proved on every model of ../shared/models:
 *   - every TFLite file (MLPerf Tiny int8 and float, TFLite Micro's examples): each operator's output for
 *     a seeded random input equals `tflm-run --dump`'s (int8/int16/int32 bytes exact, float within 1e-5 of
 *     the tensor's max |value|: tests/util/reference.ts);
 *   - the four MLPerf int8 models on the baseline's input pattern: each layer's FNV-1a hash equals TFLite
 *     Micro + CMSIS-NN's on the emulated Cortex-M7 (../shared/baselines);
 *   - the 1000 kws01 stimuli: every output equals golden_int8.csv (TFLite Micro + CMSIS-NN on a board).
 * The ONNX conformance tests run through it in tests/reference/onnx-node.test.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph, patternInput } from '../../src/compile.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { MLPERF_DIR, MODEL_KEYS, MLPERF_MODELS, fnv1a, readBaseline, readKwsCases, readModel, tfliteLayerOutputs } from '../util/mlperf.js';
import { assertReferenceLayersMatchTflm } from '../util/reference.js';
import { TFLM_MODELS, randomCase } from '../util/tflm.js';

/** TFLite files TFLite Micro runs (kws_ref_model_float32.tflite is a hybrid model, which it refuses). */
const TFLITE_FILES = [
  ...MODEL_KEYS.flatMap((k) => [MLPERF_MODELS[k].int8, MLPERF_MODELS[k].float]).filter((f) => !f.endsWith('kws_ref_model_float32.tflite')),
  ...[
    'person_detect.tflite',
    'micro_speech_quantized.tflite',
    'hello_world_int8.tflite',
    'trained_lstm_int8.tflite',
    'dtln_noise_suppression.tflite',
    'micro_speech_lstm.tflite',
    'keyword_scrambled_8bit.tflite',
    'mobilenet_v2_quantized_1x3x224x224.tflite',
  ].map((f) => join(TFLM_MODELS, f)),
];

for (const file of TFLITE_FILES) {
  const path = file.startsWith('/') ? file : join(MLPERF_DIR, file);
  const label = path.replace(/^.*\//, '').replace(/\.tflite$/, '');
  test(`${label}: every layer of the reference interpreter equals TFLite Micro's (one seeded case)`, () => {
    const bytes = new Uint8Array(readFileSync(path));
    const g = importGraph(bytes, path, 'model');
    const x = randomCase(g.tensor(g.inputs[0]), 2026);
    const t0 = Date.now();
    const layers = assertReferenceLayersMatchTflm(label, bytes, x);
    console.log(`  ${label}: ${layers}/${layers} layers equal TFLM's (${Date.now() - t0} ms with tflm-run)`);
  });
}

test('MLPerf int8 models on the baseline pattern: every layer hash equals TFLite Micro + CMSIS-NN on the Cortex-M7', () => {
  const baseline = readBaseline();
  for (const key of MODEL_KEYS) {
    const model = readModel(key, 'int8');
    const g = importGraph(model.bytes, model.path, 'model');
    const input = g.tensor(g.inputs[0]);
    const { tensors } = createInterpreter(g).run([patternInput(input.dtype, input.shape)]);
    const names = tfliteLayerOutputs(model);
    const bad = baseline[key].layers.filter((l) => {
      const t = tensors.get(names[l.index]);
      return !t || fnv1a(toBytes(t)) !== l.hash;
    });
    console.log(`  ${key}: ${baseline[key].layers.length - bad.length}/${baseline[key].layers.length} layer hashes equal the baseline's`);
    assert.is(bad.length, 0, `${key}: first layer that differs: ${bad[0]?.index} (${bad[0]?.op})`);
  }
});

test('kws01: the reference interpreter reproduces all 1000 golden outputs of TFLite Micro + CMSIS-NN', () => {
  const model = readModel('kws', 'int8');
  const it = createInterpreter(importGraph(model.bytes, model.path, 'model'));
  const cases = readKwsCases();
  const t0 = Date.now();
  const bad = cases.filter((c) => {
    const out = it.run([c.input]).outputs[0].data as Int8Array;
    return out.some((v, i) => v !== c.expected[i]);
  });
  const ms = Date.now() - t0;
  console.log(`  kws01: ${cases.length - bad.length}/${cases.length} equal the goldens (${ms} ms, ${((1000 * cases.length) / ms).toFixed(0)} cases/s)`);
  assert.is(bad.length, 0, `first differing stimulus: ${bad[0]?.file}`);
});

test.run();
