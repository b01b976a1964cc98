/**
 * TFLite Micro's example MobileNetV2-224 (../shared/models/tflm/mobilenet_v2_quantized_1x3x224x224.tflite):
 * an NCHW int8 input behind a TRANSPOSE, 82 operators. It must import and the host build must give
 * TFLite Micro's bytes (tflm-run) on a seeded random input. Its activation arena is below TFLite Micro's
 * planned nonpersistent area (tflm-run --info; 2,451,840 bytes): its 18 PADs (the zero point, before a
 * convolution; the first behind the input's TRANSPOSE) fold into their convolutions (src/passes/fold-pad.ts), 1,505,280 bytes — still far beyond
 * the F746's 320 KB of SRAM.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { mulberry32, randomInts } from '../util/random.js';
import { spawnSync } from 'node:child_process';
import { TFLM_MODELS, TFLM_RUN, runTflm } from '../util/tflm.js';

const FILE = 'mobilenet_v2_quantized_1x3x224x224.tflite';
const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, FILE)));

test('MobileNetV2-224 (TRANSPOSE at the input): host = TFLM, arena below TFLM nonpersistent (pads folded)', () => {
  const shape = [1, 3, 224, 224];
  const x: TensorValue = { dtype: 'int8', shape, data: Int8Array.from(randomInts(mulberry32(224), 150528, -128, 127)) };
  const [[ours]] = runModel(bytes, FILE, [[x]], { target: 'host', name: 'mnv2' });
  const [[theirs]] = runTflm(bytes, [[toBytes(x)]], 1);
  const a = toBytes(ours);
  const diff = a.findIndex((v, i) => v !== theirs[i]);
  assert.ok(a.length === theirs.length && diff < 0, `byte ${diff}: ${a[diff]} vs TFLM ${theirs[diff]}`);
  const result = compile(bytes, FILE, { name: 'mnv2', board: 'host' });
  const info = spawnSync(TFLM_RUN, ['--info', join(TFLM_MODELS, FILE)], { encoding: 'utf8' });
  const m = /nonpersistent (\d+)/.exec(info.stdout + info.stderr);
  assert.ok(m, 'tflm-run --info reports the arena');
  assert.is(Number(m![1]), 2451840);
  assert.is(result.plan.arenaBytes, 1505280);
  assert.is(result.graph.nodes.filter((n) => n.op === 'pad').length, 0);
});

test.run();
