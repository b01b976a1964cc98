/**
 * Every tensor of every case from the compiled C, for `validate --per-layer`: the model compiled with
 * `debugTensors` is built once for the host with -DUTVM_DEBUG and run once per case with `--dump-arena`;
 * each dump is cut into tensors by `tensorsOfArena` (src/run/debug.ts).
 *
 * Interim: src/run/debug.ts is gaining `runIntermediates(result, cases, progress)` (several cases per run,
 * and the emulator too); this host-only twin has its signature so validate switches by changing an import.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompileResult } from '../compile.js';
import { fail } from '../diagnostics.js';
import { writeFileMap } from '../io/files.js';
import { TensorValue, toBytes } from '../io/tensor-value.js';
import { Progress, silent } from '../progress.js';
import { tensorsOfArena } from '../run/debug.js';
import { checkCase } from '../run/host.js';

function errorText(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  return (err.stderr ? err.stderr.toString() : err.message ?? String(e)).trim().split('\n').slice(0, 12).join('\n');
}

/** Tensor name → bytes after the run, per case, from `result` (compiled with debugTensors for the host). */
export function runIntermediates(result: CompileResult, cases: TensorValue[][], progress: Progress = silent): Map<string, Uint8Array>[] {
  if (result.board.kind !== 'host') throw new Error(`internal: runIntermediates (validate) runs host builds only, not '${result.board.name}'`);
  const name = result.program.name;
  cases.forEach((c, k) => checkCase(result.program.inputs, c, `case ${k}`));
  const dir = mkdtempSync(join(tmpdir(), 'utvm-validate-'));
  try {
    writeFileMap(dir, result.files);
    progress.step('building the model with every tensor kept (host, -DUTVM_DEBUG)');
    try {
      execFileSync('make', ['-s', '-C', dir, `build/${name}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CFLAGS: '-O2 -DUTVM_DEBUG' } });
    } catch (e) {
      fail('E_BUILD', `the generated C code did not build with -DUTVM_DEBUG:\n${errorText(e)}`);
    }
    const count = progress.count('reading every layer of the C build:', cases.length, 'cases');
    const dump = join(dir, 'arena.bin');
    const out = cases.map((c) => {
      const paths = c.map((v, i) => {
        const p = join(dir, `in${i}.bin`);
        writeFileSync(p, toBytes(v));
        return p;
      });
      try {
        execFileSync(join(dir, 'build', name), ['--dump-arena', dump, ...paths], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
      } catch (e) {
        fail('E_BUILD', `the compiled model failed while running:\n${errorText(e)}`);
      }
      count.tick();
      return tensorsOfArena(result, new Uint8Array(readFileSync(dump)));
    });
    count.done();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
