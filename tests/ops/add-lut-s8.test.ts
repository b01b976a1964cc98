/**
 * The table-driven int8 ADD (utvm_add_lut_s8, src/ops/binary/s8.ts `flatAddCall`): the two 256-entry
 * tables against TFLite's per-input rescaling, and the kernel on every one of the 65,536 (a, b) pairs for
 * several quantizations (scales either way round, zero points at the ends, fused ReLU / ReLU6) against a
 * TypeScript transcription of TFLite's AddFunc (which binary-s8.test.ts holds utvm_add_s8 to). Small ADDs keep
 * utvm_add_s8; the kernel builds for the Cortex-M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, Quant } from '../../src/ir/graph.js';
import { multiplyByQuantizedMultiplier } from '../../src/ir/quant.js';
import { ADD_LUT_MIN_COUNT, addLut, addParamsS8 } from '../../src/ops/binary/s8.js';
import type { Clamp } from '../../src/ops/op.js';
import { runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1 } from '../util/s8.js';

const SRC = { op: 'ADD', name: 't' };
const pq = (q: Quant) => ({ scale: q.scale[0], zeroPoint: q.zeroPoint[0] });

/** TFLite's AddFunc on one pair. */
function addElement(p: Record<string, number>, a: number, b: number): number {
  const sa = multiplyByQuantizedMultiplier((a + p.input1_offset) * 2 ** p.left_shift, p.input1_multiplier, p.input1_shift);
  const sb = multiplyByQuantizedMultiplier((b + p.input2_offset) * 2 ** p.left_shift, p.input2_multiplier, p.input2_shift);
  const y = multiplyByQuantizedMultiplier(sa + sb, p.output_multiplier, p.output_shift) + p.output_offset;
  return Math.min(p.act_max, Math.max(p.act_min, y));
}

interface Quants {
  qa: Quant;
  qb: Quant;
  qy: Quant;
  clamp?: Clamp;
}

const CASES: Quants[] = [
  { qa: q1(0.0235, -128), qb: q1(0.0412, 5), qy: q1(0.0507, -128), clamp: { min: 0, max: Infinity } },
  { qa: q1(0.171853513, 3), qb: q1(0.000268670236, -7), qy: q1(0.298085809, -128) },
  { qa: q1(0.0031, 127), qb: q1(0.0029, -128), qy: q1(0.0011, 0), clamp: { min: 0, max: 6 } },
  { qa: q1(0.5, 0), qb: q1(0.5, 0), qy: q1(1, 0) },
];

test('tables: lut[v & 255] is TFLite rescaling of v for every int8 v', () => {
  const p = addParamsS8(pq(CASES[1].qa), pq(CASES[1].qb), pq(CASES[1].qy), undefined, SRC);
  const lut = addLut(p.input2_offset, p.input2_multiplier, p.input2_shift);
  for (let v = -128; v < 128; v++) {
    assert.is(lut[v & 255], multiplyByQuantizedMultiplier((v + p.input2_offset) * 2 ** 20, p.input2_multiplier, p.input2_shift), `v = ${v}`);
  }
});

test('utvm_add_lut_s8 = TFLite AddFunc on all 65,536 pairs, four quantizations', () => {
  const g = new Graph('t');
  const a = Int8Array.from({ length: 65536 }, (_, i) => (i >> 8) - 128);
  const b = Int8Array.from({ length: 65536 }, (_, i) => (i & 255) - 128);
  const inputs: Record<string, Int8Array> = {};
  const nodes: Node[] = CASES.map((c, i) => {
    inputs[`a${i}`] = int8Input(g, `a${i}`, [1, 256, 256, 1], c.qa, a);
    inputs[`b${i}`] = int8Input(g, `b${i}`, [1, 256, 256, 1], c.qb, b);
    return addQuantNode(g, 'add', [`a${i}`, `b${i}`], c.clamp ? { clamp: c.clamp } : {}, `n${i}`, c.qy);
  });
  const runs = runLoweredMany(g, nodes, inputs);
  CASES.forEach((c, i) => {
    assert.is(runs[i].calls[0].kernel, 'utvm_add_lut_s8');
    const p = addParamsS8(pq(c.qa), pq(c.qb), pq(c.qy), c.clamp, SRC);
    const out = runs[i].outputs[0] as Int8Array;
    for (let k = 0; k < 65536; k++) {
      const expected = addElement(p, a[k], b[k]);
      if (out[k] !== expected) assert.unreachable(`case ${i}: a ${a[k]} b ${b[k]}: lut ${out[k]}, TFLite ${expected}`);
    }
  });
});

test('an ADD below ADD_LUT_MIN_COUNT elements keeps utvm_add_s8; at the threshold the tables are used', () => {
  const g = new Graph('t');
  const small = ADD_LUT_MIN_COUNT - 1;
  const inputs: Record<string, Int8Array> = {};
  const nodes = [small, ADD_LUT_MIN_COUNT].map((n, i) => {
    const values = Int8Array.from({ length: n }, (_, k) => ((k * 37) % 256) - 128);
    inputs[`a${i}`] = int8Input(g, `a${i}`, [n], CASES[0].qa, values);
    inputs[`b${i}`] = int8Input(g, `b${i}`, [n], CASES[0].qb, values.map((v) => -v - 1));
    return addQuantNode(g, 'add', [`a${i}`, `b${i}`], {}, `n${i}`, CASES[0].qy);
  });
  const runs = runLoweredMany(g, nodes, inputs);
  assert.equal(runs.map((r) => r.calls[0].kernel), ['utvm_add_s8', 'utvm_add_lut_s8']);
  const p = addParamsS8(pq(CASES[0].qa), pq(CASES[0].qb), pq(CASES[0].qy), undefined, SRC);
  runs.forEach((r, i) => {
    const out = r.outputs[0] as Int8Array;
    out.forEach((v, k) => assert.is(v, addElement(p, inputs[`a${i}`][k], inputs[`b${i}`][k])));
  });
});

test('the table ADD kernel builds for the Cortex-M7', () => {
  compileForCortexM7(['utvm_add_lut_s8']);
});

test.run();
