/**
 * Folds an explicit zero-point PAD into the int8 convolution that reads it. Models converted from
 * PyTorch pad before every strided or depthwise convolution (MobileNetV2-224 of TFLite Micro's examples
 * has 18 such PADs: its arena falls from 2,451,840 to 1,505,280 bytes), often with a layout TRANSPOSE between the first PAD and its convolution. The
 * convolution's own padding grows by the PAD's (src/ops/pad.ts `zeroPointPads` says when that is exact,
 * through the transpose's permutation when there is one) and the padded tensor disappears: one kernel
 * call and one full-size tensor fewer, and the convolution can join a patch stage (src/lower/patch/).
 *
 * Only a PAD whose one reader is a conv2d reading it as its image (or a transpose to NHWC whose one
 * reader is), padding only the image's rows and columns, and no graph output on the way.
 */

import { Graph } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import type { Conv2dAttrs } from '../ops/conv2d/index.js';
import { zeroPointPads } from '../ops/pad.js';
import type { TransposeAttrs } from '../ops/transpose.js';

interface Fold {
  pad: Node;
  transpose?: Node;
  conv: Node;
  /** [top, left, bottom, right] added to the convolution's pads. */
  spatial: [number, number, number, number];
}

function findFold(g: Graph, pad: Node, consumers: Map<string, Node[]>): Fold | undefined {
  const only = (name: string): Node | undefined => {
    const readers = consumers.get(name) ?? [];
    return readers.length === 1 && !g.outputs.includes(name) ? readers[0] : undefined;
  };
  const pads = zeroPointPads(pad, g.tensor(pad.inputs[0]), g.tensor(pad.outputs[0]));
  if (!pads || pads.length !== 8) return undefined;
  let next = only(pad.outputs[0]);
  let perm = [0, 1, 2, 3];
  let transpose: Node | undefined;
  if (next?.op === 'transpose') {
    transpose = next;
    perm = (next.attrs as unknown as TransposeAttrs).perm;
    next = only(next.outputs[0]);
  }
  const image = transpose ? transpose.outputs[0] : pad.outputs[0];
  if (!next || next.op !== 'conv2d' || next.inputs[0] !== image || next.inputs.slice(1).includes(image)) return undefined;
  // NHWC axis i of the convolution's image is axis perm[i] of the pad's tensor.
  const begin = (i: number) => pads[perm[i]];
  const end = (i: number) => pads[4 + perm[i]];
  if (begin(0) || end(0) || begin(3) || end(3)) return undefined;
  return { pad, transpose, conv: next, spatial: [begin(1), begin(2), end(1), end(2)] };
}

export function foldPads(input: Graph): Graph {
  const consumers = input.consumers();
  const folds = input.nodes.filter((n) => n.op === 'pad').map((n) => findFold(input, n, consumers)).filter((f): f is Fold => f !== undefined);
  if (folds.length === 0) return input;
  const g = input.clone();
  const byConv = new Map(folds.map((f) => [f.conv.name, f]));
  const byTranspose = new Map(folds.filter((f) => f.transpose).map((f) => [f.transpose!.name, f]));
  const dropped = new Set(folds.map((f) => f.pad.name));
  g.nodes = g.nodes.flatMap((node): Node[] => {
    if (dropped.has(node.name)) return [];
    const viaTranspose = byTranspose.get(node.name);
    if (viaTranspose) {
      // The transpose now reads the unpadded tensor: its output shrinks to the permuted unpadded shape.
      const x = g.tensor(viaTranspose.pad.inputs[0]);
      const out = g.tensor(node.outputs[0]);
      const perm = (node.attrs as unknown as TransposeAttrs).perm;
      g.tensors.set(out.name, { ...out, shape: perm.map((p) => x.shape[p]) });
      return [{ ...node, inputs: [viaTranspose.pad.inputs[0], ...node.inputs.slice(1)] }];
    }
    const fold = byConv.get(node.name);
    if (!fold) return [node];
    const a = node.attrs as unknown as Conv2dAttrs;
    const pads = a.pads.map((p, i) => p + fold.spatial[i]) as Conv2dAttrs['pads'];
    const image = fold.transpose ? node.inputs[0] : fold.pad.inputs[0];
    return [{ ...node, inputs: [image, ...node.inputs.slice(1)], attrs: { ...a, pads } as unknown as Record<string, unknown> }];
  });
  for (const f of folds) if (!f.transpose) g.tensors.delete(f.pad.outputs[0]);
  for (const f of folds) if (f.transpose) g.tensors.delete(f.pad.outputs[0]);
  return g;
}
