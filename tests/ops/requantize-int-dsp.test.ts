/**
 * The fast int8 <-> int16 QUANTIZE paths of the Cortex-M7 target against the portable utvm_requantize_int,
 * bit for bit (the same graph lowered for `{ dsp: true }` and for the portable target; built on the host
 * with the portable twins of the DSP instructions): int16 -> int8 by utvm_requantize_s16_s8_dsp (SMMULR,
 * no 64-bit arithmetic) over every int16 value, with zero points at both ends, scales up and down and an odd
 * count; its fallback to utvm_requantize_int when the short form's precondition fails (a large upward
 * scale); int8 -> int16 by the 256-entry table of utvm_lut_s8_s16 over every int8 value.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { DType } from '../../src/ir/dtype.js';
import { addNode, runLoweredMany } from '../util/run-lowered.js';
import { compileForCortexM7, q1 } from '../util/s8.js';

interface Case {
  from: DType;
  to: DType;
  sx: number;
  zx: number;
  sy: number;
  zy: number;
  kernel: string;
}

const CASES: Case[] = [
  { from: 'int16', to: 'int8', sx: 0.0005, zx: 0, sy: 0.05, zy: 3, kernel: 'utvm_requantize_s16_s8_dsp' },
  { from: 'int16', to: 'int8', sx: 0.00031, zx: -32768, sy: 0.17, zy: -128, kernel: 'utvm_requantize_s16_s8_dsp' },
  { from: 'int16', to: 'int8', sx: 0.002, zx: 32767, sy: 0.0011, zy: 127, kernel: 'utvm_requantize_s16_s8_dsp' },
  { from: 'int16', to: 'int8', sx: 0.01, zx: 5, sy: 0.02, zy: -7, kernel: 'utvm_requantize_s16_s8_dsp' },
  { from: 'int16', to: 'int8', sx: 1, zx: 11, sy: 0.00002, zy: 0, kernel: 'utvm_requantize_int' },
  { from: 'int8', to: 'int16', sx: 0.05, zx: -3, sy: 0.0004, zy: 0, kernel: 'utvm_lut_s8_s16' },
  { from: 'int8', to: 'int16', sx: 0.9, zx: 127, sy: 0.002, zy: 100, kernel: 'utvm_lut_s8_s16' },
  { from: 'int8', to: 'int16', sx: 0.3, zx: -128, sy: 0.001, zy: -32768, kernel: 'utvm_lut_s8_s16' },
];

test('fast int8 <-> int16 QUANTIZE = utvm_requantize_int, bit for bit, over every input value', () => {
  const g = new Graph('t');
  const inputs: Record<string, Int8Array | Int16Array> = {};
  const nodes = CASES.map((c, i) => {
    const id = `c${i}`;
    /* Every value of the input type; int16: one more (an odd count). */
    const values = c.from === 'int16' ? Int16Array.from({ length: 65537 }, (_, j) => (j % 65536) - 32768) : Int8Array.from({ length: 256 }, (_, j) => j - 128);
    g.addTensor({ name: `${id}_x`, dtype: c.from, shape: [values.length], quant: q1(c.sx, c.zx) });
    inputs[`${id}_x`] = values;
    return addNode(g, 'quantize', [`${id}_x`], { dtype: c.to, quant: q1(c.sy, c.zy) }, id);
  });
  const [fast, portable] = [{ target: { dsp: true } }, {}].map((o) => runLoweredMany(g, nodes, inputs, o));
  const saturated = new Set<string>();
  CASES.forEach((c, i) => {
    const what = JSON.stringify(c);
    assert.is(fast[i].calls[0].kernel, c.kernel, what);
    assert.is(portable[i].calls[0].kernel, 'utvm_requantize_int', what);
    const a = fast[i].outputs[0] as Int8Array | Int16Array;
    const b = portable[i].outputs[0] as Int8Array | Int16Array;
    for (let j = 0; j < b.length; j++) if (a[j] !== b[j]) assert.unreachable(`${what}: [${j}] fast ${a[j]} != portable ${b[j]}`);
    const [lo, hi] = c.to === 'int8' ? [-128, 127] : [-32768, 32767];
    assert.ok(new Set(b).size > (c.kernel === 'utvm_requantize_int' ? 2 : 40), `${what}: ${new Set(b).size} distinct outputs`);
    if (b.includes(lo)) saturated.add(`${c.to} ${lo}`);
    if (b.includes(hi)) saturated.add(`${c.to} ${hi}`);
  });
  assert.equal([...saturated].sort(), ['int16 -32768', 'int16 32767', 'int8 -128', 'int8 127']);
});

test('the fast QUANTIZE kernels build for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_requantize_s16_s8_dsp', 'utvm_lut_s8_s16']);
});

test.run();
