/**
 * Moves transposes towards the outputs and cancels them: how NCHW models end up NHWC inside.
 *
 * Importers of layout-sensitive operators (convolution, pooling) wrap the NHWC IR operator in a pair of
 * transposes: NCHW→NHWC before, NHWC→NCHW after. Between two such operators the pairs meet and cancel.
 * Where a layout-agnostic operator (elementwise, concat on an axis, softmax...) sits between them, this
 * pass moves the transpose below it, using the operator's `commuteTranspose` to remap its axes and
 * rewrite its constant operands, so that the pairs still meet. What is left are the transposes the model
 * really needs (usually one at the input and, for NCHW outputs, one at the output).
 *
 * Rules, applied until nothing changes:
 *   1. transpose(transpose(x, p1), p2) → transpose(x, p1∘p2); an identity transpose disappears
 *      (unless it produces a graph output from a graph input, where a copy is needed anyway); one that
 *      only moves size-1 dims becomes a reshape (an alias: no copy).
 *   2. op(transpose(x_i, p)...) → transpose(op'(x_i...), p) when every runtime input of op comes from a
 *      transpose with the same perm p and op.commuteTranspose agrees.
 */

import { Graph, Node } from '../ir/graph.js';
import { DType, TensorData } from '../ir/dtype.js';
import { getOp } from '../ops/index.js';
import type { GraphEditor } from '../ops/op.js';
import { applyPerm, inversePerm, isIdentityPerm, simplifyTranspose } from '../ops/transpose.js';

function permOf(n: Node): number[] {
  return (n.attrs as { perm: number[] }).perm;
}

function editorFor(g: Graph): GraphEditor {
  return {
    graph: g,
    addConstant(base: string, dtype: DType, shape: number[], data: TensorData): string {
      const name = g.freshName(base);
      g.addTensor({ name, dtype, shape: [...shape], data });
      return name;
    },
  };
}

/** Rule 1 on node index i; returns true when the graph changed. */
function mergeTransposes(g: Graph, i: number, producers: Map<string, Node>): boolean {
  const node = g.nodes[i];
  const src = producers.get(node.inputs[0]);
  if (src && src.op === 'transpose') {
    const p1 = permOf(src);
    const p2 = permOf(node);
    node.inputs = [src.inputs[0]];
    node.attrs = { perm: p2.map((p) => p1[p]) };
    return true;
  }
  const input = node.inputs[0];
  if (!isIdentityPerm(permOf(node))) {
    // A transpose that only moves size-1 dims keeps the element order: it is a reshape (an alias).
    if (!isIdentityPerm(simplifyTranspose(g.tensor(input).shape, permOf(node)).perm)) return false;
    g.nodes[i] = { ...node, op: 'reshape', attrs: { shape: [...g.tensor(node.outputs[0]).shape] } };
    return true;
  }
  const out = node.outputs[0];
  const isOutput = g.outputs.includes(out);
  if (isOutput && (g.inputs.includes(input) || g.outputs.includes(input) || g.isConstant(input))) return false;
  g.nodes.splice(i, 1);
  if (isOutput) {
    // Keep the output's name: the producer of `input` now writes it.
    renameProduced(g, input, out);
  } else {
    g.replaceUses(out, input);
    g.tensors.delete(out);
  }
  return true;
}

function renameProduced(g: Graph, from: string, to: string): void {
  const t = g.tensor(from);
  g.tensors.delete(to);
  g.tensors.delete(from);
  g.tensors.set(to, { ...t, name: to });
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((x) => (x === from ? to : x));
    n.outputs = n.outputs.map((x) => (x === from ? to : x));
  }
  g.outputs = g.outputs.map((x) => (x === from ? to : x));
}

/**
 * For each runtime input y of node i, a tensor x with y == transpose(x, perm): the input of y's producer
 * when that is a transpose by `perm`, or else the output of a transpose of y by the inverse perm that
 * already exists elsewhere (a residual branch: the block input also feeds the NHWC convolution). Such a
 * transpose is moved before node i when it comes later. Null when some input has neither.
 */
function untransposedInputs(g: Graph, i: number, producers: Map<string, Node>): { perm: number[]; of: Map<string, string> } | null {
  const runtime = g.nodes[i].inputs.filter((x) => x !== '' && !g.isConstant(x));
  const first = runtime.map((x) => producers.get(x)).find((s) => s?.op === 'transpose');
  if (!first) return null;
  const perm = permOf(first);
  const inverse = inversePerm(perm).join();
  const of = new Map<string, string>();
  for (const y of runtime) {
    const s = producers.get(y);
    if (s && s.op === 'transpose' && permOf(s).join() === perm.join()) {
      of.set(y, s.inputs[0]);
      continue;
    }
    const j = g.nodes.findIndex((n) => n.op === 'transpose' && n.inputs[0] === y && permOf(n).join() === inverse);
    if (j < 0) return null;
    of.set(y, g.nodes[j].outputs[0]);
    if (j > i) g.nodes.splice(i, 0, ...g.nodes.splice(j, 1));
  }
  return { perm, of };
}

/** Rule 2 on node index i; returns true when the graph changed. */
function commute(g: Graph, i: number, producers: Map<string, Node>): boolean {
  const def = getOp(g.nodes[i].op);
  if (!def.commuteTranspose) return false;
  const name = g.nodes[i].name;
  const found = untransposedInputs(g, i, producers);
  if (!found) return false;
  const at = g.nodes.findIndex((n) => n.name === name);
  const node = g.nodes[at];
  const { perm, of } = found;
  const rewritten = def.commuteTranspose(node, perm, editorFor(g));
  if (!rewritten) return false;
  const inputs = rewritten.inputs.map((x) => of.get(x) ?? x);
  const inputTensors = inputs.map((x) => (x === '' ? undefined : g.tensor(x)));
  const inner: Node = { ...node, inputs, attrs: rewritten.attrs as Record<string, unknown>, outputs: [] };
  const types = def.infer({ attrs: inner.attrs, inputs: inputTensors, node: inner });
  const after: Node[] = [];
  inner.outputs = node.outputs.map((o, k) => {
    const name = g.freshName(`${o}_nhwc`);
    g.addTensor({ name, ...types[k], shape: [...types[k].shape] });
    const expected = applyPerm(types[k].shape, perm).join();
    if (expected !== g.tensor(o).shape.join()) throw new Error(`internal: commuteTranspose of ${node.name} changed shapes`);
    after.push({ name: g.freshNodeName(`${node.name}_to_layout`), op: 'transpose', inputs: [name], outputs: [o], attrs: { perm: [...perm] }, source: node.source });
    return name;
  });
  g.nodes.splice(at, 1, inner, ...after);
  return true;
}

export function sinkTransposes(input: Graph): Graph {
  const g = input.clone();
  for (let changed = true, guard = 0; changed; guard++) {
    if (guard > 10000) throw new Error('internal: sinkTransposes does not converge');
    changed = false;
    for (let i = 0; i < g.nodes.length && !changed; i++) {
      const producers = g.producers();
      changed = g.nodes[i].op === 'transpose' ? mergeTransposes(g, i, producers) : commute(g, i, producers);
    }
    if (changed) g.removeDeadCode();
  }
  return g;
}
