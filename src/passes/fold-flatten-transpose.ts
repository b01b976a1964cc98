/**
 * Folds the transpose in front of a Flatten into the weights of the fully connected layer after it.
 *
 * An NCHW model flattens [N, C, H, W] into [N, C·H·W] before its classifier. Inside the compiler the
 * activation is NHWC, so the flatten reads it through a transpose back to NCHW — a full copy of the tensor.
 * Instead, flatten the NHWC tensor directly and permute the rows of the constant weight matrix (the K
 * axis) at compile time: the classifier sees the same products, in another order of summation.
 */

import { Graph, Node, elementCount } from '../ir/graph.js';
import { allocData } from '../ir/dtype.js';
import { transpose } from '../ops/transpose.js';

/** For each K index in the transposed (model) order, its index in the untransposed (NHWC) order. */
function rowMapping(innerShape: number[], innerPerm: number[]): number[] {
  const count = elementCount(innerShape);
  const iota = new Int32Array(count).map((_, i) => i);
  const outShape = innerPerm.map((p) => innerShape[p]);
  const [mapped] = transpose.evaluate!({ perm: innerPerm }, [{ name: 'iota', dtype: 'int32', shape: innerShape, data: iota }], [
    { dtype: 'int32', shape: outShape },
  ]);
  return Array.from(mapped as Int32Array);
}

/** The weight input and its K axis for a consumer we can rewrite, or undefined. */
function weightAxis(g: Graph, n: Node): { input: number; axis: number } | undefined {
  if (n.op === 'gemm') {
    const a = n.attrs as { transA?: number | boolean; transB?: number | boolean };
    if (a.transA || !g.isConstant(n.inputs[1])) return undefined;
    return { input: 1, axis: a.transB ? 1 : 0 };
  }
  if (n.op === 'matmul' && g.isConstant(n.inputs[1]) && g.tensor(n.inputs[1]).shape.length === 2) {
    return { input: 1, axis: 0 };
  }
  return undefined;
}

function permuteRows(g: Graph, name: string, axis: number, map: number[]): string {
  const w = g.tensor(name);
  const [rows, cols] = w.shape;
  const src = w.data as unknown as ArrayLike<number>;
  const out = allocData(w.dtype, rows * cols) as unknown as number[];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [nr, nc] = axis === 0 ? [map[r], c] : [r, map[c]];
      out[nr * cols + nc] = src[r * cols + c];
    }
  }
  const fresh = g.freshName(`${name}_nhwc`);
  g.addTensor({ ...w, name: fresh, shape: [...w.shape], data: out as unknown as typeof w.data, quantizedOrigin: undefined });
  return fresh;
}

export function foldFlattenTranspose(input: Graph): Graph {
  const g = input.clone();
  const producers = g.producers();
  const consumers = g.consumers();
  for (const r of g.nodes) {
    if (r.op !== 'reshape') continue;
    const t = producers.get(r.inputs[0]);
    if (!t || t.op !== 'transpose') continue;
    const perm = (t.attrs as { perm: number[] }).perm;
    const x = g.tensor(t.inputs[0]);
    const out = g.tensor(r.outputs[0]);
    if (perm[0] !== 0 || out.shape.length !== 2 || out.shape[0] !== x.shape[0]) continue;
    const users = consumers.get(r.outputs[0]) ?? [];
    const axes = users.map((u) => weightAxis(g, u));
    if (users.length === 0 || g.outputs.includes(r.outputs[0]) || axes.some((a) => !a)) continue;
    const map = rowMapping(x.shape.slice(1), perm.slice(1).map((p) => p - 1));
    users.forEach((u, k) => {
      const { input: wi, axis } = axes[k]!;
      u.inputs[wi] = permuteRows(g, u.inputs[wi], axis, map);
    });
    r.inputs = [t.inputs[0]];
    // The flattened tensor now holds the NHWC order, not the model's: it gets a name of its own, so that
    // nothing that matches tensors by name (validate --per-layer) takes it for the model's tensor.
    const renamed = g.freshName(`${out.name}_nhwc`);
    g.addTensor({ ...out, name: renamed, shape: [...out.shape] });
    r.outputs[0] = renamed;
    for (const u of users) u.inputs = u.inputs.map((i) => (i === out.name ? renamed : i));
  }
  g.removeDeadCode();
  return g;
}
