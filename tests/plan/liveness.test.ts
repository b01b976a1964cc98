/**
 * Tests of stage 1 of the memory planner (src/plan/liveness.ts): lifetimes of tensors, alias and
 * in-place joining, scratch buffers and the internal errors. Operators are fakes given through the
 * `opInfo` parameter, so the tests do not depend on the operator registry.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import type { DType } from '../../src/ir/dtype.js';
import { computeBuffers } from '../../src/plan/liveness.js';
import type { Buffer, OpInfo } from '../../src/plan/liveness.js';

const FAKE_OPS: Record<string, OpInfo> = {
  fake_op: {},
  fake_alias: { alias: true },
  fake_elementwise: { inPlace: true },
  fake_conv: {},
};

/** The scratch bytes of the fake_conv nodes (attribute `scratch`), as lowering reports them for real kernels. */
function scratchOf(g: Graph): Map<string, number> {
  return new Map(g.nodes.filter((n) => n.op === 'fake_conv' && Number(n.attrs.scratch ?? 0) > 0).map((n) => [n.name, Number(n.attrs.scratch)]));
}

function fakeOp(name: string): OpInfo {
  const info = FAKE_OPS[name];
  if (!info) throw new Error(`test: unknown fake operator '${name}'`);
  return info;
}

function tensor(g: Graph, name: string, shape: number[], dtype: DType = 'float32'): void {
  g.addTensor({ name, dtype, shape });
}

function constant(g: Graph, name: string, count: number): void {
  g.addTensor({ name, dtype: 'float32', shape: [count], data: new Float32Array(count) });
}

function node(g: Graph, name: string, op: string, inputs: string[], outputs: string[], attrs = {}): void {
  g.nodes.push({ name, op, inputs, outputs, attrs, source: { op: 'X', name } });
}

function buffers(g: Graph): Buffer[] {
  return computeBuffers(g, fakeOp, undefined, scratchOf(g));
}

function buf(id: string, tensors: string[], bytes: number, first: number, last: number): Buffer {
  return { id, tensors, bytes, first, last, kind: 'tensor' };
}

/** x -> n0 -> y -> n1 -> z, all float32[16] unless told otherwise. */
function chain(op0: string, op1: string): Graph {
  const g = new Graph('chain');
  for (const name of ['x', 'y', 'z']) tensor(g, name, [16]);
  g.inputs = ['x'];
  g.outputs = ['z'];
  node(g, 'n0', op0, ['x'], ['y']);
  node(g, 'n1', op1, ['y'], ['z']);
  return g;
}

test('chain: each tensor lives from its producer to its last reader', () => {
  assert.equal(buffers(chain('fake_op', 'fake_op')), [
    buf('x', ['x'], 64, 0, 0),
    buf('y', ['y'], 64, 0, 1),
    buf('z', ['z'], 64, 1, 1),
  ]);
});

test('empty graph has no buffers', () => {
  assert.equal(buffers(new Graph('empty')), []);
});

test('bytes are rounded up to 16', () => {
  const g = new Graph('round');
  tensor(g, 'a', [5], 'int8');
  tensor(g, 'b', [17], 'int8');
  tensor(g, 'c', [3, 3], 'int16');
  g.inputs = ['a'];
  g.outputs = ['b', 'c'];
  node(g, 'n0', 'fake_op', ['a'], ['b', 'c']);
  assert.equal(
    buffers(g).map((b) => b.bytes),
    [16, 32, 32],
  );
});

test('graph inputs live from step 0, graph outputs to the last step, unread tensors at their producer', () => {
  const g = new Graph('lifetimes');
  for (const name of ['in', 'early', 'unused', 'mid', 'out']) tensor(g, name, [4]);
  constant(g, 'w', 4);
  g.inputs = ['in'];
  g.outputs = ['early', 'out'];
  node(g, 'n0', 'fake_op', ['w'], ['mid']);
  node(g, 'n1', 'fake_op', ['mid', 'w'], ['early', 'unused']);
  node(g, 'n2', 'fake_op', ['in', 'mid'], ['out']);
  assert.equal(buffers(g), [
    buf('in', ['in'], 16, 0, 2),
    buf('mid', ['mid'], 16, 0, 2),
    buf('early', ['early'], 16, 1, 2),
    buf('unused', ['unused'], 16, 1, 1),
    buf('out', ['out'], 16, 2, 2),
  ]);
});

test('graph input that is also a graph output in a graph without nodes', () => {
  const g = new Graph('identity');
  tensor(g, 'x', [4]);
  g.inputs = ['x'];
  g.outputs = ['x'];
  assert.equal(buffers(g), [buf('x', ['x'], 16, 0, 0)]);
});

test('alias chain shares one buffer that lives until the last use of any of its tensors', () => {
  const g = new Graph('alias');
  tensor(g, 'x', [16]);
  tensor(g, 'y', [4, 4]);
  tensor(g, 'z', [1, 16]);
  tensor(g, 'a', [16]);
  tensor(g, 'b', [16]);
  g.inputs = ['x'];
  g.outputs = ['b'];
  node(g, 'n0', 'fake_alias', ['x'], ['y']);
  node(g, 'n1', 'fake_alias', ['y'], ['z']);
  node(g, 'n2', 'fake_op', ['z'], ['a']);
  node(g, 'n3', 'fake_op', ['a', 'y'], ['b']);
  assert.equal(buffers(g), [buf('x', ['x', 'y', 'z'], 64, 0, 3), buf('a', ['a'], 64, 2, 3), buf('b', ['b'], 64, 3, 3)]);
});

test('alias that is a graph output keeps its buffer alive to the end', () => {
  const g = chain('fake_op', 'fake_alias');
  assert.equal(buffers(g), [buf('x', ['x'], 64, 0, 0), buf('y', ['y', 'z'], 64, 0, 1)]);
});

test('in-place chain joins into the graph input buffer', () => {
  assert.equal(buffers(chain('fake_elementwise', 'fake_elementwise')), [buf('x', ['x', 'y', 'z'], 64, 0, 1)]);
});

test('in-place after an alias joins the alias buffer', () => {
  assert.equal(buffers(chain('fake_alias', 'fake_elementwise')), [buf('x', ['x', 'y', 'z'], 64, 0, 1)]);
});

test('in-place is refused when input 0 is read later', () => {
  const g = chain('fake_elementwise', 'fake_op');
  g.nodes[1].inputs = ['y', 'x'];
  assert.equal(buffers(g), [buf('x', ['x'], 64, 0, 1), buf('y', ['y'], 64, 0, 1), buf('z', ['z'], 64, 1, 1)]);
});

test('in-place is refused when an alias of input 0 is read later', () => {
  const g = new Graph('alias-later');
  for (const name of ['x', 'y', 'z', 'w']) tensor(g, name, [16]);
  g.inputs = ['x'];
  g.outputs = ['w'];
  node(g, 'n0', 'fake_alias', ['x'], ['y']);
  node(g, 'n1', 'fake_elementwise', ['x'], ['z']);
  node(g, 'n2', 'fake_op', ['z', 'y'], ['w']);
  assert.equal(
    buffers(g).map((b) => b.tensors),
    [['x', 'y'], ['z'], ['w']],
  );
});

test('in-place is refused when input 0 is a graph output', () => {
  const g = chain('fake_elementwise', 'fake_op');
  g.outputs = ['x', 'z'];
  assert.equal(
    buffers(g).map((b) => [b.id, b.first, b.last]),
    [
      ['x', 0, 1],
      ['y', 0, 1],
      ['z', 1, 1],
    ],
  );
});

test('in-place is refused when byte sizes differ, even if they round to the same size', () => {
  const g = new Graph('sizes');
  tensor(g, 'x', [15], 'int8');
  tensor(g, 'y', [16], 'int8');
  g.inputs = ['x'];
  g.outputs = ['y'];
  node(g, 'n0', 'fake_elementwise', ['x'], ['y']);
  assert.equal(
    buffers(g).map((b) => b.tensors),
    [['x'], ['y']],
  );
});

test('in-place is refused when input 0 is a constant or omitted', () => {
  const g = new Graph('const');
  constant(g, 'c', 16);
  for (const name of ['x', 'y', 'z']) tensor(g, name, [16]);
  g.inputs = ['x'];
  g.outputs = ['z'];
  node(g, 'n0', 'fake_elementwise', ['c', 'x'], ['y']);
  node(g, 'n1', 'fake_elementwise', ['', 'y'], ['z']);
  assert.equal(
    buffers(g).map((b) => b.tensors),
    [['x'], ['y'], ['z']],
  );
});

test('in-place accepts input 0 read twice by the same node (mul(x, x)) and only joins output 0', () => {
  const g = new Graph('square');
  for (const name of ['x', 'y', 'extra']) tensor(g, name, [16]);
  g.inputs = ['x'];
  g.outputs = ['y', 'extra'];
  node(g, 'n0', 'fake_elementwise', ['x', 'x'], ['y', 'extra']);
  assert.equal(buffers(g), [buf('x', ['x', 'y'], 64, 0, 0), buf('extra', ['extra'], 64, 0, 0)]);
});

test('in-place with another input in the same buffer: same element count joins, different count does not', () => {
  const make = (aliasDType: DType, aliasShape: number[]): Graph => {
    const g = new Graph('shared');
    tensor(g, 'x', [16]);
    tensor(g, 'v', aliasShape, aliasDType);
    tensor(g, 'y', [16]);
    g.inputs = ['x'];
    g.outputs = ['y'];
    node(g, 'n0', 'fake_alias', ['x'], ['v']);
    node(g, 'n1', 'fake_elementwise', ['x', 'v'], ['y']);
    return g;
  };
  assert.equal(
    buffers(make('float32', [4, 4])).map((b) => b.tensors),
    [['x', 'v', 'y']],
  );
  assert.equal(
    buffers(make('int8', [64])).map((b) => b.tensors),
    [['x', 'v'], ['y']],
  );
});

test('scratch buffers live only at their node and come after its outputs', () => {
  const g = chain('fake_conv', 'fake_conv');
  g.nodes[0].attrs = { scratch: 100 };
  g.nodes[1].attrs = { scratch: 0 };
  assert.equal(buffers(g), [
    buf('x', ['x'], 64, 0, 0),
    buf('y', ['y'], 64, 0, 1),
    { id: 'scratch:n0', tensors: [], bytes: 112, first: 0, last: 0, kind: 'scratch' },
    buf('z', ['z'], 64, 1, 1),
  ]);
});

test('internal errors: read before produced, produced twice, alias of a constant, unknown tensor', () => {
  const early = chain('fake_op', 'fake_op');
  early.nodes.reverse();
  assert.throws(() => buffers(early), /internal: node 'n1' reads tensor 'y' before anything produces it/);
  const twice = chain('fake_op', 'fake_op');
  twice.nodes[1].outputs = ['y'];
  assert.throws(() => buffers(twice), /internal: tensor 'y' is produced twice/);
  const constAlias = new Graph('const-alias');
  constant(constAlias, 'c', 4);
  tensor(constAlias, 'y', [4]);
  constAlias.outputs = ['y'];
  node(constAlias, 'n0', 'fake_alias', ['c'], ['y']);
  assert.throws(() => buffers(constAlias), /internal: alias node 'n0' \(fake_alias\) needs a runtime input 0/);
  const unknown = chain('fake_op', 'fake_op');
  unknown.nodes[1].inputs = ['nope'];
  assert.throws(() => buffers(unknown), /internal: unknown tensor 'nope'/);
});

test('buffer list is deterministic', () => {
  const a = JSON.stringify(buffers(chain('fake_conv', 'fake_elementwise')));
  const b = JSON.stringify(buffers(chain('fake_conv', 'fake_elementwise')));
  assert.is(a, b);
});

test.run();
