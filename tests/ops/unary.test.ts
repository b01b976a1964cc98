/**
 * Activations: ONNX import (defaults, Clip's attribute and input forms), reference values, lowering,
 * the seven C kernels against the reference functions, and an end-to-end chain against ONNX Runtime.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CValue, formatCValue } from '../../src/ir/c-value.js';
import { toNumbers } from '../../src/ir/dtype.js';
import { getOp } from '../../src/ops/index.js';
import { UNARY_FNS } from '../../src/ops/unary/index.js';
import { cFloats, printFloats, runCKernel } from '../util/c-kernel.js';
import { checkAgainstOrt } from '../util/model-check.js';
import { OnnxModelBuilder, float } from '../util/onnx-build.js';
import { errorOf, importModel, lowerNode, nodeOf } from '../util/lower.js';
import { mulberry32, randomFloats } from '../util/random.js';

function unaryModel(op: string, attrs: Record<string, number | ReturnType<typeof float>> = {}, opset = 13, extra: (m: OnnxModelBuilder) => string[] = () => []) {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', [2, 3]);
  const [y] = m.node(op, [x, ...extra(m)], attrs, { name: 'n', outputs: ['y'] });
  m.output(y, 'float32');
  return m;
}

// ---------------------------------------------------------------------------------------------------
// Import

test('importers map ONNX defaults onto the IR attributes', () => {
  const attrsOf = (m: OnnxModelBuilder, op: string) => nodeOf(importModel(m), op).attrs;
  assert.equal(attrsOf(unaryModel('Relu'), 'relu'), {});
  assert.equal(attrsOf(unaryModel('LeakyRelu'), 'leaky_relu'), { alpha: 0.01 });
  assert.equal(attrsOf(unaryModel('LeakyRelu', { alpha: float(0.5) }), 'leaky_relu'), { alpha: 0.5 });
  assert.equal(attrsOf(unaryModel('HardSigmoid'), 'hard_sigmoid'), { alpha: 0.2, beta: 0.5 });
  assert.equal(attrsOf(unaryModel('HardSwish', {}, 14), 'hard_swish'), {});
  assert.equal(attrsOf(unaryModel('Sigmoid'), 'sigmoid'), {});
  assert.equal(attrsOf(unaryModel('Tanh'), 'tanh'), {});
});

test('Clip: attributes before opset 11, constant inputs after; absent bounds are infinite', () => {
  const attrsOf = (m: OnnxModelBuilder) => nodeOf(importModel(m), 'clip').attrs;
  assert.equal(attrsOf(unaryModel('Clip', { min: float(-1), max: float(2) }, 6)), { min: -1, max: 2 });
  assert.equal(attrsOf(unaryModel('Clip', { max: float(6) }, 6)), { min: -Infinity, max: 6 });
  const withInputs = (min?: number, max?: number) =>
    unaryModel('Clip', {}, 13, (m) => [
      min === undefined ? '' : m.initializer('lo', 'float32', [], [min]),
      max === undefined ? '' : m.initializer('hi', 'float32', [], [max]),
    ]);
  assert.equal(attrsOf(withInputs(0, 6)), { min: 0, max: 6 });
  assert.equal(attrsOf(withInputs(undefined, 6)), { min: -Infinity, max: 6 });
  assert.equal(attrsOf(withInputs(-2, undefined)), { min: -2, max: Infinity });
  assert.equal(attrsOf(unaryModel('Clip', {}, 13)), { min: -Infinity, max: Infinity });
});

test('Clip with a runtime bound is an error naming the input', () => {
  const m = unaryModel('Clip', {}, 13, (b) => [b.input('lo', 'float32', [])]);
  assert.is(errorOf(() => importModel(m)), "m.onnx: node 'n' (Clip): the 'min' input must be a constant, but 'lo' is computed at run time");
});

// ---------------------------------------------------------------------------------------------------
// Reference semantics and folding

test('reference functions', () => {
  assert.equal([-2, 0, 3].map((x) => UNARY_FNS.relu(x)), [0, 0, 3]);
  assert.equal([-2, 3].map((x) => UNARY_FNS.leaky_relu(x, { alpha: 0.1 })), [-0.2, 3]);
  assert.equal([-2, 0.5, 9].map((x) => UNARY_FNS.clip(x, { min: -1, max: 1 })), [-1, 0.5, 1]);
  // ONNX: min > max gives max everywhere.
  assert.equal([-2, 0.5, 9].map((x) => UNARY_FNS.clip(x, { min: 2, max: 1 })), [1, 1, 1]);
  assert.is(UNARY_FNS.sigmoid(0), 0.5);
  assert.equal([-4, -1, 0, 1, 4].map((x) => UNARY_FNS.hard_sigmoid(x, { alpha: 0.2, beta: 0.5 })), [0, 0.3, 0.5, 0.7, 1]);
  assert.equal([-4, -3, 0, 3, 4].map((x) => UNARY_FNS.hard_swish(x)), [-0, -0, 0, 3, 4]);
});

test('a Relu of a constant folds', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2]);
  const c = m.initializer('c', 'float32', [2], [-1, 5]);
  const [r] = m.node('Relu', [c], {}, { outputs: ['r'] });
  const [y] = m.node('Add', [x, r], {}, { outputs: ['y'] });
  m.output(y, 'float32');
  const g = importModel(m);
  assert.equal(toNumbers(g.tensor('r').data!), [0, 5]);
});

// ---------------------------------------------------------------------------------------------------
// Lowering

test('lowering: one flat kernel each, a params struct only where there are attributes', () => {
  let g = importModel(unaryModel('Relu'));
  assert.equal(lowerNode(g, nodeOf(g, 'relu')), [
    { kernel: 'utvm_relu_f32', header: 'utvm/unary.h', args: [{ tensor: 'x' }, { tensor: 'y' }, { value: 6 }] },
  ]);
  g = importModel(unaryModel('Clip', { max: float(6) }, 6));
  const [call] = lowerNode(g, nodeOf(g, 'clip'));
  assert.is(call.kernel, 'utvm_clip_f32');
  const p = call.args[0] as { params: CValue; type: string };
  assert.is(p.type, 'utvm_clamp_f32');
  assert.is(formatCValue(p.params), '{.min = (-INFINITY), .max = 6.0f}');
  for (const op of ['relu', 'leaky_relu', 'clip', 'sigmoid', 'tanh', 'hard_sigmoid', 'hard_swish']) {
    assert.ok(getOp(op).inPlace, `${op} is in place`);
  }
});

// ---------------------------------------------------------------------------------------------------
// C kernels

const KERNELS: { kernel: string; params?: string; ref: (x: number) => number }[] = [
  { kernel: 'utvm_relu_f32', ref: (x) => UNARY_FNS.relu(x) },
  { kernel: 'utvm_leaky_relu_f32', params: 'static const utvm_leaky_relu_params_f32 p = {.alpha = 0.1f};', ref: (x) => UNARY_FNS.leaky_relu(x, { alpha: Math.fround(0.1) }) },
  { kernel: 'utvm_clip_f32', params: 'static const utvm_clamp_f32 p = {.min = -1.5f, .max = 2.0f};', ref: (x) => UNARY_FNS.clip(x, { min: -1.5, max: 2 }) },
  { kernel: 'utvm_sigmoid_f32', ref: (x) => UNARY_FNS.sigmoid(x) },
  { kernel: 'utvm_tanh_f32', ref: (x) => UNARY_FNS.tanh(x) },
  { kernel: 'utvm_hard_sigmoid_f32', params: 'static const utvm_hard_sigmoid_params_f32 p = {.alpha = 0.2f, .beta = 0.5f};', ref: (x) => UNARY_FNS.hard_sigmoid(x, { alpha: 0.2, beta: 0.5 }) },
  { kernel: 'utvm_hard_swish_f32', ref: (x) => UNARY_FNS.hard_swish(x) },
];

test('C: every kernel matches its reference function, in place', () => {
  const x = Float32Array.from([...randomFloats(mulberry32(5), 30, -6, 6), -100, -0.5, 0, 0.5, 100, 3, -3]);
  for (const k of KERNELS) {
    const call = k.params ? `${k.kernel}(&p, y, y, ${x.length});` : `${k.kernel}(y, y, ${x.length});`;
    const out = runCKernel({
      headers: ['utvm/unary.h'],
      kernels: [k.kernel],
      globals: [cFloats('x', x), k.params ?? ''],
      body: [`float y[${x.length}];`, `for (int i = 0; i < ${x.length}; i++) y[i] = x[i];`, call, printFloats('y', x.length)],
    });
    Array.from(x).forEach((v, i) => {
      const want = k.ref(v);
      assert.ok(Math.abs(out[i] - want) <= 1e-6 + 1e-6 * Math.abs(want), `${k.kernel}(${v}) = ${out[i]}, expected ${want}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// End to end

test('e2e: a chain of activations matches ONNX Runtime', async () => {
  const m = new OnnxModelBuilder({ opset: 14 });
  const x = m.input('x', 'float32', [3, 4, 5]);
  const lo = m.initializer('lo', 'float32', [], [-0.5]);
  let [t] = m.node('LeakyRelu', [x], { alpha: float(0.2) });
  [t] = m.node('HardSwish', [t]);
  [t] = m.node('Sigmoid', [t]);
  [t] = m.node('Tanh', [t]);
  [t] = m.node('HardSigmoid', [t], { alpha: float(0.7) });
  [t] = m.node('Clip', [t, lo, '']);
  const [y] = m.node('Relu', [t], {}, { outputs: ['y'] });
  m.output(y, 'float32', [3, 4, 5]);
  const kernels = await checkAgainstOrt(m.encode(), [{ name: 'x', dtype: 'float32', shape: [3, 4, 5], data: randomFloats(mulberry32(9), 60, -8, 8) }]);
  for (const k of KERNELS) assert.ok(kernels.includes(k.kernel), k.kernel);
});

test.run();
