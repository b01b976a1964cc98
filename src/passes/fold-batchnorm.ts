/**
 * Folds a batchnorm into the conv2d that feeds it: y = (conv(x, w) + b)·s + t = conv(x, w·s) + (b·s + t).
 *
 * A batchnorm (per-channel scale s and shift t, channel last) whose input is produced by a conv2d is
 * folded when: the conv's weights (and bias, if any) are constants, the conv has no fused clamp yet, the
 * conv's output (and any reshape's in between) is read by nothing else and is not a graph output, and s
 * and t are constants with one value per output channel. The conv then gets new weight and bias
 * constants (the bias is created when absent), the node before the batchnorm writes the batchnorm's
 * output tensor directly, and the batchnorm disappears.
 *
 * Runs after the transpose-cancelling pass, so conv2d → batchnorm are adjacent, or separated only by
 * reshapes (1-D convolutions), which the fold looks through. Pure: works on a clone, never writes
 * constant data in place (new arrays for new constants).
 */

import { Graph, Node, Tensor } from '../ir/graph.js';
import { numberAt } from '../ir/dtype.js';
import type { Conv2dAttrs } from '../ops/conv2d/index.js';

function constantFloat(g: Graph, name: string | undefined): Tensor | undefined {
  if (name === undefined || name === '') return undefined;
  const t = g.tensor(name);
  return t.data !== undefined && t.dtype === 'float32' ? t : undefined;
}

/** True when tensor `name` is read by exactly one node and is not a graph output. */
function singleUse(g: Graph, name: string, consumers: Map<string, Node[]>): boolean {
  return (consumers.get(name)?.length ?? 0) === 1 && !g.outputs.includes(name);
}

/**
 * The conv2d that `bn` can absorb, or undefined. Reshapes between them (a 1-D convolution's view back to
 * [N, L, C]) are looked through: they keep the flat order and the innermost dim C, so they commute with
 * a per-channel affine map.
 */
function foldableConv(g: Graph, bn: Node, producers: Map<string, Node>, consumers: Map<string, Node[]>): Node | undefined {
  let conv = producers.get(bn.inputs[0]);
  while (conv && conv.op === 'reshape' && singleUse(g, conv.outputs[0], consumers)) conv = producers.get(conv.inputs[0]);
  if (!conv || conv.op !== 'conv2d' || !singleUse(g, conv.outputs[0], consumers)) return undefined;
  if ((conv.attrs as unknown as Conv2dAttrs).clamp !== undefined) return undefined;
  const w = constantFloat(g, conv.inputs[1]);
  if (!w || (conv.inputs[2] && !constantFloat(g, conv.inputs[2]))) return undefined;
  const s = constantFloat(g, bn.inputs[1]);
  const t = constantFloat(g, bn.inputs[2]);
  const channels = w.shape[0];
  if (!s || !t || s.shape.join() !== `${channels}` || t.shape.join() !== `${channels}`) return undefined;
  return conv;
}

/** Gives conv2d `conv` scaled weights and a folded bias, and removes `bn` (its input's producer now writes its output). */
function fold(g: Graph, conv: Node, bn: Node, producers: Map<string, Node>): void {
  const w = g.tensor(conv.inputs[1]);
  const bias = conv.inputs[2] ? g.tensor(conv.inputs[2]) : undefined;
  const scale = g.tensor(bn.inputs[1]).data!;
  const shift = g.tensor(bn.inputs[2]).data!;
  const channels = w.shape[0];
  const perChannel = w.data!.length / channels;
  const weights = new Float32Array(w.data!.length);
  for (let i = 0; i < weights.length; i++) weights[i] = numberAt(w.data!, i) * numberAt(scale, Math.floor(i / perChannel));
  const folded = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const b = bias ? numberAt(bias.data!, c) : 0;
    folded[c] = b * numberAt(scale, c) + numberAt(shift, c);
  }
  const wName = g.freshName(`${w.name}_bn`);
  g.addTensor({ name: wName, dtype: 'float32', shape: [...w.shape], data: weights });
  const bName = g.freshName(bias ? `${bias.name}_bn` : `${conv.name}_bias`);
  g.addTensor({ name: bName, dtype: 'float32', shape: [channels], data: folded });
  conv.inputs = [conv.inputs[0], wName, bName];
  const last = producers.get(bn.inputs[0])!;
  const oldOut = last.outputs[0];
  last.outputs = [bn.outputs[0]];
  producers.set(bn.outputs[0], last);
  g.nodes = g.nodes.filter((n) => n !== bn);
  g.tensors.delete(oldOut);
}

/** Drops constants that no node reads any more (the old weights, bias and batchnorm parameters). */
function dropUnusedConstants(g: Graph, names: string[]): void {
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const name of names) {
    if (name !== '' && g.has(name) && g.isConstant(name) && !used.has(name) && !g.outputs.includes(name)) g.tensors.delete(name);
  }
}

export function foldBatchnorm(graph: Graph): Graph {
  const g = graph.clone();
  const producers = g.producers();
  const consumers = g.consumers();
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchnorm') continue;
    const conv = foldableConv(g, bn, producers, consumers);
    if (!conv) continue;
    const old = [...conv.inputs.slice(1), ...bn.inputs.slice(1)];
    fold(g, conv, bn, producers);
    dropUnusedConstants(g, old);
  }
  return g;
}
