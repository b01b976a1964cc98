/**
 * The four MLPerf Tiny int8 models (ic ResNet-8, kws DS-CNN, vww MobileNetV1-0.25, ad FC autoencoder)
 * against TensorFlow Lite Micro + CMSIS-NN (../shared/baselines/tflm-cmsis-nn-cm7.md), on the input
 * pattern `(int8_t)((i*37 + 11) % 256 - 128)`:
 *   - the host build gives exactly TFLM's int8 outputs;
 *   - layer by layer, each TFLite operator's output has TFLM's FNV-1a hash (a debug build that keeps every
 *     tensor, src/run/debug.ts) — a failure names the FIRST layer that differs, its operator and hashes;
 *   - the emulated Cortex-M7 gives the host's bytes on the pattern and on two random int8 inputs.
 * Never skipped: CI has gcc, arm-none-eabi-gcc and qemu-system-arm.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph, patternInput } from '../../src/compile.js';
import { runWithIntermediates } from '../../src/run/debug.js';
import { runModel } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import {
  MODEL_KEYS,
  checkLayers,
  describeLayer,
  readBaseline,
  readModel,
  sameBytes,
  summarizeLayers,
  tfliteLayerOutputs,
  timed,
} from '../util/mlperf.js';

const baseline = readBaseline();

/** The model's graph input: int8 with its shape (from the importer). */
function inputShape(key: (typeof MODEL_KEYS)[number]): number[] {
  const m = readModel(key, 'int8');
  const g = loadGraph(m.bytes, m.fileName, key);
  const t = g.tensor(g.inputs[0]);
  assert.is(t.dtype, 'int8', `${key}: int8 input`);
  return t.shape;
}

function randomInput(shape: number[], seed: number): TensorValue {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'int8', shape, data: Int8Array.from(randomInts(mulberry32(seed), n, -128, 128)) };
}

const show = (v: TensorValue) => [...(v.data as Int8Array)].slice(0, 16).join(',') + (v.data.length > 16 ? ',...' : '');

for (const key of MODEL_KEYS) {
  test(`${key}: every layer's output has TFLM's per-layer hash, the output equals TFLM's (host, pattern input)`, () => {
    const model = readModel(key, 'int8');
    const pattern = patternInput('int8', inputShape(key));
    const [tensors, seconds] = timed(() => runWithIntermediates(model.bytes, model.fileName, [pattern], { name: key }));
    const outputs = tfliteLayerOutputs(model);
    const checks = checkLayers(outputs, tensors, baseline[key].layers);
    console.log(`  ${summarizeLayers(key, checks)} (${seconds.toFixed(1)} s)`);
    const first = checks.find((c) => !c.ok);
    assert.ok(!first, first && `${key}: first layer that differs from TFLM: ${describeLayer(first)}`);
    const last = tensors.get(outputs[outputs.length - 1]);
    const expected = baseline[key].output;
    assert.ok(last && sameBytes(new Int8Array(last.buffer, last.byteOffset, last.length), expected), `${key}: output differs from TFLM`);
  });

  test(`${key}: the normal host build and the emulated Cortex-M7 give TFLM's output and the same bytes`, () => {
    const model = readModel(key, 'int8');
    const shape = inputShape(key);
    const inputs = [patternInput('int8', shape), randomInput(shape, 1), randomInput(shape, 2)];
    const [host, hostS] = timed(() => runModel(model.bytes, model.fileName, inputs.map((x) => [x]), { target: 'host', name: key }));
    const [m7, m7S] = timed(() => runModel(model.bytes, model.fileName, inputs.map((x) => [x]), { target: 'qemu', name: key }));
    const expected = baseline[key].output;
    const same = inputs.filter((_, k) => sameBytes(host[k][0].data as Int8Array, m7[k][0].data as Int8Array)).length;
    console.log(`  ${key}: host = Cortex-M7 on ${same} of ${inputs.length} inputs; host ${hostS.toFixed(1)} s, emulator ${m7S.toFixed(1)} s`);
    assert.ok(sameBytes(host[0][0].data as Int8Array, expected), `${key} host: [${show(host[0][0])}], TFLM [${expected.slice(0, 16)}...]`);
    assert.ok(sameBytes(m7[0][0].data as Int8Array, expected), `${key} Cortex-M7: [${show(m7[0][0])}], TFLM [${expected.slice(0, 16)}...]`);
    assert.is(same, inputs.length, `${key}: host and Cortex-M7 outputs differ`);
  });
}

test.run();
