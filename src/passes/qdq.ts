/**
 * QDQ folding: quantized ONNX models (DequantizeLinear → float operator → QuantizeLinear) onto the int8
 * operators that TFLite models use, with the quantization of the surrounding Q/DQ nodes.
 *
 * It runs after the layout pass and the activation fusion (src/passes/index.ts), so the float graph it
 * sees is already NHWC with Relu/Clip fused into conv2d/gemm as a real-valued `clamp` (which the int8
 * lowering turns into an int8 range from the output quantization, as TFLite fuses RELU). Rewrites, until
 * none applies (each strictly shrinks the float part of the graph):
 *   1. convert(convert(x)) back to x's type → x (uint8 → int8 → uint8 round trips inside the graph),
 *      with transposes and reshapes of a convert moved before it so that the pairs meet;
 *   2. a transpose, reshape or plain max pool of dequantize(x) → that operator on int8 x, then dequantize
 *      (they move or pick values: exact; this carries dequantize forward through layout operators);
 *      and quantize(transpose or reshape of y) → the layout operator on quantize(y) (carries quantize back);
 *      an arg max / min of dequantize(x) reads x (a positive scale keeps the order: rule 2c);
 *   3. quantize(dequantize(x)) → x when the quantizations agree, else an int8 → int8 requantize;
 *   4. an operator whose runtime inputs are all dequantize outputs and whose output only feeds one
 *      quantize → its int8 form (the operator's `int8Form`, src/ops/int8-form.ts, after the int8 nodes it
 *      asks for in `before`) writing the quantize's output; when the kernel fixes its
 *      output quantization (pooling, sigmoid, softmax) and the model's differs, a requantize follows;
 *   5. relu/clip of dequantize(x) where x is the only output of an int8 operator whose kernels clamp
 *      (`fusedClamp` includes int8: conv2d, gemm, add, mul, pool2d) read nowhere else → fused into that
 *      operator's clamp; rule 3 then removes the pair.
 * What no rule matches stays as a float island between dequantize and quantize kernels: correct, only
 * slower. Q/DQ at the graph's edges become the quantize/dequantize kernels. Finally float constants
 * lose the `quant` the DequantizeLinear importer left on them.
 */

import { Graph, Node } from '../ir/graph.js';
import type { Clamp } from '../ops/op.js';
import { getOp } from '../ops/index.js';
import { sameQuant } from '../ops/int8-form.js';

interface View {
  g: Graph;
  producers: Map<string, Node>;
  consumers: Map<string, Node[]>;
}

/** How node `n` moves values (its operator's `movesValues`): 'layout', 'pick' or undefined. */
function movesValues(n: Node): 'layout' | 'pick' | 'order' | undefined {
  return getOp(n.op).movesValues?.(n);
}

function producerOp(v: View, name: string, op: string): Node | undefined {
  const p = v.producers.get(name);
  return p && p.op === op ? p : undefined;
}

/** The int8 source x of a tensor computed as dequantize(x), or undefined. */
function dequantized(v: View, name: string): string | undefined {
  const dq = producerOp(v, name, 'dequantize');
  return dq ? dq.inputs[0] : undefined;
}

function replaceNode(g: Graph, old: Node, ...nodes: Node[]): void {
  const i = g.nodes.indexOf(old);
  g.nodes.splice(i, 1, ...nodes);
}

function dequantizeNode(g: Graph, source: Node, input: string, output: string): Node {
  return { name: g.freshNodeName(`${source.name}_dequantize`), op: 'dequantize', inputs: [input], outputs: [output], attrs: {}, source: source.source };
}

/** Rule 1. */
function cancelConverts(v: View, n: Node): boolean {
  if (n.op !== 'convert') return false;
  const inner = producerOp(v, n.inputs[0], 'convert');
  if (!inner || v.g.outputs.includes(n.outputs[0])) return false;
  const x = v.g.tensor(inner.inputs[0]);
  if (x.dtype !== v.g.tensor(n.outputs[0]).dtype) return false;
  v.g.replaceUses(n.outputs[0], x.name);
  v.g.nodes = v.g.nodes.filter((m) => m !== n);
  return true;
}

/** Rule 1b: a transpose or reshape of convert(x) → convert of that operator on x (so converts meet and cancel). */
function convertLater(v: View, n: Node): boolean {
  const c = movesValues(n) === 'layout' ? producerOp(v, n.inputs[0], 'convert') : undefined;
  if (!c) return false;
  const x = v.g.tensor(c.inputs[0]);
  if (x.dtype !== 'int8' && x.dtype !== 'uint8') return false;
  const y = v.g.tensor(n.outputs[0]);
  const moved = v.g.addTensor({ name: v.g.freshName(`${y.name}_${x.dtype}`), dtype: x.dtype, shape: [...y.shape], quant: x.quant });
  const again: Node = { ...c, name: v.g.freshNodeName(`${c.name}_moved`), inputs: [moved.name], outputs: [y.name] };
  replaceNode(v.g, n, { ...n, inputs: [x.name, ...n.inputs.slice(1)], outputs: [moved.name] }, again);
  return true;
}

/** Rule 2. */
function dequantizeLater(v: View, n: Node): boolean {
  const moves = movesValues(n);
  const x = moves === 'layout' || moves === 'pick' ? dequantized(v, n.inputs[0]) : undefined;
  if (!x || v.g.tensor(x).quant?.scale.length !== 1) return false;
  const y = v.g.tensor(n.outputs[0]);
  const y8 = v.g.addTensor({ name: v.g.freshName(`${y.name}_s8`), dtype: 'int8', shape: [...y.shape], quant: v.g.tensor(x).quant });
  const moved: Node = { ...n, inputs: [x, ...n.inputs.slice(1)], outputs: [y8.name] };
  replaceNode(v.g, n, moved, dequantizeNode(v.g, n, y8.name, y.name));
  return true;
}

/** Rule 2c: an operator that reads only the order of dequantize(x)'s values (arg max / min) → reads x. */
function readOrder(v: View, n: Node): boolean {
  const x = movesValues(n) === 'order' ? dequantized(v, n.inputs[0]) : undefined;
  const q = x === undefined ? undefined : v.g.tensor(x).quant;
  if (!x || !q || q.scale.length !== 1 || !(q.scale[0] > 0) || v.g.tensor(x).dtype !== 'int8') return false;
  n.inputs = [x, ...n.inputs.slice(1)];
  return true;
}

/** Rule 2b: quantize(layout(y)) → layout(quantize(y)) when the layout operator's output feeds only it. */
function quantizeEarlier(v: View, n: Node): boolean {
  if (n.op !== 'quantize' || v.g.tensor(n.inputs[0]).dtype !== 'float32') return false;
  const l = v.producers.get(n.inputs[0]);
  if (!l || movesValues(l) !== 'layout' || dequantized(v, l.inputs[0])) return false;
  if ((v.consumers.get(n.inputs[0]) ?? []).length !== 1 || v.g.outputs.includes(n.inputs[0])) return false;
  const y = v.g.tensor(l.inputs[0]);
  const out = v.g.tensor(n.outputs[0]);
  const y8 = v.g.addTensor({ name: v.g.freshName(`${y.name}_s8`), dtype: 'int8', shape: [...y.shape], quant: out.quant });
  const q: Node = { ...n, inputs: [y.name], outputs: [y8.name] };
  replaceNode(v.g, l, q, { ...l, inputs: [y8.name, ...l.inputs.slice(1)], outputs: [out.name] });
  v.g.nodes = v.g.nodes.filter((m) => m !== n);
  return true;
}

/** Rule 3. */
function quantizeOfDequantize(v: View, n: Node): boolean {
  if (n.op !== 'quantize') return false;
  const x = dequantized(v, n.inputs[0]);
  if (!x) return false;
  const y = n.outputs[0];
  if (sameQuant(v.g.tensor(x).quant, v.g.tensor(y).quant) && !v.g.outputs.includes(y)) {
    v.g.replaceUses(y, x);
    v.g.nodes = v.g.nodes.filter((m) => m !== n);
  } else {
    n.inputs = [x];
  }
  return true;
}

/** The one quantize node reading float tensor `name` (nothing else reading it), or undefined. */
function onlyQuantize(v: View, name: string): Node | undefined {
  const users = v.consumers.get(name) ?? [];
  if (users.length !== 1 || users[0].op !== 'quantize' || v.g.outputs.includes(name)) return undefined;
  return users[0];
}

/** Rule 4. */
function toInt8(v: View, n: Node): boolean {
  const int8Form = getOp(n.op).int8Form;
  if (!int8Form || v.g.tensor(n.outputs[0]).dtype !== 'float32' || n.outputs.length !== 1) return false;
  const q = onlyQuantize(v, n.outputs[0]);
  if (!q) return false;
  const x = n.inputs.map((i) => (i === '' || v.g.isConstant(i) ? undefined : dequantized(v, i)));
  if (n.inputs.some((i, k) => i !== '' && !v.g.isConstant(i) && !x[k])) return false;
  if (x.some((s) => s !== undefined && v.g.tensor(s).quant?.scale.length !== 1)) return false;
  const form = int8Form(v.g, n, x);
  if (!form) return false;
  const target = v.g.tensor(q.outputs[0]);
  const base = { name: n.name, op: form.op, inputs: form.inputs, attrs: form.attrs, source: n.source };
  const before = form.before ?? [];
  if (!form.fixedOutput || sameQuant(form.fixedOutput, target.quant)) {
    replaceNode(v.g, n, ...before, { ...base, outputs: [target.name] });
  } else {
    const mid = v.g.addTensor({ name: v.g.freshName(`${target.name}_${form.op}`), dtype: 'int8', shape: [...target.shape], quant: form.fixedOutput });
    const requantize: Node = { ...q, name: v.g.freshNodeName(`${n.name}_requantize`), inputs: [mid.name] };
    replaceNode(v.g, n, ...before, { ...base, outputs: [mid.name] }, requantize);
  }
  v.g.nodes = v.g.nodes.filter((m) => m !== q);
  return true;
}

function clampOf(n: Node): Clamp | undefined {
  if (n.op === 'relu') return { min: 0, max: Infinity };
  if (n.op !== 'clip') return undefined;
  const a = n.attrs as { min?: number; max?: number };
  const c = { min: a.min ?? -Infinity, max: a.max ?? Infinity };
  return c.min <= c.max ? c : undefined;
}

/** Rule 5. */
function fuseInt8Activation(v: View, n: Node): boolean {
  const clamp = clampOf(n);
  const dq = clamp ? producerOp(v, n.inputs[0], 'dequantize') : undefined;
  if (!clamp || !dq || (v.consumers.get(dq.outputs[0]) ?? []).length !== 1) return false;
  const x = dq.inputs[0];
  const p = v.producers.get(x);
  if (!p || !getOp(p.op).fusedClamp?.includes('int8') || v.g.tensor(x).dtype !== 'int8' || v.g.outputs.includes(x)) return false;
  if ((v.consumers.get(x) ?? []).length !== 1 || v.g.outputs.includes(dq.outputs[0]) || v.g.outputs.includes(n.outputs[0])) return false;
  const old = p.attrs.clamp as Clamp | undefined;
  p.attrs = { ...p.attrs, clamp: old ? { min: Math.max(old.min, clamp.min), max: Math.min(old.max, clamp.max) } : clamp };
  v.g.replaceUses(n.outputs[0], dq.outputs[0]);
  v.g.nodes = v.g.nodes.filter((m) => m !== n);
  return true;
}

const RULES = [cancelConverts, convertLater, dequantizeLater, readOrder, quantizeEarlier, quantizeOfDequantize, toInt8, fuseInt8Activation];

function rewriteOnce(g: Graph): boolean {
  const v: View = { g, producers: g.producers(), consumers: g.consumers() };
  for (const n of [...g.nodes]) {
    for (const rule of RULES) if (rule(v, n)) return true;
  }
  return false;
}

export function foldQdq(input: Graph): Graph {
  if (!input.nodes.some((n) => n.op === 'dequantize' || n.op === 'quantize' || n.op === 'convert')) return input;
  const g = input.clone();
  for (let guard = 0; rewriteOnce(g); guard++) {
    if (guard > 100000) throw new Error('internal: the qdq pass does not terminate');
  }
  g.removeDeadCode();
  for (const [name, t] of g.tensors) {
    if (t.dtype !== 'float32' || !t.quant || t.data === undefined) continue;
    const { quant: _quant, ...plain } = t;
    g.tensors.set(name, plain);
  }
  return g;
}
