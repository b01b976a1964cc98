/**
 * Golden generated code: a change to code generation shows up here as a readable diff. After checking
 * the diff is intended, regenerate with `UPDATE_GOLDEN=1 node tests/run.mjs tests/emit/golden` (after a
 * build).
 *
 * - tests/golden/tiny/: a small float model (conv, relu, flatten, matmul) for the host. The same project
 *   is built and run by the end-to-end tests.
 * - tests/golden/kws/: MLPerf Tiny's int8 keyword-spotting DS-CNN (kws_ref_model.tflite) for
 *   qemu-mps2-an500, the Cortex-M7 DSP kernels (first-layer, 1x1 and depthwise 3x3 convolutions, fully
 *   connected). Compiled exactly as `runModel(..., { target: 'qemu' })` compiles it (name from the file
 *   name, board qemu-mps2-an500), so this is the code that tests/mlperf/kws-goldens.test.ts builds and
 *   runs on the emulated Cortex-M7, where its 1000 stimuli must give TFLite Micro's int8 outputs bit for
 *   bit. The weight arrays (34 KB of numbers, 90 % of model.c) are not written out in the golden file:
 *   each array's values are replaced by one line with their count and a SHA-256 prefix, so a changed value
 *   still fails the test while the file stays readable (~20 KB).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, defaultModelName } from '../../src/compile.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { readModel } from '../util/mlperf.js';
import { mulberry32, randomFloats } from '../util/random.js';

const GOLDEN = join(process.cwd(), 'tests', 'golden');

function tinyModel(): Uint8Array {
  const rng = mulberry32(7);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 2, 4, 4]);
  const w = m.initializer('w', 'float32', [3, 2, 3, 3], randomFloats(rng, 54, -1, 1));
  const b = m.initializer('b', 'float32', [3], randomFloats(rng, 3, -1, 1), { encoding: 'typed' });
  const [c] = m.node('Conv', [x, w, b], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'conv' });
  const [r] = m.node('Relu', [c], {}, { name: 'relu' });
  const [f] = m.node('Flatten', [r], {}, { name: 'flatten' });
  const fw = m.initializer('fw', 'float32', [12, 2], randomFloats(rng, 24, -1, 1));
  const [y] = m.node('MatMul', [f, fw], {}, { name: 'fc' });
  m.output(y, 'float32', [1, 2]);
  return m.encode();
}

/** The body lines of every `static const ... w_...[N] ... = {` array, replaced by their count and hash. */
function elideWeights(source: string): string {
  return source.replace(/^(static const \w+ w_\w+\[(\d+)\][^\n]*= \{\n)([\s\S]*?)^\};$/gm, (_, head: string, count: string, body: string) => {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    return `${head}    /* ${count} values elided: sha256 ${hash} */\n};`;
  });
}

/** Compares `files` with tests/golden/<dir>/ (written first when absent or with UPDATE_GOLDEN=1). */
function assertGolden(dir: string, files: Map<string, string>, transform: (s: string) => string = (s) => s): void {
  for (const [path, text] of files) {
    const golden = join(GOLDEN, dir, path.replace('model/', ''));
    const actual = transform(text);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      mkdirSync(join(GOLDEN, dir), { recursive: true });
      writeFileSync(golden, actual);
    }
    assert.fixture(actual, readFileSync(golden, 'utf8'), `${path} differs from ${golden}`);
  }
}

const modelFiles = (files: Map<string, string>, name: string) => new Map([`model/${name}.c`, `model/${name}.h`].map((p) => [p, files.get(p)!]));

test('float: the tiny model for the host equals tests/golden/tiny/', () => {
  assertGolden('tiny', modelFiles(compile(tinyModel(), 'tiny.onnx', { name: 'tiny', board: 'host' }).files, 'tiny'));
});

test('int8 DSP: the keyword-spotting model for qemu-mps2-an500 equals tests/golden/kws/ (weights hashed)', () => {
  const m = readModel('kws', 'int8');
  const name = defaultModelName(m.fileName);
  const files = modelFiles(compile(m.bytes, m.fileName, { name, board: 'qemu-mps2-an500' }).files, name);
  const source = files.get(`model/${name}.c`)!;
  for (const k of ['utvm_conv2d_rgb_s8_dsp_const', 'utvm_conv2d_1x1_s8_dsp_const', 'utvm_depthwise_conv2d_3x3_s8_dsp_const', 'utvm_fully_connected_s8_wide3_dsp']) {
    assert.ok(source.includes(`${k}(`), `calls ${k}`);
  }
  const elided = elideWeights(source);
  assert.is((elided.match(/values elided: sha256/g) ?? []).length, (source.match(/^static const \w+ w_/gm) ?? []).length, 'every weight array elided');
  assert.ok(elided.length < source.length / 3, `${elided.length} of ${source.length} characters kept`);
  assertGolden('kws', files, elideWeights);
});

test('elideWeights: a changed value changes the hash', () => {
  const a = 'static const int8_t w_x[3] = {\n    1, 2, 3,\n};\nint y;\n';
  assert.is.not(elideWeights(a), elideWeights(a.replace('2', '4')));
  assert.match(elideWeights(a), /^static const int8_t w_x\[3\] = \{\n {4}\/\* 3 values elided: sha256 [0-9a-f]{16} \*\/\n\};\nint y;\n$/);
});

test.run();
