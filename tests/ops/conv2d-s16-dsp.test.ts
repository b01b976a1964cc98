/**
 * The Cortex-M7 (DSP) 16x8 convolution utvm_conv2d_s16_dsp against the portable utvm_conv2d_s16, bit for
 * bit: the same graph lowered for `{ dsp: true }` (SMLAD on int16 pairs per tap, packed weights; built on
 * the host with the portable twins of the DSP instructions) and for the portable target (itself checked
 * against TFLite Micro in tests/import/tflite-int16.test.ts). Cases: channels per group 2, 3, 5, 7, 8, 300
 * (the tail of 1..3 channels, and past the kernel's 508-product int32 partial sums with extreme values: one tap's sum past
 * 2^31), groups, padding, strides, dilation, int64 / int32 / no bias, per-channel and per-tensor
 * multipliers, RELU, saturation. Depthwise with channel multiplier 1 by utvm_depthwise_conv2d_s16_dsp
 * (odd and even channel counts, strides, dilation, all bias types, a 22x23 kernel: 506 taps, int32 sums
 * near 2^31 with extreme values); multiplier 2 and a 23x23 kernel (529 taps) stay portable.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { mulberry32, randomInts } from '../util/random.js';
import { addQuantNode, compileForCortexM7, q1 } from '../util/s8.js';
import { runLoweredMany } from '../util/run-lowered.js';

interface Case {
  x: [number, number, number, number];
  /** [O, KH, KW, I / groups]. */
  w: [number, number, number, number];
  groups?: number;
  bias: 'int64' | 'int32' | 'none';
  perChannel?: boolean;
  pads?: [number, number, number, number];
  strides?: [number, number];
  dilations?: [number, number];
  relu?: boolean;
  extreme?: boolean;
  sy?: number;
  kernel: string;
}

const D = 'utvm_conv2d_s16_dsp';
const DW = 'utvm_depthwise_conv2d_s16_dsp';
const CASES: Case[] = [
  { x: [1, 7, 6, 3], w: [4, 3, 3, 3], bias: 'int64', perChannel: true, pads: [1, 1, 1, 1], relu: true, kernel: D },
  { x: [2, 5, 5, 4], w: [5, 2, 2, 4], bias: 'int32', strides: [2, 2], kernel: D },
  { x: [1, 8, 7, 2], w: [3, 3, 2, 2], bias: 'none', perChannel: true, pads: [2, 0, 2, 1], dilations: [2, 1], kernel: D },
  { x: [1, 5, 4, 10], w: [6, 3, 1, 5], groups: 2, bias: 'int64', pads: [1, 0, 1, 0], sy: 0.2, kernel: D },
  { x: [1, 4, 4, 7], w: [3, 1, 1, 7], bias: 'int32', perChannel: true, kernel: D },
  { x: [1, 3, 3, 8], w: [9, 2, 2, 8], bias: 'int64', strides: [1, 2], kernel: D },
  { x: [1, 2, 2, 1000], w: [3, 2, 2, 1000], bias: 'int64', extreme: true, sy: 400, kernel: D },
  { x: [1, 2, 2, 1001], w: [2, 1, 2, 1001], bias: 'none', extreme: true, perChannel: true, sy: 400, kernel: D },
  { x: [1, 6, 5, 3], w: [6, 3, 3, 1], groups: 3, bias: 'int64', pads: [1, 1, 1, 1], kernel: 'utvm_conv2d_s16' },
  { x: [1, 7, 6, 5], w: [5, 3, 3, 1], groups: 5, bias: 'int64', perChannel: true, pads: [1, 1, 1, 1], relu: true, kernel: DW },
  { x: [2, 7, 7, 4], w: [4, 3, 3, 1], groups: 4, bias: 'int32', strides: [2, 2], kernel: DW },
  { x: [1, 8, 7, 6], w: [6, 3, 2, 1], groups: 6, bias: 'none', pads: [2, 0, 2, 1], dilations: [2, 1], sy: 0.2, kernel: DW },
  { x: [1, 24, 24, 3], w: [3, 22, 23, 1], groups: 3, bias: 'int64', extreme: true, sy: 400, kernel: DW },
  { x: [1, 24, 24, 2], w: [2, 23, 23, 1], groups: 2, bias: 'int64', extreme: true, sy: 400, kernel: 'utvm_conv2d_s16' },
];

test('DSP 16x8 convolution = portable, bit for bit', () => {
  const rng = mulberry32(1643);
  const g = new Graph('t');
  const inputs: Record<string, Int16Array> = {};
  const nodes = CASES.map((c, i) => {
    const id = `c${i}`;
    const sx = 0.0005;
    const outC = c.w[0];
    const ws = Array.from({ length: c.perChannel ? outC : 1 }, (_, j) => Math.fround(0.003 + 0.0007 * j));
    const nx = c.x.reduce((a, b) => a * b, 1);
    const nw = c.w.reduce((a, b) => a * b, 1);
    const x = c.extreme ? Int16Array.from({ length: nx }, (_, j) => (j % 13 === 3 ? 32767 : -32768)) : Int16Array.from(randomInts(rng, nx, -32768, 32767));
    g.addTensor({ name: `${id}_x`, dtype: 'int16', shape: [...c.x], quant: q1(sx, 0) });
    inputs[`${id}_x`] = x;
    const w = c.extreme ? Int8Array.from({ length: nw }, (_, j) => (j % 11 === 0 ? 127 : -128)) : Int8Array.from(randomInts(rng, nw, -128, 127));
    g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: [...c.w], data: w, quant: { scale: ws, zeroPoint: ws.map(() => 0), axis: 0 } });
    const ins = [`${id}_x`, `${id}_w`];
    if (c.bias === 'int64') g.addTensor({ name: `${id}_b`, dtype: 'int64', shape: [outC], data: BigInt64Array.from(randomInts(rng, outC, -2000000, 2000000), BigInt) });
    if (c.bias === 'int32') g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [outC], data: Int32Array.from(randomInts(rng, outC, -2000000, 2000000)) });
    if (c.bias !== 'none') ins.push(`${id}_b`);
    const attrs: Conv2dAttrs = {
      strides: c.strides ?? [1, 1], dilations: c.dilations ?? [1, 1], pads: c.pads ?? [0, 0, 0, 0], groups: c.groups ?? 1,
      clamp: c.relu ? { min: 0, max: Infinity } : undefined,
    };
    const k = c.w[1] * c.w[2] * c.w[3];
    const sy = (c.sy ?? 1) * sx * ws[0] * Math.sqrt(k) * 100;
    return addQuantNode(g, 'conv2d', ins, attrs, id, q1(sy, 0));
  });
  const [dsp, portable] = [{ target: { dsp: true } }, {}].map((o) => runLoweredMany(g, nodes, inputs, o));
  const all: number[] = [];
  CASES.forEach((c, i) => {
    const what = JSON.stringify(c);
    assert.is(dsp[i].calls[0].kernel, c.kernel, what);
    assert.is(portable[i].calls[0].kernel, 'utvm_conv2d_s16', what);
    const a = dsp[i].outputs[0] as Int16Array;
    const b = portable[i].outputs[0] as Int16Array;
    for (let j = 0; j < b.length; j++) if (a[j] !== b[j]) assert.unreachable(`${what}: [${j}] dsp ${a[j]} != portable ${b[j]}`);
    all.push(...b);
  });
  assert.ok(all.includes(32767) && all.includes(-32768), 'saturates both ways');
  assert.ok(new Set(all).size > all.length / 3, `outputs vary: ${new Set(all).size} distinct of ${all.length}`);
});

test('utvm_conv2d_s16_dsp builds for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_conv2d_s16_dsp']);
});

test.run();
