/**
 * The model for the user's own firmware: `export --format library` (a CMake static-library target) and
 * `export --format make` (a `<name>.mk` fragment and an example Makefile). Both formats hold the same
 * sources, laid out flat so any build system can take them:
 *
 *   <name>.h  <name>.c          the model and its C API (templates/model/)
 *   <name>_kernels.h            renames every kernel utvm_X to <name>_utvm_X (see below)
 *   runtime/include/utvm/*.h    the kernel headers the model needs
 *   runtime/src/<name>_utvm_*.c the kernels it calls, each starting with #include "<name>_kernels.h"
 *   metadata.json               inputs, outputs, arena, flash, operators, compiler (src/emit/metadata.ts)
 *   library: CMakeLists.txt, cmake/arm-none-eabi.cmake      make: <name>.mk, example/Makefile, example/main.c
 *
 * Several models in one firmware: each library's kernels carry the model's prefix, in their symbols and
 * in their file names. Two models exported separately (even by different utvm-aot versions, or using
 * different kernel sets) then link side by side with no duplicate symbol, and flat-object Makefiles (the
 * STM32CubeMX style: vpath + notdir) see no two sources with one name. The price is a second copy of a
 * kernel both models call (its code bytes are in each metadata.json); nothing depends on build order,
 * on a shared target existing first, or on the user's compiler flags.
 */

import type { Board } from './boards.js';
import { loadBoard } from './boards.js';
import { cmakeArg, makeValue, shellArg } from './escape.js';
import { buildMetadata } from './metadata.js';
import { renderModel } from './model.js';
import type { Program } from './program.js';
import { FileMap, headerClosure } from './project.js';
import { compilerVersion, packageFile, render } from './templates.js';

export type ExportFormat = 'project' | 'library' | 'make';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['project', 'library', 'make'];

export interface LibraryOptions {
  format: 'library' | 'make';
  board: Board;
  sourceName: string;
  lowerBound: number;
  /** Compiler options recorded in metadata.json. */
  options: Record<string, unknown>;
}

/** Every non-inline function the given runtime headers declare (utvm_X), plus the kernels called. */
export function kernelSymbols(headers: string[], kernels: string[]): string[] {
  const names = new Set(kernels);
  for (const h of headers) {
    const text = packageFile(`runtime-c/include/${h}`);
    for (const m of text.matchAll(/^(?!\s*static\b)[A-Za-z_][\w \t*]*?\b(utvm_\w+)\s*\(/gm)) names.add(m[1]);
  }
  return [...names].sort();
}

/** The file a kernel's source goes to inside a library. */
export function librarySourceOf(name: string, kernel: string): string {
  return `runtime/src/${name}_${kernel}.c`;
}

function kernelsHeader(p: Program, symbols: string[]): string {
  return render('library/kernels.h.hbs', {
    name: p.name,
    NAME: p.name.toUpperCase(),
    version: compilerVersion(),
    renames: symbols.map((s) => ({ from: s, to: `${p.name}_${s}` })),
  });
}

/** The board whose CPU flags go into the standalone toolchain file: a Cortex-M7 one even for --board host. */
function toolchainBoard(board: Board): Board {
  return board.kind === 'host' ? loadBoard('stm32f746-nucleo') : board;
}

function formatFiles(p: Program, o: LibraryOptions, sources: string[]): FileMap {
  const view = {
    name: p.name,
    NAME: p.name.toUpperCase(),
    version: compilerVersion(),
    source: o.sourceName,
    sources,
    kernelSources: sources.filter((s) => s.startsWith('runtime/')),
    board: toolchainBoard(o.board),
  };
  const files: FileMap = new Map();
  if (o.format === 'library') {
    files.set('CMakeLists.txt', render('library/CMakeLists.txt.hbs', view));
    files.set('cmake/arm-none-eabi.cmake', render('library/arm-none-eabi.cmake.hbs', view));
  } else {
    files.set(`${p.name}.mk`, render('make/model.mk.hbs', view));
    files.set('example/Makefile', render('make/Makefile.example.hbs', view));
    files.set('example/main.c', render('make/main.c.hbs', view));
  }
  return files;
}

export function assembleLibrary(p: Program, o: LibraryOptions): FileMap {
  const files: FileMap = new Map();
  const model = renderModel(p, o.sourceName, o.lowerBound, true);
  const headers = headerClosure(['utvm/types.h', ...p.headers]);
  files.set(`${p.name}.h`, model.header);
  files.set(`${p.name}.c`, model.source);
  files.set(`${p.name}_kernels.h`, kernelsHeader(p, kernelSymbols(headers, p.kernels)));
  for (const h of headers) files.set(`runtime/include/${h}`, packageFile(`runtime-c/include/${h}`));
  const prefixLine = `#include "${p.name}_kernels.h" /* utvm-aot: this kernel as ${p.name}_utvm_* */\n`;
  for (const k of p.kernels) files.set(librarySourceOf(p.name, k), prefixLine + packageFile(`runtime-c/src/${k}.c`));
  const sources = librarySources(p);
  for (const [path, text] of formatFiles(p, o, sources)) files.set(path, text);
  files.set('metadata.json', buildMetadata(p, { format: o.format, sourceName: o.sourceName, lowerBound: o.lowerBound, sources, options: o.options }));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The CPU flags the library's standalone toolchain file uses (metadata.json is measured with them). */
export function libraryCpuFlags(board: Board): string[] {
  return toolchainBoard(board).cflags;
}

/** The sources of an exported library, in build order (as metadata.json lists them). */
export function librarySources(p: Program): string[] {
  return [`${p.name}.c`, ...p.kernels.map((k) => librarySourceOf(p.name, k))];
}

/** What `export` prints after a library or make export: the lines the user adds to their build. */
export function libraryUsage(format: 'library' | 'make', out: string, name: string): string[] {
  const NAME = name.toUpperCase();
  if (format === 'library') {
    return [
      `  CMake: add_subdirectory(${cmakeArg(out)})   target_link_libraries(<app> PRIVATE ${name})   #include "${name}.h"`,
      `  standalone lib${name}.a: cmake -S ${shellArg(out)} -B ${shellArg(`${out}/build`)} -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake && cmake --build ${shellArg(`${out}/build`)}`,
    ];
  }
  return [
    `  Makefile: include ${makeValue(`${out}/${name}.mk`)}   C_SOURCES += $(${NAME}_SRCS)   CFLAGS += $(${NAME}_CFLAGS)   LDLIBS += $(${NAME}_LDLIBS)`,
    `  example: make -C ${shellArg(`${out}/example`)}`,
  ];
}
