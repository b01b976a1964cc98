/**
 * Assembles the exported project as a FileMap: the model's C files, the runtime kernels it uses (and only
 * those), and the board's project files (main.c, CMakeLists.txt, Makefile) rendered from templates/.
 */

import { cTypeOf } from '../ir/dtype.js';
import { formatFloat } from '../ir/c-value.js';
import { renderModel } from './model.js';
import type { Program } from './program.js';
import type { Board } from './boards.js';
import { compilerVersion, packageFile, render } from './templates.js';
import type { TensorValue } from '../io/tensor-value.js';

/** Relative path → file contents. Sorted by path when written or listed. */
export type FileMap = Map<string, string>;

/** runtime-c headers reachable from `roots` through #include "utvm/..." lines. */
export function headerClosure(roots: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const h = todo.pop()!;
    if (seen.has(h)) continue;
    seen.add(h);
    for (const m of packageFile(`runtime-c/include/${h}`).matchAll(/#include\s+"(utvm\/[^"]+)"/g)) todo.push(m[1]);
  }
  return [...seen].sort();
}

function sampleView(p: Program, samples: TensorValue[]) {
  return p.inputs.map((t, i) => {
    const s = samples[i];
    const values: string[] = [];
    for (let k = 0; k < s.data.length; k++) {
      const v = s.data[k];
      values.push(t.dtype === 'float32' ? formatFloat(v as number) : String(v));
    }
    const lines: string[] = [];
    for (let k = 0; k < values.length; k += 12) lines.push(`    ${values.slice(k, k + 12).join(', ')},`);
    return { ctype: cTypeOf(t.dtype), count: s.data.length, values: lines.join('\n') };
  });
}

export interface ProjectOptions {
  board: Board;
  sourceName: string;
  lowerBound: number;
  samples: TensorValue[];
  sampleOrigin: string;
}

export function assembleProject(p: Program, o: ProjectOptions): FileMap {
  const files: FileMap = new Map();
  const model = renderModel(p, o.sourceName, o.lowerBound);
  files.set(`model/${p.name}.h`, model.header);
  files.set(`model/${p.name}.c`, model.source);
  for (const h of headerClosure(['utvm/types.h', ...p.headers])) files.set(`runtime/include/${h}`, packageFile(`runtime-c/include/${h}`));
  for (const k of p.kernels) files.set(`runtime/src/${k}.c`, packageFile(`runtime-c/src/${k}.c`));
  const view = {
    name: p.name,
    NAME: p.name.toUpperCase(),
    version: compilerVersion(),
    kernels: p.kernels,
    inputs: p.inputs,
    outputs: p.outputs,
    samples: sampleView(p, o.samples),
    sampleOrigin: o.sampleOrigin,
    board: o.board,
    /* firmware templates: board C files, layer names (profiling), stack, OpenOCD config, batch mode */
    boardSources: o.board.boardFiles.map((f) => f.replace(/^.*\//, '')).filter((f) => f.endsWith('.c')),
    layers: p.steps.map((s) => JSON.stringify(s.node)),
    stackBytes: o.board.stackBytes ?? 0,
    openocd: o.board.openocd ?? '',
    hostFiles: o.board.kind === 'emulator',
  };
  for (const f of o.board.boardFiles) files.set(`board/${f.replace(/^.*\//, '')}`, packageFile(`boards/${o.board.name}/${f}`));
  for (const [out, template] of Object.entries(o.board.files)) files.set(out, render(`project/${o.board.template}/${template}`, view));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export { compilerVersion };
