/**
 * The one graph representation that every importer produces and every pass consumes.
 *
 * A Graph is a list of nodes in execution (topological) order over named tensors. Tensors are either
 * constants (with `data`) or runtime values (planned into the arena). Node operators are IR operators
 * registered in src/ops/index.ts — not ONNX or TFLite operator names; importers translate. Shapes are
 * physical: after the layout pass, a 4-D activation's shape is [N, H, W, C].
 *
 * Passes treat graphs as values: `clone()` gives a copy whose node list and tensor map can be changed
 * without touching the original (tensor data arrays are shared, never written in place).
 */

import { DType, TensorData, bytesOf } from './dtype.js';

/** Affine quantization: real = scale * (q - zeroPoint). Per-tensor when scale has one entry. */
export interface Quant {
  scale: number[];
  zeroPoint: number[];
  /** Channel axis for per-channel quantization. */
  axis?: number;
  /** The ONNX model stores this tensor as uint8 (its int8 form is the stored value − 128): the onnx rounding reads it so. */
  uint8?: boolean;
}

export interface Tensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** Present for compile-time constants (weights, folded values). */
  data?: TensorData;
  quant?: Quant;
  /**
   * For a constant the ONNX DequantizeLinear importer folded into float32 (src/import/onnx/quant.ts):
   * the integers it was computed from, q − zero_point, with the quantization used. Constant folding keeps
   * it on an output that shares the input's data (a reshape); the qdq pass (src/ops/int8-form.ts
   * `int32Bias`) reads it to use an int32 bias exactly as the model stores it.
   */
  quantizedOrigin?: QuantizedOrigin;
  /**
   * A TFLite variable tensor (state: the LSTM's hidden and cell state): a runtime tensor that no node
   * produces and that keeps its value from one run to the next. The planner gives it arena space for the
   * whole run (src/plan/liveness.ts); the model sets it to its zero point at init and in <name>_reset().
   * Nodes that read it also write it in place.
   */
  variable?: boolean;
}

/** A constant's integer values before dequantization: q − zero_point, with the quantization used. */
export interface QuantizedOrigin {
  values: Int32Array;
  quant: Quant;
}

/** Where a node came from in the user's model: used in every diagnostic about it. */
export interface SourceRef {
  /** Operator as the model names it, e.g. "Conv" or "CONV_2D". */
  op: string;
  /** Node name in the model, or a synthesised "#index" when the model gives none. */
  name: string;
}

export interface Node<A = Record<string, unknown>> {
  /** Unique within the graph; a valid part of a C identifier after sanitising. */
  name: string;
  /** IR operator name, a key of the registry in src/ops/index.ts. */
  op: string;
  /** Tensor names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: A;
  source: SourceRef;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * bytesOf(t.dtype);
}

export function isConstant(t: Tensor): boolean {
  return t.data !== undefined;
}

export class Graph {
  name: string;
  tensors: Map<string, Tensor>;
  nodes: Node[];
  inputs: string[];
  outputs: string[];

  constructor(name: string) {
    this.name = name;
    this.tensors = new Map();
    this.nodes = [];
    this.inputs = [];
    this.outputs = [];
  }

  clone(): Graph {
    const g = new Graph(this.name);
    for (const [k, t] of this.tensors) g.tensors.set(k, { ...t, shape: [...t.shape] });
    g.nodes = this.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } }));
    g.inputs = [...this.inputs];
    g.outputs = [...this.outputs];
    return g;
  }

  tensor(name: string): Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`internal: unknown tensor '${name}'`);
    return t;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  isConstant(name: string): boolean {
    return name !== '' && this.tensor(name).data !== undefined;
  }

  addTensor(t: Tensor): Tensor {
    if (this.tensors.has(t.name)) throw new Error(`internal: duplicate tensor '${t.name}'`);
    this.tensors.set(t.name, t);
    return t;
  }

  /** A tensor name based on `base` that is not used yet. */
  freshName(base: string): string {
    if (!this.tensors.has(base)) return base;
    for (let i = 1; ; i++) {
      const candidate = `${base}_${i}`;
      if (!this.tensors.has(candidate)) return candidate;
    }
  }

  /** A node name based on `base` that no node uses yet. */
  freshNodeName(base: string): string {
    const used = new Set(this.nodes.map((n) => n.name));
    if (!used.has(base)) return base;
    for (let i = 1; ; i++) {
      const candidate = `${base}_${i}`;
      if (!used.has(candidate)) return candidate;
    }
  }

  /** Map from tensor name to the node that produces it. */
  producers(): Map<string, Node> {
    const m = new Map<string, Node>();
    for (const n of this.nodes) for (const o of n.outputs) m.set(o, n);
    return m;
  }

  /** Map from tensor name to the nodes that read it (in node order). */
  consumers(): Map<string, Node[]> {
    const m = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        if (i === '') continue;
        const list = m.get(i);
        if (list) list.push(n);
        else m.set(i, [n]);
      }
    }
    return m;
  }

  /** Replaces every use of tensor `from` (node inputs and graph outputs) by `to`. */
  replaceUses(from: string, to: string): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
    this.outputs = this.outputs.map((o) => (o === from ? to : o));
  }

  /** Drops nodes whose outputs nobody reads and tensors nobody references. */
  removeDeadCode(): void {
    const needed = new Set<string>(this.outputs);
    const kept: Node[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (n.outputs.some((o) => needed.has(o))) {
        kept.push(n);
        for (const inp of n.inputs) if (inp !== '') needed.add(inp);
      }
    }
    this.nodes = kept.reverse();
    for (const name of this.inputs) needed.add(name);
    for (const name of [...this.tensors.keys()]) if (!needed.has(name)) this.tensors.delete(name);
  }
}
