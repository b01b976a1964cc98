/**
 * The Cortex-M7 (DSP) 16x8 ADD utvm_add_s16_dsp (short SMMULR requantizations) against the portable
 * utvm_add_s16, bit for bit, on the host (portable twins of the DSP instructions): input scales equal, either
 * larger, far apart; output scales up and down (outputs saturating both ways); RELU; the extremes -32768 and
 * 32767 in both inputs; an odd count. (ADD's multipliers are all below 1, so the lowering's shift <= 0
 * conditions always hold: there is no portable fallback to test.)
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { mulberry32, randomInts } from '../util/random.js';
import { addNode, runLoweredMany } from '../util/run-lowered.js';
import { compileForCortexM7, q1 } from '../util/s8.js';

interface Case {
  sa: number;
  sb: number;
  sy: number;
  zy?: number;
  relu?: boolean;
}

const CASES: Case[] = [
  { sa: 0.0003, sb: 0.0003, sy: 0.0004 },
  { sa: 0.0003, sb: 0.0002, sy: 0.0001 },
  { sa: 0.00001, sb: 0.0005, sy: 0.0003, zy: 17, relu: true },
  { sa: 0.002, sb: 0.00007, sy: 0.004 },
  { sa: 0.001, sb: 0.001, sy: 0.000001 },
];

test('DSP 16x8 ADD = portable, bit for bit', () => {
  const rng = mulberry32(1625);
  const g = new Graph('t');
  const inputs: Record<string, Int16Array> = {};
  const n = 1001;
  const edge = [-32768, 32767, -32768, 32767, 0, -1, 1];
  const edgeB = [-32768, 32767, 32767, -32768, 0, 1, -1];
  const nodes = CASES.map((c, i) => {
    const id = `c${i}`;
    const a = Int16Array.from(randomInts(rng, n, -32768, 32767));
    const b = Int16Array.from(randomInts(rng, n, -32768, 32767));
    a.set(edge);
    b.set(edgeB);
    g.addTensor({ name: `${id}_a`, dtype: 'int16', shape: [n], quant: q1(c.sa, 0) });
    g.addTensor({ name: `${id}_b`, dtype: 'int16', shape: [n], quant: q1(c.sb, 0) });
    inputs[`${id}_a`] = a;
    inputs[`${id}_b`] = b;
    const node = addNode(g, 'add', [`${id}_a`, `${id}_b`], { clamp: c.relu ? { min: 0, max: Infinity } : undefined }, id);
    g.tensor(node.outputs[0]).quant = q1(c.sy, c.zy ?? 0);
    return node;
  });
  const [dsp, portable] = [{ target: { dsp: true } }, {}].map((o) => runLoweredMany(g, nodes, inputs, o));
  const all: number[] = [];
  CASES.forEach((c, i) => {
    const what = JSON.stringify(c);
    assert.is(dsp[i].calls[0].kernel, 'utvm_add_s16_dsp', what);
    assert.is(portable[i].calls[0].kernel, 'utvm_add_s16', what);
    const x = dsp[i].outputs[0] as Int16Array;
    const y = portable[i].outputs[0] as Int16Array;
    for (let j = 0; j < y.length; j++) if (x[j] !== y[j]) assert.unreachable(`${what}: [${j}] dsp ${x[j]} != portable ${y[j]}`);
    if (c.sy >= 0.0001) assert.ok(new Set(y).size > n / 4, `${what}: ${new Set(y).size} distinct`);
    all.push(...y);
  });
  assert.ok(all.includes(32767) && all.includes(-32768), 'saturates both ways');
});

test('utvm_add_s16_dsp builds for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_add_s16_dsp']);
});

test.run();
