/**
 * The reference interpreter (src/reference/) on R-misc's operators — softmax, l2_norm, the reductions,
 * arg max / min, resizes, batchnorm and the data-movement operators — against the oracles: every output
 * byte of TFLite Micro (tflm-run) on the models the import tests build (reused from tests/util), float
 * outputs within 1e-5 of the tensor's largest magnitude (tests/util/reference.ts).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertReferenceMatchesTflm } from '../util/reference.js';
import * as rr from '../util/reduce-resize-models.js';

for (const type of ['float32', 'int8'] as const) {
  test(`reductions, arg max/min, resizes, L2 normalization (${type}, tests/import/tflite-reduce-resize's model): reference = TFLM`, () => {
    const m = rr.buildModel(type);
    const n = assertReferenceMatchesTflm(`rr_${type}`, m.bytes, rr.randomCases(type, type === 'int8' ? 1301 : 1302, 3));
    assert.is(n, 3 * m.outputs);
  });
}

test.run();
