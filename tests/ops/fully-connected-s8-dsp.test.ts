/**
 * The Cortex-M7 (DSP) int8 fully connected kernels against the portable utvm_fully_connected_s8, bit for
 * bit: the same graphs lowered for `{ dsp: true }` with every value of the knob `variant` (the pair-packed
 * utvm_fully_connected_s8_pair{1,2,3}_dsp: two rows per int16 weight lane; utvm_fully_connected_s8_dsp:
 * four features per pass, SXTB16 per weight — built on the host with the portable twins of the DSP
 * instructions, utvm/dsp.h) and for the portable target (checked against TFLite's reference in
 * tests/ops/fully-connected-s8.test.ts). Shapes include features not a multiple of 4 on both sides, one
 * feature, batch 2, W given as [K, N], per-tensor and per-channel weights, no bias, zero point 0.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node } from '../../src/ir/graph.js';
import type { GemmAttrs } from '../../src/ops/gemm/index.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { nodeKnobs } from '../../src/lower/index.js';
import { lowerNode } from '../util/run-lowered.js';
import { addQuantNode, compileForCortexM7, int8Input, q1, randomInt8, runCases } from '../util/s8.js';

interface Shape {
  m: number;
  k: number;
  n: number;
  bias?: boolean;
  perChannel?: boolean;
  transB?: boolean;
  zeroPoint0?: boolean;
  relu?: boolean;
}

const SHAPES: Shape[] = [
  { m: 1, k: 640, n: 128 },
  { m: 1, k: 128, n: 8, perChannel: true },
  { m: 1, k: 8, n: 128 },
  { m: 1, k: 64, n: 12, relu: true },
  { m: 1, k: 256, n: 2 },
  { m: 1, k: 13, n: 7, perChannel: true },
  { m: 2, k: 5, n: 3, bias: false },
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 3, n: 5, transB: false },
  { m: 3, k: 30, n: 9, perChannel: true, transB: false },
  { m: 1, k: 20, n: 6, zeroPoint0: true },
  { m: 1, k: 11, n: 4, bias: false, zeroPoint0: true },
];

function addCase(g: Graph, rng: Rng, id: string, s: Shape): { node: Node; x: Int8Array } {
  const inScale = 0.01 + 0.1 * rng();
  const scales = Array.from({ length: s.perChannel ? s.n : 1 }, () => Math.fround(0.002 + 0.02 * rng()));
  const zx = s.zeroPoint0 ? 0 : randomInts(rng, 1, -128, 127)[0];
  const x = int8Input(g, `${id}_x`, [s.m, s.k], q1(inScale, zx), randomInt8(rng, s.m * s.k));
  const transB = s.transB ?? true;
  g.addTensor({
    name: `${id}_w`, dtype: 'int8', shape: transB ? [s.n, s.k] : [s.k, s.n], data: randomInt8(rng, s.n * s.k, -127, 127),
    quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: transB ? 0 : 1 },
  });
  const inputs = [`${id}_x`, `${id}_w`];
  if (s.bias !== false) {
    g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [s.n], data: Int32Array.from(randomInts(rng, s.n, -20000, 20000)) });
    inputs.push(`${id}_b`);
  }
  const attrs: GemmAttrs = { transA: false, transB, alpha: 1, beta: 1, clamp: s.relu ? { min: 0, max: Infinity } : undefined };
  const outScale = (Math.fround(inScale) * scales[0] * 20000 * Math.sqrt(s.k)) / 128;
  return { node: addQuantNode(g, 'gemm', inputs, attrs, id, q1(outScale, randomInts(rng, 1, -128, 127)[0])), x };
}

const VARIANTS: [string, string][] = [
  ['pair4', 'utvm_fully_connected_s8_pair2_dsp'],
  ['pair2', 'utvm_fully_connected_s8_pair1_dsp'],
  ['pair6', 'utvm_fully_connected_s8_pair3_dsp'],
  ['wide4', 'utvm_fully_connected_s8_wide2_dsp'],
  ['wide2', 'utvm_fully_connected_s8_wide1_dsp'],
  ['wide6', 'utvm_fully_connected_s8_wide3_dsp'],
  ['chunk4', 'utvm_fully_connected_s8_chunk2_dsp'],
  ['chunk2', 'utvm_fully_connected_s8_chunk1_dsp'],
  ['chunk6', 'utvm_fully_connected_s8_chunk3_dsp'],
  ['quad', 'utvm_fully_connected_s8_dsp'],
];

test('every DSP fully connected variant = portable fully connected, bit for bit', () => {
  const runs = [{}, ...VARIANTS.map(([variant]) => ({ target: { dsp: true }, schedule: { variant } }))];
  const [portable, ...dsp] = runCases(SHAPES, 31337, addCase, runs);
  VARIANTS.forEach(([variant, kernel], v) => {
    SHAPES.forEach((s, i) => {
      const what = `${variant} ${JSON.stringify(s)}`;
      assert.is(dsp[v][i].calls[0].kernel, kernel, what);
      assert.is(portable[i].calls[0].kernel, 'utvm_fully_connected_s8', what);
      const a = dsp[v][i].outputs[0] as Int8Array;
      const b = portable[i].outputs[0] as Int8Array;
      assert.is(a.length, s.m * s.n);
      for (let j = 0; j < b.length; j++) if (a[j] !== b[j]) assert.unreachable(`${what}: [${j}] dsp ${a[j]} != portable ${b[j]}`);
      if (b.length >= 8) {
        const inside = Array.from(b).filter((x) => x > -128 && x < 127).length;
        assert.ok(inside >= b.length / 4, `${what}: ${inside} of ${b.length} outputs inside (-128, 127)`);
      }
    });
  });
});

test('the default variant: wide, else chunk (scratch <= 1 KB), else pair; 6 or 4 features per pass; an unknown one is refused', () => {
  const [dsp] = runCases(SHAPES.slice(0, 5), 7, addCase, [{ target: { dsp: true } }]);
  // k 640 n 128: chunk6 (128 inputs at a time); k 128 n 8: wide4; k 8 n 128: wide6; k 64 n 12: wide6; k 256 n 2: wide2.
  assert.equal(dsp.map((r) => r.calls[0].kernel), ['chunk3', 'wide2', 'wide3', 'wide3', 'wide1'].map((v) => `utvm_fully_connected_s8_${v}_dsp`));
  assert.equal(dsp.map((r) => r.calls[0].scratchBytes), [256 + 4 * 132, 256, 16, 128, 512]);
  assert.throws(() => runCases(SHAPES.slice(0, 1), 7, addCase, [{ target: { dsp: true }, schedule: { variant: 'pair5' } }]), /unknown value 'pair5' of knob 'variant'/);
});

test('the default variant is one of the knob values and lowers, for every row count 1..14 and short, chunked and long rows', () => {
  const rng = mulberry32(5);
  const g = new Graph('t');
  for (const k of [1, 7, 256, 300, 1000, 4000]) {
    for (let n = 1; n <= 14; n++) {
      const { node } = addCase(g, rng, `d${k}_${n}`, { m: 1, k, n });
      const [knob] = nodeKnobs(g, node, { dsp: true });
      assert.is(knob.name, 'variant');
      assert.ok(knob.values.includes(knob.default), `k ${k} n ${n}: default ${knob.default} in ${knob.values}`);
      const [call] = lowerNode(g, node, { dsp: true });
      assert.match(call.kernel, /^utvm_fully_connected_s8_(pair|wide|chunk)[123]_dsp$/);
      if (call.scratchBytes !== undefined) assert.ok(call.scratchBytes <= 1024, `k ${k} n ${n}: ${call.scratchBytes} B of scratch`);
    }
  }
});

test('the DSP fully connected kernels build for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(VARIANTS.map(([, kernel]) => kernel));
});

test.run();
