/**
 * Golden generated code: a small model's model.c and model.h must equal the files in tests/golden/.
 * A change to code generation shows up here as a readable diff. After checking the diff is intended,
 * regenerate with `UPDATE_GOLDEN=1 npm test` (or `UPDATE_GOLDEN=1 npx uvu dist/tests/emit`).
 * The same project is also built and run by the end-to-end tests.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compile.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { mulberry32, randomFloats } from '../util/random.js';

const GOLDEN = join(process.cwd(), 'tests', 'golden', 'tiny');

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

test('generated model.c and model.h equal the golden files', () => {
  const files = compile(tinyModel(), 'tiny.onnx', { name: 'tiny', board: 'host' }).files;
  for (const path of ['model/tiny.c', 'model/tiny.h']) {
    const golden = join(GOLDEN, path.replace('model/', ''));
    const actual = files.get(path)!;
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(golden, actual);
    }
    assert.fixture(actual, readFileSync(golden, 'utf8'), `${path} differs from ${golden}`);
  }
});

test.run();
