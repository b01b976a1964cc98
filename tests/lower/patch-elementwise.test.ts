/**
 * Elementwise layers inside patch stages (src/lower/patch/rows.ts: an operator marked `elementwise` reads
 * the same rows of its image inputs; a constant operand broadcasts over the rows): a MobileNetV3-like
 * block — conv 3x3, HARD_SWISH, depthwise 3x3, MUL by a per-channel constant, ADD of two images (no
 * convolution to fuse it into), conv 1x1 — in int8 and float32. At budgets that put the elementwise layers
 * in a stage, the host build gives TFLite Micro's bytes (int8) and the layer-by-layer build's bits
 * (float32), and the int8 block's tightest plan runs on the emulated M7.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OpSpec, TensorSpec, buildTflite, conv2dOptions, depthwiseOptions } from '../util/tflite-build.js';
import { compile } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import type { TensorValue } from '../../src/io/tensor-value.js';
import { assertSameBytes, randomCase, runTflm } from '../util/tflm.js';
import { mulberry32, randomInts } from '../util/random.js';

function block(type: 'int8' | 'float32'): Uint8Array {
  const rng = mulberry32(type === 'int8' ? 51 : 52);
  const int8 = type === 'int8';
  const tensors: TensorSpec[] = [];
  const operators: OpSpec[] = [];
  const add = (t: TensorSpec) => tensors.push(t) - 1;
  const q = (scale: number, zeroPoint: number) => (int8 ? { quant: { scale: [scale], zeroPoint: [zeroPoint] } } : {});
  const image = (name: string, c: number, scale: number, zp: number) => add({ name, shape: [1, 12, 10, c], type, ...q(scale, zp) });
  const floats = (n: number, r: number) => Array.from({ length: n }, () => (rng() * 2 - 1) * r);
  const weights = (name: string, shape: number[], inScale: number, depthwise: boolean) => {
    const o = depthwise ? shape[3] : shape[0];
    const n = shape.reduce((a, b) => a * b, 1);
    const scales = Array.from({ length: o }, (_, i) => 0.004 + 0.001 * (i % 5));
    const w = add({ name: `${name}.w`, shape, type, data: int8 ? randomInts(rng, n, -127, 127) : floats(n, 0.3), ...(int8 ? { quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: depthwise ? 3 : 0 } } : {}) });
    const b = add({ name: `${name}.b`, shape: [o], type: int8 ? 'int32' : 'float32', data: int8 ? randomInts(rng, o, -300, 300) : floats(o, 0.1), ...(int8 ? { quant: { scale: scales.map((s) => s * inScale), zeroPoint: scales.map(() => 0) } } : {}) });
    return [w, b];
  };
  const x = image('x', 4, 0.05, -3);
  const c0 = image('c0', 16, 0.1, 2);
  operators.push({ op: 'CONV_2D', version: 3, inputs: [x, ...weights('conv0', [16, 3, 3, 4], 0.05, false)], outputs: [c0], options: conv2dOptions({ padding: 'SAME' }) });
  const h = image('hs', 16, 0.06, -10);
  operators.push({ op: 'HARD_SWISH', inputs: [c0], outputs: [h] });
  const d = image('dw', 16, 0.08, 1);
  operators.push({ op: 'DEPTHWISE_CONV_2D', version: 3, inputs: [h, ...weights('dw', [1, 3, 3, 16], 0.06, true)], outputs: [d], options: depthwiseOptions({ padding: 'SAME', multiplier: 1 }) });
  const k = add({ name: 'scale', shape: [16], type, data: int8 ? randomInts(rng, 16, -127, 127) : floats(16, 1.5), ...q(0.02, 0) });
  const m = image('mul', 16, 0.05, 0);
  operators.push({ op: 'MUL', inputs: [d, k], outputs: [m] });
  const a = image('add', 16, 0.09, -5);
  operators.push({ op: 'ADD', inputs: [m, h], outputs: [a] });
  const y = add({ name: 'y', shape: [1, 12, 10, 8], type, ...q(0.1, 0) });
  operators.push({ op: 'CONV_2D', version: 3, inputs: [a, ...weights('conv1', [8, 1, 1, 16], 0.09, false)], outputs: [y], options: conv2dOptions({ padding: 'VALID' }) });
  return buildTflite({ tensors, inputs: [x], outputs: [y], operators });
}

const INT8 = block('int8');
const FLOAT = block('float32');

function cases(model: Uint8Array): TensorValue[][] {
  const input = compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true }).program.inputs[0];
  return [1, 2, 3].map((seed) => [randomCase(input, seed)]);
}

const bits = (v: TensorValue) => new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);

const WHOLE = 'conv2d0+hard_swish1+conv2d2+mul3+add4+conv2d5';

/** Per model: the layer-by-layer arena, and budgets with the arena and stages they give (the whole block, rows of 2 and 1). */
const PLANS: [string, Uint8Array, number, [number, number, string[]][]][] = [
  ['int8', INT8, 3840, [[2880, 2880, [`${WHOLE} rows 2 keep`]], [2080, 2080, [`${WHOLE} rows 1 keep`]]]],
  ['float32', FLOAT, 15360, [[11520, 11520, [`${WHOLE} rows 2 keep`]], [8320, 8320, [`${WHOLE} rows 1 keep`]]]],
];

test('the elementwise layers join the stage; host = TFLite Micro (int8) and = layer by layer (float32)', () => {
  for (const [name, model, base, budgets] of PLANS) {
    assert.is(compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true }).plan.arenaBytes, base);
    const input = cases(model);
    const layered = runModel(model, 'm.tflite', input, { target: 'host' });
    if (name === 'int8') assertSameBytes('int8 layer by layer', layered, runTflm(model, input.map((c) => c.map(toBytes)), 1));
    for (const [budget, arena, stages] of budgets) {
      const r = compile(model, 'm.tflite', { name: 'm', board: 'host', planOnly: true, ramBudget: budget });
      assert.is(r.plan.arenaBytes, arena, `${name} at ${budget}`);
      assert.equal(r.patch!.stages.map((s) => `${s.nodes.join('+')} rows ${s.tileRows} ${s.mode}`), stages);
      const got = runModel(model, 'm.tflite', input, { target: 'host', ramBudget: budget });
      got.forEach((outs, i) => assert.equal(bits(outs[0]), bits(layered[i][0]), `${name} at ${budget}: case ${i}`));
    }
  }
});

test('emulated Cortex-M7: the int8 block in one stage gives TFLite Micro\'s bytes', () => {
  const input = cases(INT8);
  const budget = 2880;
  const plan = compile(INT8, 'm.tflite', { name: 'm', board: 'qemu-mps2-an500', planOnly: true, ramBudget: budget });
  assert.ok(plan.patch!.stages.some((s) => s.nodes.includes('mul3') && s.nodes.includes('add4')), JSON.stringify(plan.patch!.stages.map((s) => s.nodes)));
  assertSameBytes('int8 block on the M7', runModel(INT8, 'm.tflite', input, { target: 'qemu', ramBudget: budget }), runTflm(INT8, input.map((c) => c.map(toBytes)), 1));
});

test.run();
