/**
 * Renders a Program as the model's C API: <name>.h and <name>.c.
 */

import { fail } from '../diagnostics.js';
import { dtypeEnumName } from '../ir/dtype.js';
import { CFloat, formatCValue, formatFloat } from '../ir/c-value.js';
import { cString, displayText } from './escape.js';
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
    constants: p.constants.map((c) => ({ ...c, values: formatValues(c) })),
    steps: p.steps,
    state: p.state,
    stateBytes: p.state.reduce((n, s) => n + s.bytes, 0),
    inputs: p.inputs.map((t) => ({ ...t, desc: descriptor(t) })),
    outputs: p.outputs.map((t) => ({ ...t, desc: descriptor(t) })),
  };
  return { header: render('model/model.h.hbs', view), source: render('model/model.c.hbs', view) };
}

export { formatFloat };
