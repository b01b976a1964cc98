/**
 * metadata.json of the library and make formats, in the spirit of TVM's Model Library Format: what a build
 * system or a CI reads without parsing C.
 *
 *   inputs / outputs   name, dtype, shape, bytes, offset in the arena, scale, zero point
 *   arena              bytes (the memory plan), alignment, lower bound
 *   flash              weightBytes (exact: the constant arrays of <name>.c); code, otherConstants, data,
 *                      total and bss from arm-none-eabi-size on the objects, filled in by the CLI at
 *                      export when the toolchain is installed (src/run/measure.ts), else null
 *   operators, kernels the IR operators in execution order (with counts) and the kernels compiled in
 *   files              the header, the sources and the include folders
 *   compiler           utvm-aot's version and the options of this export
 *
 * Deterministic: the same model, options and toolchain give the same bytes.
 */

import { bytesOf } from '../ir/dtype.js';
import type { Program } from './program.js';
import { jsonText } from './escape.js';
import { compilerVersion } from './templates.js';
import { ARENA_ALIGNMENT } from '../plan/index.js';

/** Sizes measured on the library's objects, summed over sections (`arm-none-eabi-size -A`). */
export interface FlashMeasure {
  /** .text* sections. */
  code: number;
  /** .rodata* sections (weights included). */
  rodata: number;
  /** .data* sections: initial values, stored in flash and copied to RAM. */
  data: number;
  bss: number;
  /** How the objects were compiled: the compiler's version line and its flags. */
  compiler: string;
  flags: string[];
}

export interface MetadataInfo {
  format: 'library' | 'make';
  sourceName: string;
  lowerBound: number;
  sources: string[];
  options: Record<string, unknown>;
}

function tensors(list: Program['inputs']) {
  return list.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    bytes: t.bytes,
    offset: t.offset,
    scale: t.scale,
    zeroPoint: t.zeroPoint,
  }));
}

function operators(p: Program): { op: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of p.steps) counts.set(s.op, (counts.get(s.op) ?? 0) + 1);
  return [...counts.entries()].map(([op, count]) => ({ op, count })).sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
}

/** The flash section of metadata.json: weights always; the rest from a measurement, or null. */
/** Bytes of weights per section outside the board's weights memory ('.weights_qspi': 2856960). */
function weightSections(p: Program): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of p.constants) {
    if (!c.memory) continue;
    const section = `.weights_${c.memory.toLowerCase()}`;
    out[section] = (out[section] ?? 0) + c.count * bytesOf(c.dtype);
  }
  return out;
}

export function flashSection(weightBytes: number, m?: FlashMeasure) {
  if (!m) {
    return { weightBytes, codeBytes: null, otherConstantBytes: null, dataBytes: null, totalBytes: null, bssBytes: null, measuredWith: null };
  }
  return {
    weightBytes,
    codeBytes: m.code,
    otherConstantBytes: m.rodata - weightBytes,
    dataBytes: m.data,
    totalBytes: m.code + m.rodata + m.data,
    bssBytes: m.bss,
    measuredWith: { compiler: m.compiler, flags: m.flags, tool: 'arm-none-eabi-size -A, summed over the objects of the sources' },
  };
}

export function buildMetadata(p: Program, info: MetadataInfo, flash?: FlashMeasure): string {
  const meta = {
    format: 'utvm-aot model library',
    formatVersion: 1,
    name: p.name,
    source: info.sourceName,
    exportFormat: info.format,
    inputs: tensors(p.inputs),
    outputs: tensors(p.outputs),
    arena: { bytes: p.arenaBytes, align: ARENA_ALIGNMENT, lowerBound: info.lowerBound },
    // a plan across memories: every arena (the first is `arena`), and the weights outside the board's weights memory
    ...(p.arenas.length > 1 ? { arenas: p.arenas.map((a) => ({ memory: a.memory, bytes: a.bytes })) } : {}),
    ...(p.constants.some((c) => c.memory) ? { weightSections: weightSections(p) } : {}),
    flash: flashSection(p.weightBytes, flash),
    operators: operators(p),
    kernels: p.kernels.map((k) => ({ kernel: k, symbol: `${p.name}_${k}` })),
    files: { header: `${p.name}.h`, sources: info.sources, includeDirs: ['.', 'runtime/include'] },
    compiler: { name: 'utvm-aot', version: compilerVersion(), options: info.options },
  };
  return jsonText(meta);
}

/** metadata.json text with its flash section replaced by a measurement. */
export function withFlashMeasure(metadataJson: string, flash: FlashMeasure): string {
  const meta = JSON.parse(metadataJson) as { flash: { weightBytes: number } };
  meta.flash = flashSection(meta.flash.weightBytes, flash) as typeof meta.flash;
  return jsonText(meta);
}
