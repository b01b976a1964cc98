/**
 * Debugging a compiled model layer by layer: every intermediate tensor of one run on the host.
 *
 * The model is compiled with `debugTensors` (every runtime tensor has arena space of its own: nothing is
 * reused or overwritten in place), its host project is built with -DUTVM_DEBUG (the model exposes
 * `<name>_arena_base()`, the runner gains `--dump-arena FILE IN...`), run once on the given inputs, and
 * the dumped arena is cut into tensors with the memory plan's offsets. Aliases (reshape outputs) get
 * their own entries with the bytes of the buffer they share.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, defaultModelName } from '../compile.js';
import type { CompileResult } from '../compile.js';
import { fail } from '../diagnostics.js';
import { tensorBytes } from '../ir/graph.js';
import type { TensorValue } from '../io/tensor-value.js';
import { writeFileMap } from '../io/files.js';
import { toBytes } from '../io/tensor-value.js';
import { checkCase } from './host.js';

export interface IntermediatesOptions {
  /** C prefix of the model (default: from the file name). */
  name?: string;
}

function errorText(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = (err.stderr ? err.stderr.toString() : err.message ?? String(e)).trim();
  return text.split('\n').slice(0, 12).join('\n');
}

/** The bytes of every runtime tensor of `compiled.graph`, cut out of a dump of its (non-reusing) arena. */
export function tensorsOfArena(compiled: CompileResult, arena: Uint8Array): Map<string, Uint8Array> {
  if (arena.length !== compiled.plan.arenaBytes) {
    throw new Error(`internal: arena dump has ${arena.length} bytes, the plan ${compiled.plan.arenaBytes}`);
  }
  const tensors = new Map<string, Uint8Array>();
  for (const b of compiled.plan.buffers) {
    if (b.kind !== 'tensor') continue;
    for (const name of b.tensors) {
      tensors.set(name, arena.slice(b.offset, b.offset + tensorBytes(compiled.graph.tensor(name))));
    }
  }
  return tensors;
}

/**
 * Compiles `model` for the host with every tensor kept, runs it once on `inputs` (one value per model
 * input) and returns tensor name → its bytes after the run (graph inputs, every intermediate, outputs).
 */
export function runWithIntermediates(
  model: Uint8Array,
  fileName: string,
  inputs: TensorValue[],
  options: IntermediatesOptions = {},
): Map<string, Uint8Array> {
  const name = options.name ?? defaultModelName(fileName);
  const compiled = compile(model, fileName, { name, board: 'host', debugTensors: true });
  checkCase(compiled.program.inputs, inputs, 'runWithIntermediates');
  const dir = mkdtempSync(join(tmpdir(), 'utvm-debug-'));
  try {
    writeFileMap(dir, compiled.files);
    try {
      const env = { ...process.env, CFLAGS: '-O2 -DUTVM_DEBUG' };
      execFileSync('make', ['-s', '-C', dir, `build/${name}`], { stdio: ['ignore', 'pipe', 'pipe'], env });
    } catch (e) {
      fail('E_BUILD', `the generated C code did not build with -DUTVM_DEBUG:\n${errorText(e)}`);
    }
    const inPaths = inputs.map((v, i) => {
      const p = join(dir, `in${i}.bin`);
      writeFileSync(p, toBytes(v));
      return p;
    });
    const dump = join(dir, 'arena.bin');
    try {
      execFileSync(join(dir, 'build', name), ['--dump-arena', dump, ...inPaths], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    } catch (e) {
      fail('E_BUILD', `the compiled model failed while running:\n${errorText(e)}`);
    }
    return tensorsOfArena(compiled, new Uint8Array(readFileSync(dump)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
