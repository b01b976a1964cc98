/**
 * Pass-test helpers that need no C compiler: build small IR graphs node by node (output types from each
 * operator's own shape inference), and evaluate a whole float graph in TypeScript with each operator's
 * `evaluate` (its reference semantics, the one constant folding uses). conv2d has no `evaluate` in
 * src/ops/, so a direct NHWC/OHWI loop here stands in for it (with groups, dilations, pads and clamp).
 * A pass test evaluates the graph before and after the pass on the same inputs and compares.
 */

import { TensorData, numberAt } from '../../src/ir/dtype.js';
import { Graph, Node, Tensor, elementCount } from '../../src/ir/graph.js';
import type { Conv2dAttrs } from '../../src/ops/conv2d/index.js';
import { getOp } from '../../src/ops/index.js';
import type { TensorType } from '../../src/ops/op.js';
import { Rng, randomFloats } from './random.js';

/** A float32 graph input. */
export function floatInput(g: Graph, name: string, shape: number[]): string {
  g.addTensor({ name, dtype: 'float32', shape });
  g.inputs.push(name);
  return name;
}

/** A float32 constant with random values in [lo, hi). */
export function floatConstant(g: Graph, rng: Rng, name: string, shape: number[], lo = -1, hi = 1): string {
  g.addTensor({ name, dtype: 'float32', shape, data: randomFloats(rng, elementCount(shape), lo, hi) });
  return name;
}

/** Appends node `name` (op, inputs, attrs); its outputs `<name>_out<i>` get the operator's inferred types. */
export function addNode(g: Graph, op: string, inputs: string[], attrs: object, name: string): Node {
  const node: Node = { name, op, inputs, outputs: [], attrs: attrs as Record<string, unknown>, source: { op, name } };
  const types = getOp(op).infer({ attrs: node.attrs, inputs: inputs.map((i) => (i === '' ? undefined : g.tensor(i))), node });
  node.outputs = types.map((t, i) => g.addTensor({ name: `${name}_out${i}`, ...t, shape: [...t.shape] }).name);
  g.nodes.push(node);
  return node;
}

export const conv2dAttrs = (over: Partial<Conv2dAttrs> = {}): Conv2dAttrs => ({ strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, ...over });

/** Float conv2d: x [N, H, W, C], w [O, KH, KW, C / groups], bias [O] or absent; output type `out`. */
function conv2d(a: Conv2dAttrs, x: Tensor, w: Tensor, bias: Tensor | undefined, out: TensorType): Float32Array {
  const [n, h, wd, c] = x.shape;
  const [o, kh, kw, cg] = w.shape;
  const [, oh, ow] = out.shape;
  const y = new Float32Array(elementCount(out.shape));
  const perGroup = o / a.groups;
  const lo = a.clamp?.min ?? -Infinity;
  const hi = a.clamp?.max ?? Infinity;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < o; k++) {
          let s = bias ? numberAt(bias.data!, k) : 0;
          const g0 = Math.floor(k / perGroup) * cg;
          for (let u = 0; u < kh; u++) {
            const r = i * a.strides[0] - a.pads[0] + u * a.dilations[0];
            if (r < 0 || r >= h) continue;
            for (let v = 0; v < kw; v++) {
              const q = j * a.strides[1] - a.pads[1] + v * a.dilations[1];
              if (q < 0 || q >= wd) continue;
              for (let z = 0; z < cg; z++) s += numberAt(x.data!, ((b * h + r) * wd + q) * c + g0 + z) * numberAt(w.data!, ((k * kh + u) * kw + v) * cg + z);
            }
          }
          y[((b * oh + i) * ow + j) * o + k] = Math.min(hi, Math.max(lo, s));
        }
  return y;
}

/** Every tensor's value after running `g` on `inputs` (constants included). */
export function evaluateGraph(g: Graph, inputs: Record<string, TensorData>): Map<string, TensorData> {
  const values = new Map<string, TensorData>();
  for (const [name, t] of g.tensors) if (t.data) values.set(name, t.data);
  for (const [name, data] of Object.entries(inputs)) values.set(name, data);
  const withData = (name: string): Tensor | undefined => {
    if (name === '') return undefined;
    const data = values.get(name);
    if (!data) throw new Error(`test: '${name}' has no value yet`);
    return { ...g.tensor(name), data };
  };
  for (const node of g.nodes) {
    const ins = node.inputs.map(withData);
    const outs = node.outputs.map((o) => g.tensor(o));
    const def = getOp(node.op);
    let results: TensorData[];
    if (node.op === 'conv2d') results = [conv2d(node.attrs as unknown as Conv2dAttrs, ins[0]!, ins[1]!, ins[2], outs[0])];
    else if (def.evaluate) results = def.evaluate(node.attrs, ins, outs);
    else if (def.alias) results = [ins[0]!.data!];
    else throw new Error(`test: no evaluation for operator '${node.op}'`);
    node.outputs.forEach((o, i) => values.set(o, results[i]));
  }
  return values;
}

/** The graph outputs of `g` on `inputs`, in order. */
export function graphOutputs(g: Graph, inputs: Record<string, TensorData>): Float32Array[] {
  const values = evaluateGraph(g, inputs);
  return g.outputs.map((o) => values.get(o) as Float32Array);
}

/** Largest |a − b| / max(1, |b|) over the elements (fails on a length mismatch). */
export function maxRelativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`test: ${a.length} elements vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

/** Random float32 values for every graph input. */
export function randomInputs(g: Graph, rng: Rng, lo = -1, hi = 1): Record<string, Float32Array> {
  return Object.fromEntries(g.inputs.map((name) => [name, randomFloats(rng, elementCount(g.tensor(name).shape), lo, hi)]));
}

export const opsOf = (g: Graph): string[] => g.nodes.map((n) => n.op);
