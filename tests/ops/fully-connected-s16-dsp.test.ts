/**
 * The Cortex-M7 (DSP) 16x8 fully connected layer utvm_fully_connected_s16_dsp against the portable
 * utvm_fully_connected_s16, bit for bit: the same graph lowered for `{ dsp: true }` (SMLAD on int16 pairs,
 * packed weights, the input offset folded into the bias; built on the host with the portable twins of the
 * DSP instructions) and for the portable target (itself checked against TFLite Micro in
 * tests/import/tflite-int16.test.ts). Shapes: K not a multiple of 4 (1, 2, 3 left over), K past the
 * kernel's 256-feature int32 block with extreme inputs (the int64 sum goes past 2^31), features not a
 * multiple of 4, batches, int64 / int32 / no bias, per-tensor and per-channel weights, a nonzero input
 * zero point, RELU, saturation both ways.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { GemmAttrs } from '../../src/ops/gemm/index.js';
import { mulberry32, randomInts } from '../util/random.js';
import { addQuantNode, compileForCortexM7, q1 } from '../util/s8.js';
import { runLoweredMany } from '../util/run-lowered.js';

interface Shape {
  m: number;
  k: number;
  n: number;
  bias: 'int64' | 'int32' | 'none';
  perChannel?: boolean;
  zx?: number;
  relu?: boolean;
  /** Inputs and weights at their extremes (-32768, -128): large sums. */
  extreme?: boolean;
  /** Output scale relative to the typical sum (small: saturates). */
  sy?: number;
}

const SHAPES: Shape[] = [
  { m: 1, k: 13, n: 7, bias: 'int64' },
  { m: 3, k: 9, n: 5, bias: 'int64', perChannel: true, relu: true },
  { m: 2, k: 17, n: 6, bias: 'int32', sy: 0.3 },
  { m: 1, k: 5, n: 3, bias: 'none', perChannel: true },
  { m: 1, k: 2, n: 1, bias: 'int64', zx: 37 },
  { m: 2, k: 1000, n: 9, bias: 'int64', extreme: true, sy: 400 },
  { m: 1, k: 515, n: 4, bias: 'none', extreme: true, perChannel: true, sy: 400 },
  { m: 1, k: 64, n: 16, bias: 'int32', zx: -300 },
  { m: 1, k: 300, n: 10, bias: 'int64', zx: 1000, perChannel: true },
  { m: 1, k: 1, n: 1, bias: 'int32' },
];

test('DSP 16x8 fully connected = portable, bit for bit', () => {
  const rng = mulberry32(1613);
  const g = new Graph('t');
  const inputs: Record<string, Int16Array> = {};
  const nodes = SHAPES.map((s, i) => {
    const id = `c${i}`;
    const sx = 0.0004;
    const ws = Array.from({ length: s.perChannel ? s.n : 1 }, (_, j) => Math.fround(0.004 + 0.001 * j));
    const zx = s.zx ?? 0;
    const x = s.extreme
      ? Int16Array.from({ length: s.m * s.k }, (_, j) => (j % 13 === 3 ? 32767 : -32768))
      : Int16Array.from(randomInts(rng, s.m * s.k, -32768, 32767));
    g.addTensor({ name: `${id}_x`, dtype: 'int16', shape: [s.m, s.k], quant: q1(sx, zx) });
    inputs[`${id}_x`] = x;
    const w = s.extreme ? Int8Array.from({ length: s.n * s.k }, (_, j) => (j % 11 === 0 ? 127 : -128)) : Int8Array.from(randomInts(rng, s.n * s.k, -128, 127));
    g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: [s.n, s.k], data: w, quant: { scale: ws, zeroPoint: ws.map(() => 0), axis: 0 } });
    const ins = [`${id}_x`, `${id}_w`];
    if (s.bias === 'int64') g.addTensor({ name: `${id}_b`, dtype: 'int64', shape: [s.n], data: BigInt64Array.from(randomInts(rng, s.n, -3000000, 3000000), BigInt) });
    if (s.bias === 'int32') g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [s.n], data: Int32Array.from(randomInts(rng, s.n, -3000000, 3000000)) });
    if (s.bias !== 'none') ins.push(`${id}_b`);
    const attrs: GemmAttrs = { transA: false, transB: true, alpha: 1, beta: 1, clamp: s.relu ? { min: 0, max: Infinity } : undefined };
    const sy = (s.sy ?? 1) * sx * ws[0] * Math.sqrt(s.k) * 100;
    return addQuantNode(g, 'gemm', ins, attrs, id, q1(sy, 0));
  });
  const [dsp, portable] = [{ target: { dsp: true } }, {}].map((o) => runLoweredMany(g, nodes, inputs, o));
  const all: number[] = [];
  SHAPES.forEach((s, i) => {
    const what = JSON.stringify(s);
    assert.is(dsp[i].calls[0].kernel, 'utvm_fully_connected_s16_dsp', what);
    assert.is(portable[i].calls[0].kernel, 'utvm_fully_connected_s16', what);
    const a = dsp[i].outputs[0] as Int16Array;
    const b = portable[i].outputs[0] as Int16Array;
    assert.is(a.length, s.m * s.n);
    for (let j = 0; j < b.length; j++) if (a[j] !== b[j]) assert.unreachable(`${what}: [${j}] dsp ${a[j]} != portable ${b[j]}`);
    all.push(...b);
    if (!s.extreme && s.sy === undefined && b.length >= 8) {
      const inside = Array.from(b).filter((v) => v > -32768 && v < 32767).length;
      assert.ok(inside >= b.length / 4, `${what}: ${inside} of ${b.length} outputs inside (-32768, 32767)`);
    }
  });
  assert.ok(all.includes(32767) && all.includes(-32768), 'saturates both ways');
  assert.ok(new Set(all).size > all.length / 3, `outputs vary: ${new Set(all).size} distinct of ${all.length}`);
});

test('utvm_fully_connected_s16_dsp builds for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_fully_connected_s16_dsp']);
});

test.run();
