/**
 * Fuses a residual ADD into the int8 convolution that produces one of its operands (src/ops/conv2d/add-s8.ts).
 *
 * For every int8 `add` whose two operands and output have one NHWC shape (no broadcasting, batch 1), the
 * candidates are the operands produced by an int8 `conv2d` that nothing else reads (and that is not a graph
 * output). The latest such convolution in execution order is fused, provided the other operand already
 * exists when it runs (a graph input or produced earlier) and is not the convolution's own input (the
 * fused node may write its output over the other operand while the convolution still reads its input).
 * The convolution node becomes a conv2d_add node in its place, the ADD node disappears, and the
 * convolution's output tensor is replaced by a band buffer of CHUNK_BYTES (at least one output row).
 *
 * In a ResNet block this removes one full-size tensor from the peak: MLPerf Tiny's ResNet-8 goes from
 * three 16 KB activations live at once to two plus a 2 KB band. The pass is skipped for debug builds
 * (`debugTensors`), which keep every layer's output.
 */

import { Graph, Node } from '../ir/graph.js';
import type { Conv2dAttrs } from '../ops/conv2d/index.js';
import type { Conv2dAddAttrs } from '../ops/conv2d/add-s8.js';
import type { Clamp } from '../ops/op.js';

/** Target size of the band buffer, in bytes (rounded down to whole output rows, at least one). */
export const CHUNK_BYTES = 2048;

interface Candidate {
  conv: Node<Conv2dAttrs>;
  convInput: 0 | 1;
  other: string;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The convolution the ADD `add` can absorb, or undefined. */
function candidate(g: Graph, add: Node, position: Map<Node, number>): Candidate | undefined {
  if (add.inputs.length !== 2) return undefined;
  const y = g.tensor(add.outputs[0]);
  const runtime = add.inputs.map((n) => g.tensor(n));
  if (y.dtype !== 'int8' || y.shape.length !== 4 || y.shape[0] !== 1) return undefined;
  if (runtime.some((t) => t.data !== undefined || t.dtype !== 'int8' || !sameShape(t.shape, y.shape))) return undefined;
  const producers = g.producers();
  const consumers = g.consumers();
  let best: Candidate | undefined;
  for (const k of [0, 1] as const) {
    const conv = producers.get(add.inputs[k]);
    const other = add.inputs[1 - k];
    if (!conv || conv.op !== 'conv2d' || g.outputs.includes(add.inputs[k])) continue;
    if ((consumers.get(add.inputs[k])?.length ?? 0) !== 1 || conv.inputs[0] === other || add.inputs[0] === add.inputs[1]) continue;
    if (g.tensor(conv.inputs[0]).dtype !== 'int8') continue;
    const otherProducer = producers.get(other);
    if (otherProducer && (position.get(otherProducer) ?? Infinity) >= (position.get(conv) ?? -1)) continue;
    if (!best || (position.get(conv) ?? 0) > (position.get(best.conv as unknown as Node) ?? 0)) {
      best = { conv: conv as unknown as Node<Conv2dAttrs>, convInput: k, other };
    }
  }
  return best;
}

/** Replaces `c.conv` by the fused node and drops `add`. */
function fuse(g: Graph, add: Node, c: Candidate): void {
  const convOut = g.tensor(c.conv.outputs[0]);
  const [, outH, outW, outC] = convOut.shape;
  const chunkRows = Math.min(outH, Math.max(1, Math.floor(CHUNK_BYTES / (outW * outC))));
  const rows = g.freshName(`${c.conv.outputs[0]}_rows`);
  g.addTensor({ name: rows, dtype: 'int8', shape: [1, chunkRows, outW, outC], quant: convOut.quant });
  const attrs: Conv2dAddAttrs = { conv: c.conv.attrs, clamp: (add.attrs as { clamp?: Clamp }).clamp, convInput: c.convInput, chunkRows };
  const fused: Node<Conv2dAddAttrs> = {
    name: `${c.conv.name}_${add.name}`,
    op: 'conv2d_add',
    inputs: [c.other, ...c.conv.inputs],
    outputs: [add.outputs[0], rows],
    attrs,
    source: add.source,
  };
  g.nodes[g.nodes.indexOf(c.conv as unknown as Node)] = fused as unknown as Node;
  g.nodes.splice(g.nodes.indexOf(add), 1);
  g.tensors.delete(c.conv.outputs[0]);
}

export function fuseResidualAdds(input: Graph): Graph {
  const g = input.clone();
  for (const add of [...g.nodes]) {
    if (add.op !== 'add') continue;
    const position = new Map(g.nodes.map((n, i) => [n, i]));
    const c = candidate(g, add, position);
    if (c) fuse(g, add, c);
  }
  return g;
}
