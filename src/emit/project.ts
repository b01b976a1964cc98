/**
 * Assembles the exported project as a FileMap: the model's C files, the runtime kernels it uses (and only
 * those), and the board's project files (main.c, CMakeLists.txt, Makefile) rendered from templates/.
 */

import { bytesOf, cTypeOf } from '../ir/dtype.js';
import { cBytes, cString, displayText } from './escape.js';
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

/**
 * The sample inputs main.c feeds the model. Given ones (--sample-input): each one's bytes as a dense C
 * string literal (escape.ts cBytes): 2.76 characters per byte of random float32 data where a list of
 * float literals took 3.37, and gcc reads one token per line instead of one expression per element (a
 * 1 MiB input: 0.45 s and 46 MB for main.c against 2.3 s and 102 MB). Little-endian, as every target is. Its
 * size is bounded before it gets here: no model input exceeds src/import/limits.ts's maxTensorBytes (16 MiB),
 * and boards with a flash size refuse far smaller ones in checkFit. Without one, the fixed pattern of src/compile.ts (patternInput) is made by a loop at run time: no data at all.
 */
function sampleView(p: Program, samples: TensorValue[] | undefined) {
  return p.inputs.map((t, i) => {
    const view = { ctype: cTypeOf(t.dtype), count: t.bytes / bytesOf(t.dtype), bytes: t.bytes, isFloat: t.dtype === 'float32', pattern: !samples, values: '' };
    if (!samples) return view;
    const s = samples[i];
    return { ...view, values: cBytes(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength)) };
  });
}

export interface ProjectOptions {
  board: Board;
  sourceName: string;
  lowerBound: number;
  /** The sample inputs compiled into main.c; undefined: the fixed pattern, made at run time. */
  samples?: TensorValue[];
  sampleOrigin: string;
  /**
   * The host-driven firmware (export --host-driven; `--target gdb`): main.c is templates/project/firmware/
   * host_main.c.hbs, a mailbox a host drives over the debug link, with no console and no semihosting.
   */
  hostDriven?: boolean;
}

/** FNV-1a (32 bits) of a text's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The build id the host-driven firmware carries in its mailbox: a hash of the model's generated C, so a
 * host can tell the firmware on a board is the build of this model (and refuses another).
 */
export function modelBuildId(files: FileMap, name: string): number {
  return fnv1a(`${files.get(`model/${name}.h`) ?? ''}\n${files.get(`model/${name}.c`) ?? ''}`);
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
    layers: p.steps.map((s) => cString(displayText(s.node, 80))),
    /* what main.c prints for each output: one line of printable ASCII (the descriptor keeps the exact name) */
    outputLabels: p.outputs.map((t) => cString(displayText(t.name, 80))),
    stackBytes: o.board.stackBytes ?? 0,
    openocd: o.board.openocd ?? '',
    hostFiles: o.board.kind === 'emulator' && !o.hostDriven,
    hostDriven: o.hostDriven === true,
    buildId: modelBuildId(files, p.name),
  };
  for (const f of o.board.boardFiles) files.set(`board/${f.replace(/^.*\//, '')}`, packageFile(`boards/${o.board.name}/${f}`));
  for (const [out, template] of Object.entries(o.board.files)) {
    const chosen = o.hostDriven && out === 'main.c' ? 'host_main.c.hbs' : template;
    files.set(out, render(`project/${o.board.template}/${chosen}`, view));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export { compilerVersion };
