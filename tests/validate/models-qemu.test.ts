/**
 * `validate --per-layer` on every model of ../shared/models that TFLite Micro runs, on the emulated
 * Cortex-M7 (the firmware's DSP kernels) and, for the float models, on the host too (the int8 models'
 * host runs are in models.test.ts): one seeded case each, every layer of the C build compared with the
 * reference interpreter's tensor of the same name — integer layers bit-exact, float ones within the
 * policy (1e-5 + 1e-4·max|ref|). Plus the float ONNX sample (samples/cifar10) on both targets.
 * MobileNetV2-224 is left to the host (models.test.ts): with every tensor kept its debug arena
 * (≈ 12 MB) and 3.5 MB of weights exceed what the emulated board maps.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatValidate, validate } from '../../src/validate/index.js';
import { MLPERF_DIR, MLPERF_MODELS, SHARED } from '../util/mlperf.js';

const TFLM = join(SHARED, 'models', 'tflm');
const INT8 = [
  ...(['ic', 'kws', 'vww', 'ad'] as const).map((k) => join(MLPERF_DIR, MLPERF_MODELS[k].int8)),
  ...['person_detect', 'micro_speech_quantized', 'hello_world_int8', 'trained_lstm_int8', 'dtln_noise_suppression', 'micro_speech_lstm', 'keyword_scrambled_8bit'].map((m) => join(TFLM, `${m}.tflite`)),
];
/** kws_ref_model_float32.tflite is a hybrid model (int8 weights, float activations) that TFLite Micro refuses; it is validated here too. */
const FLOAT = [...(['ic', 'kws', 'vww', 'ad'] as const).map((k) => join(MLPERF_DIR, MLPERF_MODELS[k].float)), 'samples/cifar10/cifar10.onnx'];

async function check(path: string, target: 'host' | 'qemu'): Promise<void> {
  const start = Date.now();
  const r = await validate(readFileSync(path), path, { name: 'm', target, cases: 1, seed: 5, perLayer: true, reference: 'interpreter' });
  const label = path.replace(/^.*\//, '');
  assert.ok(r.ok, `${label} on ${target}:\n${formatValidate(r)}`);
  const layers = r.layers!.layers;
  assert.ok(layers.length > 0 && r.layers!.firstDeparting === undefined, `${label}: layers compared`);
  const exact = layers.filter((l) => l.measure === 'exact').length;
  console.log(`  ${label} on ${target}: ${layers.length} layers within the policy (${exact} integer, bit-exact), ${r.layers!.unmatched.length} without a reference tensor; ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

test('every layer of every int8 TFLite model on the emulated Cortex-M7 is bit-exact with the interpreter', async () => {
  for (const path of INT8) await check(path, 'qemu');
});

test('every layer of the float models (MLPerf float32 TFLite files, the CIFAR-10 ONNX sample) on the host and the emulated Cortex-M7', async () => {
  for (const path of FLOAT) {
    await check(path, 'host');
    await check(path, 'qemu');
  }
});

test.run();
