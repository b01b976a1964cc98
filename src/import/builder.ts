/**
 * GraphBuilder: what every importer uses to build a Graph.
 *
 * `add` runs the operator's shape inference and, when every input is a constant and the operator can be
 * evaluated, folds the node into constants on the spot — so constant folding needs no pass of its own and
 * importers never see the difference. Identity-like operators register aliases; `finish` resolves them for
 * the graph outputs (renaming a tensor to the output's name, or adding a copy when the output would
 * otherwise be a graph input or a constant).
 */

import { DType, TensorData, bytesOf } from '../ir/dtype.js';
import { Graph, Node, SourceRef, Tensor, elementCount } from '../ir/graph.js';
import { describeNode, fail, quote } from '../diagnostics.js';
import { getOp } from '../ops/index.js';
import type { ImportContext } from '../ops/op.js';
import { ConstantBudget, checkTensorShape } from './limits.js';

export class GraphBuilder implements ImportContext {
  readonly graph: Graph;
  private readonly aliases = new Map<string, string>();
  private readonly nodeNames = new Set<string>();
  private readonly budget = new ConstantBudget();
  /** The model node being imported; named in diagnostics and recorded as each IR node's source. */
  current: SourceRef = { op: '(graph)', name: '(graph)' };

  constructor(name: string) {
    this.graph = new Graph(name);
  }

  resolve(name: string): string {
    let n = name;
    for (let guard = 0; this.aliases.has(n); guard++) {
      if (guard > this.aliases.size) this.invalid(`tensor ${quote(name)} is defined through a cycle of identities`);
      n = this.aliases.get(n)!;
    }
    return n;
  }

  /**
   * Adds a tensor of the model (input, initializer, constant), checking first that its name is new and
   * its shape within the import limits (src/import/limits.ts). `what` names it ("initializer 'w'").
   */
  addTensor(t: Tensor, what: string): Tensor {
    if (this.graph.has(t.name) || this.aliases.has(t.name)) fail('E_MODEL_INVALID', `${what} is defined twice (tensor names must be unique)`);
    checkTensorShape(t.shape, t.dtype, what, { allowZero: t.data !== undefined });
    if (t.data) this.budget.add(t.data.byteLength, what);
    return this.graph.addTensor(t);
  }

  tensor(name: string): Tensor {
    if (name === undefined || name === '') this.invalid('a required input is missing');
    const resolved = this.resolve(name);
    const t = this.graph.tensors.get(resolved);
    if (!t) this.invalid(`input ${quote(name)} is not produced by any node, initializer or graph input`);
    return t;
  }

  constant(name: string): TensorData | undefined {
    return name === '' ? undefined : this.tensor(name).data;
  }

  addConstant(base: string, dtype: DType, shape: number[], data: TensorData): string {
    const name = this.graph.freshName(base);
    this.addTensor({ name, dtype, shape: [...shape], data }, `${describeNode(this.current)}: constant ${quote(name)}`);
    return name;
  }

  checkShape(dtype: DType, shape: number[], what = 'output 0'): void {
    checkTensorShape(shape, dtype, `${describeNode(this.current)}: ${what}`, { allowZero: true });
  }

  add(op: string, inputs: string[], attrs: object, outputs?: string[]): string[] {
    return this.addNode(op, inputs, attrs, outputs, true);
  }

  private addNode(op: string, inputs: string[], attrs: object, outputs: string[] | undefined, fold: boolean): string[] {
    const def = getOp(op);
    const resolvedInputs = inputs.map((i) => (i === '' ? '' : this.resolve(i)));
    const inputTensors = resolvedInputs.map((i) => (i === '' ? undefined : this.tensor(i)));
    const node: Node = {
      name: `${this.current.name}:${op}`,
      op,
      inputs: resolvedInputs,
      outputs: [],
      attrs: attrs as Record<string, unknown>,
      source: this.current,
    };
    const types = def.infer({ attrs: node.attrs, inputs: inputTensors, node });
    // Sizes are checked before evaluate allocates folded values (or the planner the arena).
    types.forEach((t, i) => this.checkShape(t.dtype, t.shape, `output ${i}`));
    const names = types.map((_, i) => {
      const wanted = outputs?.[i];
      if (wanted !== undefined && wanted !== '') {
        if (this.graph.has(wanted) || this.aliases.has(wanted) || outputs!.indexOf(wanted) !== i) this.invalid(`output ${quote(wanted)} is defined twice`);
        return wanted;
      }
      return this.graph.freshName(`${this.current.name}_${op}${i ? `_${i}` : ''}`);
    });
    const present = inputTensors.filter((t): t is Tensor => t !== undefined);
    const foldable = fold && def.evaluate !== undefined && present.length > 0 && present.every((t) => t.data !== undefined);
    if (foldable) {
      types.forEach((t, i) => this.budget.add(t.shape.reduce((n, d) => n * d, bytesOf(t.dtype)), `${describeNode(this.current)}: output ${i}`));
      const count = (ts: { shape: number[] }[]) => ts.reduce((n, t) => n + elementCount(t.shape), 0);
      const elements = Math.max(count(present), count(types));
      this.budget.fold(def.foldCost ? def.foldCost(node.attrs, inputTensors, types) : elements, describeNode(this.current));
      const data = def.evaluate!(node.attrs, inputTensors, types);
      types.forEach((t, i) => {
        // An output that shares an input's data (a reshape) is the same values: it keeps their origin.
        const origin = present.find((x) => x.data === data[i] && x.quantizedOrigin)?.quantizedOrigin;
        this.graph.addTensor({ name: names[i], ...t, shape: [...t.shape], data: data[i], ...(origin ? { quantizedOrigin: origin } : {}) });
      });
      return names;
    }
    types.forEach((t, i) => this.graph.addTensor({ name: names[i], ...t, shape: [...t.shape] }));
    node.name = this.freshNodeName(op);
    node.outputs = names;
    this.graph.nodes.push(node);
    return names;
  }

  alias(name: string, target: string): void {
    if (this.graph.has(name) || this.aliases.has(name)) this.invalid(`output ${quote(name)} is defined twice`);
    const resolved = this.resolve(target);
    if (resolved === name) this.invalid(`output ${quote(name)} is also its input (a cycle)`);
    if (!this.graph.has(resolved)) this.invalid(`input ${quote(target)} is not produced by any node, initializer or graph input`);
    this.aliases.set(name, resolved);
  }

  unsupported(what: string): never {
    fail('E_UNSUPPORTED_ATTR', `${describeNode(this.current)}: ${what} is not supported`);
  }

  invalid(what: string): never {
    fail('E_MODEL_INVALID', `${describeNode(this.current)}: ${what}`);
  }

  /** Sets the graph outputs, resolving aliases so each output keeps the model's name. */
  finish(outputNames: string[]): Graph {
    this.current = { op: '(graph)', name: '(graph outputs)' };
    const g = this.graph;
    for (const name of outputNames) {
      const target = this.resolve(name);
      if (!g.has(target)) fail('E_MODEL_INVALID', `graph output ${quote(name)} is not produced by any node`);
      if (target === name) {
        g.outputs.push(name);
        continue;
      }
      const t = g.tensor(target);
      const renamable = t.data === undefined && !g.inputs.includes(target) && !g.outputs.includes(target);
      if (renamable) {
        renameTensor(g, target, name);
        g.outputs.push(name);
      } else {
        this.aliases.delete(name);
        this.addNode('copy', [target], {}, [name], false);
        g.outputs.push(name);
      }
    }
    for (const o of [...g.outputs]) {
      if (g.tensor(o).data === undefined) continue;
      // An output that folded to a constant still needs a buffer of its own in the arena.
      const value = g.freshName(`${o}_value`);
      renameTensor(g, o, value);
      g.outputs = g.outputs.map((x) => (x === value ? o : x));
      this.addNode('copy', [value], {}, [o], false);
    }
    return g;
  }

  /** The model node's own name; layout helpers (transpose, reshape) get it with their operator appended. */
  private freshNodeName(op: string): string {
    const model = this.current.name.startsWith('#') ? `${op}${this.current.name.slice(1)}` : this.current.name;
    let base = (op === 'transpose' || op === 'reshape') && !model.startsWith(op) ? `${model}_${op}` : model;
    if (this.nodeNames.has(base)) {
      let i = 1;
      while (this.nodeNames.has(`${base}_${i}`)) i++;
      base = `${base}_${i}`;
    }
    this.nodeNames.add(base);
    return base;
  }
}

/** Renames a tensor everywhere in the graph. */
export function renameTensor(g: Graph, from: string, to: string): void {
  const t = g.tensor(from);
  g.tensors.delete(from);
  g.tensors.set(to, { ...t, name: to });
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    n.outputs = n.outputs.map((o) => (o === from ? to : o));
  }
  g.inputs = g.inputs.map((i) => (i === from ? to : i));
  g.outputs = g.outputs.map((o) => (o === from ? to : o));
}
