/**
 * The short requantization of the DSP kernels (utvm/dsp_requant.h: SMMULR on x << (left + 1)) against
 * TFLite's MultiplyByQuantizedMultiplier (utvm_requantize, utvm/quant.h), bit for bit, on every shift in
 * [-31, 30] with random multipliers and accumulators inside the precondition |x| · 2^(left + 1) < 2^31
 * (including its edges, 0 and the rounding ties); and the compile-time bound that guards it
 * (src/lower/fast-requant.ts), with the int8 gemm falling back to the portable kernel when it fails.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { GemmAttrs } from '../../src/ops/gemm/index.js';
import { accumulatorBounds, fastRequantHolds } from '../../src/lower/fast-requant.js';
import { runCKernel } from '../util/c-kernel.js';
import { runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, int8Input, q1 } from '../util/s8.js';

const BODY = [
  'uint32_t s = 12345u; long bad = 0, checked = 0;',
  'for (int32_t shift = -31; shift <= 30; shift++) {',
  '  const int32_t left = shift > 0 ? shift : 0;',
  '  const int64_t limit = (1LL << 31) >> (left + 1); /* |x| < limit */',
  '  for (int i = 0; i < 4000; i++) {',
  '    s = s * 1664525u + 1013904223u; const uint32_t r1 = s;',
  '    s = s * 1664525u + 1013904223u; const uint32_t r2 = s;',
  '    const int32_t mult = i == 0 ? 0 : (int32_t)((1u << 30) | (r1 >> 2));',
  '    int64_t mag = (int64_t)(r2 % (uint32_t)limit);',
  '    if (i % 7 == 1) mag = limit - 1;',
  '    if (i % 7 == 2) mag = (int64_t)(r2 % 64u) % limit;',
  '    if (i % 7 == 3 && limit > 1) mag = ((int64_t)1 << (r2 % 31u)) % limit;',
  '    const int32_t x = (int32_t)((r1 & 1u) ? -mag : mag);',
  '    const utvm_fast_requant q = utvm_fast_requant_of(mult, shift);',
  '    checked++;',
  '    if (utvm_fast_requantize(x, &q) != utvm_requantize(x, mult, shift)) bad++;',
  '  }',
  '}',
  'printf("%ld\\n%ld\\n", bad, checked);',
];

test('utvm_fast_requantize = utvm_requantize inside the precondition, every shift', () => {
  const [bad, checked] = runCKernel({ headers: ['utvm/quant.h', 'utvm/dsp_requant.h'], kernels: [], body: BODY });
  assert.is(checked, 62 * 4000);
  assert.is(bad, 0);
});

test('the bound: |bias| + maxInput · Σ|w| per channel, and the precondition it guards', () => {
  const w = Int8Array.from([1, -2, 3, -128, 0, 5]);
  assert.equal(accumulatorBounds(w, 2, Int32Array.from([-10, 7]), 128), [10 + 128 * 6, 7 + 128 * 133]);
  assert.equal(accumulatorBounds(w, 3, undefined, 255), [255 * 3, 255 * 131, 255 * 5]);
  assert.ok(fastRequantHolds([2 ** 30 - 1], [{ multiplier: 2 ** 30, shift: -3 }]));
  assert.not.ok(fastRequantHolds([2 ** 30], [{ multiplier: 2 ** 30, shift: -3 }]));
  assert.ok(fastRequantHolds([2 ** 27 - 1], [{ multiplier: 2 ** 30, shift: 3 }]));
  assert.not.ok(fastRequantHolds([1, 2 ** 27], [{ multiplier: 2 ** 30, shift: 0 }, { multiplier: 2 ** 30, shift: 3 }]));
});

test('int8 gemm whose accumulators may pass the bound: the portable kernel, also on the DSP target', () => {
  const g = new Graph('t');
  const x = Int8Array.from([1, -2, 3, 4]);
  int8Input(g, 'x', [1, 4], q1(0.5, 0), x);
  g.addTensor({ name: 'w', dtype: 'int8', shape: [2, 4], data: Int8Array.from([1, 2, 3, 4, -1, -2, -3, -4]), quant: { scale: [0.5], zeroPoint: [0], axis: 0 } });
  g.addTensor({ name: 'b', dtype: 'int32', shape: [2], data: Int32Array.from([2 ** 30, -5]) });
  const attrs: GemmAttrs = { transA: false, transB: true, alpha: 1, beta: 1, clamp: undefined };
  const node = addQuantNode(g, 'gemm', ['x', 'w', 'b'], attrs, 'big', q1(2 ** 24, 0));
  const [dsp] = runLoweredMany(g, [node], { x }, { target: { dsp: true } });
  const [portable] = runLoweredMany(g, [node], { x });
  assert.is(dsp.calls[0].kernel, 'utvm_fully_connected_s8');
  assert.equal(Array.from(dsp.outputs[0] as Int8Array), Array.from(portable.outputs[0] as Int8Array));
});

test.run();
