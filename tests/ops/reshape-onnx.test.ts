/**
 * ONNX Reshape, Flatten, Squeeze and Unsqueeze: each imports as one IR `reshape` with the final static
 * shape; 0 / -1 / allowzero, negative and unsorted axes, attribute vs input forms across opsets, and
 * the errors for runtime shapes and impossible requests.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { AttrValue, OnnxModelBuilder } from '../util/onnx-build.js';

/** Imports `op` over x: float32[xShape] with an optional int64 constant second input; returns the IR shape. */
function shapeOf(op: string, xShape: number[], attrs: Record<string, AttrValue>, opset: number, second?: number[]): number[] {
  const m = new OnnxModelBuilder({ opset });
  const x = m.input('x', 'float32', xShape);
  const inputs = [x];
  if (second) inputs.push(m.initializer('s', 'int64', [second.length], second));
  m.node(op, inputs, attrs, { name: 'r', outputs: ['r'] });
  m.node('Relu', ['r'], {}, { outputs: ['y'] });
  m.output('y', 'float32');
  const g = importOnnx(m.encode(), 'm.onnx', 'm');
  assert.equal(g.nodes.map((n) => n.op), ['reshape', 'relu']);
  return g.nodes[0].attrs.shape as number[];
}

test('Reshape: 0 copies a dim, -1 is inferred, allowzero keeps 0', () => {
  assert.equal(shapeOf('Reshape', [2, 3, 4], {}, 13, [0, -1]), [2, 12]);
  assert.equal(shapeOf('Reshape', [2, 3, 4], {}, 13, [4, 0, 2]), [4, 3, 2]);
  assert.equal(shapeOf('Reshape', [2, 3, 4], {}, 13, [-1]), [24]);
  assert.equal(shapeOf('Reshape', [2, 3, 4], {}, 6, [2, 3, 1, 4]), [2, 3, 1, 4]);
  assert.throws(() => shapeOf('Reshape', [2, 3, 4], { allowzero: 1 }, 14, [0, 24]), /cannot reshape \[2,3,4\] \(24 elements\) to \[0,24\]/);
});

test('Reshape errors', () => {
  assert.throws(() => shapeOf('Reshape', [2, 3, 4], {}, 13, [-1, -1]), /^m\.onnx: node 'r' \(Reshape\): shape \[-1,-1\] has more than one -1$/);
  assert.throws(() => shapeOf('Reshape', [2, 3, 4], {}, 13, [5, -1]), /cannot reshape \[2,3,4\] \(24 elements\) to \[5,-1\]/);
  assert.throws(() => shapeOf('Reshape', [2, 3], {}, 13, [0, 0, 0]), /copies dim 2 \(0\) but the input has rank 2/);
  const m = new OnnxModelBuilder({ opset: 13 });
  const x = m.input('x', 'float32', [2, 3]);
  const s = m.input('s', 'int64', [1]);
  m.node('Reshape', [x, s], {}, { name: 'r', outputs: ['y'] });
  m.output('y', 'float32');
  assert.throws(() => importOnnx(m.encode(), 'm.onnx', 'm'), /^m\.onnx: node 'r' \(Reshape\): the 'shape' input must be a constant, but 's' is computed at run time$/);
});

test('Flatten: default, zero, negative and rank axes', () => {
  assert.equal(shapeOf('Flatten', [2, 3, 4, 5], {}, 13), [2, 60]);
  assert.equal(shapeOf('Flatten', [2, 3, 4, 5], { axis: 0 }, 13), [1, 120]);
  assert.equal(shapeOf('Flatten', [2, 3, 4, 5], { axis: 4 }, 13), [120, 1]);
  assert.equal(shapeOf('Flatten', [2, 3, 4, 5], { axis: -1 }, 13), [24, 5]);
  assert.equal(shapeOf('Flatten', [2, 3, 4, 5], { axis: -4 }, 13), [1, 120]);
  assert.throws(() => shapeOf('Flatten', [2, 3], { axis: 3 }, 13), /axis 3 is out of range for rank 2/);
});

test('Squeeze: axes attribute (< 13), axes input (13+), all size-1 dims by default', () => {
  assert.equal(shapeOf('Squeeze', [1, 3, 1, 5], { axes: [-2] }, 11), [1, 3, 5]);
  assert.equal(shapeOf('Squeeze', [1, 3, 1, 5], {}, 13, [0]), [3, 1, 5]);
  assert.equal(shapeOf('Squeeze', [1, 3, 1, 5], {}, 13), [3, 5]);
  assert.throws(() => shapeOf('Squeeze', [1, 3], {}, 13, [1]), /^m\.onnx: node 'r' \(Squeeze\): cannot squeeze axis 1 of shape \[1,3\]: its size is not 1$/);
});

test('Unsqueeze: attribute and input forms, negative and unsorted axes', () => {
  assert.equal(shapeOf('Unsqueeze', [3, 4, 5], { axes: [0, 4] }, 11), [1, 3, 4, 5, 1]);
  assert.equal(shapeOf('Unsqueeze', [3, 4, 5], {}, 13, [5, 4, 2]), [3, 4, 1, 5, 1, 1]);
  assert.equal(shapeOf('Unsqueeze', [1, 3, 1, 5], {}, 13, [-2]), [1, 3, 1, 1, 5]);
  assert.throws(() => shapeOf('Unsqueeze', [3], {}, 13, [0, -3]), /axes \[0,-3\] repeat an axis/);
  assert.throws(() => shapeOf('Unsqueeze', [3], {}, 11), /^m\.onnx: node 'r' \(Unsqueeze\): the 'axes' attribute is missing$/);
});

test.run();
