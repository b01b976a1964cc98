/**
 * Shape arithmetic that folds at import: ONNX Constant (every value_* form), Shape (start/end),
 * ConstantOfShape, Range, Gather, Slice (attributes and inputs, clamping, negative steps) and Cast; the
 * E_UNSUPPORTED_OP errors for runtime inputs; and the PyTorch flatten idiom folding to one reshape.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { UtvmError } from '../../src/diagnostics.js';
import type { DType, TensorData } from '../../src/ir/dtype.js';
import type { Graph } from '../../src/ir/graph.js';
import { castData } from '../../src/ops/shape-ops.js';
import { AttrValue, OnnxModelBuilder, tensor } from '../util/onnx-build.js';

/**
 * A model whose graph output `out` is computed by `build` from a runtime input x: float32[2, 3, 4];
 * returns the folded value of `out` (the constant that the graph output's copy node reads).
 */
function folded(build: (m: OnnxModelBuilder, x: string) => string, opset = 13): { dtype: DType; shape: number[]; values: (number | bigint)[] } {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', [2, 3, 4]);
  const out = build(m, x);
  m.node('Identity', [out], {}, { outputs: ['out'] });
  m.output('out', 'float32');
  const [y] = m.node('Relu', [x], {}, { outputs: ['y'] });
  m.output(y, 'float32');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  const copy = g.nodes.find((n) => n.outputs[0] === 'out');
  assert.is(copy?.op, 'copy');
  const t = g.tensor(copy!.inputs[0]);
  return { dtype: t.dtype, shape: t.shape, values: Array.from(t.data as ArrayLike<number>) };
}

function node1(m: OnnxModelBuilder, op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
  return m.node(op, inputs, attrs, { name: 'n' })[0];
}

test('Constant: every value_* form', () => {
  assert.equal(folded((m) => node1(m, 'Constant', [], { value: tensor('int32', [2], [5, -6]) })), { dtype: 'int32', shape: [2], values: [5, -6] });
  assert.equal(folded((m) => node1(m, 'Constant', [], { value_float: 1.5 })), { dtype: 'float32', shape: [], values: [1.5] });
  assert.equal(folded((m) => node1(m, 'Constant', [], { value_floats: [1.5, 2.5] })), { dtype: 'float32', shape: [2], values: [1.5, 2.5] });
  assert.equal(folded((m) => node1(m, 'Constant', [], { value_int: 7 })), { dtype: 'int64', shape: [], values: [7n] });
  assert.equal(folded((m) => node1(m, 'Constant', [], { value_ints: [1, -1] })), { dtype: 'int64', shape: [2], values: [1n, -1n] });
  assert.throws(() => folded((m) => node1(m, 'Constant', [], { value_string: 'a' })), /^m\.onnx: node 'n' \(Constant\): a Constant given by 'value_string' is not supported$/);
});

test('Shape: the static shape, with opset-15 start/end', () => {
  assert.equal(folded((m, x) => node1(m, 'Shape', [x])), { dtype: 'int64', shape: [3], values: [2n, 3n, 4n] });
  assert.equal(folded((m, x) => node1(m, 'Shape', [x], { start: 1 }), 15).values, [3n, 4n]);
  assert.equal(folded((m, x) => node1(m, 'Shape', [x], { start: -2, end: -1 }), 15).values, [3n]);
  assert.equal(folded((m, x) => node1(m, 'Shape', [x], { start: 5, end: 9 }), 15).values, []);
});

test('ConstantOfShape and Range', () => {
  const ones = folded((m) => node1(m, 'ConstantOfShape', [m.initializer('s', 'int64', [2], [2, 2])], { value: tensor('int32', [1], [3]) }));
  assert.equal(ones, { dtype: 'int32', shape: [2, 2], values: [3, 3, 3, 3] });
  assert.equal(folded((m) => node1(m, 'ConstantOfShape', [m.initializer('s', 'int64', [1], [2])])), { dtype: 'float32', shape: [2], values: [0, 0] });
  const r = folded((m) => node1(m, 'Range', [m.initializer('a', 'int64', [], [10]), m.initializer('b', 'int64', [], [4]), m.initializer('c', 'int64', [], [-3])]));
  assert.equal(r, { dtype: 'int64', shape: [2], values: [10n, 7n] });
  const f = folded((m) => node1(m, 'Range', [m.initializer('a', 'float32', [], [0]), m.initializer('b', 'float32', [], [1]), m.initializer('c', 'float32', [], [0.25])]));
  assert.equal(f.values, [0, 0.25, 0.5, 0.75]);
});

test('Gather on constants (scalar and vector indices, negative index, axis)', () => {
  const shapeThen = (m: OnnxModelBuilder, x: string, idx: TensorData | number[], dims: number[]) => {
    const s = m.node('Shape', [x])[0];
    return node1(m, 'Gather', [s, m.initializer('i', 'int64', dims, idx)]);
  };
  assert.equal(folded((m, x) => shapeThen(m, x, [0], [])), { dtype: 'int64', shape: [], values: [2n] });
  assert.equal(folded((m, x) => shapeThen(m, x, [-1, 1], [2])).values, [4n, 3n]);
  const data = (m: OnnxModelBuilder) => m.initializer('d', 'float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const cols = folded((m) => node1(m, 'Gather', [data(m), m.initializer('i', 'int32', [2, 1], [2, 0])], { axis: 1 }));
  assert.equal(cols, { dtype: 'float32', shape: [2, 2, 1], values: [3, 1, 6, 4] });
  assert.throws(() => folded((m, x) => shapeThen(m, x, [3], [])), /^m\.onnx: node 'n' \(Gather\): index 3 is out of range for a dim of 3$/);
});

test('Slice on constants: inputs (opset 10+) and attributes (opset < 10), clamping, negative steps', () => {
  const data = (m: OnnxModelBuilder) => m.initializer('d', 'int64', [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
  const i64 = (m: OnnxModelBuilder, name: string, v: (number | bigint)[]) => m.initializer(name, 'int64', [v.length], v.map(BigInt));
  const s1 = folded((m) => node1(m, 'Slice', [data(m), i64(m, 's', [1]), i64(m, 'e', [9223372036854775807n]), i64(m, 'a', [1])]));
  assert.equal(s1, { dtype: 'int64', shape: [2, 3], values: [1n, 2n, 3n, 5n, 6n, 7n] });
  const s2 = folded((m) => node1(m, 'Slice', [data(m), i64(m, 's', [-1, -1]), i64(m, 'e', [-9223372036854775807n, -5]), i64(m, 'a', [0, 1]), i64(m, 'st', [-1, -2])]));
  assert.equal(s2, { dtype: 'int64', shape: [2, 2], values: [7n, 5n, 3n, 1n] });
  const s3 = folded((m) => node1(m, 'Slice', [data(m)], { starts: [0], ends: [-1], axes: [1] }), 9);
  assert.equal(s3.values, [0n, 1n, 2n, 4n, 5n, 6n]);
  assert.throws(
    () => folded((m) => node1(m, 'Slice', [data(m), i64(m, 's', [0]), i64(m, 'e', [1]), i64(m, 'a', [0]), i64(m, 'st', [0])])),
    /^m\.onnx: node 'n' \(Slice\): a step is 0$/,
  );
});

test('Cast: constants convert, a runtime same-type Cast is an alias', () => {
  const c = folded((m) => node1(m, 'Cast', [m.initializer('d', 'float32', [4], [-1.7, 2.9, 0, 300])], { to: 6 }));
  assert.equal(c, { dtype: 'int32', shape: [4], values: [-1, 2, 0, 300] });
  assert.equal(Array.from(castData(new BigInt64Array([5n, 0n]), 'int64', 'bool') as Uint8Array), [1, 0]);
  assert.equal(Array.from(castData(new Float32Array([1.5, -2.5]), 'float32', 'int64') as BigInt64Array), [1n, -2n]);
  assert.equal(Array.from(castData(new BigInt64Array([300n]), 'int64', 'int8') as Int8Array), [44]);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2]);
  m.node('Cast', [x], { to: 1 }, { outputs: ['c'] });
  m.node('Relu', ['c'], {}, { outputs: ['y'] });
  m.output('y', 'float32');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  assert.equal(g.nodes.map((n) => [n.op, n.inputs]), [['relu', ['x']]]);
});

function runtimeInputError(op: string, attrs: Record<string, AttrValue>, extra: (m: OnnxModelBuilder) => string[]): UtvmError {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2, 3]);
  m.node(op, [x, ...extra(m)], attrs, { name: 'g1', outputs: ['y'] });
  m.output('y', 'float32');
  try {
    importOnnx(m.encode(), 'm.onnx', 'm');
  } catch (e) {
    return e as UtvmError;
  }
  throw new Error('no error');
}

test('run-time parameter inputs are refused with one wording (data may be run-time: Gather, Slice)', () => {
  let e = runtimeInputError('Gather', {}, (m) => [m.input('i', 'int64', [1])]);
  assert.is(e.code, 'E_UNSUPPORTED_ATTR');
  assert.is(e.message, "m.onnx: node 'g1' (Gather): the 'indices' input must be a constant, but 'i' is computed at run time");
  e = runtimeInputError('Slice', {}, (m) => [m.initializer('s', 'int64', [1], [0]), m.input('e', 'int64', [1])]);
  assert.is(e.code, 'E_UNSUPPORTED_ATTR');
  assert.is(e.message, "m.onnx: node 'g1' (Slice): the 'ends' input must be a constant, but 'e' is computed at run time");
  e = runtimeInputError('Cast', { to: 6 }, () => []);
  assert.is(e.code, 'E_UNSUPPORTED_OP');
  assert.is(e.message, "m.onnx: Cast from float32 to int32 is supported only on constant inputs (node 'g1')");
});

test('the PyTorch flatten idiom (Shape → Gather → Unsqueeze → Concat → Reshape) folds to one reshape', () => {
  const m = new OnnxModelBuilder({ opset: 11 });
  const x = m.input('x', 'float32', [1, 8, 2, 2]);
  const [s] = m.node('Shape', [x]);
  const [n] = m.node('Gather', [s, m.initializer('zero', 'int64', [], [0])], { axis: 0 });
  const [u] = m.node('Unsqueeze', [n], { axes: [0] });
  const [c] = m.node('Concat', [u, m.initializer('m1', 'int64', [1], [-1])], { axis: 0 });
  m.node('Reshape', [x, c], {}, { outputs: ['y'] });
  m.output('y', 'float32');
  const g: Graph = importOnnx(m.encode(), 'm.onnx', 'm');
  assert.equal(g.nodes.map((nd) => [nd.op, nd.attrs]), [['reshape', { shape: [1, 32] }]]);
});

test.run();
