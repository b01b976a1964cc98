/**
 * Running a compiled model on the host: write the project to a temporary folder, build it with its own
 * generated Makefile, and feed every case through one process (`--batch`).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import { bytesOf } from '../ir/dtype.js';
import { elementCount } from '../ir/graph.js';
import type { FileMap } from '../emit/project.js';
import type { ProgramTensor } from '../emit/program.js';
import { writeFileMap } from '../io/files.js';
import { TensorValue, fromBytes, toBytes } from '../io/tensor-value.js';
import { Progress, silent } from '../progress.js';
import { requireHostTools } from './tools.js';

function errorText(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = (err.stderr ? err.stderr.toString() : err.message ?? String(e)).trim();
  return text.split('\n').slice(0, 12).join('\n');
}

/**
 * A run that also reads each case's arena: the build gets -DUTVM_DEBUG (the model then exposes its arena
 * and the runner writes it to a batch line's extra path) and `arena` receives case k's arena bytes. The
 * model must be compiled with `debugTensors` for the arena to hold every tensor (src/run/debug.ts).
 */
export interface ArenaDump {
  arena(k: number, bytes: Uint8Array): void;
}

/** CFLAGS of a build whose runner can dump the arena. */
export const DEBUG_CFLAGS = '-O2 -DUTVM_DEBUG';

/** Builds the project in `dir` with make (CFLAGS=`cflags` when given); returns the executable's path. */
export function buildHost(dir: string, name: string, cflags?: string): string {
  requireHostTools();
  try {
    const env = cflags === undefined ? process.env : { ...process.env, CFLAGS: cflags };
    execFileSync('make', ['-s', '-C', dir, `build/${name}`], { stdio: ['ignore', 'pipe', 'pipe'], env });
  } catch (e) {
    fail('E_BUILD', `the generated C code did not build${cflags === undefined ? '' : ` with CFLAGS='${cflags}'`}:\n${errorText(e)}`);
  }
  return join(dir, 'build', name);
}

export function checkCase(inputs: ProgramTensor[], values: TensorValue[], label: string): void {
  if (values.length !== inputs.length) fail('E_INPUT_FILE', `${label}: ${values.length} input(s) given, the model has ${inputs.length}`);
  values.forEach((v, i) => {
    const t = inputs[i];
    if (v.dtype !== t.dtype) fail('E_INPUT_FILE', `${label}: input ${i} ('${t.name}') must be ${t.dtype}, got ${v.dtype}`);
    const bytes = elementCount(v.shape) * bytesOf(v.dtype);
    if (bytes !== t.bytes) fail('E_INPUT_FILE', `${label}: input ${i} ('${t.name}') must be ${t.bytes} bytes (${t.dtype}[${t.shape}]), got ${bytes}`);
  });
}

/**
 * Writes every case's inputs as raw files into `dir` and the batch list `dir/cases.txt` that the host
 * runner and the firmware read: one line per case, input paths then output paths, tab-separated.
 * Outputs go to `dir/case<k>_out<i>.bin`; with `arena`, each line ends with `dir/case<k>_arena.bin`.
 */
export function writeBatch(dir: string, inputs: ProgramTensor[], outputs: ProgramTensor[], cases: TensorValue[][], arena = false): string[] {
  const lines = cases.map((c, k) => {
    checkCase(inputs, c, `case ${k}`);
    const ins = c.map((v, i) => {
      const p = join(dir, `case${k}_in${i}.bin`);
      writeFileSync(p, toBytes(v));
      return p;
    });
    const dump = arena ? [arenaPath(dir, k)] : [];
    return [...ins, ...outputs.map((_, i) => join(dir, `case${k}_out${i}.bin`)), ...dump].join('\t');
  });
  writeFileSync(join(dir, 'cases.txt'), `${lines.join('\n')}\n`);
  return lines;
}

/** Where case k's arena is written (a batch line's extra path). */
export function arenaPath(dir: string, k: number): string {
  return join(dir, `case${k}_arena.bin`);
}

/** Hands case k's arena file to `dump` (and removes the file: a thousand arenas need not stay on disk). */
export function readArena(dir: string, k: number, arenaBytes: number, dump: ArenaDump): void {
  const path = arenaPath(dir, k);
  if (!existsSync(path)) fail('E_BUILD', `the runner did not write the arena of case ${k}`);
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length !== arenaBytes) fail('E_BUILD', `the arena of case ${k} has ${bytes.length} bytes, expected ${arenaBytes}`);
  rmSync(path);
  dump.arena(k, bytes);
}

/**
 * The batch lists one process run reads: all of `lines` in `cases.txt` when nobody watches the progress
 * (or there are few cases), else about ten `cases-<j>.txt` lists so the count can move between runs.
 */
export function batchLists(dir: string, lines: string[], progress: Progress): { list: string; count: number }[] {
  if (progress === silent || lines.length < 20) return [{ list: join(dir, 'cases.txt'), count: lines.length }];
  const size = Math.ceil(lines.length / 10);
  const lists: { list: string; count: number }[] = [];
  for (let k = 0, j = 0; k < lines.length; k += size, j++) {
    const chunk = lines.slice(k, k + size);
    const list = join(dir, `cases-${j}.txt`);
    writeFileSync(list, `${chunk.join('\n')}\n`);
    lists.push({ list, count: chunk.length });
  }
  return lists;
}

/**
 * Runs every case through the host build (one process, or one per batch list when `progress` watches).
 * With `dump` (and `arenaBytes`, the arena's size) the build is a debug one and each case's arena goes to `dump`.
 */
export function runOnHost(
  files: FileMap,
  name: string,
  inputs: ProgramTensor[],
  outputs: ProgramTensor[],
  cases: TensorValue[][],
  progress: Progress = silent,
  dump?: ArenaDump & { arenaBytes: number },
): TensorValue[][] {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-run-'));
  try {
    writeFileMap(dir, files);
    requireHostTools();
    progress.step(dump ? 'building for the host with the arena readable (make, cc, -DUTVM_DEBUG)' : 'building for the host (make, cc)');
    const exe = buildHost(dir, name, dump ? DEBUG_CFLAGS : undefined);
    const lists = batchLists(dir, writeBatch(dir, inputs, outputs, cases, dump !== undefined), progress);
    const count = progress.count('running on the host:', cases.length, 'cases');
    let first = 0;
    for (const { list, count: n } of lists) {
      try {
        execFileSync(exe, ['--batch', list], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
      } catch (e) {
        fail('E_BUILD', `the compiled model failed while running:\n${errorText(e)}`);
      }
      if (dump) for (let k = first; k < first + n; k++) readArena(dir, k, dump.arenaBytes, dump);
      first += n;
      count.tick(n);
    }
    count.done();
    return cases.map((_, k) => outputs.map((t, i) => fromBytes(t, readFileSync(join(dir, `case${k}_out${i}.bin`)))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
