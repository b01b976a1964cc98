/**
 * copy: evaluate, the `utvm_copy` lowering run in C, and the ONNX Identity / Dropout importers that
 * alias instead of copying (with Dropout's unsupported forms).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph } from '../../src/ir/graph.js';
import { copy } from '../../src/ops/copy.js';
import { OnnxModelBuilder } from '../util/onnx-build.js';
import { addNode, runLowered } from '../util/run-lowered.js';

test('copy: evaluate returns a fresh array with the same values', () => {
  const g = new Graph('t');
  const data = new Int16Array([1, -2, 3]);
  g.addTensor({ name: 'x', dtype: 'int16', shape: [3], data });
  const [out] = copy.evaluate!({}, [g.tensor('x')], [{ dtype: 'int16', shape: [3] }]);
  assert.equal(Array.from(out as Int16Array), [1, -2, 3]);
  assert.is.not(out, data);
});

test('copy lowers to one utvm_copy of the byte size, run in C', () => {
  const g = new Graph('t');
  g.addTensor({ name: 'x', dtype: 'float32', shape: [2, 3] });
  const node = addNode(g, 'copy', ['x'], {});
  const { calls, outputs } = runLowered(g, node, { x: new Float32Array([1, 2, 3, 4, 5, -6.5]) });
  assert.equal(calls, [{ kernel: 'utvm_copy', header: 'utvm/copy.h', args: [{ tensor: 'x' }, { tensor: 'n_out0' }, { value: 24 }] }]);
  assert.equal(Array.from(outputs[0] as Float32Array), [1, 2, 3, 4, 5, -6.5]);
});

function chain(op: string, opset: number, extraInputs: (m: OnnxModelBuilder) => string[] = () => [], outputs: string[] = ['d']) {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', [1, 4]);
  const [r] = m.node('Relu', [x], {}, { outputs: ['r'] });
  m.node(op, [r, ...extraInputs(m)], {}, { name: 'd', outputs });
  const [y] = m.node('Sigmoid', ['d'], {}, { outputs: ['y'] });
  m.output(y, 'float32');
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

test('Identity and Dropout alias their input: no node of their own', () => {
  for (const [op, opset] of [['Identity', 13], ['Dropout', 7], ['Dropout', 10], ['Dropout', 13]] as const) {
    const g = chain(op, opset);
    assert.equal(g.nodes.map((n) => n.op), ['relu', 'sigmoid'], `${op}-${opset}`);
    assert.equal(g.nodes[1].inputs, ['r']);
  }
  const withRatio = chain('Dropout', 13, (m) => [m.initializer('ratio', 'float32', [], [0.5]), m.initializer('t', 'bool', [], [0])]);
  assert.equal(withRatio.nodes.map((n) => n.op), ['relu', 'sigmoid']);
});

test('Dropout errors: mask output, training mode', () => {
  assert.throws(() => chain('Dropout', 13, () => [], ['d', 'mask']), /^m\.onnx: node 'd' \(Dropout\): Dropout with a mask output is not supported$/);
  assert.throws(
    () => chain('Dropout', 13, (m) => ['', m.initializer('t', 'bool', [], [1])]),
    /^m\.onnx: node 'd' \(Dropout\): Dropout with training_mode=true is not supported$/,
  );
});

test('Identity of a graph input that is also an output becomes a copy', () => {
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [3]);
  m.node('Identity', [x], {}, { outputs: ['y'] });
  m.output('y', 'float32');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  assert.equal(g.nodes.map((n) => [n.op, n.inputs, n.outputs]), [['copy', ['x'], ['y']]]);
});

test.run();
