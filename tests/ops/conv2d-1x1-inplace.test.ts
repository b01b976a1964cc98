/**
 * utvm_conv2d_1x1_s8_dsp run in place, as the planner schedules it on a DSP core when output pixel p
 * reads input pixel p (output at the input's address when out_c <= in_c, else the input ending where the
 * output ends): bit for bit the same as the same kernel out of place, on random shapes (odd pixel counts,
 * odd out_c, out_c == in_c, out_c > in_c, batch 2, width 1;
 * built on the host with the portable twins of the DSP instructions). Also: which lowered calls carry
 * the `inPlace` flag, and that the portable utvm_conv2d_1x1_s8 is not safe in place (why the host plan
 * keeps two buffers).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph, Node, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { mulberry32, randomInts, Rng } from '../util/random.js';
import { lowerNode, runLoweredMany } from '../util/run-lowered.js';
import { addQuantNode, int8Input, q1, randomInt8, runCases } from '../util/s8.js';

interface Shape {
  xs: number[];
  outC: number;
  strides?: [number, number];
}

const attrsOf = (strides: [number, number] = [1, 1]): Conv2dAttrs => ({
  strides, dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, clamp: { min: 0, max: Infinity },
});

/** A random 1x1 int8 conv2d over new tensors `<id>_*` of `g`. */
function addCase(g: Graph, rng: Rng, id: string, s: Shape): { node: Node; x: Int8Array } {
  const inC = s.xs[3];
  const inScale = 0.01 + 0.1 * rng();
  const wScales = Array.from({ length: s.outC }, () => Math.fround(0.002 + 0.02 * rng()));
  const x = int8Input(g, `${id}_x`, s.xs, q1(inScale, randomInts(rng, 1, -128, 127)[0]), randomInt8(rng, elementCount(s.xs)));
  const ws = [s.outC, 1, 1, inC];
  g.addTensor({ name: `${id}_w`, dtype: 'int8', shape: ws, data: randomInt8(rng, elementCount(ws), -127, 127), quant: { scale: wScales, zeroPoint: wScales.map(() => 0), axis: 0 } });
  g.addTensor({ name: `${id}_b`, dtype: 'int32', shape: [s.outC], data: Int32Array.from(randomInts(rng, s.outC, -20000, 20000)) });
  const outScale = (Math.fround(inScale) * wScales[0] * 20000 * Math.sqrt(inC)) / 128;
  const node = addQuantNode(g, 'conv2d', [`${id}_x`, `${id}_w`, `${id}_b`], attrsOf(s.strides), id, q1(outScale, randomInts(rng, 1, -100, 0)[0]));
  return { node, x };
}

/** The shapes in one graph, run on the DSP target in place and out of place. */
function runBoth(shapes: Shape[], seed: number) {
  const target = { dsp: true };
  const [inPlace, apart] = runCases(shapes, seed, addCase, [{ target, inPlace: true }, { target }]);
  return { inPlace, apart };
}

const SHAPES: Shape[] = [
  { xs: [1, 5, 5, 64], outC: 64 },
  { xs: [1, 3, 3, 8], outC: 8 },
  { xs: [1, 3, 5, 12], outC: 7 },
  { xs: [2, 3, 3, 16], outC: 16 },
  { xs: [1, 7, 1, 20], outC: 9 },
  { xs: [1, 1, 1, 4], outC: 1 },
  { xs: [1, 2, 3, 36], outC: 36 },
  { xs: [2, 1, 5, 8], outC: 5 },
  { xs: [1, 6, 6, 8], outC: 16 },
  { xs: [1, 3, 3, 4], outC: 9 },
  { xs: [2, 3, 1, 12], outC: 13 },
];

function assertSame(runs: ReturnType<typeof runBoth>, shapes: Shape[]): void {
  shapes.forEach((s, i) => {
    assert.is(runs.inPlace[i].calls[0].kernel, 'utvm_conv2d_1x1_s8_dsp_const'); // the default: specialise 1
    assert.is(runs.inPlace[i].calls[0].inPlace, true, JSON.stringify(s));
    const a = runs.inPlace[i].outputs[0] as Int8Array;
    const b = runs.apart[i].outputs[0] as Int8Array;
    assert.is(a.length, b.length);
    for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) assert.unreachable(`${JSON.stringify(s)}: [${k}] in place ${a[k]} != ${b[k]}`);
    const inside = Array.from(b).filter((v) => v > -128 && v < 127).length;
    assert.ok(inside >= b.length / 4, `${JSON.stringify(s)}: ${inside} of ${b.length} outputs inside (-128, 127)`);
  });
}

test('1x1 DSP kernel in place = out of place, bit for bit (odd pixels, odd out_c, out_c == in_c, larger out_c, batch 2)', () => {
  assertSame(runBoth(SHAPES, 5151), SHAPES);
});

test('1x1 DSP kernel in place = out of place on 24 random shapes (input at the output tail when out_c > in_c)', () => {
  const rng = mulberry32(2024);
  const pick = (lo: number, hi: number) => randomInts(rng, 1, lo, hi)[0];
  const shapes: Shape[] = Array.from({ length: 24 }, (_, i) => {
    const xs = [pick(1, 2), pick(1, 5), pick(1, 5), 4 * pick(1, 12)];
    return { xs, outC: i % 2 === 0 ? pick(1, xs[3]) : pick(xs[3] + 1, 3 * xs[3]) };
  });
  assertSame(runBoth(shapes, 99), shapes);
});

/** The `inPlace` flag of the call a 1x1 layer lowers to, for `target`. */
function flagOf(s: Shape, target?: { dsp: boolean }): boolean | undefined {
  const g = new Graph('t');
  const { node } = addCase(g, mulberry32(3), 'c', s);
  const calls = lowerNode(g, node, target);
  assert.is(calls.length, 1);
  return calls[0].inPlace;
}

test('the inPlace flag: DSP 1x1 over the same pixels only', () => {
  assert.is(flagOf({ xs: [1, 4, 4, 16], outC: 16 }, { dsp: true }), true);
  assert.is(flagOf({ xs: [1, 4, 4, 16], outC: 8 }, { dsp: true }), true);
  assert.is(flagOf({ xs: [1, 4, 4, 16], outC: 17 }, { dsp: true }), true, 'out_c > in_c: the input at the tail');
  assert.is(flagOf({ xs: [1, 5, 5, 16], outC: 8, strides: [2, 2] }, { dsp: true }), undefined, 'stride 2: pixel p reads input pixel != p');
  assert.is(flagOf({ xs: [1, 1, 5, 16], outC: 8, strides: [2, 1] }, { dsp: true }), true, 'stride 2 over a height of 1: the same pixels');
  assert.is(flagOf({ xs: [1, 4, 4, 16], outC: 16 }), undefined, 'portable utvm_conv2d_1x1_s8');
});

test('the portable utvm_conv2d_1x1_s8 is not safe in place, either layout (it reads the input while it writes)', () => {
  for (const outC of [16, 24]) {
    const g = new Graph('t');
    const { node, x } = addCase(g, mulberry32(8), 'c', { xs: [1, 3, 3, 16], outC });
    const inPlace = runLoweredMany(g, [node], { c_x: x }, { inPlace: true })[0];
    const apart = runLoweredMany(g, [node], { c_x: x })[0];
    assert.is(inPlace.calls[0].kernel, 'utvm_conv2d_1x1_s8');
    assert.not.equal(Array.from(inPlace.outputs[0] as Int8Array), Array.from(apart.outputs[0] as Int8Array), `out_c ${outC}`);
  }
});

test.run();
