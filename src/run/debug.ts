/**
 * Debugging a compiled model layer by layer: every intermediate tensor of each run, on the host or on the
 * emulated Cortex-M7.
 *
 * The model is compiled with `debugTensors` (every runtime tensor has arena space of its own: nothing is
 * reused or overwritten in place) and built with -DUTVM_DEBUG: the model exposes `<name>_arena_base()`,
 * and the runners (the host's main.c, the firmware's batch mode in boards/common/batch.c) write the whole
 * arena after each case to the extra path of its batch line. All cases run in one process (one emulator
 * run), each from the model's initial state; each dumped arena is cut into tensors with the memory plan's
 * offsets. Aliases (reshape outputs) get their own entries with the bytes of the buffer they share.
 */

import { compile, defaultModelName } from '../compile.js';
import type { CompileResult } from '../compile.js';
import { fail } from '../diagnostics.js';
import { tensorBytes } from '../ir/graph.js';
import type { TensorValue } from '../io/tensor-value.js';
import { getOp } from '../ops/index.js';
import { Progress, silent } from '../progress.js';
import { runOnHost } from './host.js';
import { QEMU_BOARD, runOnQemu } from './qemu.js';

export interface IntermediatesOptions {
  /** C prefix of the model (default: from the file name). */
  name?: string;
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
 * Throws an internal error unless `compiled`'s plan keeps every tensor: no two tensor buffers overlap, and
 * a buffer holds one tensor and its aliases only (no in-place kernel output), as `debugTensors` plans.
 */
function checkEveryTensorKept(compiled: CompileResult): void {
  const producer = new Map<string, string>();
  for (const node of compiled.graph.nodes) for (const o of node.outputs) producer.set(o, node.op);
  const spans = compiled.plan.buffers.filter((b) => b.kind === 'tensor').sort((a, b) => a.offset - b.offset);
  spans.forEach((b, i) => {
    const overlaps = i > 0 && spans[i - 1].offset + spans[i - 1].bytes > b.offset;
    const inPlace = b.tensors.slice(1).some((t) => !getOp(producer.get(t) ?? '').alias);
    if (overlaps || inPlace) {
      throw new Error(`internal: runIntermediates needs a model compiled with debugTensors (tensor '${b.tensors[0]}' shares its arena space)`);
    }
  });
}

/**
 * Runs every case on the board `result` was compiled for (the host build, or all cases in one emulator
 * run) and returns, per case, tensor name → its bytes after that case (graph inputs, every intermediate,
 * outputs). `result` must be compiled with `debugTensors`.
 */
export function runIntermediates(result: CompileResult, cases: TensorValue[][], progress: Progress = silent): Map<string, Uint8Array>[] {
  const { program, board, files, plan } = result;
  if (board.kind === 'mcu') fail('E_USAGE', `board '${board.name}' runs only on its hardware; run on 'host' or on the emulator ('${QEMU_BOARD}')`);
  checkEveryTensorKept(result);
  const tensors: Map<string, Uint8Array>[] = new Array(cases.length);
  const dump = { arenaBytes: plan.arenaBytes, arena: (k: number, bytes: Uint8Array) => (tensors[k] = tensorsOfArena(result, bytes)) };
  if (board.kind === 'emulator') runOnQemu(files, board, program.name, program.inputs, program.outputs, cases, progress, dump);
  else runOnHost(files, program.name, program.inputs, program.outputs, cases, progress, dump);
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
  return runIntermediates(compiled, [inputs])[0];
}
