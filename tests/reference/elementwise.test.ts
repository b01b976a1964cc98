/**
 * The reference interpreter's elementwise operators (src/ops/binary/reference.ts, src/ops/unary/reference.ts,
 * the `reference` of src/ops/quantize.ts and convert.ts) held to the oracles without building any C.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertReferenceMatchesTflm } from '../util/reference.js';
import { binaryOpsCases, binaryOpsModel, elementwiseCases, elementwiseModel } from '../util/elementwise-models.js';

for (const type of ['float32', 'int8'] as const) {
  test(`SUB (NONE/RELU/RELU6), MAXIMUM, MINIMUM, MUL on ${type}, broadcasting, both operand orders: reference = TFLM`, () => {
    const m = binaryOpsModel(type);
    const n = assertReferenceMatchesTflm(`binary_${type}`, m.bytes, binaryOpsCases(m, type, type === 'int8' ? 901 : 902, 3));
    assert.is(n, 3 * m.outputs);
  });
  test(`elementwise builtins on ${type} (every int8 value through every unary builtin): reference = TFLM`, () => {
    const m = elementwiseModel(type);
    const n = assertReferenceMatchesTflm(`elementwise_${type}`, m.bytes, elementwiseCases(m, type, type === 'int8' ? 1301 : 1302, 4));
    assert.is(n, 4 * m.outputs);
  });
}

test.run();
