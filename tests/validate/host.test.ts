/**
 * `validate` on the host build, with the models the reference interpreter runs today (their operators
 * have `evaluate`): the float ONNX MLP of the end-to-end tests (MatMul, Add, Sigmoid, Tanh) against the
 * interpreter and onnxruntime-node, MLPerf Tiny's float anomaly-detection model (ad01_fp32, ten
 * FULLY_CONNECTED) per layer, its int8 version against the float one (the quantization error), and a
 * kernel broken on purpose: `--per-layer` names the layer, its operator, the kernel and the worst element.
 * The int8 TensorFlow Lite models (kws, ic, vww...) are in models.test.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatValidate, loadOnnxRuntime, tryOnnxRuntime, validate, validateJson } from '../../src/validate/index.js';
import { mlpModel } from '../util/e2e-models.js';
import { MLPERF_DIR, MLPERF_MODELS } from '../util/mlperf.js';
import { breakKernel } from './break-kernel.js';

const AD_FP32 = join(MLPERF_DIR, MLPERF_MODELS.ad.float);
const AD_INT8 = join(MLPERF_DIR, MLPERF_MODELS.ad.int8);

test('float ONNX MLP vs the interpreter, per layer: every layer compared, within rtol 1e-4 of max|ref|', async () => {
  const r = await validate(mlpModel().bytes, 'mlp.onnx', { name: 'mlp', target: 'host', reference: 'interpreter', cases: 3, seed: 1, perLayer: true });
  assert.is(r.reference.kind, 'interpreter');
  assert.ok(r.ok, formatValidate(r));
  assert.equal(r.layers!.layers.map((l) => `${l.node}:${l.op}:${l.kernels.join('+')}`), [
    'mm1:MatMul:utvm_fully_connected_f32',
    'bias1:Add:utvm_add_broadcast_f32',
    'sig:Sigmoid:utvm_sigmoid_f32',
    'mm2:MatMul:utvm_fully_connected_f32',
    'bias2:Add:utvm_add_broadcast_f32',
    'tanh:Tanh:utvm_tanh_f32',
  ]);
  assert.is(r.layers!.unmatched.length, 0);
  const o = r.outputs[0];
  assert.is(o.cases, 3);
  assert.is(o.elements, 3 * 24);
  assert.ok(o.l2rel < 1e-6 && o.cosine > 0.999999 && o.maxAbs < 1e-5, `float32 C vs float64 reference: ${formatValidate(r)}`);
  assert.is(r.layers!.firstDeparting, undefined);
  const text = formatValidate(r);
  assert.match(text, /vs the reference interpreter \(float64\), 3 random case\(s\) \(seed 1, floats uniform in \[-1, 1\)\)/);
  assert.match(text, /ok: every output and compared layer within the policy/);
});

test('float ONNX MLP: onnxruntime-node is the default reference when installed', async () => {
  const ort = await loadOnnxRuntime();
  const r = await validate(mlpModel().bytes, 'mlp.onnx', { name: 'mlp', target: 'host', cases: 2, floatRange: [-4, 4] }, ort);
  assert.is(r.reference.kind, 'onnxruntime');
  assert.is(r.outputs[0].measure, 'float');
  assert.ok(r.ok, formatValidate(r));
  assert.match(r.origin, /floats uniform in \[-4, 4\)/);
  assert.ok(!('ours' in validateJson(r)), 'the JSON has no raw tensors');
});

test('onnxruntime-node missing: tryOnnxRuntime says so (validate then takes the interpreter and notes it)', async () => {
  assert.is(await tryOnnxRuntime('onnxruntime-node-not-installed'), undefined);
  assert.ok(await tryOnnxRuntime(), 'installed here');
});

test('ad01_fp32 (TFLite float) per layer vs the interpreter: 10 FULLY_CONNECTED layers', async () => {
  const r = await validate(readFileSync(AD_FP32), AD_FP32, { name: 'ad', target: 'host', cases: 4, perLayer: true });
  assert.is(r.reference.kind, 'interpreter', 'the default for TFLite');
  assert.ok(r.ok, formatValidate(r));
  assert.is(r.layers!.layers.length, 10);
  assert.ok(r.layers!.layers.every((l) => l.op === 'FULLY_CONNECTED' && l.kernels[0] === 'utvm_fully_connected_f32'));
  console.log(`  ad01_fp32: output L2 rel ${r.outputs[0].l2rel.toExponential(2)}, max |err| ${r.outputs[0].maxAbs.toExponential(2)}`);
});

test('ad01_int8 vs its float model: the quantization error is measured per output and per layer', async () => {
  const options = { name: 'ad', target: 'host' as const, cases: 4, perLayer: true, reference: { file: AD_FP32, bytes: readFileSync(AD_FP32) } };
  const r = await validate(readFileSync(AD_INT8), AD_INT8, options);
  assert.is(r.reference.kind, 'float-model');
  assert.ok(r.ok, 'a measurement without a threshold');
  assert.is(r.layers!.layers.length, 10, 'the two models name their tensors alike');
  const o = r.outputs[0];
  assert.is(o.dtype, 'int8');
  assert.is(o.measure, 'measure');
  // int8 quantization of an autoencoder: a few per cent, not zero, not garbage
  assert.ok(o.l2rel > 1e-3 && o.l2rel < 0.5 && o.cosine > 0.9, `output L2 rel ${o.l2rel}, cosine ${o.cosine}`);
  assert.ok(o.maxLsb !== undefined && o.maxLsb > 0, 'the error in LSB of the int8 output');
  assert.match(formatValidate(r), /measured: the int8 C build against its float model/);
  const judged = await validate(readFileSync(AD_INT8), AD_INT8, { ...options, maxL2rel: 1e-3 });
  assert.is(judged.ok, false, 'over the given --max-l2rel');
  assert.is(judged.layers!.firstDeparting, 0);
  console.log(`  ad01_int8 vs fp32: output L2 rel ${o.l2rel.toFixed(4)}, cosine ${o.cosine.toFixed(5)}, max ${o.maxLsb} LSB`);
});

test('a broken float kernel: --per-layer names the layer, operator, kernel and worst element', async () => {
  const patchFiles = breakKernel('utvm_sigmoid_f32', 'if (count > 21) out[21] += 0.25f;');
  const r = await validate(mlpModel().bytes, 'mlp.onnx', { name: 'mlp', target: 'host', reference: 'interpreter', cases: 2, perLayer: true, patchFiles });
  assert.is(r.ok, false);
  const L = r.layers!;
  const first = L.layers[L.firstDeparting!];
  assert.equal([first.node, first.op, first.kernels], ['sig', 'Sigmoid', ['utvm_sigmoid_f32']]);
  assert.equal(first.worst!.index, [1, 5], 'element 21 of [3,16]');
  assert.ok(Math.abs(first.worst!.ours - first.worst!.reference - 0.25) < 1e-6);
  assert.ok(L.layers.slice(0, L.firstDeparting).every((l) => l.ok), 'the layers before it agree');
  assert.is(r.outputs[0].ok, false, 'and the error reaches the output');
  const text = formatValidate(r);
  assert.match(text, /first departing layer: #2 'sig' \(Sigmoid, kernel utvm_sigmoid_f32\), tensor '[^']+' float32\[3,16\]: worst element \[1,5\] in case \d/);
  assert.match(text, /\n {2}> +2 +sig +Sigmoid +utvm_sigmoid_f32 .*FIRST DEPARTING\n/);
  console.log(text.split('\n').filter((l) => /FIRST|first departing/.test(l)).join('\n'));
});

test.run();
