/**
 * The reference interpreter's own contract (src/reference/interpret.ts), on graphs built in the test:
 * float32 tensors computed in float64 by default and in float32 when asked, every tensor of the run
 * returned, outputs in the graph's dtypes, and one-line errors for wrong inputs.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { UtvmError } from '../../src/diagnostics.js';
import { createInterpreter } from '../../src/reference/interpret.js';
import { addNode, floatInput } from '../util/graph-eval.js';

/** y = (x + c) · x with c = 0.1: float32 and float64 round differently. */
function graph(): Graph {
  const g = new Graph('t');
  const x = floatInput(g, 'x', [1, 3]);
  g.addTensor({ name: 'c', dtype: 'float32', shape: [1], data: Float32Array.of(0.1) });
  const s = addNode(g, 'add', [x, 'c'], {}, 'sum').outputs[0];
  const y = addNode(g, 'mul', [s, x], {}, 'prod').outputs[0];
  g.outputs.push(y);
  return g;
}

const x = { dtype: 'float32' as const, shape: [1, 3], data: Float32Array.of(0.3, -1.7, 1e-3) };

test('float64 by default: intermediates are float64, the output float32 rounded from the float64 result', () => {
  const r = createInterpreter(graph()).run([x]);
  const sum = r.tensors.get('sum_out0')!;
  assert.is(sum.dtype, 'float64');
  const c = Math.fround(0.1);
  const expected = Array.from(x.data, (v) => (v + c) * v);
  assert.equal(Array.from(sum.data as Float64Array), Array.from(x.data, (v) => v + c));
  assert.is(r.outputs[0].dtype, 'float32');
  assert.equal(Array.from(r.outputs[0].data as Float32Array), expected.map(Math.fround));
});

test('float32 mode rounds every intermediate to float32, as a float32 kernel would', () => {
  const r = createInterpreter(graph(), { float: 'float32' }).run([x]);
  const sum = r.tensors.get('sum_out0')!;
  assert.is(sum.dtype, 'float32');
  const c = Math.fround(0.1);
  assert.equal(Array.from(r.outputs[0].data as Float32Array), Array.from(x.data, (v) => Math.fround(Math.fround(v + c) * v)));
});

test('wrong inputs fail with one line (E_INPUT_FILE)', () => {
  const it = createInterpreter(graph());
  const err = (f: () => void) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, UtvmError);
      return `${(e as UtvmError).code}: ${(e as Error).message}`;
    }
    assert.unreachable('no error');
  };
  assert.is(err(() => it.run([])), 'E_INPUT_FILE: the model has 1 input(s), 0 given');
  assert.is(err(() => it.run([{ dtype: 'int8', shape: [1, 3], data: new Int8Array(3) }])), "E_INPUT_FILE: input 0 is int8[1,3] but the model's input 'x' is float32[1,3]");
});

test.run();
