/**
 * `validate --per-layer`: the compiled C's tensors matched with the reference interpreter's.
 *
 * The compiled graph (after the passes, with `debugTensors`) runs its nodes in `program.steps` order.
 * Each step's output tensors are looked up by name in the graph the interpreter runs (the imported model,
 * or its float original): a fused node (conv + relu) carries the name of its last fused output, so it is
 * compared there. A tensor is compared when a tensor of that name exists in the reference with the same
 * shape; ours is dequantized with its own scale and zero point when the reference tensor is float (QDQ
 * ONNX models, int8 vs the float model). Others are listed as unmatched.
 */

import type { CompileResult } from '../compile.js';
import type { DType, TensorData } from '../ir/dtype.js';
import type { Graph, Quant } from '../ir/graph.js';
import { fromBytes, type TensorValue } from '../io/tensor-value.js';
import { Accumulator, Policy, TensorMetrics, isIntegerDType } from './metrics.js';

export interface LayerSpec {
  /** Position in execution order (0-based, over all steps of the program). */
  step: number;
  node: string;
  /** The operator as the model names it (CONV_2D, Conv), and the IR operator. */
  op: string;
  irOp: string;
  /** The C kernels the step calls. */
  kernels: string[];
  tensor: string;
  dtype: DType;
  shape: number[];
  quant?: Quant;
  referenceDType: DType;
}

export interface LayerMetrics extends TensorMetrics {
  step: number;
  node: string;
  op: string;
  kernels: string[];
}

export interface LayerReport {
  /** Compared tensors, in execution order. */
  layers: LayerMetrics[];
  /** Step outputs with no reference tensor of the same name and shape (or of a type that cannot be compared). */
  unmatched: { node: string; tensor: string; why: string }[];
  /** Index into `layers` of the first one outside the policy. */
  firstDeparting?: number;
  /** Where the compiled tensors were read ('host' until the emulator can dump them). */
  target: string;
}

/** Numbers of `data` (BigInt64 as numbers). */
export function numbersOf(data: TensorData): ArrayLike<number> {
  return data instanceof BigInt64Array ? Float64Array.from(data, Number) : (data as ArrayLike<number>);
}

/** `v` as numbers, dequantized with `quant` when `toFloat` (per-tensor, or per-channel along its axis). */
export function comparable(v: TensorValue, quant: Quant | undefined, toFloat: boolean): ArrayLike<number> {
  const n = numbersOf(v.data);
  if (!toFloat || !quant || !isIntegerDType(v.dtype)) return n;
  const out = new Float64Array(n.length);
  const axis = quant.axis ?? -1;
  const inner = axis < 0 || quant.scale.length === 1 ? 1 : v.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < n.length; i++) {
    const c = quant.scale.length === 1 ? 0 : Math.floor(i / inner) % quant.scale.length;
    out[i] = (n[i] - (quant.zeroPoint[c] ?? 0)) * quant.scale[c];
  }
  return out;
}

/** The layers of `compiled` (a debugTensors build) that have a tensor of the same name and shape in `reference`. */
export function matchLayers(compiled: CompileResult, reference: Graph): { specs: LayerSpec[]; unmatched: LayerReport['unmatched'] } {
  const g = compiled.graph;
  const nodes = new Map(g.nodes.map((n) => [n.name, n]));
  const specs: LayerSpec[] = [];
  const unmatched: LayerReport['unmatched'] = [];
  compiled.program.steps.forEach((s, step) => {
    const node = nodes.get(s.node);
    if (!node) return;
    for (const name of node.outputs) {
      if (name === '') continue;
      const t = g.tensor(name);
      const r = reference.tensors.get(name);
      let why = '';
      if (!r) why = 'no tensor of this name in the reference';
      else if (r.shape.join() !== t.shape.join()) why = `reference shape [${r.shape}], ours [${t.shape}]`;
      else if (isIntegerDType(r.dtype) && !isIntegerDType(t.dtype)) why = `reference ${r.dtype}, ours ${t.dtype}`;
      else if (isIntegerDType(r.dtype) !== isIntegerDType(t.dtype) && !t.quant) why = `ours ${t.dtype} without quantization, reference ${r.dtype}`;
      if (why) {
        unmatched.push({ node: s.node, tensor: name, why });
        continue;
      }
      specs.push({ step, node: s.node, op: node.source.op, irOp: node.op, kernels: [...s.kernels], tensor: name, dtype: t.dtype, shape: [...t.shape], quant: t.quant, referenceDType: r!.dtype });
    }
  });
  return { specs, unmatched };
}

/** Accumulates every matched layer over cases. */
export class LayerComparison {
  private readonly acc: Accumulator[];

  constructor(
    private readonly specs: LayerSpec[],
    policyOf: (s: LayerSpec) => { policy: Policy; lsb?: number },
  ) {
    this.acc = specs.map((s) => {
      const p = policyOf(s);
      return new Accumulator(s.tensor, s.dtype, s.shape, p.policy, p.lsb);
    });
  }

  /** One case: our tensors' bytes (from the arena dump) and the reference's tensors. */
  add(ours: Map<string, Uint8Array>, reference: Map<string, TensorValue>, caseName?: string): void {
    this.specs.forEach((s, i) => {
      const bytes = ours.get(s.tensor);
      const r = reference.get(s.tensor);
      if (!bytes || !r) throw new Error(`internal: validate --per-layer: tensor '${s.tensor}' missing (${bytes ? 'reference' : 'compiled C'})`);
      const toFloat = !isIntegerDType(s.referenceDType);
      this.acc[i].add(comparable(fromBytes(s, bytes), s.quant, toFloat), numbersOf(r.data), caseName);
    });
  }

  report(unmatched: LayerReport['unmatched'], target: string): LayerReport {
    const layers = this.specs.map((s, i) => ({ step: s.step, node: s.node, op: s.op, kernels: s.kernels, ...this.acc[i].result() }));
    const first = layers.findIndex((l) => !l.ok);
    return { layers, unmatched, target, ...(first >= 0 ? { firstDeparting: first } : {}) };
  }
}
