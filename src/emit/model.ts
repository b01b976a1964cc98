/**
 * Renders a Program as the model's C API: <name>.h and <name>.c.
 */

import { fail } from '../diagnostics.js';
import { dtypeEnumName } from '../ir/dtype.js';
import { CFloat, formatCValue, formatFloat } from '../ir/c-value.js';
import { cIdentifier, cString, displayText } from './escape.js';
import { bytesOf } from '../ir/dtype.js';
import type { Program, ProgramConstant, ProgramTensor } from './program.js';
import { compilerVersion, render } from './templates.js';
import { ARENA_ALIGNMENT } from '../plan/index.js';
import { MAX_RANK } from '../lower/rank.js'; // the descriptors' shape arrays (utvm_tensor_desc)

function formatValues(c: ProgramConstant): string {
  const isFloat = c.dtype === 'float32' || c.dtype === 'float64';
  const perLine = isFloat ? 8 : 16;
  const lines: string[] = [];
  for (let i = 0; i < c.count; i += perLine) {
    const chunk: string[] = [];
    for (let j = i; j < Math.min(i + perLine, c.count); j++) {
      const v = c.data[j];
      chunk.push(isFloat ? formatFloat(v as number) : String(v));
    }
    lines.push(`    ${chunk.join(', ')},`);
  }
  return lines.join('\n');
}

function descriptor(t: ProgramTensor): string {
  if (t.shape.length > MAX_RANK) fail('E_SHAPE', `model input/output '${displayText(t.name)}' has rank ${t.shape.length}; at most ${MAX_RANK} is supported`);
  const shape = [...t.shape, ...Array(MAX_RANK - t.shape.length).fill(0)];
  return formatCValue({
    name: 0,
    dtype: 0,
    rank: t.shape.length,
    shape,
    bytes: t.bytes,
    scale: new CFloat(t.scale),
    zero_point: t.zeroPoint,
  })
    .replace('.dtype = 0', () => `.dtype = ${dtypeEnumName(t.dtype)}`)
    .replace('.name = 0', () => `.name = ${cString(t.name)}`); // last: the name's text is never searched
}

/** A memory's name as it appears in C names and sections: 'SDRAM' → 'sdram'. */
const memoryTag = (memory: string): string => cIdentifier(memory.toLowerCase());
const weightsMacro = (p: Program, memory: string): string => `${p.name.toUpperCase()}_WEIGHTS_${memoryTag(memory).toUpperCase()}_SECTION`;

/** Weight bytes per memory (the board's weights memory, '', first). */
function weightMemories(p: Program): { memory: string; bytes: number }[] {
  const by = new Map<string, number>();
  for (const c of p.constants) by.set(c.memory ?? '', (by.get(c.memory ?? '') ?? 0) + c.count * bytesOf(c.dtype));
  return [...by.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)).map(([memory, bytes]) => ({ memory: memory || 'flash', bytes }));
}

export interface ModelSources {
  header: string;
  source: string;
}

/**
 * `kernelPrefix`: model.c includes <name>_kernels.h first, which renames every kernel to <name>_utvm_*
 * (the library and make formats: several models in one firmware).
 */
export function renderModel(p: Program, sourceName: string, lowerBound: number, kernelPrefix = false): ModelSources {
  const view = {
    kernelPrefix,
    name: p.name,
    NAME: p.name.toUpperCase(),
    version: compilerVersion(),
    source: sourceName,
    arenaBytes: p.arenaBytes,
    /** Alignment of the arena (the planner's, every buffer offset is a multiple of it) and of each weight array. */
    align: ARENA_ALIGNMENT,
    lowerBound,
    weightBytes: p.weightBytes,
    kernels: p.kernels,
    headers: p.headers,
    constants: p.constants.map((c) => ({ ...c, values: formatValues(c), ...(c.memory ? { sectionMacro: weightsMacro(p, c.memory) } : {}) })),
    multi: p.arenas.length > 1,
    primary: p.arenas[0]?.memory ?? '',
    arenas: p.arenas,
    extraArenas: p.arenas.slice(1).map((a) => ({ ...a, MEM: memoryTag(a.memory).toUpperCase() })),
    weightSections: [...new Set(p.constants.flatMap((c) => (c.memory ? [c.memory] : [])))].sort().map((m) => ({ macro: weightsMacro(p, m), section: `.weights_${memoryTag(m)}` })),
    weightMemories: weightMemories(p),
    steps: p.steps,
    state: p.state,
    stateBytes: p.state.reduce((n, s) => n + s.bytes, 0),
    inputs: p.inputs.map((t) => ({ ...t, desc: descriptor(t) })),
    outputs: p.outputs.map((t) => ({ ...t, desc: descriptor(t) })),
  };
  return { header: render('model/model.h.hbs', view), source: render('model/model.c.hbs', view) };
}

export { formatFloat };
