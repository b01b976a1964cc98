/**
 * Flash bytes of an exported library, measured the way the library's own CMake build makes lib<name>.a
 * for the Cortex-M7: every source compiled with arm-none-eabi-gcc (the toolchain file's CPU flags,
 * -std=c99 -O2 -ffunction-sections -fdata-sections), then `arm-none-eabi-size -A` on each object, its
 * sections summed by kind (.text*, .rodata*, .data*, .bss*). Used by `export --format library|make`
 * to fill metadata.json; returns undefined when the toolchain is not installed.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import { FlashMeasure, withFlashMeasure } from '../emit/metadata.js';
import type { FileMap } from '../emit/project.js';
import { writeFileMap } from '../io/files.js';

export const MEASURE_FLAGS = ['-std=c99', '-O2', '-ffunction-sections', '-fdata-sections'];

export function toolchainAvailable(): boolean {
  const r = spawnSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Section sizes of one object file, summed by kind. */
export function sectionSizes(object: string): { code: number; rodata: number; data: number; bss: number } {
  const text = execFileSync('arm-none-eabi-size', ['-A', '-d', object], { encoding: 'utf8' });
  const sum = { code: 0, rodata: 0, data: 0, bss: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+\s*$/.exec(line);
    if (!m) continue;
    const [name, size] = [m[1], Number(m[2])];
    if (/^\.text(\.|$)/.test(name)) sum.code += size;
    else if (/^\.rodata(\.|$)/.test(name)) sum.rodata += size;
    else if (/^\.data(\.|$)/.test(name)) sum.data += size;
    else if (/^\.bss(\.|$)/.test(name)) sum.bss += size;
  }
  return sum;
}

/** Compiles `sources` of the library `files` with `cpuFlags` and sums their sections. */
export function measureFlash(files: FileMap, sources: string[], cpuFlags: string[]): FlashMeasure | undefined {
  if (!toolchainAvailable()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'utvm-measure-'));
  try {
    writeFileMap(dir, files);
    const flags = [...cpuFlags, ...MEASURE_FLAGS];
    const total = { code: 0, rodata: 0, data: 0, bss: 0 };
    sources.forEach((src, i) => {
      const obj = join(dir, `obj${i}.o`);
      try {
        execFileSync('arm-none-eabi-gcc', [...flags, '-I.', '-Iruntime/include', '-c', src, '-o', obj], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        fail('E_BUILD', `the library did not compile with arm-none-eabi-gcc (${src}):\n${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n').slice(0, 8).join('\n')}`);
      }
      const s = sectionSizes(obj);
      total.code += s.code;
      total.rodata += s.rodata;
      total.data += s.data;
      total.bss += s.bss;
    });
    const compiler = execFileSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
    return { ...total, compiler, flags };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The library/make export's files with metadata.json's flash section measured (the Cortex-M7 flags of
 * cmake/arm-none-eabi.cmake, or of the board when it has some). `measured` is false without a toolchain.
 */
export function measureExport(files: FileMap, sources: string[], cpuFlags: string[]): { files: FileMap; measured: boolean } {
  const m = measureFlash(files, sources, cpuFlags);
  if (!m) return { files, measured: false };
  const out = new Map(files);
  out.set('metadata.json', withFlashMeasure(files.get('metadata.json')!, m));
  return { files: out, measured: true };
}
