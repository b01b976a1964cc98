/**
 * Per layer on the emulated Cortex-M7: `runIntermediates` (src/run/debug.ts) on the MLPerf Tiny keyword
 * spotter (int8 DS-CNN), built for qemu-mps2-an500 with every tensor kept, reads every layer's output of
 * two cases in one emulator run: the input pattern (whose per-layer FNV-1a hashes TFLite Micro + CMSIS-NN
 * published: ../shared/baselines) and the first kws01 stimulus (whose int8 output is its golden). Every
 * integer tensor equals the host build's bytes — the Cortex-M7 build runs the DSP (SMLAD) kernels, the
 * host the portable ones: different code, the same results.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, patternInput } from '../../src/compile.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { runIntermediates } from '../../src/run/debug.js';
import { QEMU_BOARD } from '../../src/run/qemu.js';
import { checkLayers, describeLayer, readBaseline, readKwsCases, readModel, sameBytes, tfliteLayerOutputs, timed } from '../util/mlperf.js';

test('kws: every layer of 2 cases from one emulator run = TFLM per-layer hashes (pattern), the golden (stimulus), the host bytes', () => {
  const model = readModel('kws', 'int8');
  const stimulus = readKwsCases()[0];
  const cases: TensorValue[][] = [[patternInput('int8', [1, 49, 10, 1])], [stimulus.input]];
  const layers = tfliteLayerOutputs(model);
  const baseline = readBaseline().kws;
  assert.is(layers.length, baseline.layers.length, 'one baseline hash per TFLite operator');

  const debugCompile = (board: string) => compile(model.bytes, model.fileName, { name: 'kws', board, debugTensors: true });
  const [host, hostS] = timed(() => runIntermediates(debugCompile('host'), cases));
  const m7Compiled = debugCompile(QEMU_BOARD);
  const [m7, m7S] = timed(() => runIntermediates(m7Compiled, cases));
  console.log(`  kws per layer, 2 cases: host ${hostS.toFixed(1)} s, Cortex-M7 (build + one emulator run) ${m7S.toFixed(1)} s`);

  const checks = checkLayers(layers, m7[0], baseline.layers);
  const first = checks.find((c) => !c.ok);
  assert.ok(!first, first && `Cortex-M7, pattern: first layer that differs from TFLM: ${describeLayer(first)}`);
  assert.is(checks.length, 13);

  const out = m7[1].get(layers[layers.length - 1])!;
  assert.ok(out && sameBytes(new Int8Array(out.buffer, out.byteOffset, out.length), stimulus.expected), `${stimulus.file}: output ${out && [...new Int8Array(out.buffer, out.byteOffset, out.length)]}, golden ${[...stimulus.expected]}`);

  let integer = 0;
  m7.forEach((d, k) => {
    for (const name of layers) assert.ok(d.has(name), `case ${k}: layer output '${name}' is in the Cortex-M7 dump`);
    assert.equal([...d.keys()].sort(), [...host[k].keys()].sort(), `case ${k}: the same tensors on host and Cortex-M7`);
    for (const [name, bytes] of d) {
      if (m7Compiled.graph.tensor(name).dtype === 'float32') continue;
      integer++;
      assert.ok(Buffer.from(bytes).equals(Buffer.from(host[k].get(name)!)), `case ${k}: '${name}' differs between the Cortex-M7 and the host`);
    }
  });
  assert.ok(integer >= 2 * layers.length, `${integer} integer tensors compared`);
});

test.run();
