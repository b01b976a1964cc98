/**
 * Workload keys (issue 17): the string that names what a layer computes, so that a measured schedule
 * applies to every layer that computes the same thing — in this model or another one. Two layers share a
 * key when they have the same operator, the same input / output / weight shapes and element types, the
 * same attributes, the same kind of quantization per tensor (none, per-tensor, per-channel on an axis:
 * not the scale values), and run on the same kind of core (DSP or portable) with the same rounding:
 *
 *   pool2d|dsp|i8[1,25,5,64]p|o8[1,1,1,64]p|{"countIncludePad":false,"dilations":[1,1],...}
 *
 * Tensors are written `<dtype letter><bits>[shape]<quant>`, a `c` after a constant one (weights, bias).
 * The attributes are JSON with sorted keys; a long attribute value (a table) is replaced by its SHA-256.
 * A fused activation on an integer output (`clamp`) is written as `"int"`, not its bounds: they become the
 * output's saturation limits in the kernel's parameters (as the scales do), the code is the same, so a ReLU
 * layer and a ReLU6 layer of the same shape share a key (vww's and person_detect's MobileNets do).
 * Pure and deterministic: the same node gives the same key on every run and platform.
 */

import { createHash } from 'node:crypto';
import type { Graph, Node, Quant, Tensor } from '../ir/graph.js';
import type { LowerTarget } from '../ops/op.js';

const DTYPE_CODES: Record<string, string> = {
  float32: 'f32', float64: 'f64', int8: 'i8', uint8: 'u8', int16: 'i16', uint16: 'u16', int32: 'i32', int64: 'i64', bool: 'b',
};

/** Longest attribute value (as JSON) written out in a key; longer ones are hashed. */
const LONGEST_ATTR = 120;

function quantKind(q: Quant | undefined): string {
  if (!q) return '';
  return q.scale.length > 1 ? `pc${q.axis ?? 0}` : 'p';
}

function tensorPart(t: Tensor): string {
  return `${DTYPE_CODES[t.dtype] ?? t.dtype}[${t.shape.join(',')}]${quantKind(t.quant)}${t.data !== undefined ? 'c' : ''}`;
}

/** JSON with sorted object keys; non-finite numbers as strings ("Infinity"), typed arrays as arrays. */
export function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (ArrayBuffer.isView(v)) return stableJson(Array.from(v as unknown as ArrayLike<number>));
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
}

function attrsPart(attrs: Record<string, unknown>, integerOutput: boolean): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k === 'clamp' && integerOutput) {
      shown[k] = 'int';
      continue;
    }
    const text = stableJson(v);
    shown[k] = text.length > LONGEST_ATTR ? `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}` : v;
  }
  return stableJson(shown);
}

/** The workload key of `node` of `g` lowered for `target` (see the file's comment). */
export function workloadKey(g: Graph, node: Node, target: LowerTarget = { dsp: false }): string {
  const parts = [node.op, target.dsp ? 'dsp' : 'c'];
  if (target.rounding && target.rounding !== 'tflite') parts.push(`r${target.rounding}`);
  node.inputs.forEach((name) => parts.push(name === '' ? 'in=-' : `in=${tensorPart(g.tensor(name))}`));
  node.outputs.forEach((name) => parts.push(`out=${tensorPart(g.tensor(name))}`));
  const integerOutput = node.outputs.length > 0 && ['int8', 'int16', 'uint8'].includes(g.tensor(node.outputs[0]).dtype);
  parts.push(attrsPart(node.attrs as Record<string, unknown>, integerOutput));
  return parts.join('|');
}
