/**
 * TFLite Micro's example models (../shared/models/tflm/) on the emulated Cortex-M7 (qemu-mps2-an500, the
 * DSP kernels): every output byte of 2 seeded random inputs per model, run in one emulator session per
 * model, equals TFLite Micro's (tflm-run). The MLPerf Tiny models run there in tests/mlperf/. MobileNetV2
 * (3.8 MB of weights) fits the emulator's 4 MB "flash" though no F746 memory: it runs here too.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { runCompiled, targetBoard } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { TFLM_MODELS, assertSameBytes, randomCase, runTflm } from '../util/tflm.js';

const MODELS = readdirSync(TFLM_MODELS).filter((f) => f.endsWith('.tflite')).sort();

for (const file of MODELS) {
  test(`${file}: qemu-mps2-an500 = TFLite Micro on 2 seeded random inputs`, () => {
    const bytes = new Uint8Array(readFileSync(join(TFLM_MODELS, file)));
    const name = file.replace(/\.tflite$/, '').replace(/[^A-Za-z0-9_]/g, '_');
    const result = compile(bytes, file, { name, board: targetBoard('qemu') });
    const cases = [0, 1].map((k) => result.program.inputs.map((t, i) => randomCase(t, 9100 + 10 * k + i)));
    const ours = runCompiled(result, cases);
    const theirs = runTflm(bytes, cases.map((c) => c.map(toBytes)), result.program.outputs.length);
    const n = assertSameBytes(`${file} on qemu`, ours, theirs);
    assert.ok(n > 0);
    console.log(`  ${file}: ${n} output bytes equal TFLM's (kernels: ${result.program.kernels.join(', ')})`);
  });
}

test.run();
