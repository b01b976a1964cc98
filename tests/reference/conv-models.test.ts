/**
 * conv2d and pool2d reference semantics on real models, layer by layer: every CONV_2D, DEPTHWISE_CONV_2D,
 * AVERAGE_POOL_2D and MAX_POOL_2D of the MLPerf Tiny models (int8 and float32), person_detect,
 * micro_speech_quantized and MobileNetV2 run by its reference on TFLite Micro's own inputs of that layer
 * (`tflm-run --dump`, one seeded case) and compared with TFLite Micro's output of the layer (int8: every
 * byte; float: within 1e-5 of the tensor's max |value|): tests/util/reference-isolated.ts. The layer counts
 * are the README's operator counts of ../shared/models. Speed: the same layers on seeded inputs, timed
 * alone (MobileNetV2's ~300 M MACs must take well under 20 s).
 * (kws's float model is hybrid, which TFLite Micro does not run.)
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importGraph } from '../../src/compile.js';
import { SHARED } from '../util/mlperf.js';
import { getOp } from '../../src/ops/index.js';
import type { Tensor } from '../../src/ir/graph.js';
import { assertOpsMatchTflmInIsolation } from '../util/reference-isolated.js';
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
    assert.is(assertOpsMatchTflmInIsolation(name, bytes, x, OPS).length, c.layers);
  });
}

/** Runs every node of OPS by its reference on seeded inputs; returns [MACs, best ms of `runs`]. */
function timeLayers(file: string, runs: number): [number, number] {
  const g = importGraph(new Uint8Array(readFileSync(join(MODELS, file))), file, 'model');
  const nodes = g.nodes.filter((n) => OPS.includes(n.op));
  const inputs = nodes.map((n) =>
    n.inputs.map((name, i): Tensor | undefined => {
      if (name === '') return undefined;
      const t = g.tensor(name);
      return t.data !== undefined ? t : { ...t, data: randomCase(t, 1402 + i).data };
    }),
  );
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    nodes.forEach((n, i) => getOp(n.op).reference!({ attrs: n.attrs, node: n, inputs: inputs[i], outputs: n.outputs.map((o) => g.tensor(o)), setState: () => {} }));
    best = Math.min(best, performance.now() - t0);
  }
  return [nodes.reduce((s, n) => s + (getOp(n.op).macs?.(n, g) ?? 0), 0), best];
}

test('speed: kws conv layers per case, MobileNetV2 conv layers well under 20 s', () => {
  const [kwsMacs, kwsMs] = timeLayers('mlperf-tiny/kws/kws_ref_model.tflite', 20);
  const [mnMacs, mnMs] = timeLayers('tflm/mobilenet_v2_quantized_1x3x224x224.tflite', 1);
  console.log(`  kws: ${(kwsMacs / 1e6).toFixed(2)} M MACs in ${kwsMs.toFixed(1)} ms (best of 20); MobileNetV2: ${(mnMacs / 1e6).toFixed(0)} M MACs in ${mnMs.toFixed(0)} ms (${(mnMacs / mnMs / 1e3).toFixed(0)} M MAC/s)`);
  assert.ok(mnMacs > 250e6, `MobileNetV2 has ${mnMacs} MACs in its conv layers`);
  assert.ok(mnMs < 10000, `MobileNetV2's conv layers took ${mnMs.toFixed(0)} ms`);
});

test.run();
