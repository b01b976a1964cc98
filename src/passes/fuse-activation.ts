/**
 * Fuses Relu and Clip into the convolution or matrix product that feeds them.
 *
 * Operators whose float32 kernels take a fused activation (`fusedClamp` includes float32: conv2d, gemm)
 * carry an optional `clamp` ({min, max}) that their kernels apply to every output. A relu or clip (with constant bounds) that is the only reader of such a node's output, which is not itself a graph
 * output, becomes part of that clamp; the activation node disappears and the producer writes its output.
 */

import { Graph, Node } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { Clamp } from '../ops/op.js';

function clampOf(node: Node): Clamp | undefined {
  if (node.op === 'relu') return { min: 0, max: Infinity };
  if (node.op === 'clip') {
    const a = node.attrs as { min?: number; max?: number };
    return { min: a.min ?? -Infinity, max: a.max ?? Infinity };
  }
  return undefined;
}

function intersect(a: Clamp | undefined, b: Clamp): Clamp {
  if (!a) return b;
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

export function fuseActivations(input: Graph): Graph {
  const g = input.clone();
  for (let i = 0; i < g.nodes.length; i++) {
    const act = g.nodes[i];
    const clamp = clampOf(act);
    // A Clip with min > max outputs max everywhere (ONNX); a clamp cannot express that, so leave it.
    if (!clamp || clamp.min > clamp.max) continue;
    const producers = g.producers();
    const consumers = g.consumers();
    const src = producers.get(act.inputs[0]);
    if (!src || !getOp(src.op).fusedClamp?.includes('float32')) continue;
    const mid = act.inputs[0];
    if (g.outputs.includes(mid) || (consumers.get(mid)?.length ?? 0) !== 1) continue;
    if (g.tensor(mid).dtype !== 'float32') continue;
    const attrs = src.attrs as { clamp?: Clamp };
    src.attrs = { ...src.attrs, clamp: intersect(attrs.clamp, clamp) };
    src.outputs = src.outputs.map((o) => (o === mid ? act.outputs[0] : o));
    g.tensors.delete(mid);
    g.nodes.splice(i, 1);
    i--;
  }
  return g;
}
