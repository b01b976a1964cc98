/**
 * The float32 MLPerf Tiny models next to their int8 versions.
 *   - kws: the 1000 kws01 stimuli, fed to the float model as scale·(q − zero_point) with the int8 model's
 *     input quantization (0.584703, 83), on the host. Its top-1 must agree with the int8 model's (the
 *     golden outputs of TFLM + CMSIS-NN, which the int8 proof reproduces) on ≥ 90 % of the stimuli; the
 *     agreement and both accuracies against the labels are printed.
 *   - ic, vww, ad: the input pattern and four random int8 inputs, dequantized the same way; the float and
 *     int8 (our host build) outputs are compared and the agreement printed (top-1 for the classifiers, the
 *     error in output quantization steps for the autoencoder). These inputs are not real data, so only
 *     the kws figure is asserted.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadGraph, patternInput } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import { argmax, dequantizeInput, readKwsCases, readModel, tfliteInputQuant, timed } from '../util/mlperf.js';

/** Least top-1 agreement between the float and int8 keyword-spotting models on kws01. */
const KWS_MIN_AGREEMENT = 0.9;

test('kws: the float32 model agrees with the int8 model on the top-1 class of the kws01 stimuli (≥ 90 %)', () => {
  const cases = readKwsCases();
  const int8 = readModel('kws', 'int8');
  const float = readModel('kws', 'float');
  const { scale, zeroPoint } = tfliteInputQuant(int8);
  assert.ok(Math.abs(scale - 0.584703) < 1e-6 && zeroPoint === 83, `int8 input quantization ${scale}, ${zeroPoint}`);
  const inputs = cases.map((c) => [dequantizeInput(c.input, scale, zeroPoint)]);
  const [outputs, seconds] = timed(() => runModel(float.bytes, float.fileName, inputs, { target: 'host', name: 'kws_float' }));
  let agree = 0;
  let floatRight = 0;
  let int8Right = 0;
  cases.forEach((c, k) => {
    const f = argmax(outputs[k][0].data as Float32Array);
    const q = argmax(c.expected);
    if (f === q) agree++;
    if (f === c.label) floatRight++;
    if (q === c.label) int8Right++;
  });
  const pct = (n: number) => `${((100 * n) / cases.length).toFixed(1)} %`;
  console.log(
    `  kws float32 vs int8 top-1 agreement on kws01: ${agree} of ${cases.length} (${pct(agree)}); ` +
      `accuracy vs labels: float ${pct(floatRight)}, int8 ${pct(int8Right)} (${seconds.toFixed(1)} s)`,
  );
  assert.ok(agree >= KWS_MIN_AGREEMENT * cases.length, `agreement ${pct(agree)} is below ${KWS_MIN_AGREEMENT * 100} %`);
});

for (const key of ['ic', 'vww', 'ad'] as const) {
  test(`${key}: the float32 model next to the int8 model on the pattern and four random inputs (reported)`, () => {
    const int8 = readModel(key, 'int8');
    const float = readModel(key, 'float');
    const g = loadGraph(int8.bytes, int8.fileName, key);
    const input = g.tensor(g.inputs[0]);
    const out = g.tensor(g.outputs[0]);
    const { scale, zeroPoint } = tfliteInputQuant(int8);
    const n = input.shape.reduce((a, b) => a * b, 1);
    const q: TensorValue[] = [patternInput('int8', input.shape)];
    for (let s = 1; s <= 4; s++) q.push({ dtype: 'int8', shape: input.shape, data: Int8Array.from(randomInts(mulberry32(100 + s), n, -128, 128)) });
    const [qOut, fOut] = [
      runModel(int8.bytes, int8.fileName, q.map((x) => [x]), { target: 'host', name: key }),
      runModel(float.bytes, float.fileName, q.map((x) => [dequantizeInput(x, scale, zeroPoint)]), { target: 'host', name: `${key}_float` }),
    ];
    const outScale = out.quant!.scale[0];
    const outZero = out.quant!.zeroPoint[0];
    const rows = q.map((_, k) => {
      const f = fOut[k][0].data as Float32Array;
      const i8 = qOut[k][0].data as Int8Array;
      assert.ok(f.every(Number.isFinite), `${key}: float outputs are finite`);
      assert.is(f.length, i8.length);
      let maxSteps = 0;
      for (let i = 0; i < f.length; i++) maxSteps = Math.max(maxSteps, Math.abs(f[i] / outScale + outZero - i8[i]));
      return { top1: argmax(f) === argmax(i8), maxSteps };
    });
    const label = `pattern + ${rows.length - 1} random inputs`;
    if (key === 'ad') {
      console.log(`  ${key} float32 vs int8: largest output difference per input, in int8 steps: ${rows.map((r) => r.maxSteps.toFixed(1)).join(', ')} (${label})`);
    } else {
      console.log(`  ${key} float32 vs int8: top-1 agrees on ${rows.filter((r) => r.top1).length} of ${rows.length} (${label}); pattern input: ${rows[0].top1 ? 'same' : 'different'} class`);
    }
  });
}

test.run();
