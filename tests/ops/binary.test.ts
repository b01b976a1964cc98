/**
 * add/sub/mul/div: broadcasting helpers, shape inference, constant folding on float and integer data,
 * ONNX import (incl. opset 6 legacy broadcasting), the kernel variant lowering picks, commuting with a
 * transpose, the C kernels on hand-checked values, and end-to-end runs against ONNX Runtime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compile.js';
import { CValue, formatCValue } from '../../src/ir/c-value.js';
import { toNumbers } from '../../src/ir/dtype.js';
import { Graph, Node, Tensor } from '../../src/ir/graph.js';
import { add, broadcastParams, broadcastShapes, broadcastStrides, collapseDims, evaluateBinary, sub } from '../../src/ops/binary/index.js';
import { transpose } from '../../src/ops/transpose.js';
import { cFloats, printFloats, runCKernel } from '../util/c-kernel.js';
import { checkAgainstOrt } from '../util/model-check.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { errorOf, importModel, lowerNode, nodeOf } from '../util/lower.js';
import { mulberry32, randomFloats } from '../util/random.js';

const f32 = (shape: number[], values: number[]): Tensor => ({ name: 'c', dtype: 'float32', shape, data: Float32Array.from(values) });

// ---------------------------------------------------------------------------------------------------
// Broadcasting helpers

test('broadcastShapes follows numpy', () => {
  assert.equal(broadcastShapes([3, 4, 5], [5]), [3, 4, 5]);
  assert.equal(broadcastShapes([2, 1, 4], [3, 1]), [2, 3, 4]);
  assert.equal(broadcastShapes([], [2, 2]), [2, 2]);
  assert.equal(broadcastShapes([1], [0]), [0]);
  assert.is(broadcastShapes([3, 4], [5]), undefined);
});

test('broadcastStrides puts 0 on broadcast and missing dims', () => {
  assert.equal(broadcastStrides([4, 1], [2, 4, 3]), [0, 1, 0]);
  assert.equal(broadcastStrides([2, 4, 3], [2, 4, 3]), [12, 3, 1]);
});

test('collapseDims drops 1s and merges dims every input steps over contiguously', () => {
  // [2,3,4] + [4]: the two leading dims merge for both inputs.
  assert.equal(collapseDims([2, 3, 4], [[12, 4, 1], [0, 0, 1]]), { shape: [6, 4], strides: [[4, 1], [0, 1]] });
  // [2,3,4] + [3,1]: nothing merges.
  assert.equal(collapseDims([2, 3, 4], [[12, 4, 1], [0, 1, 0]]), { shape: [2, 3, 4], strides: [[12, 4, 1], [0, 1, 0]] });
  // Same shapes: one flat dim. Scalars: [1].
  assert.equal(collapseDims([2, 1, 3], [[3, 3, 1], [3, 3, 1]]), { shape: [6], strides: [[1], [1]] });
  assert.equal(collapseDims([1, 1], [[0, 0], [0, 0]]), { shape: [1], strides: [[0], [0]] });
});

test('broadcastParams pads to UTVM_MAX_RANK and counts the rows', () => {
  const p = broadcastParams([2, 3, 4], [0, 4, 1], [12, 4, 1]);
  // [3,4] broadcast against [2,3,4]: the two trailing dims merge into 12.
  assert.equal(p, { outer: 2, shape: [1, 1, 1, 1, 2, 12], a_strides: [0, 0, 0, 0, 0, 1], b_strides: [0, 0, 0, 0, 12, 1] });
  // 7 dims alternating between the two inputs cannot collapse: more than UTVM_MAX_RANK.
  assert.is(broadcastParams([2, 2, 2, 2, 2, 2, 2], [8, 0, 4, 0, 2, 0, 1], [0, 8, 0, 4, 0, 2, 0]), undefined);
});

// ---------------------------------------------------------------------------------------------------
// Shape inference and folding

function binaryModel(op: string, aShape: number[], bShape: number[], opts: { opset?: number; attrs?: Record<string, number>; bConst?: number[] } = {}) {
  const m = new OnnxModelBuilder({ opset: opts.opset ?? 14 });
  const a = m.input('a', 'float32', aShape);
  const b = opts.bConst ? m.initializer('b', 'float32', bShape, opts.bConst) : m.input('b', 'float32', bShape);
  const [y] = m.node(op, [a, b], opts.attrs ?? {}, { name: 'n', outputs: ['y'] });
  m.output(y, 'float32');
  return m;
}

test('infer broadcasts and names the node when shapes do not agree', () => {
  const g = importModel(binaryModel('Add', [2, 1, 4], [3, 1]));
  assert.equal(g.tensor('y').shape, [2, 3, 4]);
  assert.is(
    errorOf(() => importModel(binaryModel('Mul', [3, 4], [5]))),
    "m.onnx: node 'n' (Mul): shapes [3,4] and [5] do not broadcast",
  );
});

test('evaluate folds float, int32 and int64 constants (shape arithmetic)', () => {
  const out = evaluateBinary('sub', f32([2, 2], [1, 2, 3, 4]), f32([2], [10, 20]), { dtype: 'float32', shape: [2, 2] });
  assert.equal(toNumbers(out), [-9, -18, -7, -16]);
  const i32 = (v: number[]): Tensor => ({ name: 'i', dtype: 'int32', shape: [v.length], data: Int32Array.from(v) });
  assert.equal(toNumbers(evaluateBinary('div', i32([-7, 7, 9]), i32([2, -2, 3]), { dtype: 'int32', shape: [3] })), [-3, -3, 3]);
  assert.equal(toNumbers(evaluateBinary('mul', i32([65536]), i32([65537]), { dtype: 'int32', shape: [1] })), [65536]);
  const i64 = (v: bigint[]): Tensor => ({ name: 'l', dtype: 'int64', shape: [v.length], data: BigInt64Array.from(v) });
  assert.equal(Array.from(evaluateBinary('mul', i64([2n, 3n]), i64([-4n]), { dtype: 'int64', shape: [2] }) as BigInt64Array), [-8n, -12n]);
  assert.equal(Array.from(evaluateBinary('div', i64([-7n]), i64([2n]), { dtype: 'int64', shape: [1] }) as BigInt64Array), [-3n]);
  assert.is(errorOf(() => evaluateBinary('div', i64([1n]), i64([0n]), { dtype: 'int64', shape: [1] })), 'integer division by zero while folding a constant Div');
});

test('the importer folds a node whose inputs are all constants', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2]);
  const c1 = m.initializer('c1', 'int64', [1], [6n]);
  const c2 = m.initializer('c2', 'int64', [1], [7n]);
  const [p] = m.node('Mul', [c1, c2], {}, { outputs: ['p'] });
  const [y] = m.node('Add', [x, x], {}, { outputs: ['y'] });
  m.output(y, 'float32');
  m.output(p, 'int64');
  const g = importModel(m);
  assert.equal(g.nodes.map((n) => n.op).filter((o) => o !== 'copy'), ['add']);
});

test('opset 6 broadcast=1 with axis lines B up at that axis', () => {
  const g = importModel(binaryModel('Add', [2, 3, 4], [3], { opset: 6, attrs: { broadcast: 1, axis: 1 } }));
  assert.equal(g.tensor('y').shape, [2, 3, 4]);
  const n = nodeOf(g, 'add');
  assert.equal(g.tensor(n.inputs[1]).shape, [3, 1]);
});

// ---------------------------------------------------------------------------------------------------
// Lowering

test('lowering: same element count → flat kernel; otherwise the broadcast kernel', () => {
  let g = importModel(binaryModel('Div', [2, 3], [2, 3]));
  const [flat] = lowerNode(g, nodeOf(g, 'div'));
  assert.is(flat.kernel, 'utvm_div_f32');
  assert.equal(flat.args, [{ tensor: 'a' }, { tensor: 'b' }, { tensor: 'y' }, { value: 6 }]);
  g = importModel(binaryModel('Sub', [2, 3, 4], [3, 1]));
  const [bc] = lowerNode(g, nodeOf(g, 'sub'));
  assert.is(bc.kernel, 'utvm_sub_broadcast_f32');
  assert.is(bc.header, 'utvm/binary.h');
  const params = (bc.args[0] as { params: CValue }).params;
  assert.is(formatCValue(params), '{.outer = 6, .shape = {1, 1, 1, 2, 3, 4}, .a_strides = {0, 0, 0, 12, 4, 1}, .b_strides = {0, 0, 0, 0, 1, 0}}');
});

test('lowering an integer Add at run time is E_UNSUPPORTED_TYPE', () => {
  const m = new OnnxModelBuilder({ opset: 14 });
  const a = m.input('a', 'int32', [4]);
  const [y] = m.node('Add', [a, a], {}, { name: 'n', outputs: ['y'] });
  m.output(y, 'int32');
  const g = importModel(m);
  assert.is(errorOf(() => lowerNode(g, nodeOf(g, 'add'))), "node 'n' (Add): add of int32 tensors is not supported at run time (float32, int8 and int16 add/sub/mul only)");
});

// ---------------------------------------------------------------------------------------------------
// Transposes

test('commuteTranspose permutes a constant operand so that the result is the same', () => {
  const perm = [0, 2, 3, 1];
  const x: Tensor = { name: 'x', dtype: 'float32', shape: [1, 3, 2, 2], data: randomFloats(mulberry32(1), 12, -1, 1) };
  const tShape = perm.map((p) => x.shape[p]);
  const [t] = transpose.evaluate!({ perm }, [x], [{ dtype: 'float32', shape: tShape }]);
  const g = new Graph('g');
  g.addTensor({ name: 't', dtype: 'float32', shape: tShape });
  g.addTensor({ name: 'c', dtype: 'float32', shape: [3], data: Float32Array.from([1, 2, 3]) });
  g.addTensor({ name: 'y', dtype: 'float32', shape: tShape });
  const node: Node = { name: 'n', op: 'add', inputs: ['t', 'c'], outputs: ['y'], attrs: {}, source: { op: 'Add', name: 'n' } };
  const editor = { graph: g, addConstant: (base: string, dtype: 'float32', shape: number[], data: Float32Array) => (g.addTensor({ name: `${base}_p`, dtype, shape, data }), `${base}_p`) };
  const r = add.commuteTranspose!(node as Node<never>, perm, editor as never)!;
  assert.equal(r.inputs, ['t', 'c_p']);
  const cp = g.tensor('c_p');
  assert.equal(cp.shape, [1, 3, 1, 1]);
  // node(transpose(x)) == transpose(node'(x))
  const direct = evaluateBinary('add', { ...x, shape: tShape, data: t }, g.tensor('c'), { dtype: 'float32', shape: tShape });
  const inner = evaluateBinary('add', x, cp, { dtype: 'float32', shape: x.shape });
  const [moved] = transpose.evaluate!({ perm }, [{ ...x, data: inner }], [{ dtype: 'float32', shape: tShape }]);
  assert.equal(toNumbers(moved), toNumbers(direct));
  // A runtime input of lower rank cannot move.
  g.addTensor({ name: 'r', dtype: 'float32', shape: [3] });
  assert.is(sub.commuteTranspose!({ ...node, inputs: ['t', 'r'] } as Node<never>, perm, editor as never), null);
});

// ---------------------------------------------------------------------------------------------------
// C kernels

test('C: flat kernels', () => {
  const body = [cFloats('a', [1, -2, 3.5]), cFloats('b', [4, 8, -0.5]), 'float y[3];'];
  for (const [k, want] of [
    ['add', [5, 6, 3]],
    ['sub', [-3, -10, 4]],
    ['mul', [4, -16, -1.75]],
    ['div', [0.25, -0.25, -7]],
  ] as const) {
    const out = runCKernel({ headers: ['utvm/binary.h'], kernels: [`utvm_${k}_f32`], body: [...body, `utvm_${k}_f32(a, b, y, 3);`, printFloats('y', 3)] });
    assert.equal(out, [...want], k);
  }
});

test('C: broadcast kernels match the reference on [2,3,4] with [3,1] and in place', () => {
  const rng = mulberry32(7);
  const a = f32([2, 3, 4], Array.from(randomFloats(rng, 24, -2, 2)));
  const b = f32([3, 1], Array.from(randomFloats(rng, 3, 0.5, 2)));
  const params = broadcastParams([2, 3, 4], broadcastStrides(a.shape, [2, 3, 4]), broadcastStrides(b.shape, [2, 3, 4]))!;
  for (const k of ['add', 'sub', 'mul', 'div'] as const) {
    const want = evaluateBinary(k, a, b, { dtype: 'float32', shape: [2, 3, 4] });
    const out = runCKernel({
      headers: ['utvm/binary.h'],
      kernels: [`utvm_${k}_broadcast_f32`],
      globals: [cFloats('a', a.data as Float32Array), cFloats('b', b.data as Float32Array), `static const utvm_broadcast_params p = ${formatCValue(params)};`],
      body: ['float y[24];', 'for (int i = 0; i < 24; i++) y[i] = a[i];', `utvm_${k}_broadcast_f32(&p, y, b, y);`, printFloats('y', 24)],
    });
    assert.equal(out, toNumbers(want), k);
  }
});

// ---------------------------------------------------------------------------------------------------
// End to end

test('e2e: Sub and Div with broadcasting and constants match ONNX Runtime', async () => {
  const m = new OnnxModelBuilder({ opset: 14 });
  const x = m.input('x', 'float32', [2, 3, 4]);
  const y = m.input('y', 'float32', [3, 1]);
  const c = m.initializer('c', 'float32', [4], [1, 2, -4, 8]);
  const [d] = m.node('Sub', [x, y], {}, { outputs: ['d'] });
  const [q] = m.node('Div', [d, c], {}, { outputs: ['q'] });
  const [r] = m.node('Mul', [c, q], {}, { outputs: ['r'] });
  const [s] = m.node('Add', [r, x], {}, { outputs: ['s'] });
  m.output(s, 'float32', [2, 3, 4]);
  const rng = mulberry32(3);
  const kernels = await checkAgainstOrt(m.encode(), [
    { name: 'x', dtype: 'float32', shape: [2, 3, 4], data: randomFloats(rng, 24, -3, 3) },
    { name: 'y', dtype: 'float32', shape: [3, 1], data: randomFloats(rng, 3, -3, 3) },
  ]);
  for (const k of ['utvm_sub_broadcast_f32', 'utvm_div_broadcast_f32', 'utvm_mul_broadcast_f32', 'utvm_add_f32']) assert.ok(kernels.includes(k), k);
});

test('e2e: Mul by a per-channel constant, Sigmoid and Softmax between NCHW convs run in NHWC', async () => {
  const rng = mulberry32(1);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [1, 3, 5, 5]);
  const w = m.initializer('w', 'float32', [4, 3, 3, 3], randomFloats(rng, 108, -1, 1));
  const w2 = m.initializer('w2', 'float32', [2, 4, 1, 1], randomFloats(rng, 8, -1, 1));
  const c = m.initializer('c', 'float32', [4, 1, 1], randomFloats(rng, 4, -1, 1));
  const [h] = m.node('Conv', [x, w], { pads: [1, 1, 1, 1] });
  const [h2] = m.node('Mul', [h, c]);
  const [h3] = m.node('Sigmoid', [h2]);
  const [h4] = m.node('Softmax', [h3], { axis: 1 });
  const [h5] = m.node('Conv', [h4, w2]);
  const [y] = m.node('Add', [h5, h5], {}, { outputs: ['y'] });
  m.output(y, 'float32', [1, 2, 5, 5]);
  const { graph } = compile(m.encode(), 'x.onnx', { name: 'x', board: 'host' });
  assert.equal(graph.nodes.filter((n) => n.op === 'transpose').length, 2, 'only the input and output transposes remain');
  const mulNode = nodeOf(graph, 'mul');
  assert.equal(graph.tensor(mulNode.inputs[1]).shape, [1, 1, 1, 4]);
  assert.equal(nodeOf(graph, 'softmax').attrs, { axis: 3 });
  await checkAgainstOrt(m.encode(), [{ name: 'x', dtype: 'float32', shape: [1, 3, 5, 5], data: randomFloats(rng, 75, -1, 1) }]);
});

test.run();
