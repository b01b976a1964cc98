/**
 * gemm: ONNX import, shape inference and its errors, reference values, the kernel lowering picks (a
 * dense layer for constant B with its re-laid-out weights and folded bias, the general kernel
 * otherwise), both C kernels on hand-checked values, and end-to-end runs against ONNX Runtime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CValue, formatCValue } from '../../src/ir/c-value.js';
import { toNumbers } from '../../src/ir/dtype.js';
import { Graph } from '../../src/ir/graph.js';
import { gemm, GemmAttrs } from '../../src/ops/gemm/index.js';
import { cFloats, printFloats, runCKernel } from '../util/c-kernel.js';
import { checkAgainstOrt } from '../util/model-check.js';
import { OnnxModelBuilder, float } from '../util/onnx-build.js';
import { errorOf, importModel, lowerNode, nodeOf } from '../util/lower.js';
import { mulberry32, randomFloats } from '../util/random.js';

interface GemmCase {
  a: number[];
  b: number[];
  c?: number[];
  bConst?: boolean;
  cConst?: boolean;
  attrs?: Record<string, number | ReturnType<typeof float>>;
  opset?: number;
}

const count = (s: number[]) => s.reduce((x, y) => x * y, 1);
const iota = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => (i + 1) * scale);

function gemmModel(k: GemmCase): OnnxModelBuilder {
  const m = new OnnxModelBuilder({ opset: k.opset ?? 13 });
  const a = m.input('a', 'float32', k.a);
  const b = k.bConst ? m.initializer('b', 'float32', k.b, iota(count(k.b), 0.5)) : m.input('b', 'float32', k.b);
  const inputs = [a, b];
  if (k.c) inputs.push(k.cConst ? m.initializer('c', 'float32', k.c, iota(count(k.c), -1)) : m.input('c', 'float32', k.c));
  const [y] = m.node('Gemm', inputs, k.attrs ?? {}, { name: 'n', outputs: ['y'] });
  m.output(y, 'float32');
  return m;
}

function lowered(k: GemmCase): { g: Graph; calls: ReturnType<typeof lowerNode> } {
  const g = importModel(gemmModel(k));
  return { g, calls: lowerNode(g, nodeOf(g, 'gemm')) };
}

const paramsOf = (call: { args: unknown[] }) => formatCValue((call.args[0] as { params: CValue }).params);

// ---------------------------------------------------------------------------------------------------
// Import and shapes

test('import: attribute defaults, transposes and the output shape', () => {
  const g = importModel(gemmModel({ a: [4, 3], b: [5, 4], c: [1, 5], attrs: { transA: 1, transB: 1, alpha: float(0.25) } }));
  assert.equal(nodeOf(g, 'gemm').attrs, { transA: true, transB: true, alpha: 0.25, beta: 1 });
  assert.equal(g.tensor('y').shape, [3, 5]);
});

test('import: opset 6 (PyTorch Linear) accepts the legacy broadcast attribute', () => {
  const g = importModel(gemmModel({ a: [4, 10], b: [8, 10], c: [8], bConst: true, cConst: true, attrs: { transB: 1, broadcast: 1 }, opset: 6 }));
  assert.equal(g.tensor('y').shape, [4, 8]);
  assert.is(lowerNode(g, nodeOf(g, 'gemm'))[0].kernel, 'utvm_fully_connected_f32');
});

test('shape errors name the node', () => {
  assert.is(errorOf(() => importModel(gemmModel({ a: [2, 3], b: [4, 5] }))), "m.onnx: node 'n' (Gemm): inner dimensions differ: op(A) is [2,3], op(B) is [4,5]");
  assert.is(errorOf(() => importModel(gemmModel({ a: [2, 3], b: [3, 4], c: [2, 2] }))), "m.onnx: node 'n' (Gemm): C of shape [2,2] does not broadcast to [2,4]");
  assert.is(errorOf(() => importModel(gemmModel({ a: [2, 3], b: [3, 4], opset: 9 }))), "m.onnx: node 'n' (Gemm): Gemm needs input C before opset 11 (this model uses opset 9)");
});

test('evaluate: hand-checked product with alpha, beta, broadcast C and clamp', () => {
  const t = (name: string, shape: number[], v: number[]) => ({ name, dtype: 'float32' as const, shape, data: Float32Array.from(v) });
  const attrs: GemmAttrs = { transA: false, transB: true, alpha: 2, beta: 0.5, clamp: { min: 0, max: 30 } };
  // A [2,2] · Bᵀ with B [2,2] = [[1,2],[3,4]]·[[1,0],[1,1]]ᵀ → [[1,3],[3,7]]; ·2 + 0.5·[10, -20] → [[7,-4],[11,4]].
  const [y] = gemm.evaluate!(attrs, [t('a', [2, 2], [1, 2, 3, 4]), t('b', [2, 2], [1, 0, 1, 1]), t('c', [2], [10, -20])], [{ dtype: 'float32', shape: [2, 2] }]);
  assert.equal(toNumbers(y), [7, 0, 11, 4]);
});

// ---------------------------------------------------------------------------------------------------
// Lowering

test('constant B → dense layer: weights as [N, K] with alpha in, beta·C as a bias constant', () => {
  const { g, calls } = lowered({ a: [2, 3], b: [3, 2], c: [2], bConst: true, cConst: true, attrs: { alpha: float(2), beta: float(0.5) } });
  assert.is(calls.length, 1);
  const [call] = calls;
  assert.is(call.kernel, 'utvm_fully_connected_f32');
  assert.is(call.header, 'utvm/gemm.h');
  assert.is(paramsOf(call), '{.batches = 2, .in_features = 3, .out_features = 2, .clamp = {.min = (-INFINITY), .max = INFINITY}}');
  const [, input, weights, bias, output] = call.args as { tensor: string }[];
  assert.equal([input.tensor, output.tensor], ['a', 'y']);
  // B = [[0.5, 1], [1.5, 2], [2.5, 3]] → W = 2·Bᵀ = [[1, 3, 5], [2, 4, 6]].
  assert.equal(g.tensor(weights.tensor).shape, [2, 3]);
  assert.equal(toNumbers(g.tensor(weights.tensor).data!), [1, 3, 5, 2, 4, 6]);
  // C = [-1, -2] → 0.5·C.
  assert.equal(toNumbers(g.tensor(bias.tensor).data!), [-0.5, -1]);
});

test('dense layer: transB keeps the weights as they are, no C means a NULL bias, a scalar C spreads', () => {
  let { g, calls } = lowered({ a: [1, 3], b: [2, 3], bConst: true, attrs: { transB: 1 } });
  assert.equal(toNumbers(g.tensor((calls[0].args[2] as { tensor: string }).tensor).data!), iota(6, 0.5));
  assert.equal(calls[0].args[3], { value: 0 });
  ({ g, calls } = lowered({ a: [1, 3], b: [3, 2], c: [], bConst: true, cConst: true }));
  assert.equal(toNumbers(g.tensor((calls[0].args[3] as { tensor: string }).tensor).data!), [-1, -1]);
  // A runtime [N] C with beta 1 is the bias as is.
  ({ calls } = lowered({ a: [1, 3], b: [3, 2], c: [1, 2], bConst: true }));
  assert.equal(calls[0].kernel, 'utvm_fully_connected_f32');
  assert.equal(calls[0].args[3], { tensor: 'c' });
});

test('general kernel: runtime B, transposed A, or a full C', () => {
  let { calls } = lowered({ a: [4, 3], b: [5, 4], c: [1, 5], attrs: { transA: 1, transB: 1, alpha: float(0.25), beta: float(0.35) } });
  assert.is(calls[0].kernel, 'utvm_gemm_f32');
  assert.is(
    paramsOf(calls[0]),
    '{.m = 3, .n = 5, .k = 4, .a_stride_m = 1, .a_stride_k = 3, .b_stride_k = 1, .b_stride_n = 4, .c_stride_m = 0, .c_stride_n = 1, .alpha = 0.25f, .beta = 0.35f, .clamp = {.min = (-INFINITY), .max = INFINITY}}',
  );
  ({ calls } = lowered({ a: [3, 2], b: [3, 4], bConst: true, attrs: { transA: 1 } }));
  assert.is(calls[0].kernel, 'utvm_gemm_f32');
  assert.equal(calls[0].args[3], { value: 0 }, 'no C: NULL');
  ({ calls } = lowered({ a: [2, 3], b: [3, 4], c: [2, 4], bConst: true, cConst: true }));
  assert.is(calls[0].kernel, 'utvm_gemm_f32');
  ({ calls } = lowered({ a: [2, 3], b: [3, 4], c: [2, 1], bConst: true, cConst: true }));
  assert.is(calls[0].kernel, 'utvm_gemm_f32');
  assert.ok(paramsOf(calls[0]).includes('.c_stride_m = 1, .c_stride_n = 0'));
});

// ---------------------------------------------------------------------------------------------------
// C kernels

test('C: fully connected with bias, without bias, and clamped', () => {
  const globals = [
    cFloats('x', [1, 2, 3, -1, 0, 1]),
    cFloats('w', [1, 0, -1, 2, 2, 2]),
    cFloats('b', [10, -20]),
    'static const utvm_fully_connected_params_f32 p = {.batches = 2, .in_features = 3, .out_features = 2, .clamp = {.min = -INFINITY, .max = INFINITY}};',
    'static const utvm_fully_connected_params_f32 q = {.batches = 2, .in_features = 3, .out_features = 2, .clamp = {.min = 0.0f, .max = 11.0f}};',
  ];
  const out = runCKernel({
    headers: ['utvm/gemm.h'],
    kernels: ['utvm_fully_connected_f32'],
    globals,
    body: ['float y[4], z[4], u[4];', 'utvm_fully_connected_f32(&p, x, w, b, y);', 'utvm_fully_connected_f32(&p, x, w, NULL, z);', 'utvm_fully_connected_f32(&q, x, w, b, u);', printFloats('y', 4), printFloats('z', 4), printFloats('u', 4)],
  });
  // x·wᵀ = [[-2, 12], [-2, 0]]
  assert.equal(out, [8, -8, 8, -20, -2, 12, -2, 0, 8, 0, 8, 0]);
});

test('C: general gemm with transposes and a row-broadcast C', () => {
  // A stored [K=2, M=2] (transA), B stored [N=2, K=2] (transB), C [2, 1].
  const out = runCKernel({
    headers: ['utvm/gemm.h'],
    kernels: ['utvm_gemm_f32'],
    globals: [
      cFloats('a', [1, 3, 2, 4]),
      cFloats('b', [1, 0, 1, 1]),
      cFloats('c', [10, -20]),
      'static const utvm_gemm_params_f32 p = {.m = 2, .n = 2, .k = 2, .a_stride_m = 1, .a_stride_k = 2, .b_stride_k = 1, .b_stride_n = 2, ' +
        '.c_stride_m = 1, .c_stride_n = 0, .alpha = 2.0f, .beta = 0.5f, .clamp = {.min = -INFINITY, .max = INFINITY}};',
    ],
    body: ['float y[4], z[4];', 'utvm_gemm_f32(&p, a, b, c, y);', 'utvm_gemm_f32(&p, a, b, NULL, z);', printFloats('y', 4), printFloats('z', 4)],
  });
  // op(A) = [[1,2],[3,4]], op(B) = [[1,1],[0,1]] → [[1,3],[3,7]]; ·2 + 0.5·[[10],[-20]].
  assert.equal(out, [7, 11, -4, 4, 2, 6, 6, 14]);
});

// ---------------------------------------------------------------------------------------------------
// End to end

test('e2e: a dense layer (transB, bias) with a fused Relu matches ONNX Runtime', async () => {
  const m = new OnnxModelBuilder({ opset: 7 });
  const rng = mulberry32(11);
  const x = m.input('x', 'float32', [4, 10]);
  const w = m.initializer('w', 'float32', [8, 10], randomFloats(rng, 80, -1, 1));
  const b = m.initializer('b', 'float32', [8], randomFloats(rng, 8, -1, 1));
  const [h] = m.node('Gemm', [x, w, b], { transB: 1, alpha: float(1.5) });
  const [y] = m.node('Relu', [h], {}, { outputs: ['y'] });
  m.output(y, 'float32', [4, 8]);
  const kernels = await checkAgainstOrt(m.encode(), [{ name: 'x', dtype: 'float32', shape: [4, 10], data: randomFloats(rng, 40, -2, 2) }]);
  assert.equal(kernels, ['utvm_fully_connected_f32']);
});

test('e2e: constant B with a full matrix C uses the general kernel and matches ONNX Runtime', async () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const rng = mulberry32(12);
  const x = m.input('x', 'float32', [3, 5]);
  const w = m.initializer('w', 'float32', [5, 4], randomFloats(rng, 20, -1, 1));
  const c = m.initializer('c', 'float32', [3, 4], randomFloats(rng, 12, -1, 1));
  const [y] = m.node('Gemm', [x, w, c], { alpha: float(0.5), beta: float(-2) }, { outputs: ['y'] });
  m.output(y, 'float32', [3, 4]);
  const kernels = await checkAgainstOrt(m.encode(), [{ name: 'x', dtype: 'float32', shape: [3, 5], data: randomFloats(rng, 15, -2, 2) }]);
  assert.equal(kernels, ['utvm_gemm_f32']);
});

test.run();
