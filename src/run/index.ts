/**
 * Running a compiled model: the one place that picks the host build or the emulator for a board
 * (`runCompiled`, used by the CLI's `run`, by validate and by runModel), and `runModel`, which compiles
 * and runs in one call (the tests' entry point). `runReference` runs the imported graph on the reference
 * interpreter instead (`run --target reference`).
 */

import { CompileResult, compile, defaultModelName } from '../compile.js';
import { fail } from '../diagnostics.js';
import type { TensorValue } from '../io/tensor-value.js';
import type { Graph } from '../ir/graph.js';
import { Progress, silent } from '../progress.js';
import { createInterpreter } from '../reference/interpret.js';
import { runOnHost } from './host.js';
import { QEMU_BOARD, runOnQemu } from './qemu.js';

export type Target = 'host' | 'qemu';

/** Where `run` runs: a compiled target, or the reference interpreter on the imported graph. */
export type RunTarget = Target | 'reference';

/** The board a target compiles for. */
export function targetBoard(target: Target): string {
  return target === 'qemu' ? QEMU_BOARD : 'host';
}

/** Runs every case on the board `result` was compiled for: its emulator, or the host build. */
export function runCompiled(result: Pick<CompileResult, 'program' | 'board' | 'files'>, cases: TensorValue[][], progress: Progress = silent): TensorValue[][] {
  const { program, board, files } = result;
  if (board.kind === 'mcu') fail('E_USAGE', `board '${board.name}' runs only on its hardware; run on 'host' or on the emulator ('${QEMU_BOARD}')`);
  if (board.kind === 'emulator') return runOnQemu(files, board, program.name, program.inputs, program.outputs, cases, progress);
  return runOnHost(files, program.name, program.inputs, program.outputs, cases, progress);
}

export interface RunOptions {
  target: Target;
  name?: string;
  bindInputs?: Map<string, TensorValue>;
  /** Arena budget in bytes (`--ram-budget`, or 'none'): patch stages as compile() chooses them; absent: the board's default. */
  ramBudget?: number | 'none';
}

export function runModel(model: Uint8Array, fileName: string, cases: TensorValue[][], options: RunOptions): TensorValue[][] {
  const name = options.name ?? defaultModelName(fileName);
  const result = compile(model, fileName, { name, board: targetBoard(options.target), bindInputs: options.bindInputs, ramBudget: options.ramBudget });
  return runCompiled(result, cases);
}

/**
 * Runs every case on the reference interpreter (src/reference/interpret.ts) over `graph` as imported
 * (importGraph), each from the initial state as the C runners do; float32 outputs are the float64
 * results rounded to float32. An operator without reference semantics fails with E_UNSUPPORTED_OP.
 */
export function runReference(graph: Graph, cases: TensorValue[][], progress: Progress = silent): TensorValue[][] {
  const interpreter = createInterpreter(graph);
  const count = progress.count('running the reference interpreter:', cases.length, 'cases');
  const results = cases.map((c) => {
    interpreter.reset();
    const { outputs } = interpreter.run(c);
    count.tick();
    return outputs;
  });
  count.done();
  return results;
}
