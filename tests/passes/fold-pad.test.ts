/**
 * fold-pad (src/passes/fold-pad.ts): an int8 PAD whose fill is the zero point moves into the convolution
 * that reads it (also through an NCHW→NHWC TRANSPOSE, as in TFLite Micro's MobileNetV2-224); a PADV2 with
 * another fill, a pad of the channels, and a PAD read by two layers stay. One TFLite model holds every case
 * and its host build must give TFLite Micro's bytes (tflm-run) on random inputs.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OpSpec, TensorSpec, buildTflite, conv2dOptions, depthwiseOptions } from '../util/tflite-build.js';
import { importGraph, loadGraph } from '../../src/compile.js';
import { runModel } from '../../src/run/index.js';
import { toBytes } from '../../src/io/tensor-value.js';
import { assertSameBytes, randomCase, runTflm } from '../util/tflm.js';
import { mulberry32, randomInts } from '../util/random.js';

const rng = mulberry32(33);
const tensors: TensorSpec[] = [];
const operators: OpSpec[] = [];
const add = (t: TensorSpec) => tensors.push(t) - 1;
const XQ = { scale: [0.05], zeroPoint: [-3] };
const act = (name: string, shape: number[]) => add({ name, shape, type: 'int8', quant: { scale: [0.11], zeroPoint: [5] } });
const ints = (name: string, shape: number[], data: number[]) => add({ name, shape, type: 'int32', data });

function conv(name: string, input: number, inC: number, outShape: number[], depthwise: boolean, stride: number): void {
  const o = outShape[3];
  const w = add({ name: `${name}.w`, shape: depthwise ? [1, 3, 3, o] : [o, 3, 3, inC], type: 'int8', data: randomInts(rng, 9 * o * (depthwise ? 1 : inC), -127, 127), quant: { scale: Array.from({ length: o }, (_, i) => 0.01 + 0.002 * i), zeroPoint: new Array(o).fill(0), axis: depthwise ? 3 : 0 } });
  const b = add({ name: `${name}.b`, shape: [o], type: 'int32', data: randomInts(rng, o, -500, 500), quant: { scale: Array.from({ length: o }, (_, i) => 0.05 * (0.01 + 0.002 * i)), zeroPoint: new Array(o).fill(0), axis: 0 } });
  const out = act(name, outShape);
  outputs.push(out);
  const stride2: [number, number] = [stride, stride];
  operators.push(depthwise
    ? { op: 'DEPTHWISE_CONV_2D', version: 3, inputs: [input, w, b], outputs: [out], options: depthwiseOptions({ padding: 'VALID', stride: stride2, multiplier: 1 }) }
    : { op: 'CONV_2D', version: 3, inputs: [input, w, b], outputs: [out], options: conv2dOptions({ padding: 'VALID', stride: stride2 }) });
}

const outputs: number[] = [];
const x = add({ name: 'x', shape: [1, 7, 6, 4], type: 'int8', quant: XQ });
const xc = add({ name: 'x_nchw', shape: [1, 4, 7, 6], type: 'int8', quant: XQ });
// 1. PAD (zero point) → depthwise 3x3 stride 2: folded, pads [1, 2, 2, 0].
const p1 = add({ name: 'pad1', shape: [1, 10, 8, 4], type: 'int8', quant: XQ });
operators.push({ op: 'PAD', inputs: [x, ints('pads1', [4, 2], [0, 0, 1, 2, 2, 0, 0, 0])], outputs: [p1] });
conv('dw1', p1, 4, [1, 4, 3, 4], true, 2);
// 2. PADV2 filled with 7 (not the zero point -3) → conv: stays.
const p2 = add({ name: 'pad2', shape: [1, 9, 8, 4], type: 'int8', quant: XQ });
operators.push({ op: 'PADV2', inputs: [x, ints('pads2', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]), add({ name: 'fill', shape: [], type: 'int8', data: [7], quant: XQ })], outputs: [p2] });
conv('conv2', p2, 4, [1, 7, 6, 3], false, 1);
// 3. PAD of the channels too → conv: stays.
const p3 = add({ name: 'pad3', shape: [1, 9, 8, 5], type: 'int8', quant: XQ });
operators.push({ op: 'PAD', inputs: [x, ints('pads3', [4, 2], [0, 0, 1, 1, 1, 1, 0, 1])], outputs: [p3] });
conv('conv3', p3, 5, [1, 7, 6, 2], false, 1);
// 4. NCHW input: PAD (H, W) → TRANSPOSE to NHWC → conv: folded through the permutation, pads [2, 0, 1, 1].
const p4 = add({ name: 'pad4', shape: [1, 4, 10, 7], type: 'int8', quant: XQ });
operators.push({ op: 'PAD', inputs: [xc, ints('pads4', [4, 2], [0, 0, 0, 0, 2, 1, 0, 1])], outputs: [p4] });
const t4 = add({ name: 'pad4_nhwc', shape: [1, 10, 7, 4], type: 'int8', quant: XQ });
operators.push({ op: 'TRANSPOSE', inputs: [p4, ints('perm', [4], [0, 2, 3, 1])], outputs: [t4] });
conv('conv4', t4, 4, [1, 8, 5, 3], false, 1);
const model = buildTflite({ tensors, inputs: [x, xc], outputs, operators });

test('zero-point pads fold into their convolution (also through a transpose); other pads stay', () => {
  const g = loadGraph(model, 'fold-pad.tflite', 'm');
  const pads = g.nodes.filter((n) => n.op === 'pad').map((n) => n.source.name);
  assert.equal(pads.length, 2, `pads left: ${pads}`);
  const convPads = g.nodes.filter((n) => n.op === 'conv2d').map((n) => (n.attrs as { pads: number[] }).pads);
  assert.equal(convPads, [[1, 2, 2, 0], [0, 0, 0, 0], [0, 0, 0, 0], [2, 0, 1, 1]]);
  const transpose = g.nodes.find((n) => n.op === 'transpose')!;
  assert.equal(g.tensor(transpose.outputs[0]).shape, [1, 7, 6, 4]);
});

test('host build = TFLite Micro on 4 random inputs', () => {
  const g = importGraph(model, 'fold-pad.tflite', 'm');
  const cases = [0, 1, 2, 3].map((i) => g.inputs.map((name, j) => randomCase(g.tensor(name), 100 + 10 * i + j)));
  const ours = runModel(model, 'fold-pad.tflite', cases, { target: 'host', name: 'm' });
  const theirs = runTflm(model, cases.map((c) => c.map(toBytes)), outputs.length);
  assert.is(assertSameBytes('fold-pad', ours, theirs), 4 * (48 + 126 + 84 + 120));
});

test.run();
