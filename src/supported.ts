/**
 * What `utvm-aot ops` lists: the supported operators, asked from the registry (src/ops/index.ts) and
 * the importers that read the model formats, never from a list of their own.
 *
 * TensorFlow Lite: each builtin an operator file's `tflite` field imports, its highest version, the
 * element types of the run-time tensors it is imported for (its `types`, which the importer enforces), the
 * IR operator whose file imports it. ONNX: each op type (with its domain when not the default one), the
 * default-domain opsets read, the IR operator whose file imports it (none for the quantization readers
 * of src/import/onnx/, which write QDQ patterns). ONNX importers do not declare element types, so for ONNX what
 * can be derived is listed: whether a float ONNX operator has an int8 form between
 * DequantizeLinear / QuantizeLinear nodes (its `int8Form`).
 */

import { allOps } from './ops/index.js';
import type { DType } from './ir/dtype.js';
import type { OpDef } from './ops/op.js';
import { ONNX_OPSET_MAX, ONNX_OPSET_MIN, onnxImporters } from './import/onnx.js';

export const OP_FORMATS = ['tflite', 'onnx'] as const;
export type OpFormat = (typeof OP_FORMATS)[number];

/** What can be derived about types from an operator file. */
export interface OpTypes {
  /** Float operator with an int8 form between DequantizeLinear and QuantizeLinear (ONNX QDQ models). */
  int8FromQdq?: boolean;
}

export interface TfliteOpEntry {
  builtin: string;
  maxVersion: number;
  /** Element types of the run-time tensors (activations) it is imported for. */
  types: DType[];
  /** The IR operator whose file's `tflite` field imports the builtin. */
  importedBy: string;
}

export interface OnnxOpEntry extends OpTypes {
  opType: string;
  /** Domain, '' for the default ONNX domain. */
  domain: string;
  /** Default-domain opsets read: [min, max]; undefined for other domains (their opset is not checked). */
  opsets?: [number, number];
  /** The IR operator whose file's `onnx` field imports it; undefined for a quantization reader (src/import/onnx/), which writes a QDQ pattern. */
  importedBy?: string;
}

export interface SupportedOps {
  tflite?: TfliteOpEntry[];
  onnx?: OnnxOpEntry[];
}

function types(op: OpDef<unknown>): OpTypes {
  return op.int8Form ? { int8FromQdq: true } : {};
}

export function tfliteOps(): TfliteOpEntry[] {
  const list = allOps().flatMap((op) =>
    Object.entries(op.tflite ?? {}).map(([builtin, def]) => ({ builtin, maxVersion: def.maxVersion, types: [...def.types], importedBy: op.name })),
  );
  return list.sort((a, b) => (a.builtin < b.builtin ? -1 : 1));
}

export function onnxOps(): OnnxOpEntry[] {
  const owner = new Map<string, OpDef<unknown>>();
  for (const op of allOps()) for (const key of Object.keys(op.onnx ?? {})) owner.set(key, op);
  const list = [...onnxImporters().keys()].map((key) => {
    const colon = key.lastIndexOf(':');
    const domain = colon < 0 ? '' : key.slice(0, colon);
    const entry: OnnxOpEntry = { opType: key.slice(colon + 1), domain };
    if (domain === '') entry.opsets = [ONNX_OPSET_MIN, ONNX_OPSET_MAX];
    const op = owner.get(key);
    if (op) Object.assign(entry, { importedBy: op.name, ...types(op) });
    return entry;
  });
  const key = (e: OnnxOpEntry) => `${e.domain === '' ? '' : '~'}${e.domain}:${e.opType}`; // default domain first
  return list.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

export function supportedOps(format?: OpFormat): SupportedOps {
  return {
    ...(format !== 'onnx' ? { tflite: tfliteOps() } : {}),
    ...(format !== 'tflite' ? { onnx: onnxOps() } : {}),
  };
}

function typeNote(t: OpTypes): string {
  return t.int8FromQdq ? '  (int8 between DequantizeLinear and QuantizeLinear)' : '';
}

/** The text of `utvm-aot ops`: one operator a line, aligned. */
export function formatSupportedOps(s: SupportedOps): string {
  const lines: string[] = [];
  if (s.tflite) {
    const w = Math.max(...s.tflite.map((e) => e.builtin.length));
    const types = (e: TfliteOpEntry) => e.types.join(',');
    const wt = Math.max(...s.tflite.map((e) => types(e).length));
    lines.push(`TensorFlow Lite builtins (${s.tflite.length}): name, versions, activation types, IR operator file that imports it`);
    for (const e of s.tflite) lines.push(`  ${e.builtin.padEnd(w)}  v1-${e.maxVersion}  ${types(e).padEnd(wt)}  ${e.importedBy}`);
  }
  if (s.onnx) {
    if (lines.length > 0) lines.push('');
    const name = (e: OnnxOpEntry) => (e.domain === '' ? e.opType : `${e.domain}:${e.opType}`);
    const w = Math.max(...s.onnx.map((e) => name(e).length));
    lines.push(`ONNX operators (${s.onnx.length}): op type, opsets read, IR operator file that imports it (default domain: opsets ${ONNX_OPSET_MIN} to ${ONNX_OPSET_MAX})`);
    for (const e of s.onnx) {
      const opsets = e.opsets ? `opsets ${e.opsets[0]}-${e.opsets[1]}` : 'any opset';
      lines.push(`  ${name(e).padEnd(w)}  ${opsets}  ${e.importedBy ?? '(QDQ pattern, src/import/onnx/)'}${typeNote(e)}`);
    }
  }
  return lines.join('\n');
}
