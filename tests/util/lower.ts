/**
 * Operator-test helpers around the IR: import a model built with OnnxModelBuilder (no passes), find a
 * node, and lower it the way the code generator does (constants added by lowering go into the graph).
 */

import * as assert from 'uvu/assert';
import { importOnnx } from '../../src/import/onnx.js';
import { Graph, Node } from '../../src/ir/graph.js';
import { getOp } from '../../src/ops/index.js';
import type { KernelCall, LowerContext } from '../../src/ops/op.js';
import type { OnnxModelBuilder } from './onnx-build.js';

export function importModel(m: OnnxModelBuilder): Graph {
  return importOnnx(m.encode(), 'm.onnx', 'm');
}

/** The only node of IR operator `op` in the graph. */
export function nodeOf(g: Graph, op: string): Node {
  const found = g.nodes.filter((n) => n.op === op);
  assert.is(found.length, 1, `one ${op} node (ops: ${g.nodes.map((n) => n.op).join(', ')})`);
  return found[0];
}

export function lowerNode(g: Graph, node: Node): KernelCall[] {
  const ctx: LowerContext<Record<string, unknown>> = {
    node,
    graph: g,
    input: (i) => g.tensor(node.inputs[i]),
    optionalInput: (i) => (node.inputs[i] ? g.tensor(node.inputs[i]) : undefined),
    output: (i) => g.tensor(node.outputs[i]),
    addConstant: (base, dtype, shape, data) => {
      const name = g.freshName(base);
      g.addTensor({ name, dtype, shape, data });
      return name;
    },
  };
  return getOp(node.op).lower!(ctx);
}

/** The message of the error `fn` throws (fails when it throws none). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.unreachable('expected an error');
  return '';
}
