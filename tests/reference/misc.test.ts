/**
 * The reference interpreter (src/reference/) on R-misc's operators — softmax, l2_norm, the reductions,
 * arg max / min, resizes, batchnorm and the data-movement operators — against the oracles:
 * - every output byte of TFLite Micro (tflm-run) on the models the import tests build (tests/util:
 *   reduce-resize-models, movement-models — against TFLite Micro's twin where its kernels cannot run a
 *   case as written —, layout-models), float outputs within 1e-5 of the tensor's largest magnitude
 *   (tests/util/reference.ts);
 * - one model built here with the integer edges of softmax (int8, int8 → int16, int16; betas, scales
 *   whose differences fall below diff_min, a row of 1; a row of 512 or more equal values is left out:
 *   TFLite Micro aborts on its shift of 32), MEAN (int8 and int16, zero points at both extremes,
 *   saturation), SUM, PAD / PADV2 (fill = the zero point or the constant), CONCATENATION and PACK; and
 *   its float twin;
 * - int8 CONCATENATION of inputs quantized unlike the output (requantized; TFLite Micro refuses it, so
 *   its twin QUANTIZEs each input first), int64 ARG_MAX / ARG_MIN (TFLite Micro's int32 indices
 *   widened), the error of a run-time GATHER position out of range;
 * - float ONNX graphs (Softmax old and new, ReduceMean, Concat, Pad in three modes, Transpose,
 *   BatchNormalization) against onnxruntime, within 1e-5 of each output's largest magnitude;
 * - the data-movement operators, arg max / min and reduce max / min / sum on int16, int64, float64 and
 *   float32 (both interpreter precisions) against their int32 result;
 * - per layer on real models (tests/util/reference-isolated.ts): each layer of these operators fed
 *   TFLite Micro's own inputs to it (its dumps) = TFLite Micro; keyword_scrambled_8bit whole, layer by
 *   layer (its int16 SOFTMAX).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { importGraph } from '../../src/compile.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { Graph } from '../../src/ir/graph.js';
import { UtvmError } from '../../src/diagnostics.js';
import { fromNumbers, toNumbers, type DType } from '../../src/ir/dtype.js';
import { addNode } from '../util/run-lowered.js';
import { toBytes, type TensorValue } from '../../src/io/tensor-value.js';
import { assertCloseToTflm, assertReferenceMatchesTflm, referenceOutputs } from '../util/reference.js';
import { runTflm } from '../util/tflm.js';
import { mulberry32, randomFloats, randomInts } from '../util/random.js';
import { OpSpec, TensorSpec, buildTflite, concatOptions, reducerOptions, softmaxOptions } from '../util/tflite-build.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { runOnnxRuntime } from '../util/ort.js';
import * as rr from '../util/reduce-resize-models.js';
import * as mv from '../util/movement-models.js';
import * as lay from '../util/layout-models.js';
import { assertOpsMatchTflmInIsolation } from '../util/reference-isolated.js';
import { assertReferenceLayersMatchTflm } from '../util/reference.js';

for (const type of ['float32', 'int8'] as const) {
  test(`reductions, arg max/min, resizes, L2 normalization (${type}, tests/import/tflite-reduce-resize's model): reference = TFLM`, () => {
    const m = rr.buildModel(type);
    const n = assertReferenceMatchesTflm(`rr_${type}`, m.bytes, rr.randomCases(type, type === 'int8' ? 1301 : 1302, 3));
    assert.is(n, 3 * m.outputs);
  });
}

for (const type of ['float32', 'int8', 'int32'] as const) {
  test(`movement builtins (${type}, tests/import/tflite-movement-ops' model): reference = TFLM (its twin where TFLM cannot run a case)`, () => {
    const cases = type === 'int32' ? mv.CASES.filter((c) => !/^(gather|depth_to_space|space_to_depth|mirror_pad)/.test(c.name)) : mv.CASES;
    const b = mv.build(type, cases);
    const inputs = mv.randomCases(b.ours, 1401, 2);
    const ours = referenceOutputs(b.ours.bytes(), `move_${type}.tflite`, inputs);
    const theirs = runTflm(b.twin.bytes(), inputs.map((c) => c.map(toBytes)), b.ours.outputs.length);
    ours.forEach((outs, k) => outs.forEach((o, j) => assertCloseToTflm(`move_${type} case ${k} output ${j}`, o, theirs[k][j])));
    assert.ok(ours[0].length >= 40, `${ours[0].length} outputs`);
  });
}

test('TRANSPOSE (ranks 2 to 5, int8 and float32 with ±Inf, −0, subnormals) and TRANSPOSE/SQUEEZE/EXPAND_DIMS/SHAPE/RESHAPE in one model: reference = TFLM', () => {
  let seed = 500;
  for (const type of ['int8', 'float32'] as const) {
    for (const [shape, perm] of lay.TRANSPOSES) {
      assertReferenceMatchesTflm(`transpose_${type}_${shape.join('x')}`, lay.transposeModel(type, shape, perm), lay.cases(type, shape, seed++, 2).map((x) => [x]));
    }
    assert.is(assertReferenceMatchesTflm(`all4_${type}`, lay.allFour(type), lay.cases(type, [2, 1, 3, 5], seed++, 2).map((x) => [x])), 6);
  }
});

// ---------------------------------------------------------------------------------------------------
// Integer edges of softmax, MEAN, SUM, PAD, CONCATENATION, PACK, in one model (and its float twin)

type Q = [scale: number, zp: number];
type T = 'int8' | 'int16' | 'float32';

class EdgeModel {
  tensors: TensorSpec[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  operators: OpSpec[] = [];
  constructor(readonly float: boolean) {}
  t(shape: number[], type: T, q?: Q, edge?: 'in' | 'out', data?: number[]): number {
    const ty = this.float && type !== 'int16' ? 'float32' : type;
    const i = this.tensors.push({ name: `t${this.tensors.length}`, shape, type: ty, ...(q && ty !== 'float32' ? { quant: { scale: [q[0]], zeroPoint: [q[1]] } } : {}), ...(data ? { data } : {}) }) - 1;
    if (edge === 'in') this.inputs.push(i);
    if (edge === 'out') this.outputs.push(i);
    return i;
  }
  ints(values: number[], shape = [values.length]): number {
    return this.tensors.push({ name: `c${this.tensors.length}`, shape, type: 'int32', data: values }) - 1;
  }
  op(op: string, version: number, inputs: number[], outputs: number[], options?: OpSpec['options']): void {
    this.operators.push({ op, version, inputs, outputs, ...(options ? { options } : {}) });
  }
  bytes(): Uint8Array {
    return buildTflite({ tensors: this.tensors, inputs: this.inputs, outputs: this.outputs, operators: this.operators });
  }
}

const SOFTMAX8: { shape: number[]; q: Q; beta: number; wide?: boolean }[] = [
  { shape: [1, 12], q: [0.1, -10], beta: 1 },
  { shape: [3, 10], q: [0.02, 0], beta: 1 },
  { shape: [2, 1], q: [0.05, 3], beta: 1 },
  { shape: [4, 7], q: [0.5, 0], beta: 0.3 },
  { shape: [2, 3, 50], q: [0.001, 127], beta: 2 },
  { shape: [3, 10], q: [0.0699627, 2], beta: 1, wide: true },
  { shape: [2, 33], q: [0.3, -128], beta: 0.5, wide: true },
];
const SOFTMAX16: { shape: number[]; scale: number; beta: number }[] = [
  { shape: [1, 19], scale: 0.0003, beta: 1 },
  { shape: [2, 40], scale: 1 / 4096, beta: 2 },
  { shape: [3, 1], scale: 0.001, beta: 0.5 },
  { shape: [2, 5], scale: 0.01, beta: 1 },
  { shape: [4, 9], scale: 0.00001, beta: 1 },
];
const MEANS: { type: 'int8' | 'int16'; x: number[]; axes: number[]; keep: boolean; qx: Q; qy: Q; sum?: boolean }[] = [
  { type: 'int8', x: [2, 5, 7, 3], axes: [1, 2], keep: true, qx: [0.02, -128], qy: [0.02, 127] },
  { type: 'int8', x: [3, 11], axes: [1], keep: false, qx: [0.02, 5], qy: [0.004, -3] },
  { type: 'int8', x: [2, 3, 4, 5], axes: [0, 3], keep: true, qx: [0.05, 127], qy: [0.03, -128] },
  { type: 'int8', x: [1, 7, 7, 24], axes: [1, 2], keep: true, qx: [0.0235, -128], qy: [0.0117, -128] },
  { type: 'int8', x: [4, 6], axes: [-1, 0], keep: false, qx: [0.1, 0], qy: [0.3, 0] },
  { type: 'int16', x: [2, 5, 7, 3], axes: [1, 2], keep: true, qx: [0.0004, 0], qy: [0.0004, 0] },
  { type: 'int16', x: [3, 11], axes: [1], keep: false, qx: [0.0004, 11], qy: [0.00002, -5] },
  { type: 'int8', x: [3, 11], axes: [1], keep: false, qx: [0.02, 5], qy: [0.06, -3], sum: true },
  { type: 'int8', x: [2, 3, 4], axes: [0, 2], keep: true, qx: [0.05, 127], qy: [0.2, -128], sum: true },
];

function buildEdges(float: boolean): EdgeModel {
  const m = new EdgeModel(float);
  for (const c of SOFTMAX8) {
    if (float && c.wide) continue;
    const x = m.t(c.shape, 'int8', c.q, 'in');
    const y = c.wide ? m.t(c.shape, 'int16', [1 / 65536, -32768], 'out') : m.t(c.shape, 'int8', [1 / 256, -128], 'out');
    m.op('SOFTMAX', c.wide ? 2 : float ? 1 : 2, [x], [y], softmaxOptions(c.beta));
  }
  if (!float) {
    for (const c of SOFTMAX16) m.op('SOFTMAX', 3, [m.t(c.shape, 'int16', [c.scale, 0], 'in')], [m.t(c.shape, 'int16', [1 / 32768, 0], 'out')], softmaxOptions(c.beta));
  }
  for (const c of MEANS) {
    if (float && c.type === 'int16') continue;
    const reduced = new Set(c.axes.map((a) => (a < 0 ? a + c.x.length : a)));
    const shape = c.x.flatMap((d, j) => (reduced.has(j) ? (c.keep ? [1] : []) : [d]));
    const x = m.t(c.x, c.type, c.qx, 'in');
    m.op(c.sum ? 'SUM' : 'MEAN', c.type === 'int16' ? 3 : float ? 1 : 2, [x, m.ints(c.axes)], [m.t(shape, c.type, c.qy, 'out')], reducerOptions(c.keep));
  }
  // PAD (fill: the zero point, at both extremes) and PADV2 (fill: its constant).
  for (const [q, pads] of [[[0.03, -128], [0, 0, 1, 2, 2, 1, 0, 0]], [[0.03, 127], [1, 0, 0, 1, 0, 0, 2, 3]]] as [Q, number[]][]) {
    m.op('PAD', float ? 1 : 2, [m.t([1, 5, 5, 3], 'int8', q, 'in'), m.ints(pads, [4, 2])], [m.t([1 + pads[0] + pads[1], 5 + pads[2] + pads[3], 5 + pads[4] + pads[5], 3 + pads[6] + pads[7]], 'int8', q, 'out')]);
  }
  const fill = m.t([], 'int8', [0.03, 10], undefined, [float ? -0.45 : -5]);
  m.op('PADV2', float ? 1 : 2, [m.t([2, 3, 4], 'int8', [0.03, 10], 'in'), m.ints([1, 1, 0, 2, 3, 0], [3, 2]), fill], [m.t([4, 5, 7], 'int8', [0.03, 10], 'out')]);
  // CONCATENATION (inner and outer axes) and PACK: one quantization throughout, as TFLite Micro requires.
  const q: Q = [0.04, -9];
  const a = m.t([2, 3, 4], 'int8', q, 'in');
  const b = m.t([2, 5, 4], 'int8', q, 'in');
  const c = m.t([2, 3, 4], 'int8', q, 'in');
  m.op('CONCATENATION', 1, [a, b, c], [m.t([2, 11, 4], 'int8', q, 'out')], concatOptions(1));
  m.op('CONCATENATION', 1, [a, c], [m.t([2, 3, 8], 'int8', q, 'out')], concatOptions(-1));
  m.op('PACK', float ? 1 : 2, [a, c], [m.t([2, 3, 2, 4], 'int8', q, 'out')], { type: 59, fields: [[0, 'int32', 2], [1, 'int32', 2]] });
  return m;
}

function edgeCases(m: EdgeModel, seed: number, count: number): TensorValue[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () =>
    m.inputs.map((i): TensorValue => {
      const { shape, type } = m.tensors[i];
      const n = shape.reduce((p, q) => p * q, 1);
      if (type === 'float32') return { dtype: 'float32', shape, data: randomFloats(rng, n, -6, 6) };
      if (type === 'int16') return { dtype: 'int16', shape, data: Int16Array.from(randomInts(rng, n, -32768, 32767)) };
      return { dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, n, -128, 127)) };
    }),
  );
}

test('softmax (int8, int8 → int16, int16), MEAN (int8, int16), SUM, PAD, PADV2, CONCATENATION, PACK at their integer edges: reference = TFLM', () => {
  const m = buildEdges(false);
  const n = assertReferenceMatchesTflm('edges_int8', m.bytes(), edgeCases(m, 1402, 3));
  assert.is(n, 3 * m.outputs.length);
});

test('the same operators on float32 (softmax with beta, MEAN, SUM, PAD, PADV2, CONCATENATION, PACK): reference within 1e-5 of TFLM', () => {
  const m = buildEdges(true);
  const n = assertReferenceMatchesTflm('edges_f32', m.bytes(), edgeCases(m, 1403, 2));
  assert.is(n, 2 * m.outputs.length);
});

test('int8 CONCATENATION of inputs quantized unlike the output (TFLite Micro refuses it; we requantize) = TFLM running QUANTIZE into the output quantization, then CONCATENATION', () => {
  const QS: Q[] = [[0.04, -9], [0.1, 20], [0.013, -128], [0.04, 127]];
  const shapes = [[2, 3, 4], [2, 1, 4], [2, 5, 4], [2, 2, 4]];
  const build = (twin: boolean): Uint8Array => {
    const m = new EdgeModel(false);
    const xs = QS.map((q, i) => m.t(shapes[i], 'int8', q, 'in'));
    const y = m.t([2, 11, 4], 'int8', [0.05, 3], 'out');
    const ins = twin ? xs.map((x, i) => { const r = m.t(shapes[i], 'int8', [0.05, 3]); m.op('QUANTIZE', 2, [x], [r]); return r; }) : xs;
    m.op('CONCATENATION', 2, ins, [y], concatOptions(1));
    return m.bytes();
  };
  const rng = mulberry32(1411);
  const inputs = [0, 1].map(() => shapes.map((shape): TensorValue => ({ dtype: 'int8', shape, data: Int8Array.from(randomInts(rng, shape.reduce((a, b) => a * b, 1), -128, 127)) })));
  const ours = referenceOutputs(build(false), 'cat_rq.tflite', inputs);
  const theirs = runTflm(build(true), inputs.map((c) => c.map(toBytes)), 1);
  ours.forEach((outs, k) => assertCloseToTflm(`cat_rq case ${k}`, outs[0], theirs[k][0]));
  assert.ok([...(ours[0][0].data as Int8Array)].some((v) => v === -128 || v === 127), 'some value saturates');
});

test('ARG_MAX / ARG_MIN with int64 indices (TFLite Micro refuses them): reference = TFLM\'s int32 indices widened', () => {
  for (const type of ['float32', 'int8'] as const) {
    const cases = rr.randomCases(type, 1412, 2);
    const ours = referenceOutputs(rr.buildArgModel(type, 'int64').bytes, `arg64_${type}.tflite`, cases);
    const m32 = rr.buildArgModel(type, 'int32');
    const theirs = runTflm(m32.bytes, cases.map((c) => c.map(toBytes)), m32.outputs);
    ours.forEach((outs, k) => outs.forEach((o, j) => {
      assert.is(o.dtype, 'int64');
      const want = new Int32Array(theirs[k][j].slice().buffer);
      assert.equal(Array.from(o.data as BigInt64Array, Number), Array.from(want), `${type} case ${k} output ${j}`);
    }));
  }
});

test('a run-time GATHER position outside the axis → E_INPUT_FILE naming the node and the position (TFLite Micro fails the run too)', () => {
  const m = new EdgeModel(false);
  const x = m.t([4, 3], 'int8', [0.1, 0], 'in');
  const i = m.tensors.push({ name: 'pos', shape: [2], type: 'int32' }) - 1;
  m.inputs.push(i);
  m.op('GATHER', 1, [x, i], [m.t([2, 3], 'int8', [0.1, 0], 'out')], { type: 23, fields: [[0, 'int32', 0]] });
  const x0: TensorValue = { dtype: 'int8', shape: [4, 3], data: new Int8Array(12) };
  const ok = referenceOutputs(m.bytes(), 'g.tflite', [[x0, { dtype: 'int32', shape: [2], data: Int32Array.from([3, 0]) }]]);
  assert.is(ok[0][0].data.length, 6);
  try {
    referenceOutputs(m.bytes(), 'g.tflite', [[x0, { dtype: 'int32', shape: [2], data: Int32Array.from([1, 4]) }]]);
    assert.unreachable('ran');
  } catch (e) {
    assert.instance(e, UtvmError);
    assert.is((e as UtvmError).code, 'E_INPUT_FILE');
    assert.match((e as Error).message, 'gather position 4 is outside [0, 4)');
  }
});

// ---------------------------------------------------------------------------------------------------
// Float ONNX graphs against onnxruntime

/** Every output of the interpreter (float64, reported as float32) within 1e-5 of onnxruntime's, relative to the output's largest magnitude. */
async function assertOnnxMatchesOrt(label: string, m: OnnxModelBuilder, inputs: { name: string; shape: number[] }[], seed: number): Promise<number> {
  const bytes = m.encode();
  const rng = mulberry32(seed);
  const xs = inputs.map((i) => ({ ...i, dtype: 'float32' as const, data: randomFloats(rng, i.shape.reduce((a, b) => a * b, 1), -3, 3) }));
  const expected = await runOnnxRuntime(bytes, xs);
  const ours = createInterpreter(importGraph(bytes, `${label}.onnx`, label)).run(xs.map((x) => ({ dtype: x.dtype, shape: x.shape, data: x.data }))).outputs;
  assert.is(ours.length, expected.length);
  ours.forEach((o, k) => {
    const e = expected[k].data as Float32Array;
    assert.equal(o.shape, expected[k].shape, `${label} output ${k} shape`);
    const scale = Math.max(...Array.from(e, Math.abs));
    (o.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= 1e-5 * scale, `${label} output ${k} [${i}]: ${v} vs onnxruntime ${e[i]}`));
  });
  return ours.length;
}

test('float ONNX: Softmax (opset 13 on an inner axis, opset 11 over a flattened block), ReduceMean, Concat, Pad (constant, reflect, edge), Transpose, BatchNormalization = onnxruntime', async () => {
  const rng = mulberry32(1406);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2, 3, 5, 4]);
  const z = m.input('z', 'float32', [2, 2, 5, 4]);
  m.output(m.node('Softmax', [x], { axis: 1 })[0], 'float32');
  m.output(m.node('ReduceMean', [x], { axes: [1, 3], keepdims: 0 })[0], 'float32');
  m.output(m.node('ReduceMean', [x], { keepdims: 1 })[0], 'float32');
  m.output(m.node('Concat', [x, z, x], { axis: 1 })[0], 'float32');
  m.output(m.node('Concat', [x, m.initializer('k', 'float32', [2, 3, 5, 1], randomFloats(rng, 30, -1, 1))], { axis: -1 })[0], 'float32');
  m.output(m.node('Pad', [x, m.initializer('p1', 'int64', [8], [0, 1, 2, 0, 1, 0, 1, 3]), m.initializer('v', 'float32', [], [0.75])], { mode: 'constant' })[0], 'float32');
  m.output(m.node('Pad', [x, m.initializer('p2', 'int64', [8], [0, 0, 2, 3, 0, 0, 4, 2])], { mode: 'reflect' })[0], 'float32');
  m.output(m.node('Pad', [x, m.initializer('p3', 'int64', [8], [1, 0, -1, 2, 0, 1, 0, -2])], { mode: 'edge' })[0], 'float32');
  m.output(m.node('Transpose', [x], { perm: [3, 0, 2, 1] })[0], 'float32');
  const stats = ['gamma', 'beta', 'mean', 'var'].map((n, i) => m.initializer(n, 'float32', [3], i === 3 ? randomFloats(rng, 3, 0.1, 2) : randomFloats(rng, 3, -2, 2)));
  m.output(m.node('BatchNormalization', [x, ...stats], { epsilon: 1e-3 })[0], 'float32');
  const n = await assertOnnxMatchesOrt('onnx13', m, [{ name: 'x', shape: [2, 3, 5, 4] }, { name: 'z', shape: [2, 2, 5, 4] }], 1407);
  assert.is(n, 10);
  const old = new OnnxModelBuilder({ opset: 11 });
  const y = old.input('y', 'float32', [3, 4, 5]);
  old.output(old.node('Softmax', [y], { axis: 1 })[0], 'float32');
  old.output(old.node('Softmax', [y])[0], 'float32');
  assert.is(await assertOnnxMatchesOrt('onnx11', old, [{ name: 'y', shape: [3, 4, 5] }], 1408), 2);
});

// ---------------------------------------------------------------------------------------------------
// The data-movement operators and arg max / min on every element type: the same integers in int16,
// int64, float64 (float32 in the interpreter) and float32 (interpreter kept in float32) give the int32
// result, which the movement tests above hold to TFLite Micro (the operators move values and compare
// them: their result may not depend on the element type)

const MOVES: { op: string; shapes: number[][]; attrs: object; index?: number[] }[] = [
  { op: 'transpose', shapes: [[2, 3, 4, 5]], attrs: { perm: [2, 0, 3, 1] } },
  { op: 'slice', shapes: [[5, 7]], attrs: { starts: [4, 1], ends: [-1, 7], steps: [-2, 3] } },
  { op: 'concat', shapes: [[2, 3, 4], [2, 1, 4], [2, 2, 4]], attrs: { axis: 1 } },
  { op: 'pad', shapes: [[3, 4]], attrs: { mode: 'constant', pads: [1, 0, 2, 3], value: 7 } },
  { op: 'pad', shapes: [[3, 4]], attrs: { mode: 'reflect', pads: [2, 1, 1, 3], value: 0 } },
  { op: 'pad', shapes: [[3, 4]], attrs: { mode: 'symmetric', pads: [0, 3, 2, 0], value: 0 } },
  { op: 'pad', shapes: [[3, 4]], attrs: { mode: 'wrap', pads: [0, 0, 3, 5], value: 0 } },
  { op: 'gather', shapes: [[4, 3, 5]], attrs: { axis: 1, batchDims: 0 }, index: [2, 0, 2, 1] },
  { op: 'reshape', shapes: [[2, 3, 4]], attrs: { shape: [4, 6] } },
  { op: 'copy', shapes: [[2, 3, 4]], attrs: {} },
  { op: 'arg_max', shapes: [[3, 4, 5]], attrs: { axis: 1, indexType: 'int64' } },
  { op: 'arg_min', shapes: [[3, 4, 5]], attrs: { axis: 2, indexType: 'int32' } },
  { op: 'reduce_max', shapes: [[3, 4, 5]], attrs: { axes: [0, 2], keepdims: true } },
  { op: 'reduce_min', shapes: [[3, 4, 5]], attrs: { axes: [1], keepdims: false } },
  { op: 'reduce_sum', shapes: [[3, 4, 5]], attrs: { axes: [0, 1], keepdims: true } },
];

test(`${MOVES.length} data-movement / arg / max-min cases: int16, int64, float64 and float32 give the int32 result`, () => {
  const rng = mulberry32(1409);
  for (const c of MOVES) {
    const values = c.shapes.map((s) => randomInts(rng, s.reduce((a, b) => a * b, 1), -3000, 3000));
    const run = (dtype: DType, float: 'float32' | 'float64' = 'float64'): number[] => {
      const g = new Graph('t');
      const names = c.shapes.map((shape, i) => g.addTensor({ name: `x${i}`, dtype, shape }).name);
      g.inputs = [...names];
      const inputs = [...names];
      if (c.index) inputs.push(g.addTensor({ name: 'idx', dtype: 'int32', shape: [c.index.length] }).name), g.inputs.push('idx');
      const node = addNode(g, c.op, inputs, c.attrs);
      g.outputs = [node.outputs[0]];
      const xs: TensorValue[] = c.shapes.map((shape, i) => ({ dtype, shape, data: fromNumbers(dtype, values[i]) }));
      if (c.index) xs.push({ dtype: 'int32', shape: [c.index.length], data: Int32Array.from(c.index) });
      return toNumbers(createInterpreter(g, { float }).run(xs).outputs[0].data);
    };
    const want = run('int32');
    assert.ok(want.length > 0, c.op);
    for (const [dtype, float] of [['int16'], ['int64'], ['float32'], ['float32', 'float32']] as [DType, 'float32'?][]) {
      assert.equal(run(dtype, float), want, `${c.op} ${JSON.stringify(c.attrs)} on ${dtype}${float ? ' (float32 interpreter)' : ''}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// Per layer on real models: these operators' layers fed TFLite Micro's inputs

const MINE = ['softmax', 'l2_norm', 'reduce_mean', 'reduce_max', 'reduce_min', 'reduce_sum', 'arg_max', 'arg_min', 'resize_nearest', 'resize_bilinear', 'batchnorm', 'transpose', 'concat', 'pad', 'copy', 'gather', 'slice', 'reshape'];
const MODELS = '/work/shared/models';
const REAL: [string, number][] = [
  ['mlperf-tiny/kws/kws_ref_model.tflite', 1],
  ['mlperf-tiny/ic/pretrainedResnet_quant.tflite', 1],
  ['mlperf-tiny/ic/pretrainedResnet.tflite', 1],
  ['mlperf-tiny/vww/vww_96_int8.tflite', 1],
  ['mlperf-tiny/vww/vww_96_float.tflite', 1],
  ['tflm/person_detect.tflite', 1],
  ['tflm/keyword_scrambled_8bit.tflite', 1],
  ['tflm/mobilenet_v2_quantized_1x3x224x224.tflite', 4],
];

/** A seeded input for a one-input model: integers over their range, floats in [−1, 1). */
function seededInput(bytes: Uint8Array, label: string, next: () => number): TensorValue {
  const g = importGraph(bytes, `${label}.tflite`, 'model');
  const t = g.tensor(g.inputs[0]);
  const n = t.shape.reduce((a, b) => a * b, 1);
  const r = ({ int8: [-128, 127], int16: [-32768, 32767] } as Record<string, [number, number]>)[t.dtype];
  const values = Array.from({ length: n }, () => (r ? r[0] + Math.floor(next() * (r[1] - r[0] + 1)) : 2 * next() - 1));
  return { dtype: t.dtype, shape: [...t.shape], data: fromNumbers(t.dtype, values) };
}

for (const [path, least] of REAL) {
  const name = path.split('/').pop()!.replace('.tflite', '');
  test(`${name}: each softmax / mean / pad / transpose / reshape layer fed TFLM's inputs = TFLM`, () => {
    const bytes = new Uint8Array(readFileSync(`${MODELS}/${path}`));
    const t0 = performance.now();
    const layers = assertOpsMatchTflmInIsolation(name, bytes, seededInput(bytes, name, mulberry32(1405)), MINE);
    assert.ok(layers.length >= least, `${layers.length} layers compared`);
    console.log(`    ${name}: ${layers.length} layers = TFLM (${(performance.now() - t0).toFixed(0)} ms with TFLM)`);
  });
}

test('keyword_scrambled_8bit (QUANTIZE, SVDF, FULLY_CONNECTED, int16 SOFTMAX): the whole model, layer by layer, = TFLM', () => {
  const bytes = new Uint8Array(readFileSync(`${MODELS}/tflm/keyword_scrambled_8bit.tflite`));
  assert.ok(assertReferenceLayersMatchTflm('keyword_scrambled_8bit', bytes, seededInput(bytes, 'ks', mulberry32(1410))) >= 4);
});

test.run();
