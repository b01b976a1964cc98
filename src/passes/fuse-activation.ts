/**
 * Fuses Relu and Clip into the convolution or matrix product that feeds them.
 *
 * Operators whose float32 kernels take a fused activation (`fusedClamp` includes float32: conv2d, gemm)
 * carry an optional `clamp` ({min, max}) that their kernels apply to every output. A relu or clip (with constant bounds) that is the only reader of such a node's output, which is not itself a graph
 * output, becomes part of that clamp; the activation node disappears and the producer writes its output.
 *
 * int8 (a TFLite model's standalone RELU / RELU6 after a layer whose int8 kernels clamp: `fusedClamp`
 * includes int8) fuses the same way when the activation's input and output have one quantization: then
 * TFLite Micro's RELU (requantized by exactly 1, clamped to [zero point, 127]) and RELU6 (bytes clamped
 * to [zero point, quantize(6)]) are the int8 range the layer's kernel derives from the clamp, bit for bit.
 */

import { Graph, Node } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { Clamp } from '../ops/op.js';

/** Whether the activation from tensor `mid` to `out` is exactly a clamp of `mid`'s values in its dtype. */
function clampsInPlace(g: Graph, mid: string, out: string): boolean {
  const [a, b] = [g.tensor(mid), g.tensor(out)];
  if (a.dtype === 'float32') return true;
  if (a.dtype !== 'int8' || b.dtype !== 'int8' || !a.quant || !b.quant) return false;
  const one = (q: typeof a.quant) => q!.scale.length === 1 && q!.zeroPoint.length <= 1;
  return one(a.quant) && one(b.quant) && Math.fround(a.quant.scale[0]) === Math.fround(b.quant.scale[0]) && (a.quant.zeroPoint[0] ?? 0) === (b.quant.zeroPoint[0] ?? 0);
}

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
    const mid = act.inputs[0];
    if (!src || !getOp(src.op).fusedClamp?.includes(g.tensor(mid).dtype)) continue;
    if (g.outputs.includes(mid) || (consumers.get(mid)?.length ?? 0) !== 1) continue;
    if (!clampsInPlace(g, mid, act.outputs[0])) continue;
    const attrs = src.attrs as { clamp?: Clamp };
    src.attrs = { ...src.attrs, clamp: intersect(attrs.clamp, clamp) };
    src.outputs = src.outputs.map((o) => (o === mid ? act.outputs[0] : o));
    g.tensors.delete(mid);
    g.nodes.splice(i, 1);
    i--;
  }
  return g;
}
