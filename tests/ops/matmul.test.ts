/**
 * matmul: numpy shapes (1-D promotion, batch broadcasting), reference values, the kernel lowering picks
 * (a dense layer for a constant B without batch, the batched kernel otherwise), the batched C kernel
 * against the reference, and end-to-end runs against ONNX Runtime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CValue, formatCValue } from '../../src/ir/c-value.js';
import { toNumbers } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/graph.js';
import { matmul, matmulShapes } from '../../src/ops/matmul.js';
import { cFloats, printFloats, runCKernel } from '../util/c-kernel.js';
import { checkAgainstOrt } from '../util/model-check.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { errorOf, importModel, lowerNode, nodeOf } from '../util/lower.js';
import { mulberry32, randomFloats } from '../util/random.js';

const count = (s: number[]) => s.reduce((x, y) => x * y, 1);

function matmulModel(a: number[], b: number[], bData?: ArrayLike<number>) {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('a', 'float32', a);
  const w = bData ? m.initializer('b', 'float32', b, Array.from(bData)) : m.input('b', 'float32', b);
  const [y] = m.node('MatMul', [x, w], {}, { name: 'n', outputs: ['y'] });
  m.output(y, 'float32');
  return m;
}

function evalMatMul(a: Tensor, b: Tensor): number[] {
  const s = matmulShapes(a.shape, b.shape);
  assert.ok(typeof s !== 'string');
  const [y] = matmul.evaluate!({}, [a, b], [{ dtype: 'float32', shape: s.out }]);
  return toNumbers(y);
}

const t = (shape: number[], data: ArrayLike<number>): Tensor => ({ name: 't', dtype: 'float32', shape, data: Float32Array.from(data) });

// ---------------------------------------------------------------------------------------------------
// Shapes and semantics

test('matmulShapes: 1-D promotion and batch broadcasting', () => {
  const out = (a: number[], b: number[]) => {
    const s = matmulShapes(a, b);
    return typeof s === 'string' ? s : s.out;
  };
  assert.equal(out([3], [3]), []);
  assert.equal(out([4], [2, 4, 1]), [2, 1]);
  assert.equal(out([1, 2, 4, 3], [3]), [1, 2, 4]);
  assert.equal(out([3, 1, 3, 4], [1, 2, 4, 2]), [3, 2, 3, 2]);
  assert.equal(out([2, 3], [4, 5]), 'inner dimensions differ: [2,3] · [4,5]');
  assert.equal(out([2, 2, 3], [3, 3, 1]), 'batch dimensions of [2,2,3] and [3,3,1] do not broadcast');
});

test('errors name the node', () => {
  assert.is(errorOf(() => importModel(matmulModel([2, 3], [4, 5]))), "m.onnx: node 'n' (MatMul): inner dimensions differ: [2,3] · [4,5]");
});

test('evaluate: hand-checked 2-D, 1-D and broadcast batches', () => {
  assert.equal(evalMatMul(t([2, 2], [1, 2, 3, 4]), t([2, 2], [5, 6, 7, 8])), [19, 22, 43, 50]);
  assert.equal(evalMatMul(t([2], [1, 2]), t([2], [3, 4])), [11]);
  // [2,1,2]·[2,1]: each batch row times the same column.
  assert.equal(evalMatMul(t([2, 1, 2], [1, 2, 3, 4]), t([2, 1], [1, -1])), [-1, -1]);
});

// ---------------------------------------------------------------------------------------------------
// Lowering

test('constant 2-D B → dense layer over all rows of A, weights transposed to [N, K]', () => {
  const g = importModel(matmulModel([2, 3, 4], [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
  const [call] = lowerNode(g, nodeOf(g, 'matmul'));
  assert.is(call.kernel, 'utvm_fully_connected_f32');
  assert.is(formatCValue((call.args[0] as { params: CValue }).params), '{.batches = 6, .in_features = 4, .out_features = 2, .clamp = {.min = (-INFINITY), .max = INFINITY}}');
  const w = g.tensor((call.args[2] as { tensor: string }).tensor);
  assert.equal(w.shape, [2, 4]);
  assert.equal(toNumbers(w.data!), [1, 3, 5, 7, 2, 4, 6, 8]);
  assert.equal(call.args[3], { value: 0 }, 'no bias');
  // A constant with batch dims of 1 and a 1-D constant are dense layers too.
  for (const [a, b] of [
    [[3, 4], [1, 4, 2]],
    [[3, 4], [4]],
  ]) {
    const h = importModel(matmulModel(a, b, new Float32Array(count(b))));
    assert.is(lowerNode(h, nodeOf(h, 'matmul'))[0].kernel, 'utvm_fully_connected_f32', `[${a}]·[${b}]`);
  }
});

test('runtime B → batched kernel with collapsed broadcast strides in units of elements', () => {
  const g = importModel(matmulModel([3, 1, 3, 4], [1, 2, 4, 2]));
  const [call] = lowerNode(g, nodeOf(g, 'matmul'));
  assert.is(call.kernel, 'utvm_matmul_f32');
  assert.is(call.header, 'utvm/matmul.h');
  assert.is(
    formatCValue((call.args[0] as { params: CValue }).params),
    '{.m = 3, .k = 4, .n = 2, .batch = {.outer = 3, .shape = {1, 1, 1, 1, 3, 2}, .a_strides = {0, 0, 0, 0, 12, 0}, .b_strides = {0, 0, 0, 0, 0, 8}}}',
  );
  const h = importModel(matmulModel([3, 4], [4, 5]));
  assert.is(formatCValue((lowerNode(h, nodeOf(h, 'matmul'))[0].args[0] as { params: CValue }).params).includes('.outer = 1, .shape = {1, 1, 1, 1, 1, 1}'), true);
});

// ---------------------------------------------------------------------------------------------------
// C kernel

test('C: batched matmul with broadcast batches matches the reference', () => {
  const rng = mulberry32(21);
  const a = t([3, 1, 3, 4], randomFloats(rng, 36, -1, 1));
  const b = t([1, 2, 4, 2], randomFloats(rng, 16, -1, 1));
  const g = importModel(matmulModel(a.shape, b.shape));
  const params = (lowerNode(g, nodeOf(g, 'matmul'))[0].args[0] as { params: CValue }).params;
  const out = runCKernel({
    headers: ['utvm/matmul.h'],
    kernels: ['utvm_matmul_f32'],
    globals: [cFloats('a', a.data as Float32Array), cFloats('b', b.data as Float32Array), `static const utvm_matmul_params_f32 p = ${formatCValue(params)};`],
    body: ['float y[36];', 'utvm_matmul_f32(&p, a, b, y);', printFloats('y', 36)],
  });
  const want = evalMatMul(a, b);
  out.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-6, `y[${i}] = ${v}, expected ${want[i]}`));
});

// ---------------------------------------------------------------------------------------------------
// End to end

test('e2e: 3-D activations times a constant (dense layer) and a transposed constant match ONNX Runtime', async () => {
  const rng = mulberry32(22);
  const input = [{ name: 'a', dtype: 'float32' as const, shape: [2, 3, 4], data: randomFloats(rng, 24, -1, 1) }];
  assert.equal(await checkAgainstOrt(matmulModel([2, 3, 4], [4, 5], randomFloats(rng, 20, -1, 1)).encode(), input), ['utvm_fully_connected_f32']);
  // PyTorch's Linear without bias: MatMul(x, Transpose(W)); the transpose folds at import.
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [4, 10]);
  const w = m.initializer('w', 'float32', [8, 10], randomFloats(rng, 80, -1, 1));
  const [wt] = m.node('Transpose', [w], { perm: [1, 0] });
  const [y] = m.node('MatMul', [x, wt], {}, { outputs: ['y'] });
  m.output(y, 'float32', [4, 8]);
  const kernels = await checkAgainstOrt(m.encode(), [{ name: 'x', dtype: 'float32', shape: [4, 10], data: randomFloats(rng, 40, -1, 1) }]);
  assert.equal(kernels, ['utvm_fully_connected_f32']);
});

test('e2e: broadcast batched matmul of two runtime inputs matches ONNX Runtime', async () => {
  const rng = mulberry32(23);
  const kernels = await checkAgainstOrt(matmulModel([2, 1, 3, 4], [3, 4, 2]).encode(), [
    { name: 'a', dtype: 'float32', shape: [2, 1, 3, 4], data: randomFloats(rng, 24, -1, 1) },
    { name: 'b', dtype: 'float32', shape: [3, 4, 2], data: randomFloats(rng, 24, -1, 1) },
  ]);
  assert.equal(kernels, ['utvm_matmul_f32']);
});

test.run();
