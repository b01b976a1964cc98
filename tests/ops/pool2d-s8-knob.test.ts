/**
 * The int8 average pool's tuning knob `channel_words` (src/ops/pool2d/s8.ts; utvm_avg_pool2d_s8_dsp and
 * its _x2 / _x4 twins): every value gives the bytes of the portable utvm_avg_pool2d_s8 (itself checked
 * against TFLite Micro in the import tests), on the host with the portable twins of the DSP instructions.
 * Shapes: the MLPerf Tiny pools (kws 25x5x64, ic 8x8x64, vww 3x3x256), channel counts that leave one to
 * three words and single channels over (12, 23, 44), SAME padding with partial windows, dilation, a
 * batch of 2, RELU, and a 255-tap window of extreme values (the int16 lanes' limit). The QEMU side is
 * tests/tune/tune-qemu.test.ts (the tuner accepts a candidate only when its bytes equal the default's).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { Pool2dAttrs } from '../../src/ops/pool2d/index.js';
import { mulberry32 } from '../../src/random.js';
import { addQuantNode, compileForCortexM7, q1, randomInt8 } from '../util/s8.js';
import { runLoweredMany } from '../util/run-lowered.js';
import { lowerContext } from '../../src/lower/index.js';
import { getOp } from '../../src/ops/index.js';

interface Case {
  x: [number, number, number, number];
  kernel: [number, number];
  strides: [number, number];
  pads?: [number, number, number, number];
  dilations?: [number, number];
  relu?: boolean;
  extreme?: number;
}

const CASES: Case[] = [
  { x: [1, 25, 5, 64], kernel: [25, 5], strides: [25, 5] },
  { x: [1, 8, 8, 64], kernel: [8, 8], strides: [8, 8] },
  { x: [1, 3, 3, 256], kernel: [3, 3], strides: [3, 3] },
  { x: [1, 6, 5, 23], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], relu: true },
  { x: [2, 5, 7, 12], kernel: [2, 3], strides: [1, 2], dilations: [2, 1] },
  { x: [1, 9, 9, 44], kernel: [4, 4], strides: [3, 3], pads: [0, 0, 2, 2] },
  { x: [1, 15, 17, 36], kernel: [15, 17], strides: [1, 1], extreme: 127 },
  { x: [1, 15, 17, 36], kernel: [15, 17], strides: [1, 1], extreme: -128 },
];

function outSize(n: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((n + p0 + p1 - (d * (k - 1) + 1)) / s) + 1;
}

test('channel_words 1, 2 and 4 give the portable kernel\'s bytes', () => {
  const rng = mulberry32(1746);
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes = CASES.map((c, i) => {
    const id = `p${i}`;
    const q = q1(0.02 + 0.01 * i, i - 4);
    const n = c.x.reduce((a, b) => a * b, 1);
    g.addTensor({ name: `${id}_x`, dtype: 'int8', shape: [...c.x], quant: q });
    inputs[`${id}_x`] = c.extreme !== undefined ? new Int8Array(n).fill(c.extreme) : randomInt8(rng, n);
    const pads = c.pads ?? [0, 0, 0, 0];
    const dil = c.dilations ?? [1, 1];
    const attrs: Pool2dAttrs = {
      kind: 'avg', kernel: c.kernel, strides: c.strides, dilations: dil, pads, countIncludePad: false,
      ...(c.relu ? { clamp: { min: 0, max: Infinity } } : {}),
    };
    const node = addQuantNode(g, 'pool2d', [`${id}_x`], attrs, id, q);
    const out = g.tensor(node.outputs[0]);
    assert.equal(out.shape, [c.x[0], outSize(c.x[1], c.kernel[0], c.strides[0], dil[0], pads[0], pads[2]), outSize(c.x[2], c.kernel[1], c.strides[1], dil[1], pads[1], pads[3]), c.x[3]]);
    return node;
  });
  for (const node of nodes) {
    const knobs = getOp('pool2d').knobs!(lowerContext(g, node, { dsp: true }));
    assert.equal(knobs.map((k) => [k.name, k.values, k.default]), [['channel_words', [1, 2, 4], 2]], node.name);
    assert.equal(getOp('pool2d').knobs!(lowerContext(g, node, { dsp: false })), [], 'no knob on the portable kernel');
  }
  const portable = runLoweredMany(g, nodes, inputs);
  for (const words of [1, 2, 4]) {
    const dsp = runLoweredMany(g, nodes, inputs, { target: { dsp: true }, schedule: { channel_words: words } });
    CASES.forEach((c, i) => {
      const what = `${JSON.stringify(c)} channel_words ${words}`;
      assert.is(dsp[i].calls[0].kernel, `utvm_avg_pool2d_s8_dsp${words > 1 ? `_x${words}` : ''}`, what);
      assert.is(portable[i].calls[0].kernel, 'utvm_avg_pool2d_s8', what);
      const [a, b] = [dsp[i].outputs[0] as Int8Array, portable[i].outputs[0] as Int8Array];
      for (let j = 0; j < b.length; j++) if (a[j] !== b[j]) assert.unreachable(`${what}: [${j}] ${a[j]} != portable ${b[j]}`);
    });
  }
  const extremes = portable.slice(-2).map((r) => [...(r.outputs[0] as Int8Array)]);
  assert.ok(extremes[0].every((v) => v === 127) && extremes[1].every((v) => v === -128), 'the 255-tap windows of extremes');
});

test('the _x2 and _x4 kernels build for the Cortex-M7 with the DSP instructions', () => {
  compileForCortexM7(['utvm_avg_pool2d_s8_dsp_x2', 'utvm_avg_pool2d_s8_dsp_x4']);
});

test.run();
