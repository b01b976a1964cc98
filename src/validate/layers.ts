/**
 * `validate --per-layer`: the compiled C's tensors matched with the reference interpreter's.
 *
 * The compiled graph (after the passes, with `debugTensors`) runs its nodes in `program.steps` order.
 * Each step's output tensors are looked up by name in the graph the interpreter runs (the imported model,
 * or its float original): a fused node (conv + relu) carries the name of its last fused output, so it is
 * compared there; an alias (a reshape: no kernel, the bytes of its input) is compared too. A tensor is
 * compared when a tensor of that name exists in the reference with the same shape, or — ONNX models,
 * whose convolutions the importer wraps in layout transposes — when ours is `<name>_nhwc` [N,H,W,C] and
 * the reference's `<name>` is [N,C,H,W]: ours is transposed to the model's layout and the worst index is
 * given in it. Ours is dequantized with its own scale and zero point when the reference tensor is float
 * (int8 vs the float model). Others are listed as unmatched.
 */

import type { CompileResult } from '../compile.js';
import type { DType, TensorData } from '../ir/dtype.js';
import type { Graph, Quant } from '../ir/graph.js';
import { fromBytes, type TensorValue } from '../io/tensor-value.js';
import { getOp } from '../ops/index.js';
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
  /** The reference tensor's name and shape (the shape the metrics and the worst index use). */
  referenceName: string;
  referenceShape: number[];
  /** Ours is NHWC, the reference NCHW. */
  toNchw: boolean;
  /** A float tensor made by a dequantize: the scale of its int8 input (one LSB). */
  dequantScale?: number;
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

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NHWC data → NCHW. */
function nhwcToNchw(data: ArrayLike<number>, [n, h, w, c]: number[]): Float64Array {
  const out = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

/** The layers of `compiled` (a debugTensors build) that have a tensor of the same name and shape in `reference`. */
export function matchLayers(compiled: CompileResult, reference: Graph): { specs: LayerSpec[]; unmatched: LayerReport['unmatched'] } {
  const g = compiled.graph;
  const steps = new Map(compiled.program.steps.map((s) => [s.node, s]));
  const specs: LayerSpec[] = [];
  const unmatched: LayerReport['unmatched'] = [];
  g.nodes.forEach((node, step) => {
    const s = steps.get(node.name);
    if (!s && !getOp(node.op).alias) return;
    for (const name of node.outputs) {
      if (name === '' || g.isConstant(name)) continue;
      const t = g.tensor(name);
      let refName = name;
      let r = reference.tensors.get(name);
      let toNchw = false;
      const base = name.replace(/_nhwc$/, '');
      const nchw = t.shape.length === 4 ? [t.shape[0], t.shape[3], t.shape[1], t.shape[2]] : [];
      if ((!r || !sameShape(r.shape, t.shape)) && base !== name && reference.tensors.has(base) && sameShape(reference.tensor(base).shape, nchw)) {
        [refName, r, toNchw] = [base, reference.tensor(base), true];
      }
      let why = '';
      if (!r) why = 'no tensor of this name in the reference';
      else if (!toNchw && !sameShape(r.shape, t.shape)) why = `reference shape [${r.shape}], ours [${t.shape}]`;
      else if (isIntegerDType(r.dtype) && !isIntegerDType(t.dtype)) why = `reference ${r.dtype}, ours ${t.dtype}`;
      else if (!isIntegerDType(r.dtype) && isIntegerDType(t.dtype) && !t.quant) why = `ours ${t.dtype} without quantization, reference ${r.dtype}`;
      else if (r.data !== undefined) why = 'a constant in the reference';
      if (why) {
        unmatched.push({ node: node.name, tensor: name, why });
        continue;
      }
      specs.push({
        step,
        node: node.name,
        op: node.source.op,
        irOp: node.op,
        kernels: s ? [...s.kernels] : [],
        tensor: name,
        dtype: t.dtype,
        shape: [...t.shape],
        quant: t.quant,
        referenceDType: r!.dtype,
        referenceName: refName,
        referenceShape: [...r!.shape],
        toNchw,
        ...(node.op === 'dequantize' && g.tensor(node.inputs[0]).quant ? { dequantScale: g.tensor(node.inputs[0]).quant!.scale[0] } : {}),
      });
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
      return new Accumulator(s.referenceName, s.dtype, s.referenceShape, p.policy, p.lsb);
    });
  }

  /** One case: our tensors' bytes (from the arena dump) and the reference's tensors. */
  add(ours: Map<string, Uint8Array>, reference: Map<string, TensorValue>, caseName?: string): void {
    this.specs.forEach((s, i) => {
      const bytes = ours.get(s.tensor);
      const r = reference.get(s.referenceName);
      if (!bytes || !r) throw new Error(`internal: validate --per-layer: tensor '${bytes ? s.referenceName : s.tensor}' missing (${bytes ? 'reference' : 'compiled C'})`);
      const toFloat = !isIntegerDType(s.referenceDType);
      const a = comparable(fromBytes(s, bytes), s.quant, toFloat);
      this.acc[i].add(s.toNchw ? nhwcToNchw(a, s.shape) : a, numbersOf(r.data), caseName);
    });
  }

  report(unmatched: LayerReport['unmatched'], target: string): LayerReport {
    const layers = this.specs.map((s, i) => ({ step: s.step, node: s.node, op: s.op, kernels: s.kernels, ...this.acc[i].result() }));
    const first = layers.findIndex((l) => !l.ok);
    return { layers, unmatched, target, ...(first >= 0 ? { firstDeparting: first } : {}) };
  }
}
