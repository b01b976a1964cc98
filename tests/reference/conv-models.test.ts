/**
 * conv2d and pool2d reference semantics on real models, layer by layer: every CONV_2D, DEPTHWISE_CONV_2D,
 * AVERAGE_POOL_2D and MAX_POOL_2D of the MLPerf Tiny models (int8 and float32), person_detect,
 * micro_speech_quantized and MobileNetV2 run by its reference on TFLite Micro's own inputs of that layer
 * (`tflm-run --dump`, one seeded case) and compared with TFLite Micro's output of the layer (int8: every
 * byte; float: within 1e-5 of the tensor's max |value|): tests/util/reference-isolated.ts. The layer counts
 * are the README's operator counts of ../shared/models. MobileNetV2's ~300 M MACs must take under 20 s.
 * (kws's float model is hybrid, which TFLite Micro does not run.)
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { SHARED } from '../util/mlperf.js';
import { assertOpsMatchTflmLayers } from '../util/reference-isolated.js';
import { randomCase } from '../util/tflm.js';

const MODELS = join(SHARED, 'models');
const OPS = ['conv2d', 'pool2d', 'transpose_conv'];

const CASES: { file: string; layers: number }[] = [
  { file: 'mlperf-tiny/kws/kws_ref_model.tflite', layers: 5 + 4 + 1 },
  { file: 'mlperf-tiny/ic/pretrainedResnet_quant.tflite', layers: 9 + 1 },
  { file: 'mlperf-tiny/ic/pretrainedResnet.tflite', layers: 9 + 1 },
  { file: 'mlperf-tiny/vww/vww_96_int8.tflite', layers: 14 + 13 + 1 },
  { file: 'mlperf-tiny/vww/vww_96_float.tflite', layers: 14 + 13 + 1 },
  { file: 'tflm/person_detect.tflite', layers: 14 + 14 + 1 },
  { file: 'tflm/micro_speech_quantized.tflite', layers: 1 },
  { file: 'tflm/mobilenet_v2_quantized_1x3x224x224.tflite', layers: 35 + 17 },
];

for (const c of CASES) {
  test(`${c.file}: every convolution and pooling layer = TFLM's on TFLM's inputs`, () => {
    const bytes = new Uint8Array(readFileSync(join(MODELS, c.file)));
    const g = importGraph(bytes, c.file, 'model');
    const x = randomCase(g.tensor(g.inputs[0]), 1401);
    const name = c.file.split('/').pop()!.replace('.tflite', '');
    const r = assertOpsMatchTflmLayers(name, bytes, x, OPS);
    assert.is(r.layers, c.layers);
    console.log(`  ${name}: ${r.layers} layers, ${(r.macs / 1e6).toFixed(1)} M MACs in ${r.ms.toFixed(0)} ms (${(r.macs / r.ms / 1e3).toFixed(0)} M MAC/s)`);
    if (c.file.includes('mobilenet')) assert.ok(r.ms < 20000, `MobileNetV2's layers took ${r.ms.toFixed(0)} ms`);
  });
}

test.run();
