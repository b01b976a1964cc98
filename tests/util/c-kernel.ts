/**
 * Runs C kernels of runtime-c/ on hand-written inputs, for operator tests.
 *
 *   const y = runCKernel({
 *     headers: ['utvm/unary.h'],
 *     kernels: ['utvm_relu_f32'],
 *     body: [cFloats('x', [-1, 2]), 'float y[2];', 'utvm_relu_f32(x, y, 2);', printFloats('y', 2)],
 *   });
 *
 * The program is built with the same warnings-as-errors flags as the runtime (gcc -std=c99 -Wall -Wextra
 * -Werror -O2), linking only the named kernels' files, and its printed numbers are returned.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatFloat } from '../../src/ir/c-value.js';

export const RUNTIME_DIR = fileURLToPath(new URL('../../../runtime-c', import.meta.url));

export interface KernelProgram {
  /** Headers to include, e.g. 'utvm/binary.h'. */
  headers: string[];
  /** Kernels to link: runtime-c/src/<kernel>.c. */
  kernels: string[];
  /** Statements of main(); print results with printFloats. */
  body: string[];
  /** Declarations before main() (static arrays, parameter structs). */
  globals?: string[];
}

/** `static const float name[] = {...};` (exact float32 literals). */
export function cFloats(name: string, values: ArrayLike<number>): string {
  return `static const float ${name}[] = {${Array.from(values, (v) => formatFloat(v)).join(', ')}};`;
}

/** A statement printing `count` floats of `name`, one per line, with all float32 digits. */
export function printFloats(name: string, count: number): string {
  return `for (int i_ = 0; i_ < ${count}; i_++) printf("%.9g\\n", (double)${name}[i_]);`;
}

/** Builds and runs the program; returns every number it printed, in order, as float32 values. */
export function runCKernel(p: KernelProgram): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-kernel-'));
  try {
    const main = [
      '#include <stdio.h>',
      '#include <math.h>',
      ...p.headers.map((h) => `#include "${h}"`),
      ...(p.globals ?? []),
      'int main(void) {',
      ...p.body.map((s) => `  ${s}`),
      '  return 0;',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'main.c'), main);
    const exe = join(dir, 'main');
    const sources = p.kernels.map((k) => join(RUNTIME_DIR, 'src', `${k}.c`));
    const flags = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-I', join(RUNTIME_DIR, 'include')];
    execFileSync('gcc', [...flags, '-o', exe, join(dir, 'main.c'), ...sources, '-lm'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = execFileSync(exe, { encoding: 'utf8' });
    return out.trim() === '' ? [] : out.trim().split('\n').map((line) => Math.fround(Number(line)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
