/**
 * Structure-aware TensorFlow Lite mutations. The valid original is walked table by table (the field ids
 * of src/import/tflite-schema.ts) to list the positions of what can be changed in place — scalar fields,
 * offsets, vector lengths, vector elements, name strings — and one of them is overwritten.
 *
 *   tflite:dims           a shape / shape_signature element → 0, negative, 2^31 − 1, 65,536 ...
 *   tflite:dtype          a tensor's type → another TensorType code (or an unknown one)
 *   tflite:offset         an offset field → 0 (the verifier refuses it), misaligned, past the end, negative
 *   tflite:vector-length  a vector's length → 0, ±1, huge
 *   tflite:index          a tensor / buffer / operator-code index → −1, out of range, 2^31 − 1
 *   tflite:cycle          an operator reads its own output or a later operator's output
 *   tflite:name           a tensor name's bytes → newlines, control characters, comment markers
 *   tflite:rename         a tensor name made equal to another tensor's
 *   tflite:options        a builtin-options field → hostile values (strides, padding, activation, axes)
 *   tflite:quant          scales → 0, NaN, ∞, negative; zero points → hostile; quantized_dimension out of range
 *   tflite:opcode         an operator code's builtin code or version → other values
 */

import { HOSTILE_INTS, Rng } from './rng.js';

export const TFLITE_KINDS = [
  'tflite:dims', 'tflite:dtype', 'tflite:offset', 'tflite:vector-length', 'tflite:index', 'tflite:cycle',
  'tflite:name', 'tflite:rename', 'tflite:options', 'tflite:quant', 'tflite:opcode',
] as const;
export type TfliteKind = (typeof TFLITE_KINDS)[number];

type Tag = 'dim' | 'type' | 'index' | 'option' | 'scale' | 'zp' | 'qdim' | 'opcode';

interface Scalar {
  pos: number;
  width: 1 | 4 | 8;
  tag: Tag;
}

interface Str {
  /** Position of the length word; the characters follow. */
  pos: number;
  length: number;
  /** Position of the offset field that points at it. */
  field: number;
}

interface OperatorSites {
  inputs: number[]; // positions of the input index elements
  outputValues: number[];
}

export interface TfliteSites {
  scalars: Scalar[];
  offsets: number[];
  vectors: number[];
  names: Str[];
  operators: OperatorSites[];
}

interface Table {
  pos: number;
  vt: number;
  vtSize: number;
  objSize: number;
}

/** Lists the mutable places of a valid .tflite file. */
export function tfliteSites(bytes: Uint8Array): TfliteSites {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sites: TfliteSites = { scalars: [], offsets: [], vectors: [], names: [], operators: [] };
  const table = (pos: number): Table => {
    const vt = pos - v.getInt32(pos, true);
    return { pos, vt, vtSize: v.getUint16(vt, true), objSize: v.getUint16(vt + 2, true) };
  };
  const field = (t: Table, id: number): number => {
    const slot = 4 + 2 * id;
    if (slot + 2 > t.vtSize) return 0;
    const off = v.getUint16(t.vt + slot, true);
    return off === 0 ? 0 : t.pos + off;
  };
  const scalar = (t: Table, id: number, width: 1 | 4 | 8, tag: Tag) => {
    const p = field(t, id);
    if (p) sites.scalars.push({ pos: p, width, tag });
  };
  const target = (p: number): number => {
    sites.offsets.push(p);
    return p + v.getUint32(p, true);
  };
  const vector = (t: Table, id: number): { start: number; length: number } | undefined => {
    const p = field(t, id);
    if (!p) return undefined;
    const at = target(p);
    sites.vectors.push(at);
    return { start: at + 4, length: v.getUint32(at, true) };
  };
  const elements = (t: Table, id: number, width: 4 | 8, tag: Tag): number[] => {
    const vec = vector(t, id);
    if (!vec) return [];
    const out = Array.from({ length: vec.length }, (_, i) => vec.start + width * i);
    for (const pos of out) sites.scalars.push({ pos, width, tag });
    return out;
  };
  const tables = (t: Table, id: number): Table[] => {
    const vec = vector(t, id);
    if (!vec) return [];
    return Array.from({ length: vec.length }, (_, i) => table(target(vec.start + 4 * i)));
  };
  const sub = (t: Table, id: number): Table | undefined => {
    const p = field(t, id);
    return p ? table(target(p)) : undefined;
  };
  /** Every field of an options table, as 4-byte scalars where the layout allows, else bytes. */
  const optionFields = (t: Table) => {
    const offs: number[] = [];
    for (let slot = 4; slot + 2 <= t.vtSize; slot += 2) {
      const off = v.getUint16(t.vt + slot, true);
      if (off) offs.push(off);
    }
    offs.sort((a, b) => a - b);
    offs.forEach((off, i) => {
      const room = (i + 1 < offs.length ? offs[i + 1] : t.objSize) - off;
      const pos = t.pos + off;
      sites.scalars.push({ pos, width: room >= 4 && pos % 4 === 0 ? 4 : 1, tag: 'option' });
    });
  };

  const model = table(v.getUint32(0, true));
  for (const oc of tables(model, 1)) {
    scalar(oc, 0, 1, 'opcode');
    scalar(oc, 2, 4, 'opcode');
    scalar(oc, 3, 4, 'opcode');
  }
  for (const sg of tables(model, 2)) {
    for (const t of tables(sg, 0)) {
      elements(t, 0, 4, 'dim');
      scalar(t, 1, 1, 'type');
      scalar(t, 2, 4, 'index');
      const nameField = field(t, 3);
      if (nameField) {
        const at = target(nameField);
        sites.vectors.push(at);
        sites.names.push({ pos: at, length: v.getUint32(at, true), field: nameField });
      }
      const q = sub(t, 4);
      if (q) {
        elements(q, 2, 4, 'scale');
        elements(q, 3, 8, 'zp');
        scalar(q, 6, 4, 'qdim');
      }
      elements(t, 7, 4, 'dim');
    }
    elements(sg, 1, 4, 'index');
    elements(sg, 2, 4, 'index');
    for (const op of tables(sg, 3)) {
      scalar(op, 0, 4, 'index');
      const inputs = elements(op, 1, 4, 'index');
      const outputs = elements(op, 2, 4, 'index');
      sites.operators.push({ inputs, outputValues: outputs.map((p) => v.getInt32(p, true)) });
      scalar(op, 3, 1, 'option');
      const opt = sub(op, 4);
      if (opt) optionFields(opt);
    }
  }
  for (const b of tables(model, 4)) {
    vector(b, 0);
    scalar(b, 1, 8, 'index');
    scalar(b, 2, 8, 'index');
  }
  return sites;
}

function writeScalar(v: DataView, s: Scalar, value: number): void {
  if (s.width === 1) v.setInt8(s.pos, value << 24 >> 24);
  else if (s.width === 4) v.setInt32(s.pos, value | 0, true);
  else v.setBigInt64(s.pos, BigInt.asIntN(64, BigInt(Math.trunc(value))), true);
}

function pickScalar(sites: TfliteSites, rng: Rng, tags: Tag[]): Scalar | undefined {
  const list = sites.scalars.filter((s) => tags.includes(s.tag));
  return list.length > 0 ? rng.pick(list) : undefined;
}

/** Applies one mutation of `kind` in place to a copy of a valid .tflite file. */
export function mutateTflite(kind: TfliteKind, input: Uint8Array, rng: Rng, sites: TfliteSites): Uint8Array {
  const out = new Uint8Array(input);
  const v = new DataView(out.buffer);
  const hostile = () => rng.pick(HOSTILE_INTS);
  switch (kind) {
    case 'tflite:dims': {
      const s = pickScalar(sites, rng, ['dim']);
      if (s) writeScalar(v, s, rng.chance(0.3) ? rng.pick([65536, 1e6, -1]) : hostile());
      break;
    }
    case 'tflite:dtype': {
      const s = pickScalar(sites, rng, ['type']);
      if (s) writeScalar(v, s, rng.chance(0.5) ? rng.pick([0, 2, 9]) : rng.int(30) - 2);
      break;
    }
    case 'tflite:offset': {
      const p = rng.pick(sites.offsets);
      const old = v.getUint32(p, true);
      const values = [0, 0, 1, 2, 3, old + 1, old + 2, old - 4, old + 4, 0x7ffffff0, 0xfffffffc, 0x80000000, out.length - p, rng.int(out.length)];
      v.setUint32(p, rng.pick(values) >>> 0, true);
      break;
    }
    case 'tflite:vector-length': {
      const p = rng.pick(sites.vectors);
      const old = v.getUint32(p, true);
      v.setUint32(p, rng.pick([0, old + 1, Math.max(0, old - 1), 0x3fffffff, 0xffffffff, old * 2, 2 ** 31]) >>> 0, true);
      break;
    }
    case 'tflite:index': {
      const s = pickScalar(sites, rng, ['index']);
      if (s) writeScalar(v, s, rng.chance(0.5) ? rng.pick([-1, -2, 0, 1, 2 ** 31 - 1, 2 ** 31]) : rng.int(200));
      break;
    }
    case 'tflite:cycle': {
      const ops = sites.operators.filter((o) => o.inputs.length > 0 && o.outputValues.length > 0);
      if (ops.length === 0) break;
      const k = rng.int(ops.length);
      const later = ops.slice(k).flatMap((o) => o.outputValues);
      v.setInt32(rng.pick(ops[k].inputs), rng.chance(0.5) ? ops[k].outputValues[0] : rng.pick(later), true);
      break;
    }
    case 'tflite:name': {
      const named = sites.names.filter((n) => n.length > 0);
      if (named.length === 0) break;
      const n = rng.pick(named);
      const text = rng.pick(['\n', '\r\n', '\t', '\u0000', '*/', '/*', '??/', '"', '\\', '\u001b[', '$(x)', '`']);
      const bytesOfText = new TextEncoder().encode(text);
      const at = n.pos + 4 + rng.int(Math.max(1, n.length - bytesOfText.length + 1));
      out.set(bytesOfText.subarray(0, Math.max(0, n.pos + 4 + n.length - at)), at);
      break;
    }
    case 'tflite:rename': {
      if (sites.names.length < 2) break;
      const a = rng.pick(sites.names);
      const later = sites.names.filter((b) => b !== a && b.pos > a.field);
      const shorter = sites.names.filter((b) => b !== a && b.length <= a.length);
      if (later.length > 0 && rng.chance(0.5)) {
        v.setUint32(a.field, rng.pick(later).pos - a.field, true); // point at the other tensor's string
      } else if (shorter.length > 0) {
        const b = rng.pick(shorter);
        out.copyWithin(a.pos + 4, b.pos + 4, b.pos + 4 + b.length);
        v.setUint32(a.pos, b.length, true);
        out[a.pos + 4 + b.length] = 0;
      }
      break;
    }
    case 'tflite:options': {
      const s = pickScalar(sites, rng, ['option']);
      if (s) writeScalar(v, s, rng.chance(0.5) ? rng.int(8) - 2 : hostile());
      break;
    }
    case 'tflite:quant': {
      const s = pickScalar(sites, rng, ['scale', 'zp', 'qdim']);
      if (!s) break;
      if (s.tag === 'scale') v.setFloat32(s.pos, rng.pick([0, -1, NaN, Infinity, 1e-45, 3e38]), true);
      else writeScalar(v, s, rng.chance(0.5) ? rng.pick([-129, 128, 255, -1, 4, 7]) : hostile());
      break;
    }
    case 'tflite:opcode': {
      const s = pickScalar(sites, rng, ['opcode']);
      if (s) writeScalar(v, s, rng.chance(0.5) ? rng.int(210) : hostile());
      break;
    }
  }
  return out;
}
